/**
 * The results store: scans and their host results, behind one interface with two implementations
 * (SQLite for one machine, PostgreSQL for a shared store). Results are keyed (scan, address): writing
 * an address twice (a resumed scan, a redone chunk) replaces its row, never duplicates it.
 * Unreachable addresses get no row unless the scan keeps them: the scan's scope (its address ranges)
 * answers "was this address in scope?" and its counts come from the scan itself.
 */
import type { HostResult, Verdict } from '../core/result.ts';

/** What a scan row records when it starts. */
export interface NewScan {
  /** ISO 8601. */
  startedAt: string;
  /** The targets as given on the command line (or `import FILE`). */
  targets: string[];
  /** The addresses the scan covers, as CIDR/range texts (the target plan, without its order). */
  scope: string[];
  seed: number;
  /** `i/n`. */
  shard: string;
  /** Scan options worth keeping (timeout, probes, …). */
  options: Record<string, unknown>;
  version: string;
  /** Addresses in the plan. */
  total: number;
  keepUnreachable: boolean;
  /** Identifies "the same scan" for --resume (targets, seed, shard, probes). */
  fingerprint: string;
}

export interface ScanRow extends NewScan {
  id: number;
  /** ISO 8601, absent while the scan has not finished. */
  finishedAt?: string;
  /** Per verdict; set when the scan finished (unreachable included even when not stored). */
  counts?: Partial<Record<Verdict, number>>;
}

/** A host result as stored; `advice` is kept when the writer had it (NDJSON import, scan --db). */
export type StoredResult = HostResult & { advice?: unknown };

/** One address's verdict in one scan (history, diff). */
export interface VerdictRow {
  scanId: number;
  address: string;
  verdict: Verdict;
}

export interface ResultStore {
  /** `sqlite` or `postgres`. */
  readonly kind: string;
  /** The database as the user named it (passwords masked), for messages. */
  readonly name: string;
  createScan(scan: NewScan): Promise<number>;
  /**
   * Writes one batch in one transaction: all of it or none. Replaces rows of the same address.
   * `advice[i]`, when given, is stored as the advice of `results[i]` (scan --db hands the advice over
   * beside each result instead of copying every result to add it).
   */
  writeResults(scanId: number, results: readonly StoredResult[], advice?: readonly unknown[]): Promise<void>;
  finishScan(scanId: number, finishedAt: string, counts: Partial<Record<Verdict, number>>): Promise<void>;
  getScan(scanId: number): Promise<ScanRow | undefined>;
  /** Every scan, oldest first. */
  listScans(): Promise<ScanRow[]>;
  /** The newest unfinished scan with this fingerprint (what `--resume` continues). */
  findUnfinished(fingerprint: string): Promise<ScanRow | undefined>;
  /** address → verdict of every stored row of a scan. */
  readVerdicts(scanId: number): Promise<Map<string, Verdict>>;
  /**
   * The addresses whose stored verdicts differ between two scans (or that only one of them stored),
   * computed in the database: two verdict maps holding only these give `diffScans` the same answer
   * as the full maps, without moving a million rows into JavaScript.
   */
  readDifferences(
    oldId: number,
    newId: number,
  ): Promise<{ old: Map<string, Verdict>; new: Map<string, Verdict> }>;
  /** The stored rows of a scan, whole, in address order. */
  readScan(scanId: number): Promise<StoredResult[]>;
  /** Stored verdicts of one address, oldest scan first. */
  hostHistory(address: string): Promise<VerdictRow[]>;
  /** Stored rows per verdict of a scan (counts of an unfinished scan). */
  countStored(scanId: number): Promise<Partial<Record<Verdict, number>>>;
  close(): Promise<void>;
}
