/**
 * One generic round-trip property over every interface's opnum table (interfaces/operation.ts):
 * for every operation and direction, stubs derived from an encoded example (bytes changed, cut or
 * extended by fast-check, in both drep orders) either fail to decode, or decode to a value whose
 * encoding is a fixed point: it decodes to a value that encodes to the same bytes and decodes alike. A new operation without an example fails the first test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../../src/core/bytes.ts';
import { RpcsweepError } from '../../../src/core/errors.ts';
import {
  EPM_OPERATIONS,
  EPM_SYNTAX,
  encodeActivationReply,
  encodeEptLookupResponse,
  encodeEptMapRequest,
  encodeEptMapResponse,
  encodeInqIfIdsResponse,
  encodeRemactProbe,
  encodeRemoteActivationResponse,
  encodeRemoteCreateInstanceRequest,
  encodeServerAlive2Response,
  encodeSysactProbe,
  encodeTower,
  HRESULT,
  MGMT_OPERATIONS,
  NIL_UUID,
  NULL_CONTEXT_HANDLE,
  type OperationTable,
  OXID_OPERATIONS,
  REMACT_OPERATIONS,
  SYSACT_OPERATIONS,
  sysactFailureReply,
  type TowerSpec,
} from '../../../src/protocol/dcerpc/index.ts';

const TABLES: Record<string, OperationTable> = {
  epm: EPM_OPERATIONS,
  mgmt: MGMT_OPERATIONS,
  remact: REMACT_OPERATIONS,
  sysact: SYSACT_OPERATIONS,
  oxid: OXID_OPERATIONS,
};

const CID = '11111111-2222-3333-4444-555555555555';
const TCP_TOWER: TowerSpec = {
  interface: EPM_SYNTAX,
  protocol: 'ncacn_ip_tcp',
  port: 135,
  address: '127.0.0.1',
};
const ORPC_THIS = { version: { major: 5, minor: 6 }, flags: 0, reserved1: 0, cid: CID, extensions: null };

/** Little-endian example stubs per `interface.operation`, as the encoders write them. */
const EXAMPLES: Record<string, { request: Uint8Array; response: Uint8Array }> = {
  'epm.ept_lookup': {
    request: EPM_OPERATIONS.ept_lookup.request.encode({ maxEnts: 500 }),
    response: encodeEptLookupResponse({
      entryHandle: { attributes: 0, uuid: CID },
      entries: [{ object: NIL_UUID, annotation: 'epm', tower: TCP_TOWER }],
      status: 0,
    }),
  },
  'epm.ept_map': {
    request: encodeEptMapRequest({ mapTower: encodeTower(TCP_TOWER) }),
    response: encodeEptMapResponse({ entryHandle: NULL_CONTEXT_HANDLE, towers: [TCP_TOWER], status: 0 }),
  },
  'mgmt.inq_if_ids': {
    request: new Uint8Array(0),
    response: encodeInqIfIdsResponse({ interfaces: [EPM_SYNTAX], status: 0 }),
  },
  'remact.RemoteActivation': {
    request: encodeRemactProbe({ cid: CID, clsid: CID }),
    response: encodeRemoteActivationResponse({
      orpcThat: { flags: 0, extensions: null },
      oxid: 0n,
      oxidBindings: null,
      ipidRemUnknown: NIL_UUID,
      authnHint: 0,
      serverVersion: { major: 5, minor: 6 },
      hr: HRESULT.CO_E_BADPATH,
      interfaceData: [null],
      results: [HRESULT.CO_E_BADPATH],
      returnValue: 0,
    }),
  },
  'sysact.RemoteGetClassObject': {
    request: encodeSysactProbe({ cid: CID }),
    response: encodeActivationReply(sysactFailureReply(HRESULT.RPC_E_INVALID_OBJREF)),
  },
  'sysact.RemoteCreateInstance': {
    request: encodeRemoteCreateInstanceRequest({
      orpcThis: ORPC_THIS,
      unkOuter: null,
      actProperties: { cntData: 8, abData: new Uint8Array(8).fill(0x41) },
    }),
    response: encodeActivationReply(sysactFailureReply(HRESULT.E_INVALIDARG)),
  },
  'oxid.ServerAlive2': {
    request: new Uint8Array(0),
    response: encodeServerAlive2Response({
      comVersion: { major: 5, minor: 7 },
      bindings: {
        numEntries: 14,
        securityOffset: 11,
        stringBindings: [{ towerId: 7, networkAddress: 'HOST1' }],
        securityBindings: [{ authnSvc: 10, authzSvc: 0xffff, principalName: '' }],
      },
      reserved: 0,
      status: 0,
    }),
  },
};

const operations = Object.entries(TABLES).flatMap(([iface, table]) =>
  Object.entries(table).map(([name, op]) => ({ key: `${iface}.${name}`, op })),
);

test('every operation of every opnum table has an example, and each example decodes', () => {
  assert.ok(operations.length >= 7);
  for (const { key, op } of operations) {
    const ex = EXAMPLES[key];
    assert.ok(ex, `no example for ${key}`);
    assert.ok(op.request.decode(ex.request).ok, `${key} request`);
    assert.ok(op.response.decode(ex.response).ok, `${key} response`);
  }
  assert.deepEqual(Object.keys(EXAMPLES).sort(), operations.map((o) => o.key).sort(), 'no stale examples');
});

/** The encoding, or undefined when the encoder refuses the value on purpose. */
const encodeOrRefuse = (codec: OperationTable[string]['request'], value: unknown, littleEndian: boolean) => {
  try {
    return codec.encode(value, littleEndian);
  } catch (e) {
    // The REMACT encoder refuses object names whose server part exceeds 15 characters on purpose.
    if (e instanceof RpcsweepError && e.code === 'INVALID_ARGUMENT') return undefined;
    throw e;
  }
};

/** Flips the drep of a little-endian stub by decoding it and encoding the value big-endian. */
const inOrder = (codec: OperationTable[string]['request'], stub: Uint8Array, littleEndian: boolean) => {
  if (littleEndian) return stub;
  const d = codec.decode(stub);
  return d.ok ? codec.encode(d.value, false) : stub;
};

test('round trip over every table: a decoded stub encodes to bytes that decode to the same value (property)', () => {
  const cases = operations.flatMap(({ key, op }) =>
    (['request', 'response'] as const).map((dir) => ({
      key: `${key} ${dir}`,
      codec: op[dir],
      stub: EXAMPLES[key]![dir],
    })),
  );
  const edit = fc.record({
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    extra: fc.uint8Array({ maxLength: 8 }),
  });
  let decodedMutants = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...cases),
      fc.boolean(),
      fc.array(edit, { maxLength: 3 }),
      (c, littleEndian, edits) => {
        let bytes = inOrder(c.codec, c.stub, littleEndian).slice();
        for (const e of edits) {
          if (bytes.length > 0) bytes[e.at % bytes.length] = e.value;
          if (e.cut !== undefined) bytes = bytes.slice(0, e.cut % (bytes.length + 1));
          bytes = Uint8Array.from([...bytes, ...e.extra]);
        }
        const first = c.codec.decode(bytes, { littleEndian });
        if (!first.ok) return;
        decodedMutants++;
        // Encoders derive counts (wNumEntries, max_count, ...) from the content, while decoders keep
        // the counts they read: so the first encoding canonicalises, and from there encode and decode
        // must be exact inverses, bytes and values.
        const canonical = encodeOrRefuse(c.codec, first.value, littleEndian);
        if (!canonical) return;
        const second = c.codec.decode(canonical, { littleEndian });
        assert.ok(second.ok, `${c.key}: re-encoded stub does not decode`);
        const again = c.codec.encode(second.value, littleEndian);
        assert.equal(toHex(again), toHex(canonical), `${c.key}: bytes`);
        const third = c.codec.decode(again, { littleEndian });
        assert.ok(third.ok);
        assert.deepEqual(third.value, second.value, `${c.key}: value`);
      },
    ),
    { numRuns: 3000, seed: 12 },
  );
  assert.ok(decodedMutants > 500, `only ${decodedMutants} stubs decoded: the property tested too little`);
});
