/**
 * A HostResult as a table row and back: the columns diff, history and Scanms need are columns; the
 * rest (evidence, endpoints, indicators, advice, OS hints, host name, error, the probes' own fields)
 * is one JSON text. Both
 * stores use these, so a row reads back the same from either.
 */
import type { FixState, Verdict } from '../core/result.ts';
import { packEvidence, unpackEvidence } from './evidence-codec.ts';
import type { StoredResult } from './types.ts';

/** Column order of host_results after scan_id (the stores' insert statements follow it). */
export const RESULT_COLUMNS = [
  'address',
  'verdict',
  'success',
  'reason',
  'ms03_026',
  'ms03_039',
  'dcom_version',
  'remact',
  'sysact',
  'netbios_name',
  'started_at',
  'duration_ms',
  'detail',
] as const;

export type ResultRow = [
  address: string,
  verdict: string,
  success: number,
  reason: string,
  ms03_026: string,
  ms03_039: string,
  dcomVersion: string,
  remact: string,
  sysact: string,
  netbiosName: string | null,
  startedAt: string,
  durationMs: number,
  detail: string,
];

/** The detail column: evidence (positional arrays), endpoints, indicators, advice and the rest. */
export const detailJson = (r: StoredResult, advice: unknown = r.advice): string => {
  const { endpoints, indicators, osHints, evidence, hostname, error, probeFields } = r;
  const detail: Record<string, unknown> = { evidence: evidence.map(packEvidence) };
  if (endpoints) detail.endpoints = endpoints;
  if (indicators) detail.indicators = indicators;
  if (osHints) detail.osHints = osHints;
  if (hostname !== undefined) detail.hostname = hostname;
  if (error) detail.error = error;
  if (advice !== undefined) detail.advice = advice;
  if (probeFields) detail.probeFields = probeFields;
  // One JSON.stringify of a small object: building the text by hand was 2-3 times slower.
  return JSON.stringify(detail);
};

/**
 * Writes a result's columns (RESULT_COLUMNS order) into `out` from index `at`: no array per row.
 * `advice` is stored as the result's advice (its own `advice` when not given).
 */
export const putRow = (r: StoredResult, advice: unknown, out: unknown[], at: number): void => {
  out[at] = r.address;
  out[at + 1] = r.verdict;
  out[at + 2] = r.success ? 1 : 0;
  out[at + 3] = r.reason;
  out[at + 4] = r.ms03_026;
  out[at + 5] = r.ms03_039;
  out[at + 6] = r.dcomVersion;
  out[at + 7] = r.remact;
  out[at + 8] = r.sysact;
  out[at + 9] = r.netbiosName ?? null;
  out[at + 10] = r.startedAt;
  out[at + 11] = r.durationMs;
  out[at + 12] = detailJson(r, advice ?? r.advice);
};

export const toRow = (r: StoredResult, advice?: unknown): ResultRow => {
  const row = new Array(RESULT_COLUMNS.length);
  putRow(r, advice, row, 0);
  return row as ResultRow;
};

/** A row as the driver returns it (column name → value). */
export type RowObject = Record<(typeof RESULT_COLUMNS)[number], unknown>;

export const fromRow = (row: RowObject): StoredResult => {
  const detail = JSON.parse(String(row.detail)) as Partial<StoredResult> & { evidence?: unknown[] };
  const r: StoredResult = {
    schema: 1,
    address: String(row.address),
    verdict: row.verdict as Verdict,
    success: Number(row.success) === 1 || row.success === true,
    reason: String(row.reason),
    ms03_026: row.ms03_026 as FixState,
    ms03_039: row.ms03_039 as FixState,
    dcomVersion: String(row.dcom_version),
    remact: row.remact as StoredResult['remact'],
    sysact: row.sysact as StoredResult['sysact'],
    evidence: (detail.evidence ?? []).map((e) => unpackEvidence(e as Parameters<typeof unpackEvidence>[0])),
    startedAt: String(row.started_at),
    durationMs: Number(row.duration_ms),
  };
  if (row.netbios_name !== null && row.netbios_name !== undefined) r.netbiosName = String(row.netbios_name);
  for (const k of [
    'hostname',
    'endpoints',
    'indicators',
    'osHints',
    'error',
    'advice',
    'probeFields',
  ] as const) {
    if (detail[k] !== undefined) (r as unknown as Record<string, unknown>)[k] = detail[k];
  }
  return r;
};

/** Splits difference rows into the two sides' verdict maps. */
export const differenceMaps = (
  rows: Iterable<{ address: string; old: string | null; new: string | null }>,
) => {
  const out = { old: new Map<string, Verdict>(), new: new Map<string, Verdict>() };
  for (const r of rows) {
    if (r.old !== null) out.old.set(r.address, r.old as Verdict);
    if (r.new !== null) out.new.set(r.address, r.new as Verdict);
  }
  return out;
};

/**
 * The SQL of hostHistory (columns scan_id, verdict): one primary-key lookup per scan, as a
 * correlated subquery so that neither planner may scan host_results instead (there is no index by
 * address; SQLite without statistics chose a full scan for the equivalent join).
 */
export const hostHistorySql = (address: string): string =>
  `SELECT scan_id, verdict FROM (
     SELECT s.id AS scan_id,
            (SELECT h.verdict FROM host_results h WHERE h.scan_id = s.id AND h.address = ${address}) AS verdict
       FROM scans s) x
   WHERE verdict IS NOT NULL ORDER BY scan_id`;

/**
 * PostgreSQL's form of the same question: a merge full join of the two scans' (address, verdict),
 * each read in address order from the primary key alone (verdict is INCLUDEd there): no heap, no
 * sort, no hash table. ORDER BY … OFFSET 0 keeps each side a subquery whose order the planner sees
 * (pulled up, the index order was lost and a hash join built a million-row table: 4-5.5 s against
 * 2.6-3.3 s under load). SQLite keeps the form below, walking its key index.
 */
export const differencesFullJoinSql = (old: string, now: string): string =>
  `SELECT coalesce(o.address, n.address) AS address, o.verdict AS old, n.verdict AS new
     FROM (SELECT address, verdict FROM host_results WHERE scan_id = ${old} ORDER BY address OFFSET 0) o
     FULL JOIN (SELECT address, verdict FROM host_results WHERE scan_id = ${now} ORDER BY address OFFSET 0) n
       ON n.address = o.address
     WHERE o.verdict IS DISTINCT FROM n.verdict`;

/** The SQL of ResultStore.readDifferences (SQLite); `old`/`now` are the dialect's placeholders. */
export const differencesSql = (old: string, now: string): string =>
  `SELECT o.address AS address, o.verdict AS old, n.verdict AS new
       FROM host_results o LEFT JOIN host_results n ON n.scan_id = ${now} AND n.address = o.address
       WHERE o.scan_id = ${old} AND (n.verdict IS NULL OR n.verdict <> o.verdict)
     UNION ALL
     SELECT n.address, NULL, n.verdict FROM host_results n
       WHERE n.scan_id = ${now} AND NOT EXISTS (SELECT 1 FROM host_results o WHERE o.scan_id = ${old} AND o.address = n.address)`;
