/**
 * The `html` report format: one self-contained page a person reads first (issue #14). The writer
 * keeps a compact model while the scan runs and writes the whole page at close, so the file appears
 * in one piece at the end. It cannot continue a file (no saveState), so `scan --resume-file` refuses
 * it; `advice: false` leaves the advice out as in the other formats.
 */
import type { HostResult, RunMeta, RunSummary } from '../../core/result.ts';
import type { ReportOptions, ReportSink, ReportWriter } from '../types.ts';
import { HtmlReportModel } from './model.ts';
import { renderHtmlPage } from './page.ts';

export type { HostChange } from './model.ts';
export { HtmlReportModel } from './model.ts';
export { contentSecurityPolicy, type PageOptions, renderHtmlPage } from './page.ts';

export const createHtmlWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const model = new HtmlReportModel({ advice: options.advice, fields: options.fields });
  return {
    open: async (meta: RunMeta) => {
      model.meta = meta;
    },
    write: async (r: HostResult) => model.add(r),
    close: (s: RunSummary) => sink.write(renderHtmlPage(model, s)),
  };
};
