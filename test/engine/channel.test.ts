/** The bounded result channel: how many hosts start between two turns of the event loop. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedResults } from '../../src/engine/channel.ts';
import { TaskPool } from '../../src/net/index.ts';

test('channels of one thread together start at most 64 tasks per turn of the event loop', async () => {
  let started = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  // Three engines of 40 hosts each, as a benchmark or an audit running several at once would.
  const channels = [0, 1, 2].map(() =>
    boundedResults<number>({
      order: Array.from({ length: 40 }, (_, i) => i),
      pool: new TaskPool({ maxInFlight: 100 }),
      concurrency: 100,
      run: async (i) => {
        started++;
        await gate;
        return i;
      },
      onError: () => undefined,
    }),
  );
  const firstTurn = new Promise<number>((r) => setImmediate(() => r(started)));
  const drained = channels.map(async (c) => {
    let n = 0;
    for await (const _ of c) n++;
    return n;
  });
  const inFirstTurn = await firstTurn;
  assert.ok(inFirstTurn > 0 && inFirstTurn <= 64, `${inFirstTurn} tasks started in the first turn`);
  open();
  assert.deepEqual(await Promise.all(drained), [40, 40, 40]);
  assert.equal(started, 120);
});
