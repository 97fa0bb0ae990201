/**
 * A fleet worker that loses the database mid-chunk (issue #15): its own PostgreSQL cluster is stopped
 * while the worker scans a chunk and started again a few seconds later; in a second case the
 * worker's connections are killed with pg_terminate_backend. The worker either retries and goes on
 * or exits with one line `rpcsweep: … [CODE]` and the documented exit code (never a stack trace);
 * once it, or another worker, has redone what was left, every address has exactly one result and
 * the verdicts equal a single-process scan of the same lab.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { startLab } from '../../src/lab/index.ts';
import {
  cli,
  referenceVerdicts,
  startWorker,
  storedVerdicts,
  submit,
  type Verdicts,
  waitFor,
} from '../support/fleet.ts';
import { at } from '../support/lab-block.ts';
import { needsPostgres, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { IS_ROOT } from '../support/system.ts';

const NET = at('127.0.21');
const RANGE = `${NET}.1-20`;
const PROFILES = ['win2000-sp4', 'winxp-sp1-kb824146', 'winxp-sp2', 'win9x'];
const SPEC = {
  name: 'fleet-db-loss',
  description: 'twelve answering hosts of four kinds, the rest refused',
  seed: 16,
  hosts: Array.from({ length: 12 }, (_, i) => ({ address: `${NET}.${i + 1}`, profile: PROFILES[i % 4]! })),
};
const skip = needsPostgres();
const dir = mkdtempSync(join(tmpdir(), 'rs-fleet-loss-'));
let server: TestPostgres | undefined;
let lab: Awaited<ReturnType<typeof startLab>> | undefined;
let expected: Verdicts = [];
test.before(async () => {
  if (skip) return;
  // A cluster of this file's own: the test stops and restarts it.
  server = await startPostgres({ own: true });
  lab = await startLab(SPEC, { isRoot: IS_ROOT });
  expected = await referenceVerdicts(RANGE, '5', dir);
});
test.after(async () => {
  await lab?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A worker slowed to maxRate new connections/s (4: a chunk of 10 takes ~2.5 s, time to pull the plug). */
const worker = (db: string, maxRate: string, extra: string[] = []) =>
  startWorker(db, 'ward-3', RANGE, ['--max-rate', maxRate, ...extra]);

/** Two chunks of 10 with a 3 s lease: a lost worker's chunk comes back soon. */
const submitScan = async (db: string): Promise<string> =>
  (await submit(db, RANGE, { site: 'ward-3', chunkSize: 10, seed: 5, extra: ['--lease-s', '3'] })).scan;

/** The worker went on (exit 0) or stopped with one documented line; never a stack trace. */
const assertCleanEnd = (end: { code: number | null }, stderr: string, expectCode: number) => {
  assert.doesNotMatch(stderr, /internal error|\n\s+at /, stderr);
  assert.equal(end.code, expectCode, stderr);
  if (end.code === 0) return;
  const last = stderr.trim().split('\n').pop()!;
  assert.match(
    last,
    /^rpcsweep: database postgres:\/\/postgres:\*\*\*@.* failed: .*\(gave up after 1 s\) \[STORE_WRITE\]$/,
  );
};

/** Every address exactly once, verdicts as the single-process scan, the scan row finished. */
const assertComplete = async (db: string, scan: string) => {
  const r = await cli(['fleet', 'status', scan, '--db', db, '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as { state: string; addresses: { done: number; total: number } };
  assert.equal(s.state, 'done', r.out);
  assert.deepEqual(s.addresses, { done: 20, total: 20 });
  assert.deepEqual(await storedVerdicts(db, scan), expected);
};

/** Runs the scan with the given outage mid-chunk, then a second worker for whatever is left. */
const scanThrough = async (
  outage: (db: string) => Promise<void>,
  expectCode: number,
  extra: string[] = [],
) => {
  const db = await server!.newDatabase();
  const scan = await submitScan(db);
  const a = worker(db, '4', extra);
  await waitFor('the worker to take a chunk', () => /: chunk \d+-\d+ of scan/.test(a.stderr()), a.stderr);
  await outage(db);
  const endA = await a.exit;
  assertCleanEnd(endA, a.stderr(), expectCode);
  // Whatever the first worker left (a chunk it handed back, or one whose lease expires) is redone.
  const b = worker(db, '100');
  const endB = await b.exit;
  assert.equal(endB.code, 0, b.stderr());
  await assertComplete(db, scan);
  return { a: a.stderr(), b: b.stderr(), codeA: endA.code };
};

test('the cluster stops mid-chunk and comes back: the worker retries and goes on, nothing lost or doubled', {
  skip,
}, async () => {
  const r = await scanThrough(async () => {
    await server!.halt();
    // Longer than the rest of the chunk (and its 3 s lease): the results write meets a dead server.
    await new Promise((res) => setTimeout(res, 4000));
    await server!.restart();
  }, EXIT.OK);
  assert.match(
    r.a,
    /writing \d+ result\(s\) failed: the server is not reachable .*; retrying for up to 300 s/,
  );
  assert.match(
    r.a,
    /chunk \d+-\d+ of scan \d+ (done|stored, but its lease had expired: it will be redone)\n/,
  );
});

test("the worker's connections are cut mid-chunk for longer than --db-retry-ms: one line, exit 3, another worker redoes the chunk", {
  skip,
}, async () => {
  const r = await scanThrough(
    async (db) => {
      // Refuse new connections to the scan's database and kill the open ones: the server stays up.
      const name = new URL(db).pathname.slice(1);
      const c = new pg.Client({ connectionString: server!.url });
      await c.connect();
      try {
        await c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
        const k = await c.query(
          'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        assert.ok(Number(k.rows[0].n) >= 1, 'the worker had connections to cut');
        await new Promise((res) => setTimeout(res, 5000));
        await c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      } finally {
        await c.end();
      }
    },
    EXIT.RUNTIME,
    ['--db-retry-ms', '1000'],
  );
  assert.doesNotMatch(r.a, / done\n/, 'the cut worker completed nothing');
  assert.match(r.b, /chunk \d+-\d+ of scan \d+ done\n/);
});
