/**
 * One bind + one request on a fresh TCP connection, as every 2003-era detector did (detection.md §4):
 * the shared conversation of the activation probes. Each answer is checked the way nmap's msrpc.lua
 * checks a bind_ack (PDU type, echoed call_id, result list), and anything unexpected becomes a
 * classification with a reason instead of an exception.
 */
import { DecodeError } from '../core/errors.ts';
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
import { outcomeFromError } from './outcome.ts';
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
  stub: Uint8Array;
}

/** What the conversation produced, before the probe interprets the stub. */
export type CallResult =
  | { kind: 'response'; stub: Uint8Array; bindResults: Array<[number, number]> }
  | { kind: 'outcome'; outcome: ProbeOutcome };

const describe = (p: Pdu): string => p.type;

/** Runs bind + request; never throws for what the network or the peer does. */
export const bindAndCall = async (ctx: ProbeContext, spec: CallSpec): Promise<CallResult> => {
  const t0 = ctx.now();
  const base = () => ({
    probe: spec.probe,
    transport: 'tcp' as const,
    port: ctx.port,
    durationMs: ctx.now() - t0,
  });
  const finish = (o: Omit<ProbeOutcome, 'probe' | 'transport' | 'port' | 'durationMs'>): CallResult => ({
    kind: 'outcome',
    outcome: { ...base(), ...o },
  });
  let session: TcpSession;
  try {
    session = await ctx.openTcp();
  } catch (e) {
    return { kind: 'outcome', outcome: outcomeFromError(base(), e, false) };
  }
  const receive = async (): Promise<Pdu | { bad: string; code: string }> => {
    const bytes = await session.receive(dcerpcFramer, { timeoutMs: ctx.timeoutMs });
    const d = decodePdu(bytes);
    if (!d.ok)
      return { bad: `${d.error.message} (${d.error.field} at offset ${d.error.offset})`, code: d.error.code };
    return d.value;
  };
  try {
    const bindCallId = (ctx.randomU32() % 0x7fffffff) + 1;
    await session.send(
      encodeBind({
        callId: bindCallId,
        maxXmitFrag: MAX_FRAG,
        maxRecvFrag: MAX_FRAG,
        contexts: [{ contextId: 0, abstractSyntax: spec.abstractSyntax, transferSyntaxes: [NDR32_SYNTAX] }],
      }),
    );
    const ack = await receive();
    if ('bad' in ack) {
      return finish({
        classification: 'malformed',
        success: false,
        reason: `bind answer: ${ack.bad}`,
        error: { code: ack.code, message: ack.bad },
      });
    }
    if (ack.header.callId !== bindCallId) {
      return finish({
        classification: 'malformed',
        success: false,
        reason: `bind answer carries call_id ${ack.header.callId}, not ${bindCallId}`,
        error: { code: 'PROBE_UNEXPECTED_REPLY', message: 'call_id mismatch' },
      });
    }
    if (ack.type === 'bind_nak') {
      return finish({
        classification: 'bind-rejected',
        success: true,
        bindNakReason: ack.rejectReason,
        reason: `bind_nak reason ${ack.rejectReason}`,
      });
    }
    if (ack.type === 'fault') {
      return finish({
        classification: 'fault',
        success: true,
        faultStatus: ack.status,
        reason: 'fault in answer to the bind',
      });
    }
    if (ack.type !== 'bind_ack') {
      return finish({
        classification: 'malformed',
        success: false,
        reason: `expected bind_ack, got ${describe(ack)}`,
        error: { code: 'PROBE_UNEXPECTED_REPLY', message: `expected bind_ack, got ${describe(ack)}` },
      });
    }
    const bindResults = ack.results.map((r): [number, number] => [r.result, r.reason]);
    const first = ack.results[0];
    if (!first || first.result !== 0) {
      return finish({
        classification: 'bind-rejected',
        success: true,
        bindResults,
        reason: first ? `bind result ${first.result} reason ${first.reason}` : 'bind_ack without results',
      });
    }
    const callId = bindCallId + 1;
    await session.send(encodeRequest({ callId, contextId: 0, opnum: spec.opnum, stub: spec.stub }));
    const chunks: Uint8Array[] = [];
    let stubBytes = 0;
    for (let fragment = 0; ; fragment++) {
      const p = await receive();
      if ('bad' in p) {
        return finish({
          classification: 'malformed',
          success: false,
          bindResults,
          reason: `call answer: ${p.bad}`,
          error: { code: p.code, message: p.bad },
        });
      }
      if (p.header.callId !== callId) {
        return finish({
          classification: 'malformed',
          success: false,
          bindResults,
          reason: `call answer carries call_id ${p.header.callId}, not ${callId}`,
          error: { code: 'PROBE_UNEXPECTED_REPLY', message: 'call_id mismatch' },
        });
      }
      if (p.type === 'fault') {
        return finish({ classification: 'fault', success: true, bindResults, faultStatus: p.status });
      }
      if (p.type !== 'response') {
        return finish({
          classification: 'malformed',
          success: false,
          bindResults,
          reason: `expected response, got ${describe(p)}`,
          error: { code: 'PROBE_UNEXPECTED_REPLY', message: `expected response, got ${describe(p)}` },
        });
      }
      chunks.push(p.stub);
      stubBytes += p.stub.length;
      if (p.header.flags & PFC.LAST_FRAG) break;
      if (fragment + 1 >= MAX_RESPONSE_FRAGMENTS || stubBytes > MAX_RESPONSE_STUB) {
        return finish({
          classification: 'malformed',
          success: false,
          bindResults,
          reason: `response still not finished after ${fragment + 1} fragments / ${stubBytes} bytes`,
          error: { code: 'DCERPC_REASSEMBLY_LIMIT', message: 'too many response fragments' },
        });
      }
    }
    const stub = new Uint8Array(stubBytes);
    let at = 0;
    for (const c of chunks) {
      stub.set(c, at);
      at += c.length;
    }
    return { kind: 'response', stub, bindResults };
  } catch (e) {
    return { kind: 'outcome', outcome: outcomeFromError(base(), e, true) };
  } finally {
    // RST instead of FIN: no TIME_WAIT on our side, so churn does not exhaust local ports.
    session.reset();
  }
};
