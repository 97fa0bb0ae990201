/** Process exit codes, documented in README.md ("Exit codes"). */
export const EXIT = {
  /** Finished; no --fail-on condition met. */
  OK: 0,
  /** Finished, and a --fail-on condition was met (e.g. an unpatched host was found). */
  FINDINGS: 1,
  /** Bad command line, target specification or input file. */
  USAGE: 2,
  /** A runtime failure (I/O, setup) stopped the command. */
  RUNTIME: 3,
  /** Interrupted by SIGINT/SIGTERM after saving resume state. */
  INTERRUPTED: 130,
} as const;
