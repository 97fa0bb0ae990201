/**
 * A HostResult as a table row and back: the columns diff, history and Scanms need are columns; the
 * rest (evidence, endpoints, indicators, advice, OS hints, host name, error, the probes' own fields)
 * is one JSON text. Both
 * stores use these, so a row reads back the same from either.
 */
import type { FixState, ProbeEvidence, Verdict } from '../core/result.ts';
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

/**
 * Evidence as stored: the transport and port every activation probe shares (tcp/135) are left out
 * and restored on reading; they are most of a record's repeated bytes.
 */
const packEvidence = (e: ProbeEvidence): Partial<ProbeEvidence> => {
  const { transport, port, ...rest } = e;
  return { ...rest, ...(transport === 'tcp' ? {} : { transport }), ...(port === 135 ? {} : { port }) };
};
const unpackEvidence = (e: Partial<ProbeEvidence>): ProbeEvidence =>
  ({ transport: 'tcp', port: 135, ...e }) as ProbeEvidence;

export const toRow = (r: StoredResult): ResultRow => {
  const { endpoints, indicators, osHints, evidence, hostname, error, advice, probeFields } = r;
  const detail: Record<string, unknown> = { evidence: evidence.map(packEvidence) };
  if (endpoints) detail.endpoints = endpoints;
  if (indicators) detail.indicators = indicators;
  if (osHints) detail.osHints = osHints;
  if (hostname !== undefined) detail.hostname = hostname;
  if (error) detail.error = error;
  if (advice !== undefined) detail.advice = advice;
  if (probeFields) detail.probeFields = probeFields;
  return [
    r.address,
    r.verdict,
    r.success ? 1 : 0,
    r.reason,
    r.ms03_026,
    r.ms03_039,
    r.dcomVersion,
    r.remact,
    r.sysact,
    r.netbiosName ?? null,
    r.startedAt,
    r.durationMs,
    JSON.stringify(detail),
  ];
};

/** A row as the driver returns it (column name → value). */
export type RowObject = Record<(typeof RESULT_COLUMNS)[number], unknown>;

export const fromRow = (row: RowObject): StoredResult => {
  const detail = JSON.parse(String(row.detail)) as Partial<StoredResult>;
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
    evidence: (detail.evidence ?? []).map(unpackEvidence),
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

/** The SQL of ResultStore.readDifferences; `old`/`now` are the dialect's placeholders. */
export const differencesSql = (old: string, now: string): string =>
  `SELECT o.address AS address, o.verdict AS old, n.verdict AS new
       FROM host_results o LEFT JOIN host_results n ON n.scan_id = ${now} AND n.address = o.address
       WHERE o.scan_id = ${old} AND (n.verdict IS NULL OR n.verdict <> o.verdict)
     UNION ALL
     SELECT n.address, NULL, n.verdict FROM host_results n
       WHERE n.scan_id = ${now} AND NOT EXISTS (SELECT 1 FROM host_results o WHERE o.scan_id = ${old} AND o.address = n.address)`;
