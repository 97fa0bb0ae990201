// Module loader hooks of trace-loads.mjs (they run on the loader thread).
import { appendFileSync } from 'node:fs';

export const load = async (url, context, nextLoad) => {
  if (url.startsWith('file:') && process.env.RPCSWEEP_TRACE_LOADS)
    appendFileSync(process.env.RPCSWEEP_TRACE_LOADS, `${url}\n`);
  return nextLoad(url, context);
};
