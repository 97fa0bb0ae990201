/**
 * Benchmark of issue #6: 1,000,000 vulnerable hosts spread uniformly over the IPv4 space, 72 hours
 * of Blaster spread from one infected host. Targets on the 2-core machine: ≤ 10 s and ≤ 1 GB (issue
 * #6), then ≤ 5 s and ≤ 400 MB with the same results per seed (issue #17; docs/benchmarks.md).
 * Run: npx tsx bench/sim-blaster.ts [hosts] [hours] [--telescope]
 * Prints wall and CPU time (the machine is shared, CPU time is the steadier figure) and peak RSS.
 */
import { createRng } from '../src/core/random.ts';
import { runBlaster } from '../src/sim/blaster-model.ts';
import { syntheticPopulation } from '../src/sim/population.ts';
import { timeToReach } from '../src/sim/series.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const hosts = Number(args[0] ?? 1_000_000);
const hours = Number(args[1] ?? 72);
const withTelescope = process.argv.includes('--telescope');

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wall0 = performance.now();
const cpu0 = cpu();
const pop = syntheticPopulation({ vulnerable: hosts, density: 'uniform' }, createRng(1));
const popWall = performance.now() - wall0;
const popCpu = cpu() - cpu0;
const run0 = performance.now();
const runCpu0 = cpu();
const r = runBlaster(pop, {
  durationH: hours,
  seed: 2003,
  initialInfected: 1,
  ...(withTelescope ? { telescope: { address: 44 << 24, bits: 8 as const } } : {}),
});
const runWall = performance.now() - run0;
const runCpu = cpu() - runCpu0;
const last = r.samples[r.samples.length - 1]!;
const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
console.log(
  JSON.stringify(
    {
      hosts,
      hours,
      telescope: withTelescope,
      population: { wall: ms(popWall), cpu: ms(popCpu) },
      run: { wall: ms(runWall), cpu: ms(runCpu), events: r.stats.events },
      total: { wall: ms(popWall + runWall), cpu: ms(popCpu + runCpu) },
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      everInfected: last.everInfected,
      halfInfectedH: timeToReach(r.samples, hosts / 2)?.toFixed(2),
      probes: r.stats.probes,
      telescopeSources: r.telescope?.uniqueSources,
      node: process.version,
    },
    null,
    1,
  ),
);
