/**
 * The bounded result channel of the engines (scan, exposure): walks an order of indices, runs one
 * task per index on a TaskPool and yields the results in completion order. Memory stays bounded
 * whatever the order's length: an index is dispatched only while the pool has room and fewer than
 * max(64, concurrency) results wait for the consumer.
 *
 * Abort: dispatching stops, and a task whose error `onError` maps to undefined is dropped (not
 * yielded): the scan engine leaves such hosts in flight for resume to redo.
 */
import type { TaskPool } from '../net/index.ts';
import { Wakeup } from './wakeup.ts';

export interface ChannelOptions<T> {
  /** The indices to run, in order (an async iterable when another thread hands them out). */
  order: Iterable<number> | AsyncIterable<number>;
  pool: TaskPool;
  /** Tasks in flight at most (the pool's own cap may be lower after a local-resource back-off). */
  concurrency: number;
  run(index: number): Promise<T>;
  /** A task failed: the record to yield in its place, or undefined to drop it. */
  onError(index: number, error: unknown): T | undefined;
  /** True for an index that needs no task (resume: already in the output). */
  skip?(index: number): boolean;
  /** An index was dispatched. */
  onStart?(index: number): void;
  signal?: AbortSignal;
}

export interface ChannelItem<T> {
  index: number;
  result: T;
}

/**
 * Tasks dispatched between two turns of the event loop, by every channel of this thread together:
 * several engines in one process (exposure's, a benchmark's) must not start hundreds of hosts in
 * one macrotask between them, which held the loop for 180 ms of CPU (docs/benchmarks.md § hostile).
 */
const YIELD_EVERY = 64;
const turn = { dispatched: 0, resetScheduled: false };
const nextTurn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** Resolves in the first turn of the event loop with budget left. */
const turnWithBudget = async (): Promise<void> => {
  while (turn.dispatched >= YIELD_EVERY) await nextTurn();
};

/** Counts one dispatch against this turn's budget. */
const spendTurnBudget = (): void => {
  if (!turn.resetScheduled) {
    turn.resetScheduled = true;
    setImmediate(() => {
      turn.dispatched = 0;
      turn.resetScheduled = false;
    });
  }
  turn.dispatched++;
};

export async function* boundedResults<T>(o: ChannelOptions<T>): AsyncGenerator<ChannelItem<T>> {
  const { pool, signal } = o;
  const ready: ChannelItem<T>[] = [];
  const wakeup = new Wakeup();
  const notify = () => wakeup.notify();
  const maxReady = Math.max(64, o.concurrency);
  let feederDone = false;
  let feederError: unknown;
  /** Tasks dispatched whose result (or drop) has not reached `ready` yet. */
  let unsettled = 0;
  let consumerWake: (() => void) | undefined;
  const wakeFeeder = () => {
    const w = consumerWake;
    consumerWake = undefined;
    w?.();
  };

  const dispatch = (index: number): void => {
    o.onStart?.(index);
    unsettled++;
    pool.runWith(
      () => o.run(index),
      (result) => {
        ready.push({ index, result });
        unsettled--;
        notify();
      },
      (e) => {
        const result = o.onError(index, e);
        if (result !== undefined) ready.push({ index, result });
        unsettled--;
        notify();
      },
    );
  };

  /** Dispatches one index; false once the run was aborted. */
  const offer = async (index: number): Promise<boolean> => {
    if (signal?.aborted) return false;
    if (o.skip?.(index)) return true;
    // Backpressure: only as many tasks as the pool runs, and a bounded queue of unread results.
    await pool.onSizeBelow(o.concurrency + 1);
    while (ready.length >= maxReady && !signal?.aborted) {
      await new Promise<void>((r) => {
        consumerWake = r;
      });
    }
    // Let I/O run between bursts: thousands of connects started in one tick would leave their RSTs
    // and SYN-ACKs unread until the connect timers had already fired.
    if (turn.dispatched >= YIELD_EVERY) await turnWithBudget();
    if (signal?.aborted) return false;
    spendTurnBudget();
    dispatch(index);
    return true;
  };
  const feed = async (): Promise<void> => {
    if (Symbol.asyncIterator in o.order) {
      for await (const index of o.order) if (!(await offer(index))) break;
    } else {
      for (const index of o.order) if (!(await offer(index))) break;
    }
  };

  const feeding = feed()
    .catch((e) => {
      feederError = e;
    })
    .finally(() => {
      feederDone = true;
      notify();
    });
  const onAbort = () => {
    wakeFeeder();
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      while (ready.length > 0) {
        const item = ready.shift()!;
        if (ready.length < maxReady) wakeFeeder();
        yield item;
      }
      if (feederDone && unsettled === 0 && ready.length === 0) break;
      await wakeup.until(() => ready.length > 0 || (feederDone && unsettled === 0));
    }
    await feeding;
    if (feederError) throw feederError;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
