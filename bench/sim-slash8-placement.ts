/**
 * How much a darknet /8's Blaster count depends on where it sits (blaster.md §4.1 row 4 caveat:
 * "darknet counts depend on where the darknet sits relative to the start-point hotspots").
 * A worm restarted from the Run key seeds from GetTickCount() 20–60 s after boot (2 561 tick values
 * of 15.625 ms): its random-mode start, and so the /8s it sweeps first, is a function of the tick.
 * For each /8 this counts the boot-window ticks whose random start lies in that /8 or close enough
 * below it to sweep into it within `days` (11.1 probes/s), i.e. how many of the boot restarts a
 * darknet there would see, against the mean over /8s. Exact: no simulation.
 * Run: npx tsx bench/sim-slash8-placement.ts [days=7] [prefix=44]
 */
import { blasterStart, quantiseTick } from '../src/sim/blaster-targeting.ts';
import { sweepIndex } from '../src/sim/sweep.ts';

const days = Number(process.argv[2] ?? 7);
const mine = Number(process.argv[3] ?? 44);
const reach = Math.floor((days * 86400) / 1.8) * 20; // probes a worm sends in `days`
const ticks = new Set<number>();
for (let ms = 20_000; ms <= 60_000; ms += 1) ticks.add(quantiseTick(ms, 15.625));
const seen = new Float64Array(256);
let random = 0;
for (const tick of ticks) {
  // mode and start depend on the tick only; local starts stay in the host's own /16
  const s = blasterStart(tick, 0x01020304);
  if (s.mode !== 'random') continue;
  random++;
  const from = sweepIndex(s.start);
  // the /8s this start's sweep touches within `reach` probes
  for (let a = 1; a < 255; a++) {
    const lo = sweepIndex(((a << 24) | 1) >>> 0);
    const hi = sweepIndex(((a << 24) | (254 << 16) | (254 << 8) | 255) >>> 0);
    if (from <= hi && from + reach >= lo) seen[a]!++;
  }
}
const counts = [...seen.slice(1, 255)].sort((x, y) => x - y);
const mean = counts.reduce((t, c) => t + c, 0) / counts.length;
const rank = counts.filter((c) => c > seen[mine]!).length + 1;
console.log(
  JSON.stringify({
    bootTicks: ticks.size,
    randomStarts: random,
    days,
    meanPerSlash8: Number(mean.toFixed(2)),
    median: counts[127],
    max: counts.at(-1),
    min: counts[0],
    maxOverMean: Number((counts.at(-1)! / mean).toFixed(2)),
    [`${mine}/8`]: seen[mine],
    rankOf: `${rank} of 254`,
  }),
);
