/** `rpcsweep report --db FILE [--scan ID]`: a stored scan as the HTML report, with the changes since the previous one. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import type { HostResult, Verdict } from '../../src/core/result.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { hostileResults } from './html-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-html-store-'));
const db = join(dir, 'scans.sqlite');
after(() => rmSync(dir, { recursive: true, force: true }));

const withVerdict = (r: HostResult, verdict: Verdict): HostResult => ({ ...r, verdict });

/** Two scans of 192.0.2.0/24: one host fixed, one regressed, one gone; 240 addresses never answered. */
before(async () => {
  const first = hostileResults().filter((r) => r.verdict !== 'unreachable');
  const byAddress = new Map(first.map((r) => [r.address, r]));
  const second = [
    withVerdict(byAddress.get('192.0.2.10')!, 'patched'), // unpatched -> patched: fixed
    withVerdict(byAddress.get('192.0.2.1')!, 'unpatched'), // patched -> unpatched: regressed
    ...first.filter((r) => !['192.0.2.10', '192.0.2.1', '192.0.2.11'].includes(r.address)), // .11 gone
  ];
  const store = await SqliteStore.open(db);
  for (const [i, results] of [first, second].entries()) {
    const id = await store.createScan({
      startedAt: `2026-12-0${i + 1}T02:00:00.000Z`,
      targets: ['192.0.2.0/24'],
      scope: ['192.0.2.0/24'],
      seed: 7,
      shard: '1/1',
      options: { timeoutMs: 1000 },
      version: '0.1.0',
      total: 256,
      keepUnreachable: false,
      fingerprint: `html-store-${i}`,
    });
    await store.writeResults(id, results);
    const counts: Partial<Record<Verdict, number>> = { unreachable: 256 - results.length };
    for (const r of results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    await store.finishScan(id, `2026-12-0${i + 1}T02:00:30.000Z`, counts);
  }
  await store.close();
});

const report = async (...args: string[]): Promise<string> => {
  const out = join(dir, `r${args.length}.html`);
  const t = makeCliIo();
  assert.equal(await runCli(['report', '--db', db, ...args, '-o', out], t.io), 0, t.err());
  return readFileSync(out, 'utf8');
};
const card = (html: string, key: string) =>
  Number(new RegExp(`data-stat="${key}"><span class="n">(\\d+)<`).exec(html)?.[1]);

test('the newest scan, with its changes since the previous scan of the same scope', async () => {
  const html = await report();
  assert.equal(card(html, 'total'), 256, 'unreachable addresses counted from the scan row');
  assert.equal(card(html, 'unreachable'), 256 - 8);
  const section = html.slice(html.indexOf('id="changes"'), html.indexOf('id="hosts"'));
  assert.match(section, /Changes since the previous scan \(3\)/);
  assert.match(section, /Compared with scan 1 \(started 2026-12-01T02:00:00\.000Z\)/);
  const rows = [
    ...section.matchAll(
      /<tr class="change [a-z-]+"><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)</g,
    ),
  ].map((m) => m.slice(1).join(' '));
  assert.deepEqual(rows.sort(), [
    '192.0.2.1 regressed patched unpatched',
    '192.0.2.10 fixed unpatched patched',
    '192.0.2.11 gone needs-investigation unreachable',
  ]);
});

test('--scan 1: the first scan has no earlier one, so no changes section', async () => {
  const html = await report('--scan', '1');
  assert.ok(!html.includes('id="changes"'));
  assert.equal(card(html, 'unpatched'), 4);
});

test('--scan of a missing id, and INPUT with --db, are one-line errors', async () => {
  const t = makeCliIo();
  assert.equal(await runCli(['report', '--db', db, '--scan', '9', '-o', join(dir, 'x.html')], t.io), 3);
  assert.match(t.err(), /^rpcsweep: .* has no scan 9 \[STORE_NOT_FOUND\]\n$/);
  const u = makeCliIo();
  assert.equal(await runCli(['report', 'scan.ndjson', '--db', db], u.io), 2);
  assert.match(u.err(), /^rpcsweep: report takes INPUT or --db, not both \[CLI_USAGE\]\n$/);
});
