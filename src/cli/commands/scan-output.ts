/**
 * The scan command's view of the report writers (src/report): format names, the format `-o FILE`
 * implies, and a writer bound to a Node Writable. Unknown extensions fall back to text. Advice is on
 * unless `advice: false` (`--no-advice`); `continueFrom` continues a file a resumed scan cut back to
 * its last checkpoint (the writer state saved with it).
 */
import type { Writable } from 'node:stream';
import {
  createReportWriter,
  REPORT_FORMAT_NAMES,
  type ReportWriter,
  formatForPath as reportFormatForPath,
  sinkFromWritable,
  type WriterState,
} from '../../report/index.ts';

export type ResultWriter = ReportWriter;

export const isKnownFormat = (f: string): boolean => REPORT_FORMAT_NAMES.includes(f);

export const formatForPath = (path: string): string => reportFormatForPath(path) ?? 'text';

export const createWriter = (
  format: string,
  sink: Writable,
  options?: { advice?: boolean; continueFrom?: WriterState },
): ResultWriter => createReportWriter(format, sinkFromWritable(sink), options);

/**
 * How `--resume` treats results written after the last checkpoint: NDJSON lines are whole results,
 * so they are read back and kept; every other format has state in its closing part (counts, array
 * and element ends), so the file is cut back to the checkpoint and those addresses are scanned again.
 */
export const resumeReadsBack = (format: string): boolean => format === 'ndjson';
