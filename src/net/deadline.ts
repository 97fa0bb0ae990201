/**
 * A step deadline that a stalled event loop cannot turn into a false timeout. Timers run before I/O
 * in each turn of Node's loop, so after a stall (a loaded machine, a burst of work) a deadline fires
 * before the answer that arrived in time is read: a host that answered looked silent. A deadline
 * that fires late therefore lets this turn's I/O run first (setImmediate runs after the poll phase)
 * and expires only if the step is still pending then. On time, it expires at once: no cost on the
 * hot path of a silent range beyond one clock read.
 */

/** Lateness below this is timer granularity, not a stall. */
const LATE_MS = 10;

export const startDeadline = (onExpire: () => void, ms: number): ReturnType<typeof setTimeout> => {
  const due = performance.now() + ms;
  return setTimeout(() => {
    if (performance.now() - due > LATE_MS) setImmediate(onExpire);
    else onExpire();
  }, ms);
};
