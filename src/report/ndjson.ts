/**
 * NDJSON: one HostResult object per line, written as it arrives; the primary machine format (what
 * `rpcsweep sim` and other tools read back). No header or footer lines, so every line has one shape.
 * With advice on (the default) each line also has an `advice` object (src/report/advice.ts); readers
 * of HostResult lines ignore it.
 */
import type { HostResult } from '../core/result.ts';
import { withAdvice } from './advice.ts';
import { safeJson } from './escape.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';

export const createNdjsonWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const record = options.advice === false ? (r: HostResult) => r : withAdvice;
  return {
    open: async () => {},
    write: (r: HostResult) => sink.write(`${safeJson(record(r))}\n`),
    close: async () => {},
    // No header, footer or separators: a line-complete file can simply be appended to.
    saveState: () => ({}),
  };
};
