import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../../../src/core/bytes.ts';
import { RpcsweepError } from '../../../src/core/errors.ts';
import {
  ASSUMED_LEGACY_COM_VERSION,
  DCOM_IDS,
  decodeActivationPropertiesOut,
  decodeActivationReply,
  decodeInqIfIdsResponse,
  decodeRemoteActivationRequest,
  decodeRemoteActivationResponse,
  decodeRemoteCreateInstanceRequest,
  decodeRemoteGetClassObjectRequest,
  decodeServerAlive2Response,
  encodeActivationPropertiesOut,
  encodeActivationReply,
  encodeInqIfIdsResponse,
  encodeRemactProbe,
  encodeRemoteActivationRequest,
  encodeRemoteActivationResponse,
  encodeRemoteCreateInstanceRequest,
  encodeRemoteGetClassObjectRequest,
  encodeServerAlive2Request,
  encodeServerAlive2Response,
  encodeSysactProbe,
  HRESULT,
  knownInterfaceName,
  MGMT_SYNTAX,
  type OrpcThis,
  REMACT_PROBE_OBJECT_NAME,
  REMACT_UUID,
  type RemoteActivationResponse,
  remactFailureResponse,
  SYSACT_UUID,
  serverPartOf,
  serverPartThroughNuls,
  statusHex,
  statusName,
  sysactFailureReply,
} from '../../../src/protocol/dcerpc/index.ts';
import { hexOf } from './fixtures.ts';

const CID = '11111111-2222-3333-4444-555555555555';
const CLSID = '9a885d00-1ceb-11c9-9fe8-08002b104860';
const u32At = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const u16At = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint16(at, true);

/** Decodes at offset 0 and 5 bytes into a buffer; both must agree (alignment from the stub start). */
const bothOffsets = <T>(
  stub: Uint8Array,
  decode: (b: Uint8Array, o: { offset: number }) => { ok: boolean },
) => {
  const a = decode(stub, { offset: 0 }) as { ok: true; value: T; consumed: number };
  const buf = new Uint8Array(stub.length + 5);
  buf.set(stub, 5);
  const b = decode(buf, { offset: 5 }) as { ok: true; value: T; consumed: number };
  assert.ok(a.ok && b.ok);
  assert.deepEqual(b.value, a.value);
  assert.equal(a.consumed, stub.length);
  return a.value;
};

test('REMACT probe: detection.md §3.4 layout, ORPCTHIS 5.1, ≤ 15-char server part', () => {
  const stub = encodeRemactProbe({ cid: CID, clsid: CLSID });
  assert.equal(u16At(stub, 0), 5);
  assert.equal(u16At(stub, 2), 1, 'ORPCTHIS minor 1 so NT4 (COM 5.1) answers');
  assert.equal(u32At(stub, 28), 0, 'NULL extensions');
  assert.notEqual(u32At(stub, 48), 0, 'pwszObjectName referent');
  assert.deepEqual([u32At(stub, 52), u32At(stub, 56), u32At(stub, 60)], [10, 0, 10]);
  assert.equal(new TextDecoder('utf-16le').decode(stub.subarray(64, 84)), REMACT_PROBE_OBJECT_NAME);
  assert.equal(u32At(stub, 84), 0, 'pObjectStorage NULL');
  assert.equal(u32At(stub, 96), 1, 'Interfaces');
  assert.equal(u32At(stub, 104), 1, 'pIIDs max_count');
  assert.equal(u16At(stub, 124), 1, 'cRequestedProtseqs');
  assert.equal(u16At(stub, 132), 7, 'ncacn_ip_tcp');
  assert.equal(stub.length, 134);
  assert.equal(serverPartOf(REMACT_PROBE_OBJECT_NAME), 'A');
  const q = bothOffsets<ReturnType<typeof decodeRemoteActivationRequest>>(
    stub,
    decodeRemoteActivationRequest,
  );
  assert.ok(q);
  const d = decodeRemoteActivationRequest(stub);
  assert.ok(d.ok);
  assert.equal(d.value.objectName, REMACT_PROBE_OBJECT_NAME);
  assert.equal(d.value.clsid, CLSID);
  assert.deepEqual(d.value.requestedProtseqs, [7]);
  assert.equal(hexOf(encodeRemoteActivationRequest(d.value)), hexOf(stub));
});

test('REMACT encoders refuse an object name whose server part exceeds 15 characters', () => {
  const long = `\\\\${'A'.repeat(16)}\\x\0`;
  assert.throws(
    () => encodeRemactProbe({ cid: CID, clsid: CLSID, objectName: long }),
    (e: unknown) => e instanceof RpcsweepError && e.code === 'INVALID_ARGUMENT',
  );
  assert.doesNotThrow(() =>
    encodeRemactProbe({ cid: CID, clsid: CLSID, objectName: `\\\\${'A'.repeat(15)}\\x\0` }),
  );
  assert.equal(serverPartOf('\\\\HOST\\C$\\'), 'HOST');
  // Embedded NULs count as server characters for the limit: 10 + NUL + 10 = 21 > 15 is refused.
  const hidden = `\\\\${'A'.repeat(10)}\0${'B'.repeat(10)}\\x\0`;
  assert.equal(serverPartOf(hidden).length, 10);
  assert.equal(serverPartThroughNuls(hidden).length, 21);
  assert.throws(() => encodeRemactProbe({ cid: CID, clsid: CLSID, objectName: hidden }), RpcsweepError);
  // Every historical detector name fits (detection.md §2): Tenable, eEye, Microsoft req7.
  for (const name of [
    REMACT_PROBE_OBJECT_NAME,
    '\\\\xC\0\0c$\\SSVA_2003_NESSES.txt\0',
    '\\\\172.42.142.142\0\\test_Nessus\0',
  ]) {
    assert.ok(serverPartThroughNuls(name).length <= 15, name);
    assert.doesNotThrow(() => encodeRemactProbe({ cid: CID, clsid: CLSID, objectName: name }));
  }
});

test('REMACT failure reply: 68 bytes, COMVERSION at 40, phr at 44 (what Tenable and eEye read)', () => {
  const stub = encodeRemoteActivationResponse(
    remactFailureResponse(HRESULT.CO_E_BADPATH, { major: 5, minor: 6 }),
  );
  assert.equal(stub.length, 68);
  assert.deepEqual([u16At(stub, 40), u16At(stub, 42)], [5, 6]);
  assert.equal(u32At(stub, 44), 0x80080004);
  assert.equal(u32At(stub, stub.length - 24), 0x80080004, 'Tenable: dword at len-24');
  // eEye reads 4 bytes at len-25 of the whole PDU (24-byte header): 00 04 00 08 for CO_E_BADPATH.
  const pdu = new Uint8Array(24 + stub.length);
  pdu.set(stub, 24);
  assert.equal(hexOf(pdu.subarray(pdu.length - 25, pdu.length - 21)), '00040008');
  const r = bothOffsets<RemoteActivationResponse>(stub, decodeRemoteActivationResponse);
  assert.equal(r.hr, 0x80080004);
  assert.deepEqual(r.serverVersion, { major: 5, minor: 6 });
  assert.equal(statusName(r.hr), 'CO_E_BADPATH');
});

test('REMACT success reply with bindings, ORPCTHAT extensions and interface data round-trips', () => {
  const reply: RemoteActivationResponse = {
    orpcThat: {
      flags: 0,
      extensions: [
        { id: '22222222-3333-4444-5555-666666666666', size: 5, data: fromHex('0102030405000000') },
      ],
    },
    oxid: 0x0102030405060708n,
    oxidBindings: {
      numEntries: 0,
      securityOffset: 0,
      stringBindings: [{ towerId: 7, networkAddress: '192.0.2.7' }],
      securityBindings: [{ authnSvc: 10, authzSvc: 0xffff, principalName: '' }],
    },
    ipidRemUnknown: '0000a001-0000-0000-0000-000000000001',
    authnHint: 2,
    serverVersion: { major: 5, minor: 7 },
    hr: 0,
    interfaceData: [{ cntData: 4, abData: fromHex('4d454f57') }, null],
    results: [0, 0x80004002],
    returnValue: 0,
  };
  const stub = encodeRemoteActivationResponse(reply);
  const back = bothOffsets<RemoteActivationResponse>(stub, decodeRemoteActivationResponse);
  assert.deepEqual(back.oxidBindings?.stringBindings, reply.oxidBindings!.stringBindings);
  assert.deepEqual(back.oxidBindings?.securityBindings, reply.oxidBindings!.securityBindings);
  assert.deepEqual(back.orpcThat, reply.orpcThat);
  assert.deepEqual(back.interfaceData, reply.interfaceData);
  assert.deepEqual(back.results, reply.results);
  assert.equal(back.oxid, reply.oxid);
  assert.equal(hexOf(encodeRemoteActivationResponse(back)), hexOf(stub));
  // Big-endian NDR too.
  const be = encodeRemoteActivationResponse(reply, false);
  const d = decodeRemoteActivationResponse(be, { littleEndian: false });
  assert.ok(d.ok);
  assert.equal(d.value.hr, 0);
  assert.deepEqual(d.value.serverVersion, { major: 5, minor: 7 });
});

test('REMACT request with ORPCTHIS extensions, object storage and several IIDs round-trips', () => {
  const orpcThis: OrpcThis = {
    version: { major: 5, minor: 2 },
    flags: 0,
    reserved1: 0,
    cid: CID,
    extensions: [
      { id: '33333333-4444-5555-6666-777777777777', size: 3, data: fromHex('aabbcc0000000000') },
      { id: '44444444-4444-5555-6666-777777777777', size: 8, data: fromHex('0102030405060708') },
    ],
  };
  const stub = encodeRemoteActivationRequest({
    orpcThis,
    clsid: CLSID,
    objectName: '\\\\MEOW\0',
    objectStorage: { cntData: 3, abData: fromHex('010203') },
    clientImpLevel: 2,
    mode: 2,
    iids: [DCOM_IDS.IID_IUnknown, DCOM_IDS.IID_IActivationPropertiesIn],
    requestedProtseqs: [7, 9],
  });
  const d = decodeRemoteActivationRequest(stub);
  assert.ok(d.ok);
  assert.deepEqual(d.value.orpcThis, orpcThis);
  assert.equal(d.value.iids?.length, 2);
  assert.equal(hexOf(encodeRemoteActivationRequest(d.value)), hexOf(stub));
});

test('SYSACT probe: Tenable 11835 60-byte stub; failure reply 16 bytes with the HRESULT last', () => {
  const stub = encodeSysactProbe({ cid: CID });
  assert.equal(stub.length, 60);
  assert.deepEqual([u16At(stub, 0), u16At(stub, 2), u32At(stub, 4)], [5, 6, 1]);
  assert.equal(u32At(stub, 32), 0x00020000);
  assert.deepEqual([u32At(stub, 36), u32At(stub, 40)], [12, 12]);
  assert.equal(new TextDecoder().decode(stub.subarray(44, 56)), 'A'.repeat(12));
  const q = decodeRemoteGetClassObjectRequest(stub);
  assert.ok(q.ok);
  assert.equal(q.value.actProperties?.cntData, 12);
  assert.equal(q.value.trailing?.length, 4);
  assert.equal(hexOf(encodeRemoteGetClassObjectRequest(q.value)), hexOf(stub));
  const reply = encodeActivationReply(sysactFailureReply(HRESULT.RPC_E_INVALID_OBJREF));
  assert.equal(hexOf(reply), '0000000000000000000000001d010180');
  const r = decodeActivationReply(reply);
  assert.ok(r.ok);
  assert.equal(statusHex(r.value.hr), '0x8001011d');
  assert.equal(r.value.actProperties, null);
});

test('RemoteCreateInstance: request round-trips; a success reply yields COMVERSION via ActivationPropertiesOut', () => {
  const req = encodeRemoteCreateInstanceRequest({
    orpcThis: { version: { major: 5, minor: 7 }, flags: 0, reserved1: 0, cid: CID, extensions: null },
    unkOuter: null,
    actProperties: { cntData: 8, abData: fromHex('4d454f5704000000') },
  });
  const q = decodeRemoteCreateInstanceRequest(req);
  assert.ok(q.ok);
  assert.equal(q.value.unkOuter, null);
  assert.equal(q.value.actProperties?.abData.length, 8);
  assert.equal(hexOf(encodeRemoteCreateInstanceRequest(q.value)), hexOf(req));
  const abData = encodeActivationPropertiesOut({
    scmReply: {
      oxid: 0x1122334455667788n,
      oxidBindings: {
        numEntries: 0,
        securityOffset: 0,
        stringBindings: [{ towerId: 7, networkAddress: 'LAB2003' }],
        securityBindings: [],
      },
      ipidRemUnknown: '0000a001-0000-0000-0000-000000000042',
      authnHint: 2,
      serverVersion: { major: 5, minor: 6 },
    },
    propsOut: { iids: [DCOM_IDS.IID_IUnknown], results: [0], interfaceData: [null] },
  });
  const reply = encodeActivationReply({
    orpcThat: { flags: 0, extensions: null },
    actProperties: { cntData: abData.length, abData },
    hr: 0,
  });
  const r = decodeActivationReply(reply);
  assert.ok(r.ok);
  const props = decodeActivationPropertiesOut(r.value.actProperties!.abData);
  assert.ok(props.ok, props.ok ? '' : props.error.message);
  assert.equal(props.value.objrefClsid, DCOM_IDS.CLSID_ActivationPropertiesOut);
  assert.deepEqual(props.value.scmReply?.serverVersion, { major: 5, minor: 6 });
  assert.equal(props.value.scmReply?.oxid, 0x1122334455667788n);
  assert.deepEqual(props.value.scmReply?.oxidBindings?.stringBindings, [
    { towerId: 7, networkAddress: 'LAB2003' },
  ]);
  assert.deepEqual(props.value.propsOut?.results, [0]);
  // encode → decode → encode gives the same blob.
  const again = encodeActivationPropertiesOut({
    scmReply: props.value.scmReply!,
    propsOut: props.value.propsOut!,
    destCtx: props.value.destCtx,
  });
  assert.equal(hexOf(again), hexOf(abData));
  assert.deepEqual(
    props.value.properties.map((p) => p.clsid),
    [DCOM_IDS.CLSID_PropsOutInfo, DCOM_IDS.CLSID_ScmReplyInfo],
  );
  // Not an OBJREF: a clear error value.
  const junk = decodeActivationPropertiesOut(fromHex('414141414141414141414141'));
  assert.ok(!junk.ok);
  assert.equal(junk.error.field, 'dcom.objref.signature');
});

test('ServerAlive2: empty request, reply with COMVERSION and bindings both directions', () => {
  assert.equal(encodeServerAlive2Request().length, 0);
  const reply = {
    comVersion: { major: 5, minor: 7 },
    bindings: {
      numEntries: 0,
      securityOffset: 0,
      stringBindings: [
        { towerId: 7, networkAddress: 'WIN2016' },
        { towerId: 7, networkAddress: '10.0.0.5' },
      ],
      securityBindings: [{ authnSvc: 9, authzSvc: 0xffff, principalName: '' }],
    },
    reserved: 0,
    status: 0,
  };
  const stub = encodeServerAlive2Response(reply);
  const d = bothOffsets<typeof reply>(stub, decodeServerAlive2Response);
  assert.deepEqual(d.comVersion, { major: 5, minor: 7 });
  assert.deepEqual(d.bindings?.stringBindings, reply.bindings.stringBindings);
  assert.equal(hexOf(encodeServerAlive2Response(d)), hexOf(stub));
  assert.deepEqual(ASSUMED_LEGACY_COM_VERSION, { major: 5, minor: 1 });
});

test('mgmt inq_if_ids reply with the 11 interfaces Windows 2003 lists on 135 (detection.md §7.9)', () => {
  // The interface list is the one detection.md §7.9 records from real Windows 2003 replies; the bytes
  // are ours, laid out as detection.md §3.7 describes (ptr, count, max_count, count ptrs, ids, status).
  const listed: Array<[string, number, number]> = [
    ['e1af8308-5d1f-11c9-91a4-08002b14a0fa', 3, 0],
    ['0b0a6584-9e0f-11cf-a3cf-00805f68cb1b', 1, 1],
    ['1d55b526-c137-46c5-ab79-638f2a68e869', 1, 0],
    ['e60c73e6-88f9-11cf-9af1-0020af6e72f4', 2, 0],
    ['99fcfec4-5260-101b-bbcb-00aa0021347a', 0, 0],
    ['b9e79e60-3d52-11ce-aaa1-00006901293f', 0, 2],
    ['412f241e-c12a-11ce-abff-0020af6e7a17', 0, 2],
    ['00000136-0000-0000-c000-000000000046', 0, 0],
    ['c6f3ee72-ce7e-11d1-b71e-00c04fc3111a', 1, 0],
    [REMACT_UUID, 0, 0],
    [SYSACT_UUID, 0, 0],
  ];
  const stub = encodeInqIfIdsResponse({
    interfaces: listed.map(([uuid, major, minor]) => ({ uuid, major, minor })),
    status: 0,
  });
  assert.equal(stub.length, 4 + 4 + 4 + 11 * 4 + 11 * 20 + 4);
  const d = decodeInqIfIdsResponse(stub);
  assert.ok(d.ok);
  assert.equal(d.value.status, 0);
  assert.equal(d.value.interfaces?.length, 11);
  const ids = d.value.interfaces!.map((i) => `${i!.uuid} ${i!.major}.${i!.minor}`);
  assert.ok(ids.includes(`${REMACT_UUID} 0.0`));
  assert.ok(ids.includes(`${SYSACT_UUID} 0.0`));
  assert.ok(ids.includes('0b0a6584-9e0f-11cf-a3cf-00805f68cb1b 1.1'));
  assert.equal(ids[0], 'e1af8308-5d1f-11c9-91a4-08002b14a0fa 3.0');
  assert.equal(hexOf(encodeInqIfIdsResponse(d.value)), hexOf(stub));
  assert.equal(knownInterfaceName(REMACT_UUID), 'IRemoteActivation (REMACT)');
  const empty = encodeInqIfIdsResponse({ interfaces: null, status: 5 });
  const e = decodeInqIfIdsResponse(empty);
  assert.ok(e.ok);
  assert.deepEqual(e.value, { interfaces: null, status: 5 });
  assert.equal(MGMT_SYNTAX.major, 1);
});

test('hostile activation replies: huge counts and bad extents are error values', () => {
  const stub = encodeRemoteActivationResponse(remactFailureResponse(0x80040154, { major: 5, minor: 2 }));
  const big = stub.slice();
  big.set([0xff, 0xff, 0xff, 0xff], 48); // ppInterfaceData max_count
  const d = decodeRemoteActivationResponse(big);
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'DCERPC_BAD_COUNT');
  const short = decodeRemoteActivationResponse(stub.subarray(0, 46));
  assert.ok(!short.ok);
  assert.equal(short.error.code, 'DCERPC_TRUNCATED');
  assert.equal(short.error.field, 'remact.hr');
});
