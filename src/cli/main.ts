#!/usr/bin/env node
/** rpcsweep's entry point: the only module that reads argv/env and exits the process. */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { VERSION } from '../core/version.ts';
import type { ScanWorkerSettings } from '../engine/scan-worker.ts';
import type { WriterSettings } from '../store/sqlite-thread.ts';
import type { SeedRunRequest } from './commands/simulate.ts';
import type { SeedRunReply } from './commands/simulate-threads.ts';
import { EXIT } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/**
 * What start-up can answer without commander or any command module (issue #11: `--version` and
 * `--help` within 1.3 × a bare `node -e 0`): the version, and in the bundle the precomputed help
 * texts of exactly `rpcsweep --help` and `rpcsweep CMD [SUB] --help` (the same bytes commander
 * prints, taken from it at build time). Anything else returns undefined and goes to commander.
 */
export const quickOutput = async (argv: readonly string[]): Promise<string | undefined> => {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return `${VERSION}\n`;
  const last = argv[argv.length - 1];
  if (last !== '--help' && last !== '-h') return undefined;
  const path = argv.slice(0, -1);
  if (path.some((w) => w.startsWith('-'))) return undefined;
  const { HELP_TEXTS } = await import('./help-texts.ts');
  return HELP_TEXTS?.[path.join(' ')];
};

/** Runs the CLI with the given argv (without node and script) and returns the exit code. */
export const runCli = async (argv: string[], io: CliIo): Promise<number> => {
  const quick = await quickOutput(argv);
  if (quick === undefined) return (await import('./program.ts')).runFullCli(argv, io);
  io.stdout.write(quick);
  return EXIT.OK;
};

const isMain = (() => {
  const entry = process.argv[1] ?? '';
  return isMainThread && /(?:main\.ts|rpcsweep(?:\.mjs)?)$/.test(entry);
})();

/**
 * What scan worker threads start from: this module (in the bundle, the bundle), or from the sources
 * a shim that loads it through tsx.
 */
export const CLI_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./tsx-worker-entry.mjs', import.meta.url)
  : new URL(import.meta.url);

const threadData = isMainThread
  ? undefined
  : (workerData as {
      rpcsweepScanWorker?: ScanWorkerSettings;
      rpcsweepSimulateSeed?: SeedRunRequest;
      rpcsweepSqliteWriter?: WriterSettings;
    } | null);
const scanWorker = threadData?.rpcsweepScanWorker;
const simulateSeed = threadData?.rpcsweepSimulateSeed;
const sqliteWriter = threadData?.rpcsweepSqliteWriter;
if (scanWorker && parentPort) {
  const port = parentPort;
  void import('../engine/scan-worker.ts').then((m) => m.runScanWorker(port, scanWorker));
} else if (sqliteWriter && parentPort) {
  // The SQLite writer thread of `scan --db` and `import` (store/sqlite-thread.ts).
  const port = parentPort;
  void import('../store/sqlite-writer.ts').then((m) => m.runSqliteWriter(port, sqliteWriter));
} else if (simulateSeed && parentPort) {
  // One seed of `simulate --runs` (simulate-threads.ts): the member, or the error that stopped it.
  const port = parentPort;
  const reply = (r: SeedRunReply) => port.postMessage(r);
  void import('./commands/simulate.ts')
    .then((m) => m.seedMember(simulateSeed))
    .then(
      (ok) => reply({ ok }),
      (e: { message?: string; code?: string }) =>
        reply({ error: { message: String(e.message), code: e.code } }),
    );
} else if (isMain) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.INTERRUPTED);
    process.stderr.write(`\nrpcsweep: ${sig} received, finishing in-flight work (again to force)\n`);
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that went away (`| head`) ends the command quietly, as Unix tools do: the work stops
  // (labs and resume state are closed properly) and the exit code says the output was cut short.
  let readerGone = false;
  const onOutputError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') return;
    readerGone = true;
    process.exitCode = EXIT.OUTPUT_CLOSED;
    if (!controller.signal.aborted) controller.abort(e);
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stderrIsTty: Boolean(process.stderr.isTTY),
    setExitCode: (c) => {
      process.exitCode = c;
    },
    signal: controller.signal,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    workerEntry: CLI_ENTRY,
    argv: process.argv.slice(2),
  };
  runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = readerGone ? EXIT.OUTPUT_CLOSED : code;
  });
}
