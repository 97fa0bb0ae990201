/**
 * Determinism goldens. Resume files, shards and replayed labs and simulations rely on these sequences
 * staying the same across versions: a change here breaks every saved resume state. The values were
 * computed by a separate Python transcription of the algorithms (sfc32 seeded through splitmix32,
 * 12 discarded outputs; the 4-round permutation with cycle-walking) and agree with the code; the MSVC
 * values are the documented output of the C runtime's rand() after srand(1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import { msvcRand } from '../../src/sim/lcg.ts';
import { createPermutation } from '../../src/targets/permute.ts';

const take = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

test('seeded RNG: the first outputs for a few seeds', () => {
  const golden: Array<[number, number[]]> = [
    [0, [4205396811, 3543653536, 1222415357, 3047368389, 387095348, 2506032770]],
    [1, [1828152527, 3394835397, 2967886022, 2251045104, 4148684523, 4055680838]],
    [1234, [3751310624, 208782122, 4280206736, 2333863780, 1513959442, 2578404834]],
    [0xffffffff, [1413747962, 91561161, 3282502067, 2190738929, 3748440605, 3843617456]],
  ];
  for (const [seed, want] of golden) {
    const rng = createRng(seed);
    assert.deepEqual(
      take(6, () => rng.nextU32()),
      want,
      `seed ${seed}`,
    );
  }
  // A 64-bit seed folds its halves: 2^32 + 1 → 1 ^ 1 = 0.
  const folded = createRng(0x1_0000_0001n);
  assert.equal(folded.nextU32(), 4205396811);
});

test('seeded RNG: below() without modulo bias and fork() sub-streams', () => {
  const rng = createRng(1);
  assert.deepEqual(
    take(6, () => rng.below(100)),
    [27, 97, 22, 4, 23, 38],
  );
  assert.deepEqual(
    take(6, () => rng.below(3)),
    [2, 2, 1, 2, 0, 1],
  );
  const fork = createRng(99).fork();
  assert.deepEqual(
    take(4, () => fork.nextU32()),
    [2206721936, 3576876326, 737283202, 1354033431],
  );
});

test('target permutation: the first indices for several (seed, size) pairs', () => {
  const golden: Array<[number, number, number[]]> = [
    [10, 1, [9, 8, 5, 7, 3, 4, 6, 1]],
    [100, 1234, [29, 81, 44, 68, 84, 52, 5, 53]],
    [65536, 7, [10047, 20267, 34825, 40478, 43883, 10507, 54113, 64620]],
    [16777216, 42, [11971465, 8044367, 11544281, 13187313, 8774506, 15996435, 4171693, 7765078]],
    [
      2 ** 32,
      5,
      [2404330903, 4255406033, 3388202873, 1124985734, 3612116384, 577252496, 766263041, 279642896],
    ],
  ];
  for (const [size, seed, want] of golden) {
    const p = createPermutation(size, seed);
    assert.deepEqual(
      take(8, (i) => p.at(i)),
      want,
      `size ${size}, seed ${seed}`,
    );
  }
});

test('MSVC rand() after srand(1): the documented first ten outputs', () => {
  const r = msvcRand(1);
  assert.deepEqual(
    take(10, () => r.next()),
    [41, 18467, 6334, 26500, 19169, 15724, 11478, 29358, 26962, 24464],
  );
});
