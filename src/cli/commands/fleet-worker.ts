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
import { nodeTransport } from '../../net/index.ts';
import { hostProbesFor } from '../../probes/registry.ts';
import { PostgresStore, type ScanRow } from '../../store/index.ts';
import {
  type AddressSet,
  buildTargetSet,
  createTargetPlan,
  parseTargetArgs,
  type TargetPlan,
} from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import {
  type ChunkJob,
  type ChunkOutput,
  chunksOf,
  ensureQueue,
  openQueue,
  pendingOf,
} from './fleet-queue.ts';
import { storedAdvice } from './scan-db.ts';
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
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        r();
      },
      { once: true },
    );
  });

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

export const runWorker = async (o: WorkerOptions, io: CliIo): Promise<void> => {
  const worker = `${hostname()}:${process.pid}`;
  const allowed = inSet(await parseAllow(o.allow));
  const store = await PostgresStore.open(o.db);
  const boss = await openQueue(o.db, { maintenanceIntervalSeconds: o.maintenanceS }).catch(async (e) => {
    await store.close();
    throw e;
  });
  const queue = await ensureQueue(boss, o.site);
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
  io.stderr.write(`rpcsweep: fleet worker ${worker} on site ${o.site}\n`);
  try {
    while (!io.signal.aborted) {
      const [job] = await boss.fetch<ChunkJob>(queue, { batchSize: 1 });
      if (!job) {
        if (o.exitWhenIdle && (await pendingOf(boss, o.site)) === 0) break;
        await sleep(o.pollMs, io.signal);
        continue;
      }
      const { plan, scan } = await planOf(job.data.scanId);
      const outside = firstDisallowed(plan, job.data, allowed);
      if (outside !== undefined) {
        const error = `worker ${worker} refused chunk ${job.data.from}-${job.data.to} of scan ${scan.id}: ${outside} is outside its --allow ranges`;
        io.stderr.write(`rpcsweep: ${error}\n`);
        await boss.fail(queue, job.id, { error, worker });
        continue;
      }
      const chunk = `chunk ${job.data.from}-${job.data.to} of scan ${scan.id}`;
      io.stderr.write(`rpcsweep: ${worker}: ${chunk}\n`);
      const t0 = performance.now();
      const counts = await scanChunk(job.data, plan, scan, store, o, io);
      if (counts === undefined) {
        // Stopped mid-chunk: hand it back now rather than waiting for the lease to expire.
        await boss.fail(queue, job.id, { error: `worker ${worker} stopped mid-chunk`, worker });
        break;
      }
      const output: ChunkOutput = { worker, counts, elapsedMs: Math.round(performance.now() - t0) };
      await boss.complete(queue, job.id, output);
      io.stderr.write(`rpcsweep: ${worker}: ${chunk} done\n`);
      await finishIfDone(boss, store, scan);
    }
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await store.close();
  }
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
    if (result.verdict !== 'unreachable' || scan.keepUnreachable) rows.push(storedAdvice(result));
  }
  if (io.signal.aborted) return undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      for (let i = 0; i < rows.length; i += 1000) await store.writeResults(scan.id, rows.slice(i, i + 1000));
      break;
    } catch (e) {
      if (attempt === 0) io.stderr.write(`rpcsweep: ${(e as Error).message}; retrying\n`);
      await sleep(Math.min(5000, 200 * 2 ** attempt), io.signal);
      if (io.signal.aborted) return undefined;
    }
  }
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
