/**
 * `scan --db` against the lab's /16 mix (issue #13: the scan is not slowed by the store, ≤ 5 %): the
 * `mix-16` lab in a child process (root: ~90 % of the /16 silenced with nftables; in this run's own
 * 127.x block), then per round, side by side, the bundled CLI scanning it with `-o mix.ndjson` and
 * with `-o mix.ndjson --db mix.sqlite` (a fresh database each run), in alternating order from round
 * to round. Each run is a child process timed by /usr/bin/time (wall, user + system CPU, peak RSS);
 * the stored rows are counted, the load average is printed beside each run.
 *
 *   node scripts/bench.mjs scan-mix16-db [--rounds 3] [--concurrency 9000]
 *
 * Same options for both: seed 16, 1 s timeout, no retries, -T5 (no rate cap; -T3 caps at 300/s).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { startChildLab } from './scan-lab-child.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('--rounds', '3'));
const concurrency = arg('--concurrency', '9000');
const CLI = process.env.RPCSWEEP_BENCH_CLI
  ? [process.env.RPCSWEEP_BENCH_CLI]
  : ['--import', 'tsx', new URL('../src/cli/main.ts', import.meta.url).pathname];

interface Run {
  db: boolean;
  wallS: number;
  cpuS: number;
  rssMb: number;
  rows?: number;
  load1: number;
}

/** One scan as a child process under /usr/bin/time; rejects unless it exits 0. */
const scan = (args: string[]): Promise<{ wallS: number; cpuS: number; rssMb: number }> =>
  new Promise((resolve, reject) => {
    const timeFile = join(dir, 'time.txt');
    const child = spawn(
      '/usr/bin/time',
      ['-o', timeFile, '-f', '%e %U %S %M', process.execPath, ...CLI, ...args],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`rpcsweep scan exited ${code}: ${err}`));
      const [e, u, s, m] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
      resolve({ wallS: e!, cpuS: u! + s!, rssMb: m! / 1024 });
    });
  });

const lab = await startChildLab('mix-16', 300_000);
const dir = mkdtempSync(join(tmpdir(), 'rs-mix16-db-'));
try {
  if (lab.notSilenced.length > 0)
    console.log(`WARNING: ${lab.notSilenced.length} addresses not silenced (no root): the figures are void`);
  console.log(
    `lab mix-16 on ${lab.targetSpec}: ${lab.hosts.length} hosts, ${lab.refused.length} refused, ${lab.unreachable.length} silent`,
  );
  const common = [lab.targetSpec, '-T5', '--seed', '16', '--timeout', '1000', '--retries', '0'];
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const withDb of order) {
      const db = join(dir, `mix-${round}.sqlite`);
      const load1 = loadavg()[0]!;
      const args = ['scan', ...common, '--concurrency', concurrency, '-q', '-o', join(dir, 'mix.ndjson')];
      const r = await scan(withDb ? [...args, '--db', db] : args);
      let rows: number | undefined;
      if (withDb) {
        const store = await openStore(db);
        const [scanRow] = await store.listScans();
        rows = Object.values(await store.countStored(scanRow!.id)).reduce((a, b) => a + (b ?? 0), 0);
        await store.close();
      }
      const run = { db: withDb, ...r, rows, load1 };
      runs.push(run);
      console.log(
        `round ${round + 1} ${withDb ? 'with --db   ' : 'without --db'}: ${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(2)} s CPU, peak RSS ${Math.round(r.rssMb)} MB${rows === undefined ? '' : `, ${rows} rows stored`} (load ${load1.toFixed(1)})`,
      );
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const ratio = (k: 'wallS' | 'cpuS') =>
    median(runs.filter((r) => r.db).map((r) => r[k])) / median(runs.filter((r) => !r.db).map((r) => r[k]));
  console.log(
    `with / without --db, medians of ${rounds}: wall ${ratio('wallS').toFixed(3)}, CPU ${ratio('cpuS').toFixed(3)} (target ≤ 1.05)`,
  );
} finally {
  await lab.stop();
  rmSync(dir, { recursive: true, force: true });
}
