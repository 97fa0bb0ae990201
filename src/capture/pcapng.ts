/**
 * pcapng files (draft-ietf-opsawg-pcapng): Section Header, Interface Description, Enhanced Packet,
 * Simple Packet and the obsolete Packet block; several sections and interfaces, either byte order
 * (set per section by the byte-order magic). Other block types are skipped.
 */
import type { CaptureProblem, FrameItem } from './frames.ts';
import { MAX_RECORD_LENGTH } from './pcap.ts';

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

export function* readPcapngFrames(bytes: Uint8Array): Generator<FrameItem> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  let interfaces: InterfaceInfo[] = [];
  let offset = 0;
  let number = 0;
  const problem = (code: CaptureProblem['code'], offsetAt: number, message: string): FrameItem => ({
    kind: 'problem',
    problem: { code, frame: number + 1, offset: offsetAt, message },
  });
  if (!isPcapng(bytes)) {
    yield problem('CAPTURE_BAD_FORMAT', 0, 'not a pcapng file (no Section Header Block)');
    return;
  }
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) {
      yield problem(
        'CAPTURE_TRUNCATED',
        offset,
        `block at offset ${offset}: ${bytes.length - offset} byte(s) left, a block needs 12`,
      );
      return;
    }
    const rawType = view.getUint32(offset, true);
    if (rawType === SHB) {
      const bom = view.getUint32(offset + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(offset + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else {
        yield problem(
          'CAPTURE_BAD_FORMAT',
          offset,
          `section header at offset ${offset}: bad byte-order magic`,
        );
        return;
      }
      interfaces = [];
    }
    const type = view.getUint32(offset, le);
    const totalLength = view.getUint32(offset + 4, le);
    if (totalLength < 12 || totalLength % 4 !== 0 || totalLength > MAX_RECORD_LENGTH + 64) {
      yield problem(
        'CAPTURE_BAD_FORMAT',
        offset,
        `block at offset ${offset}: invalid block length ${totalLength}`,
      );
      return;
    }
    if (offset + totalLength > bytes.length) {
      yield problem(
        'CAPTURE_TRUNCATED',
        offset,
        `block at offset ${offset} (frame ${number + 1}): declares ${totalLength} bytes, ${bytes.length - offset} left`,
      );
      return;
    }
    if (view.getUint32(offset + totalLength - 4, le) !== totalLength) {
      yield problem(
        'CAPTURE_BAD_FORMAT',
        offset,
        `block at offset ${offset}: trailing length does not match ${totalLength}`,
      );
      return;
    }
    const body = offset + 8;
    const bodyEnd = offset + totalLength - 4;
    if (type === SHB) {
      if (bodyEnd - body < 16) {
        yield problem('CAPTURE_BAD_FORMAT', offset, `section header at offset ${offset} is too short`);
        return;
      }
      const major = view.getUint16(body + 4, le);
      if (major !== 1) {
        yield problem(
          'CAPTURE_BAD_FORMAT',
          offset,
          `section header at offset ${offset}: version ${major} is not 1`,
        );
        return;
      }
    } else if (type === IDB) {
      if (bodyEnd - body < 8) {
        yield problem('CAPTURE_BAD_FORMAT', offset, `interface description at offset ${offset} is too short`);
        return;
      }
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
      interfaces.push(iface);
    } else if (type === EPB || type === OBSOLETE_PACKET_BLOCK || type === SPB) {
      number++;
      let interfaceId: number;
      let units = 0n;
      let capturedLength: number;
      let originalLength: number;
      let dataStart: number;
      if (type === SPB) {
        if (bodyEnd - body < 4) {
          yield problem('CAPTURE_BAD_FORMAT', offset, `frame ${number}: simple packet block is too short`);
          return;
        }
        interfaceId = 0;
        originalLength = view.getUint32(body, le);
        dataStart = body + 4;
        const snap = interfaces[0]?.snapLength || Number.MAX_SAFE_INTEGER;
        capturedLength = Math.min(originalLength, snap, bodyEnd - dataStart);
      } else {
        if (bodyEnd - body < 20) {
          yield problem('CAPTURE_BAD_FORMAT', offset, `frame ${number}: packet block is too short`);
          return;
        }
        interfaceId = type === EPB ? view.getUint32(body, le) : view.getUint16(body, le);
        units = (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
        capturedLength = view.getUint32(body + 12, le);
        originalLength = view.getUint32(body + 16, le);
        dataStart = body + 20;
        if (dataStart + capturedLength > bodyEnd) {
          yield problem(
            'CAPTURE_TRUNCATED',
            offset,
            `frame ${number}: packet declares ${capturedLength} bytes but its block holds ${bodyEnd - dataStart}`,
          );
          return;
        }
      }
      const iface = interfaces[interfaceId];
      if (!iface) {
        yield problem(
          'CAPTURE_BAD_FORMAT',
          offset,
          `frame ${number}: interface ${interfaceId} was never described`,
        );
        return;
      }
      yield {
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
    offset += totalLength;
  }
}
