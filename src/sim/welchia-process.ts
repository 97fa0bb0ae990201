/**
 * Welchia as one aggregated hit process: every running Welchia host's probes land on each host at
 * scansPerS/2^32, so the population-wide rate of hits on still-convertible hosts is
 * W·scansPerS·C/2^32. Hosts that stopped being convertible (patched, cleaned) are dropped from the
 * candidate list when drawn (thinning), so the cost is one event per conversion or rejection.
 */
import type { Rng } from '../core/random.ts';
import type { WelchiaOptions } from './interventions.ts';
import type { Population } from './population.ts';

export class WelchiaProcess {
  readonly options: WelchiaOptions;
  readonly #rng: Rng;
  readonly #sources: number[] = [];
  readonly #candidates: Int32Array;
  readonly #candidateAt: Int32Array;
  #count = 0;
  /** Bumped at every reschedule: an older pending hit event is stale. */
  epoch = 0;

  constructor(pop: Population, options: WelchiaOptions, rng: Rng) {
    this.options = options;
    this.#rng = rng;
    this.#candidates = new Int32Array(pop.size);
    this.#candidateAt = new Int32Array(pop.size).fill(-1);
    for (let h = 0; h < pop.size; h++)
      if (pop.vulnerable[h]) {
        this.#candidateAt[h] = this.#count;
        this.#candidates[this.#count++] = h;
      }
  }

  get candidateCount(): number {
    return this.#count;
  }

  /** A Welchia copy started on host h: it scans from now on. */
  addSource(h: number): void {
    this.#sources.push(h);
  }

  /** A host Welchia can no longer convert. */
  drop(v: number): void {
    const i = this.#candidateAt[v]!;
    if (i < 0) return;
    const last = this.#candidates[--this.#count]!;
    this.#candidates[i] = last;
    this.#candidateAt[last] = i;
    this.#candidateAt[v] = -1;
  }

  randomCandidate(): number {
    return this.#candidates[this.#rng.below(this.#count)]!;
  }

  randomSource(): number {
    return this.#sources[this.#rng.below(this.#sources.length)]!;
  }

  /** Starts a new epoch and returns the time of its next hit (Infinity when nothing can be hit). */
  nextHit(t: number): number {
    this.epoch++;
    const rate = (this.options.scansPerS * this.#sources.length * this.#count) / 4294967296;
    return rate > 0 ? t - Math.log(1 - this.#rng.next()) / rate : Number.POSITIVE_INFINITY;
  }
}
