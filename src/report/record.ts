/**
 * The JSON shape of one host in json and ndjson: the HostResult fields unchanged, then `cves` and
 * (advice on) `advice`. NDJSON writes unreachable addresses as a compact record instead, because they
 * are most of a large range and carry no evidence worth keeping: `address`, `verdict` and the timing
 * (`startedAt`, `durationMs` rounded to a millisecond), at most 113 bytes for any IPv4 address.
 * Readers of HostResult lines (advise, simulate --from, --resume) accept both shapes.
 */

import { adviceFor } from '../advice/index.ts';
import type { HostResult } from '../core/result.ts';
import { type AdviceRecord, adviceRecord } from './advice.ts';
import { type CveRecord, hostCves } from './cves.ts';

export interface CompactRecord {
  address: string;
  verdict: 'unreachable';
  startedAt: string;
  durationMs: number;
}

export const compactRecord = (r: HostResult): CompactRecord => ({
  address: r.address,
  verdict: 'unreachable',
  startedAt: r.startedAt,
  durationMs: Math.round(r.durationMs),
});

/** The full record of json and ndjson: the result, its CVEs and (advice on) its advice. */
export type FullRecord = HostResult & { cves: CveRecord[]; advice?: AdviceRecord };

export const fullRecord = (r: HostResult, advice: boolean): FullRecord => {
  // `schema` and `address` lead every line whatever order the producer used (sort-file.ts reads them).
  const { schema, address, ...rest } = r;
  const withCves = { schema, address, ...rest, cves: hostCves(r) };
  return advice ? { ...withCves, advice: adviceRecord(adviceFor(r)) } : withCves;
};
