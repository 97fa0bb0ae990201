/**
 * `reg export` / regedit .reg files: "REGEDIT4" (ANSI) and "Windows Registry Editor Version 5.00"
 * (UTF-16LE). Pure: text in, keys and values out. Value forms: "string", dword:xxxxxxxx,
 * hex:…, hex(n):… with `\` line continuations; `-` deletions and `;` comments are skipped.
 */
import { DecodeError } from '../core/errors.ts';
import { decodeText } from './text.ts';

export interface RegExportValue {
  /** Empty for the default value (`@`). */
  name: string;
  type: number;
  /** Decoded text for string types and DWORDs; hex for the rest. */
  text: string;
}

export interface RegExportKey {
  path: string;
  values: RegExportValue[];
  /** 1-based line of the key header. */
  line: number;
}

export interface RegExport {
  version: 'REGEDIT4' | '5.00';
  keys: RegExportKey[];
}

const fail = (line: number, message: string): never => {
  throw new DecodeError({ code: 'IOC_REG_EXPORT_PARSE', offset: line, field: `line ${line}`, message });
};

const unquote = (s: string, line: number): { text: string; rest: string } => {
  if (!s.startsWith('"')) fail(line, 'expected a quoted string');
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      out += s[++i];
    } else if (c === '"') {
      return { text: out, rest: s.slice(i + 1) };
    } else out += c;
  }
  return fail(line, 'unterminated string');
};

const hexBytes = (list: string, line: number): Uint8Array => {
  const parts = list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const out = new Uint8Array(parts.length);
  parts.forEach((p, i) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) fail(line, `bad hex byte "${p.slice(0, 8)}"`);
    out[i] = Number.parseInt(p, 16);
  });
  return out;
};

const utf16 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i]! | (b[i + 1]! << 8));
  return s;
};

const dataText = (type: number, b: Uint8Array, ansi: boolean): string => {
  if (type === 1 || type === 2 || type === 6) {
    return (ansi ? new TextDecoder('latin1').decode(b) : utf16(b)).replace(/\0.*$/s, '');
  }
  if (type === 7)
    return (ansi ? new TextDecoder('latin1').decode(b) : utf16(b)).split('\0').filter(Boolean).join('\n');
  if (type === 4 && b.length >= 4) return String(new DataView(b.buffer, b.byteOffset).getUint32(0, true));
  return Array.from(b.subarray(0, 64), (x) => x.toString(16).padStart(2, '0')).join('');
};

const parseValue = (raw: string, line: number, ansi: boolean): RegExportValue | undefined => {
  let name: string;
  let rest: string;
  if (raw.startsWith('@')) {
    name = '';
    rest = raw.slice(1);
  } else {
    const q = unquote(raw, line);
    name = q.text;
    rest = q.rest;
  }
  rest = rest.trimStart();
  if (!rest.startsWith('=')) fail(line, `expected "=" after value name "${name.slice(0, 40)}"`);
  const data = rest.slice(1).trim();
  if (data === '-') return undefined; // deletion
  if (data.startsWith('"')) return { name, type: 1, text: unquote(data, line).text };
  const dword = /^dword:([0-9a-fA-F]{1,8})$/i.exec(data);
  if (dword) return { name, type: 4, text: String(Number.parseInt(dword[1]!, 16)) };
  const hex = /^hex(?:\(([0-9a-fA-F]{1,8})\))?:(.*)$/is.exec(data);
  if (hex) {
    // hex: without a type is REG_BINARY; in REGEDIT4, hex(2)/hex(7) strings are ANSI bytes.
    const type = hex[1] === undefined ? 3 : Number.parseInt(hex[1], 16);
    return { name, type, text: dataText(type, hexBytes(hex[2]!, line), ansi) };
  }
  return fail(line, `unrecognised value data "${data.slice(0, 40)}"`);
};

/** Parses a .reg export; throws DecodeError(IOC_REG_EXPORT_PARSE) naming the line. */
export const parseRegExport = (input: Uint8Array | string, options: { maxKeys?: number } = {}): RegExport => {
  const text = typeof input === 'string' ? input : decodeText(input);
  const maxKeys = options.maxKeys ?? 1_000_000;
  const lines = text.split(/\r\n|\n|\r/);
  const first = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  const version =
    first === 'REGEDIT4' ? 'REGEDIT4' : first === 'Windows Registry Editor Version 5.00' ? '5.00' : undefined;
  if (!version)
    fail(1, 'not a .reg export (first line is neither REGEDIT4 nor "Windows Registry Editor Version 5.00")');
  const ansi = version === 'REGEDIT4';
  const keys: RegExportKey[] = [];
  let current: RegExportKey | undefined;
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    let l = lines[i]!.trim();
    if (l === '' || l.startsWith(';')) continue;
    if (l.startsWith('[')) {
      const end = l.lastIndexOf(']');
      if (end < 0) fail(lineNo, 'key header without "]"');
      const path = l.slice(1, end);
      if (path.startsWith('-')) {
        current = undefined; // key deletion
        continue;
      }
      current = { path, values: [], line: lineNo };
      keys.push(current);
      if (keys.length > maxKeys) fail(lineNo, `more than ${maxKeys} keys`);
      continue;
    }
    // A trailing backslash continues a hex list on the next line (quoted data ends with a quote).
    while (l.endsWith('\\') && i + 1 < lines.length) {
      l = l.slice(0, -1) + lines[++i]!.trim();
    }
    if (!current) fail(lineNo, 'value outside any key');
    const v = parseValue(l, lineNo, ansi);
    if (v) current!.values.push(v);
  }
  return { version: version!, keys };
};
