#!/usr/bin/env node
/** rpcsweep's entry point: the only module that reads argv/env and exits the process. */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { isRpcsweepError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import type { ScanWorkerSettings } from '../engine/scan-worker.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT } from './exit-codes.ts';
import type { CliIo } from './io.ts';

export const buildProgram = async (io: CliIo): Promise<Command> => {
  const program = new Command('rpcsweep')
    .description(
      'MS03-026 / MS03-039 (Blaster-era DCOM RPC) scanner, lab, capture decoder, IOC checker and spread simulator',
    )
    .version(VERSION)
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program, io);
  return program;
};

/** Runs the CLI with the given argv (without node and script) and returns the exit code. */
export const runCli = async (argv: string[], io: CliIo): Promise<number> => {
  let code: number = EXIT.OK;
  const ioWithCode: CliIo = {
    ...io,
    setExitCode: (c) => {
      code = c;
      io.setExitCode(c);
    },
  };
  try {
    const program = await buildProgram(ioWithCode);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (isRpcsweepError(e)) {
      io.stderr.write(`rpcsweep: ${e.message} [${e.code}]\n`);
      return e.code.startsWith('CLI_') || e.code.startsWith('TARGETS_') || e.code === 'LAB_SPEC_INVALID'
        ? EXIT.USAGE
        : EXIT.RUNTIME;
    }
    io.stderr.write(`rpcsweep: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.RUNTIME;
  }
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

const scanWorker = isMainThread
  ? undefined
  : (workerData as { rpcsweepScanWorker?: ScanWorkerSettings } | null)?.rpcsweepScanWorker;
if (scanWorker && parentPort) {
  const port = parentPort;
  void import('../engine/scan-worker.ts').then((m) => m.runScanWorker(port, scanWorker));
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
  };
  runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
