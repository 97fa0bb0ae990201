/**
 * Fuzzes the regf hive reader with mutated copies of hives written by hivex (and one with db big
 * data): bit flips, interesting bytes, offset/count overwrites, cell-size overwrites, splices and
 * truncation. Every mutant is opened and walked completely (every value decoded); the only
 * acceptable failure is a DecodeError with code IOC_HIVE_CORRUPT. Anything else is a crash.
 *
 *   npx tsx bench/fuzz-hive.ts [--count 100000] [--seed 1]
 *
 * A hang would show as a run that never ends (the reader has no unbounded loop) and as the slowest
 * single case, which is printed.
 */
import { DecodeError } from '../src/core/errors.ts';
import { createRng, type Rng } from '../src/core/random.ts';
import { openHive, valueText, walkHive } from '../src/ioc/hive/regf.ts';

export interface FuzzResult {
  cases: number;
  opened: number;
  walkedClean: number;
  corrupt: number;
  crashes: Array<{ case: number; error: string }>;
  slowestMs: number;
  /** The slowest case re-run alone, best of 5 (separates load noise from a slow input). */
  slowestReplayMs?: number;
  elapsedMs: number;
  byMutation: Record<string, number>;
}

const INTERESTING_U32 = [
  0, 1, 2, 4, 8, 0x20, 0x1000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fff8, 0x8000_0004,
];
const INTERESTING_U8 = [0, 1, 0x7f, 0x80, 0xff];

type Mutation = (b: Uint8Array, rng: Rng) => Uint8Array;

/** Offsets in the hive bins are more interesting than the zero padding of the base block. */
const pick = (b: Uint8Array, rng: Rng): number => {
  if (b.length === 0) return 0; // after an earlier truncation to nothing
  return b.length > 0x1000 && rng.below(4) !== 0
    ? 0x1000 + rng.below(b.length - 0x1000)
    : rng.below(b.length);
};
const pickAligned = (b: Uint8Array, rng: Rng, n: number): number =>
  Math.max(0, pick(b, rng) - (pick(b, rng) % n));

const MUTATIONS: Record<string, Mutation> = {
  bitflips: (b, rng) => {
    const n = 1 + rng.below(8);
    for (let i = 0; i < n; i++) b[pick(b, rng)]! ^= 1 << rng.below(8);
    return b;
  },
  bytes: (b, rng) => {
    const n = 1 + rng.below(4);
    for (let i = 0; i < n; i++) b[pick(b, rng)] = INTERESTING_U8[rng.below(INTERESTING_U8.length)]!;
    return b;
  },
  offsets: (b, rng) => {
    // Overwrite a 4-aligned dword (offsets, counts, sizes) with an interesting or in-file value.
    const at = pickAligned(b, rng, 4);
    if (at + 4 > b.length) return b;
    const v =
      rng.below(2) === 0
        ? INTERESTING_U32[rng.below(INTERESTING_U32.length)]!
        : (rng.below(b.length) & ~7) >>> 0;
    new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
    return b;
  },
  counts: (b, rng) => {
    const at = pickAligned(b, rng, 2);
    if (at + 2 > b.length) return b;
    new DataView(b.buffer, b.byteOffset).setUint16(
      at,
      [0, 1, 2, 0x7fff, 0xffff, rng.below(0x10000)][rng.below(6)]!,
      true,
    );
    return b;
  },
  cellSizes: (b, rng) => {
    const at = pickAligned(b, rng, 8);
    if (at + 4 > b.length) return b;
    new DataView(b.buffer, b.byteOffset).setInt32(
      at,
      [-8, -0x7fffffff, 8, 0, -rng.below(0x10000), rng.below(0x1000)][rng.below(6)]!,
      true,
    );
    return b;
  },
  splice: (b, rng) => {
    const len = 1 + rng.below(64);
    const from = pick(b, rng);
    const to = pick(b, rng);
    b.copyWithin(to, from, Math.min(b.length, from + len));
    return b;
  },
  truncate: (b, rng) => b.subarray(0, rng.below(b.length + 1)),
};
const NAMES = Object.keys(MUTATIONS);

/** One case: a mutated copy, opened and walked to the end. Returns what happened. */
export interface FuzzOutcome {
  mutation: string;
  opened: boolean;
  outcome: 'clean' | 'corrupt' | 'crash';
  error?: string;
}

/** A mutated copy of `seed` and the names of the mutations applied. */
export const mutateHive = (seed: Uint8Array, rng: Rng): { bytes: Uint8Array; mutation: string } => {
  let b: Uint8Array = seed.slice();
  const rounds = 1 + rng.below(3);
  const used: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const name = NAMES[rng.below(NAMES.length)]!;
    used.push(name);
    b = MUTATIONS[name]!(b, rng);
  }
  return { bytes: b, mutation: used.join('+') };
};

/** Opens and walks one (mutated) hive completely. */
export const checkHive = (b: Uint8Array, mutation = ''): FuzzOutcome => {
  let opened = false;
  const corruptOrCrash = (code: string) =>
    ({ mutation, opened, outcome: code === 'IOC_HIVE_CORRUPT' ? 'corrupt' : 'crash', error: code }) as const;
  try {
    const hive = openHive(b);
    if (!hive.ok) return corruptOrCrash(hive.error.code);
    opened = true;
    const walked = walkHive(hive.value, (_path, _key, values) => {
      for (const v of values) valueText(v);
    });
    if (!walked.ok) return corruptOrCrash(walked.error.code);
    // The lookup path used by the checker, too.
    hive.value.findKey('Microsoft\\Windows\\CurrentVersion\\Run');
    return { mutation, opened, outcome: 'clean' };
  } catch (e) {
    if (e instanceof DecodeError && e.code === 'IOC_HIVE_CORRUPT')
      return { mutation, opened, outcome: 'corrupt' };
    return { mutation, opened, outcome: 'crash', error: (e as Error)?.stack ?? String(e) };
  }
};

export const fuzzHives = (
  seeds: readonly Uint8Array[],
  count: number,
  seed: number,
  now: () => number,
): FuzzResult => {
  const rng = createRng(seed);
  const r: FuzzResult = {
    cases: 0,
    opened: 0,
    walkedClean: 0,
    corrupt: 0,
    crashes: [],
    slowestMs: 0,
    elapsedMs: 0,
    byMutation: {},
  };
  const start = now();
  let slowest: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const { bytes, mutation } = mutateHive(seeds[i % seeds.length]!, rng);
    const t0 = now();
    const one = checkHive(bytes, mutation);
    const dt = now() - t0;
    if (dt > r.slowestMs) {
      r.slowestMs = dt;
      slowest = bytes;
    }
    r.cases++;
    if (one.opened) r.opened++;
    for (const m of one.mutation.split('+')) r.byMutation[m] = (r.byMutation[m] ?? 0) + 1;
    if (one.outcome === 'clean') r.walkedClean++;
    else if (one.outcome === 'corrupt') r.corrupt++;
    else if (r.crashes.length < 20) r.crashes.push({ case: i, error: one.error ?? '' });
    else r.crashes.length++;
  }
  r.elapsedMs = now() - start;
  // The slowest case again, best of 5: a real hang repeats, a scheduler hiccup does not.
  if (slowest) {
    r.slowestReplayMs = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 5; k++) {
      const t0 = now();
      checkHive(slowest);
      r.slowestReplayMs = Math.min(r.slowestReplayMs, now() - t0);
    }
  }
  return r;
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const arg = (name: string, d: number): number => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : d;
  };
  const count = arg('--count', 100_000);
  const seed = arg('--seed', 1);
  // The seed hives come from hivex (see test/ioc/hivex.ts), made once here.
  const { seedHives } = await import('../test/ioc/fuzz-seeds.ts');
  const seeds = seedHives();
  const r = fuzzHives(seeds, count, seed, () => performance.now());
  console.log(
    JSON.stringify(
      {
        ...r,
        seedHives: seeds.map((s) => s.length),
        crashes: r.crashes.length,
        firstCrashes: r.crashes.slice(0, 3),
      },
      null,
      2,
    ),
  );
  process.exitCode = r.crashes.length === 0 ? 0 : 1;
}
