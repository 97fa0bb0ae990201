/**
 * Server side of the DCOM activation interfaces the detectors touch (MS-DCOM 3.1.2.5; layouts in
 * detection.md §3.3–3.6): IRemoteActivation::RemoteActivation (opnum 0), ISystemActivator
 * RemoteGetClassObject (3) / RemoteCreateInstance (4), IObjectExporter ServerAlive (3) /
 * ServerAlive2 (5). Request decoders are strict (a count that disagrees with the bytes is a failure):
 * the fragile profile dies on exactly those failures.
 */
import { ByteReader, ByteWriter, decodeWith } from '../../core/bytes.ts';
import type { Decoded } from '../../core/errors.ts';
import {
  encodeActivationReply,
  encodeInqIfIdsResponse,
  encodeRemoteActivationResponse,
  encodeServerAlive2Response,
  sysactFailureReply,
} from '../../protocol/dcerpc/index.ts';
import { NIL_UUID, readUuid } from './uuid.ts';

export const IID = {
  remoteActivation: '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57',
  systemActivator: '000001a0-0000-0000-c000-000000000046',
  objectExporter: '99fcfec4-5260-101b-bbcb-00aa0021347a',
  localObjectExporter: 'e60c73e6-88f9-11cf-9af1-0020af6e72f4',
  mgmt: 'afa8bd80-7d8a-11c9-bef4-08002b102989',
  epm: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
} as const;

/** HRESULTs and statuses (detection.md §8). */
export const HRESULT = {
  S_OK: 0,
  CO_E_BADPATH: 0x80080004,
  E_ACCESSDENIED: 0x80070005,
  REGDB_E_CLASSNOTREG: 0x80040154,
  RPC_E_INVALID_OBJREF: 0x8001011d,
  E_INVALIDARG: 0x80070057,
  RPC_E_VERSION_MISMATCH: 0x80010110,
  E_FAIL: 0x80004005,
  E_OUTOFMEMORY: 0x8007000e,
} as const;

export const FAULT = {
  accessDenied: 0x00000005,
  ndr: 0x000006f7,
  cantPerform: 0x000006d8,
  contextMismatch: 0x1c00001a,
  invalidPresContextId: 0x1c00001c,
  opRangeError: 0x1c010002,
  unknownInterface: 0x1c010003,
  protoError: 0x1c01000b,
} as const;

export interface ComVersion {
  major: number;
  minor: number;
}

export interface OrpcThis {
  version: ComVersion;
  flags: number;
  cid: string;
  extensionCount: number;
}

/** Hard bounds so a hostile request cannot make the emulator allocate or loop without limit. */
const MAX_EXTENTS = 64;
const MAX_WCHARS = 32768;
const MAX_INTERFACES = 1024;

const readOrpcThis = (r: ByteReader): OrpcThis => {
  const major = r.u16('dcom.this.version_major');
  const minor = r.u16('dcom.this.version_minor');
  const flags = r.u32('dcom.this.flags');
  r.u32('dcom.this.reserved');
  const cid = readUuid(r, 'dcom.this.cid');
  const extPtr = r.u32('dcom.this.extensions');
  let extensionCount = 0;
  if (extPtr) {
    const size = r.u32('dcom.extent_array.size');
    r.u32('dcom.extent_array.reserved');
    const arrayPtr = r.u32('dcom.extent_array.extent');
    if (arrayPtr) {
      const max = r.u32('dcom.extent_array.max_count');
      if (max > MAX_EXTENTS || max < size) {
        r.fail('DCERPC_BAD_COUNT', 'dcom.extent_array.max_count', `${max} extents for size ${size}`);
      }
      const pointers: number[] = [];
      for (let i = 0; i < max; i++) pointers.push(r.u32('dcom.extent.ptr'));
      for (const p of pointers) {
        if (!p) continue;
        const conformance = r.u32('dcom.extent.max_count');
        r.skip(16, 'dcom.extent.id');
        const dataSize = r.u32('dcom.extent.size');
        const padded = (dataSize + 7) & ~7;
        if (conformance !== padded) {
          r.fail('DCERPC_BAD_COUNT', 'dcom.extent.max_count', `max_count ${conformance} != ${padded}`);
        }
        r.skip(padded, 'dcom.extent.data');
        extensionCount++;
      }
    }
  }
  return { version: { major, minor }, flags, cid, extensionCount };
};

/** A [string] wchar_t* referent: counts must agree with each other and with the bytes. */
const readWideString = (r: ByteReader, field: string): { text: string; maxCount: number } => {
  const maxCount = r.u32(`${field}.max_count`);
  const offset = r.u32(`${field}.offset`);
  const actual = r.u32(`${field}.actual_count`);
  if (offset !== 0 || actual > maxCount || maxCount > MAX_WCHARS) {
    r.fail('DCERPC_NDR_BAD_STRING', field, `max ${maxCount}, offset ${offset}, actual ${actual}`);
  }
  const bytes = r.take(actual * 2, field);
  r.align(4, 0, `${field}.pad`);
  return { text: Buffer.from(bytes).toString('utf16le'), maxCount };
};

/** MInterfacePointer referent: conformance, ulCntData, abData. */
const readInterfacePointer = (r: ByteReader, field: string): Uint8Array => {
  const conformance = r.u32(`${field}.max_count`);
  const count = r.u32(`${field}.cnt_data`);
  if (conformance !== count)
    r.fail('DCERPC_BAD_COUNT', field, `max_count ${conformance} != ulCntData ${count}`);
  const data = r.take(count, `${field}.data`);
  r.align(4, 0, `${field}.pad`);
  return data;
};

export interface RemoteActivationRequest {
  orpcThis: OrpcThis;
  clsid: string;
  /** The object name with its embedded NULs, without the terminating NUL; undefined when NULL. */
  objectName?: string;
  objectNameMaxCount: number;
  objectStorage?: Uint8Array;
  clientImpLevel: number;
  mode: number;
  interfaces: number;
  iids: string[];
  protseqs: number[];
}

export const decodeRemoteActivationRequest = (
  stub: Uint8Array,
  littleEndian = true,
): Decoded<RemoteActivationRequest> =>
  decodeWith(() => {
    const r = new ByteReader(stub, { littleEndian });
    const orpcThis = readOrpcThis(r);
    const clsid = readUuid(r, 'remact.clsid');
    let objectName: string | undefined;
    let objectNameMaxCount = 0;
    if (r.u32('remact.object_name_ptr')) {
      const s = readWideString(r, 'remact.object_name');
      objectName = s.text.endsWith('\0') ? s.text.slice(0, -1) : s.text;
      objectNameMaxCount = s.maxCount;
    }
    const objectStorage = r.u32('remact.object_storage_ptr')
      ? readInterfacePointer(r, 'remact.object_storage')
      : undefined;
    const clientImpLevel = r.u32('remact.client_imp_level');
    const mode = r.u32('remact.mode');
    const interfaces = r.u32('remact.interfaces');
    if (interfaces > MAX_INTERFACES)
      r.fail('DCERPC_BAD_COUNT', 'remact.interfaces', `${interfaces} interfaces`);
    const iids: string[] = [];
    if (r.u32('remact.iids_ptr')) {
      const max = r.u32('remact.iids.max_count');
      if (max !== interfaces) r.fail('DCERPC_BAD_COUNT', 'remact.iids.max_count', `${max} != ${interfaces}`);
      for (let i = 0; i < max; i++) iids.push(readUuid(r, 'remact.iid'));
    }
    const protseqCount = r.u16('remact.num_protseqs');
    r.align(4, 0, 'remact.pad');
    const protseqMax = r.u32('remact.protseqs.max_count');
    if (protseqMax !== protseqCount) {
      r.fail('DCERPC_BAD_COUNT', 'remact.protseqs.max_count', `${protseqMax} != ${protseqCount}`);
    }
    const protseqs: number[] = [];
    for (let i = 0; i < protseqMax; i++) protseqs.push(r.u16('remact.protseq'));
    return {
      value: {
        orpcThis,
        clsid,
        objectName,
        objectNameMaxCount,
        objectStorage,
        clientImpLevel,
        mode,
        interfaces,
        iids,
        protseqs,
      },
      consumed: r.offset,
    };
  });

/**
 * Reply stubs depend on a handful of values (HRESULT, COMVERSION, the host's names), so each is
 * encoded once and shared: callers copy them into a response PDU and must not modify them. Bounded
 * (a full cache just stops adding), since request fields such as the interface count feed the keys.
 */
const MAX_CACHED_REPLIES = 16_384;
const replyCache = new Map<string, Uint8Array>();
const cachedReply = (key: string, encode: () => Uint8Array): Uint8Array => {
  let bytes = replyCache.get(key);
  if (!bytes) {
    bytes = encode();
    if (replyCache.size < MAX_CACHED_REPLIES) replyCache.set(key, bytes);
  }
  return bytes;
};

/** Failure reply of RemoteActivation: 68 bytes for one interface (detection.md §3.4). Shared bytes. */
export const encodeRemoteActivationFailure = (a: {
  comVersion: ComVersion;
  hresult: number;
  interfaces: number;
}): Uint8Array => {
  const n = Math.max(0, Math.min(a.interfaces, MAX_INTERFACES));
  return cachedReply(`remact ${a.comVersion.major}.${a.comVersion.minor} ${a.hresult} ${n}`, () =>
    encodeRemoteActivationFailureStub(a.comVersion, a.hresult, n),
  );
};

const encodeRemoteActivationFailureStub = (comVersion: ComVersion, hresult: number, n: number) =>
  encodeRemoteActivationResponse({
    orpcThat: { flags: 0, extensions: null },
    oxid: 0n,
    oxidBindings: null,
    ipidRemUnknown: NIL_UUID,
    authnHint: 0,
    serverVersion: comVersion,
    hr: hresult,
    interfaceData: Array.from({ length: n }, () => null),
    results: Array.from({ length: n }, () => hresult),
    // The call itself succeeded; phr carries the failure.
    returnValue: 0,
  });

export interface SystemActivatorRequest {
  orpcThis: OrpcThis;
  unkOuter?: Uint8Array;
  actProperties?: Uint8Array;
}

/** RemoteGetClassObject (opnum 3: pActProperties) or RemoteCreateInstance (4: pUnkOuter, pActProperties). */
export const decodeSystemActivatorRequest = (
  stub: Uint8Array,
  opnum: number,
  littleEndian = true,
): Decoded<SystemActivatorRequest> =>
  decodeWith(() => {
    const r = new ByteReader(stub, { littleEndian });
    const orpcThis = readOrpcThis(r);
    const unkOuter =
      opnum === 4 && r.u32('sysact.unk_outer_ptr') ? readInterfacePointer(r, 'sysact.unk_outer') : undefined;
    const actProperties = r.u32('sysact.act_properties_ptr')
      ? readInterfacePointer(r, 'sysact.act_properties')
      : undefined;
    return { value: { orpcThis, unkOuter, actProperties }, consumed: r.offset };
  });

/** 16-byte failure reply: ORPCTHAT, ppActProperties NULL, HRESULT. Shared bytes. */
export const encodeSystemActivatorFailure = (hresult: number): Uint8Array =>
  cachedReply(`sysact ${hresult}`, () => encodeActivationReply(sysactFailureReply(hresult)));

/** ServerAlive (opnum 3): only the status. Shared bytes. */
export const encodeServerAlive = (): Uint8Array =>
  cachedReply('serveralive', () => new ByteWriter(4).u32(0).finish());

/**
 * ServerAlive2 (opnum 5): COMVERSION, DUALSTRINGARRAY of the host's bindings, reserved, status.
 * Shared bytes.
 */
export const encodeServerAlive2 = (a: { comVersion: ComVersion; networkAddresses: string[] }): Uint8Array =>
  cachedReply(
    `serveralive2 ${a.comVersion.major}.${a.comVersion.minor} ${a.networkAddresses.join('\0')}`,
    () => encodeServerAlive2Stub(a),
  );

const encodeServerAlive2Stub = (a: { comVersion: ComVersion; networkAddresses: string[] }): Uint8Array => {
  const stringBindings = a.networkAddresses.map((networkAddress) => ({ towerId: 7, networkAddress }));
  // NTLM and SPNEGO security bindings with an empty principal name, as pre-Kerberos hosts list.
  const securityBindings = [0x0a, 0x09].map((authnSvc) => ({
    authnSvc,
    authzSvc: 0xffff,
    principalName: '',
  }));
  const stringWords = stringBindings.reduce((n, b) => n + 2 + b.networkAddress.length, 1);
  const securityWords = securityBindings.reduce((n, b) => n + 3 + b.principalName.length, 1);
  return encodeServerAlive2Response({
    comVersion: a.comVersion,
    bindings: {
      numEntries: stringWords + securityWords,
      securityOffset: stringWords,
      stringBindings,
      securityBindings,
    },
    reserved: 0,
    status: 0,
  });
};

/** rpc_mgmt_inq_if_ids (mgmt opnum 0) reply: the interfaces served on this port. */
export const encodeInqIfIds = (ids: Array<{ uuid: string; versionMajor: number; versionMinor: number }>) =>
  encodeInqIfIdsResponse({
    interfaces: ids.map((i) => ({ uuid: i.uuid, major: i.versionMajor, minor: i.versionMinor })),
    status: 0,
  });

/** rpc_mgmt_is_server_listening (mgmt opnum 2) reply: status 0, listening = true. */
export const encodeIsServerListening = (): Uint8Array => new ByteWriter(8).u32(0).u32(1).finish();
