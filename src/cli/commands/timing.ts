/**
 * Timing templates as nmap users know them (-T0 … -T5, or their names): rate, concurrency and the
 * per-step timeout set together. Explicit --rate, --concurrency and --timeout override a template.
 *
 * The default (normal, -T3) caps new connections at 300 per second. The networks this tool is for
 * are fragile: NT4 and Windows 2000 hosts whose RPCSS dies on malformed or hurried traffic
 * (MS01-041), routers and firewalls of 2003 whose connection tables worm scanning already filled,
 * and IDS that page someone on a burst of TCP/135 binds. 300/s still covers a /16 in under four
 * minutes; a lab or a benchmark that wants speed says so with -T4, -T5 or --rate.
 */
import { intOption, rateOption, usage } from '../options.ts';

export interface Timing {
  name: string;
  /** New connections per second; undefined: unlimited. */
  ratePerSecond?: number;
  concurrency: number;
  timeoutMs: number;
}

export const TIMING_TEMPLATES: readonly Timing[] = [
  { name: 'paranoid', ratePerSecond: 0.2, concurrency: 1, timeoutMs: 10_000 },
  { name: 'sneaky', ratePerSecond: 2, concurrency: 8, timeoutMs: 10_000 },
  { name: 'polite', ratePerSecond: 30, concurrency: 64, timeoutMs: 8_000 },
  { name: 'normal', ratePerSecond: 300, concurrency: 512, timeoutMs: 5_000 },
  { name: 'aggressive', ratePerSecond: 5_000, concurrency: 4_096, timeoutMs: 2_000 },
  { name: 'insane', ratePerSecond: undefined, concurrency: 16_384, timeoutMs: 1_000 },
];

export const DEFAULT_TIMING = 'normal';

/** `-T 0..5` or a template name. */
export const timingTemplate = (text: string | undefined): Timing => {
  const key = text ?? DEFAULT_TIMING;
  const t = /^[0-5]$/.test(key)
    ? TIMING_TEMPLATES[Number(key)]
    : TIMING_TEMPLATES.find((x) => x.name === key);
  if (!t)
    return usage(
      `-T ${key}: expected 0..5 or one of ${TIMING_TEMPLATES.map((x, i) => `${i}=${x.name}`).join(', ')}`,
    );
  return t;
};

/** The help text of -T: every template with its numbers. */
export const timingHelp = (): string =>
  `timing template 0..5 or name (default ${DEFAULT_TIMING}): ${TIMING_TEMPLATES.map(
    (t, i) =>
      `${i} ${t.name} (${t.ratePerSecond === undefined ? 'no rate cap' : `${t.ratePerSecond}/s`}, ${t.concurrency} at once, ${t.timeoutMs} ms)`,
  ).join('; ')}`;

/** The options every command with targets takes for its timing (scan, exposure, epm). */
export interface TimingCliOptions {
  timing?: string;
  timeout?: string;
  concurrency?: string;
  rate?: string;
}

/** Rate, concurrency and timeout: the template's, each overridden by its explicit option. */
export const timingSettings = (
  o: TimingCliOptions,
  maxConcurrency: number,
): { timeoutMs: number; concurrency: number; ratePerSecond?: number } => {
  const t = timingTemplate(o.timing);
  return {
    timeoutMs: o.timeout === undefined ? t.timeoutMs : intOption('--timeout', o.timeout, 1, 600_000),
    concurrency:
      o.concurrency === undefined
        ? Math.min(t.concurrency, maxConcurrency)
        : intOption('--concurrency', o.concurrency, 1, maxConcurrency),
    ratePerSecond: o.rate === undefined ? t.ratePerSecond : rateOption(o.rate),
  };
};
