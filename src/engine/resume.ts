/**
 * Resume state: the seed and shard fix the order of the scan (style.md rule 10), so the state is only
 * a position in that order plus what was in flight. Pure: encode, decode and validate; the atomic
 * file write lives in src/store/state-file.ts.
 *
 * Exactness ("no address lost, none duplicated") comes from three facts:
 * - an index leaves `inFlight` only after its result was written to the output (write-then-ack);
 * - every index below `position` that is not in `inFlight` has its result in the output;
 * - `output.bytes` records how long the output was at the checkpoint. Results written after it (which
 *   the state does not know about) belong to indices still in `inFlight` or at/after `position`, so
 *   a resume either reads them back from the output's tail (NDJSON: every line is a whole result) or
 *   cuts the output back to `output.bytes` and scans them again (every format: the report writer's
 *   saved state in `writer` lets it continue the file as if never stopped).
 * A crash between a write and the next checkpoint therefore costs a rescan, never a lost or doubled
 * line; the state file itself is replaced atomically (src/store/state-file.ts).
 */
import { RpcsweepError } from '../core/errors.ts';
import { emptyCounts, VERDICTS, type Verdict } from '../core/result.ts';

export const RESUME_STATE_VERSION = 1;

export interface ResumeState {
  version: typeof RESUME_STATE_VERSION;
  tool: 'rpcsweep';
  /** Hash of the target set (after exclusions and name resolution) and the options that change results. */
  targetsFingerprint: string;
  seed: number;
  shard: { index: number; count: number };
  /** Number of addresses in this shard. */
  total: number;
  /** Next index (in this shard's order) not yet started. */
  position: number;
  /** Indices started but not yet written to the output, ascending. */
  inFlight: number[];
  /** Output file, its format and advice setting, and its length in bytes at this checkpoint. */
  output: {
    path: string;
    format: string;
    advice: boolean;
    bytes: number;
    /** SHA-256 (hex) of the output's last bytes before `bytes` (src/store): is it still our file? */
    tailSha256?: string;
  };
  /** The report writer's saved state at this checkpoint (ReportWriter.saveState), as JSON. */
  writer: Readonly<Record<string, unknown>>;
  /** Scan time spent up to this checkpoint, over all runs (the report's elapsed time). */
  elapsedMs: number;
  /** Verdict counts of the results written up to this checkpoint. */
  counts: Record<Verdict, number>;
  /** ISO time of this checkpoint (informational). */
  savedAt: string;
}

export const newResumeState = (init: {
  targetsFingerprint: string;
  seed: number;
  shard: { index: number; count: number };
  total: number;
  output: { path: string; format: string; advice: boolean };
  savedAt: string;
}): ResumeState => ({
  version: RESUME_STATE_VERSION,
  tool: 'rpcsweep',
  targetsFingerprint: init.targetsFingerprint,
  seed: init.seed,
  shard: init.shard,
  total: init.total,
  position: 0,
  inFlight: [],
  output: { ...init.output, bytes: 0 },
  writer: {},
  elapsedMs: 0,
  counts: emptyCounts(),
  savedAt: init.savedAt,
});

export const encodeResumeState = (s: ResumeState): string => `${JSON.stringify(s)}\n`;

const corrupt = (why: string): never => {
  throw new RpcsweepError('ENGINE_RESUME_CORRUPT', `resume file is not valid: ${why}`);
};

const isInt = (v: unknown, min = 0): v is number => Number.isSafeInteger(v) && (v as number) >= min;

/** Parses and validates a resume file's text; throws ENGINE_RESUME_CORRUPT naming the bad field. */
export const decodeResumeState = (text: string): ResumeState => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return corrupt(`not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) return corrupt('not an object');
  const o = raw as Record<string, unknown>;
  if (o.tool !== 'rpcsweep') corrupt('tool is not "rpcsweep"');
  if (o.version !== RESUME_STATE_VERSION)
    corrupt(`version ${String(o.version)} is not ${RESUME_STATE_VERSION}`);
  if (typeof o.targetsFingerprint !== 'string' || o.targetsFingerprint.length === 0)
    corrupt('targetsFingerprint');
  if (!isInt(o.seed)) corrupt('seed');
  const shard = o.shard as Record<string, unknown> | undefined;
  if (
    !shard ||
    !isInt(shard.index, 1) ||
    !isInt(shard.count, 1) ||
    (shard.index as number) > (shard.count as number)
  ) {
    corrupt('shard');
  }
  if (!isInt(o.total)) corrupt('total');
  if (!isInt(o.position) || (o.position as number) > (o.total as number)) corrupt('position');
  if (!Array.isArray(o.inFlight)) corrupt('inFlight');
  const inFlight = o.inFlight as unknown[];
  for (const i of inFlight) {
    if (!isInt(i) || (i as number) >= (o.position as number))
      corrupt('inFlight (index outside [0, position))');
  }
  const output = o.output as Record<string, unknown> | undefined;
  if (
    !output ||
    typeof output.path !== 'string' ||
    typeof output.format !== 'string' ||
    !isInt(output.bytes) ||
    (output.advice !== undefined && typeof output.advice !== 'boolean') ||
    (output.tailSha256 !== undefined &&
      (typeof output.tailSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(output.tailSha256)))
  ) {
    corrupt('output');
  }
  // Files written before these fields existed (NDJSON only) decode with their defaults.
  const writer = o.writer ?? {};
  if (typeof writer !== 'object' || writer === null || Array.isArray(writer)) corrupt('writer');
  const elapsedMs = o.elapsedMs ?? 0;
  if (typeof elapsedMs !== 'number' || !Number.isFinite(elapsedMs) || elapsedMs < 0) corrupt('elapsedMs');
  const counts = o.counts as Record<string, unknown> | undefined;
  if (!counts || typeof counts !== 'object') corrupt('counts');
  for (const v of VERDICTS) if (!isInt(counts?.[v])) corrupt(`counts.${v}`);
  return {
    version: RESUME_STATE_VERSION,
    tool: 'rpcsweep',
    targetsFingerprint: o.targetsFingerprint as string,
    seed: o.seed as number,
    shard: { index: shard?.index as number, count: shard?.count as number },
    total: o.total as number,
    position: o.position as number,
    inFlight: [...new Set(inFlight as number[])].sort((a, b) => a - b),
    output: {
      path: output?.path as string,
      format: output?.format as string,
      advice: output?.advice !== false,
      bytes: output?.bytes as number,
      ...(output?.tailSha256 === undefined ? {} : { tailSha256: output.tailSha256 as string }),
    },
    writer: writer as Record<string, unknown>,
    elapsedMs: elapsedMs as number,
    counts: Object.fromEntries(VERDICTS.map((v) => [v, counts?.[v] as number])) as Record<Verdict, number>,
    savedAt: typeof o.savedAt === 'string' ? o.savedAt : '',
  };
};

/** Throws ENGINE_RESUME_MISMATCH when the state belongs to a different scan. */
export const checkResumeMatches = (
  s: ResumeState,
  current: {
    targetsFingerprint: string;
    seed: number;
    shard: { index: number; count: number };
    total: number;
    format: string;
    advice: boolean;
  },
): void => {
  const diffs: string[] = [];
  if (s.targetsFingerprint !== current.targetsFingerprint) diffs.push('targets or options');
  if (s.seed !== current.seed) diffs.push(`seed (${s.seed} vs ${current.seed})`);
  if (s.shard.index !== current.shard.index || s.shard.count !== current.shard.count) {
    diffs.push(`shard (${s.shard.index}/${s.shard.count} vs ${current.shard.index}/${current.shard.count})`);
  }
  if (s.total !== current.total) diffs.push(`address count (${s.total} vs ${current.total})`);
  // The output is continued in place: a different format or advice setting would mix two layouts.
  if (s.output.format !== current.format)
    diffs.push(`output format (${s.output.format} vs ${current.format})`);
  if (s.output.advice !== current.advice) {
    const on = (a: boolean) => (a ? 'advice' : '--no-advice');
    diffs.push(`advice setting (${on(s.output.advice)} vs ${on(current.advice)})`);
  }
  if (diffs.length > 0) {
    throw new RpcsweepError(
      'ENGINE_RESUME_MISMATCH',
      `resume file belongs to a different scan: ${diffs.join(', ')} differ`,
      {
        details: { diffs },
      },
    );
  }
};

/**
 * Tracks what is in flight and produces checkpoints. `position` only moves forward; `acknowledge`
 * is called after a result is written.
 */
export class ResumeTracker {
  #state: ResumeState;
  readonly #inFlight = new Set<number>();

  constructor(state: ResumeState) {
    this.#state = { ...state, inFlight: [], output: { ...state.output }, counts: { ...state.counts } };
  }

  /** The index was handed to a worker. */
  start(index: number): void {
    this.#inFlight.add(index);
    if (index >= this.#state.position) this.#state.position = index + 1;
  }

  /** The result for `index` was written; the output is now `outputBytes` long. */
  acknowledge(index: number, verdict: Verdict, outputBytes: number): void {
    this.#inFlight.delete(index);
    this.#state.counts[verdict]++;
    if (outputBytes !== this.#state.output.bytes) delete this.#state.output.tailSha256;
    this.#state.output.bytes = outputBytes;
  }

  /** The index's result was already in the output (found in the tail on resume). */
  acknowledgeSkipped(index: number): void {
    this.#inFlight.delete(index);
    if (index >= this.#state.position) this.#state.position = index + 1;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /**
   * The state to save. `at` is read at the same moment (between two writes): the output's length,
   * the writer's saved state and the scan time so far, so all of them match the acknowledged set.
   */
  snapshot(
    savedAt: string,
    at: {
      outputBytes?: number;
      outputTailSha256?: string;
      writer?: Readonly<Record<string, unknown>>;
      elapsedMs?: number;
    } = {},
  ): ResumeState {
    const output = { ...this.#state.output, bytes: at.outputBytes ?? this.#state.output.bytes };
    // A digest belongs to one length: a new length without its digest carries none.
    if (at.outputTailSha256 !== undefined) output.tailSha256 = at.outputTailSha256;
    else if (at.outputBytes !== undefined && at.outputBytes !== this.#state.output.bytes)
      delete output.tailSha256;
    return {
      ...this.#state,
      output,
      writer: at.writer ?? this.#state.writer,
      elapsedMs: at.elapsedMs ?? this.#state.elapsedMs,
      counts: { ...this.#state.counts },
      inFlight: [...this.#inFlight].sort((a, b) => a - b),
      savedAt,
    };
  }
}

/**
 * Where a resumed scan starts: the old in-flight indices first, then everything from `position` on.
 * Addresses whose results were found in the output after the checkpoint (`doneSince`) are skipped.
 */
export interface ResumePoint {
  retry: number[];
  from: number;
  skipAddresses: ReadonlySet<string>;
  /** Counts of everything already in the output (checkpoint counts plus the tail read back). */
  counts: Record<Verdict, number>;
}

export const resumePointOf = (
  s: ResumeState,
  tail: ReadonlyArray<{ address: string; verdict: Verdict }>,
): ResumePoint => {
  const counts = { ...s.counts };
  for (const r of tail) counts[r.verdict]++;
  return {
    retry: [...s.inFlight],
    from: s.position,
    skipAddresses: new Set(tail.map((r) => r.address)),
    counts,
  };
};
