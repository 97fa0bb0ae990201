/** CSV: one row per host and port (address, hostname, port, proto, state, check, reason, indicators). */
import type { HostExposure } from '../../core/exposure.ts';
import { csvField } from '../escape.ts';
import type { ReportSink } from '../types.ts';
import type { ExposureWriter } from './types.ts';

export const EXPOSURE_CSV_COLUMNS = [
  'address',
  'hostname',
  'port',
  'protocol',
  'state',
  'check',
  'reason',
  'indicators',
] as const;

export const createExposureCsvWriter = (sink: ReportSink): ExposureWriter => ({
  open: () => sink.write(`${EXPOSURE_CSV_COLUMNS.join(',')}\r\n`),
  write: (h: HostExposure) => {
    const indicators = (h.indicators ?? []).map((f) => `${f.indicator}:${f.severity}`).join(';');
    const rows = h.error
      ? [[h.address, h.hostname, undefined, undefined, 'error', h.error.code, h.error.message, indicators]]
      : h.ports.map((p) => [
          h.address,
          h.hostname,
          p.port,
          p.transport,
          p.state,
          p.check,
          p.reason,
          indicators,
        ]);
    return sink.write(rows.map((r) => `${r.map(csvField).join(',')}\r\n`).join(''));
  },
  close: async () => {},
});
