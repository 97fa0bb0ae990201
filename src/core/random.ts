/**
 * The only source of randomness in rpcsweep. Seeded, fast, reproducible (sfc32 seeded through
 * splitmix32). Nothing else may call Math.random: a scan, a lab and a simulation must replay
 * exactly from their seed.
 */
export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextU32(): number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n) for 0 < n <= 2^32, without modulo bias. */
  below(n: number): number;
  /** Independent generator derived from this one (for sub-streams). */
  fork(): Rng;
}

const splitmix32 = (seed: number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
};

export const createRng = (seed: number | bigint): Rng => {
  const s =
    typeof seed === 'bigint' ? Number(BigInt.asUintN(32, seed) ^ BigInt.asUintN(32, seed >> 32n)) : seed;
  const sm = splitmix32(s);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const rng: Rng = {
    nextU32,
    next: () => nextU32() / 4294967296,
    below: (n: number) => {
      if (!(n > 0 && n <= 4294967296)) throw new RangeError(`below(${n}): n must be in (0, 2^32]`);
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = nextU32();
        if (x < limit) return x % n;
      }
    },
    fork: () => createRng(nextU32() ^ Math.imul(nextU32(), 0x27d4eb2d)),
  };
  return rng;
};

/** A fresh random seed from the platform CSPRNG, for runs where the user gave none. */
export const randomSeed = (): number => crypto.getRandomValues(new Uint32Array(1))[0]!;
