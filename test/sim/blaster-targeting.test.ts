import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blasterStart, quantiseTick } from '../../src/sim/blaster-targeting.ts';
import { msvcRand } from '../../src/sim/lcg.ts';
import { parseIpv4 } from '../../src/sim/sweep.ts';

const octet = (a: number, i: number) => (a >>> (24 - 8 * i)) & 0xff;
const SEEDS = 200_000;

test('over many tick seeds: 60 % random and 40 % local starts, 20 % Windows 2000 variant', () => {
  const own = parseIpv4('130.90.77.12')!;
  let random = 0;
  let win2k = 0;
  for (let t = 20_000; t < 20_000 + SEEDS; t++) {
    const s = blasterStart(t, own);
    if (s.mode === 'random') random++;
    if (s.targetsWin2k) win2k++;
  }
  assert.ok(Math.abs(random / SEEDS - 0.6) < 0.005, `random share ${random / SEEDS}`);
  assert.ok(Math.abs(win2k / SEEDS - 0.2) < 0.005, `win2k share ${win2k / SEEDS}`);
});

test('random starts: A in 1..254, B and C in 0..253, D = 0, roughly uniform first octet', () => {
  const firstOctets = new Uint32Array(256);
  for (let t = 0; t < SEEDS; t++) {
    const s = blasterStart(t, undefined);
    assert.equal(s.mode, 'random'); // no own address: always random
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => octet(s.start, i));
    assert.ok(a! >= 1 && a! <= 254 && b! <= 253 && c! <= 253 && d === 0, `start ${s.start}`);
    firstOctets[a!]!++;
  }
  const expected = SEEDS / 254;
  for (let a = 1; a <= 254; a++) assert.ok(Math.abs(firstOctets[a]! - expected) < expected * 0.2, `A=${a}`);
});

test('the C > 20 rule: local starts lower C by 0..19 only when the own third octet exceeds 20', () => {
  for (const c0 of [0, 5, 20]) {
    const own = parseIpv4(`141.212.${c0}.9`)!;
    for (let t = 1000; t < 21_000; t++) {
      const s = blasterStart(t, own);
      if (s.mode === 'local') assert.equal(s.start, parseIpv4(`141.212.${c0}.0`));
    }
  }
  const own = parseIpv4('141.212.200.9')!;
  // T0 one tick before T: k is the first rand() after srand(T0). First outputs of nearby seeds differ
  // by about 3.27 per ms (214013 / 2^16), so k stays tied to the mode draw: only ~8 of 20 values occur.
  const lowered = new Uint32Array(20);
  let local = 0;
  for (let t = 1000; t < 1000 + SEEDS; t++) {
    const s = blasterStart(t, own, t - 16);
    if (s.mode !== 'local') continue;
    local++;
    assert.equal(s.start >>> 16, own >>> 16, 'stays in the own /16');
    const k = 200 - octet(s.start, 2);
    assert.equal(k, msvcRand(t - 16).next() % 20, 'k is the first rand() after srand(T0)');
    lowered[k]!++;
  }
  const top8 = [...lowered]
    .sort((a, b) => b - a)
    .slice(0, 8)
    .reduce((x, y) => x + y, 0);
  assert.ok(top8 / local > 0.95, `8 most common offsets hold ${top8 / local}`);
  assert.ok(Math.abs(local / SEEDS - 0.4) < 0.005);
});

test('with T0 = T the offset reuses the mode draw: local starts are always 12..19 /24s lower', () => {
  const own = parseIpv4('141.212.200.9')!;
  const seen = new Set<number>();
  for (let t = 1000; t < 1000 + SEEDS; t++) {
    const s = blasterStart(t, own);
    if (s.mode === 'local') seen.add(200 - octet(s.start, 2));
  }
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [12, 13, 14, 15, 16, 17, 18, 19],
  );
});

test('the start is a deterministic function of the tick: equal seeds sweep identical sequences', () => {
  const own = parseIpv4('10.1.50.3')!;
  assert.deepEqual(blasterStart(31_250, own), blasterStart(31_250, own));
  assert.notDeepEqual(blasterStart(31_250, undefined), blasterStart(31_266, undefined));
});

test('tick quantisation: 64 Hz ticks collapse a 40 s boot window to 2 561 distinct seeds', () => {
  const seeds = new Set<number>();
  for (let ms = 20_000; ms <= 60_000; ms++) seeds.add(quantiseTick(ms, 15.625));
  assert.equal(seeds.size, 2561);
  const starts = new Set<number>();
  for (const t of seeds) {
    const s = blasterStart(t, undefined);
    starts.add(s.start);
  }
  assert.ok(starts.size <= seeds.size);
});
