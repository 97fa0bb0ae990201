/** NDJSON: one HostExposure per line, streamed. */
import type { HostExposure } from '../../core/exposure.ts';
import { safeJson } from '../escape.ts';
import type { ReportSink } from '../types.ts';
import type { ExposureWriter } from './types.ts';

export const createExposureNdjsonWriter = (sink: ReportSink): ExposureWriter => ({
  open: async () => {},
  write: (h: HostExposure) => sink.write(`${safeJson(h)}\n`),
  close: async () => {},
});
