/** One JSON document `{ meta, hosts: [HostExposure…], summary }`, streamed. */
import type { ExposureSummary, HostExposure } from '../../core/exposure.ts';
import { safeJson } from '../escape.ts';
import type { ReportSink } from '../types.ts';
import type { ExposureMeta, ExposureWriter } from './types.ts';

export const createExposureJsonWriter = (sink: ReportSink): ExposureWriter => {
  let first = true;
  return {
    open: (m: ExposureMeta) => sink.write(`{"meta":${safeJson(m)},\n"hosts":[`),
    write: (h: HostExposure) => {
      const sep = first ? '\n' : ',\n';
      first = false;
      return sink.write(sep + safeJson(h));
    },
    close: (s: ExposureSummary) => sink.write(`\n],\n"summary":${safeJson(s)}}\n`),
  };
};
