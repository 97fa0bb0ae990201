/**
 * The simulated run against the published Blaster figures (../shared/docs/blaster.md §4.1): one row
 * per figure the model can express, `figure` being the row number of that table, and the chart
 * markers for them. Time 0 is the outbreak's start on Aug 11 2003 (taken as 00:00 UTC).
 */
import type { Sample } from './series.ts';
import { newInfectionsPerHour, ratePerHour } from './spread-chart.ts';
import type { ChartMarker } from './svg.ts';

export interface ValidationRow {
  /** Row number in blaster.md §4.1. */
  figure: number;
  observation: string;
  /** The published value (a lower bound when `bound` is 'at least'). */
  published: number;
  bound: 'about' | 'at least';
  /** The range the sources allow, when there is one. */
  low?: number;
  high?: number;
  /** null when the run cannot express it (too short, no telescope). */
  simulated: number | null;
  /** simulated / published; null with `simulated`. */
  ratio: number | null;
  /** How the model's value is read off the run. */
  measure: string;
}

const WEEK_H = 168;

/** Linear interpolation of `value` at `tH`; undefined when the run ends before. */
const at = (samples: readonly Sample[], tH: number, value: (s: Sample) => number): number | undefined => {
  const last = samples[samples.length - 1];
  if (!last || last.tH < tH - 1e-9) return undefined;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.tH >= tH) return value(a) + ((value(b) - value(a)) * (tH - a.tH)) / (b.tH - a.tH || 1);
  }
  return value(samples[0]!);
};

/**
 * What rows 3 and 5 (the peak rate and its date) are read from: new infections per hour (the
 * model's own count), or new source addresses per hour at an ideal sensor network (what sensors
 * count, src/sim/sensor.ts; equal to new infections without address churn).
 */
export type RateMeasure = 'infections' | 'sources';
export const RATE_MEASURES: readonly RateMeasure[] = ['infections', 'sources'];

/** Time and height of the highest rate per hour, over the whole run. */
const peakRate = (
  samples: readonly Sample[],
  measure: RateMeasure,
): { tH: number; perH: number } | undefined => {
  let best: { tH: number; perH: number } | undefined;
  const rates =
    measure === 'sources' ? ratePerHour(samples, (s) => s.sensorSources) : newInfectionsPerHour(samples);
  for (const [tH, perH] of rates) if (!best || perH > best.perH) best = { tH, perH };
  return best;
};

/** Share of the peak number of infected hosts that is gone one week after the start. */
const declineByWeek = (samples: readonly Sample[]): number | undefined => {
  const end = at(samples, WEEK_H, (s) => s.infected);
  if (end === undefined) return undefined;
  const peak = samples.filter((s) => s.tH <= WEEK_H).reduce((m, s) => Math.max(m, s.infected), 0);
  return peak > 0 ? 1 - end / peak : undefined;
};

const row = (
  spec: Omit<ValidationRow, 'simulated' | 'ratio'>,
  simulated: number | undefined,
): ValidationRow => ({
  ...spec,
  simulated: simulated ?? null,
  ratio: simulated === undefined ? null : simulated / spec.published,
});

/**
 * Rows 1, 2, 3, 4, 5, 7, 8 and 9 of §4.1. Not expressible: 6 (home-sector share: the model has
 * no sectors), 10-12 (months to years later), 13-16 (categories, ICMP load).
 * `hasTelescope` says whether `telescopeSources` in the samples is meaningful (row 4: a /8);
 * `rateMeasure` what rows 3 and 5 count.
 */
export const validate = (
  samples: readonly Sample[],
  hasTelescope: boolean,
  rateMeasure: RateMeasure = 'infections',
): ValidationRow[] => {
  const peak = peakRate(samples, rateMeasure);
  const perHour =
    rateMeasure === 'sources' ? 'new source addresses per hour at a sensor' : 'new infections per hour';
  const last = samples[samples.length - 1];
  return [
    row(
      {
        figure: 1,
        observation: 'infected by the end of day 1',
        published: 57_000,
        bound: 'about',
        measure: 'ever infected at 24 h',
      },
      at(samples, 24, (s) => s.everInfected),
    ),
    row(
      {
        figure: 2,
        observation: 'infected in the first 36 h',
        published: 120_000,
        bound: 'at least',
        measure: 'ever infected at 36 h',
      },
      at(samples, 36, (s) => s.everInfected),
    ),
    row(
      {
        figure: 3,
        observation: 'peak infection rate on Aug 13',
        published: 60,
        bound: 'about',
        low: 48,
        high: 72,
        measure: `hour of the highest ${perHour} (Aug 13 = 48-72 h)`,
      },
      peak?.tH,
    ),
    row(
      {
        figure: 4,
        observation: 'unique infected hosts seen by an unused /8 in the first week',
        published: 250_000,
        bound: 'at least',
        measure: 'telescope unique sources at 168 h',
      },
      hasTelescope ? at(samples, WEEK_H, (s) => s.telescopeSources) : undefined,
    ),
    row(
      {
        figure: 5,
        observation: 'new infections per hour at the peak',
        published: 30_000,
        bound: 'about',
        measure: `highest ${perHour}`,
      },
      peak?.perH,
    ),
    row(
      {
        figure: 7,
        observation: 'infected, estimate at the time',
        published: 500_000,
        bound: 'about',
        measure: 'ever infected at the end of the run',
      },
      last?.everInfected,
    ),
    row(
      {
        figure: 8,
        observation: 'decline after the peak by ~Aug 17-19',
        published: 0.8,
        bound: 'at least',
        measure: '1 - infected at 168 h / peak infected',
      },
      declineByWeek(samples),
    ),
    row(
      {
        figure: 9,
        observation: 'lower bound (IMS)',
        published: 100_000,
        bound: 'at least',
        measure: 'ever infected at the end of the run',
      },
      last?.everInfected,
    ),
  ];
};

/**
 * Markers for the chart: rows 1 and 2 on the infected panel (before cleanup starts, infected =
 * ever infected), the peak rate at Aug 13 on the per-hour panel. Rows 7 and 9 count hosts ever
 * infected, which the chart does not plot, so they have no marker.
 */
export const validationMarkers = (
  rows: readonly ValidationRow[],
  endH: number,
): { infected: ChartMarker[]; perHour: ChartMarker[] } => {
  const get = (n: number) => rows.find((r) => r.figure === n);
  const label = (r: ValidationRow) =>
    `§4.1 #${r.figure}: ${r.observation}: ${r.bound === 'at least' ? '>' : '≈'} ${r.published.toLocaleString('en-US')}`;
  const infected: ChartMarker[] = [];
  const perHour: ChartMarker[] = [];
  for (const [n, x] of [
    [1, 24],
    [2, 36],
  ] as const) {
    const r = get(n);
    if (r && x <= endH) infected.push({ label: label(r), x, y: r.published });
  }
  const r5 = get(5);
  const r3 = get(3);
  if (r5 && r3 && r3.high! <= endH)
    perHour.push({ label: `${label(r5)}; ${r3.observation}`, x: r3.published, y: r5.published });
  return { infected, perHour };
};
