/**
 * Public surface of the results store: open a store by `--db` value, the ResultStore interface, the
 * pure diff, and NDJSON results read back (import, diff of two files, `report`).
 */
export {
  CHANGE_KINDS,
  type Change,
  type ChangeKind,
  classifyChange,
  compareAddresses,
  type DiffResult,
  type DiffSide,
  diffScans,
  isVulnerable,
} from './diff.ts';
export { type NdjsonResults, parseNdjsonResults, readNdjsonResults } from './ndjson-results.ts';
export { isPostgresUrl, type OpenStoreOptions, openStore } from './open.ts';
export { describePgError, maskUrl, PostgresStore } from './postgres.ts';
export { SqliteStore } from './sqlite.ts';
export type { NewScan, ResultStore, ScanRow, StoredResult, VerdictRow } from './types.ts';
