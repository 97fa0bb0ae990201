import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { NetError } from '../../src/net/errors.ts';
import { TaskPool } from '../../src/net/pool.ts';

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};
const tick = () => new Promise((r) => setImmediate(r));
const emfile = () =>
  new NetError({
    code: 'NET_LOCAL_RESOURCES',
    op: 'connect',
    transport: 'tcp',
    address: '127.0.0.1',
    port: 135,
    detail: 'local resources exhausted (EMFILE)',
  });

test('never runs more than maxInFlight at once and runs everything', async () => {
  const pool = new TaskPool({ maxInFlight: 3 });
  let running = 0;
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      pool.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        return i * 2;
      }),
    ),
  );
  assert.equal(peak, 3);
  assert.deepEqual(
    results,
    Array.from({ length: 20 }, (_, i) => i * 2),
  );
  assert.equal(pool.size, 0);
});

test('onSizeBelow resolves when the backlog drains below n', async () => {
  const pool = new TaskPool({ maxInFlight: 2 });
  const gates = Array.from({ length: 5 }, () => deferred());
  for (const g of gates) pool.run(() => g.promise);
  assert.equal(pool.size, 5);
  let fired = false;
  const below = pool.onSizeBelow(3).then(() => (fired = true));
  gates[0]!.resolve();
  await tick();
  assert.equal(fired, false, 'size 4 is not below 3');
  gates[1]!.resolve();
  gates[2]!.resolve();
  await below;
  assert.ok(pool.size < 3);
  gates[3]!.resolve();
  gates[4]!.resolve();
  await pool.onIdle();
  assert.equal(pool.size, 0);
});

test('task errors other than local resources reach the caller unchanged', async () => {
  const pool = new TaskPool({ maxInFlight: 1 });
  await assert.rejects(
    pool.run(async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  await assert.rejects(
    pool.run(() => {
      throw new Error('sync boom');
    }),
    /sync boom/,
  );
  assert.equal(pool.size, 0);
});

test('NET_LOCAL_RESOURCES lowers the cap, retries the task and never drops it', async () => {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const backoffs: number[] = [];
  const pool = new TaskPool({
    maxInFlight: 8,
    clock,
    localBackoffMs: 500,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onLocalBackoff: ({ cap }) => backoffs.push(cap),
  });
  const gates = Array.from({ length: 7 }, () => deferred());
  for (const g of gates) pool.run(() => g.promise);
  let attempts = 0;
  const flaky = pool.run(async () => {
    attempts++;
    if (attempts < 3) throw emfile();
    return 'done';
  });
  await tick();
  await tick();
  assert.ok(pool.cap < 8, `cap lowered to ${pool.cap}`);
  assert.equal(backoffs[0], 4, 'halved from the 8 running when it failed');
  for (const g of gates) g.resolve();
  assert.equal(await flaky, 'done');
  assert.equal(attempts, 3);
  assert.equal(pool.localRetries, 2);
  assert.deepEqual(sleeps, [20, 40]);
  // The cap grows back only once the back-off period has passed.
  const capBefore = pool.cap;
  await pool.run(async () => 1);
  assert.equal(pool.cap, capBefore);
  clock.advance(600);
  await pool.run(async () => 1);
  assert.ok(pool.cap > capBefore);
});

test('after maxLocalRetries the local error is surfaced, not swallowed', async () => {
  const pool = new TaskPool({ maxInFlight: 2, maxLocalRetries: 3, sleep: async () => {} });
  let attempts = 0;
  await assert.rejects(
    pool.run(async () => {
      attempts++;
      throw emfile();
    }),
    { code: 'NET_LOCAL_RESOURCES' },
  );
  assert.equal(attempts, 4);
  assert.equal(pool.size, 0);
});

test('invalid maxInFlight', () => {
  assert.throws(() => new TaskPool({ maxInFlight: 0 }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => new TaskPool({ maxInFlight: 1.5 }), { code: 'INVALID_ARGUMENT' });
});
