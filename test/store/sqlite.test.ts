import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { RpcsweepError } from '../../src/core/errors.ts';
import { hostHistorySql } from '../../src/store/row.ts';
import { SCHEMA_VERSION } from '../../src/store/schema.ts';
import { SqliteStore, sqliteSchemaVersion } from '../../src/store/sqlite.ts';
import { IS_ROOT } from '../support/system.ts';
import { assertSchema2Upgraded, hostResult, newScan, resultStoreContract, SCHEMA2_ROW } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'rs-store-sqlite-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `db${n++}.sqlite`);

/** The CLI entry writer threads start from, as `scan --db` starts them (the sources, through tsx). */
const WRITER_ENTRY = new URL('../../src/cli/tsx-worker-entry.mjs', import.meta.url);
const WRITERS = [
  { name: 'writes on the calling thread', options: {} },
  { name: 'writes on a writer thread', options: { writerThread: WRITER_ENTRY, writerThreadMinRows: 1 } },
] as const;

for (const w of WRITERS) {
  test(`SqliteStore keeps the ResultStore contract (${w.name})`, async (t) => {
    await resultStoreContract(t, async () => SqliteStore.open(fresh(), w.options));
  });
}

test('a database made by the first schema is upgraded in place, its scans and results kept', async () => {
  const path = fresh();
  const v1 = SqliteStore.open(path, { upToVersion: 1 });
  await v1.close();
  assert.equal(sqliteSchemaVersion(path), 1);
  // Rows as the first schema wrote them (no keep_unreachable, no fingerprint columns).
  const db = new Database(path);
  db.prepare(
    `INSERT INTO scans (started_at, targets, scope, seed, shard, options, version, total) VALUES ('2026-01-01T00:00:00Z', '["192.0.2.0/30"]', '["192.0.2.0/30"]', 3, '1/1', '{}', '0.0.9', 4)`,
  ).run();
  db.prepare(
    `INSERT INTO host_results VALUES (1, '192.0.2.1', 'unpatched', 1, 'r', 'vulnerable', 'vulnerable', '5.1', 'VULN', 'VULN', NULL, '2026-01-01T00:00:00Z', 5, '{"evidence":[]}')`,
  ).run();
  db.close();

  const s = SqliteStore.open(path);
  assert.equal(sqliteSchemaVersion(path), SCHEMA_VERSION);
  const [scan] = await s.listScans();
  assert.equal(scan?.version, '0.0.9');
  assert.equal(scan?.keepUnreachable, false);
  assert.deepEqual(await s.hostHistory('192.0.2.1'), [
    { scanId: 1, address: '192.0.2.1', verdict: 'unpatched' },
  ]);
  const id = await s.createScan(newScan());
  await s.writeResults(id, [hostResult('192.0.2.1', 'patched')]);
  assert.equal((await s.hostHistory('192.0.2.1')).length, 2);
  await s.close();
});

test('a schema-2 database (history index, object evidence) is upgraded: rows read back, history and diff work', async () => {
  const path = fresh();
  const v2 = SqliteStore.open(path, { upToVersion: 2 });
  const old = await v2.createScan(newScan());
  await v2.close();
  const db = new Database(path);
  // A row as schema 2 wrote it: evidence as objects without the shared tcp/135.
  db.prepare(`INSERT INTO host_results VALUES (?, ${SCHEMA2_ROW})`).run(old);
  db.close();
  const s = SqliteStore.open(path);
  await assertSchema2Upgraded(s, old);
  await s.close();
  const check = new Database(path, { readonly: true });
  const indexes = check
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'host_results'")
    .all();
  check.close();
  // Schema 2's history index is gone; the key is the one index (schema 4).
  assert.deepEqual(indexes, [{ name: 'host_results_key' }]);
});

test('history looks an address up in each scan by its key, never by scanning host_results', async () => {
  const path = fresh();
  await SqliteStore.open(path).close();
  const db = new Database(path, { readonly: true });
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${hostHistorySql('?')}`)
    .all('192.0.2.1')
    .map((r) => (r as { detail: string }).detail);
  db.close();
  assert.ok(
    plan.some((d) => /SEARCH h USING INDEX host_results_key \(scan_id=\? AND address=\?\)/.test(d)),
    plan.join('; '),
  );
  assert.ok(!plan.some((d) => /SCAN h\b/.test(d)), plan.join('; '));
});

const openError = (path: string): RpcsweepError => {
  try {
    SqliteStore.open(path).close();
  } catch (e) {
    assert.ok(e instanceof RpcsweepError);
    return e;
  }
  assert.fail(`opening ${path} succeeded`);
};

test('a missing directory, a corrupt file and a newer schema are one-line errors naming the file', () => {
  const missing = join(dir, 'no-such-dir', 'x.sqlite');
  const e1 = openError(missing);
  assert.equal(e1.code, 'STORE_OPEN');
  assert.match(e1.message, new RegExp(`^database ${missing}: .*director`, 'i'));
  const corrupt = fresh();
  writeFileSync(corrupt, 'this is not a database, just text long enough to look like a header '.repeat(20));
  const e2 = openError(corrupt);
  assert.equal(e2.code, 'STORE_OPEN');
  assert.match(e2.message, /not an rpcsweep SQLite database, or it is corrupt/);
  const newer = fresh();
  SqliteStore.open(newer).close();
  const db = new Database(newer);
  db.prepare('INSERT INTO schema_version VALUES (99)').run();
  db.close();
  assert.equal(openError(newer).code, 'STORE_SCHEMA');
});

test('a read-only database is refused at open with one line naming it (as root: checked as user nobody)', () => {
  const roDir = mkdtempSync(join(tmpdir(), 'rs-store-ro-'));
  try {
    chmodSync(roDir, 0o755);
    const path = join(roDir, 'ro.sqlite');
    SqliteStore.open(path).close();
    chmodSync(path, 0o444);
    if (!IS_ROOT) {
      assert.equal(openError(path).code, 'STORE_OPEN');
      return;
    }
    // Root ignores file modes: open it through the CLI as an unprivileged user.
    const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
    const r = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', main, 'history', '--db', path],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr, `rpcsweep: database ${path}: the database is read-only [STORE_OPEN]\n`);
  } finally {
    rmSync(roDir, { recursive: true, force: true });
  }
});

test('a database locked by another writer is retried with back-off, then STORE_BUSY', async () => {
  const path = fresh();
  const s = SqliteStore.open(path, { busyTimeoutMs: 50, busyRetries: 2 });
  const id = await s.createScan(newScan());
  const other = new Database(path);
  other.prepare('BEGIN EXCLUSIVE').run();
  const t0 = performance.now();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  await assert.rejects(s.writeResults(id, [hostResult('192.0.2.1', 'patched')]), (e: RpcsweepError) => {
    assert.equal(e.code, 'STORE_BUSY');
    assert.match(e.message, new RegExp(`database ${path} stayed locked by another process`));
    return true;
  });
  clearInterval(ticker);
  // Three busy timeouts of 50 ms plus back-off of 50 and 100 ms: the retries happened, and the
  // calling thread's timers ran while it waited (a scan's sockets would have been served).
  const waited = performance.now() - t0;
  assert.ok(waited >= 250, `${waited} ms`);
  assert.ok(ticks >= 5, `${ticks} timer ticks in ${waited} ms`);
  other.prepare('ROLLBACK').run();
  await s.writeResults(id, [hostResult('192.0.2.1', 'patched')]);
  assert.equal((await s.readVerdicts(id)).size, 1);
  other.close();
  await s.close();
});

test("a write waiting for another writer's lock lets the event loop run, and goes through once it is released", async () => {
  const path = fresh();
  const s = SqliteStore.open(path);
  const id = await s.createScan(newScan());
  const other = new Database(path);
  other.prepare('BEGIN IMMEDIATE').run();
  // Released by a timer of this thread: only a write that waits without blocking lets it fire.
  setTimeout(() => other.prepare('COMMIT').run(), 300);
  await s.writeResults(id, [hostResult('192.0.2.1', 'patched')]);
  assert.equal((await s.readVerdicts(id)).size, 1);
  other.close();
  await s.close();
});

/** `n` results over 10.0.0.0/16 in a shuffled order (as a scan's plan writes them). */
const shuffled = (n: number) => {
  const rs = Array.from({ length: n }, (_, i) =>
    hostResult(`10.0.${(i >> 8) & 255}.${i & 255}`, i % 3 === 0 ? 'unpatched' : 'patched'),
  );
  for (let i = rs.length - 1; i > 0; i--) {
    const j = (i * 7919 + 13) % (i + 1);
    [rs[i], rs[j]] = [rs[j]!, rs[i]!];
  }
  return rs;
};

for (const w of WRITERS) {
  test(`a large batch lets the event loop run between slices and is still one transaction (${w.name})`, async () => {
    const path = fresh();
    const s = SqliteStore.open(path, w.options);
    const id = await s.createScan(newScan());
    const reader = new Database(path, { readonly: true });
    const rows = () => (reader.prepare('SELECT COUNT(*) AS n FROM host_results').get() as { n: number }).n;
    const batch = shuffled(5000);
    // The last row of an address written twice wins, even when the sort moves other rows between them.
    batch.splice(10, 0, hostResult('10.0.0.7', 'refused'));
    batch.push(hostResult('10.0.0.7', 'dcom-restricted'));
    let turns = 0;
    const seen: number[] = [];
    const tick = () =>
      setImmediate(() => {
        if (done) return;
        turns++;
        seen.push(rows());
        tick();
      });
    let done = false;
    tick();
    await s.writeResults(id, batch);
    done = true;
    assert.ok(turns >= 3, `the event loop ran ${turns} time(s) during the write`);
    assert.deepEqual(
      seen.filter((n) => n !== 0 && n !== 5000),
      [],
      'another connection sees none of the batch or all of it, never a part',
    );
    assert.equal(rows(), 5000);
    assert.equal((await s.readVerdicts(id)).get('10.0.0.7'), 'dcom-restricted');
    reader.close();
    await s.close();
  });

  test(`a batch that fails in a later slice leaves no row of it, and the store goes on writing (${w.name})`, async () => {
    const s = SqliteStore.open(fresh(), w.options);
    const id = await s.createScan(newScan());
    const batch = shuffled(3000);
    // duration_ms is NOT NULL: the row sorted last fails in the third slice of 1,000.
    batch.push(hostResult('10.0.255.255', 'patched', { durationMs: null as unknown as number }));
    await assert.rejects(s.writeResults(id, batch), (e: unknown) => {
      assert.ok(e instanceof RpcsweepError);
      assert.equal(e.code, 'STORE_WRITE');
      return true;
    });
    assert.deepEqual(await s.countStored(id), {});
    await s.writeResults(id, shuffled(1500));
    assert.equal((await s.readVerdicts(id)).size, 1500);
    await s.close();
  });
}

test('a writer thread that dies fails its batch with one line naming the database, and the next batch starts a new one', async () => {
  const path = fresh();
  // A thread that ends at once, as one killed by an out-of-memory error or a crash in the driver would.
  const dies = new URL('data:text/javascript,process.exit(7)');
  const s = SqliteStore.open(path, { writerThread: dies, writerThreadMinRows: 1 });
  const id = await s.createScan(newScan());
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(s.writeResults(id, shuffled(2500)), (e: unknown) => {
      assert.ok(e instanceof RpcsweepError);
      assert.equal(e.code, 'STORE_WRITE');
      assert.equal(e.message, `database ${path}: the SQLite writer thread exited with code 7`);
      return true;
    });
  }
  assert.deepEqual(await s.countStored(id), {});
  await s.close();
});

test('with a writer thread, batches below its threshold are written on the calling thread', async () => {
  const dies = new URL('data:text/javascript,process.exit(7)');
  const s = SqliteStore.open(fresh(), { writerThread: dies, writerThreadMinRows: 2000 });
  const id = await s.createScan(newScan());
  await s.writeResults(id, shuffled(1999));
  assert.equal((await s.readVerdicts(id)).size, 1999);
  await assert.rejects(s.writeResults(id, shuffled(2000)), /writer thread exited with code 7/);
  await s.close();
});

test('the upgrade to schema 4 rewrites host_results once and gives the old pages back (VACUUM)', async () => {
  const path = fresh();
  const v3 = SqliteStore.open(path, { upToVersion: 3 });
  const id = await v3.createScan(newScan());
  await v3.writeResults(id, shuffled(20_000));
  await v3.close();
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const before = statSync(path).size;
  const s = SqliteStore.open(path);
  assert.equal(sqliteSchemaVersion(path), SCHEMA_VERSION);
  assert.equal((await s.readVerdicts(id)).size, 20_000);
  await s.close();
  const check = new Database(path);
  check.pragma('wal_checkpoint(TRUNCATE)');
  const free = check.pragma('freelist_count', { simple: true }) as number;
  check.close();
  const after = statSync(path).size;
  assert.ok(after < before * 1.2, `the file grew from ${before} to ${after} bytes`);
  assert.ok(free < 10, `${free} free pages left in the file`);
});
