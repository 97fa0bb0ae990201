/** One contract, two implementations: real sockets on loopback and the scripted FakeTransport. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { NetError } from '../../src/net/errors.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import {
  closedTcpPort,
  type LoopbackTcpServer,
  startLoopbackTcpServer,
} from '../../src/net/testing/loopback.ts';
import { nodeTransport, type Transport } from '../../src/net/transport.ts';

const lengthByte = (b: Uint8Array) => b[0]!;
const ECHO_REPLY = new Uint8Array([4, 0xaa, 0xbb, 0xcc]);

interface Peers {
  transport: Transport;
  replying: { host: string; port: number };
  silent: { host: string; port: number };
  closing: { host: string; port: number };
  /** Sends 3 bytes of a 5-byte message, then closes (FIN). */
  cutting: { host: string; port: number };
  closed: { host: string; port: number };
  bannered: { host: string; port: number };
}

const transportContract = (name: string, make: () => Promise<Peers>) => {
  describe(`Transport contract: ${name}`, () => {
    let peers: Peers;
    test('setup', async () => {
      peers = await make();
    });
    test('refused', async () => {
      await assert.rejects(peers.transport.openTcp({ ...peers.closed, timeoutMs: 1000 }), {
        code: 'NET_REFUSED',
      });
    });
    test('request and reply', async () => {
      const s = await peers.transport.openTcp({ ...peers.replying, timeoutMs: 1000 });
      await s.send(new Uint8Array([1, 2]));
      assert.deepEqual([...(await s.receive(lengthByte, { timeoutMs: 500 }))], [...ECHO_REPLY]);
      assert.equal(s.bytesReceived, 4);
      s.reset();
    });
    test('silence is a read timeout', async () => {
      const s = await peers.transport.openTcp({ ...peers.silent, timeoutMs: 1000 });
      await s.send(new Uint8Array([1]));
      await assert.rejects(s.receive(lengthByte, { timeoutMs: 30 }), { code: 'NET_READ_TIMEOUT' });
      s.reset();
    });
    test('close before a reply', async () => {
      const s = await peers.transport.openTcp({ ...peers.closing, timeoutMs: 1000 });
      await s.send(new Uint8Array([1]));
      await assert.rejects(s.receive(lengthByte, { timeoutMs: 500 }), (e: NetError) => {
        assert.equal(e.code, 'NET_CLOSED');
        assert.equal(e.incomplete, undefined, 'no bytes came');
        return true;
      });
      s.reset();
    });
    test('close inside a message: NET_CLOSED hands over the bytes that came', async () => {
      const s = await peers.transport.openTcp({ ...peers.cutting, timeoutMs: 1000 });
      await s.send(new Uint8Array([1]));
      await assert.rejects(s.receive(lengthByte, { timeoutMs: 1000 }), (e: NetError) => {
        assert.equal(e.code, 'NET_CLOSED');
        assert.match(e.message, /after 3 byte\(s\) of an incomplete reply/);
        assert.deepEqual([...(e.incomplete ?? [])], [5, 1, 2]);
        return true;
      });
      s.reset();
    });
    test('a followed signal aborts the session', async () => {
      const s = await peers.transport.openTcp({ ...peers.silent, timeoutMs: 1000 });
      const owner = new AbortController();
      s.follow(owner.signal);
      await s.send(new Uint8Array([1]));
      owner.abort();
      await assert.rejects(s.receive(lengthByte, { timeoutMs: 500 }), { code: 'NET_ABORTED' });
      s.reset();
    });
    test('banner collect', async () => {
      const s = await peers.transport.openTcp({ ...peers.bannered, timeoutMs: 1000 });
      const r = await s.collect({ durationMs: 50 });
      assert.equal(Buffer.from(r.bytes).toString(), 'C:\\>');
      s.reset();
    });
  });
};

const servers: LoopbackTcpServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

transportContract('loopback sockets', async () => {
  const mk = async (onConnection: Parameters<typeof startLoopbackTcpServer>[0]['onConnection']) => {
    const s = await startLoopbackTcpServer({ onConnection });
    servers.push(s);
    return { host: s.host, port: s.port };
  };
  return {
    transport: nodeTransport,
    replying: await mk((sock) => sock.on('data', () => sock.write(ECHO_REPLY))),
    silent: await mk(() => {}),
    closing: await mk((sock) => sock.on('data', () => sock.end())),
    cutting: await mk((sock) => sock.on('data', () => sock.end(Buffer.from([5, 1, 2])))),
    closed: { host: '127.0.0.1', port: await closedTcpPort() },
    bannered: await mk((sock) => sock.write('C:\\>')),
  };
});

transportContract('FakeTransport', async () => {
  const fake = new FakeTransport()
    .tcp('192.0.2.1', 135, { steps: [{ reply: ECHO_REPLY }] })
    .tcp('192.0.2.2', 135, { steps: [{ silence: true }] })
    .tcp('192.0.2.3', 135, { steps: [{ close: true }] })
    .tcp('192.0.2.6', 135, { steps: [{ reply: () => ({ bytes: Uint8Array.of(5, 1, 2), close: true }) }] })
    .tcp('192.0.2.5', 4444, { banner: Buffer.from('C:\\>'), steps: [] });
  return {
    transport: fake,
    replying: { host: '192.0.2.1', port: 135 },
    silent: { host: '192.0.2.2', port: 135 },
    closing: { host: '192.0.2.3', port: 135 },
    cutting: { host: '192.0.2.6', port: 135 },
    closed: { host: '192.0.2.4', port: 135 },
    bannered: { host: '192.0.2.5', port: 4444 },
  };
});

test('FakeTransport records what was sent and scripted connect failures', async () => {
  const fake = new FakeTransport()
    .tcp('192.0.2.9', 135, { connect: 'local-resources' })
    .tcp('192.0.2.10', 135, { connect: 'timeout' })
    .udp('192.0.2.11', 137, { reply: (req) => [{ bytes: req.slice().reverse() }] });
  await assert.rejects(fake.openTcp({ host: '192.0.2.9', port: 135, timeoutMs: 10 }), {
    code: 'NET_LOCAL_RESOURCES',
  });
  await assert.rejects(fake.openTcp({ host: '192.0.2.10', port: 135, timeoutMs: 10 }), {
    code: 'NET_CONNECT_TIMEOUT',
  });
  const u = await fake.openUdp({ host: '192.0.2.11', port: 137 });
  await u.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await u.receive({ timeoutMs: 10 })).bytes], [3, 2, 1]);
  u.close();
  const refused = await fake.openUdp({ host: '192.0.2.12', port: 69 });
  await refused.send(new Uint8Array([0]));
  await assert.rejects(refused.receive({ timeoutMs: 10 }), { code: 'NET_REFUSED' });
  assert.equal(fake.sent.length, 2);
  assert.deepEqual(
    fake.sent.map((s) => `${s.transport}:${s.address}:${s.port}`),
    ['udp:192.0.2.11:137', 'udp:192.0.2.12:69'],
  );
});
