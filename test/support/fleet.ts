/**
 * What the fleet system tests share: worker processes (through tsx, as `npm start` runs), in-process
 * CLI runs, waiting for a worker's stderr, and the verdicts of a one-process reference scan and of a
 * stored scan, as sorted [address, verdict] pairs (unreachable addresses get no row).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { openStore } from '../../src/store/index.ts';
import { makeCliIo } from './cli-io.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** A command run in this process: its exit code and what it printed. */
export const cli = async (args: string[]) => {
  const t = makeCliIo();
  const code = await runCli(args, t.io);
  return { code, out: t.out(), err: t.err() };
};

/**
 * `fleet submit RANGE --db DB --site SITE --chunk-size N --seed S --timeout 1000 …extra`, asserted to
 * exit 0: the scan id, and what it printed on stderr.
 */
export const submit = async (
  db: string,
  range: string,
  o: { site: string; chunkSize: number; seed: number; extra?: string[] },
): Promise<{ scan: string; err: string }> => {
  const r = await cli([
    ...['fleet', 'submit', range, '--db', db, '--site', o.site, '--chunk-size', String(o.chunkSize)],
    ...['--seed', String(o.seed), '--timeout', '1000', ...(o.extra ?? [])],
  ]);
  assert.equal(r.code, 0, r.err);
  return { scan: r.out.trim(), err: r.err };
};

export interface Worker {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

/** `rpcsweep fleet worker --db DB --site SITE --allow ALLOW --exit-when-idle …` as a child process. */
export const startWorker = (db: string, site: string, allow: string, extra: string[] = []): Worker => {
  const args = ['fleet', 'worker', '--db', db, '--site', site, '--allow', allow, '--exit-when-idle'];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, ...args, '--poll-ms', '200', '--maintenance-s', '1', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, stderr: () => err, exit };
};

/** Polls cond every 20 ms; throws with what, and detail(), after ms. */
export const waitFor = async (what: string, cond: () => boolean, detail?: () => string, ms = 60_000) => {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms)
      throw new Error(`timed out waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export type Verdicts = Array<[string, string]>;

/** A one-process scan of range (NDJSON into dir): its answering and refused addresses' verdicts. */
export const referenceVerdicts = async (range: string, seed: string, dir: string): Promise<Verdicts> => {
  const ref = join(dir, `ref-${seed}.ndjson`);
  const r = await cli(['scan', range, '--seed', seed, '--timeout', '1000', '-o', ref]);
  assert.equal(r.code, 0, r.err);
  return readFileSync(ref, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { address: string; verdict: string })
    .filter((x) => x.verdict !== 'unreachable')
    .map((x): [string, string] => [x.address, x.verdict])
    .sort();
};

/** A stored scan's verdicts; asserts one row per address and, with finished, a finished scan row. */
export const storedVerdicts = async (db: string, scan: string, finished = true): Promise<Verdicts> => {
  const store = await openStore(db);
  try {
    const rows = await store.readScan(Number(scan));
    assert.equal(new Set(rows.map((r) => r.address)).size, rows.length, 'one row per address');
    if (finished) assert.ok((await store.getScan(Number(scan)))?.finishedAt, 'the scan row is finished');
    return rows.map((r): [string, string] => [r.address, r.verdict]).sort();
  } finally {
    await store.close();
  }
};
