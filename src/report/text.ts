/**
 * Default text report in the layout of Microsoft's KB823980scan (shared/seeds/SUMMARY.md): a banner
 * with the targets, seed, shard, port and start time, `<+> Starting scan`, one `ADDRESS (NAMES):
 * verdict` line per host that answered or refused (unreachable hosts are only counted) with its
 * the probes' declared text fields (endpoints with `--epm`, indicators) indented below, then the finish time and elapsed time and the
 * Statistics block. Streams: each host is written as its result arrives (a file is sorted by
 * address when the scan ends, sort-file.ts).
 *
 * Statistics keep the seed's arithmetic (TOTAL HOSTS SCANNED = patched + unpatched; SKIPPED = the
 * rest; both add up to TOTAL ADDRESSES SCANNED). "Patched with KB823980" keeps the seed's meaning
 * (the MS03-026 fix was found, MS03-039 was not); hosts that also have KB824146 get their own line
 * inside SCANNED, and DCOM restricted / not Windows DCOM get their own lines inside SKIPPED next to
 * Needs Investigation.
 *
 * With advice on (the default) an "Advice:" block follows the Statistics block; the host lines and
 * the Statistics block stay exactly as without it.
 *
 * A resumed scan continues the file (ReportOptions.continueFrom): the saved advice tally makes the
 * closing blocks cover the hosts written before the interruption too.
 */
import type { HostResult, RunMeta, RunSummary } from '../core/result.ts';
import { AdviceTally } from './advice.ts';
import { escapeTerminal } from './escape.ts';
import { fieldLines, shownFields } from './fields.ts';
import { hostNames, verdictPhrase } from './labels.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';
import { stateObject } from './writer-state.ts';

const statLine = (label: string, n: number): string => ` ${label.padEnd(34)}= ${n}\n`;

export const statisticsBlock = (s: RunSummary): string => {
  const c = s.counts;
  return [
    'Statistics:\n\n',
    statLine('Patched with KB823980', c['patched-kb823980']),
    statLine('Patched with KB824146 + KB823980', c.patched),
    statLine('Unpatched', c.unpatched),
    statLine('TOTAL HOSTS SCANNED', s.hostsScanned),
    '\n',
    statLine('Needs Investigation', c['needs-investigation']),
    statLine('DCOM restricted', c['dcom-restricted']),
    statLine('Not Windows DCOM', c['not-windows-dcom']),
    statLine('Connection refused', c.refused),
    statLine('Host unreachable', c.unreachable),
    statLine('Errors', c.error),
    statLine('TOTAL HOSTS SKIPPED', s.hostsSkipped),
    '\n',
    statLine('TOTAL ADDRESSES SCANNED', s.totalAddresses),
  ].join('');
};

/** --discovery syn: which SYN engine found the hosts, and its command line. */
const discoveryLine = (meta: RunMeta): string => {
  const d = meta.discovery;
  if (!d) return '';
  const rate = d.rate === undefined ? '' : ` at ${d.rate} packets/s`;
  return `Discovery: SYN sweep by ${d.engine} ${escapeTerminal(d.version)}${rate}: ${escapeTerminal(d.commandLine)}\n`;
};

export const createTextWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const fields = shownFields(options.fields, 'text');
  const tally =
    options.advice === false
      ? undefined
      : options.continueFrom
        ? AdviceTally.restore(stateObject(options.continueFrom, 'advice', 'text'), 'text')
        : new AdviceTally();
  return {
    open: (meta: RunMeta) =>
      sink.write(
        `rpcsweep ${escapeTerminal(meta.version)}: MS03-026 / MS03-039 (KB823980 / KB824146) scanner\n` +
          `Targets: ${escapeTerminal(meta.targetsDescription)} (${meta.totalAddresses} addresses)\n` +
          `Seed ${meta.seed}, shard ${meta.shard.index}/${meta.shard.count}, port ${meta.port}, started ${escapeTerminal(meta.startedAt)}\n` +
          discoveryLine(meta) +
          '\n' +
          `<+> Starting scan (timeout = ${meta.timeoutMs} ms)\n\n`,
      ),
    write: (r: HostResult) => {
      tally?.add(r);
      const phrase = verdictPhrase(r);
      const extra = fields.flatMap((f) => fieldLines(r, f));
      // A silent host is listed only for what a declared field found (an indicator on another port).
      if (phrase === undefined && extra.length === 0) return Promise.resolve();
      const lines = [`${escapeTerminal(r.address)}${hostNames(r)}: ${phrase ?? 'no answer on tcp/135'}`];
      return sink.write(`${[...lines, ...extra].join('\n')}\n`);
    },
    close: (s: RunSummary) =>
      sink.write(
        `\n<+> Scan finished at ${escapeTerminal(s.finishedAt)} (elapsed ${(s.elapsedMs / 1000).toFixed(2)} s)\n\n` +
          `${statisticsBlock(s)}${tally ? `\n${tally.block()}` : ''}`,
      ),
    // The Statistics block comes from the summary; only the advice tally must be carried over.
    saveState: () => (tally ? { advice: tally.saveState() } : {}),
  };
};
