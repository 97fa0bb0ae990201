/**
 * adviseHost once per result. A scan hands each HostResult to every writer it feeds (the report
 * formats, then the results store) one after the other, and each wants that host's advice: the first
 * asks adviseHost, the others read the answer back. One entry is enough for that, costs nothing to
 * keep, and holds no result alive (a WeakMap over every result cost more than adviseHost itself:
 * 12-25 µs per entry against 3-4 µs, measured at load 9). Sound because adviseHost is pure and a
 * record is complete before any writer sees it (the engine fills a HostResult before yielding it);
 * a miss only computes again. The Advice returned is shared: read it, do not change it.
 */
import type { HostResult } from '../core/result.ts';
import { type Advice, adviseHost } from './advise.ts';

let lastRecord: HostResult | undefined;
let lastAdvice: Advice | undefined;

/** adviseHost(r); the record asked last is answered from memory. */
export const adviceFor = (r: HostResult): Advice => {
  if (r !== lastRecord || lastAdvice === undefined) {
    lastAdvice = adviseHost(r);
    lastRecord = r;
  }
  return lastAdvice;
};
