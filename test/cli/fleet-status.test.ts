/**
 * `fleet status` without a database: the pure fold of pg-boss job rows into the scan's state,
 * address and chunk counts, per-worker rows and refusal errors (docs/fleet.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetStatus, formatEta } from '../../src/cli/commands/fleet.ts';
import type { ChunkRow } from '../../src/cli/commands/fleet-queue.ts';

let nextId = 0;
const chunk = (state: string, from: number, to: number, extra: Partial<ChunkRow> = {}): ChunkRow => ({
  id: String(nextId++),
  name: 'rpcsweep-chunks-plant-a',
  state,
  from,
  to,
  retryCount: 0,
  output: null,
  startedOn: null,
  completedOn: null,
  ...extra,
});
const done = (from: number, to: number, worker: string, elapsedMs: number, retryCount = 0) =>
  chunk('completed', from, to, { output: { worker, counts: { patched: to - from }, elapsedMs }, retryCount });
const refused = (state: string, from: number, to: number, address: string) =>
  chunk(state, from, to, {
    output: {
      worker: 'vm1:7',
      error: `worker vm1:7 refused chunk ${from}-${to} of scan 4: ${address} is outside its --allow ranges`,
    },
  });

test('a scan without chunks, or with none touched, is queued', () => {
  assert.equal(fleetStatus(4, 0, []).state, 'queued');
  const s = fleetStatus(4, 20, [chunk('created', 0, 10), chunk('created', 10, 20)]);
  assert.equal(s.state, 'queued');
  assert.deepEqual(s.addresses, { done: 0, total: 20 });
  assert.deepEqual(s.chunks, {
    total: 2,
    created: 2,
    retry: 0,
    active: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    retried: 0,
  });
  assert.deepEqual(s.workers, []);
  assert.deepEqual(s.errors, []);
});

test('running: a leased chunk, a completed one, or a chunk handed out again', () => {
  assert.equal(fleetStatus(4, 20, [chunk('active', 0, 10), chunk('created', 10, 20)]).state, 'running');
  assert.equal(fleetStatus(4, 20, [done(0, 10, 'a', 5), chunk('created', 10, 20)]).state, 'running');
  // A lease that expired puts the job back in retry: nothing active, nothing done, yet started.
  const expired = fleetStatus(4, 20, [chunk('retry', 0, 10, { retryCount: 1 }), chunk('created', 10, 20)]);
  assert.equal(expired.state, 'running');
  assert.equal(expired.chunks.retried, 1);
  assert.equal(expired.chunks.retry, 1);
});

test('done only when every chunk completed; addresses and workers come from completed chunks only', () => {
  const s = fleetStatus(4, 25, [
    done(0, 10, 'vm2:9', 4000),
    done(10, 20, 'vm1:7', 1000, 2),
    done(20, 25, 'vm2:9', 1000),
  ]);
  assert.equal(s.state, 'done');
  assert.deepEqual(s.addresses, { done: 25, total: 25 });
  assert.equal(s.chunks.completed, 3);
  assert.equal(s.chunks.retried, 1);
  // Sorted by worker name, chunks and addresses summed per worker.
  assert.deepEqual(s.workers, [
    { worker: 'vm1:7', chunks: 1, addresses: 10, elapsedMs: 1000 },
    { worker: 'vm2:9', chunks: 2, addresses: 15, elapsedMs: 5000 },
  ]);
  // An active chunk's range is not counted as done.
  const partial = fleetStatus(4, 25, [done(0, 10, 'a', 1), chunk('active', 10, 25)]);
  assert.deepEqual(partial.addresses, { done: 10, total: 25 });
  assert.notEqual(partial.state, 'done');
});

test('refusals: listed once each under errors; the scan fails only when nothing is pending', () => {
  const first = refused('retry', 0, 10, '10.9.0.3');
  const again = refused('failed', 10, 20, '10.9.0.4');
  const pending = fleetStatus(4, 30, [first, again, done(20, 30, 'vm2:9', 10)]);
  assert.equal(pending.state, 'running', 'a refused chunk waiting for another worker keeps the scan running');
  assert.equal(pending.errors.length, 2);
  assert.match(pending.errors[0]!, /refused chunk 0-10 of scan 4: 10\.9\.0\.3 is outside its --allow ranges/);

  const failed = fleetStatus(4, 30, [
    refused('failed', 0, 10, '10.9.0.3'),
    refused('failed', 10, 20, '10.9.0.3'),
    done(20, 30, 'vm2:9', 10),
  ]);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.chunks.failed, 2);
  assert.deepEqual(failed.addresses, { done: 10, total: 30 });
  // Same worker, same message text for different chunks: two distinct errors; identical ones merge.
  assert.equal(failed.errors.length, 2);
  const twice = fleetStatus(4, 20, [refused('failed', 0, 10, 'x'), refused('failed', 0, 10, 'x')]);
  assert.equal(twice.errors.length, 1);
});

test('a refusal later redone by an allowed worker is no longer an error', () => {
  // pg-boss replaces the output on completion; a completed chunk never reports an error.
  const redone = chunk('completed', 0, 10, {
    retryCount: 1,
    output: { worker: 'vm2:9', counts: {}, elapsedMs: 3, error: 'stale' },
  });
  const s = fleetStatus(4, 10, [redone]);
  assert.equal(s.state, 'done');
  assert.deepEqual(s.errors, []);
});

test('cancelled wins over every other state; a cancelled chunk is not done', () => {
  const s = fleetStatus(4, 30, [done(0, 10, 'a', 1), chunk('cancelled', 10, 20), chunk('active', 20, 30)]);
  assert.equal(s.state, 'cancelled');
  assert.equal(s.chunks.cancelled, 1);
  assert.deepEqual(s.addresses, { done: 10, total: 30 });
});

test('unknown job states are not counted in any bucket but keep the scan from being done', () => {
  const s = fleetStatus(4, 20, [done(0, 10, 'a', 1), chunk('weird', 10, 20)]);
  assert.notEqual(s.state, 'done');
  assert.equal(s.chunks.total, 2);
  assert.equal(
    s.chunks.created +
      s.chunks.retry +
      s.chunks.active +
      s.chunks.completed +
      s.chunks.failed +
      s.chunks.cancelled,
    1,
  );
});

test('rate and time left: from the first lease to now, or to the last completion once done', () => {
  const t0 = Date.UTC(2026, 11, 5, 8, 0, 0);
  const at = (s: number) => new Date(t0 + s * 1000);
  const chunks = [
    { ...done(0, 100, 'a', 1), startedOn: at(0), completedOn: at(10) },
    { ...chunk('active', 100, 200), startedOn: at(10) },
    chunk('created', 200, 400),
  ];
  const running = fleetStatus(4, 400, chunks, t0 + 20_000);
  assert.equal(running.rate, 5); // 100 addresses in 20 s
  assert.equal(running.etaSeconds, 60); // 300 left at 5/s
  const finished = fleetStatus(
    4,
    200,
    [chunks[0]!, { ...done(100, 200, 'b', 1), startedOn: at(10), completedOn: at(40) }],
    t0 + 3_600_000,
  );
  assert.equal(finished.rate, 5); // 200 in the 40 s from the first lease to the last completion
  assert.equal(finished.etaSeconds, 0);
  const untouched = fleetStatus(4, 400, [chunk('created', 0, 400)], t0);
  assert.deepEqual([untouched.rate, untouched.etaSeconds], [null, null]);
  assert.equal(formatEta(75), '1 min 15 s');
  assert.equal(formatEta(7300), '2 h 1 min');
  assert.equal(formatEta(9), '9 s');
});
