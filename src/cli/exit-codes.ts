/** Process exit codes, documented in README.md ("Exit codes") and docs/errors.md. */
import type { ErrorCode } from '../core/errors.ts';

export const EXIT = {
  /** Finished; no --fail-on condition met. */
  OK: 0,
  /** Finished, and a --fail-on condition was met (e.g. an unpatched host was found). */
  FINDINGS: 1,
  /** Bad command line, target specification or input file. */
  USAGE: 2,
  /** A runtime failure (I/O, setup, a full disk) stopped the command. */
  RUNTIME: 3,
  /** Interrupted by SIGINT/SIGTERM after saving resume state. */
  INTERRUPTED: 130,
  /** The reader of standard output went away (EPIPE), e.g. `| head`: 128 + SIGPIPE, as a shell reports it. */
  OUTPUT_CLOSED: 141,
} as const;

/**
 * The one table from error code to exit status: these codes mean the user's input (command line,
 * target specification, a file they named) is wrong and exit 2; every other code is a runtime failure
 * (exit 3). Prefixes cover whole families.
 */
const USAGE_PREFIXES: readonly string[] = ['CLI_', 'TARGETS_'];
const USAGE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'LAB_SPEC_INVALID',
  'LAB_UNKNOWN_PROFILE',
  'SIM_BAD_INPUT',
  'REPORT_UNKNOWN_FORMAT',
  // The command line differs from the scan the resume file belongs to: the user's input, not a failure.
  'ENGINE_RESUME_MISMATCH',
]);

export const exitCodeForError = (code: ErrorCode): number =>
  USAGE_CODES.has(code) || USAGE_PREFIXES.some((p) => code.startsWith(p)) ? EXIT.USAGE : EXIT.RUNTIME;
