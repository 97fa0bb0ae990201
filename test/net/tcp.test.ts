import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NetError, toNetError } from '../../src/net/errors.ts';
import { connectTcp, type Framer, openTcpSession } from '../../src/net/tcp.ts';
import {
  closedTcpPort,
  type LoopbackTcpServer,
  startLoopbackTcpServer,
} from '../../src/net/testing/loopback.ts';

/** A length-prefixed framer: first byte = total length of the message (including that byte). */
const lengthByte: Framer = (b) => b[0]!;
/** DCE/RPC-like framer: frag_length u16 LE at offset 8 once 10 bytes are in. */
const fragLength: Framer = (b) => (b.length < 10 ? 0 : b[8]! | (b[9]! << 8));

const servers: LoopbackTcpServer[] = [];
const serve = async (onConnection: Parameters<typeof startLoopbackTcpServer>[0]['onConnection']) => {
  const s = await startLoopbackTcpServer({ onConnection });
  servers.push(s);
  return s;
};
after(async () => {
  for (const s of servers) await s.close();
});

const rejectsWith = async (p: Promise<unknown>, code: string, message?: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof NetError, `expected NetError, got ${e}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
};

describe('connectTcp', () => {
  test('refused on a closed loopback port', async () => {
    const port = await closedTcpPort('127.0.0.1');
    await rejectsWith(
      connectTcp({ host: '127.0.0.1', port, timeoutMs: 2000 }),
      'NET_REFUSED',
      new RegExp(`^connect tcp 127\\.0\\.0\\.1:${port}: connection refused$`),
    );
  });

  test('connects to an open port and exposes the NetError fields on failure', async () => {
    const s = await serve((sock) => sock.end());
    const socket = await connectTcp({ host: s.host, port: s.port, timeoutMs: 2000 });
    assert.equal(socket.remotePort, s.port);
    socket.resetAndDestroy();
    const closed = await closedTcpPort();
    const e = await connectTcp({ host: '127.0.0.1', port: closed, timeoutMs: 2000 }).catch((x) => x);
    assert.ok(e instanceof NetError);
    assert.deepEqual([e.op, e.transport, e.address, e.port], ['connect', 'tcp', '127.0.0.1', closed]);
    assert.equal((e.cause as { code?: string }).code, 'ECONNREFUSED');
  });

  test('aborted before connect', async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(
      connectTcp({ host: '127.0.0.1', port: 1, timeoutMs: 1000, signal: ac.signal }),
      'NET_ABORTED',
    );
  });

  test('rejects an out-of-range timeout with INVALID_ARGUMENT', () => {
    assert.throws(() => connectTcp({ host: '127.0.0.1', port: 1, timeoutMs: 0 }), {
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('TcpSession exchanges', () => {
  test('request/response with a framer, leftovers stay buffered', async () => {
    const s = await serve((sock) => sock.on('data', () => sock.write(Buffer.from([3, 1, 2, 2, 9]))));
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    await session.send(new Uint8Array([1]));
    assert.deepEqual([...(await session.receive(lengthByte, { timeoutMs: 1000 }))], [3, 1, 2]);
    assert.deepEqual([...(await session.receive(lengthByte, { timeoutMs: 1000 }))], [2, 9]);
    assert.equal(session.bytesReceived, 5);
    session.reset();
  });

  test('a reply split into single bytes reassembles', async () => {
    const reply = [12, 0, 0, 0, 0, 0, 0, 0, 12, 0, 7, 8];
    const s = await serve((sock) =>
      sock.on('data', async () => {
        for (const b of reply) {
          sock.write(Buffer.from([b]));
          await new Promise((r) => setImmediate(r));
        }
      }),
    );
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    await session.send(new Uint8Array([0]));
    assert.deepEqual([...(await session.receive(fragLength, { timeoutMs: 2000 }))], reply);
    session.reset();
  });

  test('tarpit: accepts and never answers → NET_READ_TIMEOUT within the step deadline', async () => {
    const s = await serve(() => {});
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    await session.send(new Uint8Array([1, 2, 3]));
    const t0 = performance.now();
    await rejectsWith(
      session.receive(lengthByte, { timeoutMs: 60 }),
      'NET_READ_TIMEOUT',
      /timed out after 60 ms/,
    );
    const took = performance.now() - t0;
    assert.ok(took >= 55 && took < 1000, `took ${took} ms`);
    session.reset();
  });

  test('slow drip: data does not extend the deadline', async () => {
    const s = await serve((sock) => {
      const timer = setInterval(() => sock.writable && sock.write(Buffer.from([0])), 10);
      sock.on('close', () => clearInterval(timer));
    });
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    const t0 = performance.now();
    await rejectsWith(
      session.receive(fragLength, { timeoutMs: 120 }),
      'NET_READ_TIMEOUT',
      /incomplete reply buffered/,
    );
    assert.ok(performance.now() - t0 < 1000);
    assert.ok(session.bytesReceived > 0, 'some drip bytes arrived');
    session.reset();
  });

  test('reset mid-exchange → NET_RESET', async () => {
    const s = await serve((sock) =>
      sock.on('data', () => {
        sock.write(Buffer.from([9, 9]));
        setTimeout(() => sock.resetAndDestroy(), 5);
      }),
    );
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    await session.send(new Uint8Array([1]));
    await rejectsWith(session.receive(lengthByte, { timeoutMs: 2000 }), 'NET_RESET');
    await rejectsWith(session.send(new Uint8Array([1])), 'NET_RESET');
  });

  test('peer closes before a whole reply → NET_CLOSED', async () => {
    const s = await serve((sock) => sock.on('data', () => sock.end(Buffer.from([5, 1]))));
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    await session.send(new Uint8Array([1]));
    await rejectsWith(session.receive(lengthByte, { timeoutMs: 2000 }), 'NET_CLOSED', /after 2 byte/);
    session.close();
  });

  test('giant announced length fails at once with NET_REPLY_TOO_LARGE', async () => {
    const s = await serve((sock) =>
      sock.on('data', () => sock.write(Buffer.from([5, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]))),
    );
    const session = await openTcpSession({
      host: s.host,
      port: s.port,
      timeoutMs: 2000,
      maxReceiveBytes: 4096,
    });
    await session.send(new Uint8Array([1]));
    const t0 = performance.now();
    await rejectsWith(
      session.receive(fragLength, { timeoutMs: 5000 }),
      'NET_REPLY_TOO_LARGE',
      /65535-byte reply/,
    );
    assert.ok(performance.now() - t0 < 1000, 'did not wait for the deadline');
  });

  test('endless stream is cut at the byte cap', async () => {
    const s = await serve((sock) => {
      const chunk = Buffer.alloc(1024, 0x41);
      const timer = setInterval(() => sock.writable && sock.write(chunk), 1);
      sock.on('close', () => clearInterval(timer));
    });
    const session = await openTcpSession({
      host: s.host,
      port: s.port,
      timeoutMs: 2000,
      maxReceiveBytes: 8192,
    });
    // A framer that never finds an end (endless fragments).
    await rejectsWith(
      session.receive(() => 0, { timeoutMs: 5000 }),
      'NET_REPLY_TOO_LARGE',
      /more than 8192 bytes/,
    );
    assert.ok(session.bytesReceived > 8192);
  });

  test('a framer that throws rejects the receive with its own error', async () => {
    const s = await serve((sock) => sock.write(Buffer.from([1, 2, 3])));
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000 });
    await assert.rejects(
      session.receive(
        () => {
          throw new Error('bad header');
        },
        { timeoutMs: 1000 },
      ),
      /bad header/,
    );
    session.reset();
  });

  test('abort during a receive → NET_ABORTED', async () => {
    const s = await serve(() => {});
    const ac = new AbortController();
    const session = await openTcpSession({ host: s.host, port: s.port, timeoutMs: 2000, signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await rejectsWith(session.receive(lengthByte, { timeoutMs: 5000 }), 'NET_ABORTED');
  });

  test('a signal the session follows aborts a receive in flight, as its own would', async () => {
    const s = await serve(() => {});
    const scanSignal = new AbortController();
    const session = await openTcpSession({
      host: s.host,
      port: s.port,
      timeoutMs: 2000,
      signal: scanSignal.signal,
    });
    const host = new AbortController();
    session.follow(host.signal);
    const t0 = performance.now();
    setTimeout(() => host.abort(), 50);
    await rejectsWith(session.receive(lengthByte, { timeoutMs: 5000 }), 'NET_ABORTED', /^receive tcp/);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(scanSignal.signal.aborted, false);
  });

  test('collect returns a banner on quiet, on close and on until()', async () => {
    const banner = 'Microsoft Windows XP [Version 5.1.2600]\r\n';
    const quiet = await serve((sock) => sock.write(banner));
    const a = await openTcpSession({ host: quiet.host, port: quiet.port, timeoutMs: 2000 });
    const ra = await a.collect({ durationMs: 80 });
    assert.equal(Buffer.from(ra.bytes).toString(), banner);
    assert.equal(ra.ended, 'deadline');
    a.reset();

    const closing = await serve((sock) => sock.end(banner));
    const b = await openTcpSession({ host: closing.host, port: closing.port, timeoutMs: 2000 });
    const rb = await b.collect({ durationMs: 2000 });
    assert.equal(rb.ended, 'closed');
    assert.equal(Buffer.from(rb.bytes).toString(), banner);
    b.reset();

    const c = await openTcpSession({ host: quiet.host, port: quiet.port, timeoutMs: 2000 });
    const rc = await c.collect({ durationMs: 2000, until: (buf) => buf.includes(0x0a) });
    assert.equal(rc.ended, 'until');
    c.reset();

    const silent = await serve(() => {});
    const d = await openTcpSession({ host: silent.host, port: silent.port, timeoutMs: 2000 });
    const rd = await d.collect({ durationMs: 30, maxBytes: 10 });
    assert.equal(rd.bytes.length, 0);
    assert.equal(rd.ended, 'deadline');
    d.reset();
  });
});

describe('error normalisation', () => {
  const where = { op: 'connect' as const, transport: 'tcp' as const, address: '127.0.0.5', port: 135 };
  for (const [errno, code] of [
    ['EMFILE', 'NET_LOCAL_RESOURCES'],
    ['ENFILE', 'NET_LOCAL_RESOURCES'],
    ['EADDRNOTAVAIL', 'NET_LOCAL_RESOURCES'],
    ['ENOBUFS', 'NET_LOCAL_RESOURCES'],
    ['ENOMEM', 'NET_LOCAL_RESOURCES'],
    ['ECONNREFUSED', 'NET_REFUSED'],
    ['EHOSTUNREACH', 'NET_UNREACHABLE'],
    ['ENETUNREACH', 'NET_UNREACHABLE'],
    ['ECONNRESET', 'NET_RESET'],
  ] as const) {
    test(`${errno} → ${code}`, () => {
      const cause = Object.assign(new Error(`connect ${errno}`), { code: errno });
      const e = toNetError(cause, where);
      assert.equal(e.code, code);
      assert.equal(e.cause, cause);
      assert.equal(e.local, code === 'NET_LOCAL_RESOURCES');
      assert.match(e.message, /^connect tcp 127\.0\.0\.5:135: /);
    });
  }
  test('IPv6 addresses are bracketed', () => {
    const e = toNetError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), {
      ...where,
      address: '::1',
    });
    assert.match(e.message, /^connect tcp \[::1\]:135: connection refused$/);
  });
});

test('a write the peer never takes (zero window) fails with NET_WRITE_TIMEOUT, not NET_READ_TIMEOUT', async () => {
  const s = await serve((socket) => socket.pause());
  const session = await openTcpSession({ host: '127.0.0.1', port: s.port, timeoutMs: 2000 });
  try {
    // Far more than the socket buffers on both sides hold: the write cannot flush.
    await rejectsWith(
      session.send(new Uint8Array(64 * 1024 * 1024), { timeoutMs: 300 }),
      'NET_WRITE_TIMEOUT',
      /write not flushed after 300 ms/,
    );
  } finally {
    session.reset();
  }
});
