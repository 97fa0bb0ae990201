/** Monotonic time, injectable so that rate and timeout logic can be tested without sleeping. */
export interface Clock {
  /** Milliseconds from an arbitrary origin; never goes backwards. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start = 0) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a monotonic clock cannot go back');
    this.#t += ms;
  }
}

/** Wall-clock time for timestamps in reports (ISO 8601). */
export const wallClockIso = (): string => new Date().toISOString();
