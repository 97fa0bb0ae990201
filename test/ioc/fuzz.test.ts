/** A seeded slice of bench/fuzz-hive.ts (the full run of 100,000 cases is in docs/benchmarks.md). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzHives } from '../../bench/fuzz-hive.ts';
import { needs } from '../support/system.ts';
import { seedHives } from './fuzz-seeds.ts';

test('3,000 mutated hivex hives: no crash, every failure is IOC_HIVE_CORRUPT', {
  skip: needs('hivexregedit', 'samba-dcerpcd'),
}, () => {
  const r = fuzzHives(seedHives(), 3000, 20031, () => performance.now());
  assert.equal(r.cases, 3000);
  assert.deepEqual(r.crashes, []);
  assert.equal(r.walkedClean + r.corrupt, 3000);
  // The mutations must actually break hives, or the slice proves nothing.
  assert.ok(r.corrupt > 300, `only ${r.corrupt} corrupt cases`);
  assert.ok(r.opened > r.corrupt / 4, 'most corrupt cases should get past the header');
});
