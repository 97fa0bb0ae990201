/**
 * DCE UUIDs (C706 App. A): on the wire a struct {u32 time_low, u16 time_mid, u16 time_hi_and_version,
 * u8 clock_seq_hi, u8 clock_seq_low, u8 node[6]}, so the first three fields follow the drep integer
 * order (little-endian on every Windows host: the "mixed-endian" layout) and the last 8 bytes never swap.
 */
import type { ByteReader, ByteWriter } from '../../core/bytes.ts';
import { RpcsweepError } from '../../core/errors.ts';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID_TEXT.test(text);

/**
 * Wire bytes of the UUIDs seen so far, per byte order: probes encode the same few interface and
 * property ids in every request, and parsing the text each time showed up in scanner profiles.
 * Bounded so that a stream of distinct ids (decoded towers, captures) cannot grow it without end.
 */
const wireCache = [new Map<string, Uint8Array>(), new Map<string, Uint8Array>()] as const;
const WIRE_CACHE_MAX = 1024;

/** The cached wire bytes of `text`: shared, so callers must not modify them. */
const wireBytesOf = (text: string, littleEndian: boolean): Uint8Array => {
  const cache = wireCache[littleEndian ? 0 : 1];
  const known = cache.get(text);
  if (known) return known;
  const out = parseUuid(text, littleEndian);
  if (cache.size < WIRE_CACHE_MAX) cache.set(text, out);
  return out;
};

/** Text → 16 wire bytes (a fresh copy). Throws INVALID_ARGUMENT on malformed text (a caller bug, not wire data). */
export const uuidToBytes = (text: string, littleEndian = true): Uint8Array =>
  wireBytesOf(text, littleEndian).slice();

const parseUuid = (text: string, littleEndian: boolean): Uint8Array => {
  if (!isUuid(text)) throw new RpcsweepError('INVALID_ARGUMENT', `not a UUID: ${JSON.stringify(text)}`);
  const hex = text.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (littleEndian) {
    out.subarray(0, 4).reverse();
    out.subarray(4, 6).reverse();
    out.subarray(6, 8).reverse();
  }
  return out;
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 16 wire bytes at `offset` → lower-case text. The caller guarantees 16 bytes are there. */
export const uuidFromBytes = (bytes: Uint8Array, offset = 0, littleEndian = true): string => {
  const b = (i: number) => HEX[bytes[offset + i]!]!;
  const order = littleEndian
    ? [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
    : [0, 1, 2, 3, -1, 4, 5, -1, 6, 7, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
  let s = '';
  for (const i of order) s += i < 0 ? '-' : b(i);
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
  w.bytes(wireBytesOf(text, w.littleEndian));
};
