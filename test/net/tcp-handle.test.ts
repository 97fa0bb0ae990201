/**
 * The TCP-handle connect path (src/net/tcp-handle.ts) against loopback: it is there on this Node,
 * and it ends every way net.connect ends (connected socket that exchanges data, refusal, cancel).
 * Timeouts on silent addresses are covered end to end by the root lab tests (nftables drops).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { connectHandle, type HandleConnectResult, handleConnectAvailable } from '../../src/net/tcp-handle.ts';
import {
  closedTcpPort,
  type LoopbackTcpServer,
  startLoopbackTcpServer,
} from '../../src/net/testing/loopback.ts';

const servers: LoopbackTcpServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const connectOnce = (host: string, port: number, timeoutMs = 2000, onread?: net.OnReadOpts) =>
  new Promise<HandleConnectResult>((resolve) => {
    connectHandle(host, port, timeoutMs, onread && (() => onread), resolve);
  });

test('Node 20 offers the tcp_wrap binding the fast path needs', () => {
  assert.equal(handleConnectAvailable, true);
});

test('a connected handle becomes a working net.Socket reading through onread', async () => {
  const echo = await startLoopbackTcpServer({ onConnection: (s) => s.on('data', (d) => s.write(d)) });
  servers.push(echo);
  const chunks: string[] = [];
  const got = new Promise<void>((resolve) => {
    const onread = {
      buffer: Buffer.alloc(1024),
      callback: (n: number, b: Buffer) => {
        chunks.push(b.subarray(0, n).toString());
        resolve();
        return true;
      },
    };
    void connectOnce(echo.host, echo.port, 2000, onread).then((r) => {
      assert.equal(r.kind, 'connected');
      if (r.kind !== 'connected') return;
      assert.equal(r.socket.remotePort, echo.port);
      r.socket.write('ping');
      void got.then(() => r.socket.destroy());
    });
  });
  await got;
  assert.deepEqual(chunks, ['ping']);
});

test('a refused connect fails with the errno net.connect reports', async () => {
  const port = await closedTcpPort('127.0.0.1');
  const viaHandle = await connectOnce('127.0.0.1', port);
  const viaNet = await new Promise<string>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
  });
  assert.deepEqual(viaHandle, { kind: 'failed', errno: viaNet });
  assert.equal(viaNet, 'ECONNREFUSED');
});

test('cancel settles once, as aborted; a late completion is ignored', async () => {
  const s = await startLoopbackTcpServer({ onConnection: () => {} });
  servers.push(s);
  const results: HandleConnectResult[] = [];
  const cancel = connectHandle(s.host, s.port, 2000, undefined, (r) => results.push(r));
  cancel();
  cancel();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(results, [{ kind: 'aborted' }]);
});

test('IPv6 literals connect through connect6', async (t) => {
  const server = net.createServer((c) => c.end());
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => resolve(true));
  });
  if (!listening) {
    t.skip('no IPv6 loopback on this machine');
    return;
  }
  try {
    const port = (server.address() as net.AddressInfo).port;
    const r = await connectOnce('::1', port);
    assert.equal(r.kind, 'connected');
    if (r.kind === 'connected') r.socket.destroy();
  } finally {
    server.close();
  }
});
