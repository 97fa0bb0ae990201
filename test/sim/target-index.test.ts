import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import { CYCLE_LENGTH } from '../../src/sim/sweep.ts';
import { TargetIndex } from '../../src/sim/target-index.ts';

test('successor finds the next live host after the cursor and wraps round the cycle', () => {
  const idx = new TargetIndex([10, 11, 12], [500, 100, CYCLE_LENGTH - 3]);
  assert.deepEqual(
    [0, 1, 2].map((s) => idx.position(s)),
    [100, 500, CYCLE_LENGTH - 3],
  );
  assert.equal(idx.host(idx.successor(0)!), 11);
  assert.equal(idx.host(idx.successor(100)!), 10, 'strictly after the cursor');
  assert.equal(idx.host(idx.successor(600)!), 12);
  assert.equal(idx.host(idx.successor(CYCLE_LENGTH - 3)!), 11, 'wraps to the start');
  assert.equal(idx.distance(CYCLE_LENGTH - 3, idx.successor(CYCLE_LENGTH - 3)), 103);
});

test('removed hosts are skipped; an empty index answers -1', () => {
  const idx = new TargetIndex([1, 2, 3], [10, 20, 30]);
  idx.remove(idx.slotOf(20, 2));
  assert.equal(idx.host(idx.successor(10)), 3);
  idx.remove(idx.slotOf(30, 3));
  assert.equal(idx.host(idx.successor(10)), 1, 'wraps past removed tail');
  idx.remove(0);
  idx.remove(0); // removing twice is harmless
  assert.equal(idx.live, 0);
  assert.equal(idx.successor(0), -1);
});

for (const n of [1, 2, 20, 3000, 70_000])
  test(`matches a brute-force scan on random sets of ${n} hosts with random removals`, () => {
    const rng = createRng(9 + n);
    const pos = Array.from({ length: n }, () => rng.below(CYCLE_LENGTH));
    const hosts = Array.from({ length: n }, (_, i) => i);
    const idx = new TargetIndex(hosts, pos);
    const alive = new Set(hosts);
    for (let round = 0; round < Math.min(2000, n); round++) {
      const c = rng.below(CYCLE_LENGTH);
      let best = -1;
      let bestD = Number.POSITIVE_INFINITY;
      for (const h of alive) {
        const d = pos[h]! > c ? pos[h]! - c : pos[h]! - c + CYCLE_LENGTH;
        if (d < bestD || (d === bestD && h < best)) {
          bestD = d;
          best = h;
        }
      }
      const s = idx.successor(c);
      assert.equal(idx.distance(c, s), bestD);
      const victim = idx.host(s);
      idx.remove(s);
      alive.delete(victim);
      if (alive.size === 0) break;
    }
  });

test('successorOfSlot answers what successor gives at the slot position, with removals and wrap', () => {
  const rng = createRng(21);
  const n = 3000;
  const pos = Array.from({ length: n }, () => rng.below(CYCLE_LENGTH));
  const idx = new TargetIndex(
    Array.from({ length: n }, (_, i) => i),
    pos,
  );
  for (let round = 0; round < 2 * n && idx.live > 0; round++) {
    const slot = rng.below(n); // live or removed: a worm stands where its target was
    assert.equal(idx.successorOfSlot(slot), idx.successor(idx.position(slot)));
    if (rng.next() < 0.6) idx.remove(idx.successor(rng.below(CYCLE_LENGTH)));
  }
  while (idx.live > 0) idx.remove(idx.successor(0));
  assert.equal(idx.successorOfSlot(0), -1, 'empty');
  // duplicate positions (no population has them) fall back to the search
  const dup = new TargetIndex([1, 2, 3], [50, 50, 90]);
  assert.equal(dup.successorOfSlot(0), dup.successor(50));
  assert.equal(dup.host(dup.successorOfSlot(0)), 3);
});

test('long runs of removed slots (all but a few of 300,000, in random order) still find the next live slot', () => {
  const rng = createRng(22);
  const n = 300_000; // three bitmap levels: 9,375 words, 293 above them, 10 above those
  const pos = Array.from({ length: n }, (_, i) => i * 7 + 3); // already in slot order
  const idx = new TargetIndex(
    Array.from({ length: n }, (_, i) => i),
    pos,
  );
  const victims = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [victims[i], victims[j]] = [victims[j]!, victims[i]!];
  }
  const alive = new Uint8Array(n).fill(1);
  const bruteNext = (slot: number) => {
    for (let k = 1; k <= n; k++) if (alive[(slot + k) % n]) return (slot + k) % n;
    return -1;
  };
  let removed = 0;
  for (const keep of [n / 2, n / 10, 1000, 30, 3, 1, 0]) {
    while (n - removed > keep) {
      const v = victims[removed++]!;
      idx.remove(v);
      alive[v] = 0;
    }
    assert.equal(idx.live, keep);
    for (let k = 0; k < 200; k++) {
      const slot = rng.below(n);
      const want = bruteNext(slot);
      assert.equal(idx.successorOfSlot(slot), want, `after slot ${slot}, ${keep} live`);
      assert.equal(idx.successor(pos[slot]!), want);
      assert.equal(idx.isLive(slot), alive[slot] === 1);
    }
  }
});

test('host ids and tags share a word: each comes back as given', () => {
  const idx = new TargetIndex([0, 2 ** 24 - 1, 77], [30, 10, 20], [255, 1, 0]);
  assert.deepEqual(
    [0, 1, 2].map((s) => [idx.host(s), idx.tag(s)]),
    [
      [2 ** 24 - 1, 1],
      [77, 0],
      [0, 255],
    ],
  );
  assert.throws(() => new TargetIndex([2 ** 24], [1]), RangeError);
});
