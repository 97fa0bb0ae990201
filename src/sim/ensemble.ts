/**
 * `--runs N`: the same scenario run with seeds seed, seed + 1, …, seed + N − 1, summarised per
 * series point and per validation figure as the median and a 90 % band (5th to 95th percentile,
 * linear interpolation between order statistics; the mean is kept beside them). One run is its own
 * band.
 */
import { type NamedSeries, SAMPLE_COLUMNS, type Sample } from './series.ts';
import { newInfectionsPerHour } from './spread-chart.ts';
import type { ValidationRow } from './validation.ts';

/** What one seeded run contributes: its scenarios' series and the validation of the compared one. */
export interface EnsembleMember {
  scenarios: readonly NamedSeries[];
  validation: readonly ValidationRow[];
}

export interface Spread {
  median: number;
  mean: number;
  p5: number;
  p95: number;
}

export interface EnsembleSeries extends NamedSeries {
  /** `samples` holds the median of each column; these the 5th and 95th percentiles. */
  p5: Sample[];
  p95: Sample[];
  /** New infections per hour: [tH, p5, p95] (the central curve is that of `samples`). */
  perHourBand: Array<readonly [number, number, number]>;
}

export interface EnsembleRow extends ValidationRow {
  /** Over the runs that could express the figure; `simulated`/`ratio` above are the medians. */
  spread: { runs: number; simulated: Spread; ratio: Spread } | null;
}

export interface Ensemble {
  seeds: number[];
  scenarios: EnsembleSeries[];
  validation: EnsembleRow[];
}

/** The q-quantile of ascending values, linearly interpolated (R type 7). */
export const quantile = (sorted: readonly number[], q: number): number => {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  return lo + 1 < sorted.length ? a + (sorted[lo + 1]! - a) * (h - lo) : a;
};

export const spreadOf = (values: readonly number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    p5: quantile(sorted, 0.05),
    p95: quantile(sorted, 0.95),
  };
};

/** Median, p5 and p95 samples of one scenario across runs (all runs share the sampling grid). */
const summariseSeries = (name: string, runs: readonly Sample[][]): EnsembleSeries => {
  const length = runs[0]!.length;
  if (runs.some((r) => r.length !== length)) throw new Error(`runs of ${name} differ in length`);
  const median: Sample[] = [];
  const p5: Sample[] = [];
  const p95: Sample[] = [];
  for (let i = 0; i < length; i++) {
    const m = { ...runs[0]![i]! };
    const lo = { ...m };
    const hi = { ...m };
    for (const c of SAMPLE_COLUMNS) {
      const s = spreadOf(runs.map((r) => r[i]![c]));
      m[c] = s.median;
      lo[c] = s.p5;
      hi[c] = s.p95;
    }
    median.push(m);
    p5.push(lo);
    p95.push(hi);
  }
  const rates = runs.map((r) => newInfectionsPerHour(r));
  const perHourBand = rates[0]!.map(([tH], i) => {
    const s = spreadOf(rates.map((r) => r[i]![1]));
    return [tH, s.p5, s.p95] as const;
  });
  return { name, samples: median, p5, p95, perHourBand };
};

const summariseRow = (rows: readonly ValidationRow[]): EnsembleRow => {
  const expressed = rows.filter((r) => r.simulated !== null);
  const first = rows[0]!;
  if (expressed.length === 0) return { ...first, simulated: null, ratio: null, spread: null };
  const simulated = spreadOf(expressed.map((r) => r.simulated!));
  const ratio = spreadOf(expressed.map((r) => r.ratio!));
  return {
    ...first,
    simulated: simulated.median,
    ratio: simulated.median / first.published,
    spread: { runs: expressed.length, simulated, ratio },
  };
};

export const summariseRuns = (seeds: readonly number[], members: readonly EnsembleMember[]): Ensemble => {
  if (members.length === 0 || members.length !== seeds.length) throw new Error('one member per seed');
  const first = members[0]!;
  return {
    seeds: [...seeds],
    scenarios: first.scenarios.map((s, k) =>
      summariseSeries(
        s.name,
        members.map((m) => m.scenarios[k]!.samples),
      ),
    ),
    validation: first.validation.map((_, k) => summariseRow(members.map((m) => m.validation[k]!))),
  };
};

/** Seeds of N runs from a base seed (wrapping within the 32-bit seed range). */
export const ensembleSeeds = (seed: number, runs: number): number[] =>
  Array.from({ length: runs }, (_, i) => (seed + i) % 4294967296);
