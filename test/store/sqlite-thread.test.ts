/**
 * The SQLite writer thread (src/store/sqlite-thread.ts, sqlite-writer.ts) under the failures a scan
 * can meet: the thread dying inside a batch, close() while a batch is on its way, another process
 * holding the write lock. Each batch is stored whole or not at all, every caller gets an answer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { RpcsweepError } from '../../src/core/errors.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { hostResult, newScan } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'rs-store-thread-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `db${n++}.sqlite`);

/** The CLI entry writer threads start from, as `scan --db` starts them (the sources, through tsx). */
const WRITER_ENTRY = new URL('../../src/cli/tsx-worker-entry.mjs', import.meta.url);
const DYING_ENTRY = new URL('../support/sqlite-writer-dies.mjs', import.meta.url);

/** `count` results in 10.(seq).x.y, distinct per call. */
let seq = 0;
const results = (count: number) => {
  const s = seq++;
  return Array.from({ length: count }, (_, i) => hostResult(`10.${s}.${i >> 8}.${i & 255}`, 'patched'));
};

const settledWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p.then(
      () => 'resolved',
      (e: Error) => `rejected: ${e.message}`,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve('never settled'), ms).unref()),
  ]);

/** Rows in host_results as another connection sees them. */
const storedRows = (path: string): number => {
  const check = new Database(path, { readonly: true });
  try {
    return (check.prepare('SELECT COUNT(*) AS n FROM host_results').get() as { n: number }).n;
  } finally {
    check.close();
  }
};

test('a writer thread that dies inside a batch (slices still being handed over) fails that batch only: nothing of it stored, no lock left behind', async () => {
  const path = fresh();
  // Message 9 is the third slice of the second batch (the first: 5 slices and its commit).
  process.env.RS_WRITER_DIES_AT = '9';
  const s = SqliteStore.open(path, { writerThread: DYING_ENTRY, busyTimeoutMs: 100, busyRetries: 0 });
  try {
    const id = await s.createScan(newScan());
    await s.writeResults(id, results(5000));
    // 50 slices: the thread dies while the caller is still encoding and handing them over.
    await assert.rejects(s.writeResults(id, results(50_000)), (e: unknown) => {
      assert.ok(e instanceof RpcsweepError);
      assert.equal(e.code, 'STORE_WRITE');
      assert.equal(e.message, `database ${path}: the SQLite writer thread exited with code 7`);
      return true;
    });
    assert.deepEqual(await s.countStored(id), { patched: 5000 }, 'the dead batch left no row');
    // A new thread: the dead one's open transaction did not keep the write lock.
    await s.writeResults(id, results(5000));
    assert.deepEqual(await s.countStored(id), { patched: 10_000 });
  } finally {
    delete process.env.RS_WRITER_DIES_AT;
    await s.close();
  }
});

test('close() while a batch is on its way to the writer thread: the batch is answered (committed) before the thread ends', async () => {
  const path = fresh();
  const s = SqliteStore.open(path, { writerThread: WRITER_ENTRY });
  const id = await s.createScan(newScan());
  const write = s.writeResults(id, results(20_000));
  const closed = s.close();
  assert.equal(await settledWithin(write, 20_000), 'resolved');
  assert.equal(await settledWithin(closed, 20_000), 'resolved');
  assert.equal(storedRows(path), 20_000);
});

test('another process holding the write lock: the thread gives up with STORE_BUSY after its retries, and writes once the lock is gone', async () => {
  const path = fresh();
  const s = SqliteStore.open(path, { writerThread: WRITER_ENTRY, busyTimeoutMs: 50, busyRetries: 2 });
  const other = new Database(path);
  try {
    const id = await s.createScan(newScan());
    other.prepare('BEGIN IMMEDIATE').run();
    await assert.rejects(s.writeResults(id, results(6000)), (e: unknown) => {
      assert.ok(e instanceof RpcsweepError);
      assert.equal(e.code, 'STORE_BUSY');
      assert.equal(
        e.message,
        `database ${path} stayed locked by another process; writing 6000 result(s) gave up after 3 attempts`,
      );
      return true;
    });
    other.prepare('ROLLBACK').run();
    await s.writeResults(id, results(6000));
    assert.deepEqual(await s.countStored(id), { patched: 6000 });
  } finally {
    other.close();
    await s.close();
  }
});

test('batches alternating between the writer thread and the calling thread land in call order: the later write of an address wins', async () => {
  const s = SqliteStore.open(fresh(), { writerThread: WRITER_ENTRY });
  try {
    const id = await s.createScan(newScan());
    const big = (verdict: 'patched' | 'unpatched') =>
      Array.from({ length: 6000 }, (_, i) => hostResult(`10.200.${i >> 8}.${i & 255}`, verdict));
    const small = (verdict: 'patched' | 'unpatched') =>
      Array.from({ length: 100 }, (_, i) => hostResult(`10.200.0.${i}`, verdict));
    await s.writeResults(id, big('patched')); // the thread
    await s.writeResults(id, small('unpatched')); // here
    assert.deepEqual(await s.countStored(id), { patched: 5900, unpatched: 100 });
    await s.writeResults(id, big('unpatched')); // the thread again, over the rows written here
    assert.deepEqual(await s.countStored(id), { unpatched: 6000 });
  } finally {
    await s.close();
  }
});

test('the writer thread keeps the process alive while a batch is out, and never after: a script that does not close the store ends once the batch is committed', () => {
  const path = fresh();
  const script = join(dir, 'unclosed.mts');
  const src = (p: string) => new URL(`../../src/${p}`, import.meta.url).href;
  writeFileSync(
    script,
    `import { SqliteStore } from '${src('store/sqlite.ts')}';
const s = SqliteStore.open(${JSON.stringify(path)}, { writerThread: new URL('${WRITER_ENTRY.href}') });
const id = await s.createScan(${JSON.stringify(newScan())});
const rows = Array.from({ length: 6000 }, (_, i) => ({ ...${JSON.stringify(hostResult('10.0.0.0', 'patched'))}, address: '10.9.' + (i >> 8) + '.' + (i & 255) }));
// Not awaited, and the store never closed: only the thread's reference keeps the process alive.
void s.writeResults(id, rows).then(() => console.log('committed'));
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, `the process did not end by itself: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'committed\n', 'it did not end before the commit');
  assert.equal(storedRows(path), 6000);
});

test('writes called without waiting for each other still land in call order, across the thread and the calling thread, and finishScan comes after them', async () => {
  const s = SqliteStore.open(fresh(), { writerThread: WRITER_ENTRY, busyTimeoutMs: 100, busyRetries: 0 });
  try {
    const id = await s.createScan(newScan());
    const rows = (count: number, verdict: 'patched' | 'unpatched') =>
      Array.from({ length: count }, (_, i) => hostResult(`10.201.${i >> 8}.${i & 255}`, verdict));
    await s.writeResults(id, rows(6000, 'patched')); // the thread is up
    const writes = [
      s.writeResults(id, rows(6000, 'unpatched')), // the thread
      s.writeResults(id, rows(100, 'patched')), // here, over the first 100 of the batch before it
      s.finishScan(id, '2026-12-05T02:00:00.000Z', { patched: 100, unpatched: 5900 }),
    ];
    await Promise.all(writes);
    assert.deepEqual(await s.countStored(id), { patched: 100, unpatched: 5900 });
    assert.ok((await s.getScan(id))?.finishedAt);
  } finally {
    await s.close();
  }
});
