/**
 * TFTP packets (RFC 1350 §5): RRQ, DATA, ACK, ERROR. Pure codec. The indicator probe sends an RRQ,
 * reads the first DATA block and answers with ERROR, so only these four are needed; OACK (RFC 2347)
 * and anything else decode to `{ opcode: 'unknown' }` instead of failing.
 */
import { ByteReader, ByteWriter, decodeWith } from '../core/bytes.ts';
import { type Decoded, orThrow, RpcsweepError } from '../core/errors.ts';

export const TFTP_PORT = 69;
export const TFTP_OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5 } as const;
/** Bytes of data in a full DATA block; a shorter block ends the transfer. */
export const TFTP_BLOCK_SIZE = 512;

/** RFC 1350 error codes. */
export const TFTP_ERROR_NAMES: Readonly<Record<number, string>> = {
  0: 'not defined',
  1: 'file not found',
  2: 'access violation',
  3: 'disk full',
  4: 'illegal operation',
  5: 'unknown transfer ID',
  6: 'file already exists',
  7: 'no such user',
};

export type TftpPacket =
  | { opcode: 'data'; block: number; data: Uint8Array }
  | { opcode: 'error'; errorCode: number; message: string }
  | { opcode: 'ack'; block: number }
  | { opcode: 'rrq' | 'wrq'; filename: string; mode: string }
  | { opcode: 'unknown'; raw: number };

const ascii = (s: string, what: string): Uint8Array => {
  if (!/^[\x20-\x7e]*$/.test(s))
    throw new RpcsweepError('INVALID_ARGUMENT', `${what} must be printable ASCII`);
  return new TextEncoder().encode(s);
};

/** Read request: opcode 1, filename NUL, mode NUL. */
export const encodeTftpReadRequest = (filename: string, mode = 'octet'): Uint8Array => {
  if (filename.length === 0 || filename.length > 255) {
    throw new RpcsweepError('INVALID_ARGUMENT', 'TFTP filename must have 1..255 characters');
  }
  return new ByteWriter(64, false)
    .u16be(TFTP_OPCODE.RRQ)
    .bytes(ascii(filename, 'filename'))
    .u8(0)
    .bytes(ascii(mode, 'mode'))
    .u8(0)
    .finish();
};

export const encodeTftpError = (errorCode: number, message: string): Uint8Array =>
  new ByteWriter(64, false)
    .u16be(TFTP_OPCODE.ERROR)
    .u16be(errorCode)
    .bytes(ascii(message, 'message'))
    .u8(0)
    .finish();

export const encodeTftpAck = (block: number): Uint8Array =>
  new ByteWriter(4, false).u16be(TFTP_OPCODE.ACK).u16be(block).finish();

export const encodeTftpData = (block: number, data: Uint8Array): Uint8Array =>
  new ByteWriter(4 + data.length, false).u16be(TFTP_OPCODE.DATA).u16be(block).bytes(data).finish();

/** A NUL-terminated string; a missing NUL ends at the packet end (lenient, as many servers are). */
const cString = (r: ByteReader, field: string): string => {
  const start = r.offset;
  let end = start;
  while (end < r.end && r.bytes[end] !== 0) end++;
  const s = new TextDecoder('latin1').decode(r.bytes.subarray(start, end));
  r.offset = Math.min(end + 1, r.end);
  if (end - start > 512) r.fail('DCERPC_BAD_COUNT', field, 'string longer than 512 bytes', start);
  return s;
};

export const decodeTftpPacket = (bytes: Uint8Array): Decoded<TftpPacket> =>
  decodeWith(() => {
    const r = new ByteReader(bytes);
    const op = r.u16be('tftp.opcode');
    let value: TftpPacket;
    switch (op) {
      case TFTP_OPCODE.DATA:
        value = { opcode: 'data', block: r.u16be('tftp.block'), data: r.take(r.remaining, 'tftp.data') };
        break;
      case TFTP_OPCODE.ERROR:
        value = {
          opcode: 'error',
          errorCode: r.u16be('tftp.error.code'),
          message: cString(r, 'tftp.error.message'),
        };
        break;
      case TFTP_OPCODE.ACK:
        value = { opcode: 'ack', block: r.u16be('tftp.block') };
        break;
      case TFTP_OPCODE.RRQ:
      case TFTP_OPCODE.WRQ:
        value = {
          opcode: op === TFTP_OPCODE.RRQ ? 'rrq' : 'wrq',
          filename: cString(r, 'tftp.source_file'),
          mode: cString(r, 'tftp.type'),
        };
        break;
      default:
        value = { opcode: 'unknown', raw: op };
        r.offset = r.end;
    }
    return { value, consumed: r.offset };
  });

export const decodeTftpPacketOrThrow = orThrow(decodeTftpPacket);
