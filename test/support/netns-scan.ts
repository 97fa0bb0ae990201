/**
 * Runs `rpcsweep scan …` as a child process (netns lab mode re-executes itself, so it cannot run
 * in-process) and reads the KB823980 Statistics block of a text report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { labBlock } from './lab-block.ts';
import { run } from './system.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

export interface ScanRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export const startScan = (args: string[], options: { cwd?: string } = {}): ScanRun => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'scan', ...args], {
    cwd: options.cwd,
    env: { ...process.env, RPCSWEEP_LAB_BLOCK: labBlock() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
};

/** The Statistics block's numbers by label (`Unpatched` → 1, `Host unreachable` → 85, …). */
export const statistics = (report: string): Record<string, number> => {
  const out: Record<string, number> = {};
  const block = report.slice(report.indexOf('Statistics:'));
  for (const m of block.matchAll(/^ (\S[^=\n]*?)\s+= (\d+)$/gm)) out[m[1]!] ??= Number(m[2]);
  return out;
};

/** The quick start's numbers (README): 9 / 1 / 5 / 85 / 100. */
export const QUICKSTART = {
  'Patched with KB823980': 9,
  Unpatched: 1,
  'Connection refused': 5,
  'Host unreachable': 85,
  'TOTAL ADDRESSES SCANNED': 100,
};

export const pick = (stats: Record<string, number>) =>
  Object.fromEntries(Object.keys(QUICKSTART).map((k) => [k, stats[k]]));

/** Lab namespaces (rs-PID-…) and nft tables (rpcsweep_…PID…) still present for this pid. */
export const leftovers = (pid: number): string[] => {
  const ns = run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(`rs-${pid}-`) || n.startsWith(`rsyn${pid}`));
  const tables = run('nft', ['list', 'tables'])
    .split('\n')
    .filter((l) => l.includes(`_${pid}_`) || l.includes(`rsyn${pid}`));
  return [...ns, ...tables];
};
