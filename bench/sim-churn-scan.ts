/**
 * Rows 3 and 5 of blaster.md §4.1 read as a sensor counts them (new source addresses per hour) for
 * other address-churn rates r, from the JSON of one `rpcsweep simulate` run made with churn r0.
 * Churn does not change the spread, only what the sensor counts: the sources rate is the new
 * infections rate plus (r / r0) × (sources rate − infections rate of the run). Loss: squared log
 * ratios of rows 3 and 5, as in bench/sim-fit-2003.ts.
 * Run: npx tsx bench/sim-churn-scan.ts r0 run1.json [run2.json ...]   (one line per r, each run)
 */
import { readFileSync } from 'node:fs';
import type { Sample } from '../src/sim/series.ts';
import { newInfectionsPerHour, ratePerHour } from '../src/sim/spread-chart.ts';

const [r0Arg, ...files] = process.argv.slice(2);
const r0 = Number(r0Arg);
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')).scenarios[0].samples as Sample[]);

const rowsAt = (samples: Sample[], r: number) => {
  const inf = newInfectionsPerHour(samples);
  const src = ratePerHour(samples, (x) => x.sensorSources);
  let best = { tH: 0, perH: -1 };
  for (let i = 0; i < inf.length; i++) {
    const perH = inf[i]![1] + (r / r0) * (src[i]![1] - inf[i]![1]);
    if (inf[i]![0] <= 168 && perH > best.perH) best = { tH: inf[i]![0], perH };
  }
  const at168 = samples.find((x) => x.tH >= 168)!;
  return {
    row3: best.tH / 60,
    row5: best.perH / 30_000,
    sources168: at168.everInfected + (r / r0) * (at168.sensorSources - at168.everInfected),
  };
};

for (const r of [0, 1, 2, 3, 4, 5, 6, 8]) {
  const rows = runs.map((s) => rowsAt(s, r));
  const loss = rows.map((x) => Math.log(x.row3) ** 2 + Math.log(x.row5) ** 2);
  const f = (v: number, d = 2) => Number(v.toFixed(d));
  console.log(
    JSON.stringify({
      r,
      row3: rows.map((x) => f(x.row3)),
      row5: rows.map((x) => f(x.row5)),
      sourcesM: rows.map((x) => f(x.sources168 / 1e6)),
      loss: loss.map((x) => f(x, 3)),
      meanLoss: f(loss.reduce((a, b) => a + b, 0) / loss.length, 3),
    }),
  );
}
