/**
 * `tasklist /fo csv` exports (optionally /v or /svc): a quoted CSV whose first column is the image
 * name. Header names are localised, so columns are found by position, plus a "Services" column by
 * name when present. Pure: text in, rows out.
 */
import { DecodeError } from '../core/errors.ts';
import { decodeText } from './text.ts';

export interface TaskRow {
  image: string;
  pid?: number;
  /** From `tasklist /svc`: the services hosted by the process. */
  services: string[];
  line: number;
}

/** Splits one CSV line (double-quoted fields, "" escapes). */
export const splitCsvLine = (line: string): string[] => {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
};

export const parseTasklistCsv = (
  input: Uint8Array | string,
  options: { maxRows?: number } = {},
): TaskRow[] => {
  const text = typeof input === 'string' ? input : decodeText(input);
  const maxRows = options.maxRows ?? 1_000_000;
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0]!.replace(/^\uFEFF/, ''));
  // Without /nh the first row is a header: its second column is not a number.
  const hasHeader = !/^\d+$/.test((header[1] ?? '').trim());
  if (header.length < 2 || !lines[0]!.trimStart().startsWith('"')) {
    throw new DecodeError({
      code: 'IOC_TASKLIST_PARSE',
      offset: 1,
      field: 'line 1',
      message: 'not a tasklist /fo csv export (expected quoted CSV columns)',
    });
  }
  const servicesColumn = hasHeader
    ? header.findIndex((h) => /^services$|^dienste$|^services? ?\(s\)$/i.test(h.trim()))
    : -1;
  const rows: TaskRow[] = [];
  for (let i = hasHeader ? 1 : 0; i < lines.length && rows.length < maxRows; i++) {
    const f = splitCsvLine(lines[i]!);
    const image = (f[0] ?? '').trim();
    if (!image) continue;
    const pid = Number.parseInt(f[1] ?? '', 10);
    const svc = servicesColumn >= 0 ? (f[servicesColumn] ?? '') : '';
    rows.push({
      image,
      ...(Number.isFinite(pid) ? { pid } : {}),
      services:
        svc && svc !== 'N/A'
          ? svc
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [],
      line: i + 1,
    });
  }
  return rows;
};
