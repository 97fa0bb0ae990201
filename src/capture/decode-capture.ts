/**
 * The whole pipeline, pure: capture bytes → frames → TCP segments → reassembled streams → DCE/RPC
 * PDU records. Items come out in the order their completing frames appear. A corrupt capture ends
 * the sequence with one `problem` item, after every PDU decoded before it (and after flushing the
 * streams still open, so partial data is not silently lost).
 */
import {
  type ConnectionCallbacks,
  DcerpcConnection,
  type DcerpcConnectionOptions,
} from './dcerpc-connection.ts';
import type { CaptureFrame, CaptureProblem, FrameItem } from './frames.ts';
import { decodePacket, type PacketResult } from './packet.ts';
import type { PduRecord, StreamNote } from './pdu-record.ts';
import { readFrames } from './read-frames.ts';
import { looksLikeSmb, SmbConnection } from './smb-pipes.ts';
import {
  type Direction,
  type StreamSink,
  type TcpConnection,
  TcpReassembler,
  type TcpReassemblyOptions,
} from './tcp-reassembly.ts';

type ConnectionDecoder = StreamSink & { readonly isDcerpc: boolean };

/** Opens a connection's decoder once its first bytes are known; one per CaptureDecoder, shared by its connections. */
interface DecoderFactory {
  open(info: TcpConnection, smb: boolean): ConnectionDecoder;
  ended(decoder: ConnectionDecoder): void;
}

/**
 * Holds a connection's first bytes until it can tell NetBIOS-framed SMB (named pipes) from direct
 * DCE/RPC (or anything else, which the DCE/RPC decoder then ignores), and replays them to the choice.
 */
class RoutingSink implements StreamSink {
  #target: ConnectionDecoder | undefined;
  #held:
    | Array<
        | { from: Direction; bytes: Uint8Array; frame: number }
        | { from: Direction; lost: number; frame: number }
      >
    | undefined;
  #heldBytes = 0;
  constructor(
    readonly info: TcpConnection,
    readonly factory: DecoderFactory,
  ) {}

  data(from: Direction, bytes: Uint8Array, frame: number): void {
    if (this.#target) {
      this.#target.data(from, bytes, frame);
      return;
    }
    const held = (this.#held ??= []);
    held.push({ from, bytes, frame });
    this.#heldBytes += bytes.length;
    const first = held.filter((h) => 'bytes' in h && h.from === held[0]!.from);
    const start =
      first.length === 1 ? bytes : concatAll(first.map((h) => (h as { bytes: Uint8Array }).bytes));
    if (start.length >= 8 || (start.length >= 1 && start[0] === 0x81)) this.#decide(looksLikeSmb(start));
    else if (this.#heldBytes > 64) this.#decide(false);
  }

  ignores(from: Direction): boolean {
    return this.#target?.ignores?.(from) ?? false;
  }

  gap(from: Direction, lost: number, frame: number): void {
    if (this.#target) {
      this.#target.gap(from, lost, frame);
      return;
    }
    (this.#held ??= []).push({ from, lost, frame });
  }

  end(): void {
    // A connection that carried no payload (a SYN, a refused or silent port) needs no decoder at all.
    if (!this.#target && this.#held === undefined) return;
    if (!this.#target) this.#decide(false);
    this.#target!.end();
    this.factory.ended(this.#target!);
  }

  #decide(smb: boolean): void {
    const target = this.factory.open(this.info, smb);
    this.#target = target;
    for (const h of this.#held ?? []) {
      if ('bytes' in h) target.data(h.from, h.bytes, h.frame);
      else target.gap(h.from, h.lost, h.frame);
    }
    this.#held = undefined;
  }
}

const concatAll = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export type CaptureItem =
  | { readonly kind: 'pdu'; readonly record: PduRecord }
  | { readonly kind: 'note'; readonly note: StreamNote }
  | { readonly kind: 'problem'; readonly problem: CaptureProblem };

export interface CaptureSummary {
  frames: number;
  tcpSegments: number;
  connections: number;
  dcerpcConnections: number;
  pdus: number;
  /** PDUs whose own decoding failed (header fields kept). */
  malformedPdus: number;
  notes: number;
  /** Link types met that rpcsweep cannot read, with the first frame of each. */
  unsupportedLinkTypes: Array<{ linkType: number; firstFrame: number }>;
  problem?: CaptureProblem;
}

export interface DecodeCaptureOptions extends TcpReassemblyOptions, DcerpcConnectionOptions {
  /** Called with the whole stub of every reassembled request/response (triage measures, never keeps it). */
  onStub?: ConnectionCallbacks['stub'];
}

/** ISO 8601 with microseconds (Date only keeps milliseconds); out-of-range times as raw epoch seconds. */
export const isoTime = (ns: bigint): string => {
  const ms = ns / 1_000_000n;
  // Date covers ±8.64e15 ms; a corrupt timestamp beyond that is shown as epoch seconds instead of throwing.
  if (ms > 8_640_000_000_000_000n || ms < -8_640_000_000_000_000n) return `${ns / 1_000_000_000n}s`;
  const iso = new Date(Number(ms)).toISOString();
  const micros = (((ns / 1000n) % 1000n) + 1000n) % 1000n;
  return `${iso.slice(0, -1)}${micros.toString().padStart(3, '0')}Z`;
};

const NO_ITEMS: readonly CaptureItem[] = Object.freeze([]);

/**
 * Capture times of recent frames, for the records of PDUs they complete: a ring indexed by frame
 * number (no allocation per frame; the ISO text is made only for a frame that completes a PDU).
 * A PDU's completing frame is the current one or a recent one, far inside the ring.
 */
class FrameTimes {
  static readonly SIZE = 1 << 18;
  readonly #frames = new Float64Array(FrameTimes.SIZE).fill(-1);
  readonly #times = new BigInt64Array(FrameTimes.SIZE);

  set(frame: number, timeNs: bigint): void {
    const i = frame & (FrameTimes.SIZE - 1);
    this.#frames[i] = frame;
    this.#times[i] = timeNs;
  }

  isoTime(frame: number): string {
    const i = frame & (FrameTimes.SIZE - 1);
    return this.#frames[i] === frame ? isoTime(this.#times[i]!) : '';
  }
}

/**
 * Decodes frames pushed one at a time (`push`, then `finish`), or a whole source at once (`items`).
 * The source is a capture in memory or a stream of frame items (readFrameChunks, FrameStream).
 */
export class CaptureDecoder {
  readonly summary: CaptureSummary = {
    frames: 0,
    tcpSegments: 0,
    connections: 0,
    dcerpcConnections: 0,
    pdus: 0,
    malformedPdus: 0,
    notes: 0,
    unsupportedLinkTypes: [],
  };
  readonly #source: Uint8Array | Iterable<FrameItem>;
  #queue: CaptureItem[] = [];
  readonly #times = new FrameTimes();
  readonly #unsupported = new Set<number>();
  readonly #reassembler: TcpReassembler;
  #finished = false;

  constructor(source: Uint8Array | Iterable<FrameItem> = [], options: DecodeCaptureOptions = {}) {
    this.#source = source;
    const summary = this.summary;
    const timeOf = (frame: number) => this.#times.isoTime(frame);
    const callbacks: ConnectionCallbacks = {
      pdu: (record: PduRecord) => {
        summary.pdus++;
        if (record.error) summary.malformedPdus++;
        this.#queue.push({ kind: 'pdu', record });
      },
      note: (note: StreamNote) => {
        summary.notes++;
        this.#queue.push({ kind: 'note', note });
      },
      ...(options.onStub ? { stub: options.onStub } : {}),
    };
    const factory: DecoderFactory = {
      open: (info, smb) =>
        smb
          ? new SmbConnection(info, callbacks, timeOf, options)
          : new DcerpcConnection(info, callbacks, timeOf, options),
      ended: (c) => {
        if (c.isDcerpc) summary.dcerpcConnections++;
      },
    };
    this.#reassembler = new TcpReassembler((info) => {
      summary.connections++;
      return new RoutingSink(info, factory);
    }, options);
  }

  /** Iterate once over the source given to the constructor. */
  *items(): Generator<CaptureItem> {
    const source = this.#source instanceof Uint8Array ? readFrames(this.#source) : this.#source;
    for (const item of source) {
      yield* this.push(item);
      if (this.#finished) return;
    }
    yield* this.finish();
  }

  /** The items completed by one frame (or, for a problem, everything left and then the problem). */
  *push(item: FrameItem): Generator<CaptureItem> {
    if (this.#finished) return;
    if (item.kind === 'problem') {
      this.summary.problem = item.problem;
      yield* this.finish();
      yield item;
      return;
    }
    const frame = item.frame;
    this.summary.frames++;
    const packet = decodePacket(frame.linkType, frame.data, frame.originalLength);
    yield* this.pushPacket(frame, packet);
  }

  /** As push, for a frame its caller already decoded (triage decodes every packet once). */
  *pushPacket(frame: CaptureFrame, packet: PacketResult): Generator<CaptureItem> {
    yield* this.takePacket(frame, packet);
  }

  /**
   * As pushPacket, returning the items completed by this frame as an array (often the shared empty
   * one): no generator per packet on the hot path. The array is the caller's until the next call.
   */
  takePacket(frame: CaptureFrame, packet: PacketResult): readonly CaptureItem[] {
    if (packet.kind === 'unsupported-link') {
      if (!this.#unsupported.has(packet.linkType)) {
        this.#unsupported.add(packet.linkType);
        this.summary.unsupportedLinkTypes.push({ linkType: packet.linkType, firstFrame: frame.number });
      }
      return NO_ITEMS;
    }
    if (packet.kind !== 'tcp') return NO_ITEMS;
    this.summary.tcpSegments++;
    this.#times.set(frame.number, frame.timestampNs);
    this.#reassembler.push(packet.segment, frame.number);
    if (this.#queue.length === 0) return NO_ITEMS;
    const items = this.#queue;
    this.#queue = [];
    return items;
  }

  /** The capture ended: flush the streams still open. */
  *finish(): Generator<CaptureItem> {
    if (this.#finished) return;
    this.#finished = true;
    this.#reassembler.finish();
    const items = this.#queue;
    this.#queue = [];
    yield* items;
  }
}

/** Convenience: every item at once (tests, small captures). */
export const decodeCapture = (
  bytes: Uint8Array,
  options: DecodeCaptureOptions = {},
): { pdus: PduRecord[]; notes: StreamNote[]; summary: CaptureSummary } => {
  const decoder = new CaptureDecoder(bytes, options);
  const pdus: PduRecord[] = [];
  const notes: StreamNote[] = [];
  for (const item of decoder.items()) {
    if (item.kind === 'pdu') pdus.push(item.record);
    else if (item.kind === 'note') notes.push(item.note);
  }
  return { pdus, notes, summary: decoder.summary };
};
