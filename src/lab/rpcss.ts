/**
 * The emulated RPCSS: one session per TCP connection to port 135, driven by an RpcssModel table.
 * Pure state machine (bytes in, actions out); the harness in server.ts does the I/O.
 *
 * Behaviour follows detection.md: bind/alter_context negotiation as in the Windows and Samba captures
 * (§3.1, §7), EPM paging (§3.7), the REMACT/SYSACT answers of the decision table, ServerAlive2 per
 * COM version (§3.6). Everything that is reasoned rather than confirmed is marked in the profiles.
 */
import type { Decoded } from '../core/errors.ts';
import type { Action, HostContext, InterfaceOffer, RpcssModel, Session } from './profiles/types.ts';
import {
  decodeRemoteActivationRequest,
  decodeSystemActivatorRequest,
  encodeInqIfIds,
  encodeIsServerListening,
  encodeRemoteActivationFailure,
  encodeServerAlive,
  encodeServerAlive2,
  encodeSystemActivatorFailure,
  FAULT,
  HRESULT,
  type RemoteActivationRequest,
  type SystemActivatorRequest,
} from './rpc/dcom.ts';
import {
  decodeEptLookupRequest,
  decodeEptMapRequest,
  type EndpointEntry,
  EPT_S_NOT_REGISTERED,
  type EptLookupRequest,
  encodeEptLookupResponse,
  encodeEptMapResponse,
  towerInterface,
  ZERO_HANDLE,
} from './rpc/epm.ts';
import { NIL_UUID, uuidToBytes } from './rpc/uuid.ts';
import {
  type BindPdu,
  BTFN_PREFIX,
  type ContextResult,
  decodeBind,
  decodeRequest,
  encodeBindAck,
  encodeBindNak,
  encodeFault,
  encodeResponse,
  NDR32,
  PFC_FIRST_FRAG,
  PFC_LAST_FRAG,
  PTYPE,
  peekFragLength,
  type RequestPdu,
  readRawHeader,
} from './rpc/wire.ts';

/** Windows' largest fragment (captures: 5840 and 4280); Samba clamps small values up to 2048. */
const MAX_FRAG = 5840;
const MIN_FRAG = 2048;
/** Bounds on a fragmented request (stub bytes, fragments). */
const MAX_REQUEST_STUB = 1 << 20;
const MAX_REQUEST_FRAGMENTS = 256;
/** MS01-041 model: requests larger than any documented probe count as overlong for a fragile RPCSS. */
const FRAGILE_MAX_STUB = 1024;
/** A NetBIOS name is at most 15 characters; the MS03-026 overrun needs a longer server part. */
const MAX_SERVER_PART = 15;

const MEOW = Uint8Array.of(0x4d, 0x45, 0x4f, 0x57);
const PROPERTY_SECURITY_INFO = uuidToBytes('000001a6-0000-0000-c000-000000000046');
const PROPERTY_SERVER_LOCATION_INFO = uuidToBytes('000001a4-0000-0000-c000-000000000046');

const indexOf = (haystack: Uint8Array, needle: Uint8Array): number =>
  Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle);

/** The server part of a UNC-style object name: after a leading `\\`, up to `\` or NUL. */
export const serverPartOf = (name: string): string => {
  const body = name.startsWith('\\\\') ? name.slice(2) : name;
  const end = body.search(/[\\\0]/);
  return end < 0 ? body : body.slice(0, end);
};

type Reply =
  | { kind: 'stub'; stub: Uint8Array }
  | { kind: 'fault'; status: number }
  | { kind: 'die'; cause: string }
  | { kind: 'close' };

const stub = (s: Uint8Array): Reply => ({ kind: 'stub', stub: s });
const fault = (status: number): Reply => ({ kind: 'fault', status });

interface Association {
  fragSize: number;
  contexts: Map<number, InterfaceOffer>;
}

interface PendingCall {
  callId: number;
  first: RequestPdu;
  parts: Uint8Array[];
  size: number;
}

/** REMACT answer (decision table D8–D10), or a crash for an MS03-026-sized server name. */
export const remoteActivationReply = (model: RpcssModel, req: RemoteActivationRequest): Reply => {
  const com = model.comVersion ?? { major: 5, minor: 1 };
  const answer = (hresult: number) =>
    stub(encodeRemoteActivationFailure({ comVersion: com, hresult, interfaces: req.interfaces }));
  if (model.patch === 'restricted') return answer(HRESULT.E_ACCESSDENIED);
  // MS-DCOM 3.1.2.5.2.3: permission check, then the COMVERSION check, then the class lookup.
  if (req.orpcThis.version.major !== com.major || req.orpcThis.version.minor > com.minor) {
    return answer(HRESULT.RPC_E_VERSION_MISMATCH);
  }
  if (req.objectName !== undefined) {
    const server = serverPartOf(req.objectName);
    const malformed = req.objectName.includes('\0') || server.length > MAX_SERVER_PART;
    if (model.patch === 'none' && server.length > MAX_SERVER_PART) {
      return { kind: 'die', cause: `MS03-026: object name server part of ${server.length} characters` };
    }
    // KB823980 added the path check: every object name it sees on this path is rejected as a bad path.
    if (model.patch === 'kb823980') return answer(HRESULT.CO_E_BADPATH);
    // KB824146 validates the name earlier and rejects malformed ones as invalid arguments: the change
    // that made KB823980scan report such hosts as unpatched (KB 827363) [I for the exact HRESULT].
    if (model.patch === 'kb824146') return answer(malformed ? HRESULT.E_INVALIDARG : HRESULT.CO_E_BADPATH);
  }
  // Unpatched (or no name): the random CLSID is looked up and is not registered.
  return answer(HRESULT.REGDB_E_CLASSNOTREG);
};

/** SYSACT answer (decision table D4–D6) for RemoteGetClassObject / RemoteCreateInstance. */
export const systemActivatorReply = (
  model: RpcssModel,
  opnum: number,
  req: SystemActivatorRequest,
): Reply => {
  const com = model.comVersion ?? { major: 5, minor: 6 };
  const answer = (hresult: number) => stub(encodeSystemActivatorFailure(hresult));
  if (model.patch === 'restricted') return answer(HRESULT.E_ACCESSDENIED);
  if (req.orpcThis.version.major !== com.major || req.orpcThis.version.minor > com.minor) {
    return answer(HRESULT.RPC_E_VERSION_MISMATCH);
  }
  const props = req.actProperties;
  const isObjref = props !== undefined && props.length >= 4 && indexOf(props.subarray(0, 4), MEOW) === 0;
  const patched = model.patch === 'kb824146';
  if (!isObjref) {
    // Patched: the blob is checked for a MEOW OBJREF first [C Tenable 11835 patched values]. Unpatched:
    // no such check; the unmarshal fails later with a generic failure [I, value not in the public record].
    return answer(patched ? (model.sysactPatchedHresult ?? HRESULT.RPC_E_INVALID_OBJREF) : HRESULT.E_FAIL);
  }
  if (opnum === 4 && patched) {
    // KB824146scan's pair test: the patched RPCSS rejects activation properties whose class ids it does
    // not know (req2), so req1 and req2 get different HRESULTs [C rule, I mechanism].
    const complete =
      indexOf(props, PROPERTY_SECURITY_INFO) >= 0 && indexOf(props, PROPERTY_SERVER_LOCATION_INFO) >= 0;
    if (!complete) return answer(HRESULT.E_INVALIDARG);
  }
  return answer(HRESULT.REGDB_E_CLASSNOTREG);
};

const interfaceMatches = (offer: InterfaceOffer, uuid: string, major: number, minor: number) =>
  offer.uuid === uuid && offer.versionMajor === major && minor <= offer.versionMinor;

const lookupFilter = (req: EptLookupRequest) => (e: EndpointEntry) => {
  const byIf = req.inquiryType === 1 || req.inquiryType === 3;
  const byObj = req.inquiryType === 2 || req.inquiryType === 3;
  if (byObj && req.object && req.object !== NIL_UUID) return false;
  if (byIf && req.interfaceId) {
    if (e.uuid !== req.interfaceId.uuid) return false;
    if (req.versOption === 3) {
      return (
        e.versionMajor === req.interfaceId.versionMajor && e.versionMinor === req.interfaceId.versionMinor
      );
    }
    if (req.versOption === 2 || req.versOption === 4) return e.versionMajor === req.interfaceId.versionMajor;
  }
  return true;
};

export const createRpcssSession = (model: RpcssModel, host: HostContext): Session => {
  let buffer = new Uint8Array(0);
  let assoc: Association | undefined;
  let pending: PendingCall | undefined;
  let finished = false;
  const lookups = new Map<string, { cursor: number; entries: EndpointEntry[] }>();
  const towerHost = { address: host.address, netbiosName: host.netbiosName };
  const fragile = model.fragile === true;

  const malformed = (what: string, orElse: Action[]): Action[] =>
    fragile ? [{ type: 'die', cause: `MS01-041: malformed ${what}` }] : orElse;

  const handleBind = (pdu: Uint8Array, isAlter: boolean): Action[] => {
    const decoded = decodeBind(pdu);
    if (!decoded.ok) {
      const { callId } = readRawHeader(pdu);
      const orElse: Action[] =
        model.onGarbage === 'bind-nak'
          ? [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }]
          : [{ type: 'close' }];
      return malformed('bind', orElse);
    }
    const bind: BindPdu = decoded.value;
    const callId = bind.header.callId;
    if (!isAlter && assoc) {
      // A second bind on one connection (Samba row 21): bind_nak, then FIN.
      return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
    }
    if (isAlter && !assoc) return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
    if (bind.contexts.length === 0)
      return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
    host.counters.binds++;
    const fragSize = Math.min(MAX_FRAG, Math.max(MIN_FRAG, bind.maxRecvFrag || MAX_FRAG));
    const a = assoc ?? { fragSize, contexts: new Map<number, InterfaceOffer>() };
    const results: ContextResult[] = bind.contexts.map((ctx) => {
      const offer = model.interfaces.find((o) =>
        interfaceMatches(
          o,
          ctx.abstractSyntax.uuid,
          ctx.abstractSyntax.versionMajor,
          ctx.abstractSyntax.versionMinor,
        ),
      );
      const btfn = ctx.transferSyntaxes.some((t) => t.uuid.startsWith(BTFN_PREFIX));
      if (btfn) return { result: 2, reason: 2 }; // pre-Vista RPC knows no bind-time feature negotiation
      if (!offer) return { result: 2, reason: 1 };
      if (!ctx.transferSyntaxes.some((t) => t.uuid === NDR32.uuid && t.versionMajor === NDR32.version)) {
        return { result: 2, reason: 2 };
      }
      a.contexts.set(ctx.contextId, offer);
      return { result: 0, reason: 0, transferSyntax: { uuid: NDR32.uuid, version: NDR32.version } };
    });
    if (!assoc) assoc = a;
    const assocGroupId =
      bind.assocGroupId || (model.assocGroupZero ? 0 : 0x1000 + (host.rng.nextU32() & 0xefff));
    const bytes = encodeBindAck({
      ptype: isAlter ? PTYPE.alterContextResp : PTYPE.bindAck,
      callId,
      maxXmitFrag: a.fragSize,
      maxRecvFrag: a.fragSize,
      assocGroupId,
      secondaryAddress: isAlter ? '' : '135',
      results,
    });
    return [{ type: 'send', bytes }];
  };

  const reply = (req: RequestPdu, r: Reply): Action[] => {
    switch (r.kind) {
      case 'stub':
        return encodeResponse({
          callId: req.header.callId,
          contextId: req.contextId,
          stub: r.stub,
          maxFragLength: assoc?.fragSize ?? MAX_FRAG,
        }).map((bytes) => ({ type: 'send', bytes }));
      case 'fault':
        return [
          {
            type: 'send',
            bytes: encodeFault({ callId: req.header.callId, contextId: req.contextId, status: r.status }),
          },
        ];
      case 'die':
        return [{ type: 'die', cause: r.cause }];
      case 'close':
        return [{ type: 'close' }];
    }
  };

  /** Decoder failure: a fragile RPCSS dies, the others answer nca_s_fault_ndr. */
  const orBadStub = <T>(d: Decoded<T>, what: string, use: (v: T) => Reply): Reply =>
    d.ok
      ? use(d.value)
      : fragile
        ? { kind: 'die', cause: `MS01-041: malformed ${what} (${d.error.field})` }
        : fault(FAULT.ndr);

  const eptLookup = (req: EptLookupRequest): Reply => {
    let state: { cursor: number; entries: EndpointEntry[] } | undefined;
    let handleUuid: string;
    if (req.entryHandle.uuid === NIL_UUID) {
      handleUuid = [host.rng.nextU32(), host.rng.nextU32(), host.rng.nextU32(), host.rng.nextU32()]
        .map((x) => x.toString(16).padStart(8, '0'))
        .join('')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      state = { cursor: 0, entries: model.endpoints.filter(lookupFilter(req)) };
      lookups.set(handleUuid, state);
    } else {
      handleUuid = req.entryHandle.uuid;
      state = lookups.get(handleUuid);
      if (!state) return fault(FAULT.contextMismatch);
    }
    const maxEnts = Math.max(1, Math.min(req.maxEnts, 4096));
    const batch = state.entries.slice(state.cursor, state.cursor + maxEnts);
    state.cursor += batch.length;
    const exhausted = state.cursor >= state.entries.length;
    let handle: { attributes: number; uuid: string } = { attributes: 0, uuid: handleUuid };
    let status = 0;
    if (model.epmStyle === 'samba' ? exhausted : batch.length < maxEnts) {
      handle = ZERO_HANDLE;
      status = model.epmStyle === 'samba' || batch.length === 0 ? EPT_S_NOT_REGISTERED : 0;
      lookups.delete(handleUuid);
    }
    return stub(
      encodeEptLookupResponse({ handle, entries: batch, maxEnts: req.maxEnts, status, host: towerHost }),
    );
  };

  const dispatch = (offer: InterfaceOffer, req: RequestPdu): Reply => {
    const le = req.littleEndian;
    switch (offer.kind) {
      case 'epm':
        if (req.opnum === 2) {
          if (model.epmAccessDenied) return fault(FAULT.accessDenied);
          return orBadStub(decodeEptLookupRequest(req.stub, le), 'ept_lookup', eptLookup);
        }
        if (req.opnum === 3) {
          if (model.epmAccessDenied) return fault(FAULT.accessDenied);
          return orBadStub(decodeEptMapRequest(req.stub, le), 'ept_map', (m) => {
            const want = m.tower ? towerInterface(m.tower) : undefined;
            const found = want
              ? model.endpoints.filter(
                  (e) =>
                    e.protocol === 'ncacn_ip_tcp' &&
                    e.uuid === want.uuid &&
                    e.versionMajor === want.versionMajor,
                )
              : [];
            const towers = found.slice(0, Math.max(0, Math.min(m.maxTowers, 64)));
            const status = towers.length ? 0 : EPT_S_NOT_REGISTERED;
            return stub(
              encodeEptMapResponse({ entries: towers, maxTowers: m.maxTowers, status, host: towerHost }),
            );
          });
        }
        return req.opnum <= 7 ? fault(FAULT.accessDenied) : fault(FAULT.opRangeError);
      case 'mgmt':
        if (req.opnum === 0) {
          if (model.epmAccessDenied) return fault(FAULT.accessDenied);
          return stub(encodeInqIfIds(model.interfaces.filter((o) => o.listed)));
        }
        if (req.opnum === 2) return stub(encodeIsServerListening());
        return req.opnum <= 4 ? fault(FAULT.accessDenied) : fault(FAULT.opRangeError);
      case 'remact':
        if (req.opnum !== 0) return fault(FAULT.opRangeError);
        return orBadStub(decodeRemoteActivationRequest(req.stub, le), 'RemoteActivation', (r) =>
          remoteActivationReply(model, r),
        );
      case 'sysact':
        if (req.opnum < 3) return fault(FAULT.accessDenied);
        if (req.opnum > 4) return fault(FAULT.opRangeError);
        return orBadStub(decodeSystemActivatorRequest(req.stub, req.opnum, le), 'activation request', (r) =>
          systemActivatorReply(model, req.opnum, r),
        );
      case 'oxid': {
        const com = model.comVersion ?? { major: 5, minor: 1 };
        // ResolveOxid2 (4) came with COM 5.2, ServerAlive2 (5) with 5.6 (MS-DCOM 2.2.11).
        const lastOpnum = com.minor >= 6 ? 5 : com.minor >= 2 ? 4 : 3;
        if (req.opnum > lastOpnum) return fault(FAULT.opRangeError);
        if (req.opnum === 3) return stub(encodeServerAlive());
        if (req.opnum === 5) {
          return stub(
            encodeServerAlive2({ comVersion: com, networkAddresses: [host.netbiosName, host.address] }),
          );
        }
        return fault(FAULT.accessDenied);
      }
      case 'local':
        return fault(FAULT.accessDenied);
    }
  };

  const handleRequest = (pdu: Uint8Array): Action[] => {
    const decoded = decodeRequest(pdu);
    if (!decoded.ok) return malformed('request', [{ type: 'reset' }]);
    let req = decoded.value;
    if (!assoc) {
      // Request before any bind (Samba row 06): bind_nak reason 4, then FIN.
      return [{ type: 'send', bytes: encodeBindNak(req.header.callId, 4) }, { type: 'close' }];
    }
    const flags = req.header.flags;
    if (!(flags & PFC_FIRST_FRAG) || !(flags & PFC_LAST_FRAG)) {
      if (flags & PFC_FIRST_FRAG) pending = { callId: req.header.callId, first: req, parts: [], size: 0 };
      if (!pending || pending.callId !== req.header.callId) {
        return [
          {
            type: 'send',
            bytes: encodeFault({
              callId: req.header.callId,
              contextId: req.contextId,
              status: FAULT.protoError,
            }),
          },
          { type: 'close' },
        ];
      }
      pending.parts.push(req.stub);
      pending.size += req.stub.length;
      if (pending.size > MAX_REQUEST_STUB || pending.parts.length > MAX_REQUEST_FRAGMENTS) {
        return malformed('fragmented request', [{ type: 'close' }]);
      }
      if (!(flags & PFC_LAST_FRAG)) return [];
      req = { ...pending.first, stub: new Uint8Array(Buffer.concat(pending.parts)) };
      pending = undefined;
    }
    if (fragile && req.stub.length > FRAGILE_MAX_STUB) {
      return [{ type: 'die', cause: `MS01-041: overlong request (${req.stub.length}-byte stub)` }];
    }
    host.counters.requests++;
    const offer = assoc.contexts.get(req.contextId);
    if (!offer) {
      return [
        {
          type: 'send',
          bytes: encodeFault({
            callId: req.header.callId,
            contextId: req.contextId,
            status: FAULT.invalidPresContextId,
          }),
        },
      ];
    }
    return reply(req, dispatch(offer, req));
  };

  const handlePdu = (pdu: Uint8Array): Action[] => {
    const { rpcVers, rpcVersMinor, ptype, callId } = readRawHeader(pdu);
    if (rpcVers !== 5 || rpcVersMinor > 1) {
      return [{ type: 'send', bytes: encodeBindNak(callId, 4) }, { type: 'close' }];
    }
    switch (ptype) {
      case PTYPE.bind:
        return handleBind(pdu, false);
      case PTYPE.alterContext:
        return handleBind(pdu, true);
      case PTYPE.request:
        return handleRequest(pdu);
      case PTYPE.auth3:
      case PTYPE.coCancel:
      case PTYPE.orphaned:
        return [];
      case PTYPE.shutdown:
        return [{ type: 'close' }];
      default:
        return malformed(`PDU type ${ptype}`, [{ type: 'close' }]);
    }
  };

  return {
    onOpen: () => [],
    onData(chunk: Uint8Array): Action[] {
      if (finished) return [];
      const merged = new Uint8Array(buffer.length + chunk.length);
      merged.set(buffer);
      merged.set(chunk, buffer.length);
      buffer = merged;
      const actions: Action[] = [];
      while (!finished) {
        if (buffer.length >= 2 && model.onGarbage === 'bind-nak' && (buffer[0] !== 5 || buffer[1]! > 1)) {
          // Windows answers non-DCE bytes with a bind_nak (what nmap's msrpc match lines expect).
          actions.push({ type: 'send', bytes: encodeBindNak(0, 4) }, { type: 'close' });
          finished = true;
          break;
        }
        const fragLength = peekFragLength(buffer);
        if (fragLength === undefined) break;
        if (fragLength < 16) {
          // Samba row 10: frag_length shorter than a header is answered with RST.
          actions.push(...malformed('frag_length', [{ type: 'reset' }]));
          finished = true;
          break;
        }
        if (buffer.length < fragLength) break;
        const pdu = buffer.subarray(0, fragLength);
        buffer = buffer.slice(fragLength);
        const out = handlePdu(pdu);
        actions.push(...out);
        if (out.some((a) => a.type === 'close' || a.type === 'reset' || a.type === 'die')) finished = true;
      }
      return actions;
    },
  };
};
