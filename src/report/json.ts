/**
 * One JSON document `{ "meta": RunMeta, "hosts": [HostResult…], "summary": RunSummary }`, streamed:
 * the opening goes out at open, each host as it arrives, the summary at close. With advice on (the
 * default) each host has an `advice` object and the document ends with `"advice": {status: count}`.
 */

import { ADVICE_STATUSES, type AdviceStatus } from '../advice/index.ts';
import type { HostResult, RunMeta, RunSummary } from '../core/result.ts';
import { withAdvice } from './advice.ts';
import { safeJson } from './escape.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';

export const createJsonWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const advice = options.advice !== false;
  const counts = Object.fromEntries(ADVICE_STATUSES.map((s) => [s, 0])) as Record<AdviceStatus, number>;
  let first = true;
  return {
    open: (meta: RunMeta) => sink.write(`{"meta":${safeJson(meta)},\n"hosts":[`),
    write: (r: HostResult) => {
      const sep = first ? '\n' : ',\n';
      first = false;
      if (!advice) return sink.write(sep + safeJson(r));
      const record = withAdvice(r);
      counts[record.advice.status]++;
      return sink.write(sep + safeJson(record));
    },
    close: (s: RunSummary) =>
      sink.write(`\n],\n"summary":${safeJson(s)}${advice ? `,\n"advice":${safeJson(counts)}` : ''}}\n`),
  };
};
