/** Opens the store a `--db` value names: a `postgres://` / `postgresql://` URL, else a SQLite file path. */
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { ResultStore } from './types.ts';

export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

export interface OpenStoreOptions {
  /** SQLite: write from a thread started from this entry (SqliteOptions.writerThread). */
  sqliteWriterThread?: URL;
}

export const openStore = async (db: string, o: OpenStoreOptions = {}): Promise<ResultStore> =>
  isPostgresUrl(db) ? PostgresStore.open(db) : SqliteStore.open(db, { writerThread: o.sqliteWriterThread });
