import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { RpcsweepError } from '../../src/core/errors.ts';
import { SCHEMA_VERSION } from '../../src/store/schema.ts';
import { SqliteStore, sqliteSchemaVersion } from '../../src/store/sqlite.ts';
import { IS_ROOT } from '../support/system.ts';
import { hostResult, newScan, resultStoreContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'rs-store-sqlite-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `db${n++}.sqlite`);

test('SqliteStore keeps the ResultStore contract', async (t) => {
  await resultStoreContract(t, async () => SqliteStore.open(fresh()));
});

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

test('a read-only database is refused at open, not at the first write', {
  skip: IS_ROOT ? 'root ignores file modes' : false,
}, () => {
  const path = fresh();
  SqliteStore.open(path).close();
  chmodSync(path, 0o444);
  assert.equal(openError(path).code, 'STORE_OPEN');
});

test('a database locked by another writer is retried with back-off, then STORE_BUSY', async () => {
  const path = fresh();
  const s = SqliteStore.open(path, { busyTimeoutMs: 50, busyRetries: 2 });
  const id = await s.createScan(newScan());
  const other = new Database(path);
  other.prepare('BEGIN EXCLUSIVE').run();
  const t0 = performance.now();
  await assert.rejects(s.writeResults(id, [hostResult('192.0.2.1', 'patched')]), (e: RpcsweepError) => {
    assert.equal(e.code, 'STORE_BUSY');
    assert.match(e.message, new RegExp(`database ${path} stayed locked by another process`));
    return true;
  });
  // Three busy timeouts of 50 ms plus back-off of 50 and 100 ms: the retries happened.
  assert.ok(performance.now() - t0 >= 250);
  other.prepare('ROLLBACK').run();
  await s.writeResults(id, [hostResult('192.0.2.1', 'patched')]);
  assert.equal((await s.readVerdicts(id)).size, 1);
  other.close();
  await s.close();
});
