/**
 * What changed between two scans, per address, for addresses in the scope of both. Pure: two
 * verdict maps and two scope predicates in, changes out. An address in scope but without a row is
 * unreachable (stores keep no row for it by default). One kind per address, disjoint, checked in
 * this order ("vulnerable" = unpatched or KB823980-only):
 * fixed (vulnerable → patched), regressed (patched → vulnerable), new-vulnerable (anything else →
 * vulnerable), gone (answered → refused/unreachable), new-host (refused/unreachable → answered, not
 * vulnerable), changed (any other verdict change).
 */
import type { Verdict } from '../core/result.ts';

export const CHANGE_KINDS = ['regressed', 'new-vulnerable', 'gone', 'changed', 'new-host', 'fixed'] as const;
/** Worst first: the order text output groups by. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface Change {
  address: string;
  change: ChangeKind;
  old: Verdict;
  new: Verdict;
}

export interface DiffSide {
  verdicts: ReadonlyMap<string, Verdict>;
  /** Was this address in the scan's scope (its target plan)? */
  inScope(address: string): boolean;
}

export interface DiffResult {
  changes: Change[];
  counts: Record<ChangeKind, number>;
}

export const isVulnerable = (v: Verdict): boolean => v === 'unpatched' || v === 'patched-kb823980';
const isSilent = (v: Verdict): boolean => v === 'refused' || v === 'unreachable';

/** The kind of a verdict change, or undefined when nothing changed. */
export const classifyChange = (old: Verdict, now: Verdict): ChangeKind | undefined => {
  if (old === now) return undefined;
  if (isVulnerable(old) && now === 'patched') return 'fixed';
  if (old === 'patched' && isVulnerable(now)) return 'regressed';
  if (!isVulnerable(old) && isVulnerable(now)) return 'new-vulnerable';
  if (!isSilent(old) && isSilent(now)) return 'gone';
  if (isSilent(old) && !isSilent(now) && !isVulnerable(now)) return 'new-host';
  return 'changed';
};

/** Dotted IPv4 sorts numerically before anything else (IPv6, names), which sorts as text. */
export const compareAddresses = (a: string, b: string): number => {
  const x = ipv4Key(a);
  const y = ipv4Key(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
};

const ipv4Key = (a: string): number | undefined => {
  const p = a.split('.');
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const s of p) {
    const v = Number(s);
    if (!(s.length > 0 && v >= 0 && v <= 255 && Number.isInteger(v))) return undefined;
    n = n * 256 + v;
  }
  return n;
};

export const diffScans = (old: DiffSide, now: DiffSide): DiffResult => {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  const changes: Change[] = [];
  const consider = (address: string) => {
    if (!old.inScope(address) || !now.inScope(address)) return;
    const a = old.verdicts.get(address) ?? 'unreachable';
    const b = now.verdicts.get(address) ?? 'unreachable';
    const kind = classifyChange(a, b);
    if (kind === undefined) return;
    counts[kind]++;
    changes.push({ address, change: kind, old: a, new: b });
  };
  for (const address of now.verdicts.keys()) consider(address);
  // Addresses only the old scan stored (answered then, no row now).
  for (const address of old.verdicts.keys()) if (!now.verdicts.has(address)) consider(address);
  const rank = new Map(CHANGE_KINDS.map((k, i) => [k, i]));
  changes.sort((x, y) => rank.get(x.change)! - rank.get(y.change)! || compareAddresses(x.address, y.address));
  return { changes, counts };
};
