/**
 * Reads an NDJSON results file back (import, diff of two files). Two record shapes are accepted: the
 * full HostResult line (with or without advice) and the compact line some writers use for
 * unreachable addresses (address, verdict, timing only). Lines that are not results (a summary, a
 * header) are skipped; a line that is not JSON is an error naming its line number.
 */
import { readFileSync } from 'node:fs';
import { RpcsweepError } from '../core/errors.ts';
import { completeHostResult, VERDICTS, type Verdict } from '../core/result.ts';
import type { StoredResult } from './types.ts';

const VERDICT_SET: ReadonlySet<string> = new Set(VERDICTS);

export interface NdjsonResults {
  results: StoredResult[];
  /** Lines skipped because they are not host results. */
  skipped: number;
}

export const parseNdjsonResults = (text: string, name: string): NdjsonResults => {
  const results: StoredResult[] = [];
  let skipped = 0;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new RpcsweepError(
        'CLI_FILE',
        `${name}:${lineNo}: not a JSON line (is this an NDJSON results file?)`,
      );
    }
    const verdict = o?.verdict;
    if (typeof o?.address !== 'string' || typeof verdict !== 'string' || !VERDICT_SET.has(verdict)) {
      skipped++;
      continue;
    }
    // A compact unreached line says only its verdict: that is its reason too.
    results.push(completeHostResult(o, verdict as Verdict, verdict));
  }
  return { results, skipped };
};

export const readNdjsonResults = (path: string): NdjsonResults => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RpcsweepError('CLI_FILE', `cannot read results file ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return parseNdjsonResults(text, path);
};
