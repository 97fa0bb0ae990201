/**
 * Stochastic baselines that validate the machinery against the analytic curves: a uniformly
 * random-scanning worm (random constant spread) and a local-preference worm over blocks. Both are
 * event-driven on probe *hits*: a worm's probes land on one of the N vulnerable addresses at rate
 * η·N/Ω, so only hits are simulated, never the empty probes between them.
 */
import { RpcsweepError } from '../core/errors.ts';
import { createRng } from '../core/random.ts';
import { IPV4_SPACE } from './analytic.ts';

export interface BaselineRun {
  /** Infected count at t = 0, stepS, 2·stepS, … */
  infected: number[];
  stepS: number;
  hits: number;
}

export interface LocalPreferenceSim {
  blockHosts: readonly number[];
  /** Initially infected hosts per block. */
  initialInfected: readonly number[];
  scansPerS: number;
  localProbability: number;
  blockSize?: number;
  space?: number;
  durationS: number;
  stepS: number;
  seed: number;
}

/** Fenwick tree of non-negative weights with weighted sampling. */
class WeightTree {
  readonly #tree: Float64Array;
  readonly #n: number;
  constructor(n: number) {
    this.#n = n;
    this.#tree = new Float64Array(n + 1);
  }
  add(i: number, delta: number): void {
    for (let j = i + 1; j <= this.#n; j += j & -j) this.#tree[j]! += delta;
  }
  total(): number {
    let s = 0;
    for (let j = this.#n; j > 0; j -= j & -j) s += this.#tree[j]!;
    return s;
  }
  /** Index i with prefix(i) <= x < prefix(i + 1). */
  find(x: number): number {
    let pos = 0;
    let step = 1;
    while (step * 2 <= this.#n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.#n && this.#tree[next]! <= x) {
        pos = next;
        x -= this.#tree[next]!;
      }
    }
    return Math.min(pos, this.#n - 1);
  }
}

/**
 * Local-preference worm over blocks (p = 0 is the uniformly random worm). Hosts are infected the
 * moment a probe hits them (the analytic models have no infection delay either).
 */
export const simulateLocalPreference = (o: LocalPreferenceSim): BaselineRun => {
  const k = o.blockHosts.length;
  const omegaL = o.blockSize ?? 65536;
  const omega = o.space ?? IPV4_SPACE;
  const p = o.localProbability;
  if (!(p >= 0 && p <= 1)) throw new RpcsweepError('SIM_BAD_INPUT', 'localProbability must be in [0, 1]');
  if (o.initialInfected.length !== k) throw new RpcsweepError('SIM_BAD_INPUT', 'one initial count per block');
  const start = new Int32Array(k + 1);
  for (let b = 0; b < k; b++) start[b + 1] = start[b]! + o.blockHosts[b]!;
  const total = start[k]!;
  const infected = new Uint8Array(total);
  const perBlock = new Float64Array(k);
  // Local hit weight of block b: I_b·N_b (its infected hosts probing its own N_b vulnerable addresses).
  const local = new WeightTree(k);
  let infectedTotal = 0;
  const blockOf = (host: number) => {
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (start[mid]! <= host) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const infect = (host: number, b: number) => {
    if (infected[host]) return;
    infected[host] = 1;
    perBlock[b]!++;
    infectedTotal++;
    local.add(b, o.blockHosts[b]!);
  };
  for (let b = 0; b < k; b++) for (let i = 0; i < o.initialInfected[b]!; i++) infect(start[b]! + i, b);
  const rng = createRng(o.seed);
  const out: number[] = [];
  let t = 0;
  let nextSample = 0;
  let hits = 0;
  const globalPerInfected = (o.scansPerS * (1 - p) * total) / omega;
  const localScale = (o.scansPerS * p) / omegaL;
  for (;;) {
    const rGlobal = infectedTotal * globalPerInfected;
    const rLocal = localScale * local.total();
    const rate = rGlobal + rLocal;
    const dt = rate > 0 ? -Math.log(1 - rng.next()) / rate : Number.POSITIVE_INFINITY;
    while (nextSample <= o.durationS && nextSample < t + dt) {
      out.push(infectedTotal);
      nextSample += o.stepS;
    }
    t += dt;
    if (t > o.durationS || infectedTotal === total) break;
    hits++;
    if (rng.next() * rate < rGlobal) {
      const host = rng.below(total);
      infect(host, blockOf(host));
    } else {
      const b = local.find(rng.next() * local.total());
      infect(start[b]! + rng.below(o.blockHosts[b]!), b);
    }
  }
  while (nextSample <= o.durationS) {
    out.push(infectedTotal);
    nextSample += o.stepS;
  }
  return { infected: out, stepS: o.stepS, hits };
};

/** Uniform random scanning (random constant spread): one block, p = 0. */
export const simulateRandomScan = (o: {
  vulnerable: number;
  initialInfected: number;
  scansPerS: number;
  space?: number;
  durationS: number;
  stepS: number;
  seed: number;
}): BaselineRun =>
  simulateLocalPreference({
    blockHosts: [o.vulnerable],
    initialInfected: [o.initialInfected],
    scansPerS: o.scansPerS,
    localProbability: 0,
    space: o.space ?? IPV4_SPACE,
    durationS: o.durationS,
    stepS: o.stepS,
    seed: o.seed,
  });

/** Time (s) at which a sampled curve first reaches `level`, linearly interpolated. */
export const curveTimeTo = (curve: readonly number[], stepS: number, level: number): number | undefined => {
  for (let i = 0; i < curve.length; i++)
    if (curve[i]! >= level) {
      if (i === 0) return 0;
      const a = curve[i - 1]!;
      return (i - 1 + (level - a) / (curve[i]! - a)) * stepS;
    }
  return undefined;
};
