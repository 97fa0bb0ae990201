/**
 * A scan spread over worker threads, zmap's sender threads in Node: this thread owns the plan, the
 * resume bookkeeping and the consumer; each worker runs the engine (scan-worker.ts) on the indices it
 * is handed, with its share of the in-flight cap and the rate. One event loop tops out at a few
 * thousand full verdicts or ~10,000 dead addresses a second on this kind of machine (Node's socket
 * layer, not the protocol, is most of the cost), so a second core nearly doubles either.
 *
 * Semantics match scanTargets: every index once, `onStart` when it is handed out, results in
 * completion order, and on abort the hosts in flight are dropped unreported (so resume redoes them).
 */
import { Worker } from 'node:worker_threads';
import { RpcsweepError } from '../core/errors.ts';
import type { HostProbeOptions } from '../probes/registry.ts';
import { DEFAULT_RETRY_POLICY } from './policy.ts';
import { type ScanEngineOptions, type ScanItem, scanOrder } from './scan.ts';
import type { FromWorker, ScanWorkerSettings, ToWorker } from './scan-worker.ts';
import { Wakeup } from './wakeup.ts';

/**
 * The engine's options, less what cannot cross a thread (transport, probe objects, injected clocks):
 * the probes are named by their options and built in each worker.
 */
export type ParallelScanOptions = Omit<
  ScanEngineOptions,
  'transport' | 'probes' | 'clock' | 'wallClock' | 'sleep' | 'indices'
> & {
  /** Worker threads, 2..16 (one thread: use scanTargets). */
  workers: number;
  /**
   * The module a worker starts from; it must call runScanWorker when it finds `workerData` with
   * `rpcsweepScanWorker` set (the CLI entry point does; so does the bundle, which is that module).
   */
  workerEntry: URL;
  probes: HostProbeOptions;
};

/** Indices handed to a worker per message. */
const HAND_OUT = 64;

interface WorkerSlot {
  worker: Worker;
  /** Indices handed out whose result has not come back. */
  outstanding: number;
  share: number;
  done: boolean;
}

export async function* scanTargetsInWorkers(options: ParallelScanOptions): AsyncGenerator<ScanItem> {
  const { workers: count, signal } = options;
  if (!(Number.isInteger(count) && count >= 2 && count <= 16)) {
    throw new RpcsweepError('INVALID_ARGUMENT', `workers must be an integer in 2..16, got ${count}`);
  }
  const shares = Array.from({ length: count }, (_, w) =>
    Math.max(1, Math.floor(options.concurrency / count) + (w < options.concurrency % count ? 1 : 0)),
  );
  const ready: ScanItem[] = [];
  const wakeup = new Wakeup();
  const notify = () => wakeup.notify();
  let failure: Error | undefined;
  const slots: WorkerSlot[] = shares.map((share) => {
    const settings: ScanWorkerSettings = {
      probes: options.probes,
      timeoutMs: options.timeoutMs,
      hostTimeoutMs: options.hostTimeoutMs,
      concurrency: share,
      ratePerSecond: options.ratePerSecond === undefined ? undefined : options.ratePerSecond / count,
      retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      seed: options.seed,
      port: options.port ?? 135,
      fallbackPort: options.fallbackPort,
      shareAssociation: options.shareAssociation !== false,
    };
    const worker = new Worker(options.workerEntry, { workerData: { rpcsweepScanWorker: settings } });
    const slot: WorkerSlot = { worker, outstanding: 0, share, done: false };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'results') {
        slot.outstanding -= m.items.length;
        for (const item of m.items) ready.push(item);
      } else if (m.type === 'backoff') {
        options.onLocalBackoff?.({ cap: m.cap, error: undefined });
      } else if (m.type === 'done') {
        slot.done = true;
      } else {
        slot.done = true;
        failure ??= new RpcsweepError('INTERNAL', `scan worker failed: ${m.message}`);
      }
      notify();
    });
    worker.on('error', (e) => {
      slot.done = true;
      failure ??= e instanceof Error ? e : new Error(String(e));
      notify();
    });
    worker.on('exit', () => {
      if (!slot.done) failure ??= new RpcsweepError('INTERNAL', 'a scan worker exited before finishing');
      slot.done = true;
      notify();
    });
    return slot;
  });
  const send = (slot: WorkerSlot, m: ToWorker) => slot.worker.postMessage(m);
  const onAbort = () => {
    for (const slot of slots) send(slot, { type: 'abort' });
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const indices = scanOrder(options.targets.total, options.resume);
  let exhausted = false;
  const skip = options.resume?.skipAddresses;
  const maxReady = Math.max(256, options.concurrency);

  /** Tops every worker up to its share (plus one hand-out in reserve so it never idles). */
  const handOut = (): void => {
    if (exhausted || signal?.aborted || ready.length >= maxReady) return;
    for (const slot of slots) {
      const items: Array<{ index: number; address: string; hostname?: string }> = [];
      while (slot.outstanding + items.length < slot.share + HAND_OUT && items.length < HAND_OUT * 4) {
        const next = indices.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const index = next.value;
        const entry = options.targets.entryAt(index);
        if (skip && skip.size > 0 && skip.has(entry.address)) {
          options.onSkip?.(index);
          continue;
        }
        options.onStart?.(index);
        items.push(
          entry.hostname === undefined
            ? { index, address: entry.address }
            : { index, address: entry.address, hostname: entry.hostname },
        );
      }
      if (items.length > 0) {
        slot.outstanding += items.length;
        send(slot, { type: 'scan', items });
      }
      if (exhausted) break;
    }
    if (exhausted) for (const slot of slots) send(slot, { type: 'end' });
  };

  try {
    handOut();
    for (;;) {
      while (ready.length > 0) {
        const batch = ready.splice(0, ready.length);
        for (const item of batch) yield item;
        handOut();
      }
      if (failure) throw failure;
      if (slots.every((s) => s.done)) break;
      handOut();
      if (ready.length > 0) continue;
      await wakeup.until(() => ready.length > 0 || failure !== undefined || slots.every((s) => s.done));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
