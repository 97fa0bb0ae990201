import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/sim/series.ts';
import { renderSpreadChart } from '../../src/sim/spread-chart.ts';
import { validate, validationMarkers } from '../../src/sim/validation.ts';

/** Hourly samples: ever infected grows 1 000/h to 48 h then 500/h; infected falls 90 % by 168 h. */
const samples: Sample[] = Array.from({ length: 193 }, (_, tH) => {
  const ever = tH <= 48 ? 1000 * tH : 48_000 + 500 * (tH - 48);
  const infected = tH <= 60 ? ever : Math.max(0, 54_000 - ((54_000 * 0.9) / 108) * (tH - 60));
  return {
    tH,
    infected,
    everInfected: ever,
    patched: 0,
    welchia: 0,
    scansPerS: 0,
    telescopeSources: 10 * tH,
    // 1 000 new sources an hour to 48 h, then 3 000 an hour to 60 h, then 500 (churn peak on day 3)
    sensorSources: tH <= 48 ? 1000 * tH : tH <= 60 ? 48_000 + 3000 * (tH - 48) : 84_000 + 500 * (tH - 60),
  };
});

test('validation rows read the published figures off the series, numbered as in blaster.md §4.1', () => {
  const rows = validate(samples, true);
  assert.deepEqual(
    rows.map((r) => r.figure),
    [1, 2, 3, 4, 5, 7, 8, 9],
  );
  const by = (n: number) => rows.find((r) => r.figure === n)!;
  assert.equal(by(1).simulated, 24_000);
  assert.ok(Math.abs(by(1).ratio! - 24_000 / 57_000) < 1e-12);
  assert.equal(by(2).simulated, 36_000);
  assert.equal(by(4).simulated, 1680);
  assert.equal(by(5).simulated, 1000);
  assert.ok(by(3).simulated! <= 48, 'the first hour at the highest rate');
  assert.ok(Math.abs(by(8).simulated! - 0.9) < 0.01);
  assert.equal(by(7).simulated, 48_000 + 500 * 144);
});

test('rows 3 and 5 read as a sensor counts them: the peak of new source addresses per hour', () => {
  const rows = validate(samples, true, 'sources');
  const by = (n: number) => rows.find((r) => r.figure === n)!;
  assert.equal(by(5).simulated, 3000);
  assert.ok(by(3).simulated! > 48 && by(3).simulated! <= 60, `peak at ${by(3).simulated} h`);
  assert.match(by(3).measure, /new source addresses per hour/);
  assert.equal(by(1).simulated, 24_000, 'the other rows do not depend on the measure');
});

test('figures the run cannot express are null, not zero', () => {
  const short = samples.slice(0, 30);
  const rows = validate(short, false);
  const by = (n: number) => rows.find((r) => r.figure === n)!;
  assert.equal(by(2).simulated, null);
  assert.equal(by(2).ratio, null);
  assert.equal(by(4).simulated, null, 'no /8 telescope');
  assert.equal(by(8).simulated, null);
  assert.equal(by(1).simulated, 24_000);
});

test('the chart carries a marker per published figure in range, on the right panel', () => {
  const rows = validate(samples, true);
  const m = validationMarkers(rows, 192);
  assert.deepEqual(
    m.infected.map((x) => [x.x, x.y]),
    [
      [24, 57_000],
      [36, 120_000],
    ],
  );
  assert.deepEqual(
    m.perHour.map((x) => [x.x, x.y]),
    [[60, 30_000]],
  );
  const svg = renderSpreadChart('t', [{ name: 'all', samples }], m.infected, m.perHour);
  assert.equal((svg.match(/<title>§4.1 #/g) ?? []).length, 3);
  assert.equal(validationMarkers(rows, 30).infected.length, 1, 'only figures inside the run');
});
