/**
 * Capture files read piece by piece for `inspect` and `triage`: memory stays flat whatever the size.
 * Each chunk is a fresh buffer, because frames handed on are views into it (see FrameStream).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { RpcsweepError } from '../core/errors.ts';

const CHUNK_BYTES = 256 * 1024;

const cannotRead = (path: string, e: unknown): RpcsweepError =>
  new RpcsweepError('CLI_FILE', `cannot read capture ${JSON.stringify(path)}: ${(e as Error).message}`, {
    cause: e,
  });

/** Opens now (so a missing file fails before any output), reads lazily. */
export const captureChunks = (path: string): Iterable<Uint8Array> => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw cannotRead(path, e);
  }
  return (function* () {
    try {
      for (;;) {
        const buffer = new Uint8Array(CHUNK_BYTES);
        let n: number;
        try {
          n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
        } catch (e) {
          throw cannotRead(path, e);
        }
        if (n === 0) return;
        yield buffer.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  })();
};
