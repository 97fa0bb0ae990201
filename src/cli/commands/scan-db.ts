/**
 * `scan --db PATH|URL`: a result sink beside the report writers. Results are queued in memory and
 * written in batches (one transaction each) off the scan loop; a failed batch is retried with
 * back-off while the scan goes on, and if the store stays away the scan finishes anyway and the
 * error says how many results are missing. `--resume` continues the same scan row (the newest
 * unfinished one with the scan's fingerprint) and first stores again every result of an NDJSON
 * output, so results the last run wrote to the file but not to the database are filled in.
 */

import { adviceFor } from '../../advice/index.ts';
import { wallClockIso } from '../../core/clock.ts';
import { RpcsweepError } from '../../core/errors.ts';
import type { DiscoveryInfo, HostResult, Verdict } from '../../core/result.ts';
import { VERSION } from '../../core/version.ts';
import { realSleep } from '../../net/index.ts';
import {
  type NewScan,
  openStore,
  type ResultStore,
  readNdjsonResults,
  type StoredResult,
} from '../../store/index.ts';
import { type AddressSet, formatShard, type TargetPlan } from '../../targets/index.ts';
import type { CliIo } from '../io.ts';
import { scopeTexts } from './store-scope.ts';

/**
 * Results per transaction, by store kind. SQLite sorts a batch by address, and bigger sorted batches
 * touch fewer b-tree pages per row (docs/benchmarks.md); PostgreSQL's client spent more CPU per
 * result on 10,000-row batches (27-29 µs against 16-24) for no measurable gain, so it keeps 1,000.
 */
export const batchSizeFor = (kind: string): number => (kind === 'sqlite' ? 10_000 : 1000);

export interface DbSinkOptions {
  /** Results per transaction. @default batchSizeFor(the store's kind) */
  batchSize?: number;
  /** Longest wait before a partial batch is written. @default 250 */
  flushMs?: number;
  /** How long a failing store is retried before the sink gives up. @default 60000 */
  retryForMs?: number;
  keepUnreachable: boolean;
  advice: boolean;
}

/**
 * Writes `results` (with their stored advice, when given) in batches of `batchSize`, in order, while
 * `go()` allows another batch; returns how many results were written. A whole list at once:
 * --resume's NDJSON output, `import`, a fleet chunk.
 */
export const writeInBatches = async (
  store: ResultStore,
  scanId: number,
  results: readonly HostResult[],
  advice: readonly StoredAdvice[] | undefined,
  batchSize: number,
  go: () => boolean = () => true,
): Promise<number> => {
  let written = 0;
  for (; written < results.length && go(); written += batchSize) {
    const to = written + batchSize;
    await store.writeResults(scanId, results.slice(written, to), advice?.slice(written, to));
  }
  return Math.min(written, results.length);
};

/** Advice as stored: its status and fixes (bulletin, KB). */
export interface StoredAdvice {
  status: string;
  fixes: Array<{ bulletin: string; kb: string }>;
}

/** The few distinct stored advice values, shared by the rows (no advice objects built per result). */
const storedAdviceValues = new Map<string, StoredAdvice>();

/**
 * Advice as stored: its status and fixes. The wording and actions follow from the result (adviseHost
 * recomputes them), so storing them would only cost bytes per host. The advice itself comes from
 * adviceFor: when a report writer already advised this record, the store pays nothing for it.
 */
export const storedAdviceOf = (r: HostResult): StoredAdvice => {
  const a = adviceFor(r);
  let key: string = a.status;
  for (const f of a.fixes) key += `\u0000${f.bulletin}\u0000${f.kb}`;
  let advice = storedAdviceValues.get(key);
  if (!advice) {
    advice = { status: a.status, fixes: a.fixes.map((f) => ({ bulletin: f.bulletin, kb: f.kb })) };
    storedAdviceValues.set(key, advice);
  }
  return advice;
};

export class DbSink {
  readonly #store: ResultStore;
  readonly #io: CliIo;
  readonly #o: Required<DbSinkOptions>;
  #scanId = 0;
  #queue: StoredResult[] = [];
  /** With advice on, #queue[i]'s stored advice (handed to the store beside it, not copied into it). */
  #advice: StoredAdvice[] = [];
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Results the store did not take (after it gave up), and why. */
  #lost = 0;
  #lostSample: string[] = [];
  #failure: string | undefined;
  /** STORE_BUSY when the store gave up because another process held the lock, else STORE_WRITE. */
  #failureCode: 'STORE_BUSY' | 'STORE_WRITE' = 'STORE_WRITE';

  private constructor(store: ResultStore, io: CliIo, o: DbSinkOptions) {
    this.#store = store;
    this.#io = io;
    this.#o = { batchSize: batchSizeFor(store.kind), flushMs: 250, retryForMs: 60_000, ...o };
  }

  /** Opens the store before anything is sent: a bad --db fails the scan with a one-line error. */
  static async open(db: string, io: CliIo, o: DbSinkOptions): Promise<DbSink> {
    // SQLite writes from a thread of their own when the CLI can start one (io.workerEntry).
    return new DbSink(await openStore(db, { sqliteWriterThread: io.workerEntry }), io, o);
  }

  get scanId(): number {
    return this.#scanId;
  }

  /** Creates the scan row, or on resume finds it and stores the NDJSON output's results again. */
  async begin(scan: NewScan, resume?: { ndjsonOutput?: string }): Promise<void> {
    const found = resume ? await this.#store.findUnfinished(scan.fingerprint) : undefined;
    if (resume && !found) {
      this.#io.stderr.write(
        `rpcsweep: ${this.#store.name} has no unfinished row of this scan; storing it as a new scan\n`,
      );
    }
    this.#scanId = found ? found.id : await this.#store.createScan(scan);
    if (found && resume?.ndjsonOutput) {
      const { results } = readNdjsonResults(resume.ndjsonOutput);
      const keep = results.filter((r) => this.#keeps(r.verdict));
      // Advice as a live row stores it (the file's advice record is the report's longer shape).
      const advice = this.#o.advice ? keep.map(storedAdviceOf) : undefined;
      await writeInBatches(this.#store, this.#scanId, keep, advice, this.#o.batchSize);
    }
  }

  #keeps(v: Verdict): boolean {
    return v !== 'unreachable' || this.#o.keepUnreachable;
  }

  /** Queues a result; never waits for the database. */
  write(r: HostResult): void {
    if (!this.#keeps(r.verdict)) return;
    if (this.#failure !== undefined) {
      this.#lose([r]);
      return;
    }
    this.#queue.push(r);
    if (this.#o.advice) this.#advice.push(storedAdviceOf(r));
    if (this.#queue.length >= this.#o.batchSize) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#o.flushMs);
  }

  #kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing ??= this.#drain().finally(() => {
      this.#writing = undefined;
    });
  }

  /**
   * Writes queued batches one at a time; a failing batch is retried until retryForMs has passed, or
   * until the scan is interrupted: after Ctrl-C the user waits for the in-flight work, not for a
   * full disk or a server to come back (the NDJSON output and --resume have the results).
   */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && this.#failure === undefined) {
      const batch = this.#queue.splice(0, this.#o.batchSize);
      const advice = this.#o.advice ? this.#advice.splice(0, batch.length) : undefined;
      const t0 = performance.now();
      for (let attempt = 0; ; attempt++) {
        try {
          await this.#store.writeResults(this.#scanId, batch, advice);
          break;
        } catch (e) {
          if (performance.now() - t0 >= this.#o.retryForMs || this.#io.signal.aborted) {
            this.#failure = (e as Error).message;
            if (e instanceof RpcsweepError && e.code === 'STORE_BUSY') this.#failureCode = 'STORE_BUSY';
            this.#lose(batch);
            this.#lose(this.#queue.splice(0));
            this.#advice.length = 0;
            return;
          }
          if (attempt === 0) this.#io.stderr.write(`\nrpcsweep: ${(e as Error).message}; retrying\n`);
          await realSleep(Math.min(5000, 100 * 2 ** attempt), this.#io.signal);
        }
      }
    }
  }

  #lose(rs: readonly HostResult[]): void {
    this.#lost += rs.length;
    for (const r of rs) if (this.#lostSample.length < 5) this.#lostSample.push(r.address);
  }

  /** Writes what is queued; throws STORE_WRITE when results could not be stored. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#writing) {
      this.#kick();
      await this.#writing;
    }
    if (this.#failure !== undefined) {
      throw new RpcsweepError(
        this.#failureCode,
        `${this.#lost} result(s) are missing from ${this.#store.name} (e.g. ${this.#lostSample.join(', ')}): ${this.#failure}; the scan row stays unfinished: run the same command with --resume to store them from the NDJSON output`,
      );
    }
  }

  /** Stores the rest and marks the scan finished with its counts (unreachable included). */
  async finish(counts: Record<Verdict, number>): Promise<void> {
    await this.flush();
    await this.#store.finishScan(this.#scanId, wallClockIso(), counts);
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    await this.#writing?.catch(() => {});
    await this.#store.close();
  }
}

/** The scan row of a scan about to start. */
export const scanRowOf = (s: {
  argTargets: string[];
  set: AddressSet;
  plan: TargetPlan;
  fingerprint: string;
  timeoutMs: number;
  /** The endpoint-mapper port scanned (135 unless -p or a lab's port). */
  port?: number;
  keepUnreachable: boolean;
  /** `--discovery syn`: the SYN engine, kept with the scan's options. */
  discovery?: DiscoveryInfo;
}): NewScan => ({
  startedAt: wallClockIso(),
  targets: s.argTargets,
  scope: scopeTexts(s.set),
  seed: s.plan.seed,
  shard: formatShard(s.plan.shard),
  options: {
    timeoutMs: s.timeoutMs,
    ...(s.port !== undefined && { port: s.port }),
    ...(s.discovery && { discovery: s.discovery }),
  },
  version: VERSION,
  total: s.plan.length,
  keepUnreachable: s.keepUnreachable,
  fingerprint: `${s.fingerprint}:${s.plan.seed}:${formatShard(s.plan.shard)}`,
});
