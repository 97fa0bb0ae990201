/**
 * A deadline that fires late because the event loop was held up lets the I/O of that turn run first
 * (src/net/deadline.ts): a connect that completed in time is not reported as a timeout.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDeadline } from '../../src/net/deadline.ts';
import { connectTcp } from '../../src/net/tcp.ts';
import { startLoopbackTcpServer } from '../../src/net/testing/loopback.ts';

/** Holds the event loop, as a burst of work or a loaded machine does. */
const stall = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('a connect that completed while the loop was stalled past its deadline is connected, not timed out', async () => {
  const server = await startLoopbackTcpServer({ onConnection: () => {} });
  try {
    // The kernel completes a loopback connect at once; the 50 ms deadline is long past when JS runs again.
    const pending = connectTcp({ host: server.host, port: server.port, timeoutMs: 50 });
    stall(200);
    const socket = await pending;
    socket.destroy();
  } finally {
    await server.close();
  }
});

test('a deadline on time expires at once; a late one after the I/O of that turn', async () => {
  const order: string[] = [];
  startDeadline(() => order.push('on time'), 5);
  await new Promise((r) => setTimeout(r, 30));
  startDeadline(() => order.push('late deadline'), 5);
  setImmediate(() => order.push('immediate queued first'));
  stall(50);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(order, ['on time', 'immediate queued first', 'late deadline']);
});
