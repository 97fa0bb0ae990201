/**
 * Bounds-checked byte reading and writing. Every read names the field it reads (Wireshark-style),
 * so a short buffer becomes a DecodeFailure that says where and what, never a RangeError.
 */
import { type Decoded, DecodeError, type DecodeFailure, type ErrorCode } from './errors.ts';

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute offset of the next read. */
  offset: number;
  /** Absolute end (exclusive) of the readable window. */
  readonly end: number;
  littleEndian: boolean;

  constructor(bytes: Uint8Array, options: { offset?: number; end?: number; littleEndian?: boolean } = {}) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = options.offset ?? 0;
    this.end = Math.min(options.end ?? bytes.length, bytes.length);
    this.littleEndian = options.littleEndian ?? true;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(code: ErrorCode, field: string, message: string, offset = this.offset): never {
    throw new DecodeError({ code, offset, field, message });
  }

  need(n: number, field: string): void {
    if (n < 0 || this.offset + n > this.end) {
      this.fail('DCERPC_TRUNCATED', field, `need ${n} byte(s), ${Math.max(0, this.end - this.offset)} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset, this.littleEndian);
    this.offset += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, this.littleEndian);
    this.offset += 4;
    return v;
  }
  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset, this.littleEndian);
    this.offset += 8;
    return v;
  }
  u16be(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return v;
  }
  u32be(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return v;
  }
  /** A view (no copy) of the next n bytes. */
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  skip(n: number, field: string): void {
    this.need(n, field);
    this.offset += n;
  }
  /** Skips to the next multiple of `n` counted from `base` (e.g. the NDR stub start). */
  align(n: number, base = 0, field = 'padding'): void {
    const rel = this.offset - base;
    const pad = (n - (rel % n)) % n;
    if (pad) this.skip(pad, field);
  }
  /** A reader over the next n bytes that shares the buffer; this reader advances past them. */
  sub(n: number, field: string): ByteReader {
    this.need(n, field);
    const r = new ByteReader(this.bytes, {
      offset: this.offset,
      end: this.offset + n,
      littleEndian: this.littleEndian,
    });
    this.offset += n;
    return r;
  }
}

/** Growable little-endian-by-default writer. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  length = 0;
  littleEndian: boolean;

  constructor(initialSize = 256, littleEndian = true) {
    this.#buf = new Uint8Array(initialSize);
    this.#view = new DataView(this.#buf.buffer);
    this.littleEndian = littleEndian;
  }

  #ensure(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.length, v, this.littleEndian);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.length, v >>> 0, this.littleEndian);
    this.length += 4;
    return this;
  }
  u64(v: bigint): this {
    this.#ensure(8);
    this.#view.setBigUint64(this.length, v, this.littleEndian);
    this.length += 8;
    return this;
  }
  u16be(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.length, v, false);
    this.length += 2;
    return this;
  }
  u32be(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.length, v >>> 0, false);
    this.length += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  zeros(n: number): this {
    this.#ensure(n);
    this.#buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  /** Pads with zero bytes to a multiple of `n` counted from `base`. */
  align(n: number, base = 0): this {
    const pad = (n - ((this.length - base) % n)) % n;
    return this.zeros(pad);
  }
  /** Overwrites a u16/u32 already written (for length fields known only at the end). */
  patchU16(at: number, v: number): this {
    this.#view.setUint16(at, v, this.littleEndian);
    return this;
  }
  patchU32(at: number, v: number): this {
    this.#view.setUint32(at, v >>> 0, this.littleEndian);
    return this;
  }
  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

/**
 * Runs a decoder body that reads through a ByteReader and turns the reader's DecodeError into a
 * DecodeFailure value. Only DecodeError is caught: anything else is a bug and propagates.
 */
export const decodeWith = <T>(
  body: () => { value: T; consumed: number },
  partial?: Partial<T>,
): Decoded<T> => {
  try {
    const { value, consumed } = body();
    return { ok: true, value, consumed };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const error = e.failure as DecodeFailure;
    // What `body` had filled into `partial` before the failure, when anything (style.md rule 5).
    return partial && Object.keys(partial).length > 0 ? { ok: false, error, partial } : { ok: false, error };
  }
};

export const toHex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const fromHex = (hex: string): Uint8Array => {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  return new Uint8Array(Buffer.from(clean, 'hex'));
};
