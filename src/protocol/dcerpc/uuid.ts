/**
 * DCE UUIDs (C706 App. A): on the wire a struct {u32 time_low, u16 time_mid, u16 time_hi_and_version,
 * u8 clock_seq_hi, u8 clock_seq_low, u8 node[6]}, so the first three fields follow the drep integer
 * order (little-endian on every Windows host: the "mixed-endian" layout) and the last 8 bytes never swap.
 */
import type { ByteReader, ByteWriter } from '../../core/bytes.ts';
import { RpcsweepError } from '../../core/errors.ts';

/** Hex digit value of a char code, or -1. */
const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** Text offset of each of the 16 bytes in network order (big-endian fields). */
const TEXT_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** Wire position of each byte: the first three fields swap in little-endian drep. */
const LE_POSITIONS = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * Parses `text` into `out` at `at` in the wire order; false when it is not a UUID. Hand-rolled
 * (no regex, no parseInt): probes encode several UUIDs per request and this showed in profiles.
 */
const parseUuidInto = (text: string, littleEndian: boolean, out: Uint8Array, at: number): boolean => {
  if (text.length !== 36) return false;
  if (
    text.charCodeAt(8) !== 45 ||
    text.charCodeAt(13) !== 45 ||
    text.charCodeAt(18) !== 45 ||
    text.charCodeAt(23) !== 45
  ) {
    return false;
  }
  for (let i = 0; i < 16; i++) {
    const t = TEXT_OFFSETS[i]!;
    const hi = hexValue(text.charCodeAt(t));
    const lo = hexValue(text.charCodeAt(t + 1));
    if (hi < 0 || lo < 0) return false;
    out[at + (littleEndian ? LE_POSITIONS[i]! : i)] = (hi << 4) | lo;
  }
  return true;
};

/** True for UUID text (8-4-4-4-12 hex digits, either case): the same test uuidToBytes applies. */
export const isUuid = (text: string): boolean => parseUuidInto(text, false, new Uint8Array(16), 0);

const notUuid = (text: string) =>
  new RpcsweepError('INVALID_ARGUMENT', `not a UUID: ${JSON.stringify(text)}`);

/** Text → 16 wire bytes. Throws INVALID_ARGUMENT on malformed text (a caller bug, not wire data). */
export const uuidToBytes = (text: string, littleEndian = true): Uint8Array => {
  const out = new Uint8Array(16);
  if (!parseUuidInto(text, littleEndian, out, 0)) throw notUuid(text);
  return out;
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// Byte order of the text form (-1: a dash), for each integer order; module constants, not per call.
const LE_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
const BE_ORDER = [0, 1, 2, 3, -1, 4, 5, -1, 6, 7, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

/** 16 wire bytes at `offset` → lower-case text. The caller guarantees 16 bytes are there. */
export const uuidFromBytes = (bytes: Uint8Array, offset = 0, littleEndian = true): string => {
  const order = littleEndian ? LE_ORDER : BE_ORDER;
  let s = '';
  for (const i of order) s += i < 0 ? '-' : HEX[bytes[offset + i]!]!;
  return s;
};

/** Reads a UUID honouring the reader's integer order. */
export const readUuid = (r: ByteReader, field: string): string => {
  const at = r.offset;
  r.skip(16, field);
  return uuidFromBytes(r.bytes, at, r.littleEndian);
};

/** Writes a UUID honouring the writer's integer order. */
export const writeUuid = (w: ByteWriter, text: string): void => {
  if (!parseUuidInto(text, w.littleEndian, scratch, 0)) throw notUuid(text);
  w.bytes(scratch);
};

/** writeUuid's staging bytes: ByteWriter.bytes copies them, so one buffer serves every call. */
const scratch = new Uint8Array(16);
