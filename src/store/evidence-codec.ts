/**
 * Probe evidence as stored in a row's detail JSON: one positional array per record instead of an
 * object, so the key names (most of a record's bytes) are not repeated in every row, and the shared
 * tcp/135 is left out. A record with a field this codec does not know, or a non-boolean flag, is
 * stored as an object (minus tcp/135) as earlier rows were; reading accepts both forms.
 */
import type { ProbeEvidence } from '../core/result.ts';

/** Array positions. Never reorder or remove: stored rows depend on it; append new fields. */
const POSITIONS = [
  'probe',
  'classification',
  'success',
  'durationMs',
  'bindResults',
  'hresult',
  'comVersion',
  'reusedConnection',
  'faultStatus',
  'reason',
  'error',
  'transport',
  'port',
  'partial',
] as const;
type Key = (typeof POSITIONS)[number];

const INDEX = new Map<string, number>(POSITIONS.map((k, i) => [k, i]));
const FLAGS = new Set<string>(['success', 'reusedConnection']);
/** The order of ProbeEvidence's declaration, so a record reads back in the scan's key order. */
const READ_ORDER: readonly Key[] = [
  'probe',
  'transport',
  'port',
  'classification',
  'success',
  'reason',
  'bindResults',
  'hresult',
  'faultStatus',
  'comVersion',
  'reusedConnection',
  'partial',
  'durationMs',
  'error',
];

type Stored = unknown[] | Partial<ProbeEvidence>;

/** Is `v` the value tcp/135 every activation probe shares (left out of the stored record)? */
const isDefault = (k: string, v: unknown): boolean =>
  (k === 'transport' && v === 'tcp') || (k === 'port' && v === 135);

export const packEvidence = (e: ProbeEvidence): Stored => {
  const out: unknown[] = [];
  for (const k in e) {
    const v = (e as unknown as Record<string, unknown>)[k];
    const i = INDEX.get(k);
    if (v === undefined || isDefault(k, v)) continue;
    if (i === undefined || (FLAGS.has(k) && typeof v !== 'boolean')) return packObject(e);
    out[i] = FLAGS.has(k) ? (v ? 1 : 0) : v;
  }
  // Holes become null in JSON; a trailing run of absent fields is simply not there.
  return out;
};

const packObject = (e: ProbeEvidence): Partial<ProbeEvidence> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!isDefault(k, v)) out[k] = v;
  return out as Partial<ProbeEvidence>;
};

export const unpackEvidence = (s: Stored): ProbeEvidence => {
  if (!Array.isArray(s)) return { transport: 'tcp', port: 135, ...s } as ProbeEvidence;
  const out: Record<string, unknown> = {};
  for (const k of READ_ORDER) {
    const v = s[INDEX.get(k)!];
    if (v !== null && v !== undefined) out[k] = FLAGS.has(k) ? v === 1 : v;
    else if (k === 'transport') out[k] = 'tcp';
    else if (k === 'port') out[k] = 135;
  }
  return out as unknown as ProbeEvidence;
};
