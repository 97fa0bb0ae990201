/**
 * The DCE/RPC conversation of the activation probes: a bind and requests over TCP, either on a fresh
 * connection with one context per probe (as every 2003-era detector did, detection.md §4) or on the
 * host's shared association (dcerpc-association.ts). Each answer is checked the way nmap's msrpc.lua
 * checks a bind_ack (PDU type, echoed call_id, result list), and anything unexpected becomes a
 * classification with a reason instead of an exception.
 */
import { type Decoded, type DecodeFailure, isRpcsweepError } from '../core/errors.ts';
import type { Framer, NetError, TcpSession } from '../net/index.ts';
import {
  CallReassembler,
  decodePdu,
  encodeBind,
  encodeRequest,
  NDR32_SYNTAX,
  type NdrReaderOptions,
  type Pdu,
  pduFrameLength,
  type SyntaxId,
} from '../protocol/dcerpc/index.ts';
import { malformedReply, outcomeFromError, partialFields } from './outcome.ts';
import type { BoundAssociation, CallResult, OpenedContext, ProbeContext, ProbeOutcome } from './types.ts';

/** Fragment size we offer: Windows' usual 5840 (detection.md §3.1). */
const MAX_FRAG = 5840;
/** A probe reply is one fragment; allow a few in case a peer splits it, never an endless stream. */
const MAX_RESPONSE_FRAGMENTS = 16;
const MAX_RESPONSE_STUB = 64 * 1024;

/**
 * Delimits DCE/RPC PDUs in a TCP byte stream for TcpSession.receive: the codec's header check, with
 * the fragment size we offered as the largest a peer may send.
 */
export const dcerpcFramer: Framer = (b) => pduFrameLength(b, MAX_FRAG);

export interface CallSpec {
  probe: string;
  abstractSyntax: SyntaxId;
  opnum: number;
  /** The request stub, or a function building it (called only once the bind was accepted). */
  stub: Uint8Array | (() => Uint8Array);
}

const describe = (p: Pdu): string => p.type;

/** The whole reply (every fragment) did not arrive within one --timeout. */
const replyTimeout = (timeoutMs: number, fragments: number) => {
  const message =
    fragments === 0
      ? `no reply within ${timeoutMs} ms`
      : `reply not complete within ${timeoutMs} ms (${fragments} fragment(s) received; fragments do not extend the timeout)`;
  return {
    classification: 'timeout' as const,
    success: false,
    reason: message,
    error: { code: 'NET_READ_TIMEOUT', message },
  };
};

const wrongContext = (what: string, got: number, want: number) => ({
  classification: 'malformed' as const,
  success: false,
  reason: `${what} on presentation context ${got}, not the bound ${want}`,
  error: { code: 'PROBE_UNEXPECTED_REPLY', message: 'p_cont_id mismatch' },
});

const mismatch = (what: string, got: number, want: number) => ({
  classification: 'malformed' as const,
  success: false,
  reason: `${what} carries call_id ${got}, not ${want}`,
  error: { code: 'PROBE_UNEXPECTED_REPLY', message: 'call_id mismatch' },
});

const unexpected = (want: string, got: Pdu) => ({
  classification: 'malformed' as const,
  success: false,
  reason: `expected ${want}, got ${describe(got)}`,
  error: { code: 'PROBE_UNEXPECTED_REPLY', message: `expected ${want}, got ${describe(got)}` },
});

export interface RpcConversation {
  /** The bind result of the probe's context. */
  bindResults: Array<[number, number]>;
  /** True when the conversation runs on a connection an earlier probe of the host opened. */
  reused: boolean;
  /** One request on the bound context; a response stub or an outcome (fault, malformed, network). */
  call(opnum: number, stub: Uint8Array): Promise<CallResult>;
  close(): void;
}

/** The bind the probes send: `syntaxes` as presentation contexts 0..n-1, NDR32 each, Windows' 5840. */
export const encodeProbeBind = (callId: number, syntaxes: readonly SyntaxId[]): Uint8Array =>
  encodeBind({
    callId,
    maxXmitFrag: MAX_FRAG,
    maxRecvFrag: MAX_FRAG,
    contexts: syntaxes.map((abstractSyntax, contextId) => ({
      contextId,
      abstractSyntax,
      transferSyntaxes: [NDR32_SYNTAX],
    })),
  });

/**
 * A reply the peer closed the connection inside (NET_CLOSED with the bytes that had arrived), read as
 * far as those bytes go: the PDU's fields, as for a reply cut short, and for a response the stub.
 */
const cutReply = (e: unknown): Partial<Pdu> | undefined => {
  const bytes = isRpcsweepError(e) && e.code === 'NET_CLOSED' ? (e as NetError).incomplete : undefined;
  if (bytes === undefined) return undefined;
  const d = decodePdu(bytes, { cut: true });
  return d.ok ? d.value : d.partial;
};

/** The outcome of a reply the connection cut (still `closed`: D7, D11) with the fields it kept. */
const keepCut = (outcome: ProbeOutcome, cut: Partial<Pdu> | undefined): ProbeOutcome => {
  const fields = partialFields(cut);
  return fields ? { ...outcome, partial: fields } : outcome;
};

/** The next PDU, or why it could not be decoded with what the decoder read of it (`partial`). */
type Receive = (timeoutMs?: number) => Promise<Pdu | { failure: DecodeFailure; partial?: Partial<Pdu> }>;

/**
 * One request on a bound context and its whole reply: every fragment must carry the request's call_id
 * and context (a fault may say context 0, as Windows and Samba send bind-level faults), the fragments
 * are joined by the codec's CallReassembler within MAX_RESPONSE_FRAGMENTS / MAX_RESPONSE_STUB, and
 * the whole reply must arrive within one --timeout: fragments never extend it.
 */
const runCall = async (
  ctx: ProbeContext,
  receive: Receive,
  session: TcpSession,
  q: { callId: number; contextId: number; opnum: number; stub: Uint8Array; probe: string },
): Promise<CallResult> => {
  const c0 = ctx.now();
  const done = (o: Omit<ProbeOutcome, 'probe' | 'transport' | 'port' | 'durationMs'>): CallResult => ({
    kind: 'outcome',
    outcome: { probe: q.probe, transport: 'tcp', port: ctx.port, durationMs: ctx.now() - c0, ...o },
  });
  const deadline = c0 + ctx.timeoutMs;
  const reassembler = new CallReassembler({
    maxCallBytes: MAX_RESPONSE_STUB,
    maxFragments: MAX_RESPONSE_FRAGMENTS,
    maxOpenCalls: 1,
  });
  let fragments = 0;
  try {
    await session.send(
      encodeRequest({ callId: q.callId, contextId: q.contextId, opnum: q.opnum, stub: q.stub }),
    );
    for (;;) {
      const left = deadline - ctx.now();
      if (left < 1) return done(replyTimeout(ctx.timeoutMs, fragments));
      const p = await receive(Math.ceil(left));
      fragments++;
      if ('failure' in p) return done(malformedReply(p.failure, 'call answer', p.partial));
      if (p.header.callId !== q.callId) return done(mismatch('call answer', p.header.callId, q.callId));
      if (p.type === 'fault') {
        if (p.contextId !== q.contextId && p.contextId !== 0)
          return done(wrongContext('fault', p.contextId, q.contextId));
        return done({ classification: 'fault', success: true, faultStatus: p.status });
      }
      if (p.type !== 'response') return done(unexpected('response', p));
      if (p.contextId !== q.contextId) return done(wrongContext('response', p.contextId, q.contextId));
      const step = reassembler.add(p);
      if (!step.ok) return done(malformedReply(step.error, `response fragment ${fragments}`));
      if (step.call) {
        return { kind: 'response', stub: step.call.stub, littleEndian: step.call.firstHeader.littleEndian };
      }
    }
  } catch (e) {
    if (isRpcsweepError(e) && e.code === 'NET_READ_TIMEOUT')
      return done(replyTimeout(ctx.timeoutMs, fragments));
    const o = outcomeFromError({ probe: q.probe, transport: 'tcp', port: ctx.port, durationMs: 0 }, e, true);
    const cut = cutReply(e);
    const outcome = keepCut({ ...o, durationMs: ctx.now() - c0 }, cut);
    // A response of this call cut by the close: its stub so far goes to the probe's decoder.
    const stub =
      cut?.type === 'response' && cut.header?.callId === q.callId && cut.contextId === q.contextId && cut.stub
        ? reassembler.stubSoFar({ type: 'response', header: cut.header, stub: cut.stub })
        : undefined;
    if (stub === undefined) return { kind: 'outcome', outcome };
    return { kind: 'outcome', outcome, cut: { stub, littleEndian: cut!.header!.littleEndian } };
  }
};

export type BindAttempt =
  | { kind: 'bound'; association: BoundAssociation }
  /** `connected` is false when the connect itself failed (refused, unreachable, local resources). */
  | { kind: 'outcome'; outcome: ProbeOutcome; connected: boolean };

/**
 * Connects and sends one bind offering `syntaxes` as contexts 0..n-1 (NDR32 each). Resolves with the
 * association once a bind_ack arrives (whatever its per-context results), or with the outcome that
 * ended the attempt. Never throws for what the network or the peer does.
 */
export const bindContexts = async (
  ctx: ProbeContext,
  probe: string,
  syntaxes: readonly SyntaxId[],
): Promise<BindAttempt> => {
  const t0 = ctx.now();
  const base = () => ({ probe, transport: 'tcp' as const, port: ctx.port, durationMs: ctx.now() - t0 });
  let session: TcpSession;
  try {
    session = await ctx.openTcp();
  } catch (e) {
    return { kind: 'outcome', outcome: outcomeFromError(base(), e, false), connected: false };
  }
  /** The next PDU, within `timeoutMs` (what is left of the step's whole-reply deadline). */
  const receive: Receive = async (timeoutMs = ctx.timeoutMs) => {
    const bytes = await session.receive(dcerpcFramer, { timeoutMs });
    const d = decodePdu(bytes);
    return d.ok ? d.value : { failure: d.error, partial: d.partial };
  };
  const fail = (o: Omit<ProbeOutcome, 'probe' | 'transport' | 'port' | 'durationMs'>): BindAttempt => {
    session.reset();
    return { kind: 'outcome', outcome: { ...base(), ...o }, connected: true };
  };
  let callId = (ctx.randomU32() % 0x7ffffff0) + 1;
  try {
    const bindCallId = callId;
    await session.send(encodeProbeBind(bindCallId, syntaxes));
    const ack = await receive();
    if ('failure' in ack) return fail(malformedReply(ack.failure, 'bind answer', ack.partial));
    if (ack.header.callId !== bindCallId) return fail(mismatch('bind answer', ack.header.callId, bindCallId));
    if (ack.type === 'bind_nak') {
      return fail({
        classification: 'bind-rejected',
        success: true,
        bindNakReason: ack.rejectReason,
        reason: `bind_nak reason ${ack.rejectReason}`,
      });
    }
    if (ack.type === 'fault') {
      return fail({
        classification: 'fault',
        success: true,
        faultStatus: ack.status,
        reason: 'fault in answer to the bind',
      });
    }
    if (ack.type !== 'bind_ack') return fail(unexpected('bind_ack', ack));
    const bindResults = ack.results.map((r): [number, number] => [r.result, r.reason]);
    const call = (contextId: number, opnum: number, stub: Uint8Array, callProbe: string) =>
      runCall(ctx, receive, session, { callId: ++callId, contextId, opnum, stub, probe: callProbe });
    return { kind: 'bound', association: { bindResults, call, close: () => session.reset() } };
  } catch (e) {
    session.reset();
    return {
      kind: 'outcome',
      outcome: keepCut(outcomeFromError(base(), e, true), cutReply(e)),
      connected: true,
    };
  }
};

/**
 * A conversation on `abstractSyntax` for one probe: on the host's shared association when the engine
 * provides one that offers the syntax (ctx.association), else on a fresh connection with a
 * single-context bind, as every 2003-era detector did. Resolves with the conversation, or with the
 * outcome that ended it (refused, rejected bind, …). Never throws for what the network or peer does.
 */
export const openConversation = async (
  ctx: ProbeContext,
  probe: string,
  abstractSyntax: SyntaxId,
): Promise<{ kind: 'open'; conversation: RpcConversation } | { kind: 'outcome'; outcome: ProbeOutcome }> => {
  const t0 = ctx.now();
  // Durations count from the probe's start: its connect and bind when it opened the connection.
  const since = (o: ProbeOutcome): ProbeOutcome => ({ ...o, durationMs: ctx.now() - t0 });
  const shared = await ctx.association?.open(ctx, probe, abstractSyntax);
  let opened: OpenedContext;
  if (shared?.kind === 'outcome') return { kind: 'outcome', outcome: since(shared.outcome) };
  if (shared) {
    opened = shared;
  } else {
    const attempt = await bindContexts(ctx, probe, [abstractSyntax]);
    if (attempt.kind === 'outcome') return { kind: 'outcome', outcome: since(attempt.outcome) };
    const { association } = attempt;
    opened = {
      kind: 'context',
      association,
      contextId: 0,
      reused: false,
      release: () => association.close(),
    };
  }
  const bindResults = [opened.association.bindResults[opened.contextId] ?? [2, 0]] as Array<[number, number]>;
  const mark = (o: ProbeOutcome): ProbeOutcome =>
    opened.reused ? { ...since(o), reusedConnection: true } : since(o);
  const first = bindResults[0]!;
  if (first[0] !== 0) {
    opened.release();
    return {
      kind: 'outcome',
      outcome: mark({
        probe,
        transport: 'tcp',
        port: ctx.port,
        classification: 'bind-rejected',
        success: true,
        bindResults,
        reason: `bind result ${first[0]} reason ${first[1]}`,
        durationMs: 0,
      }),
    };
  }
  return {
    kind: 'open',
    conversation: {
      bindResults,
      reused: opened.reused,
      call: async (opnum, stub) => {
        const r = await opened.association.call(opened.contextId, opnum, stub, probe);
        if (r.kind === 'response') return { ...r, bindResults };
        opened.failed?.(r.outcome);
        return { ...r, outcome: mark({ ...r.outcome, bindResults }) };
      },
      close: () => opened.release(),
    },
  };
};

export interface SingleCallSpec<T> extends CallSpec {
  /** Decodes the stub in the reply's byte order (`options.littleEndian` from its drep). */
  decode(stub: Uint8Array, options: NdrReaderOptions): Decoded<T>;
  /**
   * What the reply says: its HRESULT and, when it carries one, the server COMVERSION. Also given the
   * fields of a reply cut short (`Decoded.partial`), so the malformed outcome keeps what was read.
   */
  read(reply: Partial<T>): { hresult?: number; comVersion?: { major: number; minor: number } };
  /**
   * Names the call in the reason for an undecodable reply and records the reply's length there too
   * (the activation probes, whose stub length classify.ts checks); without it the reason is the
   * decoder's message alone.
   */
  callName?: string;
}

/**
 * The whole run of a probe that is one bind + one call answered by an HRESULT: network and peer
 * trouble come back from the conversation as outcomes, an undecodable stub is `malformed`, and a decoded
 * one is `hresult` with the stub length the decision table checks.
 */
export const runSingleCall = async <T>(ctx: ProbeContext, spec: SingleCallSpec<T>): Promise<ProbeOutcome> => {
  const t0 = ctx.now();
  const open = await openConversation(ctx, spec.probe, spec.abstractSyntax);
  if (open.kind === 'outcome') return open.outcome;
  const { conversation } = open;
  let call: CallResult;
  try {
    call = await conversation.call(spec.opnum, typeof spec.stub === 'function' ? spec.stub() : spec.stub);
  } finally {
    conversation.close();
  }
  if (call.kind === 'outcome') return call.cut ? keepCutStub(spec, call.outcome, call.cut) : call.outcome;
  const base = {
    probe: spec.probe,
    transport: 'tcp' as const,
    port: ctx.port,
    bindResults: conversation.bindResults,
    ...(conversation.reused ? { reusedConnection: true } : {}),
  };
  const stubLength = call.stub.length;
  const d = spec.decode(call.stub, { littleEndian: call.littleEndian });
  if (!d.ok) {
    // A reply cut short is malformed, with what was read of it: HRESULT, COMVERSION, other fields.
    const read = readFields(d.partial ? spec.read(d.partial) : {});
    if (spec.callName === undefined) {
      return {
        ...base,
        ...malformedReply(d.error, undefined, d.partial),
        ...read,
        durationMs: ctx.now() - t0,
      };
    }
    const context = `${spec.callName} response (${stubLength} bytes)`;
    const malformed = malformedReply(d.error, context, d.partial);
    return { ...base, ...malformed, ...read, stubLength, durationMs: ctx.now() - t0 };
  }
  if (spec.callName !== undefined && d.consumed !== stubLength) {
    // The activation replies have one exact layout (detection.md D4, D8): bytes after it are not Windows.
    const message = `${stubLength - d.consumed} byte(s) after the ${d.consumed}-byte reply`;
    return {
      ...base,
      classification: 'malformed',
      success: false,
      reason: `${spec.callName} response (${stubLength} bytes): ${message}`,
      error: { code: 'PROBE_UNEXPECTED_REPLY', message },
      ...readFields(spec.read(d.value)),
      stubLength,
      durationMs: ctx.now() - t0,
    };
  }
  return {
    ...base,
    classification: 'hresult',
    success: true,
    hresult: 0,
    ...readFields(spec.read(d.value)),
    stubLength,
    durationMs: ctx.now() - t0,
  };
};

/**
 * A reply the connection closed inside stays `closed` (D7, D11; only a whole reply sets the DCOM
 * Version column, D12), and keeps what its stub says so far, as a stub cut short does: the fields
 * the decoder read, its HRESULT and COMVERSION once reached.
 */
const keepCutStub = <T>(
  spec: SingleCallSpec<T>,
  outcome: ProbeOutcome,
  cut: { stub: Uint8Array; littleEndian: boolean },
): ProbeOutcome => {
  const d = spec.decode(cut.stub, { littleEndian: cut.littleEndian });
  const read: Partial<T> | undefined = d.ok ? d.value : d.partial;
  if (read === undefined) return outcome;
  const fields = partialFields(read);
  return {
    ...outcome,
    ...readFields(spec.read(read)),
    ...(fields ? { partial: { ...outcome.partial, ...fields } } : {}),
  };
};

/** The outcome fields of what `SingleCallSpec.read` found (HRESULT unsigned, COMVERSION copied). */
const readFields = (
  r: ReturnType<SingleCallSpec<unknown>['read']>,
): Pick<ProbeOutcome, 'hresult' | 'comVersion'> => ({
  ...(r.hresult === undefined ? {} : { hresult: r.hresult >>> 0 }),
  ...(r.comVersion ? { comVersion: { major: r.comVersion.major, minor: r.comVersion.minor } } : {}),
});
