/**
 * pcapng files (draft-ietf-opsawg-pcapng): Section Header, Interface Description, Enhanced Packet,
 * Simple Packet and the obsolete Packet block; several sections and interfaces, either byte order
 * (set per section by the byte-order magic). Other block types are skipped. Parsed block by block
 * by the streaming reader (frame-stream.ts).
 */
import type { FrameItem } from './frames.ts';
import { MAX_RECORD_LENGTH } from './pcap.ts';
import { problemItem, type RecordParser, type RecordStep } from './record-parser.ts';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const OBSOLETE_PACKET_BLOCK = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface InterfaceInfo {
  linkType: number;
  snapLength: number;
  /** Timestamp units: 10^-n when decimal, 2^-n when binary (if_tsresol). */
  resolution: { binary: boolean; exponent: number };
  offsetSeconds: bigint;
}

export const isPcapng = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;

const toNanoseconds = (units: bigint, iface: InterfaceInfo): bigint => {
  const { binary, exponent } = iface.resolution;
  const base = iface.offsetSeconds * 1_000_000_000n;
  if (binary) return base + (units * 1_000_000_000n) / (1n << BigInt(exponent));
  if (exponent <= 9) return base + units * 10n ** BigInt(9 - exponent);
  return base + units / 10n ** BigInt(exponent - 9);
};

/** A block's bytes: `body` and `bodyEnd` are absolute indexes into `bytes`. */
interface Block {
  bytes: Uint8Array;
  view: DataView;
  body: number;
  bodyEnd: number;
  fileOffset: number;
}

export class PcapngRecordParser implements RecordParser {
  #le = true;
  #interfaces: InterfaceInfo[] = [];
  #number = 0;
  #started = false;

  next(bytes: Uint8Array, at: number, fileOffset: number, final: boolean): RecordStep {
    const left = bytes.length - at;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bad = (message: string): RecordStep => ({
      stop: problemItem('CAPTURE_BAD_FORMAT', this.#number + 1, fileOffset, message),
    });
    const truncated = (message: string): RecordStep => ({
      stop: problemItem('CAPTURE_TRUNCATED', this.#number + 1, fileOffset, message),
    });
    if (!this.#started) {
      if (left < 4 && !final) return { need: 4 };
      if (!isPcapng(bytes.subarray(at))) return bad('not a pcapng file (no Section Header Block)');
      this.#started = true;
    }
    if (left < 12) {
      if (!final) return { need: 12 };
      return truncated(`block at offset ${fileOffset}: ${left} byte(s) left, a block needs 12`);
    }
    if (view.getUint32(at, true) === SHB) {
      if (view.getUint32(at + 8, true) === BYTE_ORDER_MAGIC) this.#le = true;
      else if (view.getUint32(at + 8, false) === BYTE_ORDER_MAGIC) this.#le = false;
      else return bad(`section header at offset ${fileOffset}: bad byte-order magic`);
      this.#interfaces = [];
    }
    const le = this.#le;
    const type = view.getUint32(at, le);
    const totalLength = view.getUint32(at + 4, le);
    if (totalLength < 12 || totalLength % 4 !== 0 || totalLength > MAX_RECORD_LENGTH + 64)
      return bad(`block at offset ${fileOffset}: invalid block length ${totalLength}`);
    if (left < totalLength) {
      if (!final) return { need: totalLength };
      return truncated(
        `block at offset ${fileOffset} (frame ${this.#number + 1}): declares ${totalLength} bytes, ${left} left`,
      );
    }
    if (view.getUint32(at + totalLength - 4, le) !== totalLength)
      return bad(`block at offset ${fileOffset}: trailing length does not match ${totalLength}`);
    const block: Block = { bytes, view, body: at + 8, bodyEnd: at + totalLength - 4, fileOffset };
    const message = type === SHB ? this.#section(block) : type === IDB ? this.#interface(block) : undefined;
    if (message) return bad(message);
    if (type !== EPB && type !== OBSOLETE_PACKET_BLOCK && type !== SPB) return { consumed: totalLength };
    const packet = this.#packet(type, block);
    return 'stop' in packet ? packet : { consumed: totalLength, item: packet };
  }

  #section({ view, body, bodyEnd, fileOffset }: Block): string | undefined {
    if (bodyEnd - body < 16) return `section header at offset ${fileOffset} is too short`;
    const major = view.getUint16(body + 4, this.#le);
    return major === 1 ? undefined : `section header at offset ${fileOffset}: version ${major} is not 1`;
  }

  #interface({ bytes, view, body, bodyEnd, fileOffset }: Block): string | undefined {
    const le = this.#le;
    if (bodyEnd - body < 8) return `interface description at offset ${fileOffset} is too short`;
    const iface: InterfaceInfo = {
      linkType: view.getUint16(body, le),
      snapLength: view.getUint32(body + 4, le),
      resolution: { binary: false, exponent: 6 },
      offsetSeconds: 0n,
    };
    // Options: code u16, length u16, value padded to 4.
    let o = body + 8;
    while (o + 4 <= bodyEnd) {
      const code = view.getUint16(o, le);
      const length = view.getUint16(o + 2, le);
      if (code === OPT_END || o + 4 + length > bodyEnd) break;
      if (code === OPT_IF_TSRESOL && length >= 1) {
        const v = bytes[o + 4]!;
        iface.resolution = { binary: (v & 0x80) !== 0, exponent: v & 0x7f };
      } else if (code === OPT_IF_TSOFFSET && length >= 8) {
        iface.offsetSeconds = view.getBigInt64(o + 4, le);
      }
      o += 4 + ((length + 3) & ~3);
    }
    this.#interfaces.push(iface);
    return undefined;
  }

  #packet(type: number, { bytes, view, body, bodyEnd, fileOffset }: Block): FrameItem | { stop: FrameItem } {
    const le = this.#le;
    const number = ++this.#number;
    const stop = (code: 'CAPTURE_BAD_FORMAT' | 'CAPTURE_TRUNCATED', message: string) => ({
      stop: problemItem(code, number, fileOffset, message),
    });
    let interfaceId = 0;
    let units = 0n;
    let capturedLength: number;
    let originalLength: number;
    let dataStart: number;
    if (type === SPB) {
      if (bodyEnd - body < 4)
        return stop('CAPTURE_BAD_FORMAT', `frame ${number}: simple packet block is too short`);
      originalLength = view.getUint32(body, le);
      dataStart = body + 4;
      const snap = this.#interfaces[0]?.snapLength || Number.MAX_SAFE_INTEGER;
      capturedLength = Math.min(originalLength, snap, bodyEnd - dataStart);
    } else {
      if (bodyEnd - body < 20)
        return stop('CAPTURE_BAD_FORMAT', `frame ${number}: packet block is too short`);
      interfaceId = type === EPB ? view.getUint32(body, le) : view.getUint16(body, le);
      units = (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
      capturedLength = view.getUint32(body + 12, le);
      originalLength = view.getUint32(body + 16, le);
      dataStart = body + 20;
      if (dataStart + capturedLength > bodyEnd)
        return stop(
          'CAPTURE_TRUNCATED',
          `frame ${number}: packet declares ${capturedLength} bytes but its block holds ${bodyEnd - dataStart}`,
        );
    }
    const iface = this.#interfaces[interfaceId];
    if (!iface)
      return stop('CAPTURE_BAD_FORMAT', `frame ${number}: interface ${interfaceId} was never described`);
    return {
      kind: 'frame',
      frame: {
        number,
        linkType: iface.linkType,
        timestampNs: toNanoseconds(units, iface),
        originalLength: Math.max(originalLength, capturedLength),
        data: bytes.subarray(dataStart, dataStart + capturedLength),
      },
    };
  }
}
