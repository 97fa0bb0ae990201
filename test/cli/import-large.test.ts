/**
 * `import` of a file large enough for the SQLite writer thread (batches of 10,000): every result is
 * stored once, with the advice a live `scan --db` stores, and the scan row is finished.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { storedAdviceOf } from '../../src/cli/commands/scan-db.ts';
import { runCli } from '../../src/cli/main.ts';
import type { Verdict } from '../../src/core/result.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { hostResult, toNdjson } from '../sim/support.ts';
import { makeCliIo } from '../support/cli-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-import-large-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('import of 25,000 results goes through the writer thread: every row once, with its advice', async () => {
  const verdicts: Verdict[] = ['patched', 'unpatched', 'patched-kb823980', 'refused', 'unreachable'];
  const records = Array.from({ length: 25_000 }, (_, i) =>
    hostResult(`10.${(i * 7919) % 251}.${(i >> 8) & 255}.${i & 255}`, verdicts[i % verdicts.length]!),
  );
  const file = join(tmp, 'big.ndjson');
  writeFileSync(file, toNdjson(records));
  const db = join(tmp, 'big.sqlite');
  const { io, out, err, exitCode } = makeCliIo();
  assert.equal(await runCli(['import', file, '--db', db, '-q'], io), 0, err());
  assert.equal(exitCode(), 0);
  assert.equal(out(), '1\n');

  const store = SqliteStore.open(db);
  const [scan] = await store.listScans();
  assert.ok(scan?.finishedAt, 'the scan row is finished');
  const stored = await store.readScan(1);
  const kept = records.filter((r) => r.verdict !== 'unreachable');
  assert.equal(new Set(kept.map((r) => r.address)).size, kept.length, 'the test addresses are distinct');
  assert.equal(stored.length, kept.length);
  const byAddress = new Map(stored.map((r) => [r.address, r]));
  for (const r of kept) {
    const row = byAddress.get(r.address);
    assert.equal(row?.verdict, r.verdict, r.address);
    assert.deepEqual(row?.advice, storedAdviceOf(r), r.address);
  }
  await store.close();
});

test('Ctrl-C during import stops between batches: whole batches stored, the scan row unfinished, exit 130', async () => {
  const records = Array.from({ length: 25_000 }, (_, i) =>
    hostResult(`10.9.${i >> 8}.${i & 255}`, 'patched'),
  );
  const file = join(tmp, 'interrupted.ndjson');
  writeFileSync(file, toNdjson(records));
  const db = join(tmp, 'interrupted.sqlite');
  const { io, out, err } = makeCliIo();
  const controller = new AbortController();
  io.signal = controller.signal;
  // Fires at the first turn of the event loop, which comes while the first batch is being written.
  setTimeout(() => controller.abort(), 0);
  assert.equal(await runCli(['import', file, '--db', db], io), 130, err());
  assert.equal(out(), '', 'no scan id on stdout: the import did not finish');
  const m =
    /^rpcsweep: import interrupted: (\d+) of 25000 result\(s\) stored as scan 1, left unfinished$/m.exec(
      err(),
    );
  assert.ok(m, err());
  const store = SqliteStore.open(db);
  const [scan] = await store.listScans();
  assert.equal(scan?.finishedAt, undefined);
  const stored = (await store.readVerdicts(1)).size;
  assert.equal(stored, Number(m[1]));
  assert.ok(stored % 10_000 === 0 && stored < 25_000, `${stored} rows`);
  await store.close();
});
