/**
 * The HTML report's page model, built one HostResult at a time so a 100,000-host scan never keeps
 * its HostResult objects: each listed host becomes a compact row whose strings go through one table
 * (a NetBIOS name, a probe name or an advice text is stored once however many hosts share it).
 * The page (page.ts) renders the model; the browser script (client.ts) reads `table` back.
 */
import { type Advice, adviceFor } from '../../advice/index.ts';
import {
  answeredVerdict,
  emptyCounts,
  fieldLabel,
  fieldValue,
  type HostResult,
  type ResultField,
  type RunMeta,
  type RunSummary,
  summarize,
  VERDICTS,
  type Verdict,
} from '../../core/result.ts';
import { adviceOneLine } from '../advice.ts';
import { escapeTerminal } from '../escape.ts';
import { itemText } from '../fields.ts';
import { BlockTally } from './blocks.ts';

/** One line of the "changes since the previous scan" section (from a results store). */
export interface HostChange {
  address: string;
  /** e.g. `new-vulnerable`, `fixed`, `gone`, `new`, `changed`. */
  change: string;
  old?: string;
  new?: string;
}

/** A host in the "needs action" section, with its advice in the words the page shows. */
export interface ActionItem {
  address: string;
  name?: string;
  verdict: Verdict;
  infected: boolean;
  adviceLine: string;
  prerequisites: string[];
  indicators: string[];
}

/**
 * What the browser script needs at once, as JSON: `s` the string table, `a` the distinct advice
 * records ([status, one-line, summary, actions]), `sev` the verdicts most urgent first, and `h` one
 * row per listed host, already in that order (then by address): [address, verdict index (VERDICTS),
 * name, dcom, advice, reason, durationMs]. Strings are indices into `s` (-1: none).
 */
export interface ClientTable {
  verdicts: readonly Verdict[];
  sev: readonly Verdict[];
  s: string[];
  a: Array<[string, number, number, number[]]>;
  h: unknown[][];
}

/**
 * What only an expanded row needs, in its own block that the page parses on the first expand:
 * `e` the distinct probe steps ([probe, port, classification, ok, HRESULT/fault, COM version, reason,
 * bind results]), `t0` the first host's start (ms since 1970), `d` per row of `h`: [start (ms after
 * t0, or a string), [[step, ms]…], endpoints[], indicators[], osHints[], [[field label, value]…]]: the
 * last, present only when not empty, the probes' declared fields that have no column of their own
 * (`probeFields`).
 */
export interface ClientDetail {
  e: number[][];
  t0: number;
  d: unknown[][];
}

/** Most urgent first: the table's default order and the needs-action order. */
export const VERDICT_SEVERITY: readonly Verdict[] = [
  'unpatched',
  'patched-kb823980',
  'needs-investigation',
  'dcom-restricted',
  'error',
  'refused',
  'not-windows-dcom',
  'patched',
  'unreachable',
];

/** Listed in "needs action": the verdicts the issue names, plus any host with indicators. */
const ACTION_ORDER: readonly Verdict[] = ['unpatched', 'patched-kb823980', 'needs-investigation'];
/** Needs-action items rendered in the page; the rest are counted (the table filter shows them all). */
export const ACTION_ITEMS_SHOWN = 200;

const isVulnerable = (v: Verdict): boolean => v === 'unpatched' || v === 'patched-kb823980';

export class HtmlReportModel {
  meta?: RunMeta;
  /** False (`--no-advice`): no advice in the page; verdicts, evidence and ports stay. */
  readonly #withAdvice: boolean;
  /** Declared fields shown per host: those kept under their probe's name (`probeFields`). */
  readonly #fields: readonly ResultField[];
  readonly counts = emptyCounts();
  readonly dcomVersions = new Map<string, number>();
  readonly blocks = new BlockTally();
  readonly #strings: string[] = [];
  readonly #stringIndex = new Map<string, number>();
  readonly #advice: ClientTable['a'] = [];
  readonly #adviceIndex = new Map<string, number>();
  readonly #rows: unknown[][] = [];
  readonly #details: unknown[][] = [];
  readonly #steps: number[][] = [];
  readonly #stepIndex = new Map<string, number>();
  #startBase: number | undefined;
  readonly #actions = new Map<Verdict | 'infected', ActionItem[]>();
  actionCount = 0;
  #firstStart = '';

  /** `fields`: the probes' declared result fields (the registry's RESULT_FIELDS). */
  constructor(options: { advice?: boolean; fields?: readonly ResultField[] } = {}) {
    this.#withAdvice = options.advice !== false;
    this.#fields = (options.fields ?? []).filter((f) => f.column === undefined);
  }
  #lastEnd = 0;

  /** Index of `s` in the string table; unsafe characters are made visible once, here (as in text output). */
  str(value: string | undefined): number {
    if (value === undefined || value === null) return -1;
    // Input files may carry anything where a string belongs; it is shown as text either way.
    const s = typeof value === 'string' ? value : String(value);
    const known = this.#stringIndex.get(s);
    if (known !== undefined) return known;
    this.#strings.push(escapeTerminal(s));
    this.#stringIndex.set(s, this.#strings.length - 1);
    return this.#strings.length - 1;
  }

  add(r: HostResult): void {
    this.counts[r.verdict]++;
    this.blocks.add(r.address, isVulnerable(r.verdict));
    this.#trackTime(r);
    const answered = r.verdict !== 'unreachable' || (r.indicators?.length ?? 0) > 0;
    if (!answered) return;
    // Refused and silent hosts have no DCOM version to show (their 0.0 is Scanms' "none read").
    const spoke = answeredVerdict(r.verdict);
    if (spoke) this.dcomVersions.set(r.dcomVersion, (this.dcomVersions.get(r.dcomVersion) ?? 0) + 1);
    const advice = adviceFor(r);
    this.#noteAction(r, advice);
    this.#rows.push(this.#row(r, spoke ? r.dcomVersion : undefined, this.#adviceRef(advice)));
    this.#details.push(this.#detail(r));
  }

  #trackTime(r: HostResult): void {
    if (!this.#firstStart || r.startedAt < this.#firstStart) this.#firstStart = r.startedAt;
    const end = Date.parse(r.startedAt) + r.durationMs;
    if (Number.isFinite(end) && end > this.#lastEnd) this.#lastEnd = end;
  }

  #row(r: HostResult, dcom: string | undefined, advice: number): unknown[] {
    const name = this.str(r.netbiosName ?? r.hostname);
    return [
      r.address,
      VERDICTS.indexOf(r.verdict),
      name,
      this.str(dcom),
      advice,
      this.str(r.reason),
      ms(r.durationMs),
    ];
  }

  #detail(r: HostResult): unknown[] {
    // Declared probe fields last, and only when the host has some: no bytes for the usual host.
    const fields = this.#probeFields(r);
    return [
      this.#startOffset(r.startedAt),
      r.evidence.map((e) => [
        this.#step([
          this.str(e.probe),
          this.str(`${e.port}/${e.transport}`),
          this.str(e.classification),
          e.success ? 1 : 0,
          this.str(e.hresult ?? e.faultStatus),
          this.str(e.comVersion),
          this.str(e.reason ?? e.error?.message),
          this.str(e.bindResults?.map(([res, why]) => `${res}/${why}`).join(' ')),
        ]),
        ms(e.durationMs),
      ]),
      (r.endpoints ?? []).map((p) => [
        this.str(p.uuid),
        this.str(p.version),
        this.str(p.name),
        this.str(p.annotation),
        this.str(p.binding),
      ]),
      (r.indicators ?? []).map((f) => [this.str(f.indicator), this.str(f.severity), this.str(f.evidence)]),
      (r.osHints ?? []).map((h) => this.str(h)),
      ...(fields.length > 0 ? [fields] : []),
    ];
  }

  /** [label, value] string refs per declared field the host has (list items joined by `; `). */
  #probeFields(r: HostResult): number[][] {
    const out: number[][] = [];
    for (const f of this.#fields) {
      const v = fieldValue(r, f);
      if (v === undefined) continue;
      const text = (Array.isArray(v) ? v : [v]).map(itemText).join('; ');
      out.push([this.str(fieldLabel(f)), this.str(text)]);
    }
    return out;
  }

  /**
   * A start time as ms after the first host's (a number is a fifth of an ISO string, at 100,000
   * hosts); a start that is not an ISO time stays a string, escaped like the string table.
   */
  #startOffset(startedAt: string): number | string {
    const t = Date.parse(startedAt);
    if (!Number.isFinite(t) || !/^\d{4}-\d\d-\d\dT/.test(startedAt)) return escapeTerminal(String(startedAt));
    this.#startBase ??= t;
    return t - this.#startBase;
  }

  /** Probe steps repeat from host to host but for their timing: each distinct one is stored once. */
  #step(step: number[]): number {
    const key = step.join(',');
    const known = this.#stepIndex.get(key);
    if (known !== undefined) return known;
    this.#steps.push(step);
    this.#stepIndex.set(key, this.#steps.length - 1);
    return this.#steps.length - 1;
  }

  #adviceRef(a: Advice): number {
    if (!this.#withAdvice) {
      if (this.#advice.length === 0) this.#advice.push(['', -1, -1, []]);
      return 0;
    }
    const line = adviceOneLine(a);
    const key = `${line}\u0000${a.summary}\u0000${a.actions.join('\u0000')}`;
    const known = this.#adviceIndex.get(key);
    if (known !== undefined) return known;
    this.#advice.push([a.status, this.str(line), this.str(a.summary), a.actions.map((x) => this.str(x))]);
    this.#adviceIndex.set(key, this.#advice.length - 1);
    return this.#advice.length - 1;
  }

  #noteAction(r: HostResult, a: Advice): void {
    const indicators = (r.indicators ?? []).filter((f) => f.severity !== 'info');
    const infected = indicators.length > 0;
    const group: Verdict | 'infected' | undefined = infected
      ? 'infected'
      : ACTION_ORDER.includes(r.verdict)
        ? r.verdict
        : undefined;
    if (!group) return;
    this.actionCount++;
    const list = this.#actions.get(group) ?? [];
    this.#actions.set(group, list);
    if (list.length >= ACTION_ITEMS_SHOWN) return;
    list.push({
      address: r.address,
      name: r.netbiosName ?? r.hostname,
      verdict: r.verdict,
      infected,
      adviceLine: this.#withAdvice ? adviceOneLine(a) : '',
      prerequisites: this.#withAdvice ? [...new Set(a.fixes.flatMap((f) => f.prerequisites))] : [],
      indicators: indicators.map((f) => `${f.indicator}: ${f.severity}: ${f.evidence}`),
    });
  }

  /** Needs-action items, infected hosts first, then by verdict; at most ACTION_ITEMS_SHOWN. */
  actionItems(): ActionItem[] {
    return (['infected', ...ACTION_ORDER] as const)
      .flatMap((g) => this.#actions.get(g) ?? [])
      .slice(0, ACTION_ITEMS_SHOWN);
  }

  /** The summary a scan would have written, for inputs that carry none (NDJSON). */
  summary(): RunSummary {
    const start = Date.parse(this.#firstStart);
    const elapsed = Number.isFinite(start) && this.#lastEnd > start ? this.#lastEnd - start : 0;
    return summarize({ ...this.counts }, new Date(this.#lastEnd || 0).toISOString(), elapsed);
  }

  /** The run's start as the results show it (earliest probe), for inputs without RunMeta. */
  get firstStart(): string {
    return this.#firstStart;
  }

  get listedHosts(): number {
    return this.#rows.length;
  }

  /** Row order of the page: most urgent verdict first, then by address (IPv4 numerically). */
  #order(): number[] {
    const rank = VERDICTS.map((v) => VERDICT_SEVERITY.indexOf(v));
    const key = (row: unknown[]) => addressKey(row[0] as string);
    const keys = this.#rows.map((row) => rank[row[1] as number]! * 2 ** 40 + key(row));
    return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  }

  /** The page's two JSON blocks: the table (parsed at open) and the evidence (parsed on first expand). */
  clientData(): { table: ClientTable; detail: ClientDetail } {
    const order = this.#order();
    return {
      table: {
        verdicts: VERDICTS,
        sev: VERDICT_SEVERITY,
        s: this.#strings,
        a: this.#advice,
        h: order.map((i) => this.#rows[i]!),
      },
      detail: { e: this.#steps, t0: this.#startBase ?? 0, d: order.map((i) => this.#details[i]!) },
    };
  }
}

const ms = (n: number): number => Math.round(n * 10) / 10;

/** IPv4 as its number; anything else after every IPv4 address (2^32), in arrival order. */
const addressKey = (a: string): number => {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  return m ? ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]) : 2 ** 32;
};
