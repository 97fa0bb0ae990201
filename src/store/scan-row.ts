/** The scans table's columns ⇄ ScanRow, shared by both stores. */
import type { Verdict } from '../core/result.ts';
import type { NewScan, ScanRow } from './types.ts';

/** Insert order of a new scan's columns (both stores' createScan). */
export const SCAN_COLUMNS = [
  'started_at',
  'targets',
  'scope',
  'seed',
  'shard',
  'options',
  'version',
  'total',
  'keep_unreachable',
  'fingerprint',
] as const;

export const scanValues = (s: NewScan): unknown[] => [
  s.startedAt,
  JSON.stringify(s.targets),
  JSON.stringify(s.scope),
  s.seed,
  s.shard,
  JSON.stringify(s.options),
  s.version,
  s.total,
  s.keepUnreachable ? 1 : 0,
  s.fingerprint,
];

export const scanFromRow = (row: Record<string, unknown>): ScanRow => {
  const scan: ScanRow = {
    id: Number(row.id),
    startedAt: String(row.started_at),
    targets: JSON.parse(String(row.targets)) as string[],
    scope: JSON.parse(String(row.scope)) as string[],
    seed: Number(row.seed),
    shard: String(row.shard),
    options: JSON.parse(String(row.options)) as Record<string, unknown>,
    version: String(row.version),
    total: Number(row.total),
    keepUnreachable: Number(row.keep_unreachable) === 1,
    fingerprint: String(row.fingerprint),
  };
  if (row.finished_at !== null && row.finished_at !== undefined) scan.finishedAt = String(row.finished_at);
  if (row.counts !== null && row.counts !== undefined) {
    scan.counts = JSON.parse(String(row.counts)) as Partial<Record<Verdict, number>>;
  }
  return scan;
};
