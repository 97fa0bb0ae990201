import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillSensorSources } from '../../src/sim/sensor.ts';
import type { Sample } from '../../src/sim/series.ts';
import { addressPhase } from '../../src/sim/telescope.ts';

const hourly = (hours: number): Sample[] =>
  Array.from({ length: hours + 1 }, (_, tH) => ({
    tH,
    infected: 0,
    everInfected: 0,
    patched: 0,
    welchia: 0,
    scansPerS: 0,
    telescopeSources: 0,
    sensorSources: -1,
  }));

test('without churn a sensor sees each infected host once, when its worm first runs', () => {
  const samples = hourly(10);
  const infectedAtS = Float64Array.from([0, 3600 * 2.5, Number.NaN, 3600 * 7]);
  fillSensorSources(samples, infectedAtS, new Float64Array(4).fill(Infinity), 0, 3600);
  assert.deepEqual(
    samples.map((s) => s.sensorSources),
    [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
  );
});

test('with one address change a day, a host infected for 3 days is 1 + 3 sources; cleaning ends it', () => {
  const day = 86400;
  const samples = hourly(24 * 5);
  // host 0 infected from 1 h to the end (5 days: 1 + 5 changes, or 1 + 4 by phase), host 1 cleaned after 3 days
  const infectedAtS = Float64Array.from([3600, 3600]);
  const endedAtS = Float64Array.from([Infinity, 3600 + 3 * day]);
  fillSensorSources(samples, infectedAtS, endedAtS, 1, 3600);
  // Address changes of host h happen at (k − phase) / rate: count them independently.
  const changes = (h: number, from: number, to: number) => {
    let n = 0;
    for (let k = 0; k < 10; k++) {
      const at = (k - addressPhase(h)) * day;
      if (at > from && at <= to) n++;
    }
    return n;
  };
  const end = 5 * day;
  const expected = 2 + changes(0, 3600, end) + changes(1, 3600, 3600 + 3 * day);
  assert.equal(samples.at(-1)!.sensorSources, expected);
  assert.equal(changes(1, 3600, 3600 + 3 * day), 3, 'three days, one change a day');
  // cumulative, never falling
  for (let i = 1; i < samples.length; i++)
    assert.ok(samples[i]!.sensorSources >= samples[i - 1]!.sensorSources);
});
