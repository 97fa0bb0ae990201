/**
 * ISS Scanms-style table (shared/seeds/SUMMARY.md). Scanms (August 2003) predates MS03-039: its two
 * columns are two ways of testing the same flaw, MS03-026, and its DCOM Version comes from the
 * REMACT reply. The seed's sample rows fit one reading (docs/reports.md, "Scanms columns"):
 *
 *   SYSACT: MS03-026 through ISystemActivator, tried first; `[....]` when the host offers none (NT4).
 *   REMACT: MS03-026 through IRemoteActivation, only when SYSACT did not already say `[VULN]`.
 *   DCOM Version: the COMVERSION of that REMACT reply; `0.0` when there was none.
 *
 * So a KB823980 host reads `[ptch] [ptch] 5.6` and an unpatched one `[....] [VULN] 0.0`, as in the
 * seed. rpcsweep's MS03-039 result, which Scanms never had, is a column of its own. Only hosts that
 * answered on tcp/135 get a row; refused, unreachable and failed addresses are counted in the footer.
 * With advice on (the default) the text report's Advice block follows the footer.
 */
import { answeredVerdict, type HostResult, type RunMeta, type RunSummary, VERDICTS } from '../core/result.ts';
import { AdviceTally } from './advice.ts';
import { escapeTerminal } from './escape.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';
import { stateObject } from './writer-state.ts';

type Mark = 'VULN' | 'ptch' | '....';

const mark = (state: HostResult['ms03_026']): Mark =>
  state === 'patched' ? 'ptch' : state === 'vulnerable' ? 'VULN' : '....';

export interface ScanmsRow {
  remact: Mark;
  sysact: Mark;
  dcomVersion: string;
  ms03039: Mark;
}

/** The Scanms columns of one host, from rpcsweep's probe readings (see the header comment). */
export const scanmsRow = (r: HostResult): ScanmsRow => {
  // rpcsweep's SYSACT probe decided (patched or MS03-039 missing): ISystemActivator is offered, and the
  // host's MS03-026 state is what a test through it reports.
  const sysact = r.sysact === '....' ? '....' : mark(r.ms03_026);
  const remact = sysact === 'VULN' ? '....' : r.remact;
  const reply = r.evidence.find((e) => e.probe === 'ms03-026-remact' && e.classification === 'hresult');
  const dcomVersion = remact !== '....' && reply?.comVersion ? reply.comVersion : '0.0';
  return { remact, sysact, dcomVersion, ms03039: mark(r.ms03_039) };
};

const row = (ip: string, remact: string, sysact: string, version: string, ms03039: string): string =>
  `${ip.padEnd(16)} ${remact.padEnd(7)} ${sysact.padEnd(7)} ${version.padEnd(13)} ${ms03039}\n`;

export const createScanmsWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const tally =
    options.advice === false
      ? undefined
      : options.continueFrom
        ? AdviceTally.restore(stateObject(options.continueFrom, 'advice', 'scanms'), 'scanms')
        : new AdviceTally();
  return {
    open: (meta: RunMeta) =>
      sink.write(
        `rpcsweep ${escapeTerminal(meta.version)} (Scanms-compatible output; MS03-039 is rpcsweep's own column)\n\n` +
          row('IP Address', 'REMACT', 'SYSACT', 'DCOM Version', 'MS03-039'),
      ),
    write: (r: HostResult) => {
      tally?.add(r);
      if (!answeredVerdict(r.verdict)) return Promise.resolve();
      const c = scanmsRow(r);
      return sink.write(
        row(
          escapeTerminal(r.address),
          `[${c.remact}]`,
          `[${c.sysact}]`,
          escapeTerminal(c.dcomVersion),
          `[${c.ms03039}]`,
        ),
      );
    },
    close: (s: RunSummary) => {
      const answered = VERDICTS.filter(answeredVerdict).reduce((n, v) => n + s.counts[v], 0);
      return sink.write(
        `\n${answered} answered, ${s.counts.refused} refused, ${s.counts.unreachable} unreachable, ${s.counts.error} errors, ${s.totalAddresses} addresses\n` +
          (tally ? `\n${tally.block()}` : ''),
      );
    },
    // The footer counts come from the summary; only the advice tally must be carried over.
    saveState: () => (tally ? { advice: tally.saveState() } : {}),
  };
};
