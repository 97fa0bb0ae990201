/**
 * NDR 1.0 writer mirroring NdrReader: alignment from the stub start, referent IDs from a counter
 * (0x00020000, +4, as Windows clients do), embedded referents deferred until `flushDeferred()`.
 */
import { ByteWriter } from '../../../core/bytes.ts';
import { RpcsweepError } from '../../../core/errors.ts';
import { writeUuid } from '../uuid.ts';
import { DeferredReferents } from './deferred.ts';
import type { ContextHandle } from './reader.ts';

export interface NdrWriterOptions {
  /** drep integer order. @default true */
  littleEndian?: boolean;
  /** Write after this many existing bytes of `into` (alignment then counts from there). */
  into?: ByteWriter;
  /** First referent ID. @default 0x00020000 */
  firstReferentId?: number;
  /** Increment between referent IDs (Windows clients 4, Windows EPM replies 1). @default 4 */
  referentIdStep?: number;
}

export class NdrWriter {
  readonly w: ByteWriter;
  readonly base: number;
  #nextId: number;
  #step: number;
  readonly #deferred = new DeferredReferents();

  constructor(options: NdrWriterOptions = {}) {
    this.w = options.into ?? new ByteWriter(256, options.littleEndian ?? true);
    this.base = this.w.length;
    this.#nextId = options.firstReferentId ?? 0x00020000;
    this.#step = options.referentIdStep ?? 4;
  }

  get position(): number {
    return this.w.length - this.base;
  }

  /** A fresh non-zero referent ID. */
  nextReferentId(): number {
    const id = this.#nextId;
    this.#nextId = (this.#nextId + this.#step) >>> 0 || this.#step;
    return id;
  }

  align(n: number): this {
    this.w.align(n, this.base);
    return this;
  }
  u8(v: number): this {
    this.w.u8(v);
    return this;
  }
  u16(v: number): this {
    this.align(2).w.u16(v);
    return this;
  }
  u32(v: number): this {
    this.align(4).w.u32(v);
    return this;
  }
  u64(v: bigint): this {
    this.align(8).w.u64(v);
    return this;
  }
  uuid(text: string): this {
    this.align(4);
    writeUuid(this.w, text);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.w.bytes(b);
    return this;
  }
  contextHandle(h: ContextHandle): this {
    this.u32(h.attributes);
    writeUuid(this.w, h.uuid);
    return this;
  }

  /** Writes a NULL pointer or a fresh referent ID; returns whether the referent must follow. */
  pointer(present: boolean, referentId?: number): boolean {
    this.u32(present ? (referentId ?? this.nextReferentId()) : 0);
    return present;
  }

  /** Top-level unique pointer: ID then, when non-null, the referent at once. */
  unique<T>(value: T | null | undefined, writeReferent: (v: T) => void, referentId?: number): this {
    if (this.pointer(value !== null && value !== undefined, referentId)) writeReferent(value as T);
    return this;
  }

  defer(writeReferent: () => void): this {
    this.#deferred.add(writeReferent);
    return this;
  }

  flushDeferred(): this {
    this.#deferred.flush();
    return this;
  }

  /**
   * Conformant-varying string, `[string] wchar_t*` (unit 2) or `char*` (unit 1). A NUL terminator is
   * appended unless `terminate` is false; embedded NULs in `text` are written as they are.
   */
  conformantVaryingString(text: string, unit: 1 | 2 = 2, terminate = true): this {
    const n = text.length + (terminate ? 1 : 0);
    this.u32(n);
    return this.varyingString(text, unit, terminate);
  }

  /** Varying string: offset 0, actual_count, chars (then the caller's next field aligns). */
  varyingString(text: string, unit: 1 | 2 = 1, terminate = true): this {
    const s = terminate ? `${text}\0` : text;
    this.u32(0).u32(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (unit === 1) {
        if (c > 0xff)
          throw new RpcsweepError(
            'INVALID_ARGUMENT',
            `character U+${c.toString(16)} does not fit a char string`,
          );
        this.w.u8(c);
      } else this.w.u16(c);
    }
    return this;
  }

  /** Conformant array: max_count then each element written by `write`. */
  conformantArray<T>(items: readonly T[], write: (item: T, i: number) => void): this {
    this.u32(items.length);
    items.forEach(write);
    return this;
  }

  /** Conformant-varying array: max_count (≥ items), offset 0, actual_count, then the elements. */
  conformantVaryingArray<T>(
    items: readonly T[],
    write: (item: T, i: number) => void,
    maxCount = items.length,
  ): this {
    this.u32(Math.max(maxCount, items.length)).u32(0).u32(items.length);
    items.forEach(write);
    return this;
  }

  /** Conformant byte array: max_count then the bytes. */
  conformantBytes(b: Uint8Array): this {
    this.u32(b.length);
    this.w.bytes(b);
    return this;
  }

  /** Flushes deferred referents and returns the stub bytes written by this writer. */
  finish(): Uint8Array {
    this.flushDeferred();
    const all = this.w.finish();
    return this.base === 0 ? all : all.slice(this.base);
  }
}

/** Encoders take either the drep byte order (boolean, the original signature) or full writer options. */
export type NdrEncodeOptions = boolean | Omit<NdrWriterOptions, 'into'>;
export const ndrWriterFor = (o: NdrEncodeOptions | undefined): NdrWriter =>
  new NdrWriter(typeof o === 'boolean' ? { littleEndian: o } : (o ?? {}));
