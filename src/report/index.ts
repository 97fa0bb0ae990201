/**
 * The report-format registry: one line per format. `-o FILE` picks the format from the extension.
 */
import { RpcsweepError } from '../core/errors.ts';
import { createCsvWriter } from './csv.ts';
import { createHtmlWriter } from './html/index.ts';
import { createJsonWriter } from './json.ts';
import { createNdjsonWriter } from './ndjson.ts';
import { createScanmsWriter } from './scanms.ts';
import { createTextWriter } from './text.ts';
import type { ReportOptions, ReportSink, ReportWriter, ReportWriterFactory } from './types.ts';
import { createXmlWriter } from './xml.ts';

export { csvField, escapeTerminal, safeJson, xmlEscape } from './escape.ts';
export { SORT_MAX_BYTES, sortReportFile } from './sort-file.ts';
export { statisticsBlock } from './text.ts';
export * from './types.ts';

export interface ReportFormat {
  name: string;
  description: string;
  /** File extensions (lower case, with the dot) that select this format for `-o FILE`. */
  extensions: readonly string[];
  create: ReportWriterFactory;
}

export const REPORT_FORMATS: readonly ReportFormat[] = [
  {
    name: 'text',
    description: 'KB823980scan-style lines and statistics',
    extensions: ['.txt'],
    create: createTextWriter,
  },
  {
    name: 'scanms',
    description: 'ISS Scanms-style REMACT/SYSACT table',
    extensions: [],
    create: createScanmsWriter,
  },
  {
    name: 'ndjson',
    description: 'one JSON object per address (streamed)',
    extensions: ['.ndjson', '.jsonl'],
    create: createNdjsonWriter,
  },
  {
    name: 'json',
    description: 'one JSON document: meta, hosts, summary',
    extensions: ['.json'],
    create: createJsonWriter,
  },
  { name: 'csv', description: 'one CSV row per address', extensions: ['.csv'], create: createCsvWriter },
  { name: 'xml', description: 'nmap -oX schema', extensions: ['.xml'], create: createXmlWriter },
  {
    name: 'html',
    description: 'one self-contained page: cards, needs action, charts, host table (written at the end)',
    extensions: ['.html', '.htm'],
    create: createHtmlWriter,
  },
];

export const REPORT_FORMAT_NAMES: readonly string[] = REPORT_FORMATS.map((f) => f.name);

export const findReportFormat = (name: string): ReportFormat => {
  const f = REPORT_FORMATS.find((x) => x.name === name);
  if (!f) {
    throw new RpcsweepError(
      'REPORT_UNKNOWN_FORMAT',
      `unknown report format "${name}" (known: ${REPORT_FORMAT_NAMES.join(', ')})`,
    );
  }
  return f;
};

/** The format `-o FILE` implies, or undefined when the extension is not one we know. */
export const formatForPath = (path: string): string | undefined => {
  const lower = path.toLowerCase();
  return REPORT_FORMATS.find((f) => f.extensions.some((e) => lower.endsWith(e)))?.name;
};

export const createReportWriter = (format: string, sink: ReportSink, options?: ReportOptions): ReportWriter =>
  findReportFormat(format).create(sink, options);
