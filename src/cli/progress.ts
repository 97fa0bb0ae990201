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

/**
 * Verdict labels from the least to the most useful while a scan runs: when the line does not fit the
 * terminal, parts are dropped in this order (dead and refused addresses first, unpatched hosts last).
 */
const DROP_ORDER: readonly Verdict[] = [
  'refused',
  'unreachable',
  'not-windows-dcom',
  'dcom-restricted',
  'patched',
  'error',
  'needs-investigation',
  'patched-kb823980',
  'unpatched',
];

interface Part {
  text: string;
  /** Lower is dropped first. */
  keep: number;
}

/**
 * One status line (no newline) that fits in `columns` (a terminal wraps a longer line, and every
 * redraw then leaves a line behind). Counts that are zero are left out; when the line is still too
 * long, verdict counts go first (least useful first), then the rate, the percentage and the ETA;
 * done/total always stays (cut to the width as a last resort).
 */
export const renderProgress = (
  s: ProgressSnapshot,
  options: { color: boolean; columns?: number },
): string => {
  const pct = s.total > 0 ? (100 * s.done) / s.total : 100;
  const rate = s.elapsedMs > 0 ? (s.done * 1000) / s.elapsedMs : 0;
  const eta = rate > 0 ? ((s.total - s.done) / rate) * 1000 : Number.NaN;
  const parts: Array<Part & { code?: string }> = [
    { text: `${s.done}/${s.total}`, keep: 100 },
    { text: `(${pct.toFixed(1)}%)`, keep: 12 },
    { text: `${rate.toFixed(0)}/s`, keep: 10 },
    ...LABELS.filter(([v]) => s.counts[v] > 0).map(([v, label, code]) => ({
      text: `${label} ${s.counts[v]}`,
      keep: DROP_ORDER.indexOf(v),
      code,
    })),
    { text: `ETA ${s.done >= s.total ? '0s' : formatDuration(eta)}`, keep: 11 },
  ];
  // The last column stays free: a line that fills it wraps on some terminals.
  const width = Math.max(10, (options.columns ?? Number.POSITIVE_INFINITY) - 1);
  const visible = (ps: readonly Part[]) => ps.reduce((n, p) => n + p.text.length + 1, -1);
  const shown = [...parts];
  while (visible(shown) > width && shown.length > 1) {
    const drop = shown.reduce((lo, p, k) => (p.keep < (shown[lo]?.keep ?? 0) ? k : lo), 0);
    shown.splice(drop, 1);
  }
  if (visible(shown) > width) return (shown[0]?.text ?? '').slice(0, width);
  const paint = (p: (typeof parts)[number]) =>
    options.color && p.code ? `\u001b[${p.code}m${p.text}\u001b[0m` : p.text;
  return shown.map(paint).join(' ');
};

/** Characters a terminal shows (colour escapes take no room). */
const visibleLength = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;

/** Redraws the line every `intervalMs` on a TTY; does nothing elsewhere. */
export class ProgressLine {
  readonly #out: Writable;
  readonly #enabled: boolean;
  readonly #color: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = '';

  #resize: (() => void) | undefined;
  #lastWidth = 0;
  #snapshot: (() => ProgressSnapshot) | undefined;

  constructor(options: { out: Writable; isTty: boolean; env: NodeJS.ProcessEnv }) {
    this.#out = options.out;
    this.#enabled = options.isTty;
    this.#color = options.isTty && !('NO_COLOR' in options.env && options.env.NO_COLOR !== '');
  }

  start(snapshot: () => ProgressSnapshot, intervalMs = 250): void {
    if (!this.#enabled) return;
    this.#snapshot = snapshot;
    this.#timer = setInterval(() => this.draw(snapshot()), intervalMs);
    this.#timer.unref?.();
    // A terminal stream emits 'resize' on SIGWINCH: redraw at the new width at once. A terminal that
    // reflows (tmux, VTE, kitty, iTerm2, Windows Terminal) has wrapped the old, wider line over several
    // rows: go up to its first row and erase to the end of the screen before drawing.
    this.#resize = () => {
      const cols = this.columns;
      if (this.#last && cols) {
        const rows = Math.floor(Math.max(0, this.#lastWidth - 1) / cols);
        this.#out.write(`\r${rows > 0 ? `\u001b[${rows}A` : ''}\u001b[J`);
        this.#last = '';
      }
      if (this.#snapshot) this.draw(this.#snapshot());
    };
    this.#out.on('resize', this.#resize);
  }

  /** The terminal's width, as the TTY stream knows it (updated on SIGWINCH). */
  get columns(): number | undefined {
    const c = (this.#out as { columns?: number }).columns;
    return typeof c === 'number' && c > 0 ? c : undefined;
  }

  draw(s: ProgressSnapshot): void {
    if (!this.#enabled) return;
    const line = renderProgress(s, { color: this.#color, columns: this.columns });
    // \r + erase-line: redraw in place.
    this.#out.write(`\r\u001b[2K${line}`);
    this.#last = line;
    this.#lastWidth = visibleLength(line);
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
    if (this.#resize) this.#out.off('resize', this.#resize);
    this.#resize = undefined;
    if (!this.#enabled) return;
    if (final) this.draw(final);
    if (this.#last) this.#out.write('\n');
  }
}
