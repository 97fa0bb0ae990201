import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeEptLookupRequest,
  decodeEptLookupResponse,
  decodeEptMapRequest,
  decodeEptMapResponse,
  decodePduOrThrow,
  decodeTower,
  EPM_OPNUMS,
  EPM_STATUS,
  EPM_SYNTAX,
  type EptLookupResponse,
  encodeEptLookupRequest,
  encodeEptLookupResponse,
  encodeEptMapRequest,
  encodeEptMapResponse,
  encodeRequest,
  encodeTower,
  encodeTowerFloors,
  eptLookupStep,
  isNullContextHandle,
  NDR32_SYNTAX,
  NULL_CONTEXT_HANDLE,
  PduStream,
  REMACT_SYNTAX,
  type RequestPdu,
  type ResponsePdu,
  type TowerSpec,
  toEndpointRecord,
  towerBinding,
} from '../../../src/protocol/dcerpc/index.ts';
import { hexOf, loadHex } from './fixtures.ts';

const stubOf = (name: string) => (decodePduOrThrow(loadHex(name)) as RequestPdu | ResponsePdu).stub;
const reassembled = (name: string): Uint8Array => {
  const step = new PduStream().push(loadHex(name));
  assert.equal(step.calls.length, 1);
  return step.calls[0]!.stub;
};
const lookup = (stub: Uint8Array): EptLookupResponse => {
  const d = decodeEptLookupResponse(stub);
  assert.ok(d.ok, d.ok ? '' : `${d.error.code} ${d.error.field} ${d.error.message}`);
  assert.equal(d.consumed, stub.length);
  return d.value;
};

test('golden: the "enumerate everything" lookup requests (Windows tool vers_option 0, impacket max_ents 499)', () => {
  const win = stubOf('win10-ept-lookup-request');
  const d = decodeEptLookupRequest(win);
  assert.ok(d.ok);
  assert.deepEqual(d.value, {
    inquiryType: 0,
    object: null,
    interfaceId: null,
    versOption: 0,
    entryHandle: NULL_CONTEXT_HANDLE,
    maxEnts: 1,
  });
  assert.equal(hexOf(encodeEptLookupRequest(d.value)), hexOf(win));
  assert.equal(hexOf(encodeEptLookupRequest({ maxEnts: 499 })), hexOf(stubOf('win10-rpcdump-request')));
  const pdu = encodeRequest({
    callId: 0,
    opnum: EPM_OPNUMS.ept_lookup,
    stub: encodeEptLookupRequest(d.value),
  });
  assert.equal(hexOf(pdu), hexOf(loadHex('win10-ept-lookup-request')));
});

test('a lookup request with object, interface and handle round-trips, also at a shifted stub offset', () => {
  const q = {
    inquiryType: 1,
    object: '11111111-2222-3333-4444-555555555555',
    interfaceId: REMACT_SYNTAX,
    versOption: 3,
    entryHandle: { attributes: 0, uuid: 'bb82642d-d5bd-498e-8a32-6b0859c414d0' },
    maxEnts: 10,
  };
  const stub = encodeEptLookupRequest(q);
  const d = decodeEptLookupRequest(stub);
  assert.ok(d.ok);
  assert.deepEqual(d.value, q);
  assert.equal(hexOf(encodeEptLookupRequest(d.value)), hexOf(stub));
  // The same stub 3 bytes into a buffer decodes the same: alignment counts from the stub start.
  const shifted = new Uint8Array(stub.length + 3);
  shifted.set(stub, 3);
  const s = decodeEptLookupRequest(shifted, { offset: 3 });
  assert.ok(s.ok);
  assert.deepEqual(s.value, q);
});

test('golden: one Windows entry with a 5-floor ncacn_ip_tcp tower (big-endian port and address, referent ID 1)', () => {
  const stub = stubOf('win10-ept-lookup-response-one');
  const r = lookup(stub);
  assert.equal(r.entries.length, 1);
  assert.equal(r.numEnts, 1);
  assert.equal(r.status, 0);
  assert.equal(r.entryHandle.uuid, 'bb82642d-d5bd-498e-8a32-6b0859c414d0');
  const e = r.entries[0]!;
  assert.equal(e.object, '765294ba-60bc-48b8-92e9-89fd77769d91');
  assert.equal(e.annotation, '');
  assert.equal(e.towerOctets?.length, 75);
  assert.deepEqual(e.tower?.interface, { uuid: 'd95afe70-a6d5-4259-822e-2c84da1ddb0d', major: 1, minor: 0 });
  assert.deepEqual(e.tower?.transferSyntax, NDR32_SYNTAX);
  assert.equal(e.tower?.protocol, 'ncacn_ip_tcp');
  assert.equal(e.tower?.port, 49664);
  assert.equal(e.tower?.address, '10.0.2.18');
  assert.equal(towerBinding(e.tower!), 'ncacn_ip_tcp:10.0.2.18[49664]');
  const again = encodeEptLookupResponse({
    entryHandle: r.entryHandle,
    entries: r.entries.map((x) => ({ object: x.object, annotation: x.annotation, tower: x.towerOctets })),
    status: r.status,
  });
  assert.equal(hexOf(again), hexOf(stub));
  // The same tower built from its description is byte-identical.
  const spec: TowerSpec = {
    interface: e.tower!.interface!,
    protocol: 'ncacn_ip_tcp',
    port: 49664,
    address: '10.0.2.18',
  };
  assert.equal(hexOf(encodeTower(spec)), hexOf(e.towerOctets!));
});

test('golden: Windows end of enumeration (num_ents 0, zero handle, EPT_S_NOT_REGISTERED)', () => {
  const r = lookup(stubOf('win10-ept-lookup-response-final'));
  assert.equal(r.entries.length, 0);
  assert.ok(isNullContextHandle(r.entryHandle));
  assert.equal(r.status, EPM_STATUS.EPT_S_NOT_REGISTERED);
  assert.deepEqual(eptLookupStep(r), { entries: [], done: true });
});

test('golden: the reassembled 11-fragment Windows reply holds 346 entries, zero handle, status 0', () => {
  const stub = reassembled('win10-rpcdump-response-segments');
  const r = lookup(stub);
  assert.equal(r.entries.length, 346);
  assert.equal(r.numEnts, 346);
  assert.equal(r.status, 0);
  assert.ok(isNullContextHandle(r.entryHandle));
  assert.ok(r.entries.every((e) => e.tower && !e.towerError));
  const count = (p: string) => r.entries.filter((e) => e.tower?.protocol === p).length;
  assert.deepEqual([count('ncacn_ip_tcp'), count('ncacn_np'), count('ncalrpc')], [13, 15, 318]);
  const lrpc = r.entries.find((e) => e.tower?.protocol === 'ncalrpc')!;
  assert.match(towerBinding(lrpc.tower!), /^ncalrpc:\[.+\]$/);
  const np = r.entries.find((e) => e.tower?.pipe === '\\PIPE\\InitShutdown')!;
  assert.equal(np.tower?.host, '\\\\MSEDGEWIN10');
  assert.equal(towerBinding(np.tower!), 'ncacn_np:\\\\MSEDGEWIN10[\\PIPE\\InitShutdown]');
  const ports = new Set(r.entries.filter((e) => e.tower?.port).map((e) => e.tower!.port));
  assert.ok([...ports].every((p) => p! >= 49664 && p! <= 49671));
  assert.deepEqual(eptLookupStep(r).done, true);
  // Windows numbers tower referents 1, 2, 3, …: the whole 45 276-byte stub re-encodes byte for byte.
  const again = encodeEptLookupResponse({
    entryHandle: r.entryHandle,
    entries: r.entries.map((x) => ({ object: x.object, annotation: x.annotation, tower: x.towerOctets })),
    status: r.status,
    maxEnts: r.maxEnts,
  });
  assert.equal(r.maxEnts, 499, 'Windows echoes the request max_ents as max_count');
  assert.equal(hexOf(again), hexOf(stub));
  // Every tower re-encodes from its floors byte for byte.
  for (const e of r.entries) assert.equal(hexOf(encodeTowerFloors(e.tower!.floors)), hexOf(e.towerOctets!));
  const rec = toEndpointRecord(r.entries[0]!);
  assert.equal(rec.binding, 'ncacn_ip_tcp:10.0.2.16[49664]');
  assert.equal(rec.port, 49664);
  assert.equal(rec.name, 'WindowsShutdown');
});

test('golden: Samba keeps its last 38 entries in the batch that says EPT_S_NOT_REGISTERED', () => {
  const r = lookup(reassembled('samba-rpcdump-response-segments'));
  assert.equal(r.entries.length, 38);
  assert.equal(r.status, EPM_STATUS.EPT_S_NOT_REGISTERED);
  assert.ok(isNullContextHandle(r.entryHandle));
  const step = eptLookupStep(r);
  assert.equal(step.entries.length, 38, 'entries are kept, not discarded as impacket 0.10 does');
  assert.equal(step.done, true);
  assert.equal(step.error, undefined);
  const rec = toEndpointRecord(r.entries[0]!);
  assert.equal(rec.annotation, 'eventlog');
  assert.equal(rec.pipe, '\\pipe\\eventlog');
  assert.equal(rec.name, 'EVENTLOG');
  assert.ok(r.entries.some((e) => e.tower?.protocol === 'ncacn_ip_tcp' && e.tower.port !== undefined));
});

test('paging: non-zero handle + status 0 means "call again"; another status is an error', () => {
  const page = {
    entryHandle: { attributes: 0, uuid: 'bb82642d-d5bd-498e-8a32-6b0859c414d0' },
    numEnts: 0,
    entries: [],
    status: 0,
  };
  assert.deepEqual(eptLookupStep(page), { entries: [], done: false });
  assert.deepEqual(eptLookupStep({ ...page, status: 5 }), { entries: [], done: true, error: 5 });
});

test('golden: ept_map for SVCCTL (Windows referent IDs 1, 2 and 3) both directions', () => {
  const reqStub = stubOf('win2016-ept-map-request');
  const q = decodeEptMapRequest(reqStub);
  assert.ok(q.ok);
  assert.equal(q.value.maxTowers, 4);
  assert.equal(q.value.object, '00000000-0000-0000-0000-000000000000');
  const t = decodeTower(q.value.mapTower!);
  assert.ok(t.ok);
  assert.deepEqual(t.value.interface, { uuid: '367abb81-9844-35f1-ad32-98f038001003', major: 2, minor: 0 });
  assert.equal(t.value.port, 135);
  assert.equal(t.value.address, '172.16.66.36');
  assert.equal(
    hexOf(encodeEptMapRequest(q.value, { firstReferentId: 1, referentIdStep: 1 })),
    hexOf(reqStub),
  );
  const respStub = stubOf('win2016-ept-map-response');
  const a = decodeEptMapResponse(respStub);
  assert.ok(a.ok);
  assert.equal(a.value.numTowers, 1);
  assert.equal(a.value.status, 0);
  assert.equal(a.value.towers[0]?.tower?.port, 49688);
  assert.equal(
    hexOf(
      encodeEptMapResponse({
        entryHandle: a.value.entryHandle,
        towers: [a.value.towers[0]!.octets],
        status: 0,
        maxTowers: 4,
      }),
    ),
    hexOf(respStub),
  );
});

test('towers for every protocol sequence round-trip through their description', () => {
  const specs: TowerSpec[] = [
    { interface: EPM_SYNTAX, protocol: 'ncacn_ip_tcp', port: 135, address: '127.0.0.1' },
    { interface: EPM_SYNTAX, protocol: 'ncadg_ip_udp', port: 135, address: '10.1.2.3' },
    { interface: EPM_SYNTAX, protocol: 'ncacn_http', port: 593, address: '192.0.2.1' },
    { interface: EPM_SYNTAX, protocol: 'ncacn_np', pipe: '\\PIPE\\epmapper', host: '\\\\LAB' },
    { interface: EPM_SYNTAX, protocol: 'ncalrpc', endpoint: 'epmapper' },
  ];
  for (const spec of specs) {
    const d = decodeTower(encodeTower(spec));
    assert.ok(d.ok);
    const { floors: _f, interface: iface, transferSyntax, ...rest } = d.value;
    assert.deepEqual(iface, spec.interface);
    assert.deepEqual(transferSyntax, NDR32_SYNTAX);
    const { interface: _i, ...want } = spec;
    assert.deepEqual(rest, want);
  }
});

test('hostile lookup replies: counts beyond the bytes, offset+actual > max, bad tower lengths', () => {
  const stub = stubOf('win10-ept-lookup-response-one').slice();
  const big = stub.slice();
  big.set([0xff, 0xff, 0xff, 0x7f], 32); // actual_count
  const d1 = decodeEptLookupResponse(big);
  assert.ok(!d1.ok);
  assert.equal(d1.error.code, 'DCERPC_BAD_COUNT');
  const off = stub.slice();
  off.set([5, 0, 0, 0], 28); // offset
  const d2 = decodeEptLookupResponse(off);
  assert.ok(!d2.ok);
  assert.equal(d2.error.code, 'DCERPC_BAD_COUNT');
  const tl = stub.slice();
  tl.set([0x4c, 0, 0, 0], 72); // tower_length 76 > max_count 75
  const d3 = decodeEptLookupResponse(tl);
  assert.ok(!d3.ok);
  assert.equal(d3.error.field, 'epm.tower.tower_length');
  // A tower whose floors do not parse is kept as an entry with towerError.
  const floors = stub.slice();
  floors.set([0x09, 0x00], 76); // floor_count 9
  const r = lookup(floors);
  assert.equal(r.entries[0]!.tower, undefined);
  assert.match(r.entries[0]!.towerError!, /DCERPC_TRUNCATED/);
});
