/**
 * The writer thread's side of sqlite-thread.ts: its own connection to the file, one transaction per
 * batch, one answer per batch. Messages arrive in order, so a batch's slices are inserted in the
 * order the scan's thread encoded them.
 */
import type { MessagePort } from 'node:worker_threads';
import { RpcsweepError } from '../core/errors.ts';
import { SqliteStore } from './sqlite.ts';
import type { WriterReply, WriterRequest, WriterSettings } from './sqlite-thread.ts';

export const runSqliteWriter = (port: MessagePort, settings: WriterSettings): void => {
  let store: SqliteStore | undefined;
  let openError: unknown;
  try {
    store = SqliteStore.open(settings.path, settings);
  } catch (e) {
    openError = e;
  }
  /** The batch whose transaction is open, and the last batch that failed (its later slices are skipped). */
  let open = -1;
  let failed = -1;
  const reply = (r: WriterReply) => port.postMessage(r);
  port.on('message', (m: WriterRequest) => {
    if ('close' in m) {
      store?.rollbackBatch();
      void (store?.close() ?? Promise.resolve()).finally(() => port.close());
      return;
    }
    if (m.batch === failed) return;
    try {
      if (!store) throw openError;
      if ('rollback' in m) {
        store.rollbackBatch();
        open = -1;
        return;
      }
      if (open !== m.batch) {
        store.beginBatch(m.what);
        open = m.batch;
      }
      if ('commit' in m) {
        store.commitBatch(m.what);
        open = -1;
        reply({ batch: m.batch });
      } else {
        store.insertSlice(m.what, m.values);
      }
    } catch (e) {
      store?.rollbackBatch();
      open = -1;
      failed = m.batch;
      reply({
        batch: m.batch,
        error: {
          code: e instanceof RpcsweepError ? e.code : 'STORE_WRITE',
          message: String((e as Error)?.message ?? e),
        },
      });
    }
  });
};
