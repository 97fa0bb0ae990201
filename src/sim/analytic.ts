/**
 * Closed-form and ODE baselines (blaster.md §5): the random-constant-spread / SI logistic of
 * Staniford, Paxson and Weaver, and the block-structured local-preference model in the working form
 * of Zou, Towsley and Gong (each worm scans its own block with probability p, the whole space
 * otherwise).
 */
import { RpcsweepError } from '../core/errors.ts';

export const IPV4_SPACE = 4294967296;

/** K = η·N/Ω: the initial compromise rate per second of a uniformly scanning worm. */
export const rcsRatePerS = (scansPerS: number, vulnerable: number, space = IPV4_SPACE): number =>
  (scansPerS * vulnerable) / space;

/** Logistic I(t) = N / (1 + ((N − I0)/I0)·e^{−K t}). */
export const logisticInfected = (tS: number, vulnerable: number, initial: number, kPerS: number): number =>
  vulnerable / (1 + ((vulnerable - initial) / initial) * Math.exp(-kPerS * tS));

/** Time at which the logistic reaches `fraction` of N. */
export const logisticTimeTo = (
  fraction: number,
  vulnerable: number,
  initial: number,
  kPerS: number,
): number => {
  if (!(fraction > 0 && fraction < 1))
    throw new RpcsweepError('INVALID_ARGUMENT', 'fraction must be in (0, 1)');
  const target = fraction * vulnerable;
  return Math.log((target * (vulnerable - initial)) / (initial * (vulnerable - target))) / kPerS;
};

export interface LocalPreferenceModel {
  /** Vulnerable hosts per block. */
  blockHosts: readonly number[];
  /** Infected hosts per block at t = 0. */
  initialInfected: readonly number[];
  scansPerS: number;
  /** Probability that a probe stays in the scanner's own block. */
  localProbability: number;
  /** Addresses per block (65 536 for /16s) and in the whole space. */
  blockSize?: number;
  space?: number;
}

/**
 * dI_k/dt = η·[p·I_k/Ω_L + (1 − p)·I/Ω]·(N_k − I_k), integrated with classical RK4.
 * Returns total infected at t = 0, stepS, 2·stepS, … up to durationS.
 */
export const localPreferenceCurve = (m: LocalPreferenceModel, durationS: number, stepS: number): number[] => {
  const omegaL = m.blockSize ?? 65536;
  const omega = m.space ?? IPV4_SPACE;
  const p = m.localProbability;
  const nk = Float64Array.from(m.blockHosts);
  const k = nk.length;
  const deriv = (i: Float64Array, out: Float64Array) => {
    let total = 0;
    for (let j = 0; j < k; j++) total += i[j]!;
    const global = ((1 - p) * total) / omega;
    for (let j = 0; j < k; j++) out[j] = m.scansPerS * ((p * i[j]!) / omegaL + global) * (nk[j]! - i[j]!);
  };
  let y = Float64Array.from(m.initialInfected);
  const k1 = new Float64Array(k);
  const k2 = new Float64Array(k);
  const k3 = new Float64Array(k);
  const k4 = new Float64Array(k);
  const tmp = new Float64Array(k);
  const out: number[] = [y.reduce((s, v) => s + v, 0)];
  // Sub-steps keep RK4 accurate when growth inside a block is fast compared with the sampling step:
  // at most 5 % of the fastest per-host infection rate per sub-step.
  let total = 0;
  let largest = 0;
  for (let j = 0; j < k; j++) {
    total += nk[j]!;
    largest = Math.max(largest, nk[j]!);
  }
  const fastestRate = m.scansPerS * ((p * largest) / omegaL + ((1 - p) * total) / omega);
  const subSteps = Math.max(1, Math.ceil((stepS * fastestRate) / 0.05));
  const h = stepS / subSteps;
  for (let t = stepS; t <= durationS + 1e-9; t += stepS) {
    for (let s = 0; s < subSteps; s++) {
      deriv(y, k1);
      for (let j = 0; j < k; j++) tmp[j] = y[j]! + (h / 2) * k1[j]!;
      deriv(tmp, k2);
      for (let j = 0; j < k; j++) tmp[j] = y[j]! + (h / 2) * k2[j]!;
      deriv(tmp, k3);
      for (let j = 0; j < k; j++) tmp[j] = y[j]! + h * k3[j]!;
      deriv(tmp, k4);
      const next = new Float64Array(k);
      for (let j = 0; j < k; j++) next[j] = y[j]! + (h / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + k4[j]!);
      y = next;
    }
    out.push(y.reduce((s, v) => s + v, 0));
  }
  return out;
};
