/**
 * IRemoteActivation (IActivation), MS-DCOM 3.1.2.5.2.3.1; Wireshark "REMACT". The MS03-026 probe
 * interface: RemoteActivation with a non-existent CLSID and a short malformed object name. The
 * server part of every object name this module encodes is ≤ 15 characters (refused otherwise), so
 * nothing built here can reach the overflow MS03-026 fixed.
 *
 * Request (detection.md §3.4): ORPCTHIS, Clsid, pwszObjectName (unique → [string] wchar_t),
 * pObjectStorage (unique → MInterfacePointer), ClientImpLevel, Mode, Interfaces, pIIDs (unique →
 * IID[Interfaces]), cRequestedProtseqs (u16), aRequestedProtseqs (ref → u16[cRequestedProtseqs]).
 * Response: ORPCTHAT, OXID (hyper), ppdsaOxidBindings (unique → DUALSTRINGARRAY), IPID of IRemUnknown,
 * AuthnHint, COMVERSION, phr, ppInterfaceData (MInterfacePointer*[Interfaces]), pResults
 * (HRESULT[Interfaces]), return value. A failed activation with Interfaces = 1 is exactly 68 bytes,
 * COMVERSION at 40 and phr at 44.
 */

import type { Decoded } from '../../../core/errors.ts';
import { RpcsweepError } from '../../../core/errors.ts';
import { decodeNdr, type NdrReaderOptions } from '../ndr/reader.ts';
import { type NdrEncodeOptions, ndrWriterFor } from '../ndr/writer.ts';
import {
  type ComVersion,
  type DualStringArray,
  MAX_SERVER_PART_CHARS,
  type MInterfacePointer,
  type OrpcThat,
  type OrpcThis,
  readComVersion,
  readDualStringArray,
  readMInterfacePointer,
  readOrpcThat,
  readOrpcThis,
  serverPartThroughNuls,
  writeComVersion,
  writeDualStringArray,
  writeMInterfacePointer,
  writeOrpcThat,
  writeOrpcThis,
} from './dcom.ts';
import type { OperationTable } from './operation.ts';

export const REMACT_UUID = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';
export const REMACT_VERSION = { major: 0, minor: 0 } as const;
export const REMACT_SYNTAX = { uuid: REMACT_UUID, ...REMACT_VERSION };
export const REMACT_OPNUMS = { RemoteActivation: 0 } as const;

/** Most interfaces / protseqs accepted in one call (a request asks for a handful). */
const MAX_INTERFACES = 1024;

export interface RemoteActivationRequest {
  orpcThis: OrpcThis;
  clsid: string;
  /** null = NULL pointer. Embedded NULs allowed; the server part must be ≤ 15 characters to encode. */
  objectName: string | null;
  objectStorage: MInterfacePointer | null;
  clientImpLevel: number;
  mode: number;
  /** IIDs; `interfaces` = iids.length unless `interfaceCount` overrides it. */
  iids: string[] | null;
  interfaceCount?: number;
  requestedProtseqs: number[];
}

export interface RemoteActivationResponse {
  orpcThat: OrpcThat;
  oxid: bigint;
  oxidBindings: DualStringArray | null;
  ipidRemUnknown: string;
  authnHint: number;
  serverVersion: ComVersion;
  /** The deciding HRESULT (detection.md D8–D10). */
  hr: number;
  interfaceData: Array<MInterfacePointer | null>;
  results: number[];
  returnValue: number;
}

const checkObjectName = (name: string): void => {
  // The longer of the two readings (NULs counted as server characters) must fit.
  const server = serverPartThroughNuls(name);
  if (server.length > MAX_SERVER_PART_CHARS) {
    throw new RpcsweepError(
      'INVALID_ARGUMENT',
      `object name server part ${JSON.stringify(server)} is ${server.length} characters; rpcsweep never sends more than ${MAX_SERVER_PART_CHARS}`,
    );
  }
};

export const encodeRemoteActivationRequest = (
  q: RemoteActivationRequest,
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(options);
  writeOrpcThis(w, q.orpcThis);
  w.uuid(q.clsid);
  w.unique(q.objectName, (name) => {
    checkObjectName(name);
    // The name is sent as given: the terminator is part of `name` only if the caller put it there.
    w.conformantVaryingString(name, 2, false);
  });
  w.align(4);
  w.unique(q.objectStorage, (p) => writeMInterfacePointer(w, p));
  w.align(4);
  const count = q.interfaceCount ?? q.iids?.length ?? 0;
  w.u32(q.clientImpLevel).u32(q.mode).u32(count);
  w.unique(q.iids, (iids) => {
    w.u32(iids.length);
    for (const iid of iids) w.uuid(iid);
  });
  w.u16(q.requestedProtseqs.length);
  w.u32(q.requestedProtseqs.length);
  for (const p of q.requestedProtseqs) w.u16(p);
  return w.finish();
};

export const decodeRemoteActivationRequest = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<RemoteActivationRequest> =>
  decodeNdr(
    stub,
    (n, k) => {
      const orpcThis = (k.orpcThis = readOrpcThis(n));
      const clsid = (k.clsid = n.uuid('remact.clsid'));
      const objectName = n.unique('remact.pwszObjectName', () => {
        const s = n.conformantVaryingString('remact.pwszObjectName', 2);
        // Keep the exact transmitted characters (embedded and final NULs) for the lab's checks.
        return s.terminated ? `${s.text}\0` : s.text;
      });
      k.objectName = objectName;
      const objectStorage = n.unique('remact.pObjectStorage', () =>
        readMInterfacePointer(n, 'remact.pObjectStorage'),
      );
      k.objectStorage = objectStorage;
      const clientImpLevel = (k.clientImpLevel = n.u32('remact.ClientImpLevel'));
      const mode = (k.mode = n.u32('remact.Mode'));
      const interfaceCount = n.u32('remact.Interfaces');
      const iids = n.unique('remact.pIIDs', () => {
        const max = n.count('remact.pIIDs.max_count', 16, MAX_INTERFACES);
        const out: string[] = [];
        for (let i = 0; i < max; i++) out.push(n.uuid('remact.pIIDs.iid'));
        return out;
      });
      const nProtseqs = n.u16('remact.cRequestedProtseqs');
      const max = n.count('remact.RequestedProtseqs.max_count', 2, MAX_INTERFACES);
      if (max !== nProtseqs) {
        n.fail(
          'DCERPC_BAD_COUNT',
          'remact.RequestedProtseqs.max_count',
          `max_count ${max} ≠ cRequestedProtseqs ${nProtseqs}`,
        );
      }
      const requestedProtseqs: number[] = [];
      for (let i = 0; i < max; i++) requestedProtseqs.push(n.u16('remact.RequestedProtseq'));
      const q: RemoteActivationRequest = {
        orpcThis,
        clsid,
        objectName,
        objectStorage,
        clientImpLevel,
        mode,
        iids,
        requestedProtseqs,
      };
      if (interfaceCount !== (iids?.length ?? 0)) q.interfaceCount = interfaceCount;
      return q;
    },
    options,
  );

export const encodeRemoteActivationResponse = (
  p: RemoteActivationResponse,
  options: NdrEncodeOptions = true,
): Uint8Array => {
  const w = ndrWriterFor(options);
  writeOrpcThat(w, p.orpcThat);
  w.u64(p.oxid);
  w.unique(p.oxidBindings, (d) => writeDualStringArray(w, d));
  w.uuid(p.ipidRemUnknown);
  w.u32(p.authnHint);
  writeComVersion(w, p.serverVersion);
  w.u32(p.hr);
  w.u32(p.interfaceData.length);
  for (const d of p.interfaceData) {
    if (w.pointer(d !== null)) w.defer(() => writeMInterfacePointer(w, d as MInterfacePointer));
  }
  w.flushDeferred();
  w.u32(p.results.length);
  for (const r of p.results) w.u32(r);
  w.u32(p.returnValue);
  return w.finish();
};

export const decodeRemoteActivationResponse = (
  stub: Uint8Array,
  options: NdrReaderOptions = {},
): Decoded<RemoteActivationResponse> =>
  decodeNdr(
    stub,
    (n, k) => {
      // Each field goes into `k` as it is read: a reply cut short keeps phr and COMVERSION.
      k.orpcThat = readOrpcThat(n);
      k.oxid = n.u64('remact.oxid');
      k.oxidBindings = n.unique('remact.ppdsaOxidBindings', () =>
        readDualStringArray(n, 'remact.ppdsaOxidBindings'),
      );
      k.ipidRemUnknown = n.uuid('remact.ipidRemUnknown');
      k.authnHint = n.u32('remact.AuthnHint');
      k.serverVersion = readComVersion(n, 'remact.ServerVersion');
      k.hr = n.u32('remact.hr');
      const nData = n.count('remact.ppInterfaceData.max_count', 4, MAX_INTERFACES);
      const interfaceData: Array<MInterfacePointer | null> = (k.interfaceData = []);
      for (let i = 0; i < nData; i++) {
        const present = n.pointer('remact.ppInterfaceData') !== 0;
        interfaceData.push(null);
        if (present) n.defer(() => (interfaceData[i] = readMInterfacePointer(n, 'remact.InterfaceData')));
      }
      n.flushDeferred();
      const nResults = n.count('remact.pResults.max_count', 4, MAX_INTERFACES);
      const results: number[] = (k.results = []);
      for (let i = 0; i < nResults; i++) results.push(n.u32('remact.pResults'));
      k.returnValue = n.u32('remact.rc');
      return k as RemoteActivationResponse;
    },
    options,
  );

export interface RemactProbeOptions {
  /** Causality ID (any GUID; a seeded one makes runs reproducible). */
  cid: string;
  /** A CLSID that is not registered anywhere. */
  clsid: string;
  /** ORPCTHIS version: 5.1 or 5.2 so NT4 (COM 5.1) answers instead of RPC_E_VERSION_MISMATCH. @default 5.1 */
  version?: ComVersion;
  /**
   * Object name with an embedded NUL in a ≤ 15-character server part.
   * @default Tenable 11808's 10-WCHAR `\\A` NUL `A\\AA` NUL
   */
  objectName?: string;
}

/** Tenable 11808's object name: backslash, backslash, A, NUL, A, backslash, backslash, A, A, NUL. */
export const REMACT_PROBE_OBJECT_NAME = '\\\\A\0A\\\\AA\0';

/**
 * The MS03-026 probe request stub (detection.md §2.3 / §3.4): ORPCTHIS 5.1 flags 0, an unregistered
 * CLSID, a short malformed object name, one all-zero IID, ClientImpLevel 2, Mode 0, protseq [7].
 */
export const encodeRemactProbe = (o: RemactProbeOptions): Uint8Array =>
  encodeRemoteActivationRequest({
    orpcThis: {
      version: o.version ?? { major: 5, minor: 1 },
      flags: 0,
      reserved1: 0,
      cid: o.cid,
      extensions: null,
    },
    clsid: o.clsid,
    objectName: o.objectName ?? REMACT_PROBE_OBJECT_NAME,
    objectStorage: null,
    clientImpLevel: 2,
    mode: 0,
    iids: ['00000000-0000-0000-0000-000000000000'],
    requestedProtseqs: [7],
  });

/**
 * The reply a failed activation produces: 68 bytes with Interfaces = 1 (what the lab sends for a
 * probe: phr CO_E_BADPATH when patched, something else when not).
 */
export const remactFailureResponse = (
  hr: number,
  serverVersion: ComVersion,
  interfaces = 1,
): RemoteActivationResponse => ({
  orpcThat: { flags: 0, extensions: null },
  oxid: 0n,
  oxidBindings: null,
  ipidRemUnknown: '00000000-0000-0000-0000-000000000000',
  authnHint: 0,
  serverVersion,
  hr,
  interfaceData: Array.from({ length: interfaces }, () => null),
  results: Array.from({ length: interfaces }, () => hr),
  returnValue: 0,
});

/** The opnum table (see operation.ts). */
export const REMACT_OPERATIONS = {
  RemoteActivation: {
    opnum: REMACT_OPNUMS.RemoteActivation,
    request: { encode: encodeRemoteActivationRequest, decode: decodeRemoteActivationRequest },
    response: { encode: encodeRemoteActivationResponse, decode: decodeRemoteActivationResponse },
  },
} satisfies OperationTable;
