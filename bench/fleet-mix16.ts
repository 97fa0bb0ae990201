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
 * addresses). Wall time is from the start of `submit` to the last worker's exit; with --standing the
 * workers are started (and polling) before `submit`, and the time runs to the last chunk's "done".
 *
 *   node scripts/bench.mjs fleet-mix16 [--concurrency 8192] [--chunk-size 16384]
 *     [--chunk-sizes 8192,16384,65536] [--workers 2,4] [--rounds 1] [--standing]
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
// --standing: workers are already running and polling when `submit` starts (as systemd services
// would be), so the wall time holds the queue's own cost, not two more process start-ups.
const standing = process.argv.includes('--standing');
const rounds = Number(arg('--rounds', '1'));
const CLI = process.env.RPCSWEEP_BENCH_CLI
  ? [process.env.RPCSWEEP_BENCH_CLI]
  : ['--import', 'tsx', new URL('../src/cli/main.ts', import.meta.url).pathname];
// No rate cap on either side: scan's default (-T3) caps at 300/s, so the plain scan runs -T5 with
// explicit --concurrency and --timeout; a fleet job without --rate has no cap. (An explicit
// --rate 1000000 is no substitute: the limiter then paces at ~840/s on this machine.)
const COMMON = ['--seed', '16', '--timeout', '1000', '--retries', '0'];

const children = new Set<ChildProcess>();
/** When each worker's stderr first said it took a chunk, and when it last said one was done. */
const marks = { firstChunk: Number.POSITIVE_INFINITY, lastDone: 0, done: 0, onDone: () => {} };
const mark = (text: string) => {
  const now = performance.now();
  if (/: chunk \d+-\d+ of scan \d+\n/.test(text)) marks.firstChunk = Math.min(marks.firstChunk, now);
  for (const _ of text.matchAll(/ done\n/g)) {
    marks.lastDone = now;
    marks.done++;
    marks.onDone();
  }
};
const resetMarks = () => {
  Object.assign(marks, { firstChunk: Number.POSITIVE_INFINITY, lastDone: 0, done: 0 });
};
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
      mark(d.toString());
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
  /** Fleet runs: submit's own time, the first chunk's start and the last chunk's end, from t0. */
  phases?: { submitS: number; firstChunkS: number; lastDoneS: number };
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

  /**
   * Starts workers that poll an empty queue; finish(chunks) waits for that many chunks to be done,
   * then stops them with SIGTERM and waits for their exit.
   */
  const startStanding = async (n: number, args: string[]) => {
    const procs = Array.from({ length: n }, () => {
      const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(child);
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      const ready = new Promise<void>((r) =>
        child.stderr.on('data', (d: Buffer) => {
          if (d.toString().includes('fleet worker')) r();
          mark(d.toString());
        }),
      );
      return { child, exited, ready };
    });
    await Promise.all(procs.map((p) => p.ready));
    await new Promise((r) => setTimeout(r, 300)); // past each worker's first empty poll
    return {
      finish: async (chunks: number) => {
        await new Promise<void>((r) => {
          marks.onDone = () => marks.done >= chunks && r();
          marks.onDone();
        });
        marks.onDone = () => {};
        for (const p of procs) p.child.kill('SIGTERM');
        await Promise.all(procs.map((p) => p.exited));
      },
    };
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
    resetMarks();
    const workerArgs = (idle: string[]) => [
      ...['fleet', 'worker', '--db', db, '--allow', lab.targetSpec, '--concurrency', concurrency],
      ...['--max-timeout', '1000', '--poll-ms', '100', ...idle],
    ];
    const warm = standing ? await startStanding(workers, workerArgs([])) : undefined;
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
    const submitS = (performance.now() - t0) / 1000;
    if (warm) await warm.finish(Math.ceil(total / size));
    else await Promise.all(Array.from({ length: workers }, () => cli(workerArgs(['--exit-when-idle']))));
    const seconds = (warm ? marks.lastDone - t0 : performance.now() - t0) / 1000;
    record({
      kind: standing ? 'fleet (standing workers)' : 'fleet',
      workers,
      chunkSize: size,
      seconds,
      phases: {
        submitS,
        firstChunkS: (marks.firstChunk - t0) / 1000,
        lastDoneS: (marks.lastDone - t0) / 1000,
      },
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
