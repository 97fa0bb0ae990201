/**
 * Files that must survive a crash: the resume state (replaced atomically: write a temporary file,
 * fsync it, rename over the old one) and the streamed output, which a resume either reads back
 * (NDJSON tail) or cuts back to its length at the last checkpoint (every other format). Plain fs; no
 * parsing of results beyond the two fields resume needs.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { RpcsweepError } from '../core/errors.ts';
import { VERDICTS, type Verdict } from '../core/result.ts';

/** Replaces `path` with `text` so that a reader sees either the old or the new content, never half. */
export const writeFileAtomic = (path: string, text: string): void => {
  const tmp = `${path}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeAllSync(fd, Buffer.from(text, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // A full disk must not leave a half-written state file behind, nor replace the good one.
    rmSync(tmp, { force: true });
    throw new RpcsweepError('REPORT_WRITE', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
};

/**
 * Writes all of `data`: writeSync may write only part of it (a disk filling up returns a short count
 * before it fails with ENOSPC), and a short write taken for a whole one corrupts the file.
 */
export const writeAllSync = (fd: number, data: Uint8Array): void => {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
};

/** The output's size; throws ENGINE_RESUME_CORRUPT when it is missing or shorter than `bytes`. */
const outputSizeAtLeast = (path: string, bytes: number): number => {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new RpcsweepError(
      'ENGINE_RESUME_CORRUPT',
      `the output file ${path} named in the resume file is missing`,
      { cause: e },
    );
  }
  if (size < bytes) {
    throw new RpcsweepError(
      'ENGINE_RESUME_CORRUPT',
      `the output file ${path} is shorter (${size} bytes) than at the last checkpoint (${bytes} bytes)`,
    );
  }
  return size;
};

/**
 * How much of the output before the checkpoint offset the resume state fingerprints: enough to tell
 * the scan's own file from one replaced or rewritten since (truncating that would destroy it).
 */
export const OUTPUT_TAIL_BYTES = 256;

export const outputTailDigest = (tail: Uint8Array): string => createHash('sha256').update(tail).digest('hex');

/** The last OUTPUT_TAIL_BYTES of `prev` followed by `chunk` (the writer side keeps this in memory). */
export const keepOutputTail = (prev: Buffer, chunk: Uint8Array): Buffer => {
  if (chunk.length >= OUTPUT_TAIL_BYTES) return Buffer.from(chunk.subarray(chunk.length - OUTPUT_TAIL_BYTES));
  const joined = Buffer.concat([prev, chunk]);
  return joined.length > OUTPUT_TAIL_BYTES ? joined.subarray(joined.length - OUTPUT_TAIL_BYTES) : joined;
};

/**
 * The OUTPUT_TAIL_BYTES before byte `bytes` of the output (fewer at its start). With `digest` (from
 * the resume state), throws ENGINE_RESUME_CORRUPT, touching nothing, when they differ: the file is
 * not the one the state describes. Also refuses a missing or shorter file.
 */
export const readOutputTail = (path: string, bytes: number, digest?: string): Buffer => {
  outputSizeAtLeast(path, bytes);
  const start = Math.max(0, bytes - OUTPUT_TAIL_BYTES);
  const tail = Buffer.alloc(bytes - start);
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    while (got < tail.length) {
      const k = readSync(fd, tail, got, tail.length - got, start + got);
      if (k === 0) break;
      got += k;
    }
  } finally {
    closeSync(fd);
  }
  if (digest !== undefined && outputTailDigest(tail) !== digest) {
    throw new RpcsweepError(
      'ENGINE_RESUME_CORRUPT',
      `the output file ${path} is not the one the resume file describes (its content before byte ${bytes} changed since the last checkpoint); it was left as it is`,
    );
  }
  return tail;
};

/**
 * Cuts the output back to its length at the last checkpoint: what was written after it (results the
 * state does not count, a half-written line, closing parts of a run that died before removing its
 * state) goes; the scan repeats those addresses. Returns how many bytes were dropped.
 */
export const truncateOutputTo = (path: string, bytes: number): number => {
  const size = outputSizeAtLeast(path, bytes);
  if (size > bytes) {
    try {
      truncateSync(path, bytes);
    } catch (e) {
      throw new RpcsweepError('REPORT_WRITE', `cannot truncate ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return size - bytes;
};

const VERDICT_SET: ReadonlySet<string> = new Set(VERDICTS);

export interface NdjsonTail {
  /** Results found after `fromByte`, in file order. */
  results: Array<{ address: string; verdict: Verdict }>;
  /** Length of the file after dropping a partial last line (what the resumed writer appends to). */
  length: number;
}

/**
 * Reads the NDJSON results written after byte `fromByte` (the length recorded at the last checkpoint)
 * and cuts a half-written last line (a crash mid-write). Lines that are not results (a summary record,
 * a run header) are ignored.
 */
export const readNdjsonTail = (path: string, fromByte: number): NdjsonTail => {
  const size = outputSizeAtLeast(path, fromByte);
  const n = size - fromByte;
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    while (got < n) {
      const k = readSync(fd, buf, got, n - got, fromByte + got);
      if (k === 0) break;
      got += k;
    }
  } finally {
    closeSync(fd);
  }
  const lastNewline = buf.lastIndexOf(0x0a);
  const complete = lastNewline < 0 ? 0 : lastNewline + 1;
  const length = fromByte + complete;
  if (length < size) truncateSync(path, length);
  const results: NdjsonTail['results'] = [];
  for (const line of buf.subarray(0, complete).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      continue;
    }
    const r = o as { address?: unknown; verdict?: unknown };
    if (typeof r.address === 'string' && typeof r.verdict === 'string' && VERDICT_SET.has(r.verdict)) {
      results.push({ address: r.address, verdict: r.verdict as Verdict });
    }
  }
  return { results, length };
};
