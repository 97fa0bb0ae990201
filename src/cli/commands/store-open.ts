/** The store commands' `--db` (or RPCSWEEP_DB): open, run, always close. */
import { RpcsweepError } from '../../core/errors.ts';
import { type OpenStoreOptions, openStore, type ResultStore, type ScanRow } from '../../store/index.ts';
import type { CliIo } from '../io.ts';

export const dbOf = (db: string | undefined, io: CliIo, command: string): string => {
  const d = db ?? io.env.RPCSWEEP_DB;
  if (!d) throw new RpcsweepError('CLI_USAGE', `${command} needs --db PATH|URL (or RPCSWEEP_DB)`);
  return d;
};

export const withStore = async <T>(
  db: string,
  fn: (s: ResultStore) => Promise<T>,
  options: OpenStoreOptions = {},
): Promise<T> => {
  const store = await openStore(db, options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
};

export const scanById = async (store: ResultStore, text: string): Promise<ScanRow> => {
  const id = Number(text);
  const scan = Number.isInteger(id) && id > 0 ? await store.getScan(id) : undefined;
  if (!scan) throw new RpcsweepError('STORE_NOT_FOUND', `${store.name} has no scan ${text}`);
  return scan;
};
