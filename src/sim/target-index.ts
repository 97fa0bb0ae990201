/**
 * Hosts of one address space (the public Internet or one NAT'd site) sorted by their position on
 * Blaster's sweep cycle, with removal. A worm standing at position c next reaches the first live
 * entry after c (wrapping round): a binary search plus a union-find "next live slot" with path
 * halving, so removing hosts and skipping removed ones stay near O(1) amortised.
 */
import { probesUntil } from './sweep.ts';

export class TargetIndex {
  /** Sweep positions, ascending. */
  readonly positions: Float64Array;
  /** Host id at each slot. */
  readonly hosts: Int32Array;
  readonly #next: Int32Array;
  /**
   * First slot whose position has the given top bits (of 32): narrows each binary search to one
   * bucket. About one bucket per host, at most 2^16: a NAT site of 20 hosts gets 32 buckets, not
   * 65 536 (7 500 sites of 256 KB each were 2 GB).
   */
  readonly #bucket: Int32Array;
  readonly #bucketSize: number;
  readonly #buckets: number;
  #live: number;

  /** @param entries host ids with their sweep positions (positions need not be sorted). */
  constructor(hostIds: ArrayLike<number>, positionsOfHosts: ArrayLike<number>) {
    const n = hostIds.length;
    const order = new Float64Array(n);
    // Pack (position, slot-in-input) into one double so a numeric typed-array sort does the work.
    for (let i = 0; i < n; i++) order[i] = positionsOfHosts[i]! * 2097152 + i;
    order.sort();
    this.positions = new Float64Array(n);
    this.hosts = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const j = order[i]! % 2097152;
      this.positions[i] = positionsOfHosts[j]!;
      this.hosts[i] = hostIds[j]!;
    }
    const bits = Math.min(16, Math.ceil(Math.log2(Math.max(1, n))));
    this.#buckets = 2 ** bits;
    this.#bucketSize = 2 ** (32 - bits);
    this.#bucket = new Int32Array(this.#buckets + 1);
    let slot = 0;
    for (let b = 0; b <= this.#buckets; b++) {
      while (slot < n && Math.floor(this.positions[slot]! / this.#bucketSize) < b) slot++;
      this.#bucket[b] = slot;
    }
    this.#next = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) this.#next[i] = i;
    this.#live = n;
  }

  /** Largest index size the packing supports. */
  static readonly MAX_HOSTS = 2097152;

  get live(): number {
    return this.#live;
  }

  /** Slot of a host id (binary search on its position, then a scan of equal positions). */
  slotOf(position: number, host: number): number {
    let i = this.#lowerBound(position);
    while (i < this.positions.length && this.positions[i] === position) {
      if (this.hosts[i] === host) return i;
      i++;
    }
    return -1;
  }

  remove(slot: number): void {
    if (this.#next[slot] !== slot) return;
    this.#next[slot] = slot + 1;
    this.#live--;
  }

  isLive(slot: number): boolean {
    return this.#next[slot] === slot;
  }

  /** First live slot strictly after sweep position `cursor`, wrapping; -1 when none is left. */
  successor(cursor: number): number {
    if (this.#live === 0) return -1;
    let s = this.#find(this.#lowerBound(cursor + 1));
    if (s === this.positions.length) s = this.#find(0);
    return s === this.positions.length ? -1 : s;
  }

  /**
   * successor(positions[slot]) without the search: the first live slot after `slot`, wrapping (a
   * worm that just reached a host stands at its position). Equal positions, which no population
   * has, fall back to the search.
   */
  successorOfSlot(slot: number): number {
    if (this.#live === 0) return -1;
    const n = this.positions.length;
    let s = this.#find(slot + 1);
    if (s < n && this.positions[s] === this.positions[slot]) return this.successor(this.positions[slot]!);
    if (s === n) s = this.#find(0);
    return s === n ? -1 : s;
  }

  /** Probes from `cursor` to the slot's position. */
  distance(cursor: number, slot: number): number {
    return probesUntil(cursor, this.positions[slot]!);
  }

  #lowerBound(position: number): number {
    const b = Math.floor(position / this.#bucketSize);
    if (b >= this.#buckets) return this.positions.length;
    let lo = this.#bucket[b]!;
    let hi = this.#bucket[b + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #find(i: number): number {
    const next = this.#next;
    while (next[i] !== i) {
      const up = next[next[i]!]!;
      next[i] = up;
      i = up;
    }
    return i;
  }
}
