/**
 * Resume, as a user sees it: `rpcsweep scan … -o out.ndjson --resume-file st.json` in a child process
 * is stopped mid-scan (SIGINT, then SIGKILL with no chance to save), continued with `--resume`, and
 * the final output must hold exactly the results of an uninterrupted run: no address lost, none
 * duplicated. A rate limit keeps the scan slow enough to interrupt.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLab } from '../../src/lab/index.ts';
import { IS_ROOT } from '../support/system.ts';
import { tinySpec } from '../system/scan-specs.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

const scanArgs = (out: string, state: string) => [
  'scan',
  '127.0.144.0/26',
  '--seed',
  '77',
  '--timeout',
  '400',
  '--rate',
  '25',
  '-o',
  out,
  '--resume-file',
  state,
  '--checkpoint-ms',
  '150',
];

/** Runs the CLI; with `killWhen`, sends `signal` as soon as the predicate holds (polled every 25 ms). */
const runCli = (args: string[], killWhen?: () => boolean, signal: NodeJS.Signals = 'SIGINT') =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer =
      killWhen === undefined
        ? undefined
        : setInterval(() => {
            if (killWhen()) {
              clearInterval(timer);
              child.kill(signal);
            }
          }, 25);
    child.on('exit', (code, sig) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal: sig, stderr });
    });
  });

const resultsOf = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { address?: string; verdict?: string }];
      } catch {
        return []; // a line still being written while the child runs
      }
    })
    .filter((r) => r.address && r.verdict)
    .map((r) => `${r.address} ${r.verdict}`)
    .sort();

test('interrupted scans resume to exactly the uninterrupted result set (SIGINT and SIGKILL)', async () => {
  const lab = await startLab(tinySpec(144), { isRoot: IS_ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'rs-resume-'));
  try {
    const full = join(dir, 'full.ndjson');
    const r0 = await runCli(scanArgs(full, join(dir, 'full.state')));
    assert.equal(r0.code, 0, r0.stderr);
    const expected = resultsOf(full);
    assert.equal(expected.length, 64);
    assert.equal(new Set(expected.map((l) => l.split(' ')[0])).size, 64);
    assert.ok(!existsSync(join(dir, 'full.state')), 'the state file is removed after a finished scan');

    for (const sig of ['SIGINT', 'SIGKILL'] as const) {
      const out = join(dir, `${sig}.ndjson`);
      const state = join(dir, `${sig}.state`);
      const r1 = await runCli(scanArgs(out, state), () => existsSync(out) && resultsOf(out).length >= 8, sig);
      if (sig === 'SIGINT') assert.equal(r1.code, 130, r1.stderr);
      else assert.equal(r1.signal, 'SIGKILL');
      const partial = resultsOf(out).length;
      assert.ok(partial > 0 && partial < 64, `${sig}: stopped mid-scan (${partial} results)`);
      assert.ok(existsSync(state));
      const r2 = await runCli([...scanArgs(out, state), '--resume']);
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stderr, /resuming at/);
      assert.deepEqual(resultsOf(out), expected, `${sig}: same set, nothing lost or duplicated`);
    }
    // A resume file from another scan is refused.
    const other = join(dir, 'other.ndjson');
    const r3 = await runCli(
      [...scanArgs(other, join(dir, 'SIGINT.state')), '--resume', '--seed', '78'],
      undefined,
    );
    assert.notEqual(r3.code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await lab.close();
  }
});
