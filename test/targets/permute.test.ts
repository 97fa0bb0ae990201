import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createPermutation } from '../../src/targets/permute.ts';

const orderOf = (size: number, seed: number, order: 'random' | 'sequential' = 'random'): number[] => {
  const p = createPermutation(size, seed, order);
  return Array.from({ length: size }, (_, i) => p.at(i));
};

test('every permutation is a bijection on [0, n) (property, sizes 0–5000)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 0xffffffff }), (n, seed) => {
      const seen = new Uint8Array(n);
      for (const x of orderOf(n, seed)) {
        assert.ok(Number.isInteger(x) && x >= 0 && x < n, `${x} outside [0, ${n})`);
        assert.equal(seen[x], 0, `${x} visited twice`);
        seen[x] = 1;
      }
    }),
    { numRuns: 200 },
  );
});

test('bijection at power-of-two edges and just above them', () => {
  for (const n of [1, 2, 3, 4, 5, 255, 256, 257, 65_535, 65_536, 65_537]) {
    const xs = orderOf(n, 7);
    assert.equal(new Set(xs).size, n, `n=${n}`);
    assert.ok(xs.every((x) => x < n));
  }
});

test('a 2^32 permutation stays in range and is injective on a sample', () => {
  const p = createPermutation(2 ** 32, 99);
  const seen = new Set<number>();
  for (let i = 0; i < 50_000; i++) {
    const x = p.at(i * 85_899 + 3);
    assert.ok(x >= 0 && x < 2 ** 32);
    seen.add(x);
  }
  assert.equal(seen.size, 50_000);
});

test('same seed → same order, in a fresh permutation object (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 0xffffffff }), (n, seed) => {
      assert.deepEqual(orderOf(n, seed), orderOf(n, seed));
    }),
    { numRuns: 100 },
  );
});

test('different seeds → different orders; sequential is the identity', () => {
  assert.notDeepEqual(orderOf(1000, 42), orderOf(1000, 43));
  assert.deepEqual(orderOf(10, 42, 'sequential'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // A random order of 1000 should not be nearly sorted: count ascending neighbours.
  const xs = orderOf(1000, 5);
  const ascending = xs.slice(1).filter((x, i) => x > xs[i]!).length;
  assert.ok(ascending > 350 && ascending < 650, `ascending pairs: ${ascending}`);
});

test('a /24 is spread: the first 64 picks land in every quarter', () => {
  const xs = orderOf(256, 1234).slice(0, 64);
  const quarters = new Set(xs.map((x) => x >> 6));
  assert.equal(quarters.size, 4);
});

test('sizes outside [0, 2^32] are refused', () => {
  assert.throws(() => createPermutation(2 ** 32 + 1, 1), RangeError);
  assert.throws(() => createPermutation(-1, 1), RangeError);
  assert.throws(() => createPermutation(1.5, 1), RangeError);
});
