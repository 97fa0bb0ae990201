/**
 * Bounded concurrency with backpressure (p-queue's onSizeLessThan) and an adaptive back-off for
 * local resource exhaustion. EMFILE, EADDRNOTAVAIL and friends say nothing about the target
 * (lab.md §6): the pool halves its in-flight cap for a while (AIMD), puts the task back at the
 * front of the queue and retries it, so no target is dropped or misreported because of this machine.
 */
import { type Clock, systemClock } from '../core/clock.ts';
import { RpcsweepError } from '../core/errors.ts';
import { isLocalResourceError } from './errors.ts';
import { realSleep } from './limiter.ts';

export interface TaskPoolOptions {
  /** Most tasks running at once; range [1, 100000]. Keep well below the fd limit (20,000 here). */
  maxInFlight: number;
  /** How long a lowered cap holds before it grows back, in ms. @default 1000 */
  localBackoffMs?: number;
  /** Local-resource retries per task before its error is surfaced to the caller. @default 50 */
  maxLocalRetries?: number;
  clock?: Clock;
  /** Injected for tests. @default real timers */
  sleep?: (ms: number) => Promise<void>;
  /** Called whenever the cap is lowered (for the CLI to say so: no hidden policy). */
  onLocalBackoff?: (info: { cap: number; error: unknown }) => void;
}

interface Listener {
  below: number;
  resolve: () => void;
}

interface Entry {
  task: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  localRetries: number;
}

export class TaskPool {
  readonly maxInFlight: number;
  readonly #localBackoffMs: number;
  readonly #maxLocalRetries: number;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onLocalBackoff: TaskPoolOptions['onLocalBackoff'];
  #cap: number;
  #capLoweredUntil = Number.NEGATIVE_INFINITY;
  #queue: Entry[] = [];
  #inFlight = 0;
  /** Tasks waiting out a local-resource back-off before re-entering the queue. */
  #retrying = 0;
  #listeners: Listener[] = [];
  /** How many times a task hit a local-resource error and was put back. */
  localRetries = 0;

  constructor(options: TaskPoolOptions) {
    const { maxInFlight } = options;
    if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1 && maxInFlight <= 100_000)) {
      throw new RpcsweepError(
        'INVALID_ARGUMENT',
        `maxInFlight must be an integer in [1, 100000], got ${maxInFlight}`,
      );
    }
    this.maxInFlight = maxInFlight;
    this.#cap = maxInFlight;
    this.#localBackoffMs = options.localBackoffMs ?? 1000;
    this.#maxLocalRetries = options.maxLocalRetries ?? 50;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? ((ms) => realSleep(ms));
    this.#onLocalBackoff = options.onLocalBackoff;
  }

  /** Tasks running now. */
  get inFlight(): number {
    return this.#inFlight;
  }
  /** Tasks queued or waiting to retry. */
  get pending(): number {
    return this.#queue.length + this.#retrying;
  }
  /** Everything not yet finished. */
  get size(): number {
    return this.#inFlight + this.pending;
  }
  /** The in-flight cap in force now (lower than maxInFlight during a local back-off). */
  get cap(): number {
    return this.#cap;
  }

  /** Runs `task` when a slot is free; settles with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ task, resolve: resolve as (v: unknown) => void, reject, localRetries: 0 });
      this.#pump();
    });
  }

  /**
   * Like run, with callbacks instead of a returned promise: a scan dispatches thousands of tasks a
   * second and each promise it does not create is one object less for the collector.
   */
  runWith<T>(task: () => Promise<T>, resolve: (v: T) => void, reject: (e: unknown) => void): void {
    this.#queue.push({ task, resolve: resolve as (v: unknown) => void, reject, localRetries: 0 });
    this.#pump();
  }

  /** Resolves once fewer than `n` tasks are unfinished: feed the pool without queueing everything. */
  onSizeBelow(n: number): Promise<void> {
    if (this.size < n) return Promise.resolve();
    return new Promise((resolve) => this.#listeners.push({ below: n, resolve }));
  }

  /** Resolves when nothing is running, queued or retrying. */
  onIdle(): Promise<void> {
    return this.onSizeBelow(1);
  }

  #pump(): void {
    while (this.#inFlight < this.#cap && this.#queue.length > 0) {
      const entry = this.#queue.shift()!;
      this.#start(entry);
    }
  }

  #start(entry: Entry): void {
    this.#inFlight++;
    let p: Promise<unknown>;
    try {
      p = entry.task();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (v) => {
        this.#inFlight--;
        this.#maybeGrow();
        entry.resolve(v);
        this.#after();
      },
      (e) => {
        const runningWhenFailed = this.#inFlight;
        this.#inFlight--;
        if (isLocalResourceError(e) && entry.localRetries < this.#maxLocalRetries) {
          this.#backOff(runningWhenFailed, e);
          this.#retryLater(entry);
        } else {
          entry.reject(e);
        }
        this.#after();
      },
    );
  }

  #backOff(runningWhenFailed: number, error: unknown): void {
    const lowered = Math.max(1, Math.min(this.#cap, Math.floor(runningWhenFailed / 2)));
    this.#capLoweredUntil = this.#clock.now() + this.#localBackoffMs;
    if (lowered < this.#cap || this.#cap === 1) {
      this.#cap = lowered;
      this.#onLocalBackoff?.({ cap: lowered, error });
    }
  }

  #retryLater(entry: Entry): void {
    entry.localRetries++;
    this.localRetries++;
    this.#retrying++;
    const delayMs = Math.min(this.#localBackoffMs, 10 * 2 ** Math.min(entry.localRetries, 10));
    this.#sleep(delayMs).then(() => {
      this.#retrying--;
      // Front of the queue: the retried target keeps its place in the scan order.
      this.#queue.unshift(entry);
      this.#pump();
    });
  }

  /** Additive increase once the back-off period has passed. */
  #maybeGrow(): void {
    if (this.#cap >= this.maxInFlight || this.#clock.now() < this.#capLoweredUntil) return;
    this.#cap = Math.min(this.maxInFlight, this.#cap + Math.max(1, Math.ceil(this.maxInFlight / 16)));
  }

  #after(): void {
    this.#pump();
    const size = this.size;
    if (this.#listeners.length === 0) return;
    const keep: Listener[] = [];
    for (const l of this.#listeners) {
      if (size < l.below) l.resolve();
      else keep.push(l);
    }
    this.#listeners = keep;
  }
}
