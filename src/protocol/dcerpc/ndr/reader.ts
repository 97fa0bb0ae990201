/**
 * NDR 1.0 (C706 ch. 14, MS-RPCE 2.2.4) reader for one stub. Alignment is counted from the stub start
 * (`base`), never from the buffer start, so a stub decodes the same wherever it sits in a PDU.
 * Wire counts are checked against the bytes left BEFORE anything is allocated.
 *
 * Pointers: `pointer()` reads a referent ID (0 = NULL; IDs are never validated: Windows servers use
 * small IDs like 1 in EPM towers). Top-level referents follow their pointer immediately; embedded ones
 * are queued with `defer()` and read by `flushDeferred()` after the containing structure/array.
 */
import { ByteReader, decodeWith } from '../../../core/bytes.ts';
import type { Decoded } from '../../../core/errors.ts';
import { readUuid } from '../uuid.ts';
import { DeferredReferents } from './deferred.ts';

export interface NdrReaderOptions {
  /** Stub start inside `bytes`; alignment counts from here. @default 0 */
  offset?: number;
  /** End of the stub (exclusive). @default bytes.length */
  end?: number;
  /** drep integer order. @default true */
  littleEndian?: boolean;
}

/** A 20-byte RPC context handle (`policy_handle`): attributes u32 + UUID. */
export interface ContextHandle {
  attributes: number;
  uuid: string;
}

/** A [string] wchar_t* / char* as found on the wire. */
export interface NdrString {
  /** Decoded text without the final NUL (embedded NULs kept, as detectors rely on them). */
  text: string;
  maxCount: number;
  offset: number;
  actualCount: number;
  /** Whether the last transmitted character was NUL. */
  terminated: boolean;
}

export class NdrReader {
  readonly r: ByteReader;
  readonly base: number;
  readonly #deferred = new DeferredReferents();

  constructor(bytes: Uint8Array, options: NdrReaderOptions = {}) {
    const offset = options.offset ?? 0;
    this.r = new ByteReader(bytes, {
      offset,
      end: options.end ?? bytes.length,
      littleEndian: options.littleEndian ?? true,
    });
    this.base = offset;
  }

  /** Offset relative to the stub start. */
  get position(): number {
    return this.r.offset - this.base;
  }
  get remaining(): number {
    return this.r.remaining;
  }

  fail(code: Parameters<ByteReader['fail']>[0], field: string, message: string, at = this.r.offset): never {
    return this.r.fail(code, field, message, at);
  }

  align(n: number, field = 'ndr.pad'): void {
    this.r.align(n, this.base, field);
  }
  u8(field: string): number {
    return this.r.u8(field);
  }
  u16(field: string): number {
    this.align(2, field);
    return this.r.u16(field);
  }
  u32(field: string): number {
    this.align(4, field);
    return this.r.u32(field);
  }
  i32(field: string): number {
    return this.u32(field) | 0;
  }
  /** hyper (8-aligned). */
  u64(field: string): bigint {
    this.align(8, field);
    return this.r.u64(field);
  }
  /** GUID: a struct aligned to 4. */
  uuid(field: string): string {
    this.align(4, field);
    return readUuid(this.r, field);
  }
  bytes(n: number, field: string): Uint8Array {
    return this.r.take(n, field);
  }
  contextHandle(field: string): ContextHandle {
    const attributes = this.u32(`${field}.attributes`);
    const uuid = readUuid(this.r, `${field}.uuid`);
    return { attributes, uuid };
  }

  /** A unique/full pointer's referent ID (0 = NULL). */
  pointer(field: string): number {
    return this.u32(field);
  }

  /** Top-level unique pointer: the referent follows at once. Returns null for NULL. */
  unique<T>(field: string, readReferent: () => T): T | null {
    return this.pointer(field) === 0 ? null : readReferent();
  }

  /** Queues an embedded pointer's referent to be read after the containing construct. */
  defer(readReferent: () => void): void {
    this.#deferred.add(readReferent);
  }

  /** Reads every queued referent in order (referents may queue more; those are read too). */
  flushDeferred(): void {
    this.#deferred.flush();
  }

  /**
   * A count (max_count, actual_count, …) that promises `count` elements of at least `minElementBytes`
   * each: rejected when those cannot fit in the bytes left or exceed `hardLimit`.
   */
  count(field: string, minElementBytes: number, hardLimit = 0x7fffffff): number {
    const at = this.r.offset;
    const n = this.u32(field);
    if (n > hardLimit || n * minElementBytes > this.r.remaining) {
      this.fail(
        'DCERPC_BAD_COUNT',
        field,
        `count ${n} × ${minElementBytes} byte(s) exceeds the ${this.r.remaining} left`,
        at,
      );
    }
    return n;
  }

  /** Conformant-varying string header + chars: `[string] wchar_t*` (unit 2) or `char*` (unit 1). */
  conformantVaryingString(field: string, unit: 1 | 2 = 2): NdrString {
    const maxCount = this.count(`${field}.max_count`, 0);
    return this.#varying(field, unit, maxCount);
  }

  /** Varying string (offset, actual_count, chars): e.g. a `[string] char x[64]` inside a struct. */
  varyingString(field: string, unit: 1 | 2 = 1, maxCount = 0x7fffffff): NdrString {
    return this.#varying(field, unit, maxCount, false);
  }

  #varying(field: string, unit: 1 | 2, maxCount: number, conformant = true): NdrString {
    const offAt = this.r.offset;
    const offset = this.u32(`${field}.offset`);
    const actualCount = this.count(`${field}.actual_count`, unit);
    if (offset + actualCount > maxCount) {
      this.fail(
        'DCERPC_NDR_BAD_STRING',
        `${field}.actual_count`,
        `offset ${offset} + actual_count ${actualCount} exceeds ${conformant ? 'max_count' : 'the array size'} ${maxCount}`,
        offAt,
      );
    }
    const raw = this.r.take(actualCount * unit, field);
    let text = '';
    if (unit === 2) {
      const le = this.r.littleEndian;
      for (let i = 0; i < actualCount; i++) {
        const x = raw[i * 2]!;
        const y = raw[i * 2 + 1]!;
        text += String.fromCharCode(le ? x | (y << 8) : (x << 8) | y);
      }
    } else {
      for (const b of raw) text += String.fromCharCode(b);
    }
    const terminated = actualCount > 0 && text.charCodeAt(actualCount - 1) === 0;
    if (terminated) text = text.slice(0, -1);
    return { text, maxCount, offset, actualCount, terminated };
  }

  /**
   * Conformant array: max_count, then the elements (each read by `read`). `minElementBytes` bounds
   * max_count by the bytes left before anything is read.
   */
  conformantArray<T>(
    field: string,
    minElementBytes: number,
    read: (i: number) => T,
    hardLimit?: number,
  ): T[] {
    const n = this.count(`${field}.max_count`, minElementBytes, hardLimit);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(i));
    return out;
  }

  /** Conformant-varying array: max_count, offset, actual_count (offset + actual ≤ max), then the elements. */
  conformantVaryingArray<T>(
    field: string,
    minElementBytes: number,
    read: (i: number) => T,
    hardLimit?: number,
  ): { maxCount: number; offset: number; items: T[] } {
    const maxCount = this.count(`${field}.max_count`, 0, hardLimit);
    return { maxCount, ...this.varyingArray(field, minElementBytes, read, maxCount) };
  }

  /** Varying array (e.g. a fixed-size array in a struct): offset, actual_count, then the elements. */
  varyingArray<T>(
    field: string,
    minElementBytes: number,
    read: (i: number) => T,
    maxCount = 0x7fffffff,
  ): { offset: number; items: T[] } {
    const at = this.r.offset;
    const offset = this.u32(`${field}.offset`);
    const actual = this.count(`${field}.actual_count`, minElementBytes);
    if (offset + actual > maxCount) {
      this.fail(
        'DCERPC_BAD_COUNT',
        `${field}.actual_count`,
        `offset ${offset} + actual_count ${actual} exceeds max_count ${maxCount}`,
        at,
      );
    }
    const items: T[] = [];
    for (let i = 0; i < actual; i++) items.push(read(i));
    return { offset, items };
  }

  /** Conformant array of u8 (max_count then bytes), e.g. `[size_is(n)] byte *p`. */
  conformantBytes(field: string): Uint8Array {
    const n = this.count(`${field}.max_count`, 1);
    return this.r.take(n, field);
  }
}

/**
 * Runs an NDR body over a stub and turns DecodeErrors into a failure value. The body may fill `keep`
 * as it reads (and return it when whole): a failure part-way then carries what was read as
 * `partial` (style.md rule 5, as decodePdu does).
 */
export const decodeNdr = <T>(
  stub: Uint8Array,
  body: (n: NdrReader, keep: Partial<T>) => T,
  options: NdrReaderOptions = {},
): Decoded<T> => {
  const keep: Partial<T> = {};
  return decodeWith(() => {
    const n = new NdrReader(stub, options);
    const value = body(n, keep);
    n.flushDeferred();
    return { value, consumed: n.position };
  }, keep);
};
