/**
 * `-o FILE` for the commands outside scan's report registry (epm, inspect, advise, simulate, report):
 * the format a file name implies among a command's formats, streamed files whose write errors surface
 * on close as one line naming the file and errno, and whole documents replaced atomically.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import { RpcsweepError } from '../core/errors.ts';
import { outputError } from './commands/scan-output.ts';
import { usage } from './options.ts';

/** A format a command writes and the file extensions (lower case, with the dot) that select it. */
export interface OutputFormat {
  name: string;
  extensions: readonly string[];
}

/**
 * The format `-o FILE` implies: the one whose extension the name ends with, the first format for a
 * name without an extension, and a usage error that lists the formats for any other extension.
 */
export const formatForOutputPath = (
  path: string,
  formats: readonly OutputFormat[],
  command: string,
): string => {
  const lower = path.toLowerCase();
  const found = formats.find((f) => f.extensions.some((e) => lower.endsWith(e)));
  if (found) return found.name;
  if (extname(path) === '' && formats[0]) return formats[0].name;
  const listed = formats.map((f) => `${f.name} (${f.extensions.join(', ')})`).join(', ');
  return usage(`-o ${path}: ${command} writes ${listed}; or give --format`);
};

/** `--format NAME` checked against a command's formats (commander's choices() where the list is static). */
export const checkFormatName = (name: string, formats: readonly OutputFormat[]): string => {
  if (!formats.some((f) => f.name === name))
    usage(`--format must be one of ${formats.map((f) => f.name).join(', ')}, got "${name}"`);
  return name;
};

const TEXT_OR_NDJSON: readonly OutputFormat[] = [
  { name: 'text', extensions: ['.txt'] },
  { name: 'ndjson', extensions: ['.ndjson', '.jsonl'] },
];

export const textOrNdjsonForPath = (path: string, command: string): 'text' | 'ndjson' =>
  formatForOutputPath(path, TEXT_OR_NDJSON, command) as 'text' | 'ndjson';

/**
 * A streamed `-o FILE` (epm, inspect, advise): written as `FILE.part` and renamed to FILE only when
 * the command finished, so a failure never leaves a partial file under the finished name. After an
 * interruption the `.part` file is kept (what was done so far) and named on stderr.
 */
export class StreamedOutput {
  readonly stream: Writable;
  readonly partPath: string;
  #settled = false;

  constructor(readonly path: string) {
    this.partPath = `${path}.part`;
    this.stream = createWriteStream(this.partPath);
    this.stream.on('error', () => {}); // surfaced by finish()
  }

  /** Completes the file: renamed into place, or kept as `.part` when interrupted (said on stderr). */
  async finish(interrupted: boolean, stderr: Writable): Promise<void> {
    await closeOutput(this.stream, this.path);
    this.#settled = true;
    if (interrupted) {
      stderr.write(`rpcsweep: interrupted: the partial output is in ${this.partPath}\n`);
      return;
    }
    await rename(this.partPath, this.path).catch((e: unknown) => {
      throw outputError(this.path, 'write', e as Error);
    });
  }

  /** On any failure before finish(): the `.part` file goes. No-op after finish(). */
  async discard(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    this.stream.destroy();
    await rm(this.partPath, { force: true });
  }
}

const closeOutput = (w: Writable, path: string): Promise<void> =>
  new Promise((resolve, reject) => {
    if (w.errored) {
      reject(outputError(path, 'write', w.errored));
      return;
    }
    w.once('error', (e) => reject(outputError(path, 'write', e)));
    w.end(() => resolve());
  });

/**
 * Writes a whole document so that `path` holds either its old content or the complete new one: a
 * temporary file beside it, renamed over it. A failure (a full disk) removes the temporary file and
 * leaves nothing that looks finished.
 */
export const writeFileAtomic = async (path: string, text: string): Promise<void> => {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new RpcsweepError('REPORT_WRITE', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
};
