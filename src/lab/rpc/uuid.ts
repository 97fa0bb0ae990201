/**
 * UUIDs in DCE/RPC wire order (C706 App. A: time_low u32, time_mid u16, time_hi u16 in the PDU's
 * integer representation, then 8 bytes as they are). A local helper of the lab; the shared codec in
 * src/protocol/dcerpc has its own.
 */
import type { ByteReader, ByteWriter } from '../../core/bytes.ts';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuidText = (text: string): boolean => UUID_TEXT.test(text.toLowerCase());

const cache = new Map<string, Uint8Array>();

/** Little-endian wire bytes of a textual UUID (memoised: the lab encodes the same few UUIDs all day). */
export const uuidToBytes = (text: string): Uint8Array => {
  let bytes = cache.get(text);
  if (!bytes) {
    bytes = parseUuid(text);
    if (cache.size < 4096) cache.set(text, bytes);
  }
  return bytes;
};

const parseUuid = (text: string): Uint8Array => {
  const t = text.toLowerCase();
  if (!UUID_TEXT.test(t)) throw new RangeError(`not a UUID: ${text}`);
  const hex = t.replace(/-/g, '');
  const raw = Buffer.from(hex, 'hex');
  const out = new Uint8Array(16);
  out[0] = raw[3]!;
  out[1] = raw[2]!;
  out[2] = raw[1]!;
  out[3] = raw[0]!;
  out[4] = raw[5]!;
  out[5] = raw[4]!;
  out[6] = raw[7]!;
  out[7] = raw[6]!;
  out.set(raw.subarray(8), 8);
  return out;
};

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export const readUuid = (r: ByteReader, field: string): string => {
  const a = r.u32(`${field}.time_low`);
  const b = r.u16(`${field}.time_mid`);
  const c = r.u16(`${field}.time_hi`);
  const n = r.take(8, `${field}.node`);
  return (
    `${hex(a, 8)}-${hex(b, 4)}-${hex(c, 4)}-${HEX[n[0]!]}${HEX[n[1]!]}-` +
    `${HEX[n[2]!]}${HEX[n[3]!]}${HEX[n[4]!]}${HEX[n[5]!]}${HEX[n[6]!]}${HEX[n[7]!]}`
  );
};

export const writeUuid = (w: ByteWriter, text: string): void => {
  w.bytes(uuidToBytes(text));
};

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
