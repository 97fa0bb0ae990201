/**
 * A darknet telescope: an unused /8 or /16 that records every probe a worm's sweep sends into it.
 * Because Blaster sweeps contiguous ranges, a worm's probes between two events are one range of
 * sweep positions; the telescope intersects it with its own range and its 256 destination bins
 * (the /16s of a /8, or the /24s of a /16), which is where seeding hotspots show up.
 */
import { RpcsweepError } from '../core/errors.ts';
import { CYCLE_LENGTH, formatIpv4, isOnSweep, sweepIndex } from './sweep.ts';

export interface TelescopeSpec {
  /** Network address of the monitored prefix. */
  address: number;
  bits: 8 | 16;
}

export interface TelescopeReport {
  prefix: string;
  /** Probes that landed in the prefix. */
  probes: number;
  /**
   * Distinct source addresses seen: infected hosts, each counted once per address it had while it
   * was seen (equal to `uniqueHosts` when addresses never change).
   */
  uniqueSources: number;
  /** Distinct infected hosts seen. */
  uniqueHosts: number;
  /** Distinct worm processes seen (a host re-seeded by a reboot counts again). */
  uniqueStarts: number;
  /** Probes per destination bin (/16 of a /8, /24 of a /16), index = the next octet. */
  bins: number[];
  /** max(bin) / mean(bin) over the bins the sweep can reach: 1 is flat, large means hotspots. */
  hotspotRatio: number;
  /** Times (s) at which each unique host was first seen, ascending. */
  firstSeenS: number[];
}

/**
 * Where a host's address epochs begin (0..1 of an epoch): a golden-ratio phase, so the leases of
 * different hosts do not all end at the same time. Epoch of host h at time t: ⌊t·rate + phase⌋.
 */
export const addressPhase = (host: number): number => (host * 0.6180339887498949) % 1;

export class Telescope {
  readonly spec: TelescopeSpec;
  readonly #binLo = new Float64Array(256);
  readonly #binHi = new Float64Array(256);
  readonly #lo: number;
  readonly #hi: number;
  readonly #bins = new Float64Array(256);
  readonly #hosts = new Set<number>();
  /** Keys address epoch · 2^22 + host, each with the time it was first seen. */
  readonly #sources = new Map<number, number>();
  readonly #changesPerS: number;
  readonly #starts = new Set<number>();
  readonly #firstSeen: number[] = [];
  #probes = 0;

  /**
   * @param addressChangesPerDay how often an infected host's address changes (DHCP, dial-up):
   *   each host's address epochs are 1/rate long with a fixed per-host phase; only what the
   *   telescope counts as sources changes (blaster.md §4.1 caveats: DHCP churn).
   */
  constructor(spec: TelescopeSpec, addressChangesPerDay = 0) {
    if (!(Number.isFinite(addressChangesPerDay) && addressChangesPerDay >= 0))
      throw new RpcsweepError(
        'SIM_BAD_INPUT',
        `addressChangesPerDay must be >= 0, got ${addressChangesPerDay}`,
      );
    this.#changesPerS = addressChangesPerDay / 86400;
    const mask = spec.bits === 8 ? 0xff000000 : 0xffff0000;
    if ((spec.address & ~mask) >>> 0 !== 0)
      throw new RpcsweepError(
        'SIM_BAD_INPUT',
        `telescope ${formatIpv4(spec.address)}/${spec.bits} has host bits set`,
      );
    this.spec = spec;
    const binSize = spec.bits === 8 ? 65536 : 256;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let b = 0; b < 256; b++) {
      const first = (spec.address + b * binSize) >>> 0;
      const last = (first + binSize - 1) >>> 0;
      // First and last probed addresses of the bin: A.0.0.0 (A ≥ 1) and 255 octets are never probed.
      const a = isOnSweep(first) ? first : (first + 1) >>> 0;
      const z = spec.bits === 8 ? (last - 256) >>> 0 : last;
      if (!isOnSweep(a) || !isOnSweep(z) || b === 255) {
        this.#binLo[b] = 1;
        this.#binHi[b] = 0; // empty: the sweep never enters this bin
        continue;
      }
      this.#binLo[b] = sweepIndex(a);
      this.#binHi[b] = sweepIndex(z);
      lo = Math.min(lo, this.#binLo[b]!);
      hi = Math.max(hi, this.#binHi[b]!);
    }
    this.#lo = lo;
    this.#hi = hi;
  }

  /**
   * A worm process (host, start number) swept `count` positions after `from` (exclusive), beginning
   * at `startS`, `batchSize` probes every `batchS` seconds.
   */
  record(
    host: number,
    start: number,
    from: number,
    count: number,
    startS: number,
    batchSize: number,
    batchS: number,
  ): void {
    if (count <= 0 || this.#hi < this.#lo) return;
    const first = from + 1;
    const last = from + count; // may exceed the cycle: split into laps
    for (let lap = Math.floor(first / CYCLE_LENGTH); lap * CYCLE_LENGTH <= last; lap++) {
      const base = lap * CYCLE_LENGTH;
      const x = Math.max(first, base + this.#lo);
      const y = Math.min(last, base + this.#hi);
      if (x > y) continue;
      const timeOf = (p: number) => startS + Math.floor((p - first) / batchSize) * batchS;
      this.#hit(host, start, timeOf(x), timeOf(y));
      for (let b = 0; b < 256; b++) {
        const bx = Math.max(x, base + this.#binLo[b]!);
        const by = Math.min(y, base + this.#binHi[b]!);
        if (bx <= by) {
          this.#bins[b]! += by - bx + 1;
          this.#probes += by - bx + 1;
        }
      }
    }
  }

  /** Host `host` probed the telescope from `fromS` to `toS`: one source per address it had meanwhile. */
  #hit(host: number, start: number, fromS: number, toS: number): void {
    if (!this.#hosts.has(host)) {
      this.#hosts.add(host);
      this.#firstSeen.push(fromS);
    }
    this.#starts.add(host * 4096 + (start % 4096));
    const phase = addressPhase(host);
    const first = Math.floor(fromS * this.#changesPerS + phase);
    const last = Math.floor(toS * this.#changesPerS + phase);
    for (let e = first; e <= last; e++) {
      const key = e * 4194304 + host;
      // seen from the start of the range, or from the start of that address epoch
      const at = e === first ? fromS : Math.max(fromS, (e - phase) / this.#changesPerS);
      const known = this.#sources.get(key);
      if (known === undefined || at < known) this.#sources.set(key, at);
    }
  }

  get uniqueSources(): number {
    return this.#sources.size;
  }

  /**
   * When each source was first seen, ascending. A worm's probes are recorded when its next event
   * comes, so `uniqueSources` lags the virtual clock; these times do not.
   */
  sourceFirstSeen(): Float64Array {
    return Float64Array.from(this.#sources.values()).sort();
  }

  report(): TelescopeReport {
    const reachable = [...this.#bins.keys()].filter((b) => this.#binHi[b]! >= this.#binLo[b]!);
    const values = reachable.map((b) => this.#bins[b]!);
    const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
    return {
      prefix: `${formatIpv4(this.spec.address)}/${this.spec.bits}`,
      probes: this.#probes,
      uniqueSources: this.#sources.size,
      uniqueHosts: this.#hosts.size,
      uniqueStarts: this.#starts.size,
      bins: [...this.#bins],
      hotspotRatio: mean > 0 ? Math.max(...values) / mean : 0,
      firstSeenS: [...this.#firstSeen].sort((a, b) => a - b),
    };
  }
}
