/**
 * The scan command's view of the report writers: format names, format from a file extension, and a
 * writer bound to a sink. INTERIM: ndjson and a plain text layout until src/report lands; then this
 * delegates to the report registry.
 */
import type { Writable } from 'node:stream';
import type { HostResult, RunMeta, RunSummary } from '../../core/result.ts';

export interface ResultWriter {
  open(meta: RunMeta): Promise<void>;
  write(result: HostResult): Promise<void>;
  close(summary: RunSummary): Promise<void>;
}

const FORMATS = ['text', 'ndjson'] as const;

export const isKnownFormat = (f: string): boolean => (FORMATS as readonly string[]).includes(f);

export const formatForPath = (path: string): string => {
  if (/\.(ndjson|jsonl)$/i.test(path)) return 'ndjson';
  return 'text';
};

const put = (sink: Writable, text: string): Promise<void> =>
  new Promise((resolve, reject) => {
    sink.write(text, (e) => (e ? reject(e) : resolve()));
  });

export const createWriter = (format: string, sink: Writable): ResultWriter => {
  if (format === 'ndjson') {
    return {
      open: async () => {},
      write: (r) => put(sink, `${JSON.stringify(r)}\n`),
      close: async () => {},
    };
  }
  return {
    open: (m) => put(sink, `rpcsweep ${m.version}\n\n<+> Starting scan (timeout = ${m.timeoutMs} ms)\n\n`),
    write: (r) =>
      r.verdict === 'unreachable' ? Promise.resolve() : put(sink, `${r.address}: ${r.verdict} ${r.reason}\n`),
    close: (s) => put(sink, `\n${JSON.stringify(s.counts)}\n`),
  };
};
