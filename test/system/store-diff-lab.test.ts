/**
 * The "Done when" of the results store: scan a lab into the store, change the lab (one host
 * patched, one newly unpatched, one gone, one new), scan again, and `diff` reports exactly those
 * four, in SQLite, in PostgreSQL, and from the two NDJSON files. The lab sits on a random free
 * loopback /24 of this run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { freeLoopbackBlock } from '../support/free-block.ts';
import { needsPostgres, startPostgres } from '../support/postgres.ts';

const NET = freeLoopbackBlock();
const dir = mkdtempSync(join(tmpdir(), 'rs-store-diff-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const host = (n: number, profile: string) => ({ address: `${NET}.${n}`, profile });
const SPEC_OLD = {
  name: 'store-diff-old',
  description: 'before',
  seed: 3,
  hosts: [
    host(1, 'win2000-sp4'),
    host(2, 'win9x'),
    host(3, 'winxp-sp1-kb824146'),
    host(4, 'winxp-sp1-kb824146'),
    host(6, 'win2000-sp4-kb823980'),
  ],
};
const SPEC_NEW = {
  name: 'store-diff-new',
  description: 'after: .1 patched, .2 newly unpatched, .3 gone, .5 new',
  seed: 3,
  hosts: [
    host(1, 'winxp-sp1-kb824146'),
    host(2, 'win2000-sp4'),
    host(4, 'winxp-sp1-kb824146'),
    host(5, 'winxp-sp1-kb824146'),
    host(6, 'win2000-sp4-kb823980'),
  ],
};
const EXPECTED = [
  { address: `${NET}.2`, change: 'new-vulnerable', old: 'not-windows-dcom', new: 'unpatched' },
  { address: `${NET}.3`, change: 'gone', old: 'patched', new: 'refused' },
  { address: `${NET}.5`, change: 'new-host', old: 'refused', new: 'patched' },
  { address: `${NET}.1`, change: 'fixed', old: 'unpatched', new: 'patched' },
];
const EXPECTED_COUNTS = { regressed: 0, 'new-vulnerable': 1, gone: 1, changed: 0, 'new-host': 1, fixed: 1 };

const specFile = (name: string, spec: object) => {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify(spec));
  return p;
};

const cli = async (args: string[]) => {
  const t = makeCliIo();
  const code = await runCli(args, t.io);
  return { code, out: t.out(), err: t.err() };
};

/** Scans both labs into `db` (each with an NDJSON copy) and returns the two files. */
const scanTwice = async (db: string, tag: string): Promise<[string, string]> => {
  const files: string[] = [];
  for (const [name, spec] of [
    ['old', SPEC_OLD],
    ['new', SPEC_NEW],
  ] as const) {
    const out = join(dir, `${tag}-${name}.ndjson`);
    const r = await cli([
      'scan',
      '--lab',
      specFile(`${tag}-${name}`, spec),
      '--timeout',
      '1000',
      '--seed',
      '5',
      '-o',
      out,
      '--db',
      db,
    ]);
    assert.equal(r.code, 0, r.err);
    files.push(out);
  }
  return [files[0]!, files[1]!];
};

const checkDiff = async (args: string[]) => {
  const r = await cli(['diff', ...args, '--format', 'json', '--fail-on', 'new-vulnerable,regressed']);
  assert.equal(r.code, 1, `--fail-on new-vulnerable sets exit 1\n${r.err}`);
  const d = JSON.parse(r.out) as { changes: unknown[]; counts: unknown };
  assert.deepEqual(d.changes, EXPECTED);
  assert.deepEqual(d.counts, EXPECTED_COUNTS);
  return d;
};

test('SQLite: diff of the two lab scans reports exactly the four changes; so does diff of their NDJSON files', async () => {
  const db = join(dir, 'lab.sqlite');
  const [oldFile, newFile] = await scanTwice(db, 'sqlite');
  const d = (await checkDiff(['--db', db])) as { old?: number; new?: number };
  assert.deepEqual([d.old, d.new], [1, 2]);
  await checkDiff([oldFile, newFile]);
  // history: two scans, counts from the plan (unreachable never stored here, so refused/patched only).
  const h = await cli(['history', '--db', db, '--format', 'json']);
  const scans = (JSON.parse(h.out) as { scans: Array<{ id: number; counts: Record<string, number> }> }).scans;
  assert.deepEqual(
    scans.map((s) => s.id),
    [1, 2],
  );
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  assert.equal(total(scans[0]!.counts), 6);
  const hh = await cli(['history', '--db', db, '--host', `${NET}.1`, '--format', 'json']);
  assert.deepEqual(
    (JSON.parse(hh.out) as { history: Array<{ verdict: string }> }).history.map((x) => x.verdict),
    ['unpatched', 'patched'],
  );
});

test('PostgreSQL: the same two scans stored on a real server give the same four changes', {
  skip: needsPostgres(),
}, async () => {
  const server = await startPostgres();
  try {
    const db = await server.newDatabase();
    const [oldFile, newFile] = await scanTwice(db, 'pg');
    await checkDiff(['--db', db]);
    // Imported NDJSON files diff the same way as the scans they came from.
    const a = await cli(['import', oldFile, '--db', db]);
    const b = await cli(['import', newFile, '--db', db]);
    assert.equal(a.code, 0, a.err);
    await checkDiff([a.out.trim(), b.out.trim(), '--db', db]);
  } finally {
    await server.stop();
  }
});
