/**
 * The scan command's view of the report writers (src/report): format names, the format `-o FILE`
 * implies, and a writer bound to a Node Writable. Unknown extensions fall back to text. Advice is on
 * unless `advice: false` (`--no-advice`).
 */
import type { Writable } from 'node:stream';
import {
  createReportWriter,
  REPORT_FORMAT_NAMES,
  type ReportWriter,
  formatForPath as reportFormatForPath,
  sinkFromWritable,
} from '../../report/index.ts';

export type ResultWriter = ReportWriter;

export const isKnownFormat = (f: string): boolean => REPORT_FORMAT_NAMES.includes(f);

export const formatForPath = (path: string): string => reportFormatForPath(path) ?? 'text';

export const createWriter = (format: string, sink: Writable, options?: { advice?: boolean }): ResultWriter =>
  createReportWriter(format, sinkFromWritable(sink), options);
