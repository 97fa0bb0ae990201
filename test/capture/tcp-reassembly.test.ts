import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpSegment } from '../../src/capture/packet.ts';
import { type Direction, type TcpConnection, TcpReassembler } from '../../src/capture/tcp-reassembly.ts';
import { createRng } from '../../src/core/random.ts';

interface Event {
  conn: number;
  kind: 'data' | 'gap' | 'end';
  from?: Direction;
  text?: string;
  lost?: number;
  frame?: number;
}

const harness = (options = {}) => {
  const events: Event[] = [];
  const conns: TcpConnection[] = [];
  const r = new TcpReassembler((c) => {
    conns.push(c);
    return {
      data: (from, bytes, frame) =>
        events.push({ conn: c.id, kind: 'data', from, text: new TextDecoder().decode(bytes), frame }),
      gap: (from, lost, frame) => events.push({ conn: c.id, kind: 'gap', from, lost, frame }),
      end: () => events.push({ conn: c.id, kind: 'end' }),
    };
  }, options);
  let frame = 0;
  const push = (s: Partial<TcpSegment> & { text?: string }) => {
    const payload = new TextEncoder().encode(s.text ?? '');
    r.push(
      {
        src: s.src ?? '10.0.0.1',
        dst: s.dst ?? '10.0.0.2',
        srcPort: s.srcPort ?? 50000,
        dstPort: s.dstPort ?? 135,
        seq: s.seq ?? 0,
        ack: 0,
        flags: s.flags ?? 0x18,
        payload,
        wireLength: s.wireLength ?? payload.length,
      },
      ++frame,
    );
  };
  const text = (from: Direction, conn = 0) =>
    events
      .filter((e) => e.conn === conn && e.from === from)
      .map((e) => (e.kind === 'gap' ? `<gap ${e.lost}>` : e.text))
      .join('');
  return { r, push, events, conns, text };
};

const server = { src: '10.0.0.2', dst: '10.0.0.1', srcPort: 135, dstPort: 50000 };

test('handshake, both directions in order, roles from the SYN', () => {
  const h = harness();
  h.push({ seq: 999, flags: 0x02 });
  h.push({ ...server, seq: 4999, flags: 0x12 });
  h.push({ seq: 1000, text: 'bind' });
  h.push({ ...server, seq: 5000, text: 'ack' });
  h.push({ seq: 1004, text: 'req' });
  h.r.finish();
  assert.equal(h.text('client'), 'bindreq');
  assert.equal(h.text('server'), 'ack');
  assert.equal(h.conns.length, 1);
  assert.equal(h.conns[0]!.client.port, 50000);
  assert.equal(h.conns[0]!.sawHandshake, true);
  assert.equal(h.events.at(-1)!.kind, 'end');
});

test('retransmissions and overlaps: first copy wins, nothing is delivered twice', () => {
  const h = harness();
  h.push({ seq: 100, text: 'abcd' });
  h.push({ seq: 100, text: 'abcd' }); // full retransmission
  h.push({ seq: 102, text: 'cdef' }); // overlap
  h.push({ seq: 100, text: 'XXXXXXgh' }); // overlap with different old bytes
  h.r.finish();
  assert.equal(h.text('client'), 'abcdefgh');
});

test('out-of-order segments wait for the gap; the frame that fills it is last', () => {
  const h = harness();
  h.push({ seq: 0, text: 'aa' }); // frame 1
  h.push({ seq: 4, text: 'cc' }); // frame 2, early
  h.push({ seq: 6, text: 'dd' }); // frame 3, early
  h.push({ seq: 2, text: 'bb' }); // frame 4 fills the gap
  h.r.finish();
  assert.equal(h.text('client'), 'aabbccdd');
  const data = h.events.filter((e) => e.kind === 'data');
  assert.deepEqual(
    data.map((e) => e.frame),
    [1, 4, 2, 3],
  );
});

test('a gap that never fills is reported at the end, then the rest is delivered', () => {
  const h = harness();
  h.push({ seq: 0, text: 'aa' });
  h.push({ seq: 10, text: 'zz' });
  h.r.finish();
  assert.equal(h.text('client'), 'aa<gap 8>zz');
});

test('out-of-order bound: past maxOutOfOrderBytes the gap is declared lost', () => {
  const h = harness({ maxOutOfOrderBytes: 4 });
  h.push({ seq: 0, text: 'a' });
  h.push({ seq: 5, text: 'bbb' });
  assert.equal(h.text('client'), 'a');
  h.push({ seq: 8, text: 'cc' }); // 5 bytes waiting > 4
  assert.equal(h.text('client'), 'a<gap 4>bbbcc');
});

test('snap-length cut segments become gaps of the missing length', () => {
  const h = harness();
  h.push({ seq: 0, text: 'ab', wireLength: 6 });
  h.push({ seq: 6, text: 'cd' });
  h.r.finish();
  assert.equal(h.text('client'), 'ab<gap 4>cd');
});

test('sequence numbers wrap around 2^32', () => {
  const h = harness();
  h.push({ seq: 0xfffffffe, text: 'ab' });
  h.push({ seq: 2, text: 'ef' });
  h.push({ seq: 0, text: 'cd' });
  h.r.finish();
  assert.equal(h.text('client'), 'abcdef');
});

test('capture starting mid-connection: lower port is the server', () => {
  const h = harness();
  h.push({ ...server, seq: 7, text: 'resp' });
  h.push({ seq: 70, text: 'req' });
  h.r.finish();
  assert.equal(h.conns[0]!.server.port, 135);
  assert.equal(h.text('server'), 'resp');
  assert.equal(h.text('client'), 'req');
});

test('port reuse: a new SYN after the old connection ended opens a new connection', () => {
  const h = harness();
  h.push({ seq: 0, flags: 0x02 });
  h.push({ seq: 1, text: 'one', flags: 0x19 });
  h.push({ ...server, seq: 0, flags: 0x11 });
  h.push({ seq: 500, flags: 0x02 });
  h.push({ seq: 501, text: 'two' });
  h.r.finish();
  assert.equal(h.conns.length, 2);
  assert.equal(h.text('client', 0), 'one');
  assert.equal(h.text('client', 1), 'two');
});

test('connection table bound: the oldest is flushed and ended', () => {
  const h = harness({ maxConnections: 2 });
  for (let p = 1; p <= 3; p++) h.push({ srcPort: 40000 + p, seq: 0, text: `c${p}` });
  assert.deepEqual(
    h.events.filter((e) => e.kind === 'end').map((e) => e.conn),
    [0],
  );
  h.r.finish();
  assert.equal(h.events.filter((e) => e.kind === 'end').length, 3);
});

test('connection table bound: without traffic in between, eviction follows creation order, skipping connections already replaced', () => {
  const h = harness({ maxConnections: 2 });
  const ends = () => h.events.filter((e) => e.kind === 'end').map((e) => e.conn);
  h.push({ srcPort: 40001, seq: 99, flags: 0x02 }); // conn 0
  h.push({ srcPort: 40002, seq: 0, text: 'b' }); // conn 1
  h.push({ srcPort: 40001, seq: 4999, flags: 0x02 }); // a new SYN on conn 0's tuple: conn 2 replaces it
  assert.deepEqual(ends(), [0]);
  h.push({ srcPort: 40003, seq: 0, text: 'c' }); // conn 3: the table is full, the oldest live one (1) goes
  assert.deepEqual(ends(), [0, 1]);
  h.push({ srcPort: 40004, seq: 0, text: 'd' }); // conn 4: then conn 2
  assert.deepEqual(ends(), [0, 1, 2]);
  // Many more connections through a bound of 2 (the age list is trimmed as it goes): always the oldest.
  for (let p = 0; p < 5000; p++) h.push({ srcPort: 41000 + p, seq: 0, text: 'x' });
  assert.deepEqual(
    ends(),
    Array.from({ length: 5003 }, (_, i) => i),
  );
  h.r.finish();
  assert.equal(new Set(ends()).size, 5005, 'every connection ended exactly once');
});

test('connection table bound: a connection that keeps sending outlives a sweep of more connections than the bound; an idle one is dropped', () => {
  const h = harness({ maxConnections: 64 });
  const ends = () => h.events.filter((e) => e.kind === 'end').map((e) => e.conn);
  h.push({ srcPort: 40001, seq: 0, text: 'L0' }); // conn 0: live
  h.push({ srcPort: 40002, seq: 0, text: 'i0' }); // conn 1: idle from now on
  let seq = 2;
  for (let i = 0; i < 1000; i++) {
    // A SYN sweep: each one a new connection, 1000 through a table of 64.
    h.push({ src: `10.1.${i >> 8}.${i & 255}`, srcPort: 1100, seq: 0, flags: 0x02 });
    if (i % 50 === 49) {
      h.push({ srcPort: 40001, seq, text: 'Lx' });
      seq += 2;
    }
  }
  assert.ok(!ends().includes(0), 'the live connection was never dropped');
  assert.ok(ends().includes(1), 'the idle one was');
  assert.equal(ends().length, 1000 + 2 - 64);
  h.push({ srcPort: 40002, seq: 2, text: 'i1' }); // the idle one again: a new connection now
  assert.equal(h.conns.at(-1)!.client.port, 40002);
  assert.notEqual(h.conns.at(-1)!.id, 1);
  h.r.finish();
  assert.equal(h.text('client', 0), `L0${'Lx'.repeat(20)}`, 'every byte of the live one, in one stream');
  assert.equal(h.text('client', 1), 'i0');
});

test('any delivery order of the same segments yields the same bytes', () => {
  const rng = createRng(42);
  const message = 'The quick brown fox jumps over the lazy dog, 0123456789.';
  for (let round = 0; round < 200; round++) {
    const cuts = new Set<number>([0, message.length]);
    while (cuts.size < 8) cuts.add(rng.below(message.length));
    const points = [...cuts].sort((a, b) => a - b);
    const segs = points
      .slice(0, -1)
      .map((p, i) => ({ seq: 1000 + p, text: message.slice(p, points[i + 1]) }));
    // shuffle, keep the first segment first (the reassembler starts at the first seen sequence number)
    const rest = segs.slice(1);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    if (rng.below(2)) rest.push(rest[rng.below(rest.length)]!); // a retransmission
    const h = harness();
    for (const s of [segs[0]!, ...rest]) h.push(s);
    h.r.finish();
    assert.equal(h.text('client'), message);
  }
});

test('a direction its sink ignores gets no more data, gaps or buffering; FINs still end the connection', () => {
  const events: string[] = [];
  let ignoring = false;
  const r = new TcpReassembler(() => ({
    data: (from, bytes) => {
      events.push(`${from}:${new TextDecoder().decode(bytes)}`);
      if (from === 'client') ignoring = true;
    },
    gap: (from, lost) => events.push(`${from}:gap ${lost}`),
    end: () => events.push('end'),
    ignores: (from) => from === 'client' && ignoring,
  }));
  let frame = 0;
  const seg = (from: Direction, seq: number, text: string, flags = 0x18): void => {
    const payload = new TextEncoder().encode(text);
    const [src, dst, srcPort, dstPort] =
      from === 'client' ? ['10.0.0.1', '10.0.0.2', 50000, 135] : ['10.0.0.2', '10.0.0.1', 135, 50000];
    r.push({ src, dst, srcPort, dstPort, seq, ack: 0, flags, payload, wireLength: payload.length }, ++frame);
  };
  seg('client', 99, '', 0x02);
  seg('client', 100, 'HTTP');
  seg('client', 200, 'after a gap'); // would wait out of order, then be reported after a gap
  seg('client', 104, 'more');
  seg('server', 500, 'reply');
  seg('client', 300, '', 0x11);
  assert.deepEqual(events, ['client:HTTP', 'server:reply']);
  seg('server', 505, '', 0x11); // both sides finished: the connection ends
  r.finish();
  assert.deepEqual(events, ['client:HTTP', 'server:reply', 'end']);
});
