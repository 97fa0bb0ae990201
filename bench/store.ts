/**
 * Results-store benchmarks (issue #13): ingest rate, bytes per stored host, and `diff` of two large
 * scans (time and peak memory), in SQLite and PostgreSQL. PostgreSQL is a throwaway cluster of this
 * run (test/support/postgres.ts) unless RPCSWEEP_BENCH_PG_URL names one.
 *
 *   node scripts/bench.mjs store ingest [--hosts 200000] [--store sqlite|postgres]
 *   node scripts/bench.mjs store diff [--hosts 1000000] [--store sqlite|postgres]   fills two scans,
 *                                          then diffs each store in a fresh child process
 * Results are realistic HostResult records (two probe evidence records, OS hints). The ingest rate
 * counts what `scan --db` does per result (stored advice, row encoding, the writes); building the
 * HostResult records is the scan's work and is timed apart. RPCSWEEP_BENCH_PG_URL names a server
 * (its `postgres` database): each run creates a fresh database there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffStored } from '../src/cli/commands/diff.ts';
import { storedAdvice } from '../src/cli/commands/scan-db.ts';
import type { HostResult, Verdict } from '../src/core/result.ts';
import { openStore, type ResultStore } from '../src/store/index.ts';
import { startPostgres } from '../test/support/postgres.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const [mode = 'ingest'] = process.argv.slice(2);
const BATCH = 1000;

const VERDICT_MIX: Verdict[] = [
  'patched',
  'patched',
  'patched-kb823980',
  'unpatched',
  'dcom-restricted',
  'refused',
  'refused',
  'refused',
];
const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const result = (i: number, verdict: Verdict): HostResult =>
  ({
    schema: 1,
    address: address(i),
    verdict,
    success: true,
    reason:
      verdict === 'refused'
        ? 'connection to tcp/135 refused'
        : 'SYSACT: RPC_E_... HRESULT 0x80004005 (patched)',
    ms03_026: verdict === 'unpatched' ? 'vulnerable' : 'patched',
    ms03_039: verdict === 'patched' ? 'patched' : 'vulnerable',
    dcomVersion: '5.6',
    remact: verdict === 'unpatched' ? 'VULN' : 'ptch',
    sysact: verdict === 'patched' ? 'ptch' : 'VULN',
    osHints: verdict === 'refused' ? undefined : ['COM 5.6: Windows 2000 / XP / Server 2003 class'],
    evidence:
      verdict === 'refused'
        ? [
            {
              probe: 'tcp-connect',
              transport: 'tcp',
              port: 135,
              classification: 'refused',
              success: false,
              durationMs: 0.4,
            },
          ]
        : [
            {
              probe: 'ms03-039-sysact',
              transport: 'tcp',
              port: 135,
              classification: 'hresult',
              success: true,
              durationMs: 43.1,
              bindResults: [[0, 0]],
              hresult: '0x80004005',
            },
            {
              probe: 'ms03-026-remact',
              transport: 'tcp',
              port: 135,
              classification: 'hresult',
              success: true,
              durationMs: 13.4,
              bindResults: [[0, 0]],
              hresult: '0x80040154',
              comVersion: '5.6',
              reusedConnection: true,
            },
          ],
    startedAt: '2026-12-05T02:00:00.000Z',
    durationMs: 57.2,
  }) as HostResult;

const newScan = (total: number, fingerprint: string) => ({
  startedAt: new Date().toISOString(),
  targets: ['10.0.0.0/8'],
  scope: ['10.0.0.0/8'],
  seed: 1,
  shard: '1/1',
  options: {},
  version: 'bench',
  total,
  keepUnreachable: false,
  fingerprint,
});

/**
 * Writes `n` results in batches as `scan --db` does (stored advice, then the store); `verdictOf`
 * picks each verdict. Returns results per second: of the store path, and with record building.
 */
const fill = async (store: ResultStore, n: number, verdictOf: (i: number) => Verdict) => {
  const id = await store.createScan(newScan(n, `bench-${Math.random()}`));
  let storing = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const built: HostResult[] = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) built.push(result(j, verdictOf(j)));
    const t = performance.now();
    await store.writeResults(id, built.map(storedAdvice));
    storing += performance.now() - t;
  }
  await store.finishScan(id, new Date().toISOString(), {});
  return { store: n / (storing / 1000), withBuilding: n / ((performance.now() - t0) / 1000) };
};

const storeBytes = async (db: string, store: ResultStore): Promise<number> => {
  if (store.kind === 'sqlite') {
    await store.close();
    return statSync(db).size + (statSync(`${db}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  }
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  await c.query('VACUUM ANALYZE host_results');
  const r = await c.query("SELECT pg_total_relation_size('host_results') AS n");
  await c.end();
  await store.close();
  return Number(r.rows[0].n);
};

const only = arg('--store', '');

/** A fresh database on the server RPCSWEEP_BENCH_PG_URL names. */
const freshDatabase = async (server: string): Promise<string> => {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  const name = `rs_bench_${process.pid}_${Date.now().toString(36)}`;
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return server.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
};

const withStores = async (fn: (name: string, db: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-bench-store-'));
  const server = process.env.RPCSWEEP_BENCH_PG_URL;
  const pg = server || only === 'sqlite' ? undefined : await startPostgres({ own: true });
  try {
    if (only !== 'postgres') await fn('SQLite', join(dir, 'bench.sqlite'));
    if (only !== 'sqlite')
      await fn('PostgreSQL', server ? await freshDatabase(server) : await pg!.newDatabase());
  } finally {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

const peakRssMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

if (mode === 'ingest') {
  const n = Number(arg('--hosts', '200000'));
  await withStores(async (name, db) => {
    const store = await openStore(db);
    const c0 = process.cpuUsage();
    const rate = await fill(store, n, (i) => VERDICT_MIX[i % VERDICT_MIX.length]!);
    const cpu = process.cpuUsage(c0);
    const bytes = await storeBytes(db, store);
    console.log(
      `${name}: ${n} results at ${Math.round(rate.store)}/s wall (${Math.round(rate.withBuilding)}/s counting record building, ${Math.round(n / ((cpu.user + cpu.system) / 1e6))}/s per CPU second of this process); ${Math.round(bytes / n)} bytes per stored host`,
    );
  });
} else if (mode === 'diff') {
  const n = Number(arg('--hosts', '1000000'));
  await withStores(async (name, db) => {
    const store = await openStore(db);
    const t0 = performance.now();
    await fill(store, n, (i) => VERDICT_MIX[i % VERDICT_MIX.length]!);
    // 1 % of the hosts change verdict in the second scan.
    await fill(store, n, (i) => (i % 100 === 7 ? 'unpatched' : VERDICT_MIX[i % VERDICT_MIX.length]!));
    await store.close();
    const fillS = (performance.now() - t0) / 1000;
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'diff-only', db], {
      encoding: 'utf8',
    });
    console.log(`${name}: filled 2 × ${n} in ${fillS.toFixed(1)} s; ${r.stdout.trim()}${r.stderr}`);
  });
} else if (mode === 'diff-only') {
  const db = process.argv[3]!;
  const store = await openStore(db);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const [a, b] = (await store.listScans()).slice(-2);
  // What `rpcsweep diff --db` does: the database finds the differing rows, then the scopes apply.
  const d = await diffStored(store, a!, b!);
  const old = { size: a!.total };
  const now = { size: b!.total };
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(
    `diff ${old.size} vs ${now.size}: ${d.changes.length} changes in ${s.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU of this process, peak RSS ${Math.round(peakRssMb())} MB`,
  );
  await store.close();
}
