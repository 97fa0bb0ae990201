/** Plain-text rendering of one Advice, shared by `rpcsweep advise` and the text/markdown reports. */
import type { Advice } from './advise.ts';

/** Lines without trailing newlines; `indent` is prefixed to every line but the first. */
export const adviceToLines = (a: Advice, indent = '  '): string[] => {
  const lines = [`${a.address}: ${a.verdict} -> ${a.status}: ${a.summary}`];
  if (a.platformGuess) lines.push(`${indent}platform guess: ${a.platformGuess.label}`);
  for (const f of a.fixes) {
    lines.push(`${indent}fix ${f.bulletin} (${f.kb})${f.onlyOn ? `, only on ${f.onlyOn}` : ''}: ${f.reason}`);
    for (const p of f.prerequisites) lines.push(`${indent}${indent}- ${p}`);
    for (const alt of f.alternatives ?? []) lines.push(`${indent}${indent}or ${alt}`);
  }
  for (const act of a.actions) lines.push(`${indent}* ${act}`);
  for (const n of a.notes) lines.push(`${indent}note: ${n}`);
  return lines;
};
