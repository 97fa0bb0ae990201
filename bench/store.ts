/**
 * Results-store benchmarks (issue #13): ingest rate, bytes per stored host, and `diff` of two large
 * scans (time and peak memory), in SQLite and PostgreSQL. PostgreSQL is a throwaway cluster of this
 * run (test/support/postgres.ts) unless RPCSWEEP_BENCH_PG_URL names one.
 *
 *   node scripts/bench.mjs store ingest [--hosts 200000] [--store sqlite|postgres] [--order address|scan|both]
 *                                       [--writer here|thread|both]
 *                                          order both (the default): in address order, then in a seeded
 *                                          shuffle as a scan writes them (its plan is a permutation);
 *                                          writer both (the default): SQLite writes on the calling
 *                                          thread, then on a writer thread as `scan --db` does
 *   node scripts/bench.mjs store diff [--hosts 1000000] [--store sqlite|postgres] [--order scan|address]
 *                                          fills two scans (in scan order by default: shuffled, the
 *                                          same permutation both times), then diffs each store in a
 *                                          fresh child process
 * Results are realistic HostResult records (two probe evidence records, OS hints). The ingest rate
 * counts what `scan --db` does per result (the advice, asked once, the stored advice, row encoding,
 * the writes); building the HostResult records is the scan's work and is timed apart. RPCSWEEP_BENCH_PG_URL names a server
 * (its `postgres` database): each run creates a fresh database there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adviceFor } from '../src/advice/index.ts';
import { diffStored } from '../src/cli/commands/diff.ts';
import { batchSizeFor, DbSink, type StoredAdvice, storedAdviceOf } from '../src/cli/commands/scan-db.ts';
import { inertIo } from '../src/cli/io.ts';
import { createRng } from '../src/core/random.ts';
import type { HostResult, Verdict } from '../src/core/result.ts';
import { openStore, type ResultStore } from '../src/store/index.ts';
import { startPostgres } from '../test/support/postgres.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const [mode = 'ingest'] = process.argv.slice(2);

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

/** CPU microseconds (user + system) of this process since `c0`. */
const cpuSince = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};

/** Where result i's address comes from: address order, or a seeded shuffle as a scan's plan writes them. */
const addressOrder = (n: number, order: string): ((i: number) => number) => {
  if (order !== 'scan') return (i) => i;
  const rng = createRng(16);
  const perm = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return (i) => perm[i]!;
};

/**
 * Writes `n` results as `scan --db` does, in the sink's batches (DbSink: batchSizeFor the store); `verdictOf`
 * picks each verdict, `at` each address. Per result, as the scan loop does: the advice is asked
 * (`adviceFor`; in a scan the report writer asks first and the store reads it back, so it is paid
 * once) and the sink queues the result with its stored advice (`storedAdviceOf`); per batch,
 * `writeResults`. Building the records (the scan's work) is timed apart. Returns results per second
 * of advice + queueing + writes (the store path with the advice counted once, as the earlier
 * figures counted it), of the writes alone and with record building, and CPU microseconds per result.
 */
const fill = async (
  store: ResultStore,
  n: number,
  verdictOf: (i: number) => Verdict,
  at: (i: number) => number = (i) => i,
) => {
  const id = await store.createScan(newScan(n, `bench-${Math.random()}`));
  const wall = { queue: 0, write: 0 };
  const cpu = { queue: 0, write: 0 };
  const time = async (part: keyof typeof wall, fn: () => unknown) => {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    wall[part] += performance.now() - t;
    cpu[part] += cpuSince(c);
  };
  const t0 = performance.now();
  const batch = batchSizeFor(store.kind);
  for (let i = 0; i < n; i += batch) {
    const built: HostResult[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) built.push(result(at(j), verdictOf(j)));
    const queued: HostResult[] = [];
    const advice: StoredAdvice[] = [];
    await time('queue', () => {
      for (const r of built) {
        adviceFor(r);
        queued.push(r);
        advice.push(storedAdviceOf(r));
      }
    });
    await time('write', () => store.writeResults(id, queued, advice));
  }
  await store.finishScan(id, new Date().toISOString(), {});
  return {
    store: n / ((wall.queue + wall.write) / 1000),
    writeOnly: n / (wall.write / 1000),
    withBuilding: n / ((performance.now() - t0) / 1000),
    cpuUsPerResult: { queue: cpu.queue / n, write: cpu.write / n },
  };
};

/**
 * What `scan --db` does, through its own DbSink: every result handed to `sink.write` (which asks the
 * advice and queues; batches are written by the sink's background writer, here or on its writer
 * thread), the event loop let in every 1,000 results as a scan's sockets would, then `finish`. The
 * records are built before the clock starts, so the rate is what the store path alone absorbs
 * (CPU: this process, every thread).
 */
const sinkFill = async (db: string, n: number, at: (i: number) => number, thread: URL | undefined) => {
  const built = Array.from({ length: n }, (_, i) => result(at(i), VERDICT_MIX[i % VERDICT_MIX.length]!));
  const io = { ...inertIo(), stderr: process.stderr, workerEntry: thread };
  const sink = await DbSink.open(db, io, { keepUnreachable: false, advice: true });
  await sink.begin(newScan(n, `bench-${Math.random()}`));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    sink.write(built[i]!);
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  await sink.finish({} as Record<Verdict, number>);
  const s = (performance.now() - t0) / 1000;
  const cpuUs = cpuSince(c0);
  await sink.close();
  const check = await openStore(db);
  const stored = Object.values(await check.countStored(1)).reduce((a, b) => a + b, 0);
  await check.close();
  if (stored !== n) throw new Error(`DbSink stored ${stored} of ${n} results`);
  return { rate: n / s, cpuUsPerResult: cpuUs / n };
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
  const orders = arg('--order', 'both') === 'both' ? ['address', 'scan'] : [arg('--order', 'both')];
  const cli = process.env.RPCSWEEP_BENCH_CLI;
  const writerArg = arg('--writer', cli ? 'both' : 'here');
  const writers = writerArg === 'both' ? ['here', 'thread'] : [writerArg];
  if (writers.includes('thread') && !cli)
    throw new Error('--writer thread needs the bundled CLI: run through scripts/bench.mjs');
  for (const [order, writer] of orders.flatMap((o) => writers.map((w) => [o, w] as const))) {
    await withStores(async (name, db) => {
      if (name !== 'SQLite' && writer === 'thread') return;
      const thread = writer === 'thread' ? pathToFileURL(resolve(cli!)) : undefined;
      const store = await openStore(db, { sqliteWriterThread: thread });
      const c0 = process.cpuUsage();
      const rate = await fill(store, n, (i) => VERDICT_MIX[i % VERDICT_MIX.length]!, addressOrder(n, order));
      const cpuS = cpuSince(c0) / 1e6;
      const bytes = await storeBytes(db, store);
      const u = rate.cpuUsPerResult;
      console.log(
        `${name}, ${order} order${name === 'SQLite' ? `, writes ${writer === 'thread' ? 'on a writer thread' : 'on the calling thread'}` : ''}: batch by batch (writeResults awaited): ${n} results at ${Math.round(rate.store)}/s wall (advice + queueing + writeResults; writeResults alone ${Math.round(rate.writeOnly)}/s; ${Math.round(rate.withBuilding)}/s counting record building, ${Math.round(n / cpuS)}/s per CPU second of this process); CPU per result ${(u.queue + u.write).toFixed(2)} µs: advice and queueing ${u.queue.toFixed(2)}, writeResults ${u.write.toFixed(2)}; ${Math.round(bytes / n)} bytes per stored host`,
      );
      const sunk = await sinkFill(`${db}-sink`, n, addressOrder(n, order), thread);
      console.log(
        `${name}, ${order} order${name === 'SQLite' ? `, writes ${writer === 'thread' ? 'on a writer thread' : 'on the calling thread'}` : ''}: through DbSink as scan --db: ${Math.round(sunk.rate)}/s wall, ${sunk.cpuUsPerResult.toFixed(2)} µs CPU per result (all threads)`,
      );
    });
  }
} else if (mode === 'diff') {
  const n = Number(arg('--hosts', '1000000'));
  await withStores(async (name, db) => {
    const store = await openStore(db);
    const t0 = performance.now();
    // Written as scans write (their plans' shuffled order) unless --order address.
    const order = arg('--order', 'scan');
    await fill(store, n, (i) => VERDICT_MIX[i % VERDICT_MIX.length]!, addressOrder(n, order));
    // 1 % of the hosts change verdict in the second scan.
    await fill(
      store,
      n,
      (i) => (i % 100 === 7 ? 'unpatched' : VERDICT_MIX[i % VERDICT_MIX.length]!),
      addressOrder(n, order),
    );
    await store.close();
    const fillS = (performance.now() - t0) / 1000;
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'diff-only', db], {
      encoding: 'utf8',
    });
    console.log(
      `${name}: filled 2 × ${n} in ${order} order in ${fillS.toFixed(1)} s; ${r.stdout.trim()}${r.stderr}`,
    );
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
