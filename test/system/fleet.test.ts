/**
 * The fleet for real (issue #15): a real PostgreSQL, pg-boss, a lab on a free random /24 and worker
 * processes. Three workers scan a lab; one is killed with SIGKILL mid-chunk; every address ends with
 * exactly one outcome and the verdicts equal a single-process scan. A worker of site A never runs
 * site B's chunks; a worker whose --allow excludes part of a scan refuses those chunks, and status
 * says so. A worker stopped with SIGTERM hands its chunk back at once; `report` and `diff` read a
 * fleet scan like any other (diff against a one-process scan of the same lab: no change).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLab } from '../../src/lab/index.ts';
import { cli, referenceVerdicts, startWorker, storedVerdicts, submit, waitFor } from '../support/fleet.ts';
import { at } from '../support/lab-block.ts';
import { needsPostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { IS_ROOT } from '../support/system.ts';

// A /24 inside this run's own loopback block (test/support/lab-block.ts), where labs are relocated to.
const NET = at('127.0.20');
const RANGE = `${NET}.1-40`;
const PROFILES = ['win2000-sp4', 'winxp-sp1-kb824146', 'win2000-sp4-kb823980', 'winxp-sp2', 'win9x'];
const SPEC = {
  name: 'fleet-test',
  description: 'twenty-five answering hosts of five kinds, the rest refused',
  seed: 15,
  hosts: Array.from({ length: 25 }, (_, i) => ({ address: `${NET}.${i + 1}`, profile: PROFILES[i % 5]! })),
};
const skip = needsPostgres();
const dir = mkdtempSync(join(tmpdir(), 'rs-fleet-'));
let server: TestPostgres | undefined;
let lab: Awaited<ReturnType<typeof startLab>> | undefined;
test.before(async () => {
  if (skip) return;
  server = await startPostgres();
  lab = await startLab(SPEC, { isRoot: IS_ROOT });
});
test.after(async () => {
  await lab?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A worker slowed to 8 new connections/s (later options win: extra may raise it). */
const worker = (db: string, site: string, allow: string, extra: string[] = []) =>
  startWorker(db, site, allow, ['--max-rate', '8', ...extra]);

const status = async (db: string, scan: string) => {
  const r = await cli(['fleet', 'status', scan, '--db', db, '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as {
    scan: number;
    state: string;
    addresses: { done: number; total: number };
    chunks: Record<string, number>;
    workers: Array<{ worker: string; chunks: number }>;
    errors: string[];
  };
};

test('three workers, one killed mid-chunk: every address once, verdicts equal a single-process scan', {
  skip,
}, async () => {
  const db = await server!.newDatabase();
  const expected = await referenceVerdicts(RANGE, '21', dir);
  assert.equal(expected.length, 40); // 25 answering, 15 refused

  const { scan } = await submit(db, RANGE, {
    site: 'plant-a',
    chunkSize: 5,
    seed: 21,
    extra: ['--lease-s', '3'],
  });
  assert.equal((await status(db, scan)).state, 'queued');

  const workers = [0, 1, 2].map(() => worker(db, 'plant-a', RANGE));
  // Kill the first worker while it holds a chunk it has not completed.
  await waitFor(
    'worker 1 to take a chunk',
    () => /: chunk \d+-\d+ of scan/.test(workers[0]!.stderr()),
    () => workers.map((w) => w.stderr()).join('\n'),
  );
  workers[0]!.child.kill('SIGKILL');
  const ends = await Promise.all(workers.map((w) => w.exit));
  assert.equal(ends[0]!.signal, 'SIGKILL');
  assert.doesNotMatch(workers[0]!.stderr(), / done\n/, 'killed before completing its chunk');
  for (const e of ends.slice(1)) assert.equal(e.code, 0, workers.map((w) => w.stderr()).join('\n'));

  const s = await status(db, scan);
  assert.equal(s.state, 'done');
  assert.deepEqual(s.addresses, { done: 40, total: 40 });
  assert.equal(s.chunks.completed, 8);
  assert.ok(s.chunks.retried! >= 1, 'the killed worker’s chunk was handed out again');
  assert.ok(s.workers.length >= 2);

  assert.deepEqual(await storedVerdicts(db, scan), expected);
  // A fleet scan is an ordinary scan for history.
  const h = await cli(['history', '--db', db, '--format', 'json']);
  const counts = (JSON.parse(h.out) as { scans: Array<{ counts: Record<string, number> }> }).scans[0]!.counts;
  assert.equal(
    Object.values(counts).reduce((a, b) => a + b, 0),
    40,
  );
});

test("site A's worker never runs site B's chunks; a worker refuses chunks outside its --allow", {
  skip,
}, async () => {
  const db = await server!.newDatabase();
  const { scan } = await submit(db, RANGE, {
    site: 'site-b',
    chunkSize: 10,
    seed: 3,
    extra: ['--chunk-retries', '0'],
  });
  const a = worker(db, 'site-a', RANGE);
  assert.equal((await a.exit).code, 0, a.stderr());
  assert.doesNotMatch(a.stderr(), /chunk \d/);
  assert.equal((await status(db, scan)).state, 'queued');

  // Allowed: only the first half of the range. Chunks are ranges of the permutation, so most hold
  // addresses of both halves: those are refused, the rest scanned.
  const b = worker(db, 'site-b', `${NET}.1-20`, ['--max-rate', '100']);
  assert.equal((await b.exit).code, 0, b.stderr());
  const s = await status(db, scan);
  assert.equal(s.state, 'failed');
  assert.ok(s.chunks.failed! >= 1);
  assert.ok(s.addresses.done < 40);
  assert.match(
    s.errors.join('\n'),
    new RegExp(
      `refused chunk \\d+-\\d+ of scan ${scan}: ${NET.replace(/\./g, '\\.')}\\.(2[1-9]|3\\d|40) is outside its --allow ranges`,
    ),
  );
  for (const [address] of await storedVerdicts(db, scan, false))
    assert.ok(Number(address.split('.')[3]) <= 20, `${address} was scanned`);
  const none = worker(db, 'site-b', '');
  assert.equal((await none.exit).code, 0);
});

test('a worker stopped with SIGTERM mid-chunk hands it back; another finishes it; report and diff read the fleet scan', {
  skip,
}, async () => {
  const db = await server!.newDatabase();
  // The same lab scanned by one process into the same store: the fleet scan must equal it.
  const single = await cli(['scan', RANGE, '--seed', '7', '--timeout', '1000', '--db', db, '-q']);
  assert.equal(single.code, 0, single.err);
  const { scan, err } = await submit(db, RANGE, { site: 'term', chunkSize: 40, seed: 7, extra: ['-q'] });
  assert.equal(err, '', '-q: only the scan id, on stdout');
  // --max-rate 8: the one chunk of 40 addresses takes ~5 s, so SIGTERM lands mid-chunk.
  const a = worker(db, 'term', RANGE);
  await waitFor('the worker to take the chunk', () => /: chunk 0-40 of scan/.test(a.stderr()), a.stderr);
  a.child.kill('SIGTERM');
  const end = await a.exit;
  assert.notEqual(end.signal, 'SIGKILL');
  assert.doesNotMatch(a.stderr(), / done\n/, 'the chunk was not reported done');
  const handedBack = await status(db, scan);
  assert.notEqual(handedBack.state, 'done');
  assert.equal(handedBack.chunks.completed ?? 0, 0);
  // Handed back at once (waiting for another worker), not left leased until its lease expires.
  assert.equal(handedBack.chunks.active ?? 0, 0);
  assert.equal(handedBack.chunks.retry, 1);
  assert.match(handedBack.errors.join('\n'), /stopped mid-chunk/);

  const b = worker(db, 'term', RANGE, ['--max-rate', '1000', '-v']);
  assert.equal((await b.exit).code, 0, b.stderr());
  assert.match(b.stderr(), /chunk 0-40 of scan \d+ done/);
  assert.match(
    b.stderr(),
    /chunk 0-40 of scan \d+: (\w[\w-]* \d+, )*\w[\w-]* \d+ in \d+\.\d s\n/,
    '-v: counts',
  );
  assert.equal((await status(db, scan)).state, 'done');

  const report = await cli(['report', '--db', db, '--scan', scan]);
  assert.equal(report.code, 0, report.err);
  for (let i = 1; i <= 25; i++)
    assert.match(
      report.out,
      new RegExp(`${NET.replace(/\./g, '\\.')}\\.${i}(?!\\d)`),
      `host .${i} in the report`,
    );
  const diff = await cli(['diff', '--db', db, '1', scan, '--format', 'json']);
  assert.equal(diff.code, 0, diff.err);
  const d = JSON.parse(diff.out) as { old: number; new: number; changes: unknown[] };
  assert.deepEqual([d.old, d.new, d.changes], [1, Number(scan), []]);
});
