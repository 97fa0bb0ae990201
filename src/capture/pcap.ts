/**
 * Classic libpcap files (tcpdump.org "pcap" file format, draft-ietf-opsawg-pcap): either byte order,
 * microsecond (magic a1b2c3d4) or nanosecond (a1b23c4d) timestamps. Parsed one record at a time by
 * the streaming reader (frame-stream.ts), so a file of any size needs memory for one record only.
 */
import type { FrameItem } from './frames.ts';
import { problemItem, type RecordParser, type RecordStep } from './record-parser.ts';

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** Larger records are corrupt, not real (libpcap's own bound is 256 KiB; jumbo/TSO captures stay below this). */
export const MAX_RECORD_LENGTH = 16 * 1024 * 1024;

/** Byte order and timestamp unit from the magic number, or undefined when this is not pcap. */
export const pcapMagic = (bytes: Uint8Array): { littleEndian: boolean; nanos: boolean } | undefined => {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const m = view.getUint32(0, littleEndian);
    if (m === MAGIC_MICRO) return { littleEndian, nanos: false };
    if (m === MAGIC_NANO) return { littleEndian, nanos: true };
  }
  return undefined;
};

/** One pcap file, record by record: the file header first, then a 16-byte header + data per frame. */
export class PcapRecordParser implements RecordParser {
  #header: { le: boolean; unitNs: number; linkType: number } | undefined;
  /** The last record's seconds field and its value in ns: most records share their second with the one before. */
  #second = -1;
  #secondNs = 0n;
  #number = 0;
  /** The view over the last chunk seen: one per chunk, not one per record. */
  #bytes: Uint8Array | undefined;
  #view: DataView | undefined;

  next(bytes: Uint8Array, at: number, fileOffset: number, final: boolean): RecordStep {
    const left = bytes.length - at;
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.#view!;
    if (!this.#header) {
      const magic = pcapMagic(bytes.subarray(at));
      if (!magic) {
        if (left < 4 && !final) return { need: 4 };
        return {
          stop: problemItem('CAPTURE_BAD_FORMAT', 1, fileOffset, 'not a pcap file (unknown magic number)'),
        };
      }
      if (left < FILE_HEADER_LENGTH) {
        if (!final) return { need: FILE_HEADER_LENGTH };
        const message = `pcap file header needs 24 bytes, file has ${left}`;
        return { stop: problemItem('CAPTURE_BAD_FORMAT', 1, fileOffset, message) };
      }
      const le = magic.littleEndian;
      const versionMajor = view.getUint16(at + 4, le);
      if (versionMajor !== 2) {
        const message = `pcap version ${versionMajor} is not 2`;
        return { stop: problemItem('CAPTURE_BAD_FORMAT', 1, fileOffset + 4, message) };
      }
      // The upper bits of the link-type word can carry an FCS length (pcap draft §4); the type is the low 16.
      const linkType = view.getUint32(at + 20, le) & 0xffff;
      this.#header = { le, unitNs: magic.nanos ? 1 : 1000, linkType };
      return { consumed: FILE_HEADER_LENGTH };
    }
    return this.#record(bytes, view, at, fileOffset, final);
  }

  #secondsNs(seconds: number): bigint {
    if (seconds !== this.#second) {
      this.#second = seconds;
      this.#secondNs = BigInt(seconds) * 1_000_000_000n;
    }
    return this.#secondNs;
  }

  #record(bytes: Uint8Array, view: DataView, at: number, fileOffset: number, final: boolean): RecordStep {
    const { le, unitNs, linkType } = this.#header!;
    const left = bytes.length - at;
    const number = this.#number + 1;
    if (left < RECORD_HEADER_LENGTH) {
      if (!final) return { need: RECORD_HEADER_LENGTH };
      const message = `frame ${number}: record header needs 16 bytes, ${left} left`;
      return { stop: problemItem('CAPTURE_TRUNCATED', number, fileOffset, message) };
    }
    const capturedLength = view.getUint32(at + 8, le);
    if (capturedLength > MAX_RECORD_LENGTH) {
      const message = `frame ${number}: captured length ${capturedLength} exceeds ${MAX_RECORD_LENGTH} (corrupt record header)`;
      return { stop: problemItem('CAPTURE_BAD_FORMAT', number, fileOffset, message) };
    }
    const total = RECORD_HEADER_LENGTH + capturedLength;
    if (left < total) {
      if (!final) return { need: total };
      const message = `frame ${number}: record declares ${capturedLength} bytes, ${left - RECORD_HEADER_LENGTH} left`;
      return { stop: problemItem('CAPTURE_TRUNCATED', number, fileOffset, message) };
    }
    this.#number = number;
    const seconds = view.getUint32(at, le);
    const fraction = view.getUint32(at + 4, le);
    const originalLength = view.getUint32(at + 12, le);
    const start = at + RECORD_HEADER_LENGTH;
    const item: FrameItem = {
      kind: 'frame',
      frame: {
        number,
        linkType,
        // fraction × unit < 2^32 × 1000, exact as a number: two bigints per record instead of five.
        timestampNs: this.#secondsNs(seconds) + BigInt(fraction * unitNs),
        originalLength: Math.max(originalLength, capturedLength),
        data: bytes.subarray(start, start + capturedLength),
      },
    };
    return { consumed: total, item };
  }
}
