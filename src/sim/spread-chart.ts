/**
 * The simulator's chart: hosts infected over time (with the published figures as markers when given)
 * and, below it, new infections per hour, one curve per scenario.
 */
import type { NamedSeries, Sample } from './series.ts';
import { type ChartMarker, type ChartSeries, renderChart } from './svg.ts';

/** Growth per hour of a cumulative column between consecutive samples, at the end of each interval. */
export const ratePerHour = (
  samples: readonly Sample[],
  value: (s: Sample) => number,
): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = b.tH - a.tH;
    if (dt > 0) out.push([b.tH, (value(b) - value(a)) / dt]);
  }
  return out;
};

/** New infections per hour between consecutive samples, at the end of each interval. */
export const newInfectionsPerHour = (samples: readonly Sample[]): Array<readonly [number, number]> =>
  ratePerHour(samples, (s) => s.everInfected);

/** A scenario's curve; with several runs (`--runs`) its 5th/95th percentiles give the bands. */
export interface ChartScenario extends NamedSeries {
  p5?: readonly Sample[];
  p95?: readonly Sample[];
  perHourBand?: ReadonlyArray<readonly [number, number, number]>;
}

/**
 * @param withSources also draw, per scenario, new source addresses per hour at an ideal sensor
 *   (what rows 3 and 5 are read from with the `sources` rate measure).
 */
export const renderSpreadChart = (
  description: string,
  scenarios: readonly ChartScenario[],
  markers: readonly ChartMarker[] = [],
  perHourMarkers: readonly ChartMarker[] = [],
  withSources = false,
): string => {
  const infected: ChartSeries[] = scenarios.map((s) => ({
    name: s.name,
    points: s.samples.map((x) => [x.tH, x.infected] as const),
    ...(s.p5 &&
      s.p95 && { band: s.samples.map((x, i) => [x.tH, s.p5![i]!.infected, s.p95![i]!.infected] as const) }),
  }));
  const perHour: ChartSeries[] = scenarios.map((s) => ({
    name: s.name,
    points: newInfectionsPerHour(s.samples),
    ...(s.perHourBand && { band: s.perHourBand }),
  }));
  if (withSources)
    for (const s of scenarios)
      perHour.push({
        name: `${s.name}: new source addresses (sensor)`,
        points: ratePerHour(s.samples, (x) => x.sensorSources),
      });
  return renderChart({
    title: `Blaster spread: ${description}`,
    xLabel: 'hours since the outbreak began',
    panels: [
      { yLabel: 'infected hosts', series: infected, markers },
      {
        yLabel: withSources ? 'new infections / sources per hour' : 'new infections per hour',
        series: perHour,
        markers: perHourMarkers,
        heightPx: 180,
      },
    ],
  });
};
