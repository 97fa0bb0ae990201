/**
 * NDJSON: one HostResult object per line, written as it arrives; the primary machine format (what
 * `rpcsweep sim` and other tools read back). No header or footer lines, so every line has one shape.
 * Each line also has `cves` and, with advice on (the default), an `advice` object (record.ts); readers
 * of HostResult lines ignore them. Unreachable addresses get a compact line (record.ts).
 */
import type { HostResult } from '../core/result.ts';
import { safeJson } from './escape.ts';
import { compactRecord, fullRecord } from './record.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';

export const createNdjsonWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const advice = options.advice !== false;
  const record = (r: HostResult) => (r.verdict === 'unreachable' ? compactRecord(r) : fullRecord(r, advice));
  return {
    open: async () => {},
    write: (r: HostResult) => sink.write(`${safeJson(record(r))}\n`),
    close: async () => {},
    // No header, footer or separators: a line-complete file can simply be appended to.
    saveState: () => ({}),
  };
};
