/**
 * Calibration runs for docs/simulation.md: the Blaster scenario (N vulnerable public hosts, one
 * infected host at t = 0) for a list of transfer-success probabilities, with the figures that
 * blaster.md §4 reports. Run: npx tsx bench/sim-calibrate.ts <hosts> <hours> <p1,p2,...> [patchPerDay] [cleanupPerDay]
 */
import { createRng } from '../src/core/random.ts';
import { runBlaster } from '../src/sim/blaster-model.ts';
import { syntheticPopulation } from '../src/sim/population.ts';
import { timeToReach } from '../src/sim/series.ts';

const [hostsArg = '500000', hoursArg = '168', pArg = '0.15', patchArg = '0', cleanupArg = '0'] =
  process.argv.slice(2);
const hosts = Number(hostsArg);
const hours = Number(hoursArg);
const pop = syntheticPopulation({ vulnerable: hosts, density: 'uniform' }, createRng(1));
for (const p of pArg.split(',').map(Number)) {
  const r = runBlaster(
    pop,
    {
      durationH: hours,
      seed: 2003,
      initialInfected: 1,
      successProbability: p,
      sampleEveryS: 600,
      telescope: { address: 44 << 24, bits: 8 },
    },
    { patchPerDay: Number(patchArg), cleanupPerDay: Number(cleanupArg) },
  );
  const at = (h: number) => r.samples.find((s) => s.tH >= h)?.everInfected;
  let peakRate = 0;
  let peakH = 0;
  for (let i = 6; i < r.samples.length; i++) {
    const perH = r.samples[i]!.everInfected - r.samples[i - 6]!.everInfected; // 6 × 10 min
    if (perH > peakRate) {
      peakRate = perH;
      peakH = r.samples[i]!.tH;
    }
  }
  const peakInfected = Math.max(...r.samples.map((s) => s.infected));
  const peakInfectedH = r.samples.find((s) => s.infected === peakInfected)!.tH;
  const endInfected = r.samples[r.samples.length - 1]!.infected;
  console.log(
    JSON.stringify({
      p,
      patchPerDay: Number(patchArg),
      cleanupPerDay: Number(cleanupArg),
      infected24h: at(24),
      infected36h: at(36),
      halfH: timeToReach(r.samples, hosts / 2)?.toFixed(1),
      peakNewPerH: peakRate,
      peakNewAtH: peakH.toFixed(1),
      peakInfected,
      peakInfectedH: peakInfectedH.toFixed(1),
      endInfected,
      declineFromPeak: (1 - endInfected / peakInfected).toFixed(2),
      telescope168hSources: r.telescope?.uniqueSources,
      telescopeHotspotRatio: r.telescope?.hotspotRatio.toFixed(2),
    }),
  );
}
