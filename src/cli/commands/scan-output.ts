/**
 * The scan command's view of the report writers (src/report): format names, the format `-o FILE`
 * implies, the file sink the resume state can describe, and a writer bound to a Node Writable.
 * Advice is on unless `advice: false` (`--no-advice`); `continueFrom` continues a file a resumed
 * scan cut back to its last checkpoint (the writer state saved with it).
 */
import { closeSync, openSync } from 'node:fs';
import { extname } from 'node:path';
import { Writable } from 'node:stream';
import { RpcsweepError } from '../../core/errors.ts';
import type { ResultField } from '../../core/result.ts';
import { RESULT_FIELDS } from '../../probes/registry.ts';
import {
  createReportWriter,
  REPORT_FORMAT_NAMES,
  REPORT_FORMATS,
  type ReportWriter,
  formatForPath as reportFormatForPath,
  sinkFromWritable,
  type WriterState,
} from '../../report/index.ts';
import { keepOutputTail, writeAllSync } from '../../store/state-file.ts';
import { usage } from '../options.ts';

export type ResultWriter = ReportWriter;

export const isKnownFormat = (f: string): boolean => REPORT_FORMAT_NAMES.includes(f);

/** Can a resumed scan continue this format's file? Only writers that save a state can (not html). */
export const canContinue = (format: string): boolean =>
  createReportWriter(format, { write: async () => {} }).saveState !== undefined;

/** Formats with the extensions that select them, for error messages. */
export const describeFormats = (): string =>
  REPORT_FORMATS.map((f) => (f.extensions.length ? `${f.name} (${f.extensions.join(', ')})` : f.name)).join(
    ', ',
  );

/**
 * The format `-o FILE` implies: from the extension; a file without one is text; an extension no
 * format claims is a usage error (writing text into `report.html` would be a silent lie).
 */
export const formatForPath = (path: string): string => {
  const known = reportFormatForPath(path);
  if (known) return known;
  if (extname(path) === '') return 'text';
  return usage(`-o ${path}: no output format for "${extname(path)}"; formats: ${describeFormats()}`);
};

/** `-oA BASE`: one file per format that has an extension (BASE.txt, BASE.ndjson, BASE.json, …). */
export const allFormatFiles = (base: string): Array<{ path: string; format: string }> =>
  REPORT_FORMATS.filter((f) => f.extensions.length > 0).map((f) => ({
    path: `${base}${f.extensions[0]}`,
    format: f.name,
  }));

/** Several writers fed by one scan (nmap's -oA): each gets every call; the first one's state resumes. */
export const teeWriter = (writers: readonly ResultWriter[]): ResultWriter => {
  const [first] = writers;
  if (!first || writers.length === 1) return first ?? usage('no output');
  return {
    open: async (meta) => {
      for (const w of writers) await w.open(meta);
    },
    write: async (r) => {
      for (const w of writers) await w.write(r);
    },
    close: async (s) => {
      for (const w of writers) await w.close(s);
    },
  };
};

export const createWriter = (
  format: string,
  sink: Writable,
  options?: { advice?: boolean; continueFrom?: WriterState; fields?: readonly ResultField[] },
): ResultWriter =>
  // The writers show the probes' declared fields from the registry (csv columns, xml elems, text lines).
  createReportWriter(format, sinkFromWritable(sink), { fields: RESULT_FIELDS, ...options });

/**
 * How `--resume` treats results written after the last checkpoint: NDJSON lines are whole results,
 * so they are read back and kept; every other format has state in its closing part (counts, array
 * and element ends), so the file is cut back to the checkpoint and those addresses are scanned again.
 */
export const resumeReadsBack = (format: string): boolean => format === 'ndjson';

/** A failed write or open of an output file: one line naming the file and the errno. */
export const outputError = (path: string, what: string, e: unknown): RpcsweepError => {
  const err = e as NodeJS.ErrnoException;
  const why = err.code
    ? `${err.code} (${err.message.replace(/^[A-Z]+: /, '').replace(/, \w+$/, '')})`
    : err.message;
  return new RpcsweepError('REPORT_WRITE', `cannot ${what} ${path}: ${why}`, { cause: e });
};

/**
 * A sink that writes synchronously to a file descriptor, counts bytes and keeps the last few (the
 * resume state records the length and a digest of those bytes). A failed write (disk full, EIO)
 * reaches the report writer through the write callback as REPORT_WRITE; the stream's 'error' event
 * carries the same error and needs no listener of its own.
 */
export class CountingFileSink extends Writable {
  readonly fd: number;
  readonly path: string;
  bytes: number;
  tail: Buffer;
  constructor(path: string, append: boolean, startBytes: number, startTail: Buffer) {
    super();
    try {
      this.fd = openSync(path, append ? 'a' : 'w');
    } catch (e) {
      throw outputError(path, 'open for writing', e);
    }
    this.path = path;
    this.bytes = startBytes;
    this.tail = startTail;
    this.on('error', () => {});
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      // Synchronous on purpose: when write() returns, the bytes are in the kernel and survive SIGKILL.
      writeAllSync(this.fd, chunk);
      this.bytes += chunk.length;
      this.tail = keepOutputTail(this.tail, chunk);
      cb();
    } catch (e) {
      cb(outputError(this.path, 'write', e));
    }
  }
  override _final(cb: (e?: Error | null) => void): void {
    try {
      closeSync(this.fd);
      cb();
    } catch (e) {
      cb(outputError(this.path, 'close', e));
    }
  }
  override _destroy(error: Error | null, cb: (e?: Error | null) => void): void {
    // After a failed write the descriptor is still open; close it once (errors here add nothing).
    if (error) {
      try {
        closeSync(this.fd);
      } catch {}
    }
    cb(error);
  }
}
