/**
 * A seeded bijection over [0, n) for n up to 2^32, in O(1) memory and O(1) expected time per index.
 *
 * Construction (format-preserving-encryption style, like masscan's BlackRock in spirit; our own
 * rounds): a keyed block cipher over k-bit words, 2^(k-1) < n <= 2^k, built only from operations
 * that are bijective on k bits — add a key mod 2^k, multiply by an odd key mod 2^k, xor-shift right —
 * then cycle-walking: re-encrypt until the value falls below n. Because the k-bit cipher is a
 * permutation and 2^k < 2n, cycle-walking is a bijection on [0, n) that needs fewer than two rounds
 * on average. Unlike zmap's cyclic group, any index maps directly to its element, so shards and
 * resume positions are plain arithmetic on indices.
 */
import { createRng } from '../core/random.ts';

export const MAX_PERMUTATION_SIZE = 2 ** 32;

export type TargetOrder = 'random' | 'sequential';

export interface Permutation {
  /** n: the permutation maps [0, n) onto [0, n). */
  readonly size: number;
  /** The element at position `index` (0 <= index < size). */
  at(index: number): number;
}

const ROUNDS = 4;

/** A seeded permutation of [0, size); `sequential` is the identity (for lab runs and debugging). */
export const createPermutation = (size: number, seed: number, order: TargetOrder = 'random'): Permutation => {
  if (!Number.isInteger(size) || size < 0 || size > MAX_PERMUTATION_SIZE) {
    throw new RangeError(`permutation size ${size} is outside [0, 2^32]`);
  }
  if (order === 'sequential' || size <= 2) {
    // For n <= 2 a random order is a coin flip; identity keeps the code path trivial.
    return { size, at: (index) => index };
  }
  let bits = 1;
  while (2 ** bits < size) bits++;
  const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
  const shift = Math.max(1, bits >>> 1);
  const rng = createRng(seed);
  const addKeys = new Uint32Array(ROUNDS);
  const mulKeys = new Uint32Array(ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    addKeys[r] = rng.nextU32() & mask;
    mulKeys[r] = (rng.nextU32() | 1) & mask;
  }
  // Unrolled rounds: this function is the hot path of a /8 plan.
  const a0 = addKeys[0]!;
  const a1 = addKeys[1]!;
  const a2 = addKeys[2]!;
  const a3 = addKeys[3]!;
  const m0 = mulKeys[0]!;
  const m1 = mulKeys[1]!;
  const m2 = mulKeys[2]!;
  const m3 = mulKeys[3]!;
  const encrypt = (x: number): number => {
    x = (Math.imul((x + a0) & mask, m0) & mask) >>> 0;
    x = (x ^ (x >>> shift)) >>> 0;
    x = (Math.imul((x + a1) & mask, m1) & mask) >>> 0;
    x = (x ^ (x >>> shift)) >>> 0;
    x = (Math.imul((x + a2) & mask, m2) & mask) >>> 0;
    x = (x ^ (x >>> shift)) >>> 0;
    x = (Math.imul((x + a3) & mask, m3) & mask) >>> 0;
    return (x ^ (x >>> shift)) >>> 0;
  };
  return {
    size,
    at: (index) => {
      let x = encrypt(index);
      while (x >= size) x = encrypt(x);
      return x;
    },
  };
};
