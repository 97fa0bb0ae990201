/**
 * Token bucket for new connections per second, driven by elapsed monotonic time (masscan's
 * main-throttle.c idea). Tokens accrue with elapsed time but never beyond `burst`, so a laptop that
 * slept for an hour resumes at the configured rate instead of flooding the network to "catch up".
 */

import type { Clock } from '../core/clock.ts';
import { RpcsweepError } from '../core/errors.ts';
import { onAbort } from './abort.ts';

export interface RateLimiterOptions {
  /** New connections (or datagrams) per second; range (0, 1e6]. */
  ratePerSecond: number;
  /** Most tokens that may accumulate; range [1, 1e6]. @default max(1, ceil(ratePerSecond / 10)) (100 ms worth) */
  burst?: number;
  clock: Clock;
}

export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(options: RateLimiterOptions) {
    const { ratePerSecond } = options;
    if (!(ratePerSecond > 0 && ratePerSecond <= 1e6)) {
      throw new RpcsweepError(
        'INVALID_ARGUMENT',
        `ratePerSecond must be in (0, 1000000], got ${ratePerSecond}`,
      );
    }
    const burst = options.burst ?? Math.max(1, Math.ceil(ratePerSecond / 10));
    if (!(Number.isInteger(burst) && burst >= 1 && burst <= 1e6)) {
      throw new RpcsweepError('INVALID_ARGUMENT', `burst must be an integer in [1, 1000000], got ${burst}`);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#clock = options.clock;
    // Start with one token, not a full bucket: the first second is not a burst either.
    this.#tokens = 1;
    this.#last = options.clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsedMs = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs * this.ratePerSecond) / 1000);
  }

  /** Tokens available now (fractional). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes a token if one is available. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token will be available (0 when one is). */
  msUntilNext(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.ratePerSecond;
  }

  /**
   * Waits for a token and takes it. `sleep` is injected so tests drive it with a ManualClock;
   * the default uses real timers.
   */
  async take(signal?: AbortSignal, sleep: (ms: number, signal?: AbortSignal) => Promise<void> = realSleep) {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new RpcsweepError('INVALID_ARGUMENT', 'aborted');
      if (this.tryTake()) return;
      await sleep(Math.max(1, Math.ceil(this.msUntilNext())), signal);
    }
  }
}

/** A timer-backed sleep that an AbortSignal ends early (resolving; the caller re-checks the signal). */
export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(() => {
      unregisterAbort();
      resolve();
    }, ms);
    const unregisterAbort = onAbort(signal, () => {
      clearTimeout(timer);
      resolve();
    });
  });
