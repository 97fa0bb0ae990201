/**
 * CSV (RFC 4180, CRLF line ends), one row per address with a fixed header. Every text cell passes
 * csvField: quoting, control characters made visible, and a `'` before formula starters. `cves` holds
 * the CVE ids the host was found vulnerable to (`;`-separated); the last column, `advice`, is the
 * host's advice in one line (status and fixes), empty with advice off.
 */

import { adviseHost } from '../advice/index.ts';
import type { HostResult } from '../core/result.ts';
import { adviceOneLine } from './advice.ts';
import { vulnerableCveIds } from './cves.ts';
import { csvField } from './escape.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';

export const CSV_COLUMNS = [
  'address',
  'hostname',
  'verdict',
  'success',
  'ms03_026',
  'ms03_039',
  'remact',
  'sysact',
  'dcom_version',
  'netbios_name',
  'indicators',
  'reason',
  'started_at',
  'duration_ms',
  'error_code',
  'cves',
  'advice',
] as const;

const cells = (r: HostResult, advice: boolean): Array<string | number | boolean | undefined> => [
  r.address,
  r.hostname,
  r.verdict,
  r.success,
  r.ms03_026,
  r.ms03_039,
  r.remact,
  r.sysact,
  r.dcomVersion,
  r.netbiosName,
  r.indicators?.map((f) => `${f.indicator}:${f.severity}`).join(';'),
  r.reason,
  r.startedAt,
  Math.round(r.durationMs),
  r.error?.code,
  vulnerableCveIds(r).join(';'),
  advice ? adviceOneLine(adviseHost(r)) : undefined,
];

export const createCsvWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => ({
  open: () => sink.write(`${CSV_COLUMNS.join(',')}\r\n`),
  write: (r: HostResult) =>
    sink.write(
      `${cells(r, options.advice !== false)
        .map(csvField)
        .join(',')}\r\n`,
    ),
  close: async () => {},
  // The header was written by the first process; rows need nothing else.
  saveState: () => ({}),
});
