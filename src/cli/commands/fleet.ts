/**
 * `rpcsweep fleet submit|worker|status|cancel`: a scan split into chunks of its seeded permutation,
 * handed out through pg-boss on the PostgreSQL results store to workers per site (docs/fleet.md).
 * `report`, `diff` and `history` read fleet scans like any other: they are ordinary scan rows.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { wallClockIso } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import { VERSION } from '../../core/version.ts';
import { isPostgresUrl, PostgresStore } from '../../store/index.ts';
import { buildTargetSet, createTargetPlan, parseTargetArgs } from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import { collectList, intOption, numberOption, rateOption, usage } from '../options.ts';
import { notesFor, quietOption, type VerbosityOptions, verboseOption } from '../verbosity.ts';
import { type ChunkJob, type ChunkRow, checkSite, chunksOf, ensureQueue, openQueue } from './fleet-queue.ts';
import { runWorker } from './fleet-worker.ts';
import { dbOf } from './store-open.ts';
import { scopeTexts } from './store-scope.ts';

const pgOf = (db: string | undefined, io: CliIo, what: string): string => {
  const url = dbOf(db, io, what);
  if (!isPostgresUrl(url))
    usage(`${what} needs a postgres:// database (the fleet's queue lives in PostgreSQL)`);
  return url;
};

interface SubmitOptions extends VerbosityOptions {
  db?: string;
  site: string;
  chunkSize: string;
  seed?: string;
  timeout: string;
  rate?: string;
  retries: string;
  port: string;
  leaseS: string;
  chunkRetries: string;
  blocklist: boolean;
}

/** Runs `fn` with the fleet's results store and its pg-boss queue open, and closes both after. */
const withFleet = async <T>(
  url: string,
  fn: (store: PostgresStore, boss: Awaited<ReturnType<typeof openQueue>>) => Promise<T>,
): Promise<T> => {
  const store = await PostgresStore.open(url);
  try {
    const boss = await openQueue(url);
    try {
      return await fn(store, boss);
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
    }
  } finally {
    await store.close();
  }
};

export const runSubmit = async (targets: string[], o: SubmitOptions, io: CliIo): Promise<void> => {
  const url = pgOf(o.db, io, 'fleet submit');
  const site = checkSite(o.site);
  const chunkSize = intOption('--chunk-size', o.chunkSize, 1, 16_777_216);
  const seed = o.seed === undefined ? randomInt(0, 2 ** 31) : intOption('--seed', o.seed, 0, 2 ** 32 - 1);
  if (targets.length === 0) usage('fleet submit needs targets (addresses, ranges, CIDR)');
  // Every chunk carries the same settings: checked once, before anything is stored or queued.
  const settings = {
    timeoutMs: intOption('--timeout', o.timeout, 1, 600_000),
    ratePerSecond: rateOption(o.rate),
    retries: intOption('--retries', o.retries, 0, 10),
    port: intOption('--port', o.port, 1, 65535),
  };
  const expireInSeconds = intOption('--lease-s', o.leaseS, 1, 86_400);
  const retryLimit = intOption('--chunk-retries', o.chunkRetries, 0, 100);
  const set = (await buildTargetSet({ targets: parseTargetArgs(targets), defaultBlocklist: o.blocklist }))
    .set;
  const plan = createTargetPlan({ set, seed });
  await withFleet(url, async (store, boss) => {
    const scanId = await store.createScan({
      startedAt: wallClockIso(),
      targets,
      scope: scopeTexts(set),
      seed,
      shard: '1/1',
      options: { fleet: { site, chunkSize } },
      version: VERSION,
      total: plan.length,
      keepUnreachable: false,
      fingerprint: `fleet:${randomUUID()}`,
    });
    const name = await ensureQueue(boss, site);
    const jobs = [];
    for (let from = 0; from < plan.length; from += chunkSize) {
      const data: ChunkJob = { scanId, site, from, to: Math.min(plan.length, from + chunkSize), ...settings };
      jobs.push({ name, data, expireInSeconds, retryLimit });
    }
    for (let i = 0; i < jobs.length; i += 1000) await boss.insert(jobs.slice(i, i + 1000));
    io.stdout.write(`${scanId}\n`);
    notesFor(o, io).note(
      `rpcsweep: scan ${scanId}: ${plan.length} address(es) in ${jobs.length} chunk(s) for site ${site}\n`,
    );
  });
};

/**
 * Addresses per second since the first chunk was leased (to the last completion once all are done),
 * and the seconds left at that rate; null before any address is done.
 */
const progressOf = (done: number, total: number, chunks: readonly ChunkRow[], now: number) => {
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const c of chunks) {
    if (c.startedOn) first = Math.min(first, c.startedOn.getTime());
    if (c.state === 'completed' && c.completedOn) last = Math.max(last, c.completedOn.getTime());
  }
  if (done === 0 || first === Number.POSITIVE_INFINITY) return { rate: null, etaSeconds: null };
  const until = done >= total && last > 0 ? last : now;
  const rate = done / Math.max(0.001, (until - first) / 1000);
  return { rate: Math.round(rate * 10) / 10, etaSeconds: Math.ceil((total - done) / rate) };
};

/** Status of a scan from its chunks: pure, so the json shape is tested without a server. */
export const fleetStatus = (
  scanId: number,
  total: number,
  chunks: readonly ChunkRow[],
  now: number = Date.now(),
) => {
  type JobState = 'created' | 'retry' | 'active' | 'completed' | 'failed' | 'cancelled';
  const states: Record<JobState, number> = {
    created: 0,
    retry: 0,
    active: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
  const workers = new Map<string, { worker: string; chunks: number; addresses: number; elapsedMs: number }>();
  let done = 0;
  const errors: string[] = [];
  for (const c of chunks) {
    if (c.state in states) states[c.state as JobState]++;
    if (c.output?.error && c.state !== 'completed') errors.push(c.output.error);
    if (c.state !== 'completed') continue;
    done += c.to - c.from;
    const w = c.output?.worker ?? 'unknown';
    const row = workers.get(w) ?? { worker: w, chunks: 0, addresses: 0, elapsedMs: 0 };
    row.chunks++;
    row.addresses += c.to - c.from;
    row.elapsedMs += c.output?.elapsedMs ?? 0;
    workers.set(w, row);
  }
  const pending = states.created! + states.retry! + states.active!;
  const retried = chunks.filter((c) => c.retryCount > 0).length;
  const state =
    states.cancelled! > 0
      ? 'cancelled'
      : pending === 0 && states.failed! > 0
        ? 'failed'
        : chunks.length > 0 && states.completed === chunks.length
          ? 'done'
          : // A refused or expired chunk counts as started: some worker has touched the scan.
            states.active! > 0 || states.completed! > 0 || states.failed! > 0 || retried > 0
            ? 'running'
            : 'queued';
  return {
    scan: scanId,
    state,
    addresses: { done, total },
    ...progressOf(done, total, chunks, now),
    chunks: { total: chunks.length, ...states, retried },
    workers: [...workers.values()].sort((a, b) => (a.worker < b.worker ? -1 : 1)),
    errors: [...new Set(errors)],
  };
};

/** 75 → "1 min 15 s", 7300 → "2 h 1 min". */
export const formatEta = (seconds: number): string => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`;
};

const scanIdOf = async (store: PostgresStore, text: string | undefined) => {
  if (text !== undefined) {
    const scan = await store.getScan(intOption('SCAN', text, 1, Number.MAX_SAFE_INTEGER));
    if (!scan) throw new RpcsweepError('STORE_NOT_FOUND', `${store.name} has no scan ${text}`);
    return scan;
  }
  const scan = (await store.listScans()).filter((s) => 'fleet' in s.options).pop();
  if (!scan) throw new RpcsweepError('STORE_NOT_FOUND', `${store.name} has no fleet scan`);
  return scan;
};

export const runStatus = async (
  scanText: string | undefined,
  o: { db?: string; format: string; watch?: boolean },
  io: CliIo,
) => {
  await withFleet(pgOf(o.db, io, 'fleet status'), async (store, boss) => {
    const scan = await scanIdOf(store, scanText);
    for (;;) {
      const s = fleetStatus(scan.id, scan.total, await chunksOf(boss, scan.id));
      if (o.format === 'json') io.stdout.write(`${JSON.stringify(s)}\n`);
      else {
        const c = s.chunks;
        const pace =
          s.rate === null
            ? ''
            : ` (${s.rate.toFixed(0)}/s${s.etaSeconds ? `, ${formatEta(s.etaSeconds)} left` : ''})`;
        io.stdout.write(
          `scan ${s.scan} (site ${(scan.options.fleet as { site?: string })?.site ?? '?'}): ${s.state}, ${s.addresses.done}/${s.addresses.total} addresses${pace}; chunks ${c.completed}/${c.total} done, ${c.active} running, ${c.created + c.retry} waiting, ${c.failed} failed, ${c.retried} retried\n`,
        );
        for (const w of s.workers)
          io.stdout.write(
            `  ${w.worker}: ${w.chunks} chunk(s), ${w.addresses} address(es), ${(w.addresses / Math.max(1, w.elapsedMs / 1000)).toFixed(0)}/s\n`,
          );
        for (const e of s.errors) io.stdout.write(`  error: ${e}\n`);
      }
      if (!o.watch || (s.state !== 'running' && s.state !== 'queued') || io.signal.aborted) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  });
};

export const runCancel = async (scanText: string, o: { db?: string }, io: CliIo) => {
  await withFleet(pgOf(o.db, io, 'fleet cancel'), async (store, boss) => {
    const scan = await scanIdOf(store, scanText);
    const open = (await chunksOf(boss, scan.id)).filter((c) =>
      ['created', 'retry', 'active'].includes(c.state),
    );
    for (const c of open) await boss.cancel(c.name, c.id);
    io.stderr.write(`rpcsweep: scan ${scan.id}: ${open.length} chunk(s) cancelled\n`);
  });
};

/** A fleet sub-command: each names the PostgreSQL store and queue with --db. */
const subcommand = (fleet: Command, name: string, description: string): Command =>
  fleet.command(name).description(description).option('--db <url>', 'postgres:// URL (env RPCSWEEP_DB)');

export const register = (program: Command, io: CliIo): void => {
  const fleet = program
    .command('fleet')
    .description('split a scan over workers (per site) through PostgreSQL and pg-boss');
  subcommand(fleet, 'submit', 'create a scan in the store and queue its chunks; prints the scan id')
    .argument('<targets...>', 'addresses, ranges, CIDR')
    .option('--site <name>', 'the site whose workers run the chunks', 'default')
    .option('--chunk-size <n>', 'addresses per chunk', '4096')
    .option('--seed <n>', 'seed of the address order')
    .option('--timeout <ms>', 'per-step timeout (capped by each worker)', '5000')
    .option('--rate <n>', 'new connections per second per worker (capped by each worker)')
    .option('--retries <n>', 'extra connect attempts for silent addresses', '0')
    .option('--port <n>', 'TCP port of the endpoint mapper', '135')
    .option(
      '--lease-s <s>',
      'a chunk taken by a worker that dies goes back to the queue after this long',
      '600',
    )
    .option('--chunk-retries <n>', 'times a failed or expired chunk is handed out again', '5')
    .option('--no-blocklist', 'lift the default blocklist of reserved ranges')
    .addOption(quietOption('print only the scan id (errors still print)'))
    .action(async (targets: string[], opts: SubmitOptions) => runSubmit(targets, opts, io));
  subcommand(fleet, 'worker', "take this site's chunks, scan them, store the results")
    .option('--site <name>', 'run only this site’s chunks', 'default')
    .option(
      '--allow <cidr>',
      'ranges this worker may scan (repeatable; default: none, every chunk refused)',
      collectList,
      [],
    )
    .option('--concurrency <n>', 'hosts scanned at once', '512')
    .option('--max-rate <n>', 'cap on new connections per second')
    .option('--max-timeout <ms>', 'cap on the per-step timeout', '10000')
    .option('--exit-when-idle', 'exit 0 once no chunk is left for this site')
    .option('--poll-ms <ms>', 'wait between empty polls', '1000')
    .option('--maintenance-s <s>', 'how often expired leases are looked for', '30')
    .option('--db-retry-ms <ms>', 'how long a failing database operation is retried before exiting', '300000')
    .addOption(verboseOption("also print each chunk's verdict counts and time"))
    .addOption(quietOption('no start or per-chunk lines (refusals, retries and errors still print)'))
    .action(async (opts: Record<string, string | string[] | boolean | undefined>) => {
      await runWorker(
        {
          db: pgOf(opts.db as string | undefined, io, 'fleet worker'),
          site: checkSite(opts.site as string),
          allow: opts.allow as string[],
          concurrency: intOption('--concurrency', opts.concurrency as string, 1, 19_500),
          maxRate:
            opts.maxRate === undefined
              ? undefined
              : numberOption('--max-rate', opts.maxRate as string, { min: Number.MIN_VALUE, max: 1e6 }),
          maxTimeoutMs: intOption('--max-timeout', opts.maxTimeout as string, 1, 600_000),
          exitWhenIdle: Boolean(opts.exitWhenIdle),
          pollMs: intOption('--poll-ms', opts.pollMs as string, 10, 60_000),
          maintenanceS: intOption('--maintenance-s', opts.maintenanceS as string, 1, 3600),
          dbRetryMs: intOption('--db-retry-ms', opts.dbRetryMs as string, 0, 86_400_000),
          notes: notesFor(opts as VerbosityOptions, io),
        },
        io,
      );
    });
  subcommand(fleet, 'status', 'progress per site and worker, failed or retried chunks')
    .argument('[scan]', 'scan id (default: the newest fleet scan)')
    .option('--format <format>', 'text or json', 'text')
    .option('--watch', 'redraw every 2 s until the scan ends')
    .action(async (scan: string | undefined, opts: { db?: string; format: string; watch?: boolean }) =>
      runStatus(scan, opts, io),
    );
  subcommand(fleet, 'cancel', 'cancel the chunks of a scan not yet done')
    .argument('<scan>', 'scan id')
    .action(async (scan: string, opts: { db?: string }) => runCancel(scan, opts, io));
};
