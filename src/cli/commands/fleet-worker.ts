/**
 * `rpcsweep fleet worker`: takes its site's chunks, scans each with the ordinary engine, stores the
 * results, then completes the job. It never completes a chunk whose results are not stored (a
 * failing write is retried until it succeeds or the worker is stopped, which hands the chunk back).
 * Safety: it scans only inside its --allow ranges (none by default) and refuses other chunks with an
 * error `fleet status` shows; the job's rate and timeout are capped by the worker's own limits.
 */
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import { wallClockIso } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { emptyCounts, type HostResult, type Verdict } from '../../core/result.ts';
import { scanTargets } from '../../engine/scan.ts';
import { nodeTransport, realSleep } from '../../net/index.ts';
import { hostProbesFor } from '../../probes/registry.ts';
import { describePgError, maskUrl, PostgresStore, type ScanRow } from '../../store/index.ts';
import {
  type AddressSet,
  buildTargetSet,
  createTargetPlan,
  parseTargetArgs,
  type TargetPlan,
} from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import type { Notes } from '../verbosity.ts';
import {
  type ChunkJob,
  type ChunkOutput,
  chunksOf,
  ensureQueue,
  openQueue,
  pendingOf,
} from './fleet-queue.ts';
import { batchSizeFor, type StoredAdvice, storedAdviceOf, writeInBatches } from './scan-db.ts';
import { inSet, scopeSet } from './store-scope.ts';

export interface WorkerOptions {
  db: string;
  site: string;
  allow: string[];
  concurrency: number;
  maxRate?: number;
  maxTimeoutMs: number;
  exitWhenIdle: boolean;
  pollMs: number;
  maintenanceS: number;
  /** How long a failing database operation is retried before the worker gives up (exit 3). */
  dbRetryMs: number;
  /** -q drops the start and per-chunk lines; -v adds each chunk's counts. Refusals and retries always print. */
  notes: Notes;
}

/**
 * Runs a database operation until it succeeds, retrying with back-off for up to --db-retry-ms; then
 * the worker stops with one STORE_WRITE line (its leased chunk expires and is redone elsewhere).
 * Undefined when the worker is stopped meanwhile. Finished results stay in memory while it retries.
 */
const withDbRetry = async <T>(
  what: string,
  fn: () => Promise<T>,
  o: WorkerOptions,
  io: CliIo,
): Promise<{ value: T } | undefined> => {
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return { value: await fn() };
    } catch (e) {
      // A store error that is not about reaching the database (a scan that does not exist) is final.
      if (e instanceof RpcsweepError && e.code !== 'STORE_WRITE' && e.code !== 'STORE_OPEN') throw e;
      const why =
        e instanceof RpcsweepError
          ? e.message
          : `database ${maskUrl(o.db)}: ${what} failed: ${describePgError(e)}`;
      if (performance.now() - t0 >= o.dbRetryMs)
        throw new RpcsweepError('STORE_WRITE', `${why} (gave up after ${o.dbRetryMs / 1000} s)`, {
          cause: e,
        });
      if (attempt === 0) io.stderr.write(`rpcsweep: ${why}; retrying for up to ${o.dbRetryMs / 1000} s\n`);
      await realSleep(Math.min(5000, 200 * 2 ** attempt), io.signal);
      if (io.signal.aborted) return undefined;
    }
  }
};

export const parseAllow = async (values: readonly string[]): Promise<AddressSet> => {
  const specs = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (specs.length === 0) return await scopeSet([]);
  return (await buildTargetSet({ targets: parseTargetArgs(specs, '--allow'), defaultBlocklist: false })).set;
};

/** The first address of the chunk outside the allowed set, if any. */
const firstDisallowed = (
  plan: TargetPlan,
  job: ChunkJob,
  allowed: (a: string) => boolean,
): string | undefined => {
  for (let i = job.from; i < job.to; i++) {
    const a = plan.addressAt(i).address;
    if (!allowed(a)) return a;
  }
  return undefined;
};

interface WorkerContext {
  o: WorkerOptions;
  io: CliIo;
  worker: string;
  queue: string;
  boss: PgBoss;
  store: PostgresStore;
  allowed: (a: string) => boolean;
  planOf: (scanId: number) => Promise<{ scan: ScanRow; plan: TargetPlan }>;
  db: <T>(what: string, fn: () => Promise<T>) => Promise<{ value: T } | undefined>;
}

export const runWorker = async (o: WorkerOptions, io: CliIo): Promise<void> => {
  const worker = `${hostname()}:${process.pid}`;
  const allowed = inSet(await parseAllow(o.allow));
  const store = await PostgresStore.open(o.db);
  const boss = await openQueue(o.db, { maintenanceIntervalSeconds: o.maintenanceS }).catch(async (e) => {
    await store.close();
    throw e;
  });
  const plans = new Map<number, { scan: ScanRow; plan: TargetPlan }>();
  const planOf = async (scanId: number) => {
    let p = plans.get(scanId);
    if (!p) {
      const scan = await store.getScan(scanId);
      if (!scan) throw new RpcsweepError('STORE_NOT_FOUND', `no scan ${scanId} in ${store.name}`);
      p = { scan, plan: createTargetPlan({ set: await scopeSet(scan.scope), seed: scan.seed }) };
      plans.set(scanId, p);
    }
    return p;
  };
  const db = <T>(what: string, fn: () => Promise<T>) => withDbRetry(what, fn, o, io);
  try {
    const queue = await ensureQueue(boss, o.site);
    const ctx: WorkerContext = { o, io, worker, queue, boss, store, allowed, planOf, db };
    o.notes.note(`rpcsweep: fleet worker ${worker} on site ${o.site}\n`);
    while (!io.signal.aborted) {
      const fetched = await db('fetching a chunk', () => boss.fetch<ChunkJob>(queue, { batchSize: 1 }));
      if (!fetched) break;
      const job = fetched.value[0];
      if (job) {
        if (!(await runJob(job, ctx))) break;
        continue;
      }
      if (o.exitWhenIdle && (await db('counting chunks', () => pendingOf(boss, o.site)))?.value === 0) break;
      await realSleep(o.pollMs, io.signal);
    }
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await store.close();
  }
};

/** Refuses, or scans, stores and completes one leased chunk; false when the worker must stop. */
const runJob = async (job: PgBoss.Job<ChunkJob>, ctx: WorkerContext): Promise<boolean> => {
  const { o, io, worker, queue, boss, store, db } = ctx;
  const planned = await db('reading the scan', () => ctx.planOf(job.data.scanId));
  if (!planned) return false;
  const { plan, scan } = planned.value;
  const outside = firstDisallowed(plan, job.data, ctx.allowed);
  if (outside !== undefined) {
    const error = `worker ${worker} refused chunk ${job.data.from}-${job.data.to} of scan ${scan.id}: ${outside} is outside its --allow ranges`;
    io.stderr.write(`rpcsweep: ${error}\n`);
    return (await db('refusing a chunk', () => boss.fail(queue, job.id, { error, worker }))) !== undefined;
  }
  const chunk = `chunk ${job.data.from}-${job.data.to} of scan ${scan.id}`;
  o.notes.note(`rpcsweep: ${worker}: ${chunk}\n`);
  const t0 = performance.now();
  const counts = await scanChunk(job.data, plan, scan, store, o, io);
  if (counts === undefined) {
    // Stopped mid-chunk: hand it back now rather than waiting for the lease to expire.
    await boss.fail(queue, job.id, { error: `worker ${worker} stopped mid-chunk`, worker }).catch(() => {});
    return false;
  }
  const output: ChunkOutput = { worker, counts, elapsedMs: Math.round(performance.now() - t0) };
  // pg-boss 10 returns {affected} from complete() though its types say void.
  const completed = await db(
    'completing a chunk',
    async () => (await boss.complete(queue, job.id, output)) as unknown as { affected: number },
  );
  if (!completed) return false;
  // A lease that ran out first (a long outage) put the job back in the queue: it is redone, and the
  // redo replaces these stored, keyed results.
  const note =
    completed.value.affected === 1 ? 'done' : 'stored, but its lease had expired: it will be redone';
  o.notes.note(`rpcsweep: ${worker}: ${chunk} ${note}\n`);
  o.notes.detail(
    `rpcsweep: ${worker}: ${chunk}: ${Object.entries(counts)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ')} in ${(output.elapsedMs / 1000).toFixed(1)} s\n`,
  );
  return (await db('finishing the scan', () => finishIfDone(boss, store, scan))) !== undefined;
};

/** Scans one chunk and stores its results; undefined when the worker was stopped first. */
const scanChunk = async (
  job: ChunkJob,
  plan: TargetPlan,
  scan: ScanRow,
  store: PostgresStore,
  o: WorkerOptions,
  io: CliIo,
): Promise<Partial<Record<Verdict, number>> | undefined> => {
  const counts = emptyCounts();
  const rows: HostResult[] = [];
  const advice: StoredAdvice[] = [];
  const ratePerSecond = [job.ratePerSecond, o.maxRate].filter((x): x is number => x !== undefined);
  for await (const { result } of scanTargets({
    targets: { total: job.to - job.from, entryAt: (i) => plan.addressAt(job.from + i) },
    transport: nodeTransport,
    probes: hostProbesFor({ dcomVersion: true }),
    timeoutMs: Math.min(job.timeoutMs, o.maxTimeoutMs),
    concurrency: o.concurrency,
    ratePerSecond: ratePerSecond.length > 0 ? Math.min(...ratePerSecond) : undefined,
    retryPolicy: {
      retries: job.retries,
      maxLocalAttempts: 1000,
      localBackoffBaseMs: 25,
      localBackoffMaxMs: 2000,
    },
    seed: scan.seed,
    port: job.port,
    shareAssociation: true,
    signal: io.signal,
  })) {
    counts[result.verdict]++;
    if (result.verdict !== 'unreachable' || scan.keepUnreachable) {
      rows.push(result);
      advice.push(storedAdviceOf(result));
    }
  }
  if (io.signal.aborted) return undefined;
  const stored = await withDbRetry(
    `writing ${rows.length} result(s)`,
    () => writeInBatches(store, scan.id, rows, advice, batchSizeFor(store.kind)),
    o,
    io,
  );
  if (!stored) return undefined;
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
};

/** The last chunk's worker marks the scan finished with the summed counts (idempotent). */
const finishIfDone = async (boss: PgBoss, store: PostgresStore, scan: ScanRow) => {
  const chunks = await chunksOf(boss, scan.id);
  if (chunks.some((c) => c.state !== 'completed')) return;
  const counts = emptyCounts();
  for (const c of chunks)
    for (const [v, n] of Object.entries(c.output?.counts ?? {})) counts[v as Verdict] += n ?? 0;
  await store.finishScan(scan.id, wallClockIso(), counts);
};
