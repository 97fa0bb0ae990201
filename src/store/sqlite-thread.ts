/**
 * SQLite writes on a thread of their own. better-sqlite3 is synchronous: on the scan's thread each
 * stored result cost its SQLite insert (≈ 5 µs) beside the scan's own work. With a writer thread the
 * scan's thread only orders and encodes a batch's rows and hands them over slice by slice; the
 * thread inserts one slice while the next is encoded, and commits the batch as one transaction.
 *
 * The protocol: `{batch, what, values}` per slice, then `{batch, what, commit}` (or `{batch,
 * rollback}` when encoding failed); the thread answers each batch once, `{batch}` after its commit
 * or `{batch, error}` at its first failure (the batch rolled back, its later slices ignored).
 * sqlite-writer.ts is the thread's side.
 */
import { Worker } from 'node:worker_threads';
import { type ErrorCode, RpcsweepError } from '../core/errors.ts';

/** How the thread opens its own connection to the same file. */
export interface WriterSettings {
  path: string;
  busyTimeoutMs?: number;
  busyRetries?: number;
}

export type WriterRequest =
  | { batch: number; what: string; values: unknown[] }
  | { batch: number; what: string; commit: true }
  | { batch: number; rollback: true }
  | { close: true };

export type WriterReply = { batch: number; error?: { code: string; message: string } };

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
  /** Settles with the batch's answer; close() waits for it. */
  settled: Promise<unknown>;
}

export class SqliteWriterThread {
  readonly #entry: URL;
  readonly #settings: WriterSettings;
  #worker: Worker | undefined;
  #batch = 0;
  readonly #pending = new Map<number, Pending>();
  #closing = false;

  constructor(entry: URL, path: string, o: { busyTimeoutMs?: number; busyRetries?: number }) {
    this.#entry = entry;
    this.#settings = { path, busyTimeoutMs: o.busyTimeoutMs, busyRetries: o.busyRetries };
  }

  /** The thread, started on first use (again after it died: the failed batches were rejected). */
  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(this.#entry, { workerData: { rpcsweepSqliteWriter: this.#settings } });
    w.on('message', (m: WriterReply) => this.#settle(m));
    w.on('error', (e) => this.#stopped(w, `the SQLite writer thread failed: ${e.message}`));
    w.on('exit', (code) => this.#stopped(w, `the SQLite writer thread exited with code ${code}`));
    // Referenced only while a batch is out: an idle writer never keeps the process alive.
    w.unref();
    this.#worker = w;
    return w;
  }

  #settle(m: WriterReply): void {
    const p = this.#pending.get(m.batch);
    if (!p) return;
    this.#pending.delete(m.batch);
    if (this.#pending.size === 0) this.#worker?.unref();
    if (m.error) p.reject(new RpcsweepError(m.error.code as ErrorCode, m.error.message));
    else p.resolve();
  }

  #stopped(w: Worker, why: string): void {
    if (this.#worker !== w) return;
    this.#worker = undefined;
    // Even while closing: a batch the thread took with it is answered, never left pending.
    for (const p of this.#pending.values())
      p.reject(new RpcsweepError('STORE_WRITE', `database ${this.#settings.path}: ${why}`));
    this.#pending.clear();
  }

  /** Hands over a batch's encoded slices; resolves once the thread committed them as one transaction. */
  async write(what: string, slices: AsyncIterable<unknown[]>): Promise<void> {
    if (this.#closing) throw new RpcsweepError('STORE_WRITE', `database ${this.#settings.path} is closed`);
    const w = this.#start();
    const batch = ++this.#batch;
    let settle: Omit<Pending, 'settled'> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Handled from the start: the thread may fail the batch (or die) while its slices are still
    // being encoded here, long before the caller awaits `done`; unhandled, that would end the process.
    const settled = done.catch(() => {});
    this.#pending.set(batch, { ...settle!, settled });
    w.ref();
    try {
      for await (const values of slices) {
        if (!this.#pending.has(batch)) break; // already failed: the rest would be ignored
        w.postMessage({ batch, what, values } satisfies WriterRequest);
      }
      w.postMessage({ batch, what, commit: true } satisfies WriterRequest);
    } catch (e) {
      w.postMessage({ batch, rollback: true } satisfies WriterRequest);
      this.#pending.delete(batch);
      if (this.#pending.size === 0) w.unref();
      throw e;
    }
    return done;
  }

  /**
   * Lets the thread close its connection and end. Batches already under way are answered first
   * (their callers are waiting on them: a close message ahead of their commit would leave them
   * pending forever, and the process would end without their rows).
   */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#pending.values()].map((p) => p.settled));
    const w = this.#worker;
    if (!w) return;
    const exited = new Promise((resolve) => w.once('exit', resolve));
    w.ref();
    w.postMessage({ close: true } satisfies WriterRequest);
    await exited;
  }
}
