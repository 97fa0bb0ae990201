/**
 * Start-up benchmark (issue #11): the built CLI against a bare `node -e 0`, goal ≤ 1.3 ×.
 *
 *   node --import tsx bench/startup.ts [--runs 30]
 *
 * Builds the CLI as shipped (scripts/build.mjs into bench/out/startup/), then for each command line
 * runs it and the bare Node in turn, A B A B …, `--runs` pairs after two warm-up pairs. Figures:
 * the median of the per-pair wall-time ratios (a pair shares the machine's state of the moment), and
 * the CPU ratio from the children's user + system time summed over all runs (/proc/self/stat
 * cutime/cstime, clock ticks: summing keeps the 10 ms tick small against the total). The load
 * average is printed with each row: on a shared machine, quote ratios, not absolute times.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const runs = Number(arg('--runs', '30'));
const OUT = 'bench/out/startup';

/** CPU seconds of this process's waited-for children so far (utime + stime of the dead ones). */
const childrenCpu = (): number => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: cutime is field 16, cstime field 17.
  return (Number(fields[13]) + Number(fields[14])) / 100;
};

const timed = (argv: readonly string[]): { wall: number; cpu: number } => {
  const cpu0 = childrenCpu();
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childrenCpu() - cpu0 };
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const built = spawnSync(process.execPath, ['scripts/build.mjs', OUT], { stdio: 'inherit' });
if (built.status !== 0) process.exit(1);

const BARE = [process.execPath, '-e', '0'];
const CASES: ReadonlyArray<readonly string[]> = [
  ['--version'],
  ['--help'],
  ['scan', '--help'],
  // For scale: a command that runs, loading commander and scan's modules (plans one address, sends nothing).
  ['scan', '--dry-run', '192.0.2.1'],
];

console.log(`node ${process.version}, ${runs} pairs per row`);
console.log(
  '| command | wall ratio (median of pairs) | CPU ratio (sums) | median wall A / B | load average |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const args of CASES) {
  const cli = [process.execPath, `${OUT}/rpcsweep.mjs`, ...args];
  for (let i = 0; i < 2; i++) {
    timed(cli);
    timed(BARE);
  }
  const ratios: number[] = [];
  const walls = { a: [] as number[], b: [] as number[] };
  let cpuA = 0;
  let cpuB = 0;
  for (let i = 0; i < runs; i++) {
    const a = timed(cli);
    const b = timed(BARE);
    ratios.push(a.wall / b.wall);
    walls.a.push(a.wall);
    walls.b.push(b.wall);
    cpuA += a.cpu;
    cpuB += b.cpu;
  }
  console.log(
    `| \`rpcsweep ${args.join(' ')}\` | ${median(ratios).toFixed(2)} | ${(cpuA / cpuB).toFixed(2)} | ${median(walls.a).toFixed(0)} ms / ${median(walls.b).toFixed(0)} ms | ${loadavg()[0]!.toFixed(1)} |`,
  );
}
