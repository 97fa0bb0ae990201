import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderByKey } from '../../src/core/order.ts';
import { createRng } from '../../src/core/random.ts';

test('orderByKey gives the order of sorting (key, index) pairs: stable, over the whole 32-bit range', () => {
  const rng = createRng(12);
  for (const n of [0, 1, 2, 1000, 50_000]) {
    // few distinct keys (many ties) and keys near both ends of the range
    const keys = Array.from({ length: n }, () =>
      rng.next() < 0.3
        ? rng.below(8) * 0x10001
        : rng.next() < 0.5
          ? 4294967295 - rng.below(100)
          : rng.nextU32(),
    );
    const want = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
    assert.deepEqual([...orderByKey(keys)], want, `n = ${n}`);
    assert.deepEqual([...orderByKey(Uint32Array.from(keys))], want);
  }
});
