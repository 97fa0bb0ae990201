/**
 * Windows registry hive (regf) reader: a pure function of bytes. Layout: the 4,096-byte base block
 * ("regf", root cell offset at 0x24, hive-bins size at 0x28, XOR checksum at 0x1fc), then hive bins
 * ("hbin", 4 KiB multiples) holding cells (i32 size, negative when allocated). Key nodes (nk), value
 * keys (vk), subkey lists (lf/lh/li, and ri over them), value lists, big data (db, hive 1.4+).
 * Offsets inside the hive are relative to the first hbin (file offset 0x1000); 0xffffffff is "none".
 *
 * Everything is bounded: every read is bounds-checked, every count is checked against the cell that
 * holds it, key visits are de-duplicated (a cycle is corruption), and depth/total limits stop hostile
 * hives that are merely huge. Any inconsistency is a DecodeError with code IOC_HIVE_CORRUPT.
 */
import { ByteReader } from '../../core/bytes.ts';
import { type Decoded, DecodeError, type DecodeFailure } from '../../core/errors.ts';

export const REGF_BASE_BLOCK_SIZE = 0x1000;
const NONE = 0xffffffff;
/** Largest data a plain value cell holds before big-data (db) segments are used (hive ≥ 1.4). */
export const BIG_DATA_THRESHOLD = 16344;

export const REG_TYPES: Readonly<Record<number, string>> = {
  0: 'REG_NONE',
  1: 'REG_SZ',
  2: 'REG_EXPAND_SZ',
  3: 'REG_BINARY',
  4: 'REG_DWORD',
  5: 'REG_DWORD_BIG_ENDIAN',
  6: 'REG_LINK',
  7: 'REG_MULTI_SZ',
  8: 'REG_RESOURCE_LIST',
  9: 'REG_FULL_RESOURCE_DESCRIPTOR',
  10: 'REG_RESOURCE_REQUIREMENTS_LIST',
  11: 'REG_QWORD',
};

export interface RegfHeader {
  primarySequence: number;
  secondarySequence: number;
  lastWritten: bigint;
  majorVersion: number;
  minorVersion: number;
  rootCellOffset: number;
  hiveBinsSize: number;
  /** UTF-16 file name in the base block (often truncated by Windows itself). */
  fileName: string;
  checksum: number;
  checksumValid: boolean;
}

export interface RegKey {
  /** Cell offset (relative to the first hbin). */
  offset: number;
  name: string;
  lastWritten: bigint;
  subkeyCount: number;
  valueCount: number;
  subkeyListOffset: number;
  valueListOffset: number;
}

export interface RegValue {
  offset: number;
  /** Empty string for the default value. */
  name: string;
  type: number;
  typeName: string;
  data: Uint8Array;
  /** How the data was stored: inline in the vk, one cell, or db segments. */
  storage: 'inline' | 'cell' | 'big-data' | 'empty';
}

export interface HiveLimits {
  /** Deepest key path walkHive descends. @default 512 (the Windows limit) */
  maxDepth: number;
  /** Total keys walkHive visits. @default 2_000_000 */
  maxKeys: number;
  /** Values per key. @default 100_000 */
  maxValuesPerKey: number;
  /** Largest value data assembled, in bytes. @default 16 MiB */
  maxValueBytes: number;
  /**
   * Value data decoded over the hive's life, as a multiple of the file size. Every value of a sound
   * hive has its own cells, so the total stays below 1×; shared cells in a hostile hive would
   * otherwise multiply the work. @default 4
   */
  maxDecodedBytesFactor: number;
}

export const DEFAULT_HIVE_LIMITS: HiveLimits = {
  maxDepth: 512,
  maxKeys: 2_000_000,
  maxValuesPerKey: 100_000,
  maxValueBytes: 16 * 1024 * 1024,
  maxDecodedBytesFactor: 4,
};

const corrupt = (offset: number, field: string, message: string): never => {
  throw new DecodeError({ code: 'IOC_HIVE_CORRUPT', offset, field, message });
};

/** Re-labels the reader's truncation errors as hive corruption, keeping offset and field. */
const asHiveError = (e: unknown): never => {
  if (e instanceof DecodeError && e.code !== 'IOC_HIVE_CORRUPT') {
    throw new DecodeError({ ...e.failure, code: 'IOC_HIVE_CORRUPT' });
  }
  throw e;
};

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
};

export const utf16le = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i]! | (b[i + 1]! << 8));
  return s;
};

const decodeHeader = (bytes: Uint8Array): RegfHeader => {
  const r = new ByteReader(bytes);
  if (bytes.length < REGF_BASE_BLOCK_SIZE) {
    corrupt(0, 'regf.base_block', `file is ${bytes.length} bytes, shorter than the 4096-byte base block`);
  }
  if (latin1(r.take(4, 'regf.signature')) !== 'regf') corrupt(0, 'regf.signature', 'not a regf hive');
  const primarySequence = r.u32('regf.primary_sequence');
  const secondarySequence = r.u32('regf.secondary_sequence');
  const lastWritten = r.u64('regf.last_written');
  const majorVersion = r.u32('regf.major_version');
  const minorVersion = r.u32('regf.minor_version');
  r.skip(8, 'regf.type_and_format');
  const rootCellOffset = r.u32('regf.root_cell_offset');
  const hiveBinsSize = r.u32('regf.hive_bins_size');
  r.skip(4, 'regf.clustering_factor');
  const nameBytes = r.take(64, 'regf.file_name');
  const fileName = utf16le(nameBytes).replace(/\0.*$/s, '');
  let xor = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, REGF_BASE_BLOCK_SIZE);
  for (let i = 0; i < 0x1fc; i += 4) xor ^= view.getUint32(i, true);
  const checksum = view.getUint32(0x1fc, true);
  if (majorVersion !== 1) corrupt(0x14, 'regf.major_version', `major version ${majorVersion}, expected 1`);
  return {
    primarySequence,
    secondarySequence,
    lastWritten,
    majorVersion,
    minorVersion,
    rootCellOffset,
    hiveBinsSize,
    fileName,
    checksum,
    checksumValid: xor >>> 0 === checksum,
  };
};

/**
 * An opened hive. Methods decode lazily and throw DecodeError(IOC_HIVE_CORRUPT) on inconsistency;
 * `walkHive` and `openHive` give the value-returning forms.
 */
export class RegfHive {
  readonly bytes: Uint8Array;
  readonly header: RegfHeader;
  readonly limits: HiveLimits;
  /** File offset where the hive bins end (bounded by the file length). */
  readonly dataEnd: number;
  /** Count of hbins found by walking their headers from 0x1000. */
  readonly hbinCount: number;
  readonly listKinds = { lf: 0, lh: 0, li: 0, ri: 0 };
  /** Value data bytes decoded so far (bounded by maxDecodedBytesFactor × file size + 1 MiB). */
  decodedBytes = 0;

  constructor(bytes: Uint8Array, limits: Partial<HiveLimits> = {}) {
    this.bytes = bytes;
    this.limits = { ...DEFAULT_HIVE_LIMITS, ...limits };
    try {
      this.header = decodeHeader(bytes);
      // The hive-bins size at 0x28 is unreliable in files from some writers (Samba's regfio writes
      // 0x2000 whatever the size), so the bins are found by walking their headers, as hivex does.
      const bins = this.#walkHbins();
      this.hbinCount = bins.count;
      this.dataEnd = bins.end;
      if (this.hbinCount === 0) corrupt(REGF_BASE_BLOCK_SIZE, 'hbin.signature', 'no hive bin at 0x1000');
    } catch (e) {
      asHiveError(e);
      throw e;
    }
  }

  #walkHbins(): { count: number; end: number } {
    let at = REGF_BASE_BLOCK_SIZE;
    let count = 0;
    while (at + 0x20 <= this.bytes.length) {
      const r = new ByteReader(this.bytes, { offset: at });
      // Trailing slack after the last bin is common in copied hives: stop at the first non-bin.
      if (latin1(r.take(4, 'hbin.signature')) !== 'hbin') break;
      r.skip(4, 'hbin.offset');
      const size = r.u32('hbin.size');
      if (size < 0x1000 || size % 0x1000 !== 0) {
        corrupt(at + 8, 'hbin.size', `hive bin size ${size} is not a multiple of 4096`);
      }
      count++;
      // A truncated last bin keeps the bytes that exist; cells past them fail on access.
      at = Math.min(at + size, this.bytes.length);
    }
    return { count, end: at };
  }

  /** A reader over an allocated cell's data (after the size field). */
  cell(offset: number, field: string): ByteReader {
    if (offset === NONE) corrupt(0, field, 'offset is "none"');
    const at = REGF_BASE_BLOCK_SIZE + offset;
    if (offset % 8 !== 0 || at + 4 > this.dataEnd) {
      corrupt(at, field, `cell offset 0x${offset.toString(16)} is misaligned or outside the hive bins`);
    }
    const size = new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 4).getInt32(0, true);
    if (size >= 0) corrupt(at, field, `cell at 0x${offset.toString(16)} is free (size ${size})`);
    const len = -size;
    if (len < 8 || at + len > this.dataEnd) {
      corrupt(at, field, `cell at 0x${offset.toString(16)} has size ${len}, outside the hive bins`);
    }
    return new ByteReader(this.bytes, { offset: at + 4, end: at + len });
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      return asHiveError(e);
    }
  }

  rootKey(): RegKey {
    return this.key(this.header.rootCellOffset);
  }

  key(offset: number): RegKey {
    return this.#guard(() => {
      const r = this.cell(offset, 'nk');
      const start = r.offset;
      if (latin1(r.take(2, 'nk.signature')) !== 'nk')
        corrupt(start, 'nk.signature', 'expected a key node (nk)');
      const flags = r.u16('nk.flags');
      const lastWritten = r.u64('nk.last_written');
      r.skip(8, 'nk.access_bits_and_parent');
      const subkeyCount = r.u32('nk.subkey_count');
      r.skip(4, 'nk.volatile_subkey_count');
      const subkeyListOffset = r.u32('nk.subkey_list_offset');
      r.skip(4, 'nk.volatile_subkey_list_offset');
      const valueCount = r.u32('nk.value_count');
      const valueListOffset = r.u32('nk.value_list_offset');
      r.skip(28, 'nk.security_class_and_maxima');
      const nameLength = r.u16('nk.name_length');
      r.skip(2, 'nk.class_name_length');
      const raw = r.take(nameLength, 'nk.name');
      // KEY_COMP_NAME (0x20): the name is stored as Latin-1, else UTF-16LE.
      const name = flags & 0x20 ? latin1(raw) : utf16le(raw);
      return { offset, name, lastWritten, subkeyCount, valueCount, subkeyListOffset, valueListOffset };
    });
  }

  /** Cell offsets of a key's subkeys, in list order (ri lists flattened one level). */
  subkeyOffsets(k: RegKey): number[] {
    if (k.subkeyCount === 0 || k.subkeyListOffset === NONE) return [];
    return this.#guard(() => {
      const out: number[] = [];
      this.#readList(k.subkeyListOffset, out, false);
      if (out.length !== k.subkeyCount) {
        corrupt(
          REGF_BASE_BLOCK_SIZE + k.offset,
          'nk.subkey_count',
          `key "${k.name}" declares ${k.subkeyCount} subkeys, its lists hold ${out.length}`,
        );
      }
      if (new Set(out).size !== out.length) {
        corrupt(
          REGF_BASE_BLOCK_SIZE + k.offset,
          'subkey_list.offset',
          `key "${k.name}" lists a subkey twice`,
        );
      }
      return out;
    });
  }

  #readList(offset: number, out: number[], insideRi: boolean): void {
    const r = this.cell(offset, 'subkey_list');
    const start = r.offset;
    const sig = latin1(r.take(2, 'subkey_list.signature'));
    const count = r.u16('subkey_list.count');
    const stride = sig === 'lf' || sig === 'lh' ? 8 : sig === 'li' || sig === 'ri' ? 4 : 0;
    if (stride === 0) corrupt(start, 'subkey_list.signature', `unknown subkey list "${sig}"`);
    if (sig === 'ri' && insideRi) corrupt(start, 'subkey_list.signature', 'ri list nested inside an ri list');
    if (count * stride > r.remaining) {
      corrupt(
        start + 2,
        'subkey_list.count',
        `${count} entries do not fit in a ${r.remaining + 4}-byte list cell`,
      );
    }
    this.listKinds[sig as keyof typeof this.listKinds]++;
    for (let i = 0; i < count; i++) {
      const target = r.u32('subkey_list.offset');
      if (stride === 8) r.skip(4, 'subkey_list.hash');
      if (sig === 'ri') this.#readList(target, out, true);
      else out.push(target);
      if (out.length > this.limits.maxKeys)
        corrupt(start, 'subkey_list.count', 'more subkeys than the key limit');
    }
  }

  subkeys(k: RegKey): RegKey[] {
    return this.subkeyOffsets(k).map((o) => this.key(o));
  }

  values(k: RegKey): RegValue[] {
    if (k.valueCount === 0 || k.valueListOffset === NONE) return [];
    return this.#guard(() => {
      if (k.valueCount > this.limits.maxValuesPerKey) {
        corrupt(REGF_BASE_BLOCK_SIZE + k.offset, 'nk.value_count', `${k.valueCount} values exceed the limit`);
      }
      const r = this.cell(k.valueListOffset, 'value_list');
      if (k.valueCount * 4 > r.remaining) {
        corrupt(
          r.offset,
          'nk.value_count',
          `${k.valueCount} values do not fit in a ${r.remaining + 4}-byte list`,
        );
      }
      const offsets: number[] = [];
      const unique = new Set<number>();
      for (let i = 0; i < k.valueCount; i++) {
        const o = r.u32('value_list.offset');
        if (unique.has(o))
          corrupt(r.offset - 4, 'value_list.offset', `value cell 0x${o.toString(16)} listed twice`);
        unique.add(o);
        offsets.push(o);
      }
      return offsets.map((o) => this.value(o));
    });
  }

  value(offset: number): RegValue {
    return this.#guard(() => {
      const r = this.cell(offset, 'vk');
      const start = r.offset;
      if (latin1(r.take(2, 'vk.signature')) !== 'vk')
        corrupt(start, 'vk.signature', 'expected a value key (vk)');
      const nameLength = r.u16('vk.name_length');
      const sizeField = r.u32('vk.data_size');
      const dataOffsetAt = r.offset;
      const dataOffset = r.u32('vk.data_offset');
      const type = r.u32('vk.data_type');
      const flags = r.u16('vk.flags');
      r.skip(2, 'vk.spare');
      const raw = r.take(nameLength, 'vk.name');
      // VALUE_COMP_NAME (0x0001): Latin-1 name, else UTF-16LE.
      const name = flags & 1 ? latin1(raw) : utf16le(raw);
      const typeName = REG_TYPES[type] ?? `REG_UNKNOWN_0x${type.toString(16)}`;
      const inline = (sizeField & 0x80000000) !== 0;
      const size = sizeField & 0x7fffffff;
      if (size > this.limits.maxValueBytes)
        corrupt(start + 4, 'vk.data_size', `value data of ${size} bytes exceeds the limit`);
      this.decodedBytes += size;
      if (this.decodedBytes > this.limits.maxDecodedBytesFactor * this.bytes.length + 1024 * 1024) {
        corrupt(
          start + 4,
          'vk.data_size',
          'value data decoded exceeds the hive size several times (shared cells)',
        );
      }
      let data: Uint8Array;
      let storage: RegValue['storage'];
      if (size === 0) {
        data = new Uint8Array(0);
        storage = 'empty';
      } else if (inline) {
        if (size > 4) corrupt(start + 4, 'vk.data_size', `inline data of ${size} bytes (at most 4 fit)`);
        data = this.bytes.slice(dataOffsetAt, dataOffsetAt + size);
        storage = 'inline';
      } else if (size > BIG_DATA_THRESHOLD && this.header.minorVersion >= 4 && this.#isBigData(dataOffset)) {
        data = this.#bigData(dataOffset, size);
        storage = 'big-data';
      } else {
        const d = this.cell(dataOffset, 'vk.data');
        if (d.remaining < size)
          corrupt(d.offset, 'vk.data_size', `data cell holds ${d.remaining} bytes, ${size} declared`);
        data = d.take(size, 'vk.data').slice();
        storage = 'cell';
      }
      return { offset, name, type, typeName, data, storage };
    });
  }

  #isBigData(offset: number): boolean {
    const r = this.cell(offset, 'db');
    return r.remaining >= 2 && latin1(r.take(2, 'db.signature')) === 'db';
  }

  #bigData(offset: number, size: number): Uint8Array {
    const r = this.cell(offset, 'db');
    r.skip(2, 'db.signature');
    const segments = r.u16('db.segment_count');
    const listOffset = r.u32('db.segment_list_offset');
    const list = this.cell(listOffset, 'db.segment_list');
    if (segments * 4 > list.remaining)
      corrupt(list.offset, 'db.segment_count', `${segments} segments do not fit`);
    const out = new Uint8Array(size);
    let filled = 0;
    for (let i = 0; i < segments && filled < size; i++) {
      const seg = this.cell(list.u32('db.segment_offset'), 'db.segment');
      // Each segment carries at most 16344 bytes of payload; the cell may be padded beyond.
      const n = Math.min(seg.remaining, BIG_DATA_THRESHOLD, size - filled);
      out.set(seg.take(n, 'db.segment_data'), filled);
      filled += n;
    }
    if (filled < size)
      corrupt(r.offset, 'db.segment_count', `big data segments hold ${filled} of ${size} bytes`);
    return out;
  }

  /** Looks up a key by path (backslash-separated, case-insensitive), from the root. */
  findKey(path: string): RegKey | undefined {
    let k = this.rootKey();
    for (const part of path.split('\\').filter(Boolean)) {
      const want = part.toLowerCase();
      const next = this.subkeys(k).find((s) => s.name.toLowerCase() === want);
      if (!next) return undefined;
      k = next;
    }
    return k;
  }
}

/** Opens a hive: the header and hbins are checked now, keys and values when asked for. */
export const openHive = (bytes: Uint8Array, limits: Partial<HiveLimits> = {}): Decoded<RegfHive> => {
  try {
    return { ok: true, value: new RegfHive(bytes, limits), consumed: bytes.length };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e.failure as DecodeFailure };
    throw e;
  }
};

export interface WalkStats {
  keys: number;
  values: number;
  maxDepth: number;
  bigDataValues: number;
  lists: { lf: number; lh: number; li: number; ri: number };
}

/**
 * Visits every key and value once (depth first). A key reached twice is a cycle, hence corruption.
 * `visit` sees the key path (names joined by backslashes, without the root's name).
 */
export const walkHive = (
  hive: RegfHive,
  visit?: (path: string, key: RegKey, values: RegValue[]) => void,
): Decoded<WalkStats> => {
  const stats: WalkStats = { keys: 0, values: 0, maxDepth: 0, bigDataValues: 0, lists: hive.listKinds };
  const seen = new Set<number>();
  try {
    const root = hive.rootKey();
    const stack: Array<{ key: RegKey; path: string; depth: number }> = [{ key: root, path: '', depth: 0 }];
    while (stack.length > 0) {
      const { key, path, depth } = stack.pop()!;
      if (seen.has(key.offset))
        corrupt(REGF_BASE_BLOCK_SIZE + key.offset, 'nk', `key "${path}" is reachable twice (cycle)`);
      seen.add(key.offset);
      if (++stats.keys > hive.limits.maxKeys) corrupt(0, 'nk', `more than ${hive.limits.maxKeys} keys`);
      stats.maxDepth = Math.max(stats.maxDepth, depth);
      const values = hive.values(key);
      stats.values += values.length;
      stats.bigDataValues += values.filter((v) => v.storage === 'big-data').length;
      visit?.(path, key, values);
      if (key.subkeyCount > 0) {
        if (depth + 1 > hive.limits.maxDepth)
          corrupt(0, 'nk', `keys nested deeper than ${hive.limits.maxDepth}`);
        const subs = hive.subkeys(key);
        for (let i = subs.length - 1; i >= 0; i--) {
          const s = subs[i]!;
          stack.push({ key: s, path: path ? `${path}\\${s.name}` : s.name, depth: depth + 1 });
        }
      }
    }
    return { ok: true, value: stats, consumed: hive.bytes.length };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e.failure as DecodeFailure };
    throw e;
  }
};

/** Value data as text where the type is textual, else a short hex/number rendering. */
export const valueText = (v: RegValue): string => {
  switch (v.type) {
    case 1:
    case 2:
    case 6:
      return utf16le(v.data).replace(/\0.*$/s, '');
    case 7:
      return utf16le(v.data)
        .split('\0')
        .filter((s) => s.length > 0)
        .join('\n');
    case 4:
      return v.data.length >= 4
        ? String(new DataView(v.data.buffer, v.data.byteOffset).getUint32(0, true))
        : '';
    case 5:
      return v.data.length >= 4
        ? String(new DataView(v.data.buffer, v.data.byteOffset).getUint32(0, false))
        : '';
    default: {
      const head = Array.from(v.data.subarray(0, 64), (b) => b.toString(16).padStart(2, '0')).join('');
      return v.data.length > 64 ? `${head}…` : head;
    }
  }
};
