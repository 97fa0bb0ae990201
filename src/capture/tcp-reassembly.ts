/**
 * Per-connection, per-direction in-order TCP reassembly for offline captures.
 *
 * - Retransmissions and overlaps: the first copy of a byte wins (later copies are trimmed away).
 * - Out-of-order segments wait (bounded) until the gap before them is filled.
 * - A capture that starts after the handshake starts each direction at its first seen segment.
 * - A gap that never fills (lost in capture, snap length cut, buffer bound hit) is reported to the
 *   sink as `gap`, so a framer can resynchronise instead of misreading bytes.
 * Every delivered chunk carries the number of the frame that carried it, so consumers can say which
 * frame completed a PDU. Memory per direction is bounded by `maxOutOfOrderBytes`; the connection table
 * is bounded by `maxConnections` (the connection idle the longest is flushed and dropped first).
 */
import { BoundedMap } from './bounded-map.ts';
import { TCP_FLAG, type TcpSegment } from './packet.ts';

export type Direction = 'client' | 'server';

export interface TcpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface TcpConnection {
  /** 0-based, in order of first appearance (tshark's tcp.stream numbering for simple captures). */
  readonly id: number;
  readonly client: TcpEndpoint;
  readonly server: TcpEndpoint;
  /** True when the SYN was captured (client/server roles are then known, not guessed). */
  readonly sawHandshake: boolean;
  readonly firstFrame: number;
}

/** What a consumer of one connection receives, in order. */
export interface StreamSink {
  data(from: Direction, bytes: Uint8Array, frame: number): void;
  /** `lostBytes` bytes are missing before the next data from this direction. */
  gap(from: Direction, lostBytes: number, frame: number): void;
  /** The connection ended (FIN/RST from both sides, eviction, or the end of the capture). */
  end(): void;
  /**
   * Optional: true once the sink has judged a direction and wants none of its bytes any more (not
   * a protocol it decodes, or given up after damage). The reassembler then only follows that
   * direction's FIN/RST: no reassembly, no out-of-order buffering, no gaps reported.
   */
  ignores?(from: Direction): boolean;
}

export interface TcpReassemblyOptions {
  /**
   * Bytes that may wait out of order per direction before the gap is declared lost.
   * @default 4 MiB (4_194_304); range 64 KiB .. 1 GiB
   */
  maxOutOfOrderBytes?: number;
  /**
   * Connections tracked at once; beyond this the one idle the longest (no segment for the longest
   * time) is flushed and dropped.
   * @default 65_536; range 1 .. 10_000_000
   */
  maxConnections?: number;
}

/** Signed distance a - b in 32-bit sequence space. */
const seqDiff = (a: number, b: number): number => (a - b) | 0;

interface PendingSegment {
  seq: number;
  bytes: Uint8Array;
  wireLength: number;
  frame: number;
}

/** Shared by every direction with nothing waiting (most of them): never written to. */
const NO_PENDING: PendingSegment[] = [];

class DirectionState {
  nextSeq: number | undefined;
  pending: PendingSegment[] = NO_PENDING;
  pendingBytes = 0;
  finished = false;
  /** The sink wants nothing more from this direction (StreamSink.ignores). */
  ignored = false;

  constructor(
    readonly from: Direction,
    readonly sink: StreamSink,
    readonly maxOutOfOrderBytes: number,
  ) {}

  segment(seg: TcpSegment, frame: number): void {
    let seq = seg.seq;
    if (seg.flags & TCP_FLAG.SYN) {
      seq = (seq + 1) >>> 0;
      if (this.nextSeq === undefined) this.nextSeq = seq;
    }
    if (seg.flags & (TCP_FLAG.FIN | TCP_FLAG.RST)) this.finished = true;
    if (seg.wireLength === 0 || this.ignored) return;
    if (this.nextSeq === undefined) this.nextSeq = seq;
    this.#accept({ seq, bytes: seg.payload, wireLength: seg.wireLength, frame });
    this.#drain(frame);
    if (this.pendingBytes > this.maxOutOfOrderBytes) this.flush(frame);
    if (this.sink.ignores?.(this.from)) {
      this.ignored = true;
      this.pending = NO_PENDING;
      this.pendingBytes = 0;
    }
  }

  #accept(p: PendingSegment): void {
    const rel = seqDiff(p.seq, this.nextSeq!);
    if (rel > 0) {
      this.#store(p);
      return;
    }
    const skip = -rel;
    if (skip >= p.wireLength) return; // a pure retransmission
    const captured = p.bytes.subarray(Math.min(skip, p.bytes.length));
    const wireLength = p.wireLength - skip;
    if (captured.length > 0) this.sink.data(this.from, captured, p.frame);
    if (captured.length < wireLength) this.sink.gap(this.from, wireLength - captured.length, p.frame);
    this.nextSeq = (this.nextSeq! + wireLength) >>> 0;
  }

  #store(p: PendingSegment): void {
    if (this.pending === NO_PENDING) this.pending = [];
    let i = this.pending.length;
    while (i > 0 && seqDiff(this.pending[i - 1]!.seq, p.seq) > 0) i--;
    // A copy: a view would keep the whole chunk it came in (a pipe read, 256 KiB of a file) alive.
    this.pending.splice(i, 0, { ...p, bytes: p.bytes.slice() });
    this.pendingBytes += p.bytes.length;
  }

  #drain(_frame: number): void {
    while (this.pending.length > 0 && seqDiff(this.pending[0]!.seq, this.nextSeq!) <= 0) {
      const p = this.pending.shift()!;
      this.pendingBytes -= p.bytes.length;
      this.#accept(p);
    }
  }

  /** Gives up on missing bytes: reports each gap and delivers everything still waiting. */
  flush(frame: number): void {
    while (this.pending.length > 0) {
      const first = this.pending[0]!;
      const lost = seqDiff(first.seq, this.nextSeq!);
      if (lost > 0) {
        this.sink.gap(this.from, lost, Math.max(frame, first.frame));
        this.nextSeq = first.seq;
      }
      this.#drain(frame);
    }
  }
}

class ConnectionState {
  readonly client: DirectionState;
  /** Made on the server's first segment: a SYN that is never answered needs none. */
  #server: DirectionState | undefined;
  lastFrame: number;
  constructor(
    readonly info: TcpConnection,
    readonly sink: StreamSink,
    readonly maxOutOfOrderBytes: number,
  ) {
    this.client = new DirectionState('client', sink, maxOutOfOrderBytes);
    this.lastFrame = info.firstFrame;
  }
  direction(from: Direction): DirectionState {
    if (from === 'client') return this.client;
    this.#server ??= new DirectionState('server', this.sink, this.maxOutOfOrderBytes);
    return this.#server;
  }
  get closed(): boolean {
    return this.client.finished && this.#server?.finished === true;
  }
  finish(): void {
    this.client.flush(this.lastFrame);
    this.#server?.flush(this.lastFrame);
    this.sink.end();
  }
}

/** The connection's key, the same from both directions (the decoder's flowKey when it set one). */
const keyOf = (seg: TcpSegment): string => {
  if (seg.flowKey !== undefined) return seg.flowKey;
  const forward = seg.src < seg.dst || (seg.src === seg.dst && seg.srcPort <= seg.dstPort);
  return forward
    ? `${seg.src}|${seg.srcPort}|${seg.dst}|${seg.dstPort}`
    : `${seg.dst}|${seg.dstPort}|${seg.src}|${seg.srcPort}`;
};

/** Routes TCP segments to per-connection sinks, opening a sink for each new connection. */
export class TcpReassembler {
  readonly #open: (connection: TcpConnection) => StreamSink;
  readonly #maxOutOfOrderBytes: number;
  /**
   * Keyed by keyOf: one entry per connection, found from either direction. Every segment makes its
   * connection young again, so a full table drops the connection idle the longest, not a live one.
   */
  readonly #connections: BoundedMap<string, ConnectionState>;
  #nextId = 0;

  constructor(open: (connection: TcpConnection) => StreamSink, options: TcpReassemblyOptions = {}) {
    this.#open = open;
    this.#maxOutOfOrderBytes = options.maxOutOfOrderBytes ?? 4 * 1024 * 1024;
    this.#connections = new BoundedMap(options.maxConnections ?? 65_536, (evicted) => evicted.finish());
  }

  push(seg: TcpSegment, frame: number): void {
    const key = keyOf(seg);
    let state = this.#connections.get(key);
    const isSyn = (seg.flags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN;
    // A new SYN on a 4-tuple whose old connection already ended is a new connection (port reuse).
    if (state && isSyn && (state.closed || state.client.nextSeq !== undefined)) {
      const isSameSyn =
        state.info.sawHandshake &&
        state.info.client.address === seg.src &&
        state.info.client.port === seg.srcPort &&
        seqDiff(state.client.nextSeq ?? 0, (seg.seq + 1) >>> 0) === 0;
      if (!isSameSyn) {
        this.#close(state, key);
        state = undefined;
      }
    }
    if (!state) state = this.#create(seg, key, frame);
    state.lastFrame = frame;
    const from: Direction =
      state.info.client.address === seg.src && state.info.client.port === seg.srcPort ? 'client' : 'server';
    state.direction(from).segment(seg, frame);
  }

  /** Flushes every connection still open (end of capture). */
  finish(): void {
    for (const [key, state] of this.#connections) this.#close(state, key);
  }

  #create(seg: TcpSegment, key: string, frame: number): ConnectionState {
    const syn = (seg.flags & TCP_FLAG.SYN) !== 0;
    const synAck = syn && (seg.flags & TCP_FLAG.ACK) !== 0;
    // Without a handshake, guess: the lower port is the server (135 and dynamic RPC ports are
    // below the clients' ephemeral ports); on a tie, the first sender is the client.
    const senderIsClient = syn ? !synAck : seg.srcPort > seg.dstPort || seg.srcPort === seg.dstPort;
    const sender = { address: seg.src, port: seg.srcPort };
    const receiver = { address: seg.dst, port: seg.dstPort };
    const info: TcpConnection = {
      id: this.#nextId++,
      client: senderIsClient ? sender : receiver,
      server: senderIsClient ? receiver : sender,
      sawHandshake: syn,
      firstFrame: frame,
    };
    const state = new ConnectionState(info, this.#open(info), this.#maxOutOfOrderBytes);
    this.#connections.set(key, state);
    return state;
  }

  #close(state: ConnectionState, key: string): void {
    if (this.#connections.peek(key) === state) this.#connections.delete(key);
    state.finish();
  }
}
