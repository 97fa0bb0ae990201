/**
 * One JSON document `{ "meta": RunMeta, "hosts": [HostResult…], "summary": RunSummary }`, streamed:
 * the opening goes out at open, each host as it arrives, the summary at close. Each host has `cves`
 * (record.ts) and, with advice on (the default), an `advice` object and the document ends with `"advice": {status: count}`.
 * A continued file (resumed scan) keeps the host count (for the separator) and the advice counts.
 */

import { ADVICE_STATUSES, type AdviceStatus } from '../advice/index.ts';
import type { HostResult, RunMeta, RunSummary } from '../core/result.ts';
import { safeJson } from './escape.ts';
import { fullRecord } from './record.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';
import { stateCount, stateCounts } from './writer-state.ts';

const emptyAdviceCounts = () =>
  Object.fromEntries(ADVICE_STATUSES.map((s) => [s, 0])) as Record<AdviceStatus, number>;

export const createJsonWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const advice = options.advice !== false;
  const from = options.continueFrom;
  const counts = from && advice ? stateCounts(from, 'advice', ADVICE_STATUSES, 'json') : emptyAdviceCounts();
  // Hosts already in the array pick the separator (no comma before the first), also in a continued file.
  let hosts = from ? stateCount(from, 'hosts', 'json') : 0;
  return {
    open: (meta: RunMeta) => sink.write(`{"meta":${safeJson(meta)},\n"hosts":[`),
    write: (r: HostResult) => {
      const sep = hosts === 0 ? '\n' : ',\n';
      hosts++;
      const record = fullRecord(r, advice);
      if (record.advice) counts[record.advice.status]++;
      return sink.write(sep + safeJson(record));
    },
    close: (s: RunSummary) =>
      sink.write(`\n],\n"summary":${safeJson(s)}${advice ? `,\n"advice":${safeJson(counts)}` : ''}}\n`),
    saveState: () => (advice ? { hosts, advice: { ...counts } } : { hosts }),
  };
};
