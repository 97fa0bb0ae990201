import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRpcsweepError } from '../../src/core/errors.ts';
import { parseIpv4, sweepIndex } from '../../src/sim/sweep.ts';
import { Telescope } from '../../src/sim/telescope.ts';

const ip = (s: string) => parseIpv4(s)!;

test('a /16 telescope counts the probes of a sweep that crosses it, per /24 bin', () => {
  const t = new Telescope({ address: ip('44.10.0.0'), bits: 16 });
  // 44.9.250.1 .. 44.9.254.255 (1 279 probes) lie before the prefix; 18 721 land inside.
  t.record(1, 1, sweepIndex(ip('44.9.250.0')), 20_000, 0, 20, 1.8);
  const r = t.report();
  assert.equal(r.prefix, '44.10.0.0/16');
  assert.equal(r.probes, 18_721);
  assert.equal(r.bins[0], 256);
  assert.equal(r.bins[73], 18_721 - 73 * 256);
  assert.equal(r.uniqueSources, 1);
  // first seen at the batch containing 44.10.0.0: probe 1 280 → batch 63 → 63 × 1.8 s
  assert.ok(Math.abs(r.firstSeenS[0]! - 63 * 1.8) < 1e-9);
});

test('a /8 telescope: unique sources and starts, hotspot ratio of a concentrated sweep', () => {
  const t = new Telescope({ address: ip('44.0.0.0'), bits: 8 });
  for (let host = 0; host < 5; host++) t.record(host, 1, sweepIndex(ip('44.7.0.0')), 1000, 0, 20, 1.8);
  t.record(0, 2, sweepIndex(ip('44.7.0.0')), 1000, 0, 20, 1.8); // the same host re-seeded
  t.record(9, 1, sweepIndex(ip('45.0.0.0')), 1000, 0, 20, 1.8); // outside
  const r = t.report();
  assert.equal(r.uniqueSources, 5);
  assert.equal(r.uniqueStarts, 6);
  assert.equal(r.probes, 6000);
  assert.equal(r.bins[7], 6000);
  assert.ok(r.hotspotRatio > 200, `all probes in one of 255 bins: ${r.hotspotRatio}`);
});

test('a sweep longer than the whole cycle is counted once per lap', () => {
  const t = new Telescope({ address: ip('44.10.0.0'), bits: 16 });
  const lap = 255 * 255 * 255 * 256 - 254;
  t.record(1, 1, 0, 2 * lap, 0, 20, 1.8);
  assert.equal(t.report().probes, 2 * 255 * 256);
});

test('host bits in the prefix are an error', () => {
  assert.throws(
    () => new Telescope({ address: ip('44.10.1.0'), bits: 16 }),
    (e) => isRpcsweepError(e) && e.code === 'SIM_BAD_INPUT',
  );
});

test('address churn: a host sweeping the telescope for 3 days with 1 change a day is 3 or 4 sources', () => {
  const day = 86400;
  // 3 days of batches: 20 probes every 1.8 s, all inside 44.0.0.0/8 (a /8 takes 17.5 days)
  const probes = Math.floor((3 * day) / 1.8) * 20;
  const counts = [0, 1, 2, 3].map((host) => {
    const t = new Telescope({ address: ip('44.0.0.0'), bits: 8 }, 1);
    t.record(host, 1, sweepIndex(ip('44.1.0.0')), probes, 0, 20, 1.8);
    const r = t.report();
    assert.equal(r.uniqueHosts, 1);
    return r.uniqueSources;
  });
  for (const c of counts) assert.ok(c === 3 || c === 4, `sources: ${counts}`);
  const still = new Telescope({ address: ip('44.0.0.0'), bits: 8 });
  still.record(1, 1, sweepIndex(ip('44.1.0.0')), probes, 0, 20, 1.8);
  assert.equal(still.report().uniqueSources, 1, 'no churn: one address');
  // seen twice within the same lease: still one source
  const twice = new Telescope({ address: ip('44.0.0.0'), bits: 8 }, 0.1);
  twice.record(5, 1, sweepIndex(ip('44.1.0.0')), 200, 0, 20, 1.8);
  twice.record(5, 1, sweepIndex(ip('44.1.0.200')), 200, 600, 20, 1.8);
  assert.equal(twice.report().uniqueSources, 1);
  assert.throws(() => new Telescope({ address: ip('44.0.0.0'), bits: 8 }, -1), isRpcsweepError);
});
