/**
 * ISystemActivator (IRemoteSCMActivator), MS-DCOM 3.1.2.5.2.3.2/3; Wireshark "ISystemActivator".
 * The MS03-039 probe interface (COM ≥ 5.6, so absent on NT4).
 *
 * RemoteGetClassObject (opnum 3): in ORPCTHIS, pActProperties (unique → MInterfacePointer);
 *   out ORPCTHAT, ppActProperties (unique → MInterfacePointer), HRESULT.
 * RemoteCreateInstance (opnum 4): in ORPCTHIS, pUnkOuter, pActProperties; out as above.
 * The probe (Tenable 11835, detection.md §2.3) sends a 12-byte junk blob instead of an OBJREF; the
 * 16-byte failure reply (ORPCTHAT 8, NULL 4, HRESULT 4) decides: RPC_E_INVALID_OBJREF / E_INVALIDARG
 * ⇒ patched; E_ACCESSDENIED ⇒ DCOM disabled or restricted, which says nothing about the patch
 * (engine/classify.ts, D5).
 */

import type { Decoded } from '../../../core/errors.ts';
import { decodeNdr, type NdrReaderOptions } from '../ndr/reader.ts';
import { type NdrEncodeOptions, ndrWriterFor } from '../ndr/writer.ts';
import {
  type MInterfacePointer,
  type OrpcThat,
  type OrpcThis,
  readMInterfacePointer,
  readOrpcThat,
  readOrpcThis,
  writeMInterfacePointer,
  writeOrpcThat,
  writeOrpcThis,
} from './dcom.ts';
import type { OperationTable } from './operation.ts';

export const SYSACT_UUID = '000001a0-0000-0000-c000-000000000046';
export const SYSACT_VERSION = { major: 0, minor: 0 } as const;
export const SYSACT_SYNTAX = { uuid: SYSACT_UUID, ...SYSACT_VERSION };
/** Opnums 0–2 are reserved (IUnknown slots, never called remotely). */
export const SYSACT_OPNUMS = { RemoteGetClassObject: 3, RemoteCreateInstance: 4 } as const;

export interface RemoteGetClassObjectRequest {
  orpcThis: OrpcThis;
  actProperties: MInterfacePointer | null;
  /** Bytes after the last parameter (Tenable's probe ends with 4 zero bytes). */
  trailing?: Uint8Array;
}

export interface RemoteCreateInstanceRequest {
  orpcThis: OrpcThis;
  unkOuter: MInterfacePointer | null;
  actProperties: MInterfacePointer | null;
  trailing?: Uint8Array;
}

/** The reply of both opnums. */
export interface ActivationReply {
  orpcThat: OrpcThat;
  actProperties: MInterfacePointer | null;
  hr: number;
}

const withTrailing = <T extends object>(
  v: T,
  n: { remaining: number; bytes(k: number, f: string): Uint8Array },
) => (n.remaining > 0 ? { ...v, trailing: n.bytes(n.remaining, 'sysact.trailing') } : v);

export const encodeRemoteGetClassObjectRequest = (
  q: RemoteGetClassObjectRequest,
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(options);
  writeOrpcThis(w, q.orpcThis);
  w.unique(q.actProperties, (p) => writeMInterfacePointer(w, p));
  if (q.trailing) w.bytes(q.trailing);
  return w.finish();
};

export const decodeRemoteGetClassObjectRequest = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<RemoteGetClassObjectRequest> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.orpcThis = readOrpcThis(n);
      k.actProperties = n.unique('sysact.pActProperties', () =>
        readMInterfacePointer(n, 'sysact.pActProperties'),
      );
      return withTrailing(k as RemoteGetClassObjectRequest, n);
    },
    options,
  );

export const encodeRemoteCreateInstanceRequest = (
  q: RemoteCreateInstanceRequest,
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(options);
  writeOrpcThis(w, q.orpcThis);
  w.unique(q.unkOuter, (p) => writeMInterfacePointer(w, p));
  w.align(4);
  w.unique(q.actProperties, (p) => writeMInterfacePointer(w, p));
  if (q.trailing) w.bytes(q.trailing);
  return w.finish();
};

export const decodeRemoteCreateInstanceRequest = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<RemoteCreateInstanceRequest> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.orpcThis = readOrpcThis(n);
      k.unkOuter = n.unique('sysact.pUnkOuter', () => readMInterfacePointer(n, 'sysact.pUnkOuter'));
      k.actProperties = n.unique('sysact.pActProperties', () =>
        readMInterfacePointer(n, 'sysact.pActProperties'),
      );
      return withTrailing(k as RemoteCreateInstanceRequest, n);
    },
    options,
  );

export const encodeActivationReply = (p: ActivationReply, options: NdrEncodeOptions = true): Uint8Array => {
  const w = ndrWriterFor(options);
  writeOrpcThat(w, p.orpcThat);
  w.unique(p.actProperties, (m) => writeMInterfacePointer(w, m));
  w.u32(p.hr);
  return w.finish();
};

/** Decodes a RemoteGetClassObject or RemoteCreateInstance reply (the 16-byte failure form included). */
export const decodeActivationReply = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<ActivationReply> =>
  decodeNdr(
    stub,
    (n, k) => {
      k.orpcThat = readOrpcThat(n);
      k.actProperties = n.unique('sysact.ppActProperties', () =>
        readMInterfacePointer(n, 'sysact.ppActProperties'),
      );
      k.hr = n.u32('sysact.hresult');
      return k as ActivationReply;
    },
    options,
  );

export interface SysactProbeOptions {
  /** Causality ID. */
  cid: string;
}

/**
 * The MS03-039 probe stub (Tenable 11835, 60 bytes): ORPCTHIS {5.6, flags 1, CID, NULL extensions},
 * pActProperties → MInterfacePointer {12, 12 × 'A'} (not an OBJREF), then 4 zero bytes.
 */
export const encodeSysactProbe = (o: SysactProbeOptions): Uint8Array =>
  encodeRemoteGetClassObjectRequest({
    orpcThis: { version: { major: 5, minor: 6 }, flags: 1, reserved1: 0, cid: o.cid, extensions: null },
    actProperties: { cntData: 12, abData: new Uint8Array(12).fill(0x41) },
    trailing: new Uint8Array(4),
  });

/** The 16-byte failure reply: ORPCTHAT {0, NULL}, NULL ppActProperties, HRESULT. */
export const sysactFailureReply = (hr: number): ActivationReply => ({
  orpcThat: { flags: 0, extensions: null },
  actProperties: null,
  hr,
});

const ACTIVATION_REPLY = { encode: encodeActivationReply, decode: decodeActivationReply };

/** The opnum table (see operation.ts): both opnums answer an ActivationReply. */
export const SYSACT_OPERATIONS = {
  RemoteGetClassObject: {
    opnum: SYSACT_OPNUMS.RemoteGetClassObject,
    request: { encode: encodeRemoteGetClassObjectRequest, decode: decodeRemoteGetClassObjectRequest },
    response: ACTIVATION_REPLY,
  },
  RemoteCreateInstance: {
    opnum: SYSACT_OPNUMS.RemoteCreateInstance,
    request: { encode: encodeRemoteCreateInstanceRequest, decode: decodeRemoteCreateInstanceRequest },
    response: ACTIVATION_REPLY,
  },
} satisfies OperationTable;
