/**
 * The streaming capture reader: bytes arrive in chunks of any size (a file read piece by piece, a
 * `tcpdump -w -` pipe), frames come out as soon as their record is complete. It holds one partial
 * record at most, so memory does not grow with the file. A frame's `data` is a view into the chunk
 * that carried it (or into a copy when a record spans chunks); chunks must not be reused by the caller.
 */
import type { FrameItem } from './frames.ts';
import { PcapRecordParser, pcapMagic } from './pcap.ts';
import { isPcapng, PcapngRecordParser } from './pcapng.ts';
import { problemItem, type RecordParser } from './record-parser.ts';

export const captureFormat = (bytes: Uint8Array): 'pcap' | 'pcapng' | undefined =>
  isPcapng(bytes) ? 'pcapng' : pcapMagic(bytes) ? 'pcap' : undefined;

const EMPTY = new Uint8Array(0);

export class FrameStream {
  #parser: RecordParser | undefined;
  /** Bytes received but not yet parsed, oldest first; joined only once `#need` bytes are there. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  #need = 1;
  /** File offset of the first byte of `#parts`. */
  #offset = 0;
  #stopped = false;

  /** True once a problem was yielded: later bytes are ignored. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Frames completed by this chunk, in file order; a problem is always the last item ever. */
  *push(chunk: Uint8Array): Generator<FrameItem> {
    if (this.#stopped || chunk.length === 0) return;
    this.#parts.push(chunk);
    this.#partsLength += chunk.length;
    if (this.#partsLength >= this.#need) yield* this.#parse(false);
  }

  /** The input ended: whatever is left is a truncated record (or nothing). */
  *end(): Generator<FrameItem> {
    if (this.#stopped) return;
    if (this.#partsLength === 0 && this.#parser) return;
    yield* this.#parse(true);
    this.#stopped = true;
  }

  *#parse(final: boolean): Generator<FrameItem> {
    const bytes = this.#parts.length === 1 ? this.#parts[0]! : join(this.#parts, this.#partsLength);
    let at = 0;
    if (!this.#parser) {
      if (bytes.length < 4 && !final) {
        this.#keep(bytes, 0, 4);
        return;
      }
      const format = captureFormat(bytes);
      if (!format) {
        this.#stopped = true;
        yield problemItem('CAPTURE_BAD_FORMAT', 1, 0, 'not a pcap or pcapng file (unknown magic number)');
        return;
      }
      this.#parser = format === 'pcap' ? new PcapRecordParser() : new PcapngRecordParser();
    }
    for (;;) {
      if (at === bytes.length && !final) {
        this.#keep(bytes, at, 1);
        return;
      }
      const step = this.#parser.next(bytes, at, this.#offset + at, final);
      if ('stop' in step) {
        this.#stopped = true;
        this.#parts = [];
        yield step.stop;
        return;
      }
      if ('need' in step) {
        this.#keep(bytes, at, step.need);
        return;
      }
      at += step.consumed;
      if (step.item) yield step.item;
      if (final && at === bytes.length) return;
    }
  }

  /** Keeps `bytes[at..]` for the next push; a record's bytes are copied out of a joined buffer only once. */
  #keep(bytes: Uint8Array, at: number, need: number): void {
    const rest = at === bytes.length ? EMPTY : bytes.subarray(at);
    this.#offset += at;
    this.#parts = rest.length ? [rest] : [];
    this.#partsLength = rest.length;
    this.#need = Math.max(need, 1);
  }
}

const join = (parts: Uint8Array[], length: number): Uint8Array => {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Every frame of a whole capture in memory, then at most one problem (always last). */
export function* readFrames(bytes: Uint8Array): Generator<FrameItem> {
  const stream = new FrameStream();
  yield* stream.push(bytes);
  yield* stream.end();
}

/** Every frame of a capture read chunk by chunk (a file, a pipe), then at most one problem. */
export function* readFrameChunks(chunks: Iterable<Uint8Array>): Generator<FrameItem> {
  const stream = new FrameStream();
  for (const chunk of chunks) {
    yield* stream.push(chunk);
    if (stream.stopped) return;
  }
  yield* stream.end();
}
