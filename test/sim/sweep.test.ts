import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import {
  addressAtIndex,
  CYCLE_LENGTH,
  formatIpv4,
  isOnSweep,
  nextTargetAddress,
  parseIpv4,
  probesUntil,
  sweepIndex,
} from '../../src/sim/sweep.ts';

const ip = (s: string) => parseIpv4(s)!;

test('the increment crosses /24, /16 and /8 boundaries as in blaster.md §2.2', () => {
  assert.equal(formatIpv4(nextTargetAddress(ip('1.2.3.254'))), '1.2.3.255');
  assert.equal(formatIpv4(nextTargetAddress(ip('1.2.3.255'))), '1.2.4.0');
  assert.equal(formatIpv4(nextTargetAddress(ip('1.2.254.255'))), '1.3.0.0');
  assert.equal(formatIpv4(nextTargetAddress(ip('1.254.254.255'))), '2.0.0.1');
  assert.equal(formatIpv4(nextTargetAddress(ip('0.254.254.255'))), '1.0.0.1');
});

test('wrap-around: after 254.254.254.255 the sweep continues at 0.0.0.0 and the index wraps to 0', () => {
  const last = ip('254.254.254.255');
  assert.equal(sweepIndex(last), CYCLE_LENGTH - 1);
  assert.equal(nextTargetAddress(last), 0);
  assert.equal(sweepIndex(0), 0);
  assert.equal(probesUntil(CYCLE_LENGTH - 1, 0), 1);
  assert.equal(probesUntil(5, 5), CYCLE_LENGTH, 'standing still costs a whole lap');
});

test('consecutive sweep steps have consecutive indices, from random starts and across boundaries', () => {
  const rng = createRng(42);
  const starts = [ip('0.0.0.0'), ip('9.254.250.0'), ip('254.254.254.200'), ip('126.254.254.0')];
  for (let i = 0; i < 200; i++) {
    const a = (rng.nextU32() & 0xfefe_fe00) >>> 0; // a plausible start A.B.C.0 without 255 octets
    if (a >>> 24 !== 255) starts.push(a);
  }
  for (const s of starts) {
    let a = s;
    let idx = sweepIndex(a);
    for (let k = 0; k < 2000; k++) {
      a = nextTargetAddress(a);
      assert.ok(isOnSweep(a), formatIpv4(a));
      const next = sweepIndex(a);
      assert.equal(next, (idx + 1) % CYCLE_LENGTH, `${formatIpv4(a)} after ${formatIpv4(s)}`);
      assert.equal(addressAtIndex(next), a);
      idx = next;
    }
  }
});

test('off-sweep addresses: 255 in the first three octets, and A.0.0.0 for A >= 1', () => {
  for (const s of ['1.255.0.1', '1.2.255.3', '255.1.1.1', '7.0.0.0'])
    assert.equal(isOnSweep(ip(s)), false, s);
  for (const s of ['0.0.0.0', '7.0.0.1', '7.0.0.255', '1.2.3.255']) assert.equal(isOnSweep(ip(s)), true, s);
  assert.equal(sweepIndex(ip('1.255.0.1')), -1);
  // A.0.0.0 maps to the position just before A.0.0.1: where a worm starting there stands.
  assert.equal(sweepIndex(ip('7.0.0.0')) + 1, sweepIndex(ip('7.0.0.1')));
});

test('the cycle holds every on-sweep address exactly once (index ⇄ address round trip on samples)', () => {
  const rng = createRng(7);
  for (let i = 0; i < 20_000; i++) {
    const index = rng.below(CYCLE_LENGTH);
    const a = addressAtIndex(index);
    assert.ok(isOnSweep(a));
    assert.equal(sweepIndex(a), index);
  }
  assert.equal(CYCLE_LENGTH, 255 * 255 * 255 * 256 - 254);
});

test('parseIpv4 rejects malformed text', () => {
  for (const s of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4 ']) assert.equal(parseIpv4(s), undefined, s);
});
