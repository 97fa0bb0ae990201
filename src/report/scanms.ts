/**
 * ISS Scanms-style table (shared/seeds/SUMMARY.md): `IP Address  REMACT  SYSACT  DCOM Version` with
 * `[VULN]`, `[ptch]`, `[....]`. Like Scanms, only hosts that answered on tcp/135 get a row; refused,
 * unreachable and failed addresses are counted in the footer. The table stays as Scanms printed it;
 * with advice on (the default) the text report's Advice block follows the footer.
 */
import type { HostResult, RunMeta, RunSummary } from '../core/result.ts';
import { AdviceTally } from './advice.ts';
import { escapeTerminal } from './escape.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';
import { stateObject } from './writer-state.ts';

const ANSWERED = new Set([
  'patched',
  'patched-kb823980',
  'unpatched',
  'dcom-restricted',
  'not-windows-dcom',
  'needs-investigation',
]);

const row = (ip: string, remact: string, sysact: string, version: string): string =>
  `${ip.padEnd(16)} ${remact.padEnd(7)} ${sysact.padEnd(7)} ${version}\n`;

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
        `rpcsweep ${escapeTerminal(meta.version)} (Scanms-compatible output)\n\n` +
          row('IP Address', 'REMACT', 'SYSACT', 'DCOM Version'),
      ),
    write: (r: HostResult) => {
      tally?.add(r);
      return ANSWERED.has(r.verdict)
        ? sink.write(
            row(escapeTerminal(r.address), `[${r.remact}]`, `[${r.sysact}]`, escapeTerminal(r.dcomVersion)),
          )
        : Promise.resolve();
    },
    close: (s: RunSummary) => {
      const answered = s.totalAddresses - s.counts.refused - s.counts.unreachable - s.counts.error;
      return sink.write(
        `\n${answered} answered, ${s.counts.refused} refused, ${s.counts.unreachable} unreachable, ${s.counts.error} errors, ${s.totalAddresses} addresses\n` +
          (tally ? `\n${tally.block()}` : ''),
      );
    },
    // The footer counts come from the summary; only the advice tally must be carried over.
    saveState: () => (tally ? { advice: tally.saveState() } : {}),
  };
};
