/**
 * NDJSON: one HostResult object per line, written as it arrives; the primary machine format (what
 * `rpcsweep sim` and other tools read back). No header or footer lines, so every line has one shape.
 */
import type { HostResult } from '../core/result.ts';
import { safeJson } from './escape.ts';
import type { ReportSink, ReportWriter } from './types.ts';

export const createNdjsonWriter = (sink: ReportSink): ReportWriter => ({
  open: async () => {},
  write: (r: HostResult) => sink.write(`${safeJson(r)}\n`),
  close: async () => {},
});
