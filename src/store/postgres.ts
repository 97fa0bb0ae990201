/**
 * The shared store: PostgreSQL through `pg`. A batch is one multi-row INSERT (unnest of column
 * arrays) in one statement, so it is stored whole or not at all; rows of an address already stored
 * are replaced. Connection failures become one-line STORE_OPEN / STORE_WRITE errors that name the
 * server (password masked).
 */
import pg from 'pg';
import { RpcsweepError } from '../core/errors.ts';
import type { Verdict } from '../core/result.ts';
import {
  differenceMaps,
  differencesFullJoinSql,
  fromRow,
  hostHistorySql,
  RESULT_COLUMNS,
  type RowObject,
  toRow,
} from './row.ts';
import { SCAN_COLUMNS, scanFromRow, scanValues } from './scan-row.ts';
import { MIGRATIONS, SCHEMA_VERSION, SCHEMA_VERSION_TABLE } from './schema.ts';
import type { NewScan, ResultStore, ScanRow, StoredResult, VerdictRow } from './types.ts';

/** The URL without its password, for messages. */
export const maskUrl = (url: string): string => url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');

const COLUMN_TYPES: Record<(typeof RESULT_COLUMNS)[number], string> = {
  address: 'text',
  verdict: 'text',
  success: 'smallint',
  reason: 'text',
  ms03_026: 'text',
  ms03_039: 'text',
  dcom_version: 'text',
  remact: 'text',
  sysact: 'text',
  netbios_name: 'text',
  started_at: 'text',
  duration_ms: 'float8',
  detail: 'text',
};

const INSERT_RESULTS = `INSERT INTO host_results (scan_id, ${RESULT_COLUMNS.join(', ')})
  SELECT $1::bigint, * FROM unnest(${RESULT_COLUMNS.map((c, i) => `$${i + 2}::${COLUMN_TYPES[c]}[]`).join(', ')})
  ON CONFLICT (scan_id, address) DO UPDATE SET ${RESULT_COLUMNS.filter((c) => c !== 'address')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

/** Why a connection or statement failed, in the user's words. */
export const describePgError = (e: unknown): string => {
  const err = e as { code?: string; message?: string };
  if (err.code === '28P01' || err.code === '28000') return 'authentication failed (wrong user or password?)';
  if (err.code === '3D000') return `${err.message}`;
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT')
    return 'the server is not reachable (connection refused)';
  return err.message ?? String(e);
};

export interface PostgresOptions {
  upToVersion?: number;
  /** @default 5000 */
  connectTimeoutMs?: number;
}

export class PostgresStore implements ResultStore {
  readonly kind = 'postgres';
  readonly name: string;
  readonly #pool: pg.Pool;

  private constructor(name: string, pool: pg.Pool) {
    this.name = name;
    this.#pool = pool;
  }

  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const name = maskUrl(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // JIT compiling the diff's join took longer than the join (2 s of 12 in EXPLAIN ANALYZE); none
      // of the store's statements runs long enough to win it back.
      options: '-c jit=off',
    });
    // An idle client losing its server must not crash the process: the next query reports it.
    pool.on('error', () => {});
    try {
      await migrate(pool, options.upToVersion ?? SCHEMA_VERSION, name);
    } catch (e) {
      await pool.end().catch(() => {});
      if (e instanceof RpcsweepError) throw e;
      throw new RpcsweepError('STORE_OPEN', `database ${name}: ${describePgError(e)}`, { cause: e });
    }
    return new PostgresStore(name, pool);
  }

  async #query(what: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    try {
      return await this.#pool.query(sql, params);
    } catch (e) {
      throw new RpcsweepError('STORE_WRITE', `database ${this.name}: ${what} failed: ${describePgError(e)}`, {
        cause: e,
      });
    }
  }

  async createScan(scan: NewScan): Promise<number> {
    const sql = `INSERT INTO scans (${SCAN_COLUMNS.join(', ')}) VALUES (${SCAN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`;
    const r = await this.#query('creating the scan', sql, scanValues(scan));
    return Number(r.rows[0].id);
  }

  async writeResults(
    scanId: number,
    results: readonly StoredResult[],
    advice?: readonly unknown[],
  ): Promise<void> {
    if (results.length === 0) return;
    // The last row of an address wins inside one batch too (ON CONFLICT cannot touch a row twice).
    const byAddress = new Map<string, number>();
    for (let i = 0; i < results.length; i++) byAddress.set(results[i]!.address, i);
    const columns: unknown[][] = RESULT_COLUMNS.map(() => []);
    for (const i of byAddress.values()) {
      const row = toRow(results[i]!, advice?.[i]);
      for (let c = 0; c < row.length; c++) columns[c]!.push(row[c]);
    }
    await this.#query(`writing ${results.length} result(s)`, INSERT_RESULTS, [scanId, ...columns]);
  }

  async finishScan(
    scanId: number,
    finishedAt: string,
    counts: Partial<Record<Verdict, number>>,
  ): Promise<void> {
    await this.#query('finishing the scan', 'UPDATE scans SET finished_at = $1, counts = $2 WHERE id = $3', [
      finishedAt,
      JSON.stringify(counts),
      scanId,
    ]);
  }

  async getScan(scanId: number): Promise<ScanRow | undefined> {
    const r = await this.#query('reading a scan', 'SELECT * FROM scans WHERE id = $1', [scanId]);
    return r.rows[0] ? scanFromRow(r.rows[0]) : undefined;
  }

  async listScans(): Promise<ScanRow[]> {
    const r = await this.#query('listing scans', 'SELECT * FROM scans ORDER BY id');
    return r.rows.map(scanFromRow);
  }

  async findUnfinished(fingerprint: string): Promise<ScanRow | undefined> {
    const r = await this.#query(
      'finding the scan to resume',
      'SELECT * FROM scans WHERE fingerprint = $1 AND finished_at IS NULL ORDER BY id DESC LIMIT 1',
      [fingerprint],
    );
    return r.rows[0] ? scanFromRow(r.rows[0]) : undefined;
  }

  async readVerdicts(scanId: number): Promise<Map<string, Verdict>> {
    // Two arrays instead of a million row objects: a fraction of the memory and time.
    const r = await this.#query(
      'reading verdicts',
      'SELECT array_agg(address) AS a, array_agg(verdict) AS v FROM host_results WHERE scan_id = $1',
      [scanId],
    );
    const a = (r.rows[0]?.a ?? []) as string[];
    const v = (r.rows[0]?.v ?? []) as Verdict[];
    const out = new Map<string, Verdict>();
    for (let i = 0; i < a.length; i++) out.set(a[i]!, v[i]!);
    return out;
  }

  async readDifferences(oldId: number, newId: number) {
    const r = await this.#query('comparing scans', differencesFullJoinSql('$1::bigint', '$2::bigint'), [
      oldId,
      newId,
    ]);
    return differenceMaps(r.rows);
  }

  async readScan(scanId: number): Promise<StoredResult[]> {
    const r = await this.#query(
      'reading results',
      'SELECT * FROM host_results WHERE scan_id = $1 ORDER BY address',
      [scanId],
    );
    return r.rows.map((row) => fromRow(row as RowObject));
  }

  async hostHistory(address: string): Promise<VerdictRow[]> {
    const r = await this.#query('reading host history', hostHistorySql('$1'), [address]);
    return r.rows.map((x) => ({ scanId: Number(x.scan_id), address, verdict: x.verdict }));
  }

  async countStored(scanId: number): Promise<Partial<Record<Verdict, number>>> {
    const r = await this.#query(
      'counting results',
      'SELECT verdict, COUNT(*) AS n FROM host_results WHERE scan_id = $1 GROUP BY verdict',
      [scanId],
    );
    return Object.fromEntries(r.rows.map((x) => [x.verdict, Number(x.n)]));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** Brings the database to `target`; an advisory lock keeps concurrent openers (workers) in line. */
const migrate = async (pool: pg.Pool, target: number, name: string): Promise<void> => {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(782613)');
    await client.query(SCHEMA_VERSION_TABLE);
    const r = await client.query('SELECT MAX(version) AS v FROM schema_version');
    const current = Number(r.rows[0]?.v ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new RpcsweepError(
        'STORE_SCHEMA',
        `database ${name} has schema version ${current}; this rpcsweep knows up to ${SCHEMA_VERSION} (upgrade rpcsweep)`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue;
      await client.query('BEGIN');
      try {
        for (const sql of m.postgres) await client.query(sql);
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(782613)').catch(() => {});
    client.release();
  }
};
