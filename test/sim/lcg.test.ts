import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MSVC_RAND_MAX, msvcRand } from '../../src/sim/lcg.ts';

test('MSVC rand() test vector: seed 1 gives 41, 18467, 6334, 26500, 19169 (blaster.md §2.5)', () => {
  const r = msvcRand(1);
  assert.deepEqual([r.next(), r.next(), r.next(), r.next(), r.next()], [41, 18467, 6334, 26500, 19169]);
});

test('the LCG state follows state·214013 + 2531011 mod 2^32 and outputs 15 bits', () => {
  const r = msvcRand(0xdeadbeef);
  let state = 0xdeadbeef;
  for (let i = 0; i < 1000; i++) {
    state = Number((BigInt(state) * 214013n + 2531011n) % 4294967296n);
    const out = r.next();
    assert.equal(r.state, state);
    assert.equal(out, (state >>> 16) & 0x7fff);
    assert.ok(out >= 0 && out <= MSVC_RAND_MAX);
  }
});

test('srand(0) and a seed above 2^31 both work (the seed is an unsigned 32-bit tick count)', () => {
  assert.equal(msvcRand(0).next(), 38);
  const big = msvcRand(0xfffffff0);
  assert.equal(big.next(), ((Math.imul(0xfffffff0, 214013) + 2531011) >>> 16) & 0x7fff);
});
