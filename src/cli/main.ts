#!/usr/bin/env node
/** rpcsweep's entry point: the only module that reads argv/env and exits the process. */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { isRpcsweepError } from '../core/errors.ts';
import { escapeTerminal } from '../core/escape.ts';
import { VERSION } from '../core/version.ts';
import type { ScanWorkerSettings } from '../engine/scan-worker.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT, exitCodeForError } from './exit-codes.ts';
import { addSharedHelp } from './help.ts';
import { type CliIo, outputClosed } from './io.ts';
import { rewriteNmapOutputFlags } from './options.ts';

export const buildProgram = async (io: CliIo): Promise<Command> => {
  const program = new Command('rpcsweep')
    .description(
      'MS03-026 / MS03-039 (Blaster-era DCOM RPC) scanner, lab, capture decoder, IOC checker and spread simulator',
    )
    .version(VERSION)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Parse errors are printed as one line by runCli (with a hint), not by commander.
      outputError: () => {},
    })
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program, io);
  addSharedHelp(program);
  for (const command of program.commands) {
    command.exitOverride((e) => {
      throw new CommandLineError(e, command.name());
    });
  }
  return program;
};

/** A commander parse error, with the sub-command it happened in (for the `--help` hint). */
class CommandLineError extends Error {
  constructor(
    readonly error: CommanderError,
    readonly command?: string,
  ) {
    super(error.message);
  }
}

/** Help and version output end with exit code 0 (or 1 for help shown after a bare `rpcsweep`). */
const SHOWN_BY_COMMANDER = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/** One line: what is wrong and where to read more, never the whole help text. */
const commandLineErrorLine = (e: CommanderError, command: string | undefined): string => {
  const what = e.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `rpcsweep: ${escapeTerminal(what)} (try rpcsweep ${command ? `${command} ` : ''}--help) [CLI_USAGE]\n`;
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
    await program.parseAsync(rewriteNmapOutputFlags(argv), { from: 'user' });
    return code;
  } catch (caught) {
    // Writes that fail after the reader went away are the expected end, not an error to report.
    if (outputClosed(io.signal)) return EXIT.OUTPUT_CLOSED;
    const commandLine = caught instanceof CommandLineError ? caught : undefined;
    const e = commandLine?.error ?? caught;
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.OK;
      if (!SHOWN_BY_COMMANDER.has(e.code)) io.stderr.write(commandLineErrorLine(e, commandLine?.command));
      return EXIT.USAGE;
    }
    if (isRpcsweepError(e)) {
      io.stderr.write(`rpcsweep: ${escapeTerminal(e.message)} [${e.code}]\n`);
      return exitCodeForError(e.code);
    }
    io.stderr.write(`rpcsweep: internal error: ${escapeTerminal((e as Error)?.stack ?? String(e))}\n`);
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
