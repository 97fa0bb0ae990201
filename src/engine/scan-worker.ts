/**
 * The worker-thread side of a parallel scan (parallel.ts): an ordinary scanTargets over real sockets
 * whose indices arrive by message from the thread that owns the plan, and whose results go back in
 * batches. The host logic is the engine's own, so a host gets the same probes and verdict whichever
 * thread scans it.
 */
import type { MessagePort } from 'node:worker_threads';
import type { HostResult } from '../core/result.ts';
import { nodeTransport } from '../net/index.ts';
import { type HostProbeOptions, hostProbesFor } from '../probes/registry.ts';
import { type ScanEngineOptions, scanTargets } from './scan.ts';

/**
 * What a worker needs to run its share: plain data only (it is copied across threads). The engine
 * options as they are, but `concurrency` and `ratePerSecond` are this worker's share, and the probes
 * are the switches the worker selects from the registry.
 */
export type ScanWorkerSettings = Pick<
  ScanEngineOptions,
  'timeoutMs' | 'hostTimeoutMs' | 'concurrency' | 'ratePerSecond' | 'retryPolicy' | 'seed' | 'fallbackPort'
> & { probes: HostProbeOptions; port: number; shareAssociation: boolean };

export type ToWorker =
  | { type: 'scan'; items: Array<{ index: number; address: string; hostname?: string }> }
  /** No more indices: finish the ones in hand. */
  | { type: 'end' }
  /** Stop: drop the hosts in flight (they stay unfinished for resume). */
  | { type: 'abort' };

export type FromWorker =
  | { type: 'results'; items: Array<{ index: number; result: HostResult }> }
  | { type: 'backoff'; cap: number }
  | { type: 'done' }
  | { type: 'failed'; message: string; code?: string };

/** Indices as an async iterable fed by messages. */
class IndexQueue implements AsyncIterable<number> {
  readonly #items: number[] = [];
  #head = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  push(index: number): void {
    this.#items.push(index);
    this.#notify();
  }
  end(): void {
    this.#ended = true;
    this.#notify();
  }
  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    for (;;) {
      if (this.#head < this.#items.length) {
        const index = this.#items[this.#head++]!;
        // Drop the consumed prefix now and then so the array does not grow with the scan.
        if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
          this.#items.splice(0, this.#head);
          this.#head = 0;
        }
        yield index;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}

/** Runs one worker's share until the parent ends or aborts it. */
export const runScanWorker = async (port: MessagePort, settings: ScanWorkerSettings): Promise<void> => {
  const entries = new Map<number, { address: string; hostname?: string }>();
  const queue = new IndexQueue();
  const controller = new AbortController();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'scan') {
      for (const item of m.items) {
        entries.set(item.index, item.hostname === undefined ? { address: item.address } : item);
        queue.push(item.index);
      }
    } else if (m.type === 'end') {
      queue.end();
    } else {
      controller.abort();
      queue.end();
    }
  });
  const post = (m: FromWorker) => port.postMessage(m);
  // Results leave in batches: one message per turn of the event loop, not one per host.
  let batch: Array<{ index: number; result: HostResult }> = [];
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (batch.length === 0) return;
    post({ type: 'results', items: batch });
    batch = [];
  };
  try {
    for await (const item of scanTargets({
      targets: {
        total: Number.MAX_SAFE_INTEGER,
        entryAt: (index) => entries.get(index) ?? { address: '' },
      },
      indices: queue,
      transport: nodeTransport,
      probes: hostProbesFor(settings.probes),
      timeoutMs: settings.timeoutMs,
      hostTimeoutMs: settings.hostTimeoutMs,
      concurrency: settings.concurrency,
      ratePerSecond: settings.ratePerSecond,
      retryPolicy: settings.retryPolicy,
      seed: settings.seed,
      port: settings.port,
      fallbackPort: settings.fallbackPort,
      shareAssociation: settings.shareAssociation,
      signal: controller.signal,
      onLocalBackoff: ({ cap }) => post({ type: 'backoff', cap }),
    })) {
      entries.delete(item.index);
      batch.push(item);
      if (batch.length >= 256) flush();
      else if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
    }
    flush();
    post({ type: 'done' });
  } catch (e) {
    flush();
    const err = e as { message?: string; code?: string };
    post({ type: 'failed', message: err?.message ?? String(e), code: err?.code });
  }
};
