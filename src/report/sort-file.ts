/**
 * Hosts in report files sorted by address. Writers stream results in arrival order (a terminal shows
 * them live, and a resumed scan appends to its file); when a scan to a file ends, the file's host
 * section is put in address order and the file replaced atomically. Each format says which lines
 * start a host (and with which address); lines indented by four spaces belong to the host above
 * (text: endpoints, indicators). Everything before the first and after the last host stays put.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

/** Larger files stay in scan order: the sort holds the file in memory (V8 strings stop near 512 MiB). */
export const SORT_MAX_BYTES = 256 * 1024 * 1024;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A key that sorts IPv4 numerically, then IPv6 numerically; undefined when `s` is no address. */
export const addressSortKey = (s: string): string | undefined => {
  const v4 = IPV4.exec(s);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((o) => o <= 255)
      ? `4${octets.map((o) => o.toString(16).padStart(2, '0')).join('')}`
      : undefined;
  }
  if (!/^[0-9a-f:.]+$/i.test(s) || !s.includes(':')) return undefined;
  let text = s.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const k = addressSortKey(tail[1]!);
    if (!k) return undefined;
    text = `${text.slice(0, -tail[1]!.length)}${k.slice(1, 5)}:${k.slice(5)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const missing = 8 - groups.reduce((n, g) => n + g.length, 0);
  const all = halves.length === 2 ? [...groups[0]!, ...Array(missing).fill('0'), ...groups[1]!] : groups[0]!;
  if (all.length !== 8 || !all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return `6${all.map((g) => g.padStart(4, '0')).join('')}`;
};

/** The address a line of this format starts a host with, or undefined. */
type HostLine = (line: string) => string | undefined;

const firstWord: HostLine = (l) => (l.startsWith(' ') ? undefined : l.split(' ')[0]?.replace(/:$/, ''));
const jsonAddress: HostLine = (l) => /^\{(?:"schema":1,)?"address":"([^"\\]+)"/.exec(l)?.[1];

const HOST_LINES: Readonly<Record<string, HostLine>> = {
  text: firstWord,
  scanms: firstWord,
  ndjson: jsonAddress,
  json: jsonAddress,
  csv: (l) => l.split(',')[0],
  xml: (l) => (l.startsWith('<host ') ? /<address addr="([^"]+)"/.exec(l)?.[1] : undefined),
};

interface Chunk {
  key: string;
  lines: string[];
}

/** The host section of `lines` as chunks, with its bounds; undefined when it is not contiguous. */
const hostChunks = (lines: string[], hostLine: HostLine) => {
  const chunks: Chunk[] = [];
  let first = -1;
  let end = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const address = hostLine(line);
    const key = address === undefined ? undefined : addressSortKey(address);
    if (key !== undefined) {
      if (first >= 0 && end !== i) return undefined; // something else between two hosts
      if (first < 0) first = i;
      chunks.push({ key, lines: [line] });
      end = i + 1;
    } else if (first >= 0 && end === i && line.startsWith('    ')) {
      chunks.at(-1)!.lines.push(line);
      end = i + 1;
    }
  }
  return first < 0 ? undefined : { chunks, first, end };
};

/** The report text with its hosts in address order (json: the separators follow the new order). */
export const sortReportText = (text: string, format: string): string => {
  const hostLine = HOST_LINES[format];
  if (!hostLine) return text;
  const lines = text.split('\n');
  const section = hostChunks(lines, hostLine);
  if (!section) return text;
  const sorted = [...section.chunks].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let body = sorted.flatMap((c) => c.lines);
  if (format === 'json') body = body.map((l, i) => `${l.replace(/,$/, '')}${i < body.length - 1 ? ',' : ''}`);
  return [...lines.slice(0, section.first), ...body, ...lines.slice(section.end)].join('\n');
};

/**
 * Sorts the hosts of a finished report file in place (a temporary file renamed over it). Returns
 * false when the file is over SORT_MAX_BYTES and was left in scan order.
 */
export const sortReportFile = (path: string, format: string): boolean => {
  if (statSync(path).size > SORT_MAX_BYTES) return false;
  const text = readFileSync(path, 'utf8');
  const sorted = sortReportText(text, format);
  if (sorted === text) return true;
  const tmp = `${path}.sorting`;
  writeFileSync(tmp, sorted);
  renameSync(tmp, path);
  return true;
};
