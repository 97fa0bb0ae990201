/**
 * An ideal sensor network: it sees every address an infected host scans from, from the moment the
 * host scans from it. Published outbreak rates came from sensors that count source addresses
 * (blaster.md §4.1 row 5: Network Associates' sensors, "≥ 1.2 M unique source IPs" and
 * "≈ 30 000 new infections an hour"); with address churn (DHCP leases, dial-up sessions) a host
 * that stays infected keeps appearing as new sources, so a sensor's peak of new sources comes later
 * and lasts longer than the peak of new infections. NAT is not folded in: each host is its own source.
 */
import type { Sample } from './series.ts';
import { addressPhase } from './telescope.ts';

/**
 * Fills `sensorSources` of each sample (samples every `sampleEveryS` from 0): per host, one source
 * when its worm first runs (`infectedAtS`) and one more at each address change until it stops being
 * infected (`endedAtS`: cleaned or taken by Welchia; Infinity, or an empty array for all hosts:
 * still infected at the end).
 */
export const fillSensorSources = (
  samples: Sample[],
  infectedAtS: Float64Array,
  endedAtS: Float64Array,
  addressChangesPerDay: number,
  sampleEveryS: number,
): void => {
  if (samples.length === 0) return;
  const rate = addressChangesPerDay / 86400;
  const lastS = samples[samples.length - 1]!.tH * 3600;
  // New sources per sample interval: a source at time x is in the first sample at or after x.
  const added = new Float64Array(samples.length);
  const count = (x: number) => {
    if (x <= lastS) added[Math.min(samples.length - 1, Math.ceil(x / sampleEveryS - 1e-9))]!++;
  };
  for (let h = 0; h < infectedAtS.length; h++) {
    const from = infectedAtS[h]!;
    if (Number.isNaN(from)) continue;
    count(from);
    if (rate <= 0) continue;
    const to = Math.min(endedAtS[h] ?? Number.POSITIVE_INFINITY, lastS);
    const phase = addressPhase(h);
    // Epoch k begins at (k − phase) / rate; the first change after `from` starts epoch ⌊from·rate + phase⌋ + 1.
    for (let k = Math.floor(from * rate + phase) + 1; (k - phase) / rate <= to; k++)
      count((k - phase) / rate);
  }
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    total += added[i]!;
    samples[i]!.sensorSources = total;
  }
};
