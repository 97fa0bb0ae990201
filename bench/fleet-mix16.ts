/**
 * The fleet on the lab's /16 mix (issue #15 benchmark): a throwaway PostgreSQL cluster of its own,
 * the `mix-16` lab in a child process (root: ~90 % of the /16 silenced with nftables), then, side by
 * side in one run and in this order per round:
 *   - plain `rpcsweep scan` of the /16 storing into PostgreSQL (`--db`, no `-o`: a worker writes no
 *     report file either), one process;
 *   - `fleet submit` + 1 worker, for each --chunk-sizes value (the queue's overhead against the plain
 *     scan, and what a chunk boundary costs);
 *   - `fleet submit` + 2 and 4 workers (processes on this machine) at --chunk-size.
 * Same options everywhere: seed 16, 1 s timeout, no retries, the same --concurrency per process.
 * Every fleet run is checked against the lab's expected verdicts (stored rows: answering and refused
 * addresses). Wall time is from the start of `submit` to the last worker's exit.
 *
 *   node scripts/bench.mjs fleet-mix16 [--concurrency 8192] [--chunk-size 16384]
 *     [--chunk-sizes 8192,16384,65536] [--workers 2,4] [--rounds 1]
 *
 * Prints one JSON line per run (for bench/fleet-capacity.ts --from) and a Markdown table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { startChildLab } from './scan-lab-child.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const list = (s: string) => s.split(',').filter(Boolean).map(Number);
const concurrency = arg('--concurrency', '8192');
const chunkSize = Number(arg('--chunk-size', '16384'));
const chunkSizes = list(arg('--chunk-sizes', '8192,16384,65536'));
const fleetWorkers = list(arg('--workers', '2,4'));
const rounds = Number(arg('--rounds', '1'));
const CLI = process.env.RPCSWEEP_BENCH_CLI
  ? [process.env.RPCSWEEP_BENCH_CLI]
  : ['--import', 'tsx', new URL('../src/cli/main.ts', import.meta.url).pathname];
// No rate cap on either side: scan's default (-T3) caps at 300/s, so the plain scan runs -T5 with
// explicit --concurrency and --timeout; a fleet job without --rate has no cap. (An explicit
// --rate 1000000 is no substitute: the limiter then paces at ~840/s on this machine.)
const COMMON = ['--seed', '16', '--timeout', '1000', '--retries', '0'];

const children = new Set<ChildProcess>();
/** Runs the CLI as a child process; resolves with its exit code and stderr, rejects on failure. */
const cli = (args: string[]): Promise<{ out: string; err: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolve({ out, err }) : reject(new Error(`rpcsweep ${args[0]} exited ${code}: ${err}`)),
    );
  });

const pg = await startPostgres({ own: true });
const lab = await startChildLab('mix-16', 300_000);
const dir = mkdtempSync(join(tmpdir(), 'rs-fleet-bench-'));
const cleanup = async () => {
  for (const c of children) c.kill('SIGKILL');
  await lab.stop();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
};
// Ctrl-C or a kill: stop this run's workers (by their PIDs), the lab and the cluster, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
interface Run {
  kind: string;
  workers: number;
  chunkSize?: number;
  seconds: number;
  wrong: number;
  rows: number;
  load1: number;
}
const runs: Run[] = [];
try {
  if (lab.notSilenced.length > 0)
    console.log(`WARNING: ${lab.notSilenced.length} addresses not silenced (no root)`);
  const expected = new Map<string, string>(lab.hosts.map((h) => [h.address, h.expected.verdict]));
  for (const a of lab.refused) expected.set(a, 'refused');
  const total = lab.hosts.length + lab.refused.length + lab.unreachable.length;
  // For bench/fleet-capacity.ts --from: what the descriptor-bound limit of this run is made of.
  console.log(
    JSON.stringify({
      kind: 'lab',
      addresses: total,
      silent: lab.unreachable.length,
      concurrency: Number(concurrency),
      timeoutS: 1,
    }),
  );
  console.log(
    `lab mix-16: ${total} addresses, ${lab.hosts.length} hosts, ${lab.refused.length} refused, ${lab.unreachable.length} silent; concurrency ${concurrency} per process`,
  );

  /** Stored rows against the lab: missing, extra and mismatched rows all count as wrong. */
  const check = async (db: string, scanId: number) => {
    const store = await openStore(db);
    try {
      const rows = await store.readScan(scanId);
      let wrong = Math.abs(expected.size - rows.length);
      for (const r of rows) if (expected.get(r.address) !== r.verdict) wrong++;
      return { wrong, rows: rows.length };
    } finally {
      await store.close();
    }
  };
  const record = (r: Run) => {
    runs.push(r);
    console.log(JSON.stringify(r));
  };

  const plain = async () => {
    const db = await pg.newDatabase();
    const load1 = loadavg()[0]!;
    const t0 = performance.now();
    await cli(['scan', lab.targetSpec, ...COMMON, '-T5', '--concurrency', concurrency, '-q', '--db', db]);
    const seconds = (performance.now() - t0) / 1000;
    record({ kind: 'plain scan', workers: 1, seconds, ...(await check(db, 1)), load1 });
  };

  const fleet = async (workers: number, size: number) => {
    const db = await pg.newDatabase();
    const load1 = loadavg()[0]!;
    const t0 = performance.now();
    const sub = await cli([
      'fleet',
      'submit',
      lab.targetSpec,
      ...COMMON,
      '--db',
      db,
      '--chunk-size',
      String(size),
      '--lease-s',
      '600',
    ]);
    const worker = [
      'fleet',
      'worker',
      '--db',
      db,
      '--allow',
      lab.targetSpec,
      '--concurrency',
      concurrency,
      '--max-timeout',
      '1000',
      '--exit-when-idle',
      '--poll-ms',
      '100',
    ];
    await Promise.all(Array.from({ length: workers }, () => cli(worker)));
    const seconds = (performance.now() - t0) / 1000;
    record({
      kind: 'fleet',
      workers,
      chunkSize: size,
      seconds,
      ...(await check(db, Number(sub.out.trim()))),
      load1,
    });
  };

  for (let round = 0; round < rounds; round++) {
    await plain();
    for (const size of chunkSizes) await fleet(1, size);
    for (const w of fleetWorkers) await fleet(w, chunkSize);
  }

  const plainS = runs.filter((r) => r.kind === 'plain scan').map((r) => r.seconds);
  const plainMin = Math.min(...plainS);
  console.log('\n| Run | Workers | Chunk size | Wall time | vs plain scan (best) | Wrong | Load (1 min) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of runs)
    console.log(
      `| ${r.kind} | ${r.workers} | ${r.chunkSize?.toLocaleString('en') ?? '–'} | ${r.seconds.toFixed(1)} s | ${(r.seconds / plainMin).toFixed(2)} | ${r.wrong} | ${r.load1.toFixed(1)} |`,
    );
} finally {
  await cleanup();
}
