import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import { runBlaster } from '../../src/sim/blaster-model.ts';
import {
  type EnsembleMember,
  ensembleSeeds,
  quantile,
  spreadOf,
  summariseRuns,
} from '../../src/sim/ensemble.ts';
import { syntheticPopulation } from '../../src/sim/population.ts';
import { validate } from '../../src/sim/validation.ts';

test('quantiles interpolate between order statistics; one value is its own band', () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.05), 1.2);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.95), 4.8);
  assert.deepEqual(spreadOf([5, 1, 3]), { median: 3, mean: 3, p5: 1.2, p95: 4.8 });
  assert.deepEqual(spreadOf([7]), { median: 7, mean: 7, p5: 7, p95: 7 });
  const skewed = spreadOf([1, 2, 10, 3]);
  assert.deepEqual(
    [skewed.median, skewed.mean],
    [2.5, 4],
    'the median resists the outlier, the mean does not',
  );
  assert.deepEqual(ensembleSeeds(4294967295, 3), [4294967295, 0, 1]);
});

/** One seeded run: its own population and model seed, as the CLI's --runs does. */
const member = (seed: number): EnsembleMember => {
  const pop = syntheticPopulation(
    { vulnerable: 3000, density: 'even', networks16: 4 },
    createRng(seed ^ 0x5eed),
  );
  const r = runBlaster(pop, { durationH: 6, seed, initialInfected: 3, sampleEveryS: 900 });
  return { scenarios: [{ name: 'base', samples: r.samples }], validation: validate(r.samples, false) };
};

test('runs are deterministic per seed, and the band holds the median and every run', () => {
  const seeds = ensembleSeeds(40, 5);
  assert.deepEqual(seeds, [40, 41, 42, 43, 44]);
  const members = seeds.map(member);
  const a = summariseRuns(seeds, members);
  assert.deepEqual(summariseRuns(seeds, seeds.map(member)), a, 'same seed, same ensemble');
  assert.deepEqual(
    summariseRuns([42], [member(42)]).scenarios[0]!.samples,
    members[2]!.scenarios[0]!.samples,
  );
  const s = a.scenarios[0]!;
  const finals = members.map((m) => m.scenarios[0]!.samples.at(-1)!.everInfected);
  assert.ok(new Set(finals).size > 1, `the seeds give different runs: ${finals}`);
  const last = s.samples.length - 1;
  assert.equal(s.samples[last]!.everInfected, [...finals].sort((x, y) => x - y)[2]);
  for (let i = 0; i < s.samples.length; i++) {
    assert.ok(s.p5[i]!.infected <= s.samples[i]!.infected + 1e-9);
    assert.ok(s.samples[i]!.infected <= s.p95[i]!.infected + 1e-9);
  }
  assert.ok(
    s.p5[last]!.everInfected >= Math.min(...finals) && s.p95[last]!.everInfected <= Math.max(...finals),
  );
  assert.equal(s.perHourBand.length, s.samples.length - 1);
  const row1 = a.validation.find((r) => r.figure === 1)!;
  assert.equal(row1.simulated, null, '6 h runs cannot express the 24 h figure');
  const row7 = a.validation.find((r) => r.figure === 7)!;
  assert.equal(row7.spread?.runs, 5);
  assert.equal(row7.simulated, row7.spread!.simulated.median);
  assert.ok(row7.spread!.ratio.p5 <= row7.ratio! && row7.ratio! <= row7.spread!.ratio.p95);
});
