import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import { EventQueue, type PoppedEvent } from '../../src/sim/event-queue.ts';

test('pops events in time order with their payloads, interleaved with pushes', () => {
  const q = new EventQueue();
  const rng = createRng(3);
  const pending: number[] = [];
  const out = { time: 0, kind: 0, host: 0, gen: 0, a: 0, b: 0, c: 0, d: 0 };
  let last = -1;
  for (let i = 0; i < 20_000; i++) {
    if (rng.next() < 0.6 || q.size === 0) {
      const t = Math.max(last, 0) + rng.next() * 100;
      q.push(t, i % 6, i, i * 2);
      pending.push(t);
    } else {
      assert.equal(q.pop(out), true);
      assert.ok(out.time >= last, 'never goes back in time');
      assert.equal(out.gen, out.host * 2);
      assert.equal(out.kind, out.host % 6);
      last = out.time;
    }
  }
  const rest: number[] = [];
  while (q.pop(out)) rest.push(out.time);
  assert.deepEqual(
    rest,
    [...rest].sort((a, b) => a - b),
  );
  assert.equal(q.peekTime(), Number.POSITIVE_INFINITY);
});

/**
 * Pushes `count` events drawn by `draw` (given the event's number and the clock) and pops, in turn
 * (a push with probability `pushShare`), checking each pop against a reference: every pending event
 * in an array, the smallest (time, host, kind, gen) taken each time; then drains both. Returns the
 * clock at the end.
 */
const replayAgainstReference = (
  seed: number,
  count: number,
  pushShare: number,
  draw: (rng: ReturnType<typeof createRng>, i: number, now: number) => PoppedEvent,
): number => {
  const q = new EventQueue();
  const rng = createRng(seed);
  const out: PoppedEvent = { time: 0, kind: 0, host: 0, gen: 0, a: 0, b: 0, c: 0, d: 0 };
  const pending: PoppedEvent[] = [];
  const order = (a: PoppedEvent, b: PoppedEvent) =>
    a.time - b.time || a.host - b.host || a.kind - b.kind || a.gen - b.gen;
  let now = 0;
  for (let i = 0; i < count; i++) {
    if (rng.next() < pushShare || pending.length === 0) {
      const e = draw(rng, i, now);
      q.push(e.time, e.kind, e.host, e.gen, e.a, e.b, e.c, e.d);
      pending.push(e);
    } else {
      pending.sort(order);
      assert.equal(q.pop(out), true);
      assert.deepEqual(out, pending.shift());
      now = out.time;
    }
    assert.equal(q.size, pending.length);
  }
  pending.sort(order);
  for (const want of pending) {
    assert.equal(q.peekTime(), want.time);
    assert.equal(q.pop(out), true);
    assert.deepEqual(out, want);
    now = out.time;
  }
  assert.equal(q.pop(out), false);
  return now;
};

test('equal times pop by host, then kind, then generation, whatever the push order; payloads come back', () => {
  replayAgainstReference(7, 30_000, 0.55, (rng, i, now) => ({
    // times on a 0.1 s lattice computed the way the model does (ready + k · 1.8), so many tie
    time: now + rng.below(40) * 1.8 + (rng.next() < 0.3 ? 0 : rng.below(3) * 0.4),
    kind: rng.below(7),
    host: rng.below(50) - 1, // -1: the model's events without a host
    gen: i, // distinct: events equal in all of time, host, kind and generation pop in no set order
    a: rng.below(2_000_000), // the payload comes back as pushed
    b: rng.below(10_000) - 1,
    c: (rng.next() * 2 ** 32) | 0, // any 32-bit word
    d: rng.below(2) === 0 ? -1 : rng.below(1000),
  }));
});

test('times spread over many binades (0 to days, and beyond the horizon) still pop in order', () => {
  const q = new EventQueue();
  const rng = createRng(8);
  const out = { time: 0, kind: 0, host: 0, gen: 0, a: 0, b: 0, c: 0, d: 0 };
  const times = [0, 0, 1e-9, 0.5, Number.POSITIVE_INFINITY, 3600 * 1e6];
  for (let i = 0; i < 5000; i++) times.push(rng.next() ** 8 * 1e6);
  for (const [i, t] of times.entries()) q.push(t, 0, i, 0);
  const popped: number[] = [];
  while (q.pop(out)) popped.push(out.time);
  assert.deepEqual(
    popped,
    [...times].sort((a, b) => a - b),
  );
  assert.throws(() => q.push(-1, 0, 0, 0), RangeError);
  assert.throws(() => q.push(Number.NaN, 0, 0, 0), RangeError);
});

test('events hours and days ahead, pushed while others pop, come out in full order', () => {
  // Far enough ahead to pass through every level of the queue (72 h is the model's usual horizon;
  // a week and more here).
  const end = replayAgainstReference(11, 40_000, 0.52, (rng, i, now) => {
    const scale = [1, 60, 3600, 86_400][rng.below(4)]!;
    return {
      time: now + rng.below(200) * 1.8 * (scale / 60) + (rng.next() < 0.5 ? 0 : rng.next() * scale),
      kind: rng.below(7),
      host: rng.below(30),
      gen: i,
      a: i,
      b: 0,
      c: 0,
      d: 0,
    };
  });
  assert.ok(end > 7 * 86_400, `the clock reached ${end} s`);
});
