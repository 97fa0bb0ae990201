/**
 * `rpcsweep history --db …`: the stored scans (id, dates, targets, counts per verdict; unreachable
 * counted from the plan even when not stored), or with `--host ADDR` that host's verdict in every
 * scan whose scope held it.
 */
import type { Command } from 'commander';
import { RpcsweepError } from '../../core/errors.ts';
import { VERDICTS, type Verdict } from '../../core/result.ts';
import type { ResultStore, ScanRow } from '../../store/index.ts';
import type { CliIo } from '../io.ts';
import { dbOf, withStore } from './store-open.ts';
import { inSet, scopeSet } from './store-scope.ts';

/** Counts of a scan: as recorded at its end, else the stored rows plus the rest of the plan as unreachable. */
export const scanCounts = async (store: ResultStore, scan: ScanRow): Promise<Record<string, number>> => {
  const c: Partial<Record<Verdict, number>> = scan.counts ?? (await store.countStored(scan.id));
  if (!scan.counts) {
    const stored = VERDICTS.reduce((n, v) => n + (c[v] ?? 0), 0);
    if (!scan.keepUnreachable) c.unreachable = (c.unreachable ?? 0) + Math.max(0, scan.total - stored);
  }
  return Object.fromEntries(VERDICTS.filter((v) => (c[v] ?? 0) > 0).map((v) => [v, c[v]!]));
};

interface HistoryOptions {
  db?: string;
  host?: string;
  format: string;
}

const listScans = async (store: ResultStore, o: HistoryOptions, io: CliIo) => {
  const scans = [];
  for (const s of await store.listScans()) {
    scans.push({
      id: s.id,
      started: s.startedAt,
      finished: s.finishedAt ?? null,
      targets: s.targets,
      counts: await scanCounts(store, s),
    });
  }
  if (o.format === 'json') {
    io.stdout.write(`${JSON.stringify({ scans })}\n`);
    return;
  }
  for (const s of scans) {
    const counts = Object.entries(s.counts)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ');
    io.stdout.write(
      `${s.id}\t${s.started}\t${s.finished ?? '(unfinished)'}\t${s.targets.join(' ')}\t${counts}\n`,
    );
  }
};

const hostHistory = async (store: ResultStore, address: string, o: HistoryOptions, io: CliIo) => {
  const stored = new Map((await store.hostHistory(address)).map((r) => [r.scanId, r.verdict]));
  const history = [];
  for (const s of await store.listScans()) {
    const verdict = stored.get(s.id) ?? (inSet(await scopeSet(s.scope))(address) ? 'unreachable' : undefined);
    if (verdict) history.push({ scan: s.id, started: s.startedAt, verdict });
  }
  if (o.format === 'json') {
    io.stdout.write(`${JSON.stringify({ host: address, history })}\n`);
    return;
  }
  if (history.length === 0) io.stdout.write(`${address} was in no stored scan\n`);
  for (const h of history) io.stdout.write(`${h.scan}\t${h.started}\t${h.verdict}\n`);
};

export const runHistory = async (o: HistoryOptions, io: CliIo): Promise<void> => {
  if (o.format !== 'text' && o.format !== 'json') {
    throw new RpcsweepError('CLI_USAGE', `--format: "${o.format}" is not text or json`);
  }
  await withStore(dbOf(o.db, io, 'history'), (store) =>
    o.host ? hostHistory(store, o.host, o, io) : listScans(store, o, io),
  );
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('history')
    .description('list the stored scans with their counts, or one host’s verdicts over time (--host)')
    .option('--db <path|url>', 'SQLite file or postgres:// URL (env RPCSWEEP_DB)')
    .option('--host <address>', "this host's verdict in every scan that covered it")
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: HistoryOptions) => {
      await runHistory(opts, io);
    });
};
