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
  TcpReassembler,
  type TcpReassemblyOptions,
} from './tcp-reassembly.ts';

type ConnectionDecoder = StreamSink & { readonly isDcerpc: boolean };

/**
 * Holds a connection's first bytes until it can tell NetBIOS-framed SMB (named pipes) from direct
 * DCE/RPC (or anything else, which the DCE/RPC decoder then ignores), and replays them to the choice.
 */
class RoutingSink implements StreamSink {
  #target: ConnectionDecoder | undefined;
  #held: Array<
    { from: Direction; bytes: Uint8Array; frame: number } | { from: Direction; lost: number; frame: number }
  > = [];
  #heldBytes = 0;
  constructor(
    readonly choose: (smb: boolean) => ConnectionDecoder,
    readonly ended: (decoder: ConnectionDecoder) => void,
  ) {}

  data(from: Direction, bytes: Uint8Array, frame: number): void {
    if (this.#target) {
      this.#target.data(from, bytes, frame);
      return;
    }
    this.#held.push({ from, bytes, frame });
    this.#heldBytes += bytes.length;
    const first = this.#held.filter((h) => 'bytes' in h && h.from === this.#held[0]!.from);
    const start =
      first.length === 1 ? bytes : concatAll(first.map((h) => (h as { bytes: Uint8Array }).bytes));
    if (start.length >= 8 || (start.length >= 1 && start[0] === 0x81)) this.#decide(looksLikeSmb(start));
    else if (this.#heldBytes > 64) this.#decide(false);
  }

  gap(from: Direction, lost: number, frame: number): void {
    if (this.#target) {
      this.#target.gap(from, lost, frame);
      return;
    }
    this.#held.push({ from, lost, frame });
  }

  end(): void {
    if (!this.#target) this.#decide(false);
    this.#target!.end();
    this.ended(this.#target!);
  }

  #decide(smb: boolean): void {
    const target = this.choose(smb);
    this.#target = target;
    for (const h of this.#held) {
      if ('bytes' in h) target.data(h.from, h.bytes, h.frame);
      else target.gap(h.from, h.lost, h.frame);
    }
    this.#held = [];
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
  readonly #queue: CaptureItem[] = [];
  readonly #times = new Map<number, string>();
  readonly #unsupported = new Set<number>();
  readonly #reassembler: TcpReassembler;
  #finished = false;

  constructor(source: Uint8Array | Iterable<FrameItem> = [], options: DecodeCaptureOptions = {}) {
    this.#source = source;
    const summary = this.summary;
    const queue = this.#queue;
    const timeOf = (frame: number) => this.#times.get(frame) ?? '';
    this.#reassembler = new TcpReassembler((info) => {
      summary.connections++;
      const callbacks: ConnectionCallbacks = {
        pdu: (record: PduRecord) => {
          summary.pdus++;
          if (record.error) summary.malformedPdus++;
          queue.push({ kind: 'pdu', record });
        },
        note: (note: StreamNote) => {
          summary.notes++;
          queue.push({ kind: 'note', note });
        },
        ...(options.onStub ? { stub: options.onStub } : {}),
      };
      return new RoutingSink(
        (smb) =>
          smb
            ? new SmbConnection(info, callbacks, timeOf, options)
            : new DcerpcConnection(info, callbacks, timeOf, options),
        (c) => {
          if (c.isDcerpc) summary.dcerpcConnections++;
        },
      );
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
    if (packet.kind === 'unsupported-link') {
      if (!this.#unsupported.has(packet.linkType)) {
        this.#unsupported.add(packet.linkType);
        this.summary.unsupportedLinkTypes.push({ linkType: packet.linkType, firstFrame: frame.number });
      }
      return;
    }
    if (packet.kind !== 'tcp') return;
    this.summary.tcpSegments++;
    const times = this.#times;
    times.set(frame.number, isoTime(frame.timestampNs));
    this.#reassembler.push(packet.segment, frame.number);
    if (this.#queue.length) yield* this.#queue.splice(0);
    // Keep the time map small: only frames that may still complete a PDU need their time.
    if (times.size > 200_000) {
      for (const k of [...times.keys()].slice(0, 100_000)) times.delete(k);
    }
  }

  /** The capture ended: flush the streams still open. */
  *finish(): Generator<CaptureItem> {
    if (this.#finished) return;
    this.#finished = true;
    this.#reassembler.finish();
    yield* this.#queue.splice(0);
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
