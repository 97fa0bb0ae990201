/**
 * The commander program and the full CLI run: parse errors, rpcsweep errors and internal errors become
 * one line and an exit code. main.ts loads this module only when no quick answer (version, a
 * precomputed help text) does.
 */
import { Command, CommanderError } from 'commander';
import { isRpcsweepError } from '../core/errors.ts';
import { escapeTerminal } from '../core/escape.ts';
import { VERSION } from '../core/version.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import { EXIT, exitCodeForError } from './exit-codes.ts';
import { addSharedHelp } from './help.ts';
import { type CliIo, outputClosed } from './io.ts';
import { rewriteNmapOutputFlags } from './options.ts';

/**
 * Help is wrapped at 80 columns whatever the terminal: the same text everywhere, so the precomputed
 * help of the bundle, the man page and a terminal of any width agree.
 */
export const HELP_WIDTH = 80;

/** The program with every command, or with only `only` (the command being run) when given. */
export const buildProgram = async (io: CliIo, only?: CommandEntry): Promise<Command> => {
  const program = new Command('rpcsweep')
    .description(
      'MS03-026 / MS03-039 (Blaster-era DCOM RPC) scanner, lab, capture decoder, IOC checker and spread simulator',
    )
    .version(VERSION)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
      // Parse errors are printed as one line by runCli (with a hint), not by commander.
      outputError: () => {},
    })
    .exitOverride();
  for (const entry of only ? [only] : COMMANDS) (await entry.load()).register(program, io);
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

/**
 * Runs the CLI with the given argv (without node and script) and returns the exit code. Only the
 * named command's module is loaded; any other first word (none, `help`, a typo for which commander
 * suggests a name) gets the program with every command, so its output is the same.
 */
export const runFullCli = async (argv: string[], io: CliIo): Promise<number> => {
  let code: number = EXIT.OK;
  const ioWithCode: CliIo = {
    ...io,
    setExitCode: (c) => {
      code = c;
      io.setExitCode(c);
    },
  };
  try {
    const program = await buildProgram(
      ioWithCode,
      COMMANDS.find((c) => c.name === argv[0]),
    );
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
