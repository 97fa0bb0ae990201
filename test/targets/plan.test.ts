import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RpcsweepError } from '../../src/core/errors.ts';
import { createTargetPlan } from '../../src/targets/plan.ts';
import { AddressSet } from '../../src/targets/ranges.ts';

const set = AddressSet.from([
  { family: 4, first: 0x0a000000n, last: 0x0a0000ffn }, // 10.0.0.0/24
  { family: 4, first: 0xc0000205n, last: 0xc0000209n }, // 192.0.2.5-9
  { family: 6, first: 0x20010db8n << 96n, last: (0x20010db8n << 96n) + 3n }, // 2001:db8::/126
]);

test('the plan visits every address of a mixed set once, with the right families', () => {
  const plan = createTargetPlan({ set, seed: 1 });
  assert.equal(plan.size, 265n);
  assert.equal(plan.length, 265);
  assert.equal(plan.ipv4Count, 261);
  const all = [...plan.iterate()];
  const addresses = new Set(all.map((t) => t.address));
  assert.equal(addresses.size, 265);
  for (const a of ['10.0.0.0', '10.0.0.255', '192.0.2.5', '192.0.2.9', '2001:db8::', '2001:db8::3']) {
    assert.ok(addresses.has(a), a);
  }
  assert.ok(!addresses.has('192.0.2.4') && !addresses.has('192.0.2.10'));
  for (const t of all) assert.equal(t.family, t.address.includes(':') ? 6 : 4);
  assert.deepEqual(
    all.map((t) => t.index),
    all.map((_, i) => i),
  );
});

test('addressAt(i) equals the i-th iterated address; ordinals map back to the same text', () => {
  const plan = createTargetPlan({ set, seed: 77, shard: { index: 1, count: 2 } });
  const all = [...plan.iterate()];
  all.forEach((t, i) => {
    assert.deepEqual(plan.addressAt(i), t);
    assert.equal(plan.formatOrdinal(plan.ordinalAt(i)), t.address);
  });
  const buf = new Uint32Array(50);
  const n = plan.fillOrdinals(100, buf);
  assert.equal(n, Math.min(50, plan.length - 100));
  for (let k = 0; k < n; k++) assert.equal(plan.formatOrdinal(buf[k]!), all[100 + k]!.address);
});

test('resume: iterate(from) continues exactly where an interrupted run stopped (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 265 }), (seed, stop) => {
      const first = createTargetPlan({ set, seed });
      const before: string[] = [];
      for (const t of first.iterate()) {
        if (t.index === stop) break;
        before.push(t.address);
      }
      // A new process rebuilds the plan from { seed, shard, index }.
      const again = createTargetPlan({ set, seed });
      const after = [...again.iterate(stop)].map((t) => t.address);
      assert.deepEqual(
        [...before, ...after],
        [...first.iterate()].map((t) => t.address),
      );
    }),
    { numRuns: 50 },
  );
});

test('host names ride along with the addresses they came from', () => {
  const plan = createTargetPlan({
    set,
    seed: 3,
    hostnames: new Map([
      ['192.0.2.7', 'dc1.corp.example'],
      ['2001:db8::2', 'v6.corp.example'],
    ]),
  });
  const named = [...plan.iterate()].filter((t) => t.hostname).map((t) => [t.address, t.hostname]);
  assert.deepEqual(
    named.sort(),
    [
      ['192.0.2.7', 'dc1.corp.example'],
      ['2001:db8::2', 'v6.corp.example'],
    ].sort(),
  );
});

test('a whole /8 plan is a bijection (numeric fast path)', () => {
  const slash8 = AddressSet.from([{ family: 4, first: 10n << 24n, last: (11n << 24n) - 1n }]);
  const plan = createTargetPlan({ set: slash8, seed: 2024 });
  const seen = new Uint8Array(1 << 21); // one bit per address
  const buf = new Uint32Array(1 << 16);
  for (let i = 0; i < plan.length; ) {
    const n = plan.fillOrdinals(i, buf);
    for (let k = 0; k < n; k++) {
      const a = plan.ipv4OfOrdinal(buf[k]!) - 0x0a000000;
      assert.ok(a >= 0 && a < 1 << 24);
      const bit = 1 << (a & 7);
      if (seen[a >>> 3]! & bit) assert.fail(`address offset ${a} planned twice`);
      seen[a >>> 3]! |= bit;
    }
    i += n;
  }
  assert.ok(seen.every((b) => b === 0xff));
});

test('empty, too large, bad shard, bad index and bad seed are typed errors', () => {
  const code = (fn: () => unknown, c: string) =>
    assert.throws(fn, (e: unknown) => e instanceof RpcsweepError && e.code === c);
  code(() => createTargetPlan({ set: AddressSet.EMPTY, seed: 1 }), 'TARGETS_EMPTY');
  code(
    () =>
      createTargetPlan({ set: AddressSet.from([{ family: 6, first: 0n, last: (1n << 64n) - 1n }]), seed: 1 }),
    'TARGETS_TOO_LARGE',
  );
  code(() => createTargetPlan({ set, seed: 1, shard: { index: 3, count: 3 } }), 'TARGETS_BAD_SHARD');
  code(() => createTargetPlan({ set, seed: 1.5 }), 'INVALID_ARGUMENT');
  const plan = createTargetPlan({ set, seed: 1 });
  code(() => plan.addressAt(265), 'INVALID_ARGUMENT');
  code(() => plan.addressAt(-1), 'INVALID_ARGUMENT');
  assert.deepEqual([...plan.iterate(265)], []);
  // 0.0.0.0/0 is exactly 2^32 addresses: allowed.
  const everything = createTargetPlan({
    set: AddressSet.from([{ family: 4, first: 0n, last: 2n ** 32n - 1n }]),
    seed: 1,
  });
  assert.equal(everything.size, 2n ** 32n);
});

test('sequential order walks the set in ascending order', () => {
  const plan = createTargetPlan({ set, seed: 1, order: 'sequential' });
  const all = [...plan.iterate()].map((t) => t.address);
  assert.deepEqual(all.slice(0, 3), ['10.0.0.0', '10.0.0.1', '10.0.0.2']);
  assert.deepEqual(all.slice(-2), ['2001:db8::2', '2001:db8::3']);
});
