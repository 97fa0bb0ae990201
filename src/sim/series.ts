/** Time series of a run, sampled on a fixed grid of the virtual clock, and their CSV/JSON forms. */

export interface Sample {
  /** Hours since the outbreak began. */
  tH: number;
  /** Hosts whose worm is installed (running, or down for a reboot). */
  infected: number;
  /** Hosts ever infected so far. */
  everInfected: number;
  /** Vulnerable hosts patched so far (by the patch process, cleanup or Welchia). */
  patched: number;
  /** Hosts taken over by the Welchia counter-worm. */
  welchia: number;
  /** Probes per second sent by all running Blaster processes. */
  scansPerS: number;
  /** Distinct infected hosts the telescope has seen (0 without a telescope). */
  telescopeSources: number;
  /**
   * Distinct source addresses an ideal sensor network has seen scanning so far: each infected host
   * once per address it had while infected (src/sim/sensor.ts); hosts ever infected without churn.
   */
  sensorSources: number;
}

export const SAMPLE_COLUMNS: ReadonlyArray<keyof Sample> = [
  'tH',
  'infected',
  'everInfected',
  'patched',
  'welchia',
  'scansPerS',
  'telescopeSources',
  'sensorSources',
];

export interface NamedSeries {
  /** Scenario label, e.g. `baseline` or `patch 10%/day`. */
  name: string;
  samples: Sample[];
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** Long format: one row per (scenario, time). */
export const seriesToCsv = (all: readonly NamedSeries[]): string => {
  const rows = [['scenario', ...SAMPLE_COLUMNS].join(',')];
  for (const s of all)
    for (const x of s.samples)
      rows.push(
        [csvField(s.name), ...SAMPLE_COLUMNS.map((c) => String(Math.round(x[c] * 1000) / 1000))].join(','),
      );
  return `${rows.join('\n')}\n`;
};

/** Time at which `value(sample)` first reaches `level`, linearly interpolated; undefined if never. */
export const timeToReach = (
  samples: readonly Sample[],
  level: number,
  value: (s: Sample) => number = (s) => s.everInfected,
): number | undefined => {
  for (let i = 0; i < samples.length; i++) {
    const v = value(samples[i]!);
    if (v >= level) {
      if (i === 0) return samples[0]!.tH;
      const p = samples[i - 1]!;
      const pv = value(p);
      return p.tH + ((level - pv) / (v - pv)) * (samples[i]!.tH - p.tH);
    }
  }
  return undefined;
};
