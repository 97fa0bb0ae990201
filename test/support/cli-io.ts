/** An in-memory CliIo for running commands through runCli in-process, with what they printed. */
import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.ts';
import { labBlock } from './lab-block.ts';
import { IS_ROOT } from './system.ts';

export const makeCliIo = (options: { isRoot?: boolean } = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  const sink = (to: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        to.push(String(chunk));
        done();
      },
    });
  const io: CliIo = {
    stdout: sink(out),
    stderr: sink(err),
    // `--lab NAME` and `lab up NAME` serve built-in specs in this run's own address block.
    env: { RPCSWEEP_LAB_BLOCK: labBlock() },
    stderrIsTty: false,
    setExitCode: (c) => {
      exitCode = c;
    },
    signal: new AbortController().signal,
    isRoot: options.isRoot ?? IS_ROOT,
    // Scan worker threads start from the sources through tsx, as with `npm start`.
    workerEntry: new URL('../../src/cli/tsx-worker-entry.mjs', import.meta.url),
  };
  return { io, out: () => out.join(''), err: () => err.join(''), exitCode: () => exitCode };
};
