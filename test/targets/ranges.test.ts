import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseTargetArgs } from '../../src/targets/parse.ts';
import { type AddressRange, AddressSet, describeRange } from '../../src/targets/ranges.ts';

/** Small universe so a naive bitmap model can check the set algebra. */
const UNIVERSE = 200;
const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: UNIVERSE - 1 }), fc.integer({ min: 0, max: 20 }), fc.constantFrom(4, 6))
  .map(
    ([first, len, family]): AddressRange => ({
      family: family as 4 | 6,
      first: BigInt(first),
      last: BigInt(Math.min(UNIVERSE - 1, first + len)),
    }),
  );
const model = (ranges: AddressRange[]): Set<string> => {
  const s = new Set<string>();
  for (const r of ranges) for (let a = r.first; a <= r.last; a++) s.add(`${r.family}:${a}`);
  return s;
};
const members = (set: AddressSet): Set<string> => {
  const s = new Set<string>();
  for (const r of set.ranges()) for (let a = r.first; a <= r.last; a++) s.add(`${r.family}:${a}`);
  return s;
};

test('from() sorts and merges overlapping and adjacent ranges (property against a bitmap model)', () => {
  fc.assert(
    fc.property(fc.array(rangeArb, { maxLength: 15 }), (ranges) => {
      const set = AddressSet.from(ranges);
      assert.deepEqual(members(set), model(ranges));
      assert.equal(set.size, BigInt(model(ranges).size));
      for (let i = 1; i < set.v4.length; i++) {
        assert.ok(set.v4[i]![0] > set.v4[i - 1]![1] + 1, 'IPv4: disjoint and not adjacent');
      }
      for (let i = 1; i < set.v6.length; i++) {
        assert.ok(set.v6[i]![0] > set.v6[i - 1]![1] + 1n, 'IPv6: disjoint and not adjacent');
      }
    }),
  );
});

test('subtract, union and intersect agree with the model', () => {
  fc.assert(
    fc.property(fc.array(rangeArb, { maxLength: 12 }), fc.array(rangeArb, { maxLength: 12 }), (a, b) => {
      const A = AddressSet.from(a);
      const B = AddressSet.from(b);
      const ma = model(a);
      const mb = model(b);
      assert.deepEqual(members(A.subtract(B)), new Set([...ma].filter((x) => !mb.has(x))));
      assert.deepEqual(members(A.intersect(B)), new Set([...ma].filter((x) => mb.has(x))));
      assert.deepEqual(members(A.union(B)), new Set([...ma, ...mb]));
      for (const x of ma) {
        const [f, n] = x.split(':');
        assert.ok(A.has(Number(f) as 4 | 6, BigInt(n!)));
      }
    }),
  );
});

test('subtracting a hole splits a range; sizes are bigint and IPv6-sized', () => {
  const set = AddressSet.from(
    parseTargetArgs(['10.0.0.0/24', '2001:db8::/32']).map((s) =>
      s.kind === 'ipv4'
        ? { family: 4, first: BigInt(s.first), last: BigInt(s.last) }
        : s.kind === 'ipv6'
          ? { family: 6, first: s.first, last: s.last }
          : assert.fail('not a range'),
    ),
  );
  const hole = AddressSet.from([{ family: 4, first: 0x0a000010n, last: 0x0a00001fn }]);
  const cut = set.subtract(hole);
  assert.equal(cut.sizeV4, 240n);
  assert.equal(cut.sizeV6, 1n << 96n);
  assert.equal(cut.describe(), '10.0.0.0/28, 10.0.0.32-10.0.0.255, 2001:db8::/32');
  assert.equal(describeRange({ family: 4, first: 5n, last: 5n }), '0.0.0.5');
});
