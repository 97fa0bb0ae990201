/**
 * `-v` / `-q` as nmap users know them, one definition for every command that prints notes on stderr:
 * `-q` keeps stderr to errors (and the findings a --fail-on reports), `-v` adds detail such as the
 * settings at the start. What is written to stdout or to -o files never depends on them.
 */
import { Option } from 'commander';
import type { CliIo } from './io.ts';
import { usage } from './options.ts';

export interface VerbosityOptions {
  verbose?: boolean;
  quiet?: boolean;
}

/** `-v, --verbose`, with what it adds for this command. */
export const verboseOption = (help: string): Option => new Option('-v, --verbose', help);

/** `-q, --quiet`, with what it silences for this command. */
export const quietOption = (help = 'no notes on stderr (errors still print)'): Option =>
  new Option('-q, --quiet', help);

/** Where a command's informational output goes, by level. */
export interface Notes {
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** Informational text on stderr (expansions, "wrote FILE", summaries); `-q` drops it. */
  note(text: string): void;
  /** Detail on stderr shown only with `-v`. */
  detail(text: string): void;
}

/** The notes of one run; `-v` with `-q` is a usage error. Texts are written as given (with their newline). */
export const notesFor = (o: VerbosityOptions, io: Pick<CliIo, 'stderr'>): Notes => {
  if (o.verbose && o.quiet) usage('-v and -q contradict each other: give one');
  const verbose = o.verbose === true;
  const quiet = o.quiet === true;
  return {
    verbose,
    quiet,
    note: (text) => {
      if (!quiet) io.stderr.write(text);
    },
    detail: (text) => {
      if (verbose) io.stderr.write(text);
    },
  };
};
