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
  type ComVersion,
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
  storeU32LE,
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
  const hresult = remoteActivationHresult(model, com, req);
  return typeof hresult === 'number'
    ? stub(encodeRemoteActivationFailure({ comVersion: com, hresult, interfaces: req.interfaces }))
    : hresult;
};

// The HRESULT (or the crash) alone, so no closure is made per call.
const remoteActivationHresult = (
  model: RpcssModel,
  com: ComVersion,
  req: RemoteActivationRequest,
): number | Reply => {
  if (model.patch === 'restricted') return HRESULT.E_ACCESSDENIED;
  // MS-DCOM 3.1.2.5.2.3: permission check, then the COMVERSION check, then the class lookup.
  if (req.orpcThis.version.major !== com.major || req.orpcThis.version.minor > com.minor) {
    return HRESULT.RPC_E_VERSION_MISMATCH;
  }
  if (req.objectName !== undefined) {
    const server = serverPartOf(req.objectName);
    const malformed = req.objectName.includes('\0') || server.length > MAX_SERVER_PART;
    if (model.patch === 'none' && server.length > MAX_SERVER_PART) {
      return { kind: 'die', cause: `MS03-026: object name server part of ${server.length} characters` };
    }
    // KB823980 added the path check: every object name it sees on this path is rejected as a bad path.
    if (model.patch === 'kb823980') return HRESULT.CO_E_BADPATH;
    // KB824146 validates the name earlier and rejects malformed ones as invalid arguments: the change
    // that made KB823980scan report such hosts as unpatched (KB 827363) [I for the exact HRESULT].
    if (model.patch === 'kb824146') return malformed ? HRESULT.E_INVALIDARG : HRESULT.CO_E_BADPATH;
  }
  // Unpatched (or no name): the random CLSID is looked up and is not registered.
  return HRESULT.REGDB_E_CLASSNOTREG;
};

/** SYSACT answer (decision table D4–D6) for RemoteGetClassObject / RemoteCreateInstance. */
export const systemActivatorReply = (model: RpcssModel, opnum: number, req: SystemActivatorRequest): Reply =>
  stub(encodeSystemActivatorFailure(systemActivatorHresult(model, opnum, req)));

const systemActivatorHresult = (model: RpcssModel, opnum: number, req: SystemActivatorRequest): number => {
  const com = model.comVersion ?? { major: 5, minor: 6 };
  if (model.patch === 'restricted') return HRESULT.E_ACCESSDENIED;
  if (req.orpcThis.version.major !== com.major || req.orpcThis.version.minor > com.minor) {
    return HRESULT.RPC_E_VERSION_MISMATCH;
  }
  const props = req.actProperties;
  const isObjref = props !== undefined && props.length >= 4 && indexOf(props.subarray(0, 4), MEOW) === 0;
  const patched = model.patch === 'kb824146';
  if (!isObjref) {
    // Patched: the blob is checked for a MEOW OBJREF first [C Tenable 11835 patched values]. Unpatched:
    // no such check; the unmarshal fails later with a generic failure [I, value not in the public record].
    return patched ? (model.sysactPatchedHresult ?? HRESULT.RPC_E_INVALID_OBJREF) : HRESULT.E_FAIL;
  }
  if (opnum === 4 && patched) {
    // KB824146scan's pair test: the patched RPCSS rejects activation properties whose class ids it does
    // not know (req2), so req1 and req2 get different HRESULTs [C rule, I mechanism].
    const complete =
      indexOf(props, PROPERTY_SECURITY_INFO) >= 0 && indexOf(props, PROPERTY_SERVER_LOCATION_INFO) >= 0;
    if (!complete) return HRESULT.E_INVALIDARG;
  }
  return HRESULT.REGDB_E_CLASSNOTREG;
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

/** What a bind (not an alter_context) decides, given only its bytes and the model: cached per model. */
interface BindPlan {
  results: ContextResult[];
  /** Accepted presentation contexts, in the order the bind lists them. */
  accepted: Array<[number, InterfaceOffer]>;
  fragSize: number;
  /** The client's assoc_group_id (0: the server picks one). */
  clientAssocGroupId: number;
  /** bind_ack with call_id and assoc_group_id 0, patched per answer. */
  ackTemplate?: Uint8Array;
}

const planBind = (model: RpcssModel, bind: BindPdu): BindPlan => {
  const accepted: Array<[number, InterfaceOffer]> = [];
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
    accepted.push([ctx.contextId, offer]);
    return { result: 0, reason: 0, transferSyntax: { uuid: NDR32.uuid, version: NDR32.version } };
  });
  return {
    results,
    accepted,
    fragSize: Math.min(MAX_FRAG, Math.max(MIN_FRAG, bind.maxRecvFrag || MAX_FRAG)),
    clientAssocGroupId: bind.assocGroupId,
  };
};

/**
 * Scanners send the same bind to every host, differing only in call_id: the decoded plan is kept per
 * model, keyed by the PDU bytes without the call_id. Bounded, so varied (hostile) binds only miss.
 */
const MAX_BIND_PLANS = 64;
const bindPlans = new WeakMap<RpcssModel, Map<string, BindPlan>>();

const bindKey = (pdu: Uint8Array): string => {
  const b = Buffer.isBuffer(pdu) ? pdu : Buffer.from(pdu.buffer, pdu.byteOffset, pdu.byteLength);
  return b.toString('latin1', 0, 12) + b.toString('latin1', 16);
};

/** A bind_ack template with this call_id and assoc_group_id (offsets 12 and 20, always little-endian). */
const patchedBindAck = (template: Uint8Array, callId: number, assocGroupId: number): Uint8Array => {
  const bytes = template.slice();
  storeU32LE(bytes, 12, callId);
  storeU32LE(bytes, 20, assocGroupId);
  return bytes;
};

const endsConnection = (actions: Action[]): boolean => {
  for (const a of actions) if (a.type === 'close' || a.type === 'reset' || a.type === 'die') return true;
  return false;
};

interface LookupState {
  cursor: number;
  entries: EndpointEntry[];
}

/**
 * One connection's state. A class rather than closures: a session is created per connection, and
 * per-connection closures were a measurable part of the lab's CPU per scanned host.
 */
class RpcssSession implements Session {
  readonly #model: RpcssModel;
  readonly #host: HostContext;
  readonly #fragile: boolean;
  /** Bytes of an incomplete PDU carried over to the next chunk. */
  #buffer: Uint8Array | undefined;
  #assoc: Association | undefined;
  #pending: PendingCall | undefined;
  #finished = false;
  #lookups: Map<string, LookupState> | undefined;

  constructor(model: RpcssModel, host: HostContext) {
    this.#model = model;
    this.#host = host;
    this.#fragile = model.fragile === true;
  }

  onOpen(): Action[] {
    return [];
  }

  onData(chunk: Uint8Array): Action[] {
    if (this.#finished) return [];
    let buffer = chunk;
    if (this.#buffer) {
      buffer = new Uint8Array(this.#buffer.length + chunk.length);
      buffer.set(this.#buffer);
      buffer.set(chunk, this.#buffer.length);
      this.#buffer = undefined;
    }
    const model = this.#model;
    let offset = 0;
    let actions: Action[] | undefined;
    while (!this.#finished) {
      const available = buffer.length - offset;
      if (
        available >= 2 &&
        model.onGarbage === 'bind-nak' &&
        (buffer[offset] !== 5 || buffer[offset + 1]! > 1)
      ) {
        // Windows answers non-DCE bytes with a bind_nak (what nmap's msrpc match lines expect).
        actions ??= [];
        actions.push({ type: 'send', bytes: encodeBindNak(0, 4) }, { type: 'close' });
        this.#finished = true;
        break;
      }
      const fragLength = peekFragLength(buffer, offset);
      if (fragLength === undefined) break;
      if (fragLength < 16) {
        // Samba row 10: frag_length shorter than a header is answered with RST.
        actions ??= [];
        actions.push(...this.#malformed('frag_length', [{ type: 'reset' }]));
        this.#finished = true;
        break;
      }
      if (available < fragLength) break;
      const out = this.#handlePdu(buffer.subarray(offset, offset + fragLength));
      offset += fragLength;
      if (actions === undefined) actions = out;
      else for (const a of out) actions.push(a);
      if (endsConnection(out)) this.#finished = true;
    }
    // Copy the remainder: the caller's chunk is not ours to keep.
    if (!this.#finished && offset < buffer.length) this.#buffer = buffer.slice(offset);
    return actions ?? [];
  }

  #malformed(what: string, orElse: Action[]): Action[] {
    return this.#fragile ? [{ type: 'die', cause: `MS01-041: malformed ${what}` }] : orElse;
  }

  #handlePdu(pdu: Uint8Array): Action[] {
    const { rpcVers, rpcVersMinor, ptype, callId } = readRawHeader(pdu);
    if (rpcVers !== 5 || rpcVersMinor > 1) {
      return [{ type: 'send', bytes: encodeBindNak(callId, 4) }, { type: 'close' }];
    }
    switch (ptype) {
      case PTYPE.bind:
        return this.#handleBind(pdu, false);
      case PTYPE.alterContext:
        return this.#handleBind(pdu, true);
      case PTYPE.request:
        return this.#handleRequest(pdu);
      case PTYPE.auth3:
      case PTYPE.coCancel:
      case PTYPE.orphaned:
        return [];
      case PTYPE.shutdown:
        return [{ type: 'close' }];
      default:
        return this.#malformed(`PDU type ${ptype}`, [{ type: 'close' }]);
    }
  }

  #handleBind(pdu: Uint8Array, isAlter: boolean): Action[] {
    const model = this.#model;
    let plans: Map<string, BindPlan> | undefined;
    let key: string | undefined;
    let plan: BindPlan | undefined;
    let callId: number;
    if (!isAlter) {
      plans = bindPlans.get(model);
      if (!plans) bindPlans.set(model, (plans = new Map()));
      key = bindKey(pdu);
      plan = plans.get(key);
    }
    if (plan) {
      // Only binds that decoded with at least one context are planned, so the checks below are the
      // ones the full path makes after a successful decode.
      callId = readRawHeader(pdu).callId;
      if (this.#assoc) return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
    } else {
      const decoded = decodeBind(pdu);
      if (!decoded.ok) {
        const orElse: Action[] =
          model.onGarbage === 'bind-nak'
            ? [{ type: 'send', bytes: encodeBindNak(readRawHeader(pdu).callId, 0) }, { type: 'close' }]
            : [{ type: 'close' }];
        return this.#malformed('bind', orElse);
      }
      const bind: BindPdu = decoded.value;
      callId = bind.header.callId;
      if (!isAlter && this.#assoc) {
        // A second bind on one connection (Samba row 21): bind_nak, then FIN.
        return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
      }
      if (isAlter && !this.#assoc) {
        return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
      }
      if (bind.contexts.length === 0)
        return [{ type: 'send', bytes: encodeBindNak(callId, 0) }, { type: 'close' }];
      plan = planBind(model, bind);
      if (plans && key !== undefined && plans.size < MAX_BIND_PLANS) plans.set(key, plan);
    }
    this.#host.counters.binds++;
    const a = this.#assoc ?? { fragSize: plan.fragSize, contexts: new Map<number, InterfaceOffer>() };
    for (const [contextId, offer] of plan.accepted) a.contexts.set(contextId, offer);
    if (!this.#assoc) this.#assoc = a;
    const assocGroupId =
      plan.clientAssocGroupId || (model.assocGroupZero ? 0 : 0x1000 + (this.#host.rng.nextU32() & 0xefff));
    if (!isAlter) {
      // A first bind: the association's fragment size is the plan's, so the template fits.
      plan.ackTemplate ??= encodeBindAck({
        ptype: PTYPE.bindAck,
        callId: 0,
        maxXmitFrag: plan.fragSize,
        maxRecvFrag: plan.fragSize,
        assocGroupId: 0,
        secondaryAddress: '135',
        results: plan.results,
      });
      return [{ type: 'send', bytes: patchedBindAck(plan.ackTemplate, callId, assocGroupId) }];
    }
    const bytes = encodeBindAck({
      ptype: PTYPE.alterContextResp,
      callId,
      maxXmitFrag: a.fragSize,
      maxRecvFrag: a.fragSize,
      assocGroupId,
      secondaryAddress: '',
      results: plan.results,
    });
    return [{ type: 'send', bytes }];
  }

  #reply(req: RequestPdu, r: Reply): Action[] {
    switch (r.kind) {
      case 'stub': {
        const fragments = encodeResponse({
          callId: req.header.callId,
          contextId: req.contextId,
          stub: r.stub,
          maxFragLength: this.#assoc?.fragSize ?? MAX_FRAG,
        });
        const actions: Action[] = [];
        for (const bytes of fragments) actions.push({ type: 'send', bytes });
        return actions;
      }
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
  }

  /** Decoder failure: a fragile RPCSS dies, the others answer nca_s_fault_ndr. */
  #orBadStub<T>(d: Decoded<T>, what: string, use: (v: T) => Reply): Reply {
    if (d.ok) return use(d.value);
    return this.#fragile
      ? { kind: 'die', cause: `MS01-041: malformed ${what} (${d.error.field})` }
      : fault(FAULT.ndr);
  }

  #eptLookup(req: EptLookupRequest): Reply {
    const model = this.#model;
    const rng = this.#host.rng;
    const lookups = (this.#lookups ??= new Map());
    let state: LookupState | undefined;
    let handleUuid: string;
    if (req.entryHandle.uuid === NIL_UUID) {
      handleUuid = [rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()]
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
      encodeEptLookupResponse({
        handle,
        entries: batch,
        maxEnts: req.maxEnts,
        status,
        host: this.#towerHost(),
      }),
    );
  }

  #towerHost() {
    return { address: this.#host.address, netbiosName: this.#host.netbiosName };
  }

  #dispatch(offer: InterfaceOffer, req: RequestPdu): Reply {
    const model = this.#model;
    const le = req.littleEndian;
    switch (offer.kind) {
      case 'epm':
        if (req.opnum === 2) {
          if (model.epmAccessDenied) return fault(FAULT.accessDenied);
          return this.#orBadStub(decodeEptLookupRequest(req.stub, le), 'ept_lookup', (l) =>
            this.#eptLookup(l),
          );
        }
        if (req.opnum === 3) {
          if (model.epmAccessDenied) return fault(FAULT.accessDenied);
          return this.#orBadStub(decodeEptMapRequest(req.stub, le), 'ept_map', (m) => {
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
              encodeEptMapResponse({
                entries: towers,
                maxTowers: m.maxTowers,
                status,
                host: this.#towerHost(),
              }),
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
        return this.#orBadStub(decodeRemoteActivationRequest(req.stub, le), 'RemoteActivation', (r) =>
          remoteActivationReply(model, r),
        );
      case 'sysact':
        if (req.opnum < 3) return fault(FAULT.accessDenied);
        if (req.opnum > 4) return fault(FAULT.opRangeError);
        return this.#orBadStub(
          decodeSystemActivatorRequest(req.stub, req.opnum, le),
          'activation request',
          (r) => systemActivatorReply(model, req.opnum, r),
        );
      case 'oxid': {
        const com = model.comVersion ?? { major: 5, minor: 1 };
        // ResolveOxid2 (4) came with COM 5.2, ServerAlive2 (5) with 5.6 (MS-DCOM 2.2.11).
        const lastOpnum = com.minor >= 6 ? 5 : com.minor >= 2 ? 4 : 3;
        if (req.opnum > lastOpnum) return fault(FAULT.opRangeError);
        if (req.opnum === 3) return stub(encodeServerAlive());
        if (req.opnum === 5) {
          return stub(
            encodeServerAlive2({
              comVersion: com,
              networkAddresses: [this.#host.netbiosName, this.#host.address],
            }),
          );
        }
        return fault(FAULT.accessDenied);
      }
      case 'local':
        return fault(FAULT.accessDenied);
    }
  }

  #handleRequest(pdu: Uint8Array): Action[] {
    const decoded = decodeRequest(pdu);
    if (!decoded.ok) return this.#malformed('request', [{ type: 'reset' }]);
    let req = decoded.value;
    const assoc = this.#assoc;
    if (!assoc) {
      // Request before any bind (Samba row 06): bind_nak reason 4, then FIN.
      return [{ type: 'send', bytes: encodeBindNak(req.header.callId, 4) }, { type: 'close' }];
    }
    const flags = req.header.flags;
    if (!(flags & PFC_FIRST_FRAG) || !(flags & PFC_LAST_FRAG)) {
      if (flags & PFC_FIRST_FRAG) {
        this.#pending = { callId: req.header.callId, first: req, parts: [], size: 0 };
      }
      const pending = this.#pending;
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
      // A copy: the stub is a view of the caller's chunk, which may not outlive this call.
      pending.parts.push(req.stub.slice());
      pending.size += req.stub.length;
      if (pending.size > MAX_REQUEST_STUB || pending.parts.length > MAX_REQUEST_FRAGMENTS) {
        return this.#malformed('fragmented request', [{ type: 'close' }]);
      }
      if (!(flags & PFC_LAST_FRAG)) return [];
      req = { ...pending.first, stub: new Uint8Array(Buffer.concat(pending.parts)) };
      this.#pending = undefined;
    }
    if (this.#fragile && req.stub.length > FRAGILE_MAX_STUB) {
      return [{ type: 'die', cause: `MS01-041: overlong request (${req.stub.length}-byte stub)` }];
    }
    this.#host.counters.requests++;
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
    return this.#reply(req, this.#dispatch(offer, req));
  }
}

export const createRpcssSession = (model: RpcssModel, host: HostContext): Session =>
  new RpcssSession(model, host);
