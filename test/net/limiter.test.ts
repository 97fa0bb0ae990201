import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { RateLimiter } from '../../src/net/limiter.ts';

const drain = (l: RateLimiter): number => {
  let n = 0;
  while (l.tryTake()) n++;
  return n;
};

test('steady rate: tokens accrue with elapsed time', () => {
  const clock = new ManualClock();
  const l = new RateLimiter({ ratePerSecond: 100, burst: 10, clock });
  assert.equal(drain(l), 1, 'starts with one token, not a full bucket');
  let taken = 0;
  for (let i = 0; i < 100; i++) {
    clock.advance(10);
    taken += drain(l);
  }
  assert.equal(taken, 100, '1 s at 100/s gives 100 connections');
});

test('a paused clock does not burst on resume beyond the cap', () => {
  const clock = new ManualClock();
  const l = new RateLimiter({ ratePerSecond: 1000, burst: 50, clock });
  drain(l);
  clock.advance(3_600_000);
  assert.equal(drain(l), 50);
  assert.equal(drain(l), 0);
});

test('msUntilNext says how long to wait', () => {
  const clock = new ManualClock();
  const l = new RateLimiter({ ratePerSecond: 4, burst: 1, clock });
  assert.equal(l.tryTake(), true);
  assert.equal(l.msUntilNext(), 250);
  clock.advance(100);
  assert.equal(l.msUntilNext(), 150);
  clock.advance(150);
  assert.equal(l.msUntilNext(), 0);
});

test('take() sleeps through the injected sleep, never real time', async () => {
  const clock = new ManualClock();
  const l = new RateLimiter({ ratePerSecond: 10, burst: 1, clock });
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  for (let i = 0; i < 5; i++) await l.take(undefined, sleep);
  assert.deepEqual(sleeps, [100, 100, 100, 100]);
});

test('take() honours an aborted signal', async () => {
  const l = new RateLimiter({ ratePerSecond: 1, burst: 1, clock: new ManualClock() });
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await assert.rejects(
    l.take(ac.signal, async () => {}),
    /stop/,
  );
});

test('fractional rates and default burst', () => {
  const clock = new ManualClock();
  const l = new RateLimiter({ ratePerSecond: 0.5, clock });
  assert.equal(l.burst, 1);
  assert.equal(drain(l), 1);
  clock.advance(1999);
  assert.equal(drain(l), 0);
  clock.advance(1);
  assert.equal(drain(l), 1);
  assert.equal(new RateLimiter({ ratePerSecond: 5000, clock }).burst, 500);
});

test('invalid options are INVALID_ARGUMENT', () => {
  const clock = new ManualClock();
  assert.throws(() => new RateLimiter({ ratePerSecond: 0, clock }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => new RateLimiter({ ratePerSecond: Number.NaN, clock }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => new RateLimiter({ ratePerSecond: 10, burst: 0, clock }), { code: 'INVALID_ARGUMENT' });
});
