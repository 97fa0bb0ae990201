/**
 * The MSVC C runtime `rand()` that Blaster.A calls after `srand(GetTickCount())` (blaster.md §2.5):
 * state = state·214013 + 2531011 mod 2^32, output = bits 16..30 (15 bits). This is the modelled
 * worm's own generator, not model randomness (that comes from core/random.ts).
 */
export const MSVC_RAND_MAX = 0x7fff;

export interface MsvcRand {
  /** The next `rand()` output in [0, 32767]. */
  next(): number;
  /** The internal 32-bit state (for tests and for resuming a sequence). */
  readonly state: number;
}

export const msvcRand = (seed: number): MsvcRand => {
  let state = seed >>> 0;
  return {
    next: () => {
      state = (Math.imul(state, 214013) + 2531011) >>> 0;
      return (state >>> 16) & MSVC_RAND_MAX;
    },
    get state() {
      return state;
    },
  };
};
