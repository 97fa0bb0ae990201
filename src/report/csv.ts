/**
 * CSV (RFC 4180, CRLF line ends), one row per address with a fixed header. Every text cell passes
 * csvField: quoting, control characters made visible, and a `'` before formula starters. `cves` holds
 * the CVE ids the host was found vulnerable to (`;`-separated); the last column, `advice`, is the
 * host's advice in one line (status and fixes), empty with advice off. The probes' declared csv
 * fields (`ReportOptions.fields`) are the columns after `dcom_version`.
 */

import { adviceFor } from '../advice/index.ts';
import { fieldLabel, type HostResult, type ResultField } from '../core/result.ts';
import { adviceOneLine } from './advice.ts';
import { vulnerableCveIds } from './cves.ts';
import { csvField } from './escape.ts';
import { fieldCell, shownFields } from './fields.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';

/** The columns before the probes' declared fields, and after them. */
const HEAD = [
  'address',
  'hostname',
  'verdict',
  'success',
  'ms03_026',
  'ms03_039',
  'remact',
  'sysact',
  'dcom_version',
];
const TAIL = ['reason', 'started_at', 'duration_ms', 'error_code', 'cves', 'advice'];

/** The header: fixed columns with the declared csv fields (`netbios_name`, `indicators`, …) between. */
export const csvColumns = (fields: readonly ResultField[]): string[] => [
  ...HEAD,
  ...fields.map(fieldLabel),
  ...TAIL,
];

const cells = (
  r: HostResult,
  fields: readonly ResultField[],
  advice: boolean,
): Array<string | number | boolean | undefined> => [
  r.address,
  r.hostname,
  r.verdict,
  r.success,
  r.ms03_026,
  r.ms03_039,
  r.remact,
  r.sysact,
  r.dcomVersion,
  ...fields.map((f) => fieldCell(r, f)),
  r.reason,
  r.startedAt,
  Math.round(r.durationMs),
  r.error?.code,
  vulnerableCveIds(r).join(';'),
  advice ? adviceOneLine(adviceFor(r)) : undefined,
];

export const createCsvWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const fields = shownFields(options.fields, 'csv');
  return {
    open: () => sink.write(`${csvColumns(fields).join(',')}\r\n`),
    write: (r: HostResult) =>
      sink.write(
        `${cells(r, fields, options.advice !== false)
          .map(csvField)
          .join(',')}\r\n`,
      ),
    close: async () => {},
    // The header was written by the first process; rows need nothing else.
    saveState: () => ({}),
  };
};
