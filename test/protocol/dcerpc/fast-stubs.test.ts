/**
 * The lean activation-request decoders (interfaces/fast.ts, the lab's hot path) must give exactly
 * what the general decoders give, or step aside: on the probes' stubs (where they must answer), on
 * other shapes, at every truncation and after random byte changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/core/random.ts';
import {
  decodeRemoteActivationRequest,
  decodeRemoteActivationRequestFast,
  decodeRemoteGetClassObjectRequest,
  decodeRemoteGetClassObjectRequestFast,
  encodeRemactProbe,
  encodeRemoteActivationRequest,
  encodeRemoteGetClassObjectRequest,
  encodeSysactProbe,
  leanRemoteActivationRequest,
  leanRemoteGetClassObjectRequest,
} from '../../../src/protocol/dcerpc/index.ts';

const CID = '0badc0de-1234-5678-9abc-def012345678';
const ORPC = { version: { major: 5, minor: 6 }, flags: 1, reserved1: 0, cid: CID, extensions: null };

const remactShapes: Uint8Array[] = [
  encodeRemactProbe({ cid: CID, clsid: '11111111-2222-3333-4444-555555555555' }),
  encodeRemactProbe({ cid: CID, clsid: CID, version: { major: 5, minor: 2 }, objectName: '\\\\B\0' }),
  encodeRemoteActivationRequest({
    orpcThis: ORPC,
    clsid: CID,
    objectName: null,
    objectStorage: null,
    clientImpLevel: 2,
    mode: 0,
    iids: null,
    interfaceCount: 3,
    requestedProtseqs: [7, 9, 0x1f],
  }),
  encodeRemoteActivationRequest({
    orpcThis: ORPC,
    clsid: CID,
    objectName: 'abc',
    objectStorage: { cntData: 4, abData: new Uint8Array(4) },
    clientImpLevel: 1,
    mode: 2,
    iids: [CID, CID],
    requestedProtseqs: [],
  }),
  encodeRemoteActivationRequest({
    orpcThis: { ...ORPC, extensions: [{ id: CID, size: 4, data: new Uint8Array(4) }] },
    clsid: CID,
    objectName: 'x',
    objectStorage: null,
    clientImpLevel: 2,
    mode: 0,
    iids: [CID],
    requestedProtseqs: [7],
  }),
];

const sysactShapes: Uint8Array[] = [
  encodeSysactProbe({ cid: CID }),
  encodeRemoteGetClassObjectRequest({ orpcThis: ORPC, actProperties: null }),
  encodeRemoteGetClassObjectRequest({
    orpcThis: ORPC,
    actProperties: { cntData: 3, abData: Uint8Array.of(1, 2, 3, 4, 5) },
  }),
];

/** Lean and general agree, or the lean one declined (undefined); the fast wrapper always agrees. */
const agree = <T>(
  stub: Uint8Array,
  lean: (s: Uint8Array) => T | undefined,
  general: (s: Uint8Array) => unknown,
  fast: (s: Uint8Array) => unknown,
  what: string,
): boolean => {
  const g = general(stub) as { ok: boolean; value?: unknown; consumed?: number };
  assert.deepEqual(fast(stub), g, what);
  const l = lean(stub);
  if (l === undefined) return false;
  assert.ok(g.ok, `${what}: the lean path accepted what the general decoder rejects`);
  return true;
};

const remact = (s: Uint8Array, what: string) =>
  agree(
    s,
    leanRemoteActivationRequest,
    decodeRemoteActivationRequest,
    decodeRemoteActivationRequestFast,
    what,
  );
const sysact = (s: Uint8Array, what: string) =>
  agree(
    s,
    leanRemoteGetClassObjectRequest,
    decodeRemoteGetClassObjectRequest,
    decodeRemoteGetClassObjectRequestFast,
    what,
  );

test('the probes stubs take the lean path and decode to the general values', () => {
  assert.equal(remact(remactShapes[0]!, 'remact probe'), true);
  assert.equal(remact(remactShapes[1]!, 'remact probe 5.2'), true);
  assert.equal(remact(remactShapes[2]!, 'no name, no IIDs'), true);
  assert.equal(remact(remactShapes[3]!, 'object storage'), false, 'object storage goes the general way');
  assert.equal(remact(remactShapes[4]!, 'extensions'), false, 'ORPC extensions go the general way');
  assert.equal(sysact(sysactShapes[0]!, 'sysact probe'), true);
  assert.equal(sysact(sysactShapes[1]!, 'no properties'), true);
  assert.equal(sysact(sysactShapes[2]!, 'cntData < max_count'), true);
});

test('every truncation: same answer as the general decoder', () => {
  for (const [i, s] of remactShapes.entries())
    for (let n = 0; n <= s.length; n++) remact(s.subarray(0, n), `remact shape ${i} cut at ${n}`);
  for (const [i, s] of sysactShapes.entries())
    for (let n = 0; n <= s.length; n++) sysact(s.subarray(0, n), `sysact shape ${i} cut at ${n}`);
});

test('random byte changes: the lean path never disagrees', () => {
  const rng = createRng(12);
  for (let k = 0; k < 4000; k++) {
    const shapes = k % 2 ? remactShapes : sysactShapes;
    const s = Uint8Array.from(shapes[rng.nextU32() % shapes.length]!);
    for (let flips = 1 + (rng.nextU32() % 3); flips > 0; flips--) {
      const at = rng.nextU32() % s.length;
      // Small values where counts live, any value elsewhere.
      s[at] = rng.nextU32() % 2 ? rng.nextU32() & 0xff : rng.nextU32() % 4;
    }
    (k % 2 ? remact : sysact)(s, `mutation ${k}`);
  }
});

test('big-endian stubs and stubs at an offset go the general way', () => {
  const be = Uint8Array.from(remactShapes[0]!);
  assert.deepEqual(
    decodeRemoteActivationRequestFast(be, { littleEndian: false }),
    decodeRemoteActivationRequest(be, { littleEndian: false }),
  );
  const padded = new Uint8Array(8 + sysactShapes[0]!.length);
  padded.set(sysactShapes[0]!, 8);
  assert.deepEqual(
    decodeRemoteGetClassObjectRequestFast(padded, { offset: 8 }),
    decodeRemoteGetClassObjectRequest(padded, { offset: 8 }),
  );
});
