import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RpcsweepError } from '../../src/core/errors.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { needsPostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { assertSchema2Upgraded, hostResult, newScan, resultStoreContract, SCHEMA2_ROW } from './contract.ts';

const skip = needsPostgres();
let server: TestPostgres | undefined;
test.before(async () => {
  if (!skip) server = await startPostgres();
});
test.after(async () => server?.stop());

test('PostgresStore keeps the ResultStore contract', { skip }, async (t) => {
  await resultStoreContract(t, async () => PostgresStore.open(await server!.newDatabase()));
});

test('a database made by the first schema is upgraded in place, its scans and results kept', {
  skip,
}, async () => {
  const url = await server!.newDatabase();
  await (await PostgresStore.open(url, { upToVersion: 1 })).close();
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(
    `INSERT INTO scans (started_at, targets, scope, seed, shard, options, version, total) VALUES ('2026-01-01T00:00:00Z', '["192.0.2.0/30"]', '["192.0.2.0/30"]', 3, '1/1', '{}', '0.0.9', 4)`,
  );
  await c.query(
    `INSERT INTO host_results VALUES (1, '192.0.2.1', 'unpatched', 1, 'r', 'vulnerable', 'vulnerable', '5.1', 'VULN', 'VULN', NULL, '2026-01-01T00:00:00Z', 5, '{"evidence":[]}')`,
  );
  assert.equal((await c.query('SELECT MAX(version) AS v FROM schema_version')).rows[0].v, 1);
  await c.end();
  const s = await PostgresStore.open(url);
  const [scan] = await s.listScans();
  assert.equal(scan?.version, '0.0.9');
  assert.equal(scan?.fingerprint, '');
  const id = await s.createScan(newScan());
  await s.writeResults(id, [hostResult('192.0.2.1', 'patched')]);
  assert.deepEqual(await s.hostHistory('192.0.2.1'), [
    { scanId: 1, address: '192.0.2.1', verdict: 'unpatched' },
    { scanId: id, address: '192.0.2.1', verdict: 'patched' },
  ]);
  await s.close();
});

test('a schema-2 database (history index, object evidence) is upgraded: rows read back, history and diff work', {
  skip,
}, async () => {
  const url = await server!.newDatabase();
  const v2 = await PostgresStore.open(url, { upToVersion: 2 });
  const old = await v2.createScan(newScan());
  await v2.close();
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // A row as schema 2 wrote it: evidence as objects without the shared tcp/135.
  await c.query(`INSERT INTO host_results VALUES ($1, ${SCHEMA2_ROW})`, [old]);
  await c.end();
  const s = await PostgresStore.open(url);
  await assertSchema2Upgraded(s, old);
  await s.close();
  const c2 = new pg.Client({ connectionString: url });
  await c2.connect();
  const idx = await c2.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'host_results'");
  const rel = await c2.query("SELECT reloptions FROM pg_class WHERE relname = 'host_results'");
  await c2.end();
  assert.ok(rel.rows[0].reloptions.includes('autovacuum_vacuum_insert_threshold=100000'));
  assert.deepEqual(
    idx.rows.map((r) => r.indexdef.replace(/^.* USING /, '')),
    ['btree (scan_id, address) INCLUDE (verdict)'],
  );
});

test('a wrong password and an unreachable server are one-line errors naming the server, password masked', {
  skip,
}, async () => {
  const url = await server!.newDatabase();
  const u = new URL(url);
  u.password = 'wrong-password';
  await assert.rejects(PostgresStore.open(u.toString()), (e: RpcsweepError) => {
    assert.equal(e.code, 'STORE_OPEN');
    assert.equal(
      e.message,
      `database ${u.protocol}//${u.username}:***@${u.host}${u.pathname}: authentication failed (wrong user or password?)`,
    );
    return true;
  });
  const port = Number(new URL(server!.url).port);
  const dead = `postgres://rs:secret@127.0.0.1:${port === 1 ? 2 : 1}/none`;
  await assert.rejects(PostgresStore.open(dead, { connectTimeoutMs: 2000 }), (e: RpcsweepError) => {
    assert.equal(e.code, 'STORE_OPEN');
    assert.equal(
      e.message,
      `database postgres://rs:***@127.0.0.1:${port === 1 ? 2 : 1}/none: the server is not reachable (connection refused)`,
    );
    return true;
  });
});
