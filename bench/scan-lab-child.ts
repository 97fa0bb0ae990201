/**
 * Shared by the scanner benchmarks: runs `rpcsweep lab up SPEC --json` in a child process (the lab
 * gets its own 20,000-descriptor budget and its own event loop) and waits for its `ready` line.
 * The child is stopped by PID with SIGINT, which makes it remove its nft table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { labBlock } from '../test/support/lab-block.ts';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
/** scripts/bench.mjs sets this to the bundled CLI, so the lab runs as shipped and not through tsx. */
const BUNDLED_CLI = process.env.RPCSWEEP_BENCH_CLI;

export interface ChildLab {
  pid: number;
  targetSpec: string;
  hosts: Array<{ address: string; profile: string; expected: { verdict: string } }>;
  refused: string[];
  unreachable: string[];
  notSilenced: string[];
  stop(): Promise<void>;
}

export const startChildLab = async (spec: string | object, readyTimeoutMs = 120_000): Promise<ChildLab> => {
  let arg = typeof spec === 'string' ? spec : '';
  if (typeof spec !== 'string') {
    arg = join(tmpdir(), `rs-bench-lab-${process.pid}.json`);
    writeFileSync(arg, JSON.stringify(spec));
  }
  const cli = BUNDLED_CLI ? [BUNDLED_CLI] : ['--import', 'tsx', MAIN];
  // In this run's own address block: a benchmark never meets a test run or another benchmark.
  const child: ChildProcess = spawn(process.execPath, [...cli, 'lab', 'up', arg, '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RPCSWEEP_LAB_BLOCK: labBlock() },
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lab did not become ready')), readyTimeoutMs);
    lines.on('line', (l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (o.event === 'ready') {
        clearTimeout(timer);
        resolve(o);
      }
    });
    child.once('exit', (code) => reject(new Error(`lab exited early (${code})`)));
  }).finally(() => {
    // The child has read its spec (or failed): the temporary file is no longer needed.
    if (typeof spec !== 'string') rmSync(arg, { force: true });
  });
  return {
    pid: child.pid!,
    targetSpec: ready.targetSpec as string,
    hosts: ready.hosts as ChildLab['hosts'],
    refused: ready.refused as string[],
    unreachable: ready.unreachable as string[],
    notSilenced: ready.notSilenced as string[],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
};
