/**
 * Validation against the literature's baselines (blaster.md §5): the stochastic random-scanning
 * simulation against the random-constant-spread logistic, and local preference against random
 * scanning on clustered and on uniform populations, both simulated and analytic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import {
  localPreferenceCurve,
  logisticInfected,
  logisticTimeTo,
  rcsRatePerS,
} from '../../src/sim/analytic.ts';
import { curveTimeTo, simulateLocalPreference, simulateRandomScan } from '../../src/sim/baselines.ts';
import { runBlaster } from '../../src/sim/blaster-model.ts';
import { syntheticPopulation } from '../../src/sim/population.ts';
import { timeToReach } from '../../src/sim/series.ts';

test('the logistic solves dI/dt = K·I·(1 − I/N) and passes N/2 at ln((N − I0)/I0)/K', () => {
  const n = 1e6;
  const k = rcsRatePerS(11.1, n);
  const i0 = 10;
  const tHalf = logisticTimeTo(0.5, n, i0, k);
  assert.ok(Math.abs(tHalf - Math.log((n - i0) / i0) / k) < 1e-6);
  assert.ok(Math.abs(logisticInfected(tHalf, n, i0, k) - n / 2) < 1e-3);
  const t = tHalf;
  const h = 1e-3;
  const i = logisticInfected(t, n, i0, k);
  const slope = (logisticInfected(t + h, n, i0, k) - logisticInfected(t - h, n, i0, k)) / (2 * h);
  assert.ok(Math.abs(slope - k * i * (1 - i / n)) / slope < 1e-6);
});

test('random scanning matches the analytic logistic within 1 % at the half-infection time', () => {
  // Staniford et al.'s simulator check: 10 scans/s; N large, 1 % seeded so start-up noise is small.
  const n = 1_000_000;
  const i0 = 10_000;
  const scansPerS = 10;
  const k = rcsRatePerS(scansPerS, n);
  const analytic = logisticTimeTo(0.5, n, i0, k);
  for (const seed of [1, 2, 3]) {
    const stepS = analytic / 2000;
    const run = simulateRandomScan({
      vulnerable: n,
      initialInfected: i0,
      scansPerS,
      durationS: analytic * 1.2,
      stepS,
      seed,
    });
    const simulated = curveTimeTo(run.infected, stepS, n / 2)!;
    const error = Math.abs(simulated - analytic) / analytic;
    assert.ok(
      error < 0.01,
      `seed ${seed}: simulated ${simulated.toFixed(0)} s vs analytic ${analytic.toFixed(0)} s (${(error * 100).toFixed(2)} %)`,
    );
  }
});

test('local preference beats random scanning on a clustered population (simulation and analytic)', () => {
  // 20 /16s with 3 000 vulnerable hosts each, 30 infected hosts in the first.
  const blockHosts = Array.from({ length: 20 }, () => 3000);
  const initialInfected = blockHosts.map((_, i) => (i === 0 ? 30 : 0));
  const common = { blockHosts, initialInfected, scansPerS: 11.1, durationS: 30 * 3600, stepS: 5 };
  const half = 30_000;
  const local = simulateLocalPreference({ ...common, localProbability: 0.4, seed: 4 });
  const random = simulateLocalPreference({ ...common, localProbability: 0, seed: 4 });
  const tLocal = curveTimeTo(local.infected, 5, half);
  const tRandom = curveTimeTo(random.infected, 5, half);
  assert.ok(tLocal !== undefined, 'local preference reaches half the population within 48 h');
  assert.ok(tRandom === undefined || tRandom > 3 * tLocal, `local ${tLocal} s, random ${tRandom} s`);
  const odeLocal = curveTimeTo(
    localPreferenceCurve({ ...common, localProbability: 0.4 }, common.durationS, 5),
    5,
    half,
  )!;
  const odeRandom = curveTimeTo(
    localPreferenceCurve({ ...common, localProbability: 0 }, common.durationS, 60),
    60,
    half,
  );
  assert.ok(odeRandom === undefined || odeRandom > 3 * odeLocal);
  // The mean-field ODE seeds other blocks with fractions of a host, so it runs ahead of the
  // stochastic simulation, never behind it, and not by much once the first block is saturated.
  assert.ok(tLocal >= odeLocal * 0.95 && tLocal < odeLocal * 2, `sim ${tLocal} s vs ODE ${odeLocal} s`);
});

test('on a uniform population local preference gives no advantage (blocks as dense as the whole space)', () => {
  // 256 /16s holding 16 hosts each: the density is the same inside every block and overall.
  const blockHosts = Array.from({ length: 256 }, () => 16);
  const initialInfected = blockHosts.map(() => 1);
  const space = 256 * 65536;
  const m = { blockHosts, initialInfected, scansPerS: 11.1, space };
  const a = curveTimeTo(localPreferenceCurve({ ...m, localProbability: 0.4 }, 6 * 3600, 10), 10, 2048)!;
  const b = curveTimeTo(localPreferenceCurve({ ...m, localProbability: 0 }, 6 * 3600, 10), 10, 2048)!;
  assert.ok(Math.abs(a - b) / b < 0.05, `local ${a} s vs random ${b} s`);
});

test('Blaster itself spreads far faster through clustered /16s than through the same count spread uniformly', () => {
  const o = { durationH: 24, seed: 9, initialInfected: 5 };
  const clustered = runBlaster(
    syntheticPopulation({ vulnerable: 8000, density: 'even', networks16: 4 }, createRng(1)),
    o,
  ).samples;
  const uniform = runBlaster(
    syntheticPopulation({ vulnerable: 8000, density: 'uniform' }, createRng(1)),
    o,
  ).samples;
  const tc = timeToReach(clustered, 800);
  assert.ok(tc !== undefined && tc < 24);
  assert.ok(uniform.at(-1)!.everInfected < clustered.at(-1)!.everInfected / 4);
});
