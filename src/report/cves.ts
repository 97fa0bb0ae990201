/**
 * CVE identifiers per host, for vulnerability-management imports: each flaw of the two bulletins
 * rpcsweep tests (MS03-026: CVE-2003-0352; MS03-039: CVE-2003-0715, -0528, -0605) with the state the
 * scan found for its bulletin. The ids come from the advice module's bulletin table (one place).
 */
import { BULLETINS } from '../advice/index.ts';
import type { FixState, HostResult } from '../core/result.ts';

export interface CveRecord {
  id: string;
  bulletin: string;
  kb: string;
  state: FixState;
}

const TESTED = [
  { row: BULLETINS.ms03026, state: (r: HostResult) => r.ms03_026 },
  { row: BULLETINS.ms03039, state: (r: HostResult) => r.ms03_039 },
] as const;

/** Every CVE of the tested bulletins with the host's state for it (json, ndjson, xml). */
export const hostCves = (r: HostResult): CveRecord[] =>
  TESTED.flatMap(({ row, state }) =>
    row.cves.map((id) => ({ id, bulletin: row.bulletin, kb: row.kb, state: state(r) })),
  );

/** The CVE ids the host was found vulnerable to (the csv `cves` cell, `;`-separated). */
export const vulnerableCveIds = (r: HostResult): string[] =>
  hostCves(r)
    .filter((c) => c.state === 'vulnerable')
    .map((c) => c.id);

/** The bulletins with their CVEs and the host's state, grouped (the xml vulns-style tables). */
export const bulletinCves = (r: HostResult) =>
  TESTED.map(({ row, state }) => ({
    bulletin: row.bulletin,
    kb: row.kb,
    title: row.title,
    cves: row.cves,
    state: state(r),
  }));
