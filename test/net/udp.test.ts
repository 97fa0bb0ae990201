import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, describe, test } from 'node:test';
import { NetError } from '../../src/net/errors.ts';
import {
  closedUdpPort,
  type LoopbackUdpServer,
  startLoopbackUdpServer,
} from '../../src/net/testing/loopback.ts';
import { openUdpSession, udpRequest } from '../../src/net/udp.ts';

const servers: LoopbackUdpServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
const serve = async (onMessage: Parameters<typeof startLoopbackUdpServer>[0]['onMessage']) => {
  const s = await startLoopbackUdpServer({ onMessage });
  servers.push(s);
  return s;
};

describe('udpRequest', () => {
  test('a reply is returned with the attempt it answered', async () => {
    const s = await serve((msg, rinfo, sock) =>
      sock.send(Buffer.concat([Buffer.from('re:'), msg]), rinfo.port, rinfo.address),
    );
    const r = await udpRequest({ host: s.host, port: s.port, payload: Buffer.from('ping'), timeoutMs: 500 });
    assert.equal(r.status, 'reply');
    assert.equal(r.status === 'reply' && Buffer.from(r.datagram.bytes).toString(), 're:ping');
    assert.equal(r.attempts, 1);
  });

  test('ICMP port unreachable on a closed port → refused', async () => {
    const port = await closedUdpPort();
    const r = await udpRequest({ host: '127.0.0.1', port, payload: new Uint8Array([1]), timeoutMs: 500 });
    assert.equal(r.status, 'refused');
    assert.ok(r.status === 'refused' && r.error instanceof NetError && r.error.code === 'NET_REFUSED');
  });

  test('silence after every retry → silent, with the retries counted', async () => {
    const s = await serve(() => {});
    const r = await udpRequest({
      host: s.host,
      port: s.port,
      payload: new Uint8Array([1]),
      timeoutMs: 30,
      attempts: 3,
    });
    assert.deepEqual(r, { status: 'silent', attempts: 3 });
    assert.equal(s.received, 3);
  });

  test('the second attempt answers when the first datagram is ignored', async () => {
    let n = 0;
    const s = await serve((msg, rinfo, sock) => {
      if (++n === 2) sock.send(msg, rinfo.port, rinfo.address);
    });
    const r = await udpRequest({
      host: s.host,
      port: s.port,
      payload: new Uint8Array([7]),
      timeoutMs: 50,
      attempts: 3,
    });
    assert.equal(r.status, 'reply');
    assert.equal(r.attempts, 2);
  });

  test('accept() drops replies the probe does not want', async () => {
    const s = await serve((_m, rinfo, sock) => {
      sock.send(Buffer.from('junk'), rinfo.port, rinfo.address);
      sock.send(Buffer.from('good'), rinfo.port, rinfo.address);
    });
    const r = await udpRequest({
      host: s.host,
      port: s.port,
      payload: new Uint8Array([1]),
      timeoutMs: 300,
      accept: (d) => Buffer.from(d.bytes).toString() === 'good',
    });
    assert.equal(r.status === 'reply' && Buffer.from(r.datagram.bytes).toString(), 'good');
  });
});

describe('openUdpSession', () => {
  test('acceptFromAnyPort receives a reply from a new transfer port and can answer it (TFTP style)', async () => {
    const tid = dgram.createSocket('udp4');
    const seenOnTid: string[] = [];
    tid.on('message', (m) => seenOnTid.push(m.toString()));
    await new Promise<void>((r) => tid.bind(0, '127.0.0.1', () => r()));
    const s = await serve((_m, rinfo) => tid.send(Buffer.from('data'), rinfo.port, rinfo.address));
    const session = await openUdpSession({ host: s.host, port: s.port, acceptFromAnyPort: true });
    try {
      await session.send(Buffer.from('rrq'));
      const d = await session.receive({ timeoutMs: 500 });
      assert.equal(Buffer.from(d.bytes).toString(), 'data');
      assert.equal(d.port, tid.address().port);
      await session.send(Buffer.from('error'), d.port);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seenOnTid, ['error']);
    } finally {
      session.close();
      tid.close();
    }
  });

  test('acceptFromAnyPort still sees ICMP port unreachable from the target port', async () => {
    const port = await closedUdpPort();
    const session = await openUdpSession({ host: '127.0.0.1', port, acceptFromAnyPort: true });
    try {
      await session.send(new Uint8Array([1]));
      await assert.rejects(session.receive({ timeoutMs: 500 }), { code: 'NET_REFUSED' });
    } finally {
      session.close();
    }
  });

  test('concurrent acceptFromAnyPort sessions never share a local port', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 60 }, () =>
        openUdpSession({ host: '127.0.0.1', port: 9, acceptFromAnyPort: true }),
      ),
    );
    try {
      assert.equal(new Set(sessions.map((s) => s.localPort)).size, 60);
    } finally {
      for (const s of sessions) s.close();
    }
  });

  test('byte cap', async () => {
    const s = await serve((_m, rinfo, sock) => {
      for (let i = 0; i < 4; i++) sock.send(Buffer.alloc(600), rinfo.port, rinfo.address);
    });
    const session = await openUdpSession({ host: s.host, port: s.port, maxReceiveBytes: 1000 });
    try {
      await session.send(new Uint8Array([1]));
      await session.receive({ timeoutMs: 500 });
      await assert.rejects(session.receive({ timeoutMs: 500 }), { code: 'NET_REPLY_TOO_LARGE' });
    } finally {
      session.close();
    }
  });

  test('abort → NET_ABORTED', async () => {
    const s = await serve(() => {});
    const ac = new AbortController();
    const session = await openUdpSession({ host: s.host, port: s.port, signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await assert.rejects(session.receive({ timeoutMs: 2000 }), { code: 'NET_ABORTED' });
    session.close();
  });
});
