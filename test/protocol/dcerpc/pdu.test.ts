import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fromHex } from '../../../src/core/bytes.ts';
import { DecodeError } from '../../../src/core/errors.ts';
import {
  BIND_NAK_REASON,
  btfnSyntax,
  decodeBindAck,
  decodeBindAckOrThrow,
  decodeFault,
  decodePdu,
  decodePduOrThrow,
  describePdu,
  EPM_SYNTAX,
  encodeAlterContext,
  encodeAlterContextResp,
  encodeBind,
  encodeBindAck,
  encodeBindNak,
  encodeControl,
  encodeFault,
  encodePdu,
  encodeRequest,
  encodeResponse,
  FAULT_STATUS,
  NDR32_SYNTAX,
  NDR64_SYNTAX,
  NIL_UUID,
  type Pdu,
  PduFramer,
  PFC,
} from '../../../src/protocol/dcerpc/index.ts';
import { hexOf, loadHex } from './fixtures.ts';

const decode = (name: string): Pdu => decodePduOrThrow(loadHex(name));

/** encode → decode → encode gives the same bytes. */
const roundTrip = (bytes: Uint8Array): Pdu => {
  const d = decodePdu(bytes);
  assert.ok(d.ok, d.ok ? '' : d.error.message);
  assert.equal(d.consumed, bytes.length);
  assert.equal(hexOf(encodePdu(d.value)), hexOf(bytes));
  return d.value;
};

test('golden: encodeBind builds the Windows EPM bind byte for byte', () => {
  const bytes = encodeBind({
    callId: 0,
    maxXmitFrag: 5840,
    maxRecvFrag: 5840,
    contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
  });
  assert.equal(hexOf(bytes), hexOf(loadHex('win10-epm-bind')));
  roundTrip(bytes);
});

test('golden: Windows bind_ack with secondary address "135" and a 2-byte pad', () => {
  const p = decode('win10-epm-bind-ack');
  assert.equal(p.type, 'bind_ack');
  if (p.type !== 'bind_ack') return;
  assert.equal(p.assocGroupId, 0x377d);
  assert.equal(p.secondaryAddress, '135');
  assert.deepEqual(p.results, [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }]);
  const again = encodeBindAck({
    callId: 0,
    assocGroupId: 0x377d,
    secondaryAddress: '135',
    results: p.results,
  });
  assert.equal(hexOf(again), hexOf(loadHex('win10-epm-bind-ack')));
});

test('golden: Windows Server 2016 two-context bind with BTFN, and its negotiate_ack', () => {
  const bind = roundTrip(loadHex('win2016-epm-bind-2ctx'));
  assert.equal(bind.type, 'bind');
  if (bind.type !== 'bind') return;
  assert.equal(bind.contexts.length, 2);
  assert.deepEqual(bind.contexts[1]!.transferSyntaxes, [btfnSyntax(3)]);
  const ack = roundTrip(loadHex('win2016-epm-bind-ack-2ctx'));
  assert.equal(ack.type, 'bind_ack');
  if (ack.type !== 'bind_ack') return;
  assert.equal(ack.assocGroupId, 0x6b46);
  assert.deepEqual(
    ack.results.map((r) => [r.result, r.reason]),
    [
      [0, 0],
      [3, 3],
    ],
  );
  assert.equal(ack.results[1]!.transferSyntax.uuid, NIL_UUID);
});

test('golden: srvsvc bind_ack over a pipe (13-byte \\PIPE\\srvsvc + 1 pad, NDR64 accepted)', () => {
  const bytes = fromHex(
    '05000c03100000007400000002000000b810b810277e00000d005c504950455c7372767376630000030000000200020000000000000000000000000000000000000000000000000033057171babe37498319b5dbef9ccc3601000000030003000000000000000000000000000000000000000000',
  );
  const p = roundTrip(bytes);
  assert.equal(p.type, 'bind_ack');
  if (p.type !== 'bind_ack') return;
  assert.equal(p.secondaryAddress, '\\PIPE\\srvsvc');
  assert.deepEqual(
    p.results.map((r) => [r.result, r.reason, r.transferSyntax.uuid]),
    [
      [2, 2, NIL_UUID],
      [0, 0, NDR64_SYNTAX.uuid],
      [3, 3, NIL_UUID],
    ],
  );
});

test('bind_ack pad bytes may be garbage: pad is to 4 from the PDU start and its content ignored', () => {
  const bytes = loadHex('win10-epm-bind-ack').slice();
  // Windows Server 2016 sent `31 33` in an alter_context_resp pad; put garbage in the 2 pad bytes (offset 30).
  bytes[30] = 0x31;
  bytes[31] = 0x33;
  const a = decodeBindAckOrThrow(bytes);
  const b = decodeBindAckOrThrow(loadHex('win10-epm-bind-ack'));
  assert.deepEqual({ ...a, header: null }, { ...b, header: null });
  // An empty secondary address pads 2 bytes (26 → 28): the alter_context_resp shape.
  const resp = encodeAlterContextResp({
    callId: 9,
    results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
  });
  resp[26] = 0x31;
  resp[27] = 0x33;
  const d = decodeBindAck(resp);
  assert.ok(d.ok);
  assert.equal(d.value.type, 'alter_context_resp');
  assert.equal(d.value.secondaryAddress, '');
  assert.equal(d.value.results.length, 1);
});

test('golden: Samba 3-context bind and its (0,0) (2,2) (3,3) bind_ack', () => {
  const bind = roundTrip(loadHex('samba-bind-3ctx'));
  assert.equal(bind.type === 'bind' && bind.contexts.length, 3);
  const ack = roundTrip(loadHex('samba-bind-ack-3ctx'));
  assert.equal(ack.type, 'bind_ack');
  if (ack.type !== 'bind_ack') return;
  assert.deepEqual(
    ack.results.map((r) => [r.result, r.reason]),
    [
      [0, 0],
      [2, 2],
      [3, 3],
    ],
  );
});

test('golden: Samba 24-byte bind_nak (reason 4, versions [5.0], 3 pad bytes)', () => {
  const p = decode('samba-bind-nak');
  assert.equal(p.type, 'bind_nak');
  if (p.type !== 'bind_nak') return;
  assert.equal(p.rejectReason, BIND_NAK_REASON.protocol_version_not_supported);
  assert.deepEqual(p.versions, [{ major: 5, minor: 0 }]);
  assert.equal(p.signature, undefined);
  assert.equal(
    hexOf(encodeBindNak({ callId: p.header.callId, rejectReason: 4 })),
    hexOf(loadHex('samba-bind-nak')),
  );
  assert.equal(describePdu(p).rejectReasonName, 'protocol_version_not_supported');
});

test('bind_nak with the MS-RPCE signature and extended error round-trips', () => {
  const bytes = encodeBindNak({
    callId: 3,
    rejectReason: 0,
    versions: [{ major: 5, minor: 0 }],
    signature: '90740320-fad0-11d3-a4b5-00c04f7931cd',
    extendedError: fromHex('0102030405060708'),
  });
  const p = roundTrip(bytes);
  assert.equal(p.type === 'bind_nak' && p.signature, '90740320-fad0-11d3-a4b5-00c04f7931cd');
  assert.equal(p.type === 'bind_nak' && hexOf(p.extendedError!), '0102030405060708');
});

test('golden: Samba alter_context / alter_context_resp', () => {
  assert.equal(roundTrip(loadHex('samba-alter-context')).type, 'alter_context');
  const resp = roundTrip(loadHex('samba-alter-context-resp'));
  assert.equal(resp.type, 'alter_context_resp');
  const mine = encodeAlterContext({
    callId: 1,
    contexts: [{ contextId: 1, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
  });
  assert.equal(decodePduOrThrow(mine).type, 'alter_context');
});

test('golden: Samba op-range fault (0x1c010002, flags FIRST|LAST|DID_NOT_EXECUTE)', () => {
  const p = decodeFault(loadHex('samba-fault-op-rng'));
  assert.ok(p.ok);
  assert.equal(p.value.status, FAULT_STATUS.nca_op_rng_error);
  assert.equal(p.value.header.flags, 0x23);
  assert.equal(describePdu(p.value).statusName, 'nca_op_rng_error');
  const mine = encodeFault({
    callId: p.value.header.callId,
    flags: 0x23,
    status: 0x1c010002,
    allocHint: p.value.allocHint,
  });
  assert.equal(hexOf(mine), hexOf(loadHex('samba-fault-op-rng')));
});

test('golden: requests without and with an object UUID', () => {
  const r = roundTrip(loadHex('samba-request-opnum99'));
  assert.equal(r.type === 'request' && r.opnum, 99);
  const withObject = encodeRequest({
    callId: 7,
    opnum: 4,
    contextId: 1,
    object: '11112222-3333-4444-5555-666677778888',
    stub: fromHex('deadbeef'),
  });
  const p = roundTrip(withObject);
  assert.equal(p.type, 'request');
  if (p.type !== 'request') return;
  assert.equal(p.header.flags & PFC.OBJECT_UUID, PFC.OBJECT_UUID);
  assert.equal(p.object, '11112222-3333-4444-5555-666677778888');
  assert.equal(hexOf(p.stub), 'deadbeef');
  assert.equal(p.header.fragLength, 24 + 16 + 4);
  assert.equal(p.allocHint, 4);
});

test('big-endian drep: the u32 syntax version rule (v3.0 is 00 00 00 03; 00 03 00 00 is v0.3)', () => {
  const good = decode('netns-big-endian-bind');
  assert.equal(good.type, 'bind');
  if (good.type !== 'bind') return;
  assert.deepEqual(good.contexts[0]!.abstractSyntax, EPM_SYNTAX);
  assert.deepEqual(good.contexts[0]!.transferSyntaxes[0], NDR32_SYNTAX);
  const mine = encodeBind({ ...good, callId: good.header.callId, littleEndian: false });
  assert.equal(hexOf(mine), hexOf(loadHex('netns-big-endian-bind')));
  const odd = decode('samba-big-endian-bind-v0.3');
  assert.equal(odd.type === 'bind' && odd.contexts[0]!.abstractSyntax.major, 0);
  assert.equal(odd.type === 'bind' && odd.contexts[0]!.abstractSyntax.minor, 3);
  assert.deepEqual(
    decodeBindAckOrThrow(loadHex('samba-bind-ack-rejected')).results.map((r) => [r.result, r.reason]),
    [[2, 1]],
  );
});

test('auth verifiers are parsed and skipped: NTLMSSP bind, bind_ack, auth3, sealed request/response', () => {
  const bind = roundTrip(loadHex('win2016-svcctl-ntlm-bind'));
  assert.equal(bind.type, 'bind');
  assert.equal(bind.auth?.authType, 10);
  assert.equal(bind.auth?.authLevel, 6);
  assert.equal(bind.auth?.authValue.length, 40);
  assert.equal(new TextDecoder().decode(bind.auth!.authValue.subarray(0, 7)), 'NTLMSSP');
  assert.equal(
    bind.type === 'bind' && bind.contexts[0]!.abstractSyntax.uuid,
    '367abb81-9844-35f1-ad32-98f038001003',
  );
  const ack = roundTrip(loadHex('win2016-svcctl-ntlm-bind-ack'));
  assert.equal(ack.type === 'bind_ack' && ack.secondaryAddress, '49688');
  assert.equal(ack.auth?.authValue.length, 252);
  const auth3 = roundTrip(loadHex('win2016-svcctl-auth3'));
  assert.equal(auth3.type, 'auth3');
  assert.equal(auth3.auth?.authValue.length, 534);
  const req = roundTrip(loadHex('win2016-svcctl-sealed-request'));
  assert.equal(req.type, 'request');
  if (req.type !== 'request') return;
  assert.equal(req.opnum, 15);
  assert.equal(req.stub.length, 160 - 24 - 8 - 16 - req.auth!.authPadLength);
  const resp = roundTrip(loadHex('win2016-svcctl-sealed-response'));
  assert.equal(resp.type === 'response' && resp.stub.length, 80 - 24 - 8 - 16 - resp.auth!.authPadLength);
});

test('auth_pad_length larger than the stub is DCERPC_BAD_AUTH_LEN', () => {
  const bytes = loadHex('win2016-svcctl-sealed-response').slice();
  bytes[80 - 16 - 8 + 2] = 200; // auth_pad_length
  const d = decodePdu(bytes);
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_BAD_AUTH_LEN');
  assert.equal(d.error.field, 'dcerpc.auth_pad_len');
});

test('shutdown, co_cancel and orphaned are recognised; connectionless PTYPEs are DCERPC_BAD_PTYPE', () => {
  for (const type of ['shutdown', 'co_cancel', 'orphaned', 'auth3'] as const) {
    const p = roundTrip(encodeControl({ callId: 5, type }));
    assert.equal(p.type, type);
  }
  const ping = fromHex('05000103100000001000000000000000');
  const d = decodePdu(ping);
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_BAD_PTYPE');
  assert.equal(d.error.offset, 2);
  assert.match(d.error.message, /ping/);
});

test('every encoder round-trips encode → decode → encode, little- and big-endian', () => {
  for (const littleEndian of [true, false]) {
    const common = { callId: 0x01020304, littleEndian };
    const ctx = [
      {
        contextId: 0,
        abstractSyntax: { uuid: EPM_SYNTAX.uuid, major: 3, minor: 1 },
        transferSyntaxes: [NDR32_SYNTAX],
      },
      { contextId: 1, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR64_SYNTAX, btfnSyntax(3)] },
    ];
    const results = [{ result: 2, reason: 1, transferSyntax: { uuid: NIL_UUID, major: 0, minor: 0 } }];
    const all = [
      encodeBind({ ...common, contexts: ctx, assocGroupId: 0x1234 }),
      encodeAlterContext({ ...common, contexts: ctx }),
      encodeBindAck({ ...common, secondaryAddress: '49152', results }),
      encodeAlterContextResp({ ...common, results }),
      encodeBindNak({
        ...common,
        rejectReason: 2,
        versions: [
          { major: 5, minor: 0 },
          { major: 5, minor: 1 },
        ],
      }),
      encodeRequest({ ...common, opnum: 3, stub: fromHex('0102030405') }),
      encodeResponse({ ...common, stub: fromHex('0a0b0c'), cancelCount: 1 }),
      encodeFault({ ...common, status: 5 }),
      encodeControl({ ...common, type: 'shutdown' }),
      encodeRequest({
        ...common,
        opnum: 1,
        stub: fromHex('00'),
        auth: { authType: 10, authLevel: 2, authValue: fromHex('aabbcc') },
      }),
    ];
    for (const bytes of all) {
      const p = roundTrip(bytes);
      assert.equal(p.header.littleEndian, littleEndian);
      assert.equal(p.header.callId, 0x01020304);
    }
  }
});

test('a PDU cut short is DCERPC_TRUNCATED naming frag_length; a field cut short names the field', () => {
  const bind = loadHex('win10-epm-bind');
  const d = decodePdu(bind.subarray(0, 40));
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_TRUNCATED');
  assert.equal(d.error.field, 'dcerpc.cn_frag_len');
  // Claim 3 results in a bind_ack that carries 1.
  const ack = loadHex('win10-epm-bind-ack').slice();
  ack[32] = 3;
  const a = decodeBindAck(ack);
  assert.ok(!a.ok);
  assert.equal(a.error.code, 'DCERPC_TRUNCATED');
  assert.match(a.error.field, /^dcerpc\.cn_ack_/);
  assert.throws(() => decodeBindAckOrThrow(ack), DecodeError);
});

test('typed decoders reject the wrong PDU type with DCERPC_BAD_PTYPE', () => {
  const d = decodeBindAck(loadHex('win10-epm-bind'));
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_BAD_PTYPE');
  assert.match(d.error.message, /expected bind_ack or alter_context_resp, got bind/);
});

test('decodePdu honours an offset and reports consumed = frag_length', () => {
  const bind = loadHex('win10-epm-bind');
  const buf = new Uint8Array(bind.length + 7);
  buf.set(bind, 5);
  const d = decodePdu(buf, { offset: 5 });
  assert.ok(d.ok);
  assert.equal(d.consumed, 72);
  assert.equal(d.value.type, 'bind');
});

test('describePdu is JSON-friendly: hex for bytes, names beside numbers, unknown values stay numbers', () => {
  const p = decode('win10-ept-lookup-response-one');
  const j = JSON.parse(JSON.stringify(describePdu(p)));
  assert.equal(typeof j.stub, 'string');
  assert.equal(j.header.ptypeName, 'response');
  assert.deepEqual(j.header.flagNames, ['FIRST_FRAG', 'LAST_FRAG']);
  const f = describePdu(decodePduOrThrow(encodeFault({ callId: 1, status: 0x12345678 })));
  assert.equal(f.statusName, undefined);
  assert.equal(f.statusHex, '0x12345678');
});

test('every PDU in every fixture re-encodes byte for byte and describes as plain JSON', () => {
  const dir = new URL('../../fixtures/dcerpc/', import.meta.url);
  let count = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hex') && !f.includes('-stub'))) {
    for (const bytes of new PduFramer().push(loadHex(file.slice(0, -4)))) {
      const p = roundTrip(bytes);
      const json = JSON.parse(JSON.stringify(describePdu(p)));
      assert.equal(json.type, p.type);
      assert.equal(
        JSON.stringify(json).includes('"0":'),
        false,
        `${file}: a byte array leaked into the JSON`,
      );
      count++;
    }
  }
  assert.ok(count >= 39, `${count} PDUs`);
});
