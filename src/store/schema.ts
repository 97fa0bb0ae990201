/**
 * The store's schema as numbered migrations, each in both dialects. A database records the version
 * it is at in `schema_version`; opening runs the missing steps in one transaction each. Never edit
 * a released step: add the next one. Version 1 is the first schema (a test upgrades a database made
 * by it); a database newer than this rpcsweep is refused.
 */
export interface Migration {
  version: number;
  what: string;
  sqlite: readonly string[];
  postgres: readonly string[];
  /** SQLite: VACUUM after the step (outside its transaction) when it left a rewritten table's pages free. */
  sqliteVacuumAfter?: boolean;
}

const scansTable = (idColumn: string, bigint: string) => `CREATE TABLE scans (
  id ${idColumn},
  started_at TEXT NOT NULL,
  finished_at TEXT,
  targets TEXT NOT NULL,
  scope TEXT NOT NULL,
  seed ${bigint} NOT NULL,
  shard TEXT NOT NULL,
  options TEXT NOT NULL,
  version TEXT NOT NULL,
  total ${bigint} NOT NULL,
  counts TEXT
)`;

const resultsTable = (
  bigint: string,
  real: string,
  suffix: string,
  key = 'PRIMARY KEY (scan_id, address)',
  name = 'host_results',
) => `CREATE TABLE ${name} (
  scan_id ${bigint} NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  verdict TEXT NOT NULL,
  success SMALLINT NOT NULL,
  reason TEXT NOT NULL,
  ms03_026 TEXT NOT NULL,
  ms03_039 TEXT NOT NULL,
  dcom_version TEXT NOT NULL,
  remact TEXT NOT NULL,
  sysact TEXT NOT NULL,
  netbios_name TEXT,
  started_at TEXT NOT NULL,
  duration_ms ${real} NOT NULL,
  detail TEXT NOT NULL${
    key
      ? `,
  ${key}`
      : ''
  }
)${suffix}`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'scans and host results',
    sqlite: [
      scansTable('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER'),
      // WITHOUT ROWID: the primary key is the table, so the address is stored once per row.
      resultsTable('INTEGER', 'REAL', ' WITHOUT ROWID'),
    ],
    postgres: [scansTable('BIGSERIAL PRIMARY KEY', 'BIGINT'), resultsTable('BIGINT', 'DOUBLE PRECISION', '')],
  },
  {
    version: 2,
    what: 'keep-unreachable flag and resume fingerprint per scan; host history index',
    sqlite: [
      'ALTER TABLE scans ADD COLUMN keep_unreachable SMALLINT NOT NULL DEFAULT 0',
      "ALTER TABLE scans ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
      'CREATE INDEX host_results_by_address ON host_results (address, scan_id)',
    ],
    postgres: [
      'ALTER TABLE scans ADD COLUMN keep_unreachable SMALLINT NOT NULL DEFAULT 0',
      "ALTER TABLE scans ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
      'CREATE INDEX host_results_by_address ON host_results (address, scan_id)',
    ],
  },
  {
    // The history index cost a b-tree insert and ~64 bytes (PostgreSQL) per row; `history --host`
    // now looks the address up in each scan's primary key instead (a handful of scans, not rows).
    // The detail JSON's evidence is written as positional arrays from this version on, which older
    // rpcsweep cannot read: the version bump makes them refuse the database instead.
    version: 3,
    what: 'history by primary key per scan (history index dropped); PostgreSQL: verdict in the primary key',
    sqlite: ['DROP INDEX host_results_by_address'],
    postgres: [
      'DROP INDEX host_results_by_address',
      // diff reads (address, verdict) of two scans from this index alone (index-only scans).
      'ALTER TABLE host_results DROP CONSTRAINT host_results_pkey, ADD PRIMARY KEY (scan_id, address) INCLUDE (verdict)',
      // Index-only scans need the visibility map current. By default autovacuum waits for inserts of
      // 20 % of the table, which a new scan in a large history never reaches: every 100,000 rows.
      `ALTER TABLE host_results SET (autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 100000,
         autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 100000)`,
    ],
  },
  {
    // A scan writes its results in its plan's shuffled order. In a WITHOUT ROWID table keyed by
    // address each batch landed on most of the table's wide pages, and every commit rewrote them:
    // twice the cost per row of writing in address order. Rows now go to the end of a rowid table
    // (new pages only); the key is a narrow unique index, where random inserts touch few pages.
    // diff reads verdicts through the index (1 M against 1 M: 3 s, was 1.6 s; issue #13's limit 5 s).
    version: 4,
    what: 'SQLite: host results appended in a rowid table, keyed by a unique index',
    sqlite: [
      resultsTable('INTEGER', 'REAL', '', '', 'host_results_v4'),
      'INSERT INTO host_results_v4 SELECT * FROM host_results ORDER BY scan_id, address',
      'DROP TABLE host_results',
      'ALTER TABLE host_results_v4 RENAME TO host_results',
      'CREATE UNIQUE INDEX host_results_key ON host_results (scan_id, address)',
    ],
    // The old table's pages would stay in the file as free space: a 1 M-row store grew 348 → 670 MB.
    sqliteVacuumAfter: true,
    postgres: [],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export const SCHEMA_VERSION_TABLE = 'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)';
