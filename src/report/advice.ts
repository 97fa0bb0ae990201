/**
 * Remediation advice (src/advice) as every scan report carries it. HostResult stays as the probes
 * made it: writers take adviceFor(result) (adviseHost once per record, whichever writer asks first)
 * and add it in their own shape. Advice text is mostly fixed wording, but actions can quote the
 * host's reason (peer data), so each writer still escapes it like any other field.
 */
import {
  ADVICE_STATUSES,
  type Advice,
  type AdviceStatus,
  adviceFor,
  filterPortList,
} from '../advice/index.ts';
import type { HostResult } from '../core/result.ts';
import { escapeTerminal } from './escape.ts';
import { hostNames } from './labels.ts';
import type { WriterState } from './types.ts';
import { badWriterState, stateCount, stateCounts, stateObject } from './writer-state.ts';

/** The per-host advice in machine formats (ndjson/json): a stable subset of Advice. */
export interface AdviceRecord {
  status: AdviceStatus;
  summary: string;
  /** `onlyOn` when the fix applies to only some of the guessed platforms (e.g. Windows 2000 SP2). */
  fixes: Array<{ bulletin: string; kb: string; onlyOn?: string }>;
  actions: string[];
}

export const adviceRecord = (a: Advice): AdviceRecord => ({
  status: a.status,
  summary: a.summary,
  fixes: a.fixes.map((f) => ({ bulletin: f.bulletin, kb: f.kb, ...(f.onlyOn ? { onlyOn: f.onlyOn } : {}) })),
  actions: a.actions,
});

/**
 * One line: status, then the fixes to install, or the summary when no fix applies (csv, xml, the
 * text Advice block). A fix for only some guessed platforms follows as `; on PLATFORM also FIX`.
 */
export const adviceOneLine = (a: Advice): string => {
  const always = a.fixes.filter((f) => !f.onlyOn);
  const some = a.fixes.filter((f) => f.onlyOn).map((f) => `; on ${f.onlyOn} also ${f.bulletin}`);
  return always.length > 0
    ? `${a.status}: install ${always.map((f) => `${f.bulletin} (${f.kb})`).join(' + ')}${some.join('')}`
    : `${a.status}: ${a.summary}`;
};

/** Statuses that ask the reader to do something about a host (listed by name in the Advice block). */
const ACTION_STATUSES: readonly AdviceStatus[] = ['patch-now', 'patch-recommended', 'verify', 'rerun'];

/** A saved listed-host line: one line of already escaped text (no control characters but the end). */
const LISTED_LINE = /^ [^\u0000-\u001f\u007f-\u009f]*\n$/;

/** Hosts listed by name in the text Advice block; the rest are counted (keeps memory bounded). */
export const ADVICE_HOSTS_LISTED = 50;

const statLine = (label: string, n: number): string => ` ${label.padEnd(34)}= ${n}\n`;

/**
 * Collects advice while a text-like report streams, then renders the "Advice:" block at close:
 * counts per status, up to ADVICE_HOSTS_LISTED hosts that need action (most urgent status first,
 * then in arrival order), and the filtering advice once. Holds at most that many lines.
 */
export class AdviceTally {
  readonly #counts = Object.fromEntries(ADVICE_STATUSES.map((s) => [s, 0])) as Record<AdviceStatus, number>;
  readonly #listed = new Map<AdviceStatus, string[]>(ACTION_STATUSES.map((s) => [s, []]));
  #needAction = 0;

  /** A tally continuing from `saveState()` of an earlier one (a resumed scan); `format` names the writer. */
  static restore(state: WriterState, format: string): AdviceTally {
    const t = new AdviceTally();
    Object.assign(t.#counts, stateCounts(state, 'counts', ADVICE_STATUSES, format));
    t.#needAction = stateCount(state, 'needAction', format);
    const listed = stateObject(state, 'listed', format);
    for (const s of ACTION_STATUSES) {
      const lines = listed[s];
      if (
        !Array.isArray(lines) ||
        lines.length > ADVICE_HOSTS_LISTED ||
        !lines.every((l) => typeof l === 'string' && LISTED_LINE.test(l))
      ) {
        badWriterState(format, `listed.${s}`);
      }
      t.#listed.set(s, [...(lines as string[])]);
    }
    return t;
  }

  /** Everything block() needs, as JSON (at most ADVICE_HOSTS_LISTED lines per status). */
  saveState(): WriterState {
    return {
      counts: { ...this.#counts },
      needAction: this.#needAction,
      listed: Object.fromEntries(ACTION_STATUSES.map((s) => [s, [...(this.#listed.get(s) ?? [])]])),
    };
  }

  add(r: HostResult): void {
    const a = adviceFor(r);
    this.#counts[a.status]++;
    const list = this.#listed.get(a.status);
    if (!list) return;
    this.#needAction++;
    if (list.length >= ADVICE_HOSTS_LISTED) return;
    const name = hostNames(r);
    const infected = (r.indicators ?? []).some((i) => i.severity === 'likely-compromised')
      ? '; indicators of compromise: treat the host as infected'
      : '';
    list.push(` ${escapeTerminal(r.address)}${name}: ${escapeTerminal(adviceOneLine(a))}${infected}\n`);
  }

  block(): string {
    const lines = ACTION_STATUSES.flatMap((s) => this.#listed.get(s) ?? []).slice(0, ADVICE_HOSTS_LISTED);
    const more = this.#needAction - lines.length;
    return [
      'Advice:\n\n',
      ...ADVICE_STATUSES.map((s) => statLine(s, this.#counts[s])),
      '\n',
      this.#needAction === 0
        ? ' No host needs action.\n'
        : ` Hosts that need action (${this.#needAction}):\n`,
      ...lines,
      more > 0
        ? ` ... and ${more} more; use --format ndjson or rpcsweep advise --from FILE.ndjson for all\n`
        : '',
      `\n Every network: filter these ports at routers and the Internet edge, inbound and outbound:\n ${filterPortList()}\n`,
    ].join('');
  }
}
