import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RpcsweepError } from '../../src/core/errors.ts';
import { createTargetPlan } from '../../src/targets/plan.ts';
import { AddressSet } from '../../src/targets/ranges.ts';
import { formatShard, parseShard, shardLength } from '../../src/targets/shard.ts';

test('parseShard reads 1-based i/n and refuses the rest with TARGETS_BAD_SHARD', () => {
  assert.deepEqual(parseShard('1/1'), { index: 0, count: 1 });
  assert.deepEqual(parseShard('3/4'), { index: 2, count: 4 });
  assert.deepEqual(parseShard(' 2 / 2 '), { index: 1, count: 2 });
  assert.equal(formatShard(parseShard('3/4')), '3/4');
  for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/2/3', '-1/2', '']) {
    assert.throws(
      () => parseShard(bad),
      (e: unknown) => e instanceof RpcsweepError && e.code === 'TARGETS_BAD_SHARD' && e.message.includes(bad),
      bad,
    );
  }
});

test('shard lengths add up to the total', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 50 }), (total, count) => {
      let sum = 0;
      for (let index = 0; index < count; index++) sum += shardLength(total, { index, count });
      assert.equal(sum, total);
    }),
  );
});

test('n shards with the same seed cover the targets exactly once (property)', () => {
  const range = fc
    .tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 300 }))
    .map(([first, len]) => ({ family: 4 as const, first: BigInt(first), last: BigInt(first + len) }));
  fc.assert(
    fc.property(
      fc.array(range, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      (ranges, count, seed) => {
        const set = AddressSet.from(ranges);
        const seen = new Map<string, number>();
        for (let index = 0; index < count; index++) {
          const plan = createTargetPlan({ set, seed, shard: { index, count } });
          let n = 0;
          for (const t of plan.iterate()) {
            assert.equal(
              seen.has(t.address),
              false,
              `${t.address} in shards ${seen.get(t.address)} and ${index}`,
            );
            seen.set(t.address, index);
            n++;
          }
          assert.equal(n, plan.length);
        }
        assert.equal(BigInt(seen.size), set.size);
      },
    ),
    { numRuns: 60 },
  );
});

test('a shard of an IPv6 + IPv4 set is the every-n-th slice of the whole order', () => {
  const set = AddressSet.from([
    { family: 4, first: 100n, last: 160n },
    { family: 6, first: 1n << 64n, last: (1n << 64n) + 40n },
  ]);
  const whole = [...createTargetPlan({ set, seed: 9 }).iterate()].map((t) => t.address);
  const third = [...createTargetPlan({ set, seed: 9, shard: { index: 2, count: 3 } }).iterate()].map(
    (t) => t.address,
  );
  assert.deepEqual(
    third,
    whole.filter((_, i) => i % 3 === 2),
  );
});
