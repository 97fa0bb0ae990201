/**
 * The emulated RPCSS connection session: one per TCP connection to port 135. Frames the byte stream
 * with the codec's PduFramer, negotiates bind/alter_context as in the Windows and Samba captures
 * (detection.md §3.1, §7), joins request fragments, and answers faults; whole requests go to the
 * interface dispatch (dispatch.ts). Pure state machine (bytes in, actions out); server.ts does the I/O.
 */
import {
  BIND_NAK_REASON,
  BIND_RESULT,
  BIND_RESULT_REASON,
  type BindPdu,
  type BindResult,
  BTFN_SYNTAX_PREFIX,
  decodeBind,
  decodeRequestFast,
  encodeAlterContextResp,
  encodeBindAck,
  encodeBindNak,
  encodeFault,
  encodeResponseFast,
  FAULT_STATUS,
  NDR32_SYNTAX,
  NIL_UUID,
  PduFramer,
  PFC,
  PTYPE,
  peekCallId,
  peekFragLength,
  type RequestPdu,
  storeU32LE,
} from '../../protocol/dcerpc/index.ts';
import type { Action, HostContext, InterfaceOffer, RpcssModel, Session } from '../profiles/types.ts';
import { type Call, dispatch, type Reply } from './dispatch.ts';

/** Windows' largest fragment (captures: 5840 and 4280); Samba clamps small values up to 2048. */
const MAX_FRAG = 5840;
const MIN_FRAG = 2048;
/** Bounds on a fragmented request (stub bytes, fragments). */
const MAX_REQUEST_STUB = 1 << 20;
const MAX_REQUEST_FRAGMENTS = 256;
/** MS01-041 model: requests larger than any documented probe count as overlong for a fragile RPCSS. */
const FRAGILE_MAX_STUB = 1024;
const REJECTED_SYNTAX = { uuid: NIL_UUID, major: 0, minor: 0 };

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

const interfaceMatches = (offer: InterfaceOffer, uuid: string, major: number, minor: number) =>
  offer.uuid === uuid && offer.versionMajor === major && minor <= offer.versionMinor;

/** What a bind (not an alter_context) decides, given only its bytes and the model: cached per model. */
interface BindPlan {
  results: BindResult[];
  /** Accepted presentation contexts, in the order the bind lists them. */
  accepted: Array<[number, InterfaceOffer]>;
  fragSize: number;
  /** The client's assoc_group_id (0: the server picks one). */
  clientAssocGroupId: number;
  /** bind_ack with call_id and assoc_group_id 0, patched per answer. */
  ackTemplate?: Uint8Array;
}

const rejected = (reason: number): BindResult => ({
  result: BIND_RESULT.provider_rejection,
  reason,
  transferSyntax: REJECTED_SYNTAX,
});

const planBind = (model: RpcssModel, bind: BindPdu): BindPlan => {
  const accepted: Array<[number, InterfaceOffer]> = [];
  const results = bind.contexts.map((ctx): BindResult => {
    const { uuid, major, minor } = ctx.abstractSyntax;
    const offer = model.interfaces.find((o) => interfaceMatches(o, uuid, major, minor));
    // Pre-Vista RPC knows no bind-time feature negotiation.
    if (ctx.transferSyntaxes.some((t) => t.uuid.startsWith(BTFN_SYNTAX_PREFIX))) {
      return rejected(BIND_RESULT_REASON.proposed_transfer_syntaxes_not_supported);
    }
    if (!offer) return rejected(BIND_RESULT_REASON.abstract_syntax_not_supported);
    const ndr32 = ctx.transferSyntaxes.some(
      (t) => t.uuid === NDR32_SYNTAX.uuid && t.major === NDR32_SYNTAX.major,
    );
    if (!ndr32) return rejected(BIND_RESULT_REASON.proposed_transfer_syntaxes_not_supported);
    accepted.push([ctx.contextId, offer]);
    return {
      result: BIND_RESULT.acceptance,
      reason: 0,
      transferSyntax: { uuid: NDR32_SYNTAX.uuid, major: NDR32_SYNTAX.major, minor: 0 },
    };
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
  const b = Buffer.from(pdu.buffer, pdu.byteOffset, pdu.byteLength);
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

const nak = (callId: number, reason: number): Action[] => [
  {
    type: 'send',
    bytes: encodeBindNak({ callId, rejectReason: reason, versions: [{ major: 5, minor: 0 }] }),
  },
  { type: 'close' },
];

const faultPdu = (req: RequestPdu, status: number): Action => ({
  type: 'send',
  bytes: encodeFault({
    callId: req.header.callId,
    contextId: req.contextId,
    status,
    flags: PFC.FIRST_FRAG | PFC.LAST_FRAG | PFC.DID_NOT_EXECUTE,
  }),
});

/**
 * One connection's state. A class rather than closures: a session is created per connection, and
 * per-connection closures were a measurable part of the lab's CPU per scanned host.
 */
class RpcssSession implements Session {
  readonly #model: RpcssModel;
  readonly #host: HostContext;
  readonly #fragile: boolean;
  readonly #framer = new PduFramer();
  #assoc: Association | undefined;
  #pending: PendingCall | undefined;
  #finished = false;
  /** Bytes received so far (stream offset of the next chunk). */
  #received = 0;
  /** A PDU the framer could not frame (bad version or drep): answered once all of it has arrived. */
  #unframed: { header: Uint8Array; end: number } | undefined;
  #lookups: Call['lookups'] | undefined;

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
    const framer = this.#framer;
    if (
      this.#model.onGarbage === 'bind-nak' &&
      framer.bufferedBytes === 0 &&
      chunk.length >= 2 &&
      (chunk[0] !== 5 || chunk[1]! > 1)
    ) {
      // Windows answers non-DCE bytes with a bind_nak (what nmap's msrpc match lines expect).
      return this.#finish(nak(0, BIND_NAK_REASON.protocol_version_not_supported));
    }
    this.#received += chunk.length;
    if (this.#unframed) return this.#afterUnframed();
    let actions: Action[] | undefined;
    for (const pdu of framer.push(chunk)) {
      const out = this.#handlePdu(pdu);
      if (actions === undefined) actions = out;
      else for (const a of out) actions.push(a);
      if (endsConnection(out)) return this.#finish(actions);
    }
    if (framer.failure) {
      const out = this.#badHeader(framer.failure.field, framer.failedHeader ?? chunk);
      if (actions === undefined) actions = out;
      else for (const a of out) actions.push(a);
      if (endsConnection(out)) return this.#finish(actions);
    }
    return actions ?? [];
  }

  /** Answers the unframed PDU once its frag_length bytes are in (the answer Windows gives then). */
  #afterUnframed(): Action[] {
    const u = this.#unframed!;
    if (this.#received < u.end) return [];
    this.#unframed = undefined;
    const header = u.header;
    const badVersion = header[0] !== 5 || header[1]! > 1;
    return this.#finish(
      badVersion
        ? nak(peekCallId(header), BIND_NAK_REASON.protocol_version_not_supported)
        : this.#handlePdu(header),
    );
  }

  #finish(actions: Action[]): Action[] {
    this.#finished = true;
    return actions;
  }

  /**
   * The framer stopped at a header it cannot frame. Non-DCE bytes: a bind_nak now where the model says
   * so. frag_length shorter than a header: RST (Samba row 10). Otherwise (bad version or drep) the PDU
   * is framed by its frag_length alone and answered once complete, so garbage with a large "frag_length"
   * gets silence, as from Samba.
   */
  #badHeader(field: string, header: Uint8Array): Action[] {
    const fragLength = peekFragLength(header) ?? 0;
    if (field === 'dcerpc.cn_frag_len' || fragLength < 16)
      return this.#malformed('frag_length', [{ type: 'reset' }]);
    const badVersion = field === 'dcerpc.ver' || field === 'dcerpc.ver_minor';
    if (badVersion && this.#model.onGarbage === 'bind-nak') {
      return nak(0, BIND_NAK_REASON.protocol_version_not_supported);
    }
    this.#unframed = { header, end: this.#framer.streamOffset + fragLength };
    return this.#afterUnframed();
  }

  #malformed(what: string, orElse: Action[]): Action[] {
    return this.#fragile ? [{ type: 'die', cause: `MS01-041: malformed ${what}` }] : orElse;
  }

  #handlePdu(pdu: Uint8Array): Action[] {
    const ptype = pdu[2]!;
    switch (ptype) {
      case PTYPE.bind:
        return this.#handleBind(pdu, false);
      case PTYPE.alter_context:
        return this.#handleBind(pdu, true);
      case PTYPE.request:
        return this.#handleRequest(pdu);
      case PTYPE.auth3:
      case PTYPE.co_cancel:
      case PTYPE.orphaned:
        return [];
      case PTYPE.shutdown:
        return [{ type: 'close' }];
      default:
        return this.#malformed(`PDU type ${ptype}`, [{ type: 'close' }]);
    }
  }

  /** The plan of a bind from the per-model cache, or decoded and cached; or the actions refusing it. */
  #plan(pdu: Uint8Array, isAlter: boolean): { plan: BindPlan; callId: number } | Action[] {
    const model = this.#model;
    let plans: Map<string, BindPlan> | undefined;
    let key: string | undefined;
    if (!isAlter) {
      plans = bindPlans.get(model);
      if (!plans) bindPlans.set(model, (plans = new Map()));
      key = bindKey(pdu);
      const cached = plans.get(key);
      // Only binds that decoded with at least one context are planned, so the check below is the
      // one the full path makes after a successful decode.
      if (cached) return this.#assoc ? nak(peekCallId(pdu), 0) : { plan: cached, callId: peekCallId(pdu) };
    }
    const decoded = decodeBind(pdu);
    if (!decoded.ok || decoded.value.contexts.some((c) => c.transferSyntaxes.length === 0)) {
      const orElse: Action[] = model.onGarbage === 'bind-nak' ? nak(peekCallId(pdu), 0) : [{ type: 'close' }];
      return this.#malformed('bind', orElse);
    }
    const bind = decoded.value;
    const callId = bind.header.callId;
    // A second bind on one connection (Samba row 21), an alter_context before any bind, or a bind
    // without contexts: bind_nak, then FIN.
    if (isAlter !== (this.#assoc !== undefined) || bind.contexts.length === 0) return nak(callId, 0);
    const plan = planBind(model, bind);
    if (plans && key !== undefined && plans.size < MAX_BIND_PLANS) plans.set(key, plan);
    return { plan, callId };
  }

  #handleBind(pdu: Uint8Array, isAlter: boolean): Action[] {
    const planned = this.#plan(pdu, isAlter);
    if (Array.isArray(planned)) return planned;
    const { plan, callId } = planned;
    const model = this.#model;
    this.#host.counters.binds++;
    const a = this.#assoc ?? { fragSize: plan.fragSize, contexts: new Map<number, InterfaceOffer>() };
    for (const [contextId, offer] of plan.accepted) a.contexts.set(contextId, offer);
    if (!this.#assoc) this.#assoc = a;
    const assocGroupId =
      plan.clientAssocGroupId || (model.assocGroupZero ? 0 : 0x1000 + (this.#host.rng.nextU32() & 0xefff));
    if (!isAlter) {
      // A first bind: the association's fragment size is the plan's, so the template fits.
      plan.ackTemplate ??= encodeBindAck({
        callId: 0,
        maxXmitFrag: plan.fragSize,
        maxRecvFrag: plan.fragSize,
        assocGroupId: 0,
        secondaryAddress: '135',
        results: plan.results,
      });
      return [{ type: 'send', bytes: patchedBindAck(plan.ackTemplate, callId, assocGroupId) }];
    }
    const bytes = encodeAlterContextResp({
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
        const fragments = encodeResponseFast({
          callId: req.header.callId,
          contextId: req.contextId,
          stub: r.stub,
          maxXmitFrag: this.#assoc?.fragSize ?? MAX_FRAG,
        });
        const actions: Action[] = [];
        for (const bytes of fragments) actions.push({ type: 'send', bytes });
        return actions;
      }
      case 'fault':
        return [faultPdu(req, r.status)];
      case 'die':
        return [{ type: 'die', cause: r.cause }];
      case 'close':
        return [{ type: 'close' }];
    }
  }

  /** Joins the fragments of a request: the whole request, or the actions for an incomplete or bad one. */
  #joinFragments(req: RequestPdu): RequestPdu | Action[] {
    const flags = req.header.flags;
    if (flags & PFC.FIRST_FRAG) this.#pending = { callId: req.header.callId, first: req, parts: [], size: 0 };
    const pending = this.#pending;
    if (!pending || pending.callId !== req.header.callId) {
      return [faultPdu(req, FAULT_STATUS.nca_proto_error), { type: 'close' }];
    }
    pending.parts.push(req.stub);
    pending.size += req.stub.length;
    if (pending.size > MAX_REQUEST_STUB || pending.parts.length > MAX_REQUEST_FRAGMENTS) {
      return this.#malformed('fragmented request', [{ type: 'close' }]);
    }
    if (!(flags & PFC.LAST_FRAG)) return [];
    this.#pending = undefined;
    return { ...pending.first, stub: new Uint8Array(Buffer.concat(pending.parts)) };
  }

  #handleRequest(pdu: Uint8Array): Action[] {
    const decoded = decodeRequestFast(pdu);
    if (!decoded.ok) return this.#malformed('request', [{ type: 'reset' }]);
    let req = decoded.value;
    const assoc = this.#assoc;
    // Request before any bind (Samba row 06): bind_nak reason 4, then FIN.
    if (!assoc) return nak(req.header.callId, BIND_NAK_REASON.protocol_version_not_supported);
    const whole = PFC.FIRST_FRAG | PFC.LAST_FRAG;
    if ((req.header.flags & whole) !== whole) {
      const joined = this.#joinFragments(req);
      if (Array.isArray(joined)) return joined;
      req = joined;
    }
    if (this.#fragile && req.stub.length > FRAGILE_MAX_STUB) {
      return [{ type: 'die', cause: `MS01-041: overlong request (${req.stub.length}-byte stub)` }];
    }
    this.#host.counters.requests++;
    const offer = assoc.contexts.get(req.contextId);
    if (!offer) return [faultPdu(req, FAULT_STATUS.nca_invalid_pres_context_id)];
    const call: Call = {
      model: this.#model,
      host: this.#host,
      fragile: this.#fragile,
      lookups: (this.#lookups ??= new Map()),
      req,
    };
    return this.#reply(req, dispatch(offer, call));
  }
}

export const createRpcssSession = (model: RpcssModel, host: HostContext): Session =>
  new RpcssSession(model, host);
