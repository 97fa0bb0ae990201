/**
 * Fuzz seeds: every fixture (whole streams and each PDU), every request/response stub in them, the
 * towers of the real EPM replies, and stubs built by the encoders (probes and lab replies).
 */
import { readdirSync } from 'node:fs';
import {
  DCOM_IDS,
  decodeEptLookupResponse,
  decodePdu,
  EPM_SYNTAX,
  encodeActivationPropertiesOut,
  encodeActivationReply,
  encodeEptMapRequest,
  encodeInqIfIdsResponse,
  encodeRemactProbe,
  encodeRemoteActivationResponse,
  encodeServerAlive2Response,
  encodeSysactProbe,
  encodeTower,
  PduFramer,
  PduStream,
  remactFailureResponse,
  sysactFailureReply,
} from '../../../src/protocol/dcerpc/index.ts';
import {
  type FuzzSeed,
  PDU_TARGETS,
  REQUEST_STUB_TARGETS,
  RESPONSE_STUB_TARGETS,
} from '../../../src/protocol/dcerpc/testing/fuzz.ts';
import { loadHex } from './fixtures.ts';

const FIXTURES = new URL('../../fixtures/dcerpc/', import.meta.url);

export const loadFuzzSeeds = (): FuzzSeed[] => {
  const seeds: FuzzSeed[] = [];
  const pdu = (bytes: Uint8Array) => seeds.push({ bytes, targets: PDU_TARGETS });
  const req = (bytes: Uint8Array) => seeds.push({ bytes, targets: REQUEST_STUB_TARGETS });
  const resp = (bytes: Uint8Array) => seeds.push({ bytes, targets: RESPONSE_STUB_TARGETS });
  const other = (bytes: Uint8Array, target: string) => seeds.push({ bytes, targets: [target] });
  for (const file of readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.hex'))
    .sort()) {
    const bytes = loadHex(file.slice(0, -4));
    if (bytes.length <= 8192) pdu(bytes);
    const pdus = new PduFramer().push(bytes);
    for (const p of pdus) {
      pdu(p);
      const d = decodePdu(p);
      if (d.ok && d.value.type === 'request' && d.value.stub.length > 0) req(d.value.stub.slice());
      if (d.ok && d.value.type === 'response' && d.value.stub.length > 0) resp(d.value.stub.slice());
    }
    if (pdus.length === 0) resp(bytes); // stub-only fixtures (replies)
    for (const call of new PduStream().push(bytes).calls) {
      const lookup = decodeEptLookupResponse(call.stub);
      if (!lookup.ok) continue;
      for (const e of lookup.value.entries.slice(0, 12))
        if (e.towerOctets) other(e.towerOctets.slice(), 'decodeTower');
      if (call.stub.length > 8192) resp(call.stub.slice(0, 6000));
    }
  }
  const cid = '11111111-2222-3333-4444-555555555555';
  const abData = encodeActivationPropertiesOut({
    scmReply: {
      oxid: 7n,
      oxidBindings: {
        numEntries: 0,
        securityOffset: 0,
        stringBindings: [{ towerId: 7, networkAddress: 'LAB' }],
        securityBindings: [],
      },
      ipidRemUnknown: cid,
      authnHint: 2,
      serverVersion: { major: 5, minor: 6 },
    },
    propsOut: { iids: [DCOM_IDS.IID_IUnknown], results: [0], interfaceData: [null] },
  });
  req(encodeRemactProbe({ cid, clsid: cid }));
  resp(encodeRemoteActivationResponse(remactFailureResponse(0x80080004, { major: 5, minor: 2 })));
  req(encodeSysactProbe({ cid }));
  resp(encodeActivationReply(sysactFailureReply(0x8001011d)));
  resp(
    encodeActivationReply({
      orpcThat: { flags: 0, extensions: null },
      actProperties: { cntData: abData.length, abData },
      hr: 0,
    }),
  );
  other(abData, 'decodeActivationPropertiesOut');
  resp(
    encodeServerAlive2Response({
      comVersion: { major: 5, minor: 7 },
      bindings: {
        numEntries: 0,
        securityOffset: 0,
        stringBindings: [{ towerId: 7, networkAddress: 'H' }],
        securityBindings: [],
      },
      reserved: 0,
      status: 0,
    }),
  );
  resp(encodeInqIfIdsResponse({ interfaces: [EPM_SYNTAX], status: 0 }));
  req(
    encodeEptMapRequest({
      mapTower: encodeTower({ interface: EPM_SYNTAX, protocol: 'ncacn_np', pipe: '\\PIPE\\x', host: 'H' }),
    }),
  );
  return seeds;
};
