/**
 * Decoders keep what they decoded when they fail part-way (style.md rule 5, gopacket's partial
 * decode): the failure value carries the header and the body fields read before the failing one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeBindAck,
  decodePdu,
  decodeRequest,
  EPM_SYNTAX,
  encodeBind,
  encodeBindAck,
  encodeFault,
  encodeRequest,
  encodeResponse,
  NDR32_SYNTAX,
} from '../../../src/protocol/dcerpc/index.ts';

/** A PDU whose frag_length says it ends after `length` bytes (a short PDU as a peer may send). */
const cutAt = (pdu: Uint8Array, length: number): Uint8Array => {
  const b = pdu.slice(0, length);
  b[8] = length & 0xff;
  b[9] = length >> 8;
  return b;
};

/** A bind_ack with one accepted context and secondary address "135" (n_results at offset 32). */
const bindAck = () =>
  encodeBindAck({
    callId: 7,
    maxXmitFrag: 4280,
    maxRecvFrag: 4280,
    assocGroupId: 0x12345,
    secondaryAddress: '135',
    results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
  });

test('a bind_ack cut short at n_results still reports its header, max frags, assoc_group and address', () => {
  const ack = bindAck();
  // 16 header + 8 + 2 + "135\0" + pad to 28 = 30 → n_results would be at offset 32.
  const d = decodeBindAck(cutAt(ack, 32));
  assert.equal(d.ok, false);
  if (d.ok) return;
  assert.equal(d.error.field, 'dcerpc.cn_num_results');
  assert.equal(d.partial?.type, 'bind_ack');
  assert.equal(d.partial?.header?.callId, 7);
  assert.equal(d.partial?.maxXmitFrag, 4280);
  assert.equal(d.partial?.assocGroupId, 0x12345);
  assert.equal(d.partial?.secondaryAddress, '135');
  assert.equal(d.partial?.results, undefined, 'nothing after the failing field');
});

test('a bind_ack cut inside its second result keeps the first result', () => {
  const ack = encodeBindAck({
    callId: 1,
    assocGroupId: 9,
    secondaryAddress: '135',
    results: [
      { result: 0, reason: 0, transferSyntax: NDR32_SYNTAX },
      { result: 2, reason: 2, transferSyntax: NDR32_SYNTAX },
    ],
  });
  const d = decodeBindAck(cutAt(ack, ack.length - 10));
  assert.equal(d.ok, false);
  if (d.ok) return;
  assert.deepEqual(d.partial?.results, [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }]);
});

test('a bind cut inside its contexts keeps the association fields and the whole contexts before', () => {
  const bind = encodeBind({
    callId: 3,
    assocGroupId: 77,
    contexts: [
      { contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] },
      { contextId: 1, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] },
    ],
  });
  const d = decodePdu(cutAt(bind, bind.length - 4));
  assert.equal(d.ok, false);
  if (d.ok || d.partial?.type !== 'bind') return assert.fail('expected a partial bind');
  assert.equal(d.partial.assocGroupId, 77);
  assert.equal(d.partial.contexts?.length, 1);
});

test('a request cut before its opnum keeps alloc_hint and context id; a header-only failure keeps the header', () => {
  const req = encodeRequest({ callId: 5, contextId: 2, opnum: 4, stub: new Uint8Array(8) });
  const d = decodeRequest(cutAt(req, 22));
  assert.equal(d.ok, false);
  if (d.ok) return;
  assert.equal(d.error.field, 'dcerpc.opnum');
  assert.equal(d.partial?.contextId, 2);
  assert.equal(d.partial?.allocHint, 8);
  assert.equal(d.partial?.opnum, undefined);

  const fault = encodeFault({ callId: 9, status: 5 });
  const truncated = decodePdu(fault.subarray(0, 20));
  assert.equal(truncated.ok, false);
  if (truncated.ok) return;
  assert.equal(truncated.error.code, 'DCERPC_TRUNCATED');
  assert.equal(truncated.partial?.header?.callId, 9);
  assert.equal(truncated.partial?.type, 'fault');
});

test('a failure inside the header itself has nothing to keep', () => {
  const req = encodeRequest({ callId: 5, opnum: 4, stub: new Uint8Array(8) });
  const bad = req.slice();
  bad[0] = 4;
  const d = decodePdu(bad);
  assert.equal(d.ok, false);
  assert.equal(d.ok === false && d.partial, undefined);
});

test('cut: bytes that end before frag_length (a connection closed inside the PDU) are read as far as they go', () => {
  const ack = bindAck();
  const bytes = ack.subarray(0, 32); // frag_length still says the whole PDU
  const plain = decodePdu(bytes);
  assert.ok(!plain.ok && plain.error.field === 'dcerpc.cn_frag_len');
  assert.equal(plain.partial?.type, 'bind_ack');
  assert.equal(
    (plain.partial as { assocGroupId?: number }).assocGroupId,
    undefined,
    'without cut: header only',
  );
  const cut = decodePdu(bytes, { cut: true });
  assert.ok(!cut.ok);
  assert.equal(cut.error.code, 'DCERPC_TRUNCATED');
  assert.equal(cut.error.field, 'dcerpc.cn_num_results');
  assert.equal(cut.partial?.header?.fragLength, ack.length, 'the announced length');
  assert.equal((cut.partial as { assocGroupId?: number }).assocGroupId, 0x12345);

  // A response whose body fields were all read: the failure is frag_length, the stub so far kept.
  const response = encodeResponse({
    callId: 3,
    contextId: 1,
    stub: Uint8Array.from({ length: 40 }, (_, i) => i),
  });
  const r = decodePdu(response.subarray(0, 24 + 10), { cut: true });
  assert.ok(!r.ok);
  assert.equal(r.error.field, 'dcerpc.cn_frag_len');
  const p = r.partial as { contextId?: number; stub?: Uint8Array };
  assert.equal(p.contextId, 1);
  assert.deepEqual([...(p.stub ?? [])], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Whole bytes decode as ever with the option.
  assert.ok(decodePdu(response, { cut: true }).ok);
});
