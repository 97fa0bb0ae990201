/**
 * The scan's status line on stderr: done/total, rate, verdict counts, ETA. Drawn only when stderr is
 * a terminal (quiet in pipes and CI logs), without colour when NO_COLOR is set (no-color.org).
 * `renderProgress` is pure; `ProgressLine` owns the timer and the carriage returns.
 */
import type { Writable } from 'node:stream';
import type { Verdict } from '../core/result.ts';

export interface ProgressSnapshot {
  done: number;
  total: number;
  elapsedMs: number;
  counts: Record<Verdict, number>;
}

const LABELS: ReadonlyArray<[Verdict, string, string]> = [
  ['patched', 'patched', '32'],
  ['patched-kb823980', 'kb823980-only', '33'],
  ['unpatched', 'UNPATCHED', '31;1'],
  ['dcom-restricted', 'restricted', '36'],
  ['not-windows-dcom', 'not-dcom', '36'],
  ['needs-investigation', 'investigate', '35'],
  ['refused', 'refused', '2'],
  ['unreachable', 'unreachable', '2'],
  ['error', 'errors', '31'],
];

export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

/** One status line (no newline). Counts that are zero are left out to keep it short. */
export const renderProgress = (s: ProgressSnapshot, options: { color: boolean }): string => {
  const pct = s.total > 0 ? (100 * s.done) / s.total : 100;
  const rate = s.elapsedMs > 0 ? (s.done * 1000) / s.elapsedMs : 0;
  const eta = rate > 0 ? ((s.total - s.done) / rate) * 1000 : Number.NaN;
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const counts = LABELS.filter(([v]) => s.counts[v] > 0)
    .map(([v, label, code]) => paint(code, `${label} ${s.counts[v]}`))
    .join(' · ');
  return `${s.done}/${s.total} (${pct.toFixed(1)}%) ${rate.toFixed(0)}/s ${counts ? `${counts} ` : ''}ETA ${
    s.done >= s.total ? '0s' : formatDuration(eta)
  }`;
};

/** Redraws the line every `intervalMs` on a TTY; does nothing elsewhere. */
export class ProgressLine {
  readonly #out: Writable;
  readonly #enabled: boolean;
  readonly #color: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = '';

  constructor(options: { out: Writable; isTty: boolean; env: NodeJS.ProcessEnv }) {
    this.#out = options.out;
    this.#enabled = options.isTty;
    this.#color = options.isTty && !('NO_COLOR' in options.env && options.env.NO_COLOR !== '');
  }

  start(snapshot: () => ProgressSnapshot, intervalMs = 250): void {
    if (!this.#enabled) return;
    this.#timer = setInterval(() => this.draw(snapshot()), intervalMs);
    this.#timer.unref?.();
  }

  draw(s: ProgressSnapshot): void {
    if (!this.#enabled) return;
    const line = renderProgress(s, { color: this.#color });
    // \r + erase-line: redraw in place.
    this.#out.write(`\r\u001b[2K${line}`);
    this.#last = line;
  }

  /**
   * Erases the drawn line so that report text written to the same terminal (stdout) starts on a
   * clean line; the next tick draws it again.
   */
  clear(): void {
    if (!this.#enabled || !this.#last) return;
    this.#out.write('\r\u001b[2K');
    this.#last = '';
  }

  stop(final?: ProgressSnapshot): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.#enabled) return;
    if (final) this.draw(final);
    if (this.#last) this.#out.write('\n');
  }
}
