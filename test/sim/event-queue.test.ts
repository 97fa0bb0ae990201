import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.ts';
import { EventQueue } from '../../src/sim/event-queue.ts';

test('pops events in time order with their payloads, interleaved with pushes', () => {
  const q = new EventQueue();
  const rng = createRng(3);
  const pending: number[] = [];
  const out = { time: 0, kind: 0, host: 0, gen: 0 };
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
