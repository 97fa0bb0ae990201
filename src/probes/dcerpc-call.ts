/**
 * One bind + one request on a fresh TCP connection, as every 2003-era detector did (detection.md §4):
 * the shared conversation of the activation probes. Each answer is checked the way nmap's msrpc.lua
 * checks a bind_ack (PDU type, echoed call_id, result list), and anything unexpected becomes a
 * classification with a reason instead of an exception.
 */
import { type Decoded, DecodeError, type DecodeFailure } from '../core/errors.ts';
import type { Framer, TcpSession } from '../net/index.ts';
import {
  decodePdu,
  encodeBind,
  encodeRequest,
  NDR32_SYNTAX,
  type Pdu,
  PFC,
  type SyntaxId,
} from '../protocol/dcerpc/index.ts';
import { malformedReply, outcomeFromError } from './outcome.ts';
import type { ProbeContext, ProbeOutcome } from './types.ts';

/** Fragment size we offer: Windows' usual 5840 (detection.md §3.1). */
const MAX_FRAG = 5840;
/** A probe reply is one fragment; allow a few in case a peer splits it, never an endless stream. */
const MAX_RESPONSE_FRAGMENTS = 16;
const MAX_RESPONSE_STUB = 64 * 1024;

/**
 * Delimits DCE/RPC PDUs in a TCP byte stream for TcpSession.receive: the frag_length at offset 8 in
 * the drep byte order. Throws DecodeError for bytes that cannot start a PDU (an HTTP server, garbage).
 */
export const dcerpcFramer: Framer = (b) => {
  if (b.length < 1) return 0;
  if (b[0] !== 5) {
    throw new DecodeError({
      code: 'DCERPC_BAD_VERSION',
      offset: 0,
      field: 'dcerpc.ver',
      message: `rpc_vers is ${b[0]}, not 5`,
    });
  }
  if (b.length < 10) return 0;
  const littleEndian = ((b[4] ?? 0) & 0x10) !== 0;
  const len = littleEndian ? (b[8] ?? 0) | ((b[9] ?? 0) << 8) : ((b[8] ?? 0) << 8) | (b[9] ?? 0);
  if (len < 16) {
    throw new DecodeError({
      code: 'DCERPC_BAD_FRAG_LEN',
      offset: 8,
      field: 'dcerpc.cn_frag_len',
      message: `frag_length ${len} is smaller than the 16-byte header`,
    });
  }
  return len;
};

export interface CallSpec {
  probe: string;
  abstractSyntax: SyntaxId;
  opnum: number;
  /** The request stub, or a function building it (called only once the bind was accepted). */
  stub: Uint8Array | (() => Uint8Array);
}

/** What the conversation produced, before the probe interprets the stub. */
export type CallResult =
  | { kind: 'response'; stub: Uint8Array; bindResults: Array<[number, number]> }
  | { kind: 'outcome'; outcome: ProbeOutcome };

const describe = (p: Pdu): string => p.type;

export interface RpcConversation {
  /** Bind results of the accepted bind. */
  bindResults: Array<[number, number]>;
  /** One request on the bound context; a response stub or an outcome (fault, malformed, network). */
  call(opnum: number, stub: Uint8Array): Promise<CallResult>;
  close(): void;
}

/**
 * Connects and binds `abstractSyntax`. Resolves with a conversation for further calls, or with the
 * outcome that ended it (refused, rejected bind, …). Never throws for what the network or peer does.
 */
export const openConversation = async (
  ctx: ProbeContext,
  probe: string,
  abstractSyntax: SyntaxId,
): Promise<{ kind: 'open'; conversation: RpcConversation } | { kind: 'outcome'; outcome: ProbeOutcome }> => {
  const t0 = ctx.now();
  const base = () => ({ probe, transport: 'tcp' as const, port: ctx.port, durationMs: ctx.now() - t0 });
  const outcome = (o: Omit<ProbeOutcome, 'probe' | 'transport' | 'port' | 'durationMs'>) => ({
    kind: 'outcome' as const,
    outcome: { ...base(), ...o },
  });
  let session: TcpSession;
  try {
    session = await ctx.openTcp();
  } catch (e) {
    return { kind: 'outcome', outcome: outcomeFromError(base(), e, false) };
  }
  const receive = async (): Promise<Pdu | { failure: DecodeFailure }> => {
    const bytes = await session.receive(dcerpcFramer, { timeoutMs: ctx.timeoutMs });
    const d = decodePdu(bytes);
    return d.ok ? d.value : { failure: d.error };
  };
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
  let callId = (ctx.randomU32() % 0x7ffffff0) + 1;
  try {
    const bindCallId = callId;
    await session.send(
      encodeBind({
        callId: bindCallId,
        maxXmitFrag: MAX_FRAG,
        maxRecvFrag: MAX_FRAG,
        contexts: [{ contextId: 0, abstractSyntax, transferSyntaxes: [NDR32_SYNTAX] }],
      }),
    );
    const ack = await receive();
    const fail = (o: Omit<ProbeOutcome, 'probe' | 'transport' | 'port' | 'durationMs'>) => {
      session.reset();
      return outcome(o);
    };
    if ('failure' in ack) return fail(malformedReply(ack.failure, 'bind answer'));
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
    const first = ack.results[0];
    if (first?.result !== 0) {
      return fail({
        classification: 'bind-rejected',
        success: true,
        bindResults,
        reason: first ? `bind result ${first.result} reason ${first.reason}` : 'bind_ack without results',
      });
    }
    const call = async (opnum: number, stub: Uint8Array): Promise<CallResult> => {
      const id = ++callId;
      const done = (o: Omit<ProbeOutcome, 'probe' | 'transport' | 'port' | 'durationMs'>): CallResult =>
        outcome({ bindResults, ...o });
      try {
        await session.send(encodeRequest({ callId: id, contextId: 0, opnum, stub }));
        const chunks: Uint8Array[] = [];
        let stubBytes = 0;
        for (let fragment = 0; ; fragment++) {
          const p = await receive();
          if ('failure' in p) return done(malformedReply(p.failure, 'call answer'));
          if (p.header.callId !== id) return done(mismatch('call answer', p.header.callId, id));
          if (p.type === 'fault')
            return done({ classification: 'fault', success: true, faultStatus: p.status });
          if (p.type !== 'response') return done(unexpected('response', p));
          chunks.push(p.stub);
          stubBytes += p.stub.length;
          if (p.header.flags & PFC.LAST_FRAG) break;
          if (fragment + 1 >= MAX_RESPONSE_FRAGMENTS || stubBytes > MAX_RESPONSE_STUB) {
            return done({
              classification: 'malformed',
              success: false,
              reason: `response still not finished after ${fragment + 1} fragments / ${stubBytes} bytes`,
              error: { code: 'DCERPC_REASSEMBLY_LIMIT', message: 'too many response fragments' },
            });
          }
        }
        const all = new Uint8Array(stubBytes);
        let at = 0;
        for (const c of chunks) {
          all.set(c, at);
          at += c.length;
        }
        return { kind: 'response', stub: all, bindResults };
      } catch (e) {
        return { kind: 'outcome', outcome: { ...outcomeFromError(base(), e, true), bindResults } };
      }
    };
    // RST instead of FIN on close: no TIME_WAIT on our side, so churn does not exhaust local ports.
    return { kind: 'open', conversation: { bindResults, call, close: () => session.reset() } };
  } catch (e) {
    session.reset();
    return { kind: 'outcome', outcome: outcomeFromError(base(), e, true) };
  }
};

/** One bind + one request on a fresh connection, closed afterwards. Never throws for network/peer events. */
export const bindAndCall = async (ctx: ProbeContext, spec: CallSpec): Promise<CallResult> => {
  const open = await openConversation(ctx, spec.probe, spec.abstractSyntax);
  if (open.kind === 'outcome') return open;
  try {
    return await open.conversation.call(
      spec.opnum,
      typeof spec.stub === 'function' ? spec.stub() : spec.stub,
    );
  } finally {
    open.conversation.close();
  }
};

export interface SingleCallSpec<T> extends CallSpec {
  decode(stub: Uint8Array): Decoded<T>;
  /** What the decoded reply says: its HRESULT and, when it carries one, the server COMVERSION. */
  read(reply: T): { hresult: number; comVersion?: { major: number; minor: number } };
  /**
   * Names the call in the reason for an undecodable reply and records the reply's length there too
   * (the activation probes, whose stub length classify.ts checks); without it the reason is the
   * decoder's message alone.
   */
  callName?: string;
}

/**
 * The whole run of a probe that is one bind + one call answered by an HRESULT: network and peer
 * trouble come back from bindAndCall as outcomes, an undecodable stub is `malformed`, and a decoded
 * one is `hresult` with the stub length the decision table checks.
 */
export const runSingleCall = async <T>(ctx: ProbeContext, spec: SingleCallSpec<T>): Promise<ProbeOutcome> => {
  const t0 = ctx.now();
  const call = await bindAndCall(ctx, spec);
  if (call.kind === 'outcome') return call.outcome;
  const base = {
    probe: spec.probe,
    transport: 'tcp' as const,
    port: ctx.port,
    bindResults: call.bindResults,
  };
  const stubLength = call.stub.length;
  const d = spec.decode(call.stub);
  if (!d.ok) {
    if (spec.callName === undefined) {
      return { ...base, ...malformedReply(d.error), durationMs: ctx.now() - t0 };
    }
    const context = `${spec.callName} response (${stubLength} bytes)`;
    return { ...base, ...malformedReply(d.error, context), stubLength, durationMs: ctx.now() - t0 };
  }
  const { hresult, comVersion } = spec.read(d.value);
  return {
    ...base,
    classification: 'hresult',
    success: true,
    hresult: hresult >>> 0,
    stubLength,
    ...(comVersion ? { comVersion: { major: comVersion.major, minor: comVersion.minor } } : {}),
    durationMs: ctx.now() - t0,
  };
};
