/**
 * Interface decoders keep what they decoded when a stub is cut short (style.md rule 5, gopacket's
 * partial decode): the failure carries `partial` with the fields read before the cut, each equal to
 * the whole stub's value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Decoded } from '../../../src/core/errors.ts';
import {
  decodeActivationReply,
  decodeEptLookupRequest,
  decodeEptLookupResponse,
  decodeInqIfIdsResponse,
  decodeRemoteActivationRequest,
  decodeRemoteActivationResponse,
  decodeRemoteGetClassObjectRequest,
  decodeServerAlive2Response,
  encodeActivationReply,
  encodeEptLookupRequest,
  encodeEptLookupResponse,
  encodeInqIfIdsResponse,
  encodeRemactProbe,
  encodeRemoteActivationResponse,
  encodeServerAlive2Response,
  encodeSysactProbe,
  HRESULT,
  remactFailureResponse,
} from '../../../src/protocol/dcerpc/index.ts';

const CID = '0badc0de-1234-5678-9abc-def012345678';

const cutAt = <T>(decode: (s: Uint8Array) => Decoded<T>, stub: Uint8Array, n: number) => {
  const d = decode(stub.subarray(0, n));
  assert.equal(d.ok, false, `cut at ${n} fails`);
  return d.ok ? undefined : d.partial;
};

/** At every cut: the failure's partial fields that are plain values equal the whole stub's. */
const everyCut = <T>(name: string, decode: (s: Uint8Array) => Decoded<T>, stub: Uint8Array) => {
  const whole = decode(stub);
  assert.ok(whole.ok, `${name} decodes whole`);
  let kept = 0;
  for (let n = 0; n < stub.length; n++) {
    const d = decode(stub.subarray(0, n));
    if (d.ok) continue; // a shorter prefix can be a valid stub (trailing bytes are optional)
    for (const [key, v] of Object.entries(d.partial ?? {})) {
      const want: unknown = (whole.value as Record<string, unknown>)[key];
      // A list still filling is a prefix of the whole one (its unfilled slots null).
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) if (x !== null) assert.deepEqual(x, (want as unknown[])[i]);
      } else assert.deepEqual(v, want, `${name} cut at ${n}: ${key}`);
      kept++;
    }
  }
  assert.ok(kept > 0, `${name}: some cut keeps fields`);
};

test('a RemoteActivation reply cut after phr still says phr and COMVERSION', () => {
  const stub = encodeRemoteActivationResponse(
    remactFailureResponse(HRESULT.CO_E_BADPATH, { major: 5, minor: 6 }),
  );
  assert.equal(stub.length, 68);
  const p = cutAt(decodeRemoteActivationResponse, stub, 48);
  assert.equal(p?.hr, HRESULT.CO_E_BADPATH);
  assert.deepEqual(p?.serverVersion, { major: 5, minor: 6 });
  assert.equal(p?.interfaceData, undefined, 'nothing after the cut');
  everyCut('remact response', decodeRemoteActivationResponse, stub);
});

test('an activation reply cut before its HRESULT keeps ORPCTHAT and the properties pointer', () => {
  const stub = encodeActivationReply({
    orpcThat: { flags: 0, extensions: null },
    actProperties: null,
    hr: HRESULT.E_FAIL,
  });
  const p = cutAt(decodeActivationReply, stub, stub.length - 1);
  assert.deepEqual(p?.orpcThat, { flags: 0, extensions: null });
  assert.equal(p?.actProperties, null);
  assert.equal(p?.hr, undefined);
  everyCut('sysact reply', decodeActivationReply, stub);
});

test('an ept_lookup batch cut in its third entry keeps the handle, the count and two entries', () => {
  const stub = encodeEptLookupResponse({
    entryHandle: { attributes: 0, uuid: CID },
    entries: [
      { object: CID, annotation: 'first', tower: null },
      { annotation: 'second', tower: null },
      { annotation: 'third entry', tower: null },
    ],
    status: 0,
  });
  const whole = decodeEptLookupResponse(stub);
  assert.ok(whole.ok);
  const at = stub.length - 8; // inside the third annotation
  const p = cutAt(decodeEptLookupResponse, stub, at);
  assert.deepEqual(p?.entryHandle, { attributes: 0, uuid: CID });
  assert.equal(p?.numEnts, 3);
  assert.deepEqual(
    p?.entries?.map((e) => e.annotation),
    ['first', 'second'],
  );
  everyCut('ept_lookup response', decodeEptLookupResponse, stub);
});

test('ServerAlive2, inq_if_ids and the requests keep their leading fields', () => {
  const alive = encodeServerAlive2Response({
    comVersion: { major: 5, minor: 7 },
    bindings: null,
    reserved: 0,
    status: 0,
  });
  assert.deepEqual(cutAt(decodeServerAlive2Response, alive, 8)?.comVersion, { major: 5, minor: 7 });
  everyCut('ServerAlive2 response', decodeServerAlive2Response, alive);
  const ids = encodeInqIfIdsResponse({
    interfaces: [
      { uuid: CID, major: 1, minor: 0 },
      { uuid: CID, major: 2, minor: 3 },
    ],
    status: 0,
  });
  const p = cutAt(decodeInqIfIdsResponse, ids, ids.length - 10);
  assert.deepEqual(p?.interfaces?.[0], { uuid: CID, major: 1, minor: 0 });
  everyCut('inq_if_ids response', decodeInqIfIdsResponse, ids);
  everyCut('ept_lookup request', decodeEptLookupRequest, encodeEptLookupRequest({}));
  const remact = encodeRemactProbe({ cid: CID, clsid: CID });
  assert.equal(cutAt(decodeRemoteActivationRequest, remact, 40)?.orpcThis?.cid, CID);
  everyCut('RemoteActivation request', decodeRemoteActivationRequest, remact);
  everyCut(
    'RemoteGetClassObject request',
    decodeRemoteGetClassObjectRequest,
    encodeSysactProbe({ cid: CID }),
  );
});
