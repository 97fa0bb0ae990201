/**
 * `-o FILE` for the commands that write text or NDJSON (epm, inspect, advise): the format a file name
 * implies, and a file stream whose write errors surface on close as one line naming the file and errno.
 */
import { createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import { outputError } from './commands/scan-output.ts';
import { usage } from './options.ts';

export const textOrNdjsonForPath = (path: string, command: string): 'text' | 'ndjson' => {
  if (/\.(?:ndjson|jsonl)$/i.test(path)) return 'ndjson';
  if (/\.txt$/i.test(path) || extname(path) === '') return 'text';
  return usage(`-o ${path}: ${command} writes text (.txt) or ndjson (.ndjson, .jsonl)`);
};

export const openOutput = (path: string): Writable => {
  const w = createWriteStream(path);
  w.on('error', () => {});
  return w;
};

export const closeOutput = (w: Writable, path: string): Promise<void> =>
  new Promise((resolve, reject) => {
    if (w.errored) {
      reject(outputError(path, 'write', w.errored));
      return;
    }
    w.once('error', (e) => reject(outputError(path, 'write', e)));
    w.end(() => resolve());
  });
