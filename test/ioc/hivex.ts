/**
 * Real hives from third-party writers, made at test time (no hand-made bytes):
 * 1. Samba's libregistry `reg_create_regf_file` (called through Python ctypes) creates an empty hive.
 *    Samba 4.17 writes the file size, not the hive-bins size, at 0x28, which hivex then extends wrongly;
 * 2. so the empty hive is rewritten by Samba's other writer, `net rpc registry copy` (source3 regfio,
 *    a local file-to-file copy that opens no connection), which writes a consistent header;
 * 3. `hivexregedit --merge` (Debian libwin-hivex-perl) adds keys and values from a .reg file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPACKET_PYTHON, run } from '../support/system.ts';

const SAMBA_REGISTRY_LIB = '/usr/lib/x86_64-linux-gnu/samba/libregistry-samba4.so.0';

const CREATE_PY = `
import ctypes, sys
lib = ctypes.CDLL(${JSON.stringify(SAMBA_REGISTRY_LIB)})
f = lib.reg_create_regf_file
f.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
f.restype = ctypes.c_uint32
key = ctypes.c_void_p()
rc = f(None, sys.argv[1].encode(), 5, ctypes.byref(key))
sys.exit(0 if rc == 0 else 1)
`;

let baseHive: Uint8Array | undefined;

/** An empty hive (root key only), made once per process by Samba. */
export const emptyHive = (): Uint8Array => {
  if (baseHive) return baseHive;
  const dir = mkdtempSync(join(tmpdir(), 'rs-hive-'));
  try {
    run(IMPACKET_PYTHON, ['-c', CREATE_PY, join(dir, 'samba4.hiv')]);
    run('net', ['rpc', 'registry', 'copy', join(dir, 'samba4.hiv'), join(dir, 'base.hiv')]);
    baseHive = new Uint8Array(readFileSync(join(dir, 'base.hiv')));
    return baseHive;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export type RegData = string | { dword: number } | { hex: number; bytes: Uint8Array } | { multi: string[] };

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const hexList = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(',');
const utf16 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));

const render = (d: RegData): string => {
  if (typeof d === 'string') return quote(d);
  if ('dword' in d) return `dword:${d.dword.toString(16).padStart(8, '0')}`;
  if ('multi' in d) return `hex(7):${hexList(utf16(`${d.multi.join('\0')}\0\0`))}`;
  return `hex(${d.hex.toString(16)}):${hexList(d.bytes)}`;
};

/**
 * A .reg (version 5) text for keys under HKLM\SOFTWARE, with every ancestor key listed first
 * (hivexregedit creates a key only under an existing parent).
 */
export const regText = (
  keys: Record<string, Record<string, RegData>>,
  root = 'HKEY_LOCAL_MACHINE\\SOFTWARE',
): string => {
  const all = new Set<string>();
  for (const k of Object.keys(keys)) {
    const parts = k.split('\\');
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('\\'));
  }
  const ordered = [...all].sort((a, b) => a.split('\\').length - b.split('\\').length || a.localeCompare(b));
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (const k of ordered) {
    lines.push(`[${root}\\${k}]`);
    for (const [name, data] of Object.entries(keys[k] ?? {}))
      lines.push(`${name === '@' ? '@' : quote(name)}=${render(data)}`);
    lines.push('');
  }
  return lines.join('\r\n');
};

/** A hive made by hivex from the empty Samba hive plus the given keys. */
export const makeHive = (keys: Record<string, Record<string, RegData>>): Uint8Array => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-hive-'));
  try {
    const hive = join(dir, 'SOFTWARE');
    writeFileSync(hive, emptyHive());
    writeFileSync(join(dir, 'in.reg'), regText(keys));
    run('hivexregedit', ['--merge', '--prefix', 'HKEY_LOCAL_MACHINE\\SOFTWARE', hive, join(dir, 'in.reg')]);
    return new Uint8Array(readFileSync(hive));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const RUN_KEY = 'Microsoft\\Windows\\CurrentVersion\\Run';

/**
 * Appends one hive bin holding a db record, its segment list and the segments, points the vk at the
 * db record and marks the hive 1.5 (db needs 1.4+).
 */
export const withBigData = (hive: Uint8Array, vkOffset: number, data: Uint8Array): Uint8Array => {
  const SEG = 16344;
  const segs: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += SEG) segs.push(data.subarray(i, i + SEG));
  const cells: Uint8Array[] = [];
  const cellOf = (payload: Uint8Array): Uint8Array => {
    const len = Math.ceil((payload.length + 4) / 8) * 8;
    const c = new Uint8Array(len);
    new DataView(c.buffer).setInt32(0, -len, true);
    c.set(payload, 4);
    return c;
  };
  const binStart = hive.length - 0x1000; // relative offset of the new bin
  let at = binStart + 0x20;
  const dbOffset = at;
  const listOffset = dbOffset + 16;
  const segOffsets: number[] = [];
  at = listOffset + Math.ceil((segs.length * 4 + 4) / 8) * 8;
  for (const s of segs) {
    segOffsets.push(at);
    at += cellOf(s).length;
  }
  const db = new Uint8Array(8);
  db.set([0x64, 0x62]);
  new DataView(db.buffer).setUint16(2, segs.length, true);
  new DataView(db.buffer).setUint32(4, listOffset, true);
  cells.push(cellOf(db));
  const list = new Uint8Array(segs.length * 4);
  for (const [i, o] of segOffsets.entries()) new DataView(list.buffer).setUint32(i * 4, o, true);
  cells.push(cellOf(list));
  for (const s of segs) cells.push(cellOf(s));
  const used = 0x20 + cells.reduce((n, c) => n + c.length, 0);
  const binSize = Math.ceil((used + 8) / 0x1000) * 0x1000;
  const bin = new Uint8Array(binSize);
  const bv = new DataView(bin.buffer);
  bin.set([0x68, 0x62, 0x69, 0x6e]);
  bv.setUint32(4, binStart, true);
  bv.setUint32(8, binSize, true);
  let p = 0x20;
  for (const c of cells) {
    bin.set(c, p);
    p += c.length;
  }
  bv.setInt32(p, binSize - p, true); // the rest is one free cell
  const out = new Uint8Array(hive.length + binSize);
  out.set(hive);
  out.set(bin, hive.length);
  const ov = new DataView(out.buffer);
  ov.setUint32(0x1000 + vkOffset + 4 + 8, dbOffset, true); // vk.data_offset
  ov.setUint32(0x18, 5, true); // minor version 5
  ov.setUint32(0x28, out.length - 0x1000, true);
  return out;
};

/** A copy rewritten by Samba's `net rpc registry copy` (source3 regfio writes lf subkey lists). */
export const sambaCopy = (hive: Uint8Array): Uint8Array => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-hive-'));
  try {
    writeFileSync(join(dir, 'in.hiv'), hive);
    run('net', ['rpc', 'registry', 'copy', join(dir, 'in.hiv'), join(dir, 'out.hiv')]);
    return new Uint8Array(readFileSync(join(dir, 'out.hiv')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * Splits a key's (lf/lh) subkey list in two and puts an ri list over the halves, as Windows does for
 * large keys (no third-party writer here emits ri). The new cells go in an appended hive bin.
 */
export const withRiList = (hive: Uint8Array, nkOffset: number): Uint8Array => {
  const v = new DataView(hive.buffer, hive.byteOffset, hive.byteLength);
  const nkData = 0x1000 + nkOffset + 4;
  const listOffset = v.getUint32(nkData + 0x1c, true);
  const listData = 0x1000 + listOffset + 4;
  const sig = hive.subarray(listData, listData + 2);
  const count = v.getUint16(listData + 2, true);
  const entries = hive.subarray(listData + 4, listData + 4 + count * 8);
  const half = Math.floor(count / 2);
  const cellOf = (payload: Uint8Array): Uint8Array => {
    const len = Math.ceil((payload.length + 4) / 8) * 8;
    const c = new Uint8Array(len);
    new DataView(c.buffer).setInt32(0, -len, true);
    c.set(payload, 4);
    return c;
  };
  const listCell = (from: number, to: number): Uint8Array => {
    const p = new Uint8Array(4 + (to - from) * 8);
    p.set(sig);
    new DataView(p.buffer).setUint16(2, to - from, true);
    p.set(entries.subarray(from * 8, to * 8), 4);
    return cellOf(p);
  };
  const binStart = hive.length - 0x1000;
  const a = listCell(0, half);
  const b = listCell(half, count);
  const aOffset = binStart + 0x20;
  const bOffset = aOffset + a.length;
  const riPayload = new Uint8Array(12);
  riPayload.set([0x72, 0x69]);
  const rv = new DataView(riPayload.buffer);
  rv.setUint16(2, 2, true);
  rv.setUint32(4, aOffset, true);
  rv.setUint32(8, bOffset, true);
  const ri = cellOf(riPayload);
  const riOffset = bOffset + b.length;
  const used = 0x20 + a.length + b.length + ri.length;
  const binSize = Math.ceil((used + 8) / 0x1000) * 0x1000;
  const bin = new Uint8Array(binSize);
  const bv = new DataView(bin.buffer);
  bin.set([0x68, 0x62, 0x69, 0x6e]);
  bv.setUint32(4, binStart, true);
  bv.setUint32(8, binSize, true);
  bin.set(a, 0x20);
  bin.set(b, 0x20 + a.length);
  bin.set(ri, 0x20 + a.length + b.length);
  bv.setInt32(used, binSize - used, true);
  const out = new Uint8Array(hive.length + binSize);
  out.set(hive);
  out.set(bin, hive.length);
  const ov = new DataView(out.buffer);
  ov.setUint32(nkData + 0x1c, riOffset, true);
  ov.setUint32(0x28, out.length - 0x1000, true);
  return out;
};
