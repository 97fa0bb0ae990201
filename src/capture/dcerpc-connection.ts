/**
 * DCE/RPC over one TCP connection of a capture, on any port. Each direction is recognised on its own
 * (the first bytes must look like a connection-oriented header: version 5.0/5.1, a CO PTYPE, a sane
 * drep and frag_length), so SMB, HTTP and other streams are skipped. Binds and alter_contexts give
 * context id → interface; requests give call_id → opnum, so responses and faults name both; stubs of
 * multi-fragment calls are joined (the codec's CallReassembler) and handed to the body decoders.
 * After a TCP gap a direction hunts for the next plausible header instead of misreading bytes.
 */
import type { DecodeFailure } from '../core/errors.ts';
import {
  CallReassembler,
  type CallReassemblerOptions,
  decodePdu,
  NDR64_SYNTAX,
  type Pdu,
  PduFramer,
  type ReassembledCall,
} from '../protocol/dcerpc/index.ts';
import { type BodyDecoding, decodeBody } from './bodies.ts';
import { BoundedMap, MAX_TRACKED_CALLS } from './bounded-map.ts';
import { opnumName as opnumNameFor, syntaxName } from './known-interfaces.data.ts';
import type { InterfaceRecord, PduRecord, RecordError, StreamNote } from './pdu-record.ts';
import { baseRecord, describePduRecord } from './pdu-record-build.ts';
import type { Direction, StreamSink, TcpConnection } from './tcp-reassembly.ts';

/** Connection-oriented PTYPEs (C706 §12.6.4 + MS-RPCE auth3). */
const CO_PTYPES = new Set([0, 2, 3, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
const HEADER_LENGTH = 16;
/** How far past a gap a direction looks for the next header before giving up. */
const MAX_HUNT_BYTES = 256 * 1024;

/** Does a connection-oriented DCE/RPC header plausibly start at `at`? */
export const looksLikeDcerpcHeader = (b: Uint8Array, at = 0): boolean => {
  if (b.length - at < HEADER_LENGTH) return false;
  if (b[at] !== 5 || b[at + 1]! > 1 || !CO_PTYPES.has(b[at + 2]!)) return false;
  const drep0 = b[at + 4]!;
  if (drep0 !== 0x10 && drep0 !== 0x00) return false;
  if (b[at + 5]! > 1 || b[at + 6]! > 3) return false;
  const le = drep0 === 0x10;
  const u16 = (o: number) => (le ? b[at + o]! | (b[at + o + 1]! << 8) : (b[at + o]! << 8) | b[at + o + 1]!);
  const fragLength = u16(8);
  const authLength = u16(10);
  if (fragLength < HEADER_LENGTH) return false;
  return authLength === 0 || authLength + 24 <= fragLength;
};

export interface ConnectionCallbacks {
  pdu(record: PduRecord): void;
  note(note: StreamNote): void;
  /** Optional: the whole (reassembled, unsealed) stub of a call, beside the record that completes it. */
  stub?(record: PduRecord, stub: Uint8Array): void;
}

export interface DcerpcConnectionOptions extends CallReassemblerOptions {
  /**
   * Which calls are joined from their fragments, body-decoded and handed to `stub` (default: all).
   * A reader that needs only some calls' contents (triage: activation requests) skips the rest;
   * their records keep the header, interface and opnum.
   */
  wantsBody?(iface: InterfaceRecord, opnum: number, ptype: 'request' | 'response'): boolean;
}

interface ContextInfo {
  iface: InterfaceRecord;
  /** Negotiated transfer syntax UUID, once a bind_ack accepted the context. */
  transferSyntax?: string;
}

interface CallInfo {
  opnum: number;
  contextId: number;
}

type Mode = 'detect' | 'framing' | 'hunting' | 'not-dcerpc' | 'stopped';

class DirectionDecoder {
  mode: Mode = 'detect';
  framer = new PduFramer();
  /** Bytes held while deciding whether this is DCE/RPC, or while hunting after a gap. */
  held: Uint8Array = new Uint8Array(0);
  /** Stream offset of framer offset 0 (moves when the framer restarts after a gap). */
  framerBase = 0;
  /** Stream offset of the next byte pushed. */
  streamOffset = 0;
  /** Highest frame number among bytes of the PDU being assembled. */
  carriedFrame = 0;
  huntedBytes = 0;
  reassembler: CallReassembler;
  constructor(
    readonly from: Direction,
    readonly options: CallReassemblerOptions,
  ) {
    this.reassembler = new CallReassembler(options);
  }
}

export class DcerpcConnection implements StreamSink {
  readonly #info: TcpConnection;
  readonly #callbacks: ConnectionCallbacks;
  readonly #timeOf: (frame: number) => string;
  readonly #directions: Record<Direction, DirectionDecoder>;
  readonly #contexts = new Map<number, ContextInfo>();
  /** Contexts of binds/alter_contexts waiting for their ack, by call_id (results follow their order). */
  readonly #pendingBinds = new Map<number, number[]>();
  readonly #calls = new BoundedMap<number, CallInfo>(MAX_TRACKED_CALLS);

  readonly #carrier: Pick<PduRecord, 'smb'>;
  readonly #wantsBody: DcerpcConnectionOptions['wantsBody'];

  constructor(
    info: TcpConnection,
    callbacks: ConnectionCallbacks,
    timeOf: (frame: number) => string,
    options: DcerpcConnectionOptions = {},
    /** Set when the PDUs travel in SMB reads/writes on a named pipe rather than directly over TCP. */
    carrier: Pick<PduRecord, 'smb'> = {},
  ) {
    this.#info = info;
    this.#carrier = carrier;
    this.#wantsBody = options.wantsBody;
    this.#callbacks = callbacks;
    this.#timeOf = timeOf;
    this.#directions = {
      client: new DirectionDecoder('client', options),
      server: new DirectionDecoder('server', options),
    };
  }

  /** True once either direction was recognised as DCE/RPC. */
  get isDcerpc(): boolean {
    const carries = (m: Mode) => m === 'framing' || m === 'hunting' || m === 'stopped';
    return carries(this.#directions.client.mode) || carries(this.#directions.server.mode);
  }

  /** A direction that is not DCE/RPC, or was given up after damage, needs no more bytes. */
  ignores(from: Direction): boolean {
    const mode = this.#directions[from].mode;
    return mode === 'not-dcerpc' || mode === 'stopped';
  }

  data(from: Direction, bytes: Uint8Array, frame: number): void {
    const d = this.#directions[from];
    switch (d.mode) {
      case 'not-dcerpc':
      case 'stopped':
        d.streamOffset += bytes.length;
        return;
      case 'detect': {
        const held = concat(d.held, bytes);
        if (held.length < HEADER_LENGTH) {
          d.held = held;
          d.carriedFrame = Math.max(d.carriedFrame, frame);
          return;
        }
        // In detect mode streamOffset stays at held[0] until the direction is classified.
        d.held = new Uint8Array(0);
        if (!looksLikeDcerpcHeader(held)) {
          d.mode = 'not-dcerpc';
          d.streamOffset += held.length;
          return;
        }
        d.mode = 'framing';
        d.framerBase = d.streamOffset;
        this.#frame(d, held, frame);
        return;
      }
      case 'hunting':
        this.#hunt(d, bytes, frame);
        return;
      case 'framing':
        this.#frame(d, bytes, frame);
        return;
    }
  }

  gap(from: Direction, lostBytes: number, frame: number): void {
    const d = this.#directions[from];
    const lostInside = d.mode === 'framing' && d.framer.bufferedBytes > 0;
    d.streamOffset += lostBytes;
    if (d.mode === 'detect') {
      // Not enough bytes seen to decide; what follows a gap is not a stream start.
      d.mode = 'not-dcerpc';
      return;
    }
    if (d.mode !== 'framing' && d.mode !== 'hunting') return;
    this.#note(
      from,
      frame,
      'CAPTURE_TRUNCATED',
      `${lostBytes} byte(s) missing from the capture${lostInside ? ', inside a PDU' : ''}; looking for the next PDU header`,
    );
    d.mode = 'hunting';
    // A call with a fragment lost in the gap must not be joined from the fragments around it.
    d.reassembler = new CallReassembler(d.options);
    d.held = new Uint8Array(0);
    d.huntedBytes = 0;
    d.carriedFrame = 0;
  }

  end(): void {
    for (const d of Object.values(this.#directions)) {
      if (d.mode === 'framing') {
        const failure = d.framer.end();
        if (failure)
          this.#note(
            d.from,
            d.carriedFrame,
            failure.code,
            `at stream offset ${d.framerBase + failure.offset}: ${failure.message}`,
          );
        if (d.reassembler.openCalls > 0)
          this.#note(
            d.from,
            d.carriedFrame,
            'DCERPC_TRUNCATED',
            `${d.reassembler.openCalls} fragmented call(s) never received their last fragment`,
          );
      }
    }
  }

  #hunt(d: DirectionDecoder, bytes: Uint8Array, frame: number): void {
    const held = concat(d.held, bytes);
    const heldStart = d.streamOffset - d.held.length;
    for (let i = 0; i + HEADER_LENGTH <= held.length; i++) {
      if (looksLikeDcerpcHeader(held, i)) {
        d.mode = 'framing';
        d.framer = new PduFramer();
        d.framerBase = heldStart + i;
        d.held = new Uint8Array(0);
        d.streamOffset = heldStart + i;
        d.carriedFrame = 0;
        this.#frame(d, held.subarray(i), frame);
        return;
      }
    }
    const keep = Math.min(held.length, HEADER_LENGTH - 1);
    d.held = held.slice(held.length - keep);
    d.streamOffset = heldStart + held.length;
    d.huntedBytes += bytes.length;
    if (d.huntedBytes > MAX_HUNT_BYTES) {
      d.mode = 'stopped';
      this.#note(
        d.from,
        frame,
        'DCERPC_BAD_VALUE',
        `no DCE/RPC header in ${d.huntedBytes} bytes after a gap; ignoring the rest of this direction`,
      );
    }
  }

  #frame(d: DirectionDecoder, bytes: Uint8Array, frame: number): void {
    const pdus = d.framer.push(bytes);
    // Where the first completed PDU starts: the framer's consumed total minus what it just returned.
    let offset = d.framerBase + d.framer.streamOffset - pdus.reduce((n, p) => n + p.length, 0);
    pdus.forEach((pduBytes, i) => {
      const completedBy = i === 0 ? Math.max(d.carriedFrame, frame) : frame;
      this.#pdu(d, pduBytes, completedBy, offset);
      offset += pduBytes.length;
    });
    d.streamOffset += bytes.length;
    d.carriedFrame =
      d.framer.bufferedBytes === 0 ? 0 : pdus.length > 0 ? frame : Math.max(d.carriedFrame, frame);
    const failure = d.framer.failure;
    if (failure) {
      d.mode = 'stopped';
      this.#note(
        d.from,
        frame,
        failure.code,
        `not a DCE/RPC header at stream offset ${d.framerBase + failure.offset} (${failure.message}); ignoring the rest of this direction`,
      );
    }
  }

  #pdu(d: DirectionDecoder, bytes: Uint8Array, frame: number, streamOffset: number): void {
    const endpoints = this.#endpoints(d.from);
    const record = baseRecord(bytes, {
      frame,
      time: this.#timeOf(frame),
      connection: this.#info.id,
      streamOffset,
      ...endpoints,
    });
    if (this.#carrier.smb) record.smb = this.#carrier.smb;
    const decoded = decodePdu(bytes);
    if (!decoded.ok) {
      record.error = toRecordError(decoded.error);
      this.#callbacks.pdu(record);
      return;
    }
    const pdu = decoded.value;
    describePduRecord(pdu, record);
    this.#track(pdu, record, d);
    this.#callbacks.pdu(record);
  }

  /** Connection state: contexts from binds, opnums from requests; fills interface/opnum/body. */
  #track(pdu: Pdu, record: PduRecord, d: DirectionDecoder): void {
    switch (pdu.type) {
      case 'bind':
      case 'alter_context': {
        for (const c of pdu.contexts) {
          const uuid = c.abstractSyntax.uuid;
          const name = syntaxName(uuid);
          this.#contexts.set(c.contextId, {
            iface: {
              ...(name ? { name } : {}),
              uuid,
              version: `${c.abstractSyntax.major}.${c.abstractSyntax.minor}`,
            },
          });
        }
        this.#pendingBinds.set(
          pdu.header.callId,
          pdu.contexts.map((c) => c.contextId),
        );
        return;
      }
      case 'bind_ack':
      case 'alter_context_resp': {
        const ids = this.#pendingBinds.get(pdu.header.callId);
        this.#pendingBinds.delete(pdu.header.callId);
        if (!ids) return;
        pdu.results.forEach((r, i) => {
          const ctx = ids[i] === undefined ? undefined : this.#contexts.get(ids[i]!);
          if (ctx && r.result === 0) ctx.transferSyntax = r.transferSyntax.uuid;
        });
        return;
      }
      case 'request':
      case 'response':
      case 'fault': {
        let call: CallInfo | undefined;
        if (pdu.type === 'request') {
          call = { opnum: pdu.opnum, contextId: pdu.contextId };
          this.#calls.set(pdu.header.callId, call);
        } else {
          call = this.#calls.get(pdu.header.callId);
        }
        const ctx = this.#contexts.get(
          pdu.type === 'request' ? pdu.contextId : (call?.contextId ?? pdu.contextId),
        );
        if (call) record.opnum = call.opnum;
        if (ctx) record.interface = ctx.iface;
        if (call && ctx) {
          const name = opnumNameFor(ctx.iface.name, call.opnum);
          if (name) record.opnum_name = name;
        }
        if (pdu.type === 'fault') {
          d.reassembler.discard('response', pdu.header.callId);
          return;
        }
        if (this.#wantsBody && !(ctx && call && this.#wantsBody(ctx.iface, call.opnum, pdu.type))) return;
        const step = d.reassembler.add(pdu);
        if (!step.ok) {
          record.body_error = toRecordError(step.error);
          return;
        }
        if (!step.call) return;
        if (step.call.fragments > 1)
          record.reassembled = { fragments: step.call.fragments, stub_length: step.call.stub.length };
        this.#body(step.call, pdu, record, ctx, call);
        return;
      }
      default:
        return;
    }
  }

  #body(
    call: ReassembledCall,
    pdu: Pdu,
    record: PduRecord,
    ctx: ContextInfo | undefined,
    info: CallInfo | undefined,
  ): void {
    if (!ctx || !info) return;
    if (pdu.auth && pdu.auth.authLevel >= 6) {
      record.body_note = 'stub sealed (auth level packet_privacy)';
      return;
    }
    if (ctx.transferSyntax === NDR64_SYNTAX.uuid) {
      record.body_note = 'NDR64 stub (not decoded)';
      return;
    }
    const result: BodyDecoding = decodeBody(
      ctx.iface,
      info.opnum,
      call.type,
      call.stub,
      call.firstHeader.littleEndian,
    );
    if (result.kind === 'decoded') record.body = result.body;
    else if (result.kind === 'failed') record.body_error = toRecordError(result.error);
    this.#callbacks.stub?.(record, call.stub);
  }

  #endpoints(from: Direction) {
    const { client, server } = this.#info;
    const [a, b] = from === 'client' ? [client, server] : [server, client];
    return { src: a.address, dst: b.address, sport: a.port, dport: b.port };
  }

  #note(from: Direction, frame: number, code: StreamNote['code'], message: string): void {
    this.#callbacks.note({ frame, connection: this.#info.id, ...this.#endpoints(from), code, message });
  }
}

const toRecordError = (f: DecodeFailure): RecordError => ({
  code: f.code,
  field: f.field,
  offset: f.offset,
  message: f.message,
});

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
