/**
 * The fleet's queue on pg-boss 10: one queue per site (a worker only ever asks its own site's queue,
 * so it cannot run another site's chunks), one job per chunk. A chunk is a range [from, to) of the
 * scan's seeded permutation: a few integers, never an address list. pg-boss leases a fetched job
 * for the job's expireInSeconds; a worker killed mid-chunk lets the lease expire and the job goes
 * back to `retry` for another worker. Results are keyed (scan, address), so a redo never duplicates.
 */
import PgBoss from 'pg-boss';
import { RpcsweepError } from '../../core/errors.ts';
import type { Verdict } from '../../core/result.ts';
import { maskUrl } from '../../store/index.ts';

export interface ChunkJob {
  scanId: number;
  site: string;
  from: number;
  to: number;
  timeoutMs: number;
  ratePerSecond?: number;
  retries: number;
  port: number;
}

/** What a worker records when it completes a chunk (job output). */
export interface ChunkOutput {
  worker: string;
  counts: Partial<Record<Verdict, number>>;
  elapsedMs: number;
}

export const queueOf = (site: string): string => `rpcsweep-chunks-${site}`;

export const checkSite = (site: string): string => {
  if (!/^[a-z0-9][a-z0-9_-]{0,40}$/.test(site)) {
    throw new RpcsweepError(
      'CLI_USAGE',
      `--site: "${site}" must be lower-case letters, digits, - or _ (at most 41)`,
    );
  }
  return site;
};

export const openQueue = async (
  url: string,
  options: { maintenanceIntervalSeconds?: number } = {},
): Promise<PgBoss> => {
  const boss = new PgBoss({
    connectionString: url,
    max: 4,
    // Expired leases are found by pg-boss's maintenance; workers run it often enough for short leases.
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    schedule: false,
  });
  boss.on('error', () => {});
  try {
    await boss.start();
  } catch (e) {
    throw new RpcsweepError('STORE_OPEN', `queue database ${maskUrl(url)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return boss;
};

export const ensureQueue = async (boss: PgBoss, site: string): Promise<string> => {
  const name = queueOf(site);
  if (!(await boss.getQueue(name))) await boss.createQueue(name);
  return name;
};

export interface ChunkRow {
  id: string;
  name: string;
  state: string;
  from: number;
  to: number;
  retryCount: number;
  output: (Partial<ChunkOutput> & { error?: string }) | null;
  startedOn: Date | null;
  completedOn: Date | null;
}

/** Every chunk of a scan with its state (pg-boss's job table, read directly: one query). */
export const chunksOf = async (boss: PgBoss, scanId: number): Promise<ChunkRow[]> => {
  // Completed jobs move to pgboss.archive after a while (archiveCompletedAfterSeconds): read both.
  const sql = ['job', 'archive']
    .map(
      (table) => `SELECT id, name, state, (data->>'from')::bigint AS "from", (data->>'to')::bigint AS "to",
        retry_count, output, started_on, completed_on
        FROM pgboss.${table} WHERE name LIKE 'rpcsweep-chunks-%' AND (data->>'scanId')::bigint = $1`,
    )
    .join(' UNION ALL ');
  const r = await boss.getDb().executeSql(sql, [scanId]);
  return r.rows.map((x) => ({
    id: String(x.id),
    name: String(x.name),
    state: String(x.state),
    from: Number(x.from),
    to: Number(x.to),
    retryCount: Number(x.retry_count),
    output: x.output as ChunkRow['output'],
    startedOn: x.started_on ?? null,
    completedOn: x.completed_on ?? null,
  }));
};

/** Jobs of a site that are waiting (created/retry) or leased (active). */
export const pendingOf = async (boss: PgBoss, site: string): Promise<number> => {
  const r = await boss
    .getDb()
    .executeSql(
      `SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
      [queueOf(site)],
    );
  return Number(r.rows[0].n);
};
