/**
 * Lean decoders for the activation requests a busy server answers most (the lab's hot path, beside
 * `pdu/fast.ts`): RemoteGetClassObject and RemoteActivation stubs in little-endian NDR without ORPC
 * extensions or an object storage pointer, read straight from the bytes. Each returns exactly what
 * the general decoder returns (test/protocol/dcerpc/fast-stubs.test.ts compares them on every probe
 * shape, every truncation and random byte flips), or undefined for anything else, including every
 * stub the general decoder would reject: the caller then takes the general path.
 */
import type { Decoded } from '../../../core/errors.ts';
import type { NdrReaderOptions } from '../ndr/reader.ts';
import { uuidFromBytes } from '../uuid.ts';
import type { OrpcThis } from './dcom.ts';
import { decodeRemoteActivationRequest, type RemoteActivationRequest } from './remact.ts';
import { decodeRemoteGetClassObjectRequest, type RemoteGetClassObjectRequest } from './sysact.ts';

const MAX_INTERFACES = 1024;

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (u16(b, at) + u16(b, at + 2) * 0x10000) >>> 0;
const align4 = (at: number): number => (at + 3) & ~3;

/** ORPCTHIS without extensions (bytes 0..32), or undefined. */
const orpcThisAt = (b: Uint8Array): OrpcThis | undefined =>
  b.length < 32 || u32(b, 28) !== 0
    ? undefined
    : {
        version: { major: u16(b, 0), minor: u16(b, 2) },
        flags: u32(b, 4),
        reserved1: u32(b, 8),
        cid: uuidFromBytes(b, 12, true),
        extensions: null,
      };

/** RemoteGetClassObject (ISystemActivator opnum 3) request, lean; undefined: use the general decoder. */
export const leanRemoteGetClassObjectRequest = (
  stub: Uint8Array,
): RemoteGetClassObjectRequest | undefined => {
  const orpcThis = orpcThisAt(stub);
  if (!orpcThis || stub.length < 36) return undefined;
  let at = 36;
  let actProperties: RemoteGetClassObjectRequest['actProperties'] = null;
  if (u32(stub, 32) !== 0) {
    if (stub.length < 44) return undefined;
    const max = u32(stub, 36);
    const cntData = u32(stub, 40);
    if (max > stub.length - 44 || cntData > max) return undefined;
    actProperties = { cntData, abData: stub.subarray(44, 44 + max) };
    at = 44 + max;
  }
  const q: RemoteGetClassObjectRequest = { orpcThis, actProperties };
  if (at < stub.length) q.trailing = stub.subarray(at);
  return q;
};

/** The object name's conformant-varying wchar string at `at`: [text with its final NUL kept, next offset]. */
const objectNameAt = (b: Uint8Array, at: number): [string, number] | undefined => {
  if (b.length - at < 12) return undefined;
  const max = u32(b, at);
  if (max > 0x7fffffff) return undefined;
  const offset = u32(b, at + 4);
  const actual = u32(b, at + 8);
  const start = at + 12;
  if (actual * 2 > b.length - start || offset + actual > max) return undefined;
  let text = '';
  for (let i = 0; i < actual; i++) text += String.fromCharCode(u16(b, start + 2 * i));
  return [text, start + 2 * actual];
};

/** RemoteActivation (IRemoteActivation opnum 0) request, lean, and where it ends; undefined: use the general decoder. */
export const leanRemoteActivationRequest = (
  stub: Uint8Array,
): { value: RemoteActivationRequest; consumed: number } | undefined => {
  const orpcThis = orpcThisAt(stub);
  if (!orpcThis || stub.length < 52) return undefined;
  const clsid = uuidFromBytes(stub, 32, true);
  let at = 52;
  let objectName: string | null = null;
  if (u32(stub, 48) !== 0) {
    const name = objectNameAt(stub, at);
    if (!name) return undefined;
    [objectName, at] = name;
  }
  at = align4(at);
  // objectStorage (NULL in every probe), ClientImpLevel, Mode, Interfaces, pIIDs.
  if (stub.length - at < 20 || u32(stub, at) !== 0) return undefined;
  const clientImpLevel = u32(stub, at + 4);
  const mode = u32(stub, at + 8);
  const interfaceCount = u32(stub, at + 12);
  let iids: string[] | null = null;
  at += 20;
  if (u32(stub, at - 4) !== 0) {
    if (stub.length - at < 4) return undefined;
    const max = u32(stub, at);
    at += 4;
    if (max > MAX_INTERFACES || max * 16 > stub.length - at) return undefined;
    iids = [];
    for (let i = 0; i < max; i++, at += 16) iids.push(uuidFromBytes(stub, at, true));
  }
  if (stub.length - at < 2) return undefined;
  const nProtseqs = u16(stub, at);
  at = align4(at + 2);
  if (stub.length - at < 4) return undefined;
  const max = u32(stub, at);
  at += 4;
  if (max !== nProtseqs || max > MAX_INTERFACES || max * 2 > stub.length - at) return undefined;
  const requestedProtseqs: number[] = [];
  for (let i = 0; i < max; i++, at += 2) requestedProtseqs.push(u16(stub, at));
  const q: RemoteActivationRequest = {
    orpcThis,
    clsid,
    objectName,
    objectStorage: null,
    clientImpLevel,
    mode,
    iids,
    requestedProtseqs,
  };
  if (interfaceCount !== (iids?.length ?? 0)) q.interfaceCount = interfaceCount;
  return { value: q, consumed: at };
};

const LITTLE = (o: NdrReaderOptions): boolean => (o.littleEndian ?? true) && !o.offset && o.end === undefined;

/** decodeRemoteGetClassObjectRequest with the lean path in front: same values. */
export const decodeRemoteGetClassObjectRequestFast = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<RemoteGetClassObjectRequest> => {
  const lean = LITTLE(options) ? leanRemoteGetClassObjectRequest(stub) : undefined;
  return lean
    ? { ok: true, value: lean, consumed: stub.length }
    : decodeRemoteGetClassObjectRequest(stub, options);
};

/** decodeRemoteActivationRequest with the lean path in front: same values. */
export const decodeRemoteActivationRequestFast = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<RemoteActivationRequest> => {
  const lean = LITTLE(options) ? leanRemoteActivationRequest(stub) : undefined;
  return lean ? { ok: true, ...lean } : decodeRemoteActivationRequest(stub, options);
};
