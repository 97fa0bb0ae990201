/**
 * Classic libpcap files (tcpdump.org "pcap" file format, draft-ietf-opsawg-pcap): either byte order,
 * microsecond (magic a1b2c3d4) or nanosecond (a1b23c4d) timestamps.
 */
import type { CaptureProblem, FrameItem } from './frames.ts';

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

export function* readPcapFrames(bytes: Uint8Array): Generator<FrameItem> {
  const magic = pcapMagic(bytes);
  const problem = (
    code: CaptureProblem['code'],
    frame: number,
    offset: number,
    message: string,
  ): FrameItem => ({
    kind: 'problem',
    problem: { code, frame, offset, message },
  });
  if (!magic) {
    yield problem('CAPTURE_BAD_FORMAT', 1, 0, 'not a pcap file (unknown magic number)');
    return;
  }
  if (bytes.length < FILE_HEADER_LENGTH) {
    yield problem('CAPTURE_BAD_FORMAT', 1, 0, `pcap file header needs 24 bytes, file has ${bytes.length}`);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = magic.littleEndian;
  const versionMajor = view.getUint16(4, le);
  if (versionMajor !== 2) {
    yield problem('CAPTURE_BAD_FORMAT', 1, 4, `pcap version ${versionMajor} is not 2`);
    return;
  }
  // The upper bits of the link-type word can carry an FCS length (pcap draft §4); the type is the low 16.
  const linkType = view.getUint32(20, le) & 0xffff;
  const unitNs = magic.nanos ? 1n : 1000n;
  let offset = FILE_HEADER_LENGTH;
  let number = 0;
  while (offset < bytes.length) {
    number++;
    if (offset + RECORD_HEADER_LENGTH > bytes.length) {
      yield problem(
        'CAPTURE_TRUNCATED',
        number,
        offset,
        `frame ${number}: record header needs 16 bytes, ${bytes.length - offset} left`,
      );
      return;
    }
    const seconds = view.getUint32(offset, le);
    const fraction = view.getUint32(offset + 4, le);
    const capturedLength = view.getUint32(offset + 8, le);
    const originalLength = view.getUint32(offset + 12, le);
    if (capturedLength > MAX_RECORD_LENGTH) {
      yield problem(
        'CAPTURE_BAD_FORMAT',
        number,
        offset,
        `frame ${number}: captured length ${capturedLength} exceeds ${MAX_RECORD_LENGTH} (corrupt record header)`,
      );
      return;
    }
    const start = offset + RECORD_HEADER_LENGTH;
    if (start + capturedLength > bytes.length) {
      yield problem(
        'CAPTURE_TRUNCATED',
        number,
        offset,
        `frame ${number}: record declares ${capturedLength} bytes, ${bytes.length - start} left`,
      );
      return;
    }
    yield {
      kind: 'frame',
      frame: {
        number,
        linkType,
        timestampNs: BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * unitNs,
        originalLength: Math.max(originalLength, capturedLength),
        data: bytes.subarray(start, start + capturedLength),
      },
    };
    offset = start + capturedLength;
  }
}
