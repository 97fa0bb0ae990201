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

let lastWallMs = Number.NaN;
let lastWallIso = '';

/**
 * Wall-clock time for timestamps in reports (ISO 8601, millisecond resolution). Formatted once per
 * millisecond: a fast scan stamps several hosts in the same one.
 */
export const wallClockIso = (): string => {
  const ms = Date.now();
  if (ms !== lastWallMs) {
    lastWallMs = ms;
    lastWallIso = new Date(ms).toISOString();
  }
  return lastWallIso;
};
