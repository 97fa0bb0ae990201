/**
 * The codec's fast paths (pdu/fast.ts) for the common request and the single-fragment response must
 * give exactly what the general codec gives: same decoded values for every request shape, same bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random.ts';
import {
  decodeRequest,
  decodeRequestFast,
  encodeRequest,
  encodeResponseFast,
  encodeResponseFragments,
  PFC,
  peekCallId,
  peekFragLength,
} from '../../../src/protocol/dcerpc/index.ts';

const stubOf = (rng: ReturnType<typeof createRng>, length: number) =>
  Uint8Array.from({ length }, () => rng.nextU32() & 0xff);

test('decodeRequestFast gives the codec-path values for plain, big-endian, object-UUID, auth, fragment and broken requests', () => {
  const rng = createRng(26);
  const cases: Array<{ name: string; pdu: Uint8Array }> = [];
  for (const length of [0, 1, 60, 333]) {
    const stub = stubOf(rng, length);
    cases.push({ name: `plain ${length}`, pdu: encodeRequest({ callId: 7, contextId: 2, opnum: 5, stub }) });
    cases.push({
      name: `big-endian ${length}`,
      pdu: encodeRequest({ callId: 0x01020304, contextId: 1, opnum: 0, stub, littleEndian: false }),
    });
    cases.push({
      name: `object ${length}`,
      pdu: encodeRequest({ callId: 9, opnum: 3, stub, object: '11111111-2222-3333-4444-555555555555' }),
    });
    cases.push({
      name: `first fragment ${length}`,
      pdu: encodeRequest({ callId: 9, opnum: 3, stub, flags: PFC.FIRST_FRAG, allocHint: 9999 }),
    });
    cases.push({
      name: `auth ${length}`,
      pdu: encodeRequest({
        callId: 9,
        opnum: 3,
        stub,
        auth: { authType: 10, authLevel: 2, authValue: stubOf(rng, 16) },
      }),
    });
  }
  const plain = encodeRequest({ callId: 3, opnum: 4, stub: stubOf(rng, 40) });
  const bent = (at: number, value: number) => {
    const b = plain.slice();
    b[at] = value;
    return b;
  };
  cases.push({ name: 'rpc_vers 4', pdu: bent(0, 4) });
  cases.push({ name: 'rpc_vers_minor 2', pdu: bent(1, 2) });
  cases.push({ name: 'drep 0x20', pdu: bent(4, 0x20) });
  cases.push({ name: 'auth_length without trailer', pdu: bent(10, 8) });
  cases.push({ name: 'frag_length beyond the bytes', pdu: bent(8, plain.length + 1) });
  cases.push({ name: 'header only', pdu: plain.subarray(0, 20) });
  cases.push({ name: 'wrong ptype', pdu: bent(2, 11) });
  for (const { name, pdu } of cases) {
    assert.deepEqual(decodeRequestFast(pdu), decodeRequest(pdu), name);
  }
});

test('encodeResponseFast writes the bytes of encodeResponseFragments, one fragment or many', () => {
  const rng = createRng(2003);
  for (const maxFragLength of [16, 32, 2048, 5840]) {
    const room = Math.floor((Math.max(maxFragLength, 32) - 24) / 8) * 8;
    for (const length of [0, 4, 16, 68, room - 1, room, room + 1, 3 * room + 5]) {
      if (length < 0) continue;
      const stub = stubOf(rng, length);
      const callId = rng.nextU32();
      const contextId = rng.nextU32() & 0xffff;
      const got = encodeResponseFast({ callId, contextId, stub, maxXmitFrag: maxFragLength });
      const want = encodeResponseFragments({
        callId,
        contextId,
        stub,
        maxXmitFrag: Math.max(maxFragLength, 32),
      });
      assert.deepEqual(
        got.map((b) => Buffer.from(b).toString('hex')),
        want.map((b) => Buffer.from(b).toString('hex')),
        `stub ${length}, max ${maxFragLength}`,
      );
    }
  }
});

test('peekFragLength and peekCallId read the header in its drep order, or report too few bytes', () => {
  for (const littleEndian of [true, false]) {
    const pdu = encodeRequest({ callId: 0x0a0b0c0d, opnum: 1, stub: new Uint8Array(300), littleEndian });
    assert.equal(peekFragLength(pdu), pdu.length);
    assert.equal(peekCallId(pdu), 0x0a0b0c0d);
    const shifted = new Uint8Array(pdu.length + 3);
    shifted.set(pdu, 3);
    assert.equal(peekFragLength(shifted, 3), pdu.length);
    assert.equal(peekCallId(shifted, 3), 0x0a0b0c0d);
  }
  assert.equal(peekFragLength(new Uint8Array(9)), undefined);
  assert.equal(peekCallId(new Uint8Array(15)), 0);
});
