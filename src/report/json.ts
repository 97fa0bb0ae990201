/**
 * One JSON document `{ "meta": RunMeta, "hosts": [HostResult…], "summary": RunSummary }`, streamed:
 * the opening goes out at open, each host as it arrives, the summary at close.
 */
import type { HostResult, RunMeta, RunSummary } from '../core/result.ts';
import { safeJson } from './escape.ts';
import type { ReportSink, ReportWriter } from './types.ts';

export const createJsonWriter = (sink: ReportSink): ReportWriter => {
  let first = true;
  return {
    open: (meta: RunMeta) => sink.write(`{"meta":${safeJson(meta)},\n"hosts":[`),
    write: (r: HostResult) => {
      const sep = first ? '\n' : ',\n';
      first = false;
      return sink.write(sep + safeJson(r));
    },
    close: (s: RunSummary) => sink.write(`\n],\n"summary":${safeJson(s)}}\n`),
  };
};
