/**
 * The report-writer extension point (style.md §2, rule 6): one writer per format, one line in
 * index.ts. Writers stream: `write` emits what it can for one host at once, `close` the totals.
 */
import type { HostResult, ResultField, RunMeta, RunSummary } from '../core/result.ts';

/** Where a writer's text goes. `write` resolves once the text is accepted (backpressure). */
export interface ReportSink {
  write(text: string): Promise<void>;
}

export interface ReportWriter {
  /** Called once before any result: banners, headers, opening elements. */
  open(meta: RunMeta): Promise<void>;
  /** Called once per scanned address, in the order results arrive. */
  write(result: HostResult): Promise<void>;
  /** Called once after the last result: statistics, closing elements. */
  close(summary: RunSummary): Promise<void>;
  /**
   * What this writer must remember to continue its file in a later process (tallies for the closing
   * part, separators), as JSON. Taken between writes, it matches the output written so far; a writer
   * created with `continueFrom` set to it appends to that output, skips `open`, and its `close` writes
   * what one uninterrupted writer would have. Absent when a writer cannot continue a file.
   */
  saveState?(): WriterState;
}

/** A writer's saved state: a plain JSON object (it travels inside the scan's resume file). */
export type WriterState = { readonly [key: string]: unknown };

export interface ReportOptions {
  /**
   * Carry remediation advice (src/advice): an Advice block after the totals (text, scanms), an
   * `advice` object per host (ndjson, json), an `advice` column (csv, empty when off) and an
   * `advice` elem (xml). @default true
   */
  advice?: boolean;
  /**
   * Continue an existing output: the state `saveState` returned when the output had its current
   * length. `open` is then not called. A state that does not fit the format throws
   * ENGINE_RESUME_CORRUPT (it comes from a resume file).
   */
  continueFrom?: WriterState;
  /**
   * The probes' declared result fields (the registry's `RESULT_FIELDS`): csv columns, xml elems and
   * text lines for those that list the format. @default [] (none of them shown)
   */
  fields?: readonly ResultField[];
}

export type ReportWriterFactory = (sink: ReportSink, options?: ReportOptions) => ReportWriter;

/** A sink over a Node Writable (stdout, a file stream): resolves when the stream took the chunk. */
export const sinkFromWritable = (w: {
  write(chunk: string, cb: (error?: Error | null) => void): boolean;
}): ReportSink => ({
  write: (text) =>
    new Promise<void>((resolve, reject) => void w.write(text, (e) => (e ? reject(e) : resolve()))),
});

/** A sink that keeps everything in memory (tests, small reports). */
export class StringSink implements ReportSink {
  #parts: string[] = [];
  async write(text: string): Promise<void> {
    this.#parts.push(text);
  }
  get text(): string {
    return this.#parts.join('');
  }
}
