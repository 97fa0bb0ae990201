/** What commands may use of the process, passed in so commands stay testable. */
import { PassThrough, type Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal (progress lines, colours). */
  stderrIsTty: boolean;
  /** Sets the exit code the process ends with (the last call wins; main.ts exits with it). */
  setExitCode(code: number): void;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  isRoot: boolean;
  /** The module worker threads start from: the CLI entry (main.ts, or the bundle that contains it). */
  workerEntry?: URL;
  /** The command line (without node and script), for commands that re-execute themselves (netns lab mode). */
  argv?: readonly string[];
}

/** True when the command's signal was aborted because the reader of its output went away (EPIPE). */
export const outputClosed = (signal: AbortSignal): boolean =>
  signal.aborted && (signal.reason as { code?: unknown } | undefined)?.code === 'EPIPE';

/**
 * An io that touches nothing of the process (empty env, not root, output discarded unless `stdout`
 * is given): for building the program to render help texts, the man page and completions.
 */
export const inertIo = (stdout: Writable = new PassThrough()): CliIo => ({
  stdout,
  stderr: new PassThrough(),
  env: {},
  stderrIsTty: false,
  setExitCode: () => {},
  signal: new AbortController().signal,
  isRoot: false,
});
