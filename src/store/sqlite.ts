/**
 * The embedded store: one SQLite file through better-sqlite3 (synchronous, so a batch is one
 * transaction that either happened or did not, even under SIGKILL). WAL lets `history` and `diff`
 * read while a scan writes. Busy or locked: SQLite's own busy timeout, then a few retries with
 * back-off, then STORE_BUSY.
 */
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { RpcsweepError } from '../core/errors.ts';
import { parseIpv4 } from '../core/ipv4.ts';
import { orderByKey } from '../core/order.ts';
import type { Verdict } from '../core/result.ts';
import {
  differenceMaps,
  differencesSql,
  fromRow,
  hostHistorySql,
  putRow,
  RESULT_COLUMNS,
  type RowObject,
} from './row.ts';
import { SCAN_COLUMNS, scanFromRow, scanValues } from './scan-row.ts';
import { MIGRATIONS, SCHEMA_VERSION, SCHEMA_VERSION_TABLE } from './schema.ts';
import { SqliteWriterThread } from './sqlite-thread.ts';
import type { NewScan, ResultStore, ScanRow, StoredResult, VerdictRow } from './types.ts';

/** Rows per INSERT: one statement call per 100 rows instead of per row (14 parameters a row). */
const ROWS_PER_STATEMENT = 100;
/** Rows written between two turns of the event loop inside one batch's transaction. */
const ROWS_PER_SLICE = 1000;
/** Parameters per row: scan_id, then RESULT_COLUMNS. */
const ROW_PARAMS = RESULT_COLUMNS.length + 1;

export interface SqliteOptions {
  /** Stop after this schema version (tests make a first-schema database). @default the newest */
  upToVersion?: number;
  /** SQLite busy timeout per statement. @default 2000 */
  busyTimeoutMs?: number;
  /** Extra attempts after a busy timeout, with doubling back-off. @default 3 */
  busyRetries?: number;
  /**
   * Write large batches from a thread of their own, started from this module (the CLI entry, whose
   * `workerData.rpcsweepSqliteWriter` branch runs sqlite-writer.ts). Without it, writes run here.
   */
  writerThread?: URL;
  /**
   * Batches smaller than this are written here even with a writer thread: the thread costs a
   * start-up (the CLI module in a new isolate) that a trickle of results never pays back.
   * @default THREAD_MIN_ROWS
   */
  writerThreadMinRows?: number;
}

/**
 * Half a full `scan --db` batch: results arriving at ≥ 20,000/s fill one within the sink's 250 ms.
 * The /16 mix lab (6,539 rows in 8 s, batches of ≈ 200) started the thread for nothing: +13 % CPU.
 */
const THREAD_MIN_ROWS = 5000;

/**
 * better-sqlite3 is loaded when a SQLite store is first opened: the bundle keeps it external (its
 * native addon is found relative to its own files), so commands that use no store never need it.
 */
let driver: typeof Database | undefined;
const loadDriver = (): typeof Database => {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return driver;
};

const byAddress = (a: StoredResult, b: StoredResult): number =>
  a.address < b.address ? -1 : a.address > b.address ? 1 : 0;

/**
 * The order to write a batch in: by address. A scan's results come in its plan's shuffled order, and
 * inserted so they hit the key index's pages at random (1.4 × the CPU per row of sorted, measured
 * side by side). IPv4 sorts by its number (orderByKey, no comparator call per comparison; the
 * comparator sort cost 2 µs per row): numeric order differs from the index's text order inside a
 * /24, but each /24 is one run of the index either way. Other addresses sort as text. Ties keep
 * arrival order, so the last row of an address written twice in one batch wins.
 */
const writeOrder = (results: readonly StoredResult[]): ArrayLike<number> => {
  const keys = new Uint32Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const v = parseIpv4(results[i]!.address);
    if (v === undefined) return textOrder(results);
    keys[i] = v;
  }
  return orderByKey(keys);
};

/** By address text (SQLite's BINARY collation orders as JavaScript's `<` does); a stable sort. */
const textOrder = (results: readonly StoredResult[]): number[] =>
  Array.from(results.keys()).sort((a, b) => byAddress(results[a]!, results[b]!));

/**
 * A batch's rows in write order as slices of ROWS_PER_SLICE rows, each the flat statement values
 * (scan_id, then RESULT_COLUMNS) of its rows. The event loop gets a turn between two slices: a batch of
 * 10,000 rows would otherwise hold the scan's sockets and timers for a quarter of a second.
 */
async function* encodedSlices(
  scanId: number,
  rows: readonly StoredResult[],
  advice: readonly unknown[] | undefined,
  order: ArrayLike<number>,
): AsyncGenerator<unknown[]> {
  for (let from = 0; from < order.length; from += ROWS_PER_SLICE) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    const to = Math.min(order.length, from + ROWS_PER_SLICE);
    const values = new Array((to - from) * ROW_PARAMS);
    for (let i = from; i < to; i++) {
      const k = order[i]!;
      const at = (i - from) * ROW_PARAMS;
      values[at] = scanId;
      putRow(rows[k]!, advice?.[k], values, at + 1);
    }
    yield values;
  }
}

const sqliteCode = (e: unknown): string => String((e as { code?: unknown })?.code ?? '');
const isBusy = (e: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(e));

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Why a statement failed, in the user's words. A full disk is SQLITE_FULL ("database or disk is
 * full"): said as `-o` says it (REPORT_WRITE), so the user knows to free space, not repair the file.
 */
const DISK_FULL = 'the disk is full: ENOSPC (no space left on device)';
const writeFailure = (e: unknown): string =>
  sqliteCode(e) === 'SQLITE_FULL' ? DISK_FULL : String((e as Error).message);

/** Why a database could not be opened, in the user's words. */
const openFailure = (path: string, e: unknown): RpcsweepError => {
  const code = sqliteCode(e);
  const why =
    code === 'SQLITE_CANTOPEN'
      ? 'cannot open the file (does its directory exist, and may rpcsweep write there?)'
      : code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
        ? 'the file is not an rpcsweep SQLite database, or it is corrupt'
        : code.startsWith('SQLITE_READONLY')
          ? 'the database is read-only'
          : code === 'SQLITE_FULL'
            ? DISK_FULL
            : String((e as Error).message).split('\n')[0];
  if (isBusy(e))
    return new RpcsweepError('STORE_BUSY', `database ${path} is locked by another process`, { cause: e });
  return new RpcsweepError('STORE_OPEN', `database ${path}: ${why}`, { cause: e });
};

export class SqliteStore implements ResultStore {
  readonly kind = 'sqlite';
  readonly name: string;
  readonly #db: Database.Database;
  readonly #retries: number;
  readonly #busyTimeoutMs: number;
  /** Multi-row upserts by row count: ROWS_PER_STATEMENT, and each remainder size once prepared. */
  readonly #inserts = new Map<number, Database.Statement>();

  /** The writer thread, when the store was opened with one, and the smallest batch it takes. */
  readonly #thread: SqliteWriterThread | undefined;
  readonly #threadMinRows: number;

  private constructor(path: string, db: Database.Database, options: SqliteOptions) {
    this.name = path;
    this.#db = db;
    this.#retries = options.busyRetries ?? 3;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 2000;
    this.#thread = options.writerThread
      ? new SqliteWriterThread(options.writerThread, path, options)
      : undefined;
    this.#threadMinRows = options.writerThreadMinRows ?? THREAD_MIN_ROWS;
  }

  /** One parameter array per statement size, filled anew for every statement (no array per row). */
  readonly #paramArrays = new Map<number, unknown[]>();

  #params(rows: number): unknown[] {
    let params = this.#paramArrays.get(rows);
    if (!params) {
      params = new Array(rows * ROW_PARAMS).fill(null);
      this.#paramArrays.set(rows, params);
    }
    return params;
  }

  #insert(rows: number): Database.Statement {
    let stmt = this.#inserts.get(rows);
    if (!stmt) {
      const one = `(?, ${RESULT_COLUMNS.map(() => '?').join(', ')})`;
      const updates = RESULT_COLUMNS.filter((c) => c !== 'address')
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      stmt = this.#db.prepare(
        `INSERT INTO host_results (scan_id, ${RESULT_COLUMNS.join(', ')}) VALUES ${Array(rows).fill(one).join(', ')}
         ON CONFLICT (scan_id, address) DO UPDATE SET ${updates}`,
      );
      this.#inserts.set(rows, stmt);
    }
    return stmt;
  }

  static open(path: string, options: SqliteOptions = {}): SqliteStore {
    let db: Database.Database | undefined;
    const isNew = path !== ':memory:' && !existsSync(path);
    try {
      db = new (loadDriver())(path, { timeout: options.busyTimeoutMs ?? 2000 });
      // Large rows (the detail JSON): bigger pages keep the b-trees shallow. Only a new file takes
      // it; an existing database keeps its page size.
      db.pragma('page_size = 16384');
      db.pragma('journal_mode = WAL');
      // NORMAL under WAL: a commit survives a process crash or SIGKILL (it is in the WAL file); only
      // a power loss or OS crash may drop the last transactions, never corrupt the database.
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -65536');
      db.pragma('foreign_keys = ON');
      migrate(db, options.upToVersion ?? SCHEMA_VERSION);
      return new SqliteStore(path, db, options);
    } catch (e) {
      db?.close();
      // A file this open created on a full disk would later open as an empty database: it goes.
      // Only then: after another failure (busy) the file may be another process's new database.
      if (isNew && sqliteCode(e) === 'SQLITE_FULL')
        for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
      if (e instanceof RpcsweepError) throw e;
      throw openFailure(path, e);
    }
  }

  /** Runs `fn`, retrying busy/locked with back-off; other failures become STORE_WRITE. */
  #run<T>(what: string, fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (e) {
        if (isBusy(e) && attempt < this.#retries) {
          sleepSync(50 * 2 ** attempt);
          continue;
        }
        throw this.#failure(what, e, attempt + 1);
      }
    }
  }

  /** A failed statement as the user's one line: STORE_BUSY after `attempts` when locked, else STORE_WRITE. */
  #failure(what: string, e: unknown, attempts: number): RpcsweepError {
    if (isBusy(e)) {
      return new RpcsweepError(
        'STORE_BUSY',
        `database ${this.name} stayed locked by another process; ${what} gave up after ${attempts} attempts`,
        { cause: e },
      );
    }
    return new RpcsweepError('STORE_WRITE', `database ${this.name}: ${what} failed: ${writeFailure(e)}`, {
      cause: e,
    });
  }

  async createScan(scan: NewScan): Promise<number> {
    const sql = `INSERT INTO scans (${SCAN_COLUMNS.join(', ')}) VALUES (${SCAN_COLUMNS.map(() => '?').join(', ')})`;
    return this.#run('creating the scan', () =>
      Number(this.#db.prepare(sql).run(...scanValues(scan)).lastInsertRowid),
    );
  }

  /**
   * Writes that take their turn: a batch on the writer thread holds the write lock on its own
   * connection while this thread hands it slices, so a write started here meanwhile would wait in
   * SQLite's busy handler, blocking the very thread that feeds it, and commit out of call order.
   */
  #writes: Promise<unknown> = Promise.resolve();
  /** Writes called and not yet settled (close() waits for them). */
  #queued = 0;

  #inTurn<T>(fn: () => Promise<T>): Promise<T> {
    this.#queued++;
    const run = this.#writes.then(fn).finally(() => this.#queued--);
    this.#writes = run.catch(() => {});
    return run;
  }

  writeResults(scanId: number, results: readonly StoredResult[], advice?: readonly unknown[]): Promise<void> {
    return this.#inTurn(() => this.#writeResults(scanId, results, advice));
  }

  async #writeResults(
    scanId: number,
    results: readonly StoredResult[],
    advice?: readonly unknown[],
  ): Promise<void> {
    if (results.length === 0) return;
    const slices = encodedSlices(scanId, results, advice, writeOrder(results));
    const what = `writing ${results.length} result(s)`;
    if (this.#thread && results.length >= this.#threadMinRows) return this.#thread.write(what, slices);
    await this.#beginWithoutBlocking(what);
    try {
      for await (const values of slices) this.insertSlice(what, values);
      this.commitBatch(what);
    } catch (e) {
      this.rollbackBatch();
      throw e;
    }
  }

  /**
   * BEGIN IMMEDIATE on the scan's thread without blocking it: while another process holds the write
   * lock, SQLite's busy handler would sleep inside the call (busy timeout and #run's back-off: up to
   * 8.35 s with the defaults), and the scan's replies would time out meanwhile. Here
   * the handler is off and the waits are timers, over the same total time before STORE_BUSY.
   */
  async #beginWithoutBlocking(what: string): Promise<void> {
    const budget = (this.#retries + 1) * this.#busyTimeoutMs + 50 * (2 ** this.#retries - 1);
    this.#db.pragma('busy_timeout = 0');
    try {
      for (let attempt = 0, waited = 0; ; attempt++) {
        try {
          this.#db.prepare('BEGIN IMMEDIATE').run();
          return;
        } catch (e) {
          if (!isBusy(e) || waited >= budget) throw this.#failure(what, e, attempt + 1);
          const ms = Math.min(10 * 2 ** attempt, 250, budget - waited);
          await new Promise((resolve) => setTimeout(resolve, ms));
          waited += ms;
        }
      }
    } finally {
      this.#db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
    }
  }

  /**
   * One batch is one transaction: beginBatch, insertSlice for each encoded slice, commitBatch (or
   * rollbackBatch). writeResults uses them here; the writer thread (sqlite-thread.ts) on its own
   * connection.
   */
  beginBatch(what: string): void {
    this.#run(what, () => this.#db.prepare('BEGIN IMMEDIATE').run());
  }

  /** Inserts one slice of encodedSlices (ROW_PARAMS values a row), ROWS_PER_STATEMENT to a statement. */
  insertSlice(what: string, values: readonly unknown[]): void {
    this.#run(what, () => {
      const rows = values.length / ROW_PARAMS;
      for (let i = 0; i < rows; i += ROWS_PER_STATEMENT) {
        const n = Math.min(ROWS_PER_STATEMENT, rows - i);
        const params = this.#params(n);
        const from = i * ROW_PARAMS;
        for (let j = 0; j < n * ROW_PARAMS; j++) params[j] = values[from + j];
        this.#insert(n).run(params);
      }
    });
  }

  commitBatch(what: string): void {
    this.#run(what, () => this.#db.prepare('COMMIT').run());
  }

  rollbackBatch(): void {
    if (this.#db.inTransaction) this.#db.prepare('ROLLBACK').run();
  }

  finishScan(scanId: number, finishedAt: string, counts: Partial<Record<Verdict, number>>): Promise<void> {
    return this.#inTurn(async () => {
      this.#run('finishing the scan', () =>
        this.#db
          .prepare('UPDATE scans SET finished_at = ?, counts = ? WHERE id = ?')
          .run(finishedAt, JSON.stringify(counts), scanId),
      );
    });
  }

  async getScan(scanId: number): Promise<ScanRow | undefined> {
    const row = this.#run('reading a scan', () =>
      this.#db.prepare('SELECT * FROM scans WHERE id = ?').get(scanId),
    );
    return row ? scanFromRow(row as Record<string, unknown>) : undefined;
  }

  async listScans(): Promise<ScanRow[]> {
    const rows = this.#run('listing scans', () => this.#db.prepare('SELECT * FROM scans ORDER BY id').all());
    return rows.map((r) => scanFromRow(r as Record<string, unknown>));
  }

  async findUnfinished(fingerprint: string): Promise<ScanRow | undefined> {
    const row = this.#run('finding the scan to resume', () =>
      this.#db
        .prepare('SELECT * FROM scans WHERE fingerprint = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1')
        .get(fingerprint),
    );
    return row ? scanFromRow(row as Record<string, unknown>) : undefined;
  }

  async readVerdicts(scanId: number): Promise<Map<string, Verdict>> {
    const out = new Map<string, Verdict>();
    const stmt = this.#db.prepare('SELECT address, verdict FROM host_results WHERE scan_id = ?').raw(true);
    this.#run('reading verdicts', () => {
      for (const [a, v] of stmt.iterate(scanId) as Iterable<[string, Verdict]>) out.set(a, v);
    });
    return out;
  }

  async readDifferences(oldId: number, newId: number) {
    const sql = differencesSql('@old', '@now');
    const rows = this.#run('comparing scans', () => this.#db.prepare(sql).all({ old: oldId, now: newId }));
    return differenceMaps(rows as Array<{ address: string; old: string | null; new: string | null }>);
  }

  async readScan(scanId: number): Promise<StoredResult[]> {
    const rows = this.#run('reading results', () =>
      this.#db.prepare('SELECT * FROM host_results WHERE scan_id = ? ORDER BY address').all(scanId),
    );
    return rows.map((r) => fromRow(r as RowObject));
  }

  async hostHistory(address: string): Promise<VerdictRow[]> {
    const rows = this.#run('reading host history', () =>
      this.#db.prepare(hostHistorySql('?')).all(address),
    ) as Array<{ scan_id: number; verdict: Verdict }>;
    return rows.map((r) => ({ scanId: Number(r.scan_id), address, verdict: r.verdict }));
  }

  async countStored(scanId: number): Promise<Partial<Record<Verdict, number>>> {
    const rows = this.#run('counting results', () =>
      this.#db
        .prepare('SELECT verdict, COUNT(*) AS n FROM host_results WHERE scan_id = ? GROUP BY verdict')
        .all(scanId),
    ) as Array<{ verdict: Verdict; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.verdict, Number(r.n)]));
  }

  async close(): Promise<void> {
    // Writes already called go first. Without them and without a thread the file is closed before
    // close() returns its promise (callers rely on it).
    if (this.#queued > 0) await this.#writes;
    try {
      if (this.#thread) await this.#thread.close();
    } finally {
      this.#db.close();
    }
  }
}

/** Brings the database to `target`, one transaction per step. */
const migrate = (db: Database.Database, target: number): void => {
  db.exec(SCHEMA_VERSION_TABLE);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new RpcsweepError(
      'STORE_SCHEMA',
      `database ${db.name} has schema version ${current}; this rpcsweep knows up to ${SCHEMA_VERSION} (upgrade rpcsweep)`,
    );
  }
  let vacuum = false;
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      for (const sql of m.sqlite) db.exec(sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
    }).immediate();
    vacuum ||= m.sqliteVacuumAfter === true && current > 0;
  }
  if (!vacuum) return;
  try {
    db.exec('VACUUM');
  } catch (e) {
    // Another connection is reading: the free pages stay and later scans reuse them.
    if (!isBusy(e)) throw e;
  }
};

/** The schema version a SQLite database is at (0 when it has none). */
export const sqliteSchemaVersion = (path: string): number => {
  const db = new (loadDriver())(path, { readonly: true });
  try {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    return row.v ?? 0;
  } finally {
    db.close();
  }
};
