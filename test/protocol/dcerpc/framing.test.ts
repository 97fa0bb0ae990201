import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex } from '../../../src/core/bytes.ts';
import { RpcsweepError } from '../../../src/core/errors.ts';
import {
  CallReassembler,
  decodePduOrThrow,
  decodeResponseOrThrow,
  encodeRequestFragments,
  encodeResponse,
  encodeResponseFragments,
  PduFramer,
  PduStream,
  PFC,
  type ResponsePdu,
} from '../../../src/protocol/dcerpc/index.ts';
import { hexOf, loadHex, loadSegments } from './fixtures.ts';

const WINDOWS_SEGMENTS = loadSegments('win10-rpcdump-response-segments');
const WINDOWS_STREAM = loadHex('win10-rpcdump-response-segments');

const frameAll = (chunks: Uint8Array[]): Uint8Array[] => {
  const f = new PduFramer();
  const out = chunks.flatMap((c) => f.push(c));
  assert.equal(f.failure, undefined);
  assert.equal(f.end(), undefined);
  return out;
};

const cutAt = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  return out;
};

test('framer: the Windows 11-fragment response as captured (8 TCP segments) gives 11 PDUs', () => {
  const pdus = frameAll(WINDOWS_SEGMENTS);
  assert.deepEqual(
    pdus.map((p) => p.length),
    [...Array(10).fill(4280), 2740],
  );
});

test('framer: whole, byte by byte and at random cuts all yield the same PDUs', () => {
  const whole = frameAll([WINDOWS_STREAM]).map(hexOf);
  // Byte by byte over the first 3 fragments keeps the test fast; the framer is O(n) either way.
  const head = WINDOWS_STREAM.subarray(0, 3 * 4280);
  const oneByOne = frameAll(Array.from(head, (_, i) => head.subarray(i, i + 1))).map(hexOf);
  assert.deepEqual(oneByOne, whole.slice(0, 3));
  fc.assert(
    fc.property(fc.array(fc.nat({ max: WINDOWS_STREAM.length }), { maxLength: 40 }), (cuts) => {
      assert.deepEqual(frameAll(cutAt(WINDOWS_STREAM, cuts)).map(hexOf), whole);
    }),
    { numRuns: 60 },
  );
});

test('framer: PDUs it returns are copies (caller may reuse its chunk buffer)', () => {
  const bind = loadHex('win10-epm-bind');
  const chunk = bind.slice();
  const f = new PduFramer();
  const [pdu] = f.push(chunk);
  chunk.fill(0);
  assert.equal(hexOf(pdu!), hexOf(bind));
});

test('framer with views: the same PDUs at any cuts, whole ones as views of the chunk, split ones copied', () => {
  const whole = frameAll([WINDOWS_STREAM]).map(hexOf);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: WINDOWS_STREAM.length }), { maxLength: 40 }), (cuts) => {
      const f = new PduFramer({ views: true });
      const got: string[] = [];
      // Read each PDU before the next push, as the contract asks, then spoil the chunk.
      for (const chunk of cutAt(WINDOWS_STREAM, cuts)) {
        const own = chunk.slice();
        for (const pdu of f.push(own)) got.push(hexOf(pdu));
        own.fill(0);
      }
      assert.deepEqual(got, whole);
    }),
    { numRuns: 60 },
  );
  const bind = loadHex('win10-epm-bind');
  const [view] = new PduFramer({ views: true }).push(bind);
  assert.equal(view!.buffer, bind.buffer, 'a whole PDU is a view of the chunk');
});

test('framer: frag_length beyond maxFragLength stops the stream with DCERPC_BAD_FRAG_LEN at the stream offset', () => {
  const f = new PduFramer({ maxFragLength: 1024 });
  const bind = loadHex('win10-epm-bind');
  assert.equal(f.push(bind).length, 1);
  const hostile = fromHex('05000203100000000010000001000000'); // frag_length 4096
  assert.deepEqual(f.push(hostile), []);
  assert.equal(f.failure?.code, 'DCERPC_BAD_FRAG_LEN');
  assert.equal(f.failure?.offset, 72 + 8);
  assert.deepEqual(f.push(bind), [], 'a broken stream stays broken');
  assert.equal(f.bufferedBytes, 0);
});

test('framer: frag_length 20 (Samba answers RST) and garbage are errors, never throws', () => {
  const f = new PduFramer();
  f.push(fromHex('05000b03100000001400000000000000'));
  // 20 is a legal frag_length for the framer: it waits for 4 more bytes.
  assert.equal(f.failure, undefined);
  assert.equal(f.end()?.code, 'DCERPC_TRUNCATED');
  const g = new PduFramer();
  g.push(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.equal(g.failure?.code, 'DCERPC_BAD_VERSION');
  assert.equal(g.failure?.offset, 0);
});

test('framer: an impossible auth_length still frames (the decoder reports it, so a server can bind_nak)', () => {
  const bytes = loadHex('win10-epm-bind').slice();
  bytes[10] = 0x40; // auth_length 64 with no trailer (Samba answers bind_nak reason 4)
  const f = new PduFramer();
  assert.equal(f.push(bytes).length, 1);
  assert.equal(f.failure, undefined);
  const s = new PduStream();
  assert.equal(s.push(bytes).error?.code, 'DCERPC_BAD_AUTH_LEN');
});

test('framer: memory stays bounded by maxFragLength whatever the peer announces', () => {
  const f = new PduFramer({ maxFragLength: 4096 });
  f.push(fromHex('0500020310000000ff0f000001000000')); // frag_length 4095
  for (let i = 0; i < 100; i++) f.push(new Uint8Array(10));
  assert.ok(f.bufferedBytes <= 4096);
  assert.throws(() => new PduFramer({ maxFragLength: 15 }), RpcsweepError);
  assert.throws(() => new PduFramer({ maxFragLength: 70000 }), RpcsweepError);
});

test('fragmenting a stub reproduces the Windows response byte for byte (alloc_hint = bytes remaining)', () => {
  const frags = frameAll([WINDOWS_STREAM]).map((b) => decodeResponseOrThrow(b));
  assert.deepEqual(
    frags.map((f) => f.allocHint),
    Array.from({ length: 11 }, (_, i) => 45276 - i * 4256),
  );
  assert.deepEqual(
    frags.map((f) => f.header.flags & 3),
    [1, ...Array(9).fill(0), 2],
  );
  const r = new CallReassembler();
  let call: ReturnType<CallReassembler['add']> | undefined;
  for (const f of frags) call = r.add(f);
  assert.ok(call?.ok && call.call);
  const stub = call.call.stub;
  assert.equal(stub.length, 45276);
  assert.equal(call.call.fragments, 11);
  const mine = encodeResponseFragments({ callId: frags[0]!.header.callId, stub, maxXmitFrag: 4280 });
  assert.equal(hexOf(concat(mine)), hexOf(WINDOWS_STREAM));
});

test('fragmenting: Samba 2-fragment response (4280 + 596; alloc_hint 4828 then 572)', () => {
  const pdus = frameAll(loadSegments('samba-rpcdump-response-segments')).map((b) => decodeResponseOrThrow(b));
  assert.deepEqual(
    pdus.map((p) => [p.header.fragLength, p.allocHint, p.header.flags & 3]),
    [
      [4280, 4828, 1],
      [596, 572, 2],
    ],
  );
});

test('fragment splitting: every fragment ≤ max_xmit, FIRST/LAST flags, stub rejoins, empty stub = one PDU', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 40, max: 600 }), (len, maxXmit) => {
      const stub = Uint8Array.from({ length: len }, (_, i) => i & 0xff);
      const frags = encodeResponseFragments({ callId: 9, stub, maxXmitFrag: maxXmit }).map((b) =>
        decodeResponseOrThrow(b),
      );
      const r = new CallReassembler();
      let done: ResponsePdu['stub'] | undefined;
      frags.forEach((f, i) => {
        assert.ok(f.header.fragLength <= maxXmit);
        assert.equal((f.header.flags & PFC.FIRST_FRAG) !== 0, i === 0);
        assert.equal((f.header.flags & PFC.LAST_FRAG) !== 0, i === frags.length - 1);
        const s = r.add(f);
        assert.ok(s.ok);
        if (s.call) done = s.call.stub;
      });
      assert.equal(hexOf(done!), hexOf(stub));
    }),
    { numRuns: 100 },
  );
  const req = encodeRequestFragments({ callId: 1, opnum: 2, stub: new Uint8Array(100), maxXmitFrag: 64 });
  // (64 − 24) rounded down to 8 = 40 stub bytes per fragment: 40 + 40 + 20.
  assert.deepEqual(
    req.map((b) => b.length),
    [64, 64, 44],
  );
  assert.throws(
    () => encodeResponseFragments({ callId: 1, stub: new Uint8Array(10), maxXmitFrag: 30 }),
    RpcsweepError,
  );
});

test('reassembler: total-size, fragment-count and open-call bounds are errors, not allocations', () => {
  const frag = (callId: number, flags: number, n: number) =>
    decodeResponseOrThrow(encodeResponse({ callId, flags, stub: new Uint8Array(n) }));
  const r = new CallReassembler({ maxCallBytes: 1000, maxFragments: 3, maxOpenCalls: 2 });
  assert.ok(r.add(frag(1, PFC.FIRST_FRAG, 600)).ok);
  const big = r.add(frag(1, 0, 600));
  assert.ok(!big.ok);
  assert.equal(big.error.code, 'DCERPC_REASSEMBLY_LIMIT');
  assert.equal(r.openCalls, 0, 'the failed call is dropped');
  assert.ok(r.add(frag(2, PFC.FIRST_FRAG, 8)).ok);
  assert.ok(r.add(frag(2, 0, 8)).ok);
  assert.ok(r.add(frag(2, 0, 8)).ok);
  const many = r.add(frag(2, 0, 8));
  assert.ok(!many.ok);
  assert.equal(many.error.code, 'DCERPC_REASSEMBLY_LIMIT');
  assert.ok(r.add(frag(3, PFC.FIRST_FRAG, 8)).ok);
  assert.ok(r.add(frag(4, PFC.FIRST_FRAG, 8)).ok);
  const open = r.add(frag(5, PFC.FIRST_FRAG, 8));
  assert.ok(!open.ok);
  assert.equal(open.error.code, 'DCERPC_REASSEMBLY_LIMIT');
  const orphan = r.add(frag(77, PFC.LAST_FRAG, 8));
  assert.ok(!orphan.ok);
  assert.equal(orphan.error.code, 'DCERPC_BAD_VALUE');
  const again = r.add(frag(3, PFC.FIRST_FRAG, 8));
  assert.ok(!again.ok, 'FIRST_FRAG twice for one call');
});

test('PduStream: decodes, reassembles and reports the first broken PDU with its stream offset', () => {
  const s = new PduStream();
  const a = s.push(loadHex('win10-epm-bind-ack'));
  assert.deepEqual(
    a.pdus.map((p) => p.type),
    ['bind_ack'],
  );
  const b = s.push(WINDOWS_STREAM);
  assert.equal(b.pdus.length, 11);
  assert.equal(b.calls.length, 1);
  assert.equal(b.calls[0]!.stub.length, 45276);
  const bad = loadHex('win10-epm-bind-ack').slice();
  bad[32] = 9; // n_results 9: the PDU frames but does not decode
  const c = s.push(bad);
  assert.equal(c.error?.code, 'DCERPC_TRUNCATED');
  assert.ok(c.error!.offset >= 60 + WINDOWS_STREAM.length);
  assert.equal(s.push(loadHex('win10-epm-bind-ack')).pdus.length, 0);
  const f = new PduStream();
  f.push(loadHex('win10-epm-bind-ack').subarray(0, 30));
  assert.equal(f.end()?.code, 'DCERPC_TRUNCATED');
  assert.equal(decodePduOrThrow(loadHex('win10-epm-bind-ack')).type, 'bind_ack');
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
