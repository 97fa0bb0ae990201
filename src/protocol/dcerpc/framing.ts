/**
 * The seam between a TCP byte stream and PDUs (C706 §12.6.2 fragments).
 *
 * - PduFramer: push any chunking, get whole PDUs back (each a fresh copy), bounded by maxFragLength.
 * - CallReassembler: joins the stubs of multi-fragment requests/responses by call_id, bounded by total
 *   bytes, fragment count and open calls, so a hostile peer cannot make it allocate without limit.
 * - PduStream: both, plus decoding, for callers that just want PDUs and finished calls.
 * - pduFrameLength: the same header check for a caller that holds the buffer itself (net's
 *   TcpSession.receive framer, which the scanner's probes use).
 *
 * Errors are values (DecodeFailure); after one, a framer stops: the stream cannot be resynchronised.
 */
import { ByteReader } from '../../core/bytes.ts';
import { DecodeError, type DecodeFailure, RpcsweepError } from '../../core/errors.ts';
import { COMMON_HEADER_LENGTH, MAX_FRAG_LENGTH, PFC } from './constants.ts';
import { type PduHeader, readHeader } from './header.ts';
import { decodePdu } from './pdu/decode.ts';
import type { Pdu, RequestPdu, ResponsePdu } from './pdu/types.ts';

/**
 * The length of the PDU that starts `buffered`: its frag_length once the 16-byte header is in, 0
 * before. Throws DecodeError for bytes that cannot start a PDU (an HTTP or TLS banner, garbage: the
 * version byte is checked as soon as it arrives) or a frag_length outside 16..maxFragLength.
 */
export const pduFrameLength = (buffered: Uint8Array, maxFragLength = MAX_FRAG_LENGTH): number => {
  if (buffered.length === 0) return 0;
  if (buffered.length < COMMON_HEADER_LENGTH) {
    if (buffered[0] !== 5) {
      throw new DecodeError({
        code: 'DCERPC_BAD_VERSION',
        offset: 0,
        field: 'dcerpc.ver',
        message: `rpc_vers is ${buffered[0]}, not 5`,
      });
    }
    return 0;
  }
  return readHeader(new ByteReader(buffered), { maxFragLength, checkAuthLength: false }).fragLength;
};

export interface PduFramerOptions {
  /** Largest frag_length accepted. @default 65535, range 16..65535 */
  maxFragLength?: number;
  /**
   * Return PDUs that lie whole in one chunk as views of it instead of copies: for a caller that is
   * done with each PDU before it hands the framer its next chunk (the lab's sessions). @default false
   */
  views?: boolean;
}

export class PduFramer {
  readonly maxFragLength: number;
  readonly #views: boolean;
  /** Allocated on the first partial PDU: most connections never have one. */
  #buf: Uint8Array | undefined;
  /** Bytes of #buf in use (a partial PDU). */
  #len = 0;
  /** Stream offset of #buf[0]. */
  #base = 0;
  #failure: DecodeFailure | undefined;
  #failedHeader: Uint8Array | undefined;

  constructor(options: PduFramerOptions = {}) {
    const max = options.maxFragLength ?? MAX_FRAG_LENGTH;
    if (!Number.isInteger(max) || max < COMMON_HEADER_LENGTH || max > MAX_FRAG_LENGTH) {
      throw new RpcsweepError('INVALID_ARGUMENT', `maxFragLength ${max} is outside 16..65535`);
    }
    this.maxFragLength = max;
    this.#views = options.views === true;
  }

  /** The error that stopped the framer, if any. */
  get failure(): DecodeFailure | undefined {
    return this.#failure;
  }

  /**
   * The up to 16 header bytes the framer stopped at, kept so a server can still answer the peer
   * (e.g. a bind_nak echoing its call_id) after a bad version or frag_length.
   */
  get failedHeader(): Uint8Array | undefined {
    return this.#failedHeader;
  }

  /** Bytes held back waiting for the rest of a PDU. */
  get bufferedBytes(): number {
    return this.#len;
  }

  /** Stream offset of the next PDU (bytes consumed as whole PDUs so far). */
  get streamOffset(): number {
    return this.#base;
  }

  /**
   * Adds bytes; returns the PDUs they complete, in order. After a failure (see `failure`) returns [].
   * Each returned PDU is its own copy, safe to keep (unless `views` was asked for). Only the partial PDU at the end is buffered, so
   * memory stays below maxFragLength and byte-by-byte feeding costs O(n), not O(n²).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#failure) return out;
    let c = 0;
    // Finish a PDU started by earlier chunks.
    if (this.#len > 0) {
      if (this.#len < COMMON_HEADER_LENGTH) c += this.#append(chunk, c, COMMON_HEADER_LENGTH - this.#len);
      if (this.#len < COMMON_HEADER_LENGTH) return out;
      const buf = this.#buf!;
      const header = this.#header(buf, 0);
      if (!header) return out;
      c += this.#append(chunk, c, header.fragLength - this.#len);
      if (this.#len < header.fragLength) return out;
      out.push(this.#buf!.slice(0, header.fragLength));
      this.#base += header.fragLength;
      this.#len = 0;
    }
    // Whole PDUs straight from the chunk.
    while (chunk.length - c >= COMMON_HEADER_LENGTH) {
      const fragLength = this.#validFragLength(chunk, c) ?? this.#header(chunk, c)?.fragLength;
      if (fragLength === undefined) return out;
      if (chunk.length - c < fragLength) break;
      out.push(this.#views ? chunk.subarray(c, c + fragLength) : chunk.slice(c, c + fragLength));
      c += fragLength;
      this.#base += fragLength;
    }
    this.#append(chunk, c, chunk.length - c);
    return out;
  }

  /**
   * frag_length of the header at `at` when it passes readHeader's checks (version 5.0/5.1, drep
   * integer order 0 or 1, 16 ≤ frag_length ≤ max), read without building a header; else undefined,
   * and #header says why. The framer's hot path: most streams are nothing but valid headers.
   */
  #validFragLength(bytes: Uint8Array, at: number): number | undefined {
    const drep = bytes[at + 4]!;
    if (bytes[at] !== 5 || bytes[at + 1]! > 1 || drep >> 4 > 1) return undefined;
    const n = drep & 0x10 ? bytes[at + 8]! | (bytes[at + 9]! << 8) : (bytes[at + 8]! << 8) | bytes[at + 9]!;
    return n >= COMMON_HEADER_LENGTH && n <= this.maxFragLength ? n : undefined;
  }

  /** Parses the header at `at` of `bytes`, whose byte `at` is stream offset #base; records failures. */
  #header(bytes: Uint8Array, at: number): PduHeader | undefined {
    try {
      return readHeader(new ByteReader(bytes, { offset: at }), {
        maxFragLength: this.maxFragLength,
        checkAuthLength: false,
      });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // Report offsets in stream terms so a capture tool can point at the byte.
      this.#failure = { ...e.failure, offset: this.#base + (e.failure.offset - at) };
      this.#failedHeader = bytes.slice(at, at + COMMON_HEADER_LENGTH);
      this.#len = 0;
      return undefined;
    }
  }

  /** Appends up to `n` bytes of `chunk` from `from`; returns how many were taken. */
  #append(chunk: Uint8Array, from: number, n: number): number {
    const take = Math.max(0, Math.min(n, chunk.length - from));
    if (take === 0) return 0;
    const buf = this.#buf;
    let into = buf;
    if (!into || this.#len + take > into.length) {
      const size = Math.min(Math.max((buf?.length ?? 0) * 2, this.#len + take, 64), this.maxFragLength);
      into = new Uint8Array(size);
      if (buf) into.set(buf.subarray(0, this.#len));
      this.#buf = into;
    }
    into.set(chunk.subarray(from, from + take), this.#len);
    this.#len += take;
    return take;
  }

  /** Call at end of stream: a failure value when a partial PDU was left over, else undefined. */
  end(): DecodeFailure | undefined {
    if (this.#failure) return this.#failure;
    if (this.#len === 0) return undefined;
    return {
      code: 'DCERPC_TRUNCATED',
      offset: this.#base,
      field: this.#len < COMMON_HEADER_LENGTH ? 'dcerpc.cn_frag_len' : 'dcerpc.stub_data',
      message: `stream ended inside a PDU (${this.#len} byte(s) of it received)`,
    };
  }
}

export interface CallReassemblerOptions {
  /** Largest reassembled stub, bytes. @default 8 MiB (8_388_608), range ≥ 1 */
  maxCallBytes?: number;
  /** Most fragments in one call. @default 4096, range ≥ 1 */
  maxFragments?: number;
  /** Most calls being reassembled at once per direction. @default 16, range ≥ 1 */
  maxOpenCalls?: number;
}

/** A whole request or response stub joined from its fragments. */
export interface ReassembledCall {
  type: 'request' | 'response';
  callId: number;
  contextId: number;
  /** Requests only. */
  opnum?: number;
  /** Requests with OBJECT_UUID only. */
  object?: string;
  /** alloc_hint of the first fragment (advisory). */
  allocHint: number;
  /** Header of the first fragment. */
  firstHeader: PduHeader;
  fragments: number;
  stub: Uint8Array;
}

export type ReassemblyStep =
  | { readonly ok: true; readonly call?: ReassembledCall }
  | { readonly ok: false; readonly callId: number; readonly error: DecodeFailure };

interface OpenCall {
  first: RequestPdu | ResponsePdu;
  pieces: Uint8Array[];
  bytes: number;
}

export class CallReassembler {
  readonly maxCallBytes: number;
  readonly maxFragments: number;
  readonly maxOpenCalls: number;
  #open = new Map<string, OpenCall>();

  constructor(options: CallReassemblerOptions = {}) {
    this.maxCallBytes = positive(options.maxCallBytes ?? 8 * 1024 * 1024, 'maxCallBytes');
    this.maxFragments = positive(options.maxFragments ?? 4096, 'maxFragments');
    this.maxOpenCalls = positive(options.maxOpenCalls ?? 16, 'maxOpenCalls');
  }

  /** Calls still waiting for their LAST_FRAG. */
  get openCalls(): number {
    return this.#open.size;
  }

  /** Forgets a partial call (e.g. after a fault for that call_id). */
  discard(type: 'request' | 'response', callId: number): void {
    this.#open.delete(`${type}:${callId}`);
  }

  /**
   * The stub of a call as far as it goes when the connection closed inside fragment `cut` (decoded
   * with `cut: true`): the stubs of the call's earlier fragments, then what `cut` holds. Undefined when
   * `cut` continues a call this reassembler does not hold (its bytes alone start mid-stub).
   */
  stubSoFar(cut: {
    type: 'request' | 'response';
    header: PduHeader;
    stub: Uint8Array;
  }): Uint8Array | undefined {
    if (cut.header.flags & PFC.FIRST_FRAG) return cut.stub;
    const open = this.#open.get(`${cut.type}:${cut.header.callId}`);
    return open && joinStubs([...open.pieces, cut.stub], open.bytes + cut.stub.length);
  }

  /**
   * Adds one fragment. Returns the whole call when this fragment completes it, `{ok: true}` when more
   * are needed, or a failure (the partial call is dropped).
   */
  add(pdu: RequestPdu | ResponsePdu): ReassemblyStep {
    const callId = pdu.header.callId;
    const key = `${pdu.type}:${callId}`;
    const first = (pdu.header.flags & PFC.FIRST_FRAG) !== 0;
    const last = (pdu.header.flags & PFC.LAST_FRAG) !== 0;
    const fail = (code: DecodeFailure['code'], field: string, message: string): ReassemblyStep => {
      this.#open.delete(key);
      return { ok: false, callId, error: { code, offset: 0, field, message } };
    };
    let open = this.#open.get(key);
    if (first) {
      if (open)
        return fail('DCERPC_BAD_VALUE', 'dcerpc.cn_flags', `FIRST_FRAG again for open call_id ${callId}`);
      if (pdu.stub.length > this.maxCallBytes) {
        return fail('DCERPC_REASSEMBLY_LIMIT', 'dcerpc.stub_data', `stub exceeds ${this.maxCallBytes} bytes`);
      }
      if (last) return { ok: true, call: toCall(pdu, [pdu.stub], pdu.stub.length, 1) };
      if (this.#open.size >= this.maxOpenCalls) {
        return fail(
          'DCERPC_REASSEMBLY_LIMIT',
          'dcerpc.cn_call_id',
          `more than ${this.maxOpenCalls} open calls`,
        );
      }
      open = { first: pdu, pieces: [pdu.stub], bytes: pdu.stub.length };
      this.#open.set(key, open);
      return { ok: true };
    }
    if (!open) {
      return fail(
        'DCERPC_BAD_VALUE',
        'dcerpc.cn_flags',
        `fragment without FIRST_FRAG for unknown call_id ${callId}`,
      );
    }
    if (open.pieces.length + 1 > this.maxFragments) {
      return fail(
        'DCERPC_REASSEMBLY_LIMIT',
        'dcerpc.cn_flags',
        `call has more than ${this.maxFragments} fragments`,
      );
    }
    if (open.bytes + pdu.stub.length > this.maxCallBytes) {
      return fail(
        'DCERPC_REASSEMBLY_LIMIT',
        'dcerpc.stub_data',
        `reassembled stub would exceed ${this.maxCallBytes} bytes`,
      );
    }
    open.pieces.push(pdu.stub);
    open.bytes += pdu.stub.length;
    if (!last) return { ok: true };
    this.#open.delete(key);
    return { ok: true, call: toCall(open.first, open.pieces, open.bytes, open.pieces.length) };
  }
}

const joinStubs = (pieces: readonly Uint8Array[], bytes: number): Uint8Array => {
  const stub = new Uint8Array(bytes);
  let at = 0;
  for (const p of pieces) {
    stub.set(p, at);
    at += p.length;
  }
  return stub;
};

const toCall = (
  first: RequestPdu | ResponsePdu,
  pieces: Uint8Array[],
  bytes: number,
  fragments: number,
): ReassembledCall => {
  const stub = joinStubs(pieces, bytes);
  const call: ReassembledCall = {
    type: first.type,
    callId: first.header.callId,
    contextId: first.contextId,
    allocHint: first.allocHint,
    firstHeader: first.header,
    fragments,
    stub,
  };
  if (first.type === 'request') {
    call.opnum = first.opnum;
    if (first.object !== undefined) call.object = first.object;
  }
  return call;
};

const positive = (v: number, name: string): number => {
  if (!Number.isInteger(v) || v < 1)
    throw new RpcsweepError('INVALID_ARGUMENT', `${name} must be an integer ≥ 1`);
  return v;
};

export interface PduStreamOptions extends PduFramerOptions, CallReassemblerOptions {}

export interface PduStreamStep {
  /** Every PDU completed by this chunk, fragments included, in order. */
  pdus: Pdu[];
  /** Requests/responses whose last fragment arrived in this chunk. */
  calls: ReassembledCall[];
  /** Set when the stream broke (framing or decoding); later pushes return nothing. */
  error?: DecodeFailure;
}

/** Framer + decoder + reassembler for one direction of one connection. */
export class PduStream {
  readonly framer: PduFramer;
  readonly reassembler: CallReassembler;
  #failure: DecodeFailure | undefined;

  constructor(options: PduStreamOptions = {}) {
    this.framer = new PduFramer(options);
    this.reassembler = new CallReassembler(options);
  }

  get failure(): DecodeFailure | undefined {
    return this.#failure ?? this.framer.failure;
  }

  push(chunk: Uint8Array): PduStreamStep {
    const step: PduStreamStep = { pdus: [], calls: [] };
    if (this.#failure) return { ...step, error: this.#failure };
    const start = this.framer.streamOffset;
    let offset = start;
    for (const bytes of this.framer.push(chunk)) {
      const d = decodePdu(bytes);
      if (!d.ok) {
        this.#failure = { ...d.error, offset: offset + d.error.offset };
        return { ...step, error: this.#failure };
      }
      offset += bytes.length;
      const pdu = d.value;
      step.pdus.push(pdu);
      if (pdu.type === 'request' || pdu.type === 'response') {
        const r = this.reassembler.add(pdu);
        if (!r.ok) {
          this.#failure = r.error;
          return { ...step, error: r.error };
        }
        if (r.call) step.calls.push(r.call);
      } else if (pdu.type === 'fault') {
        // A fault ends the call: drop any partial response for it.
        this.reassembler.discard('response', pdu.header.callId);
      }
    }
    if (this.framer.failure) {
      this.#failure = this.framer.failure;
      step.error = this.#failure;
    }
    return step;
  }

  /** End of stream: the framer's leftover-bytes failure, if any. */
  end(): DecodeFailure | undefined {
    return this.#failure ?? this.framer.end();
  }
}
