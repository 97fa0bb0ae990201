/**
 * Hosts of one address space (the public Internet or one NAT'd site) sorted by their position on
 * Blaster's sweep cycle, with removal. A worm standing at position c next reaches the first live
 * entry after c (wrapping round): a binary search plus a union-find "next live slot" with path
 * halving, so removing hosts and skipping removed ones stay near O(1) amortised.
 *
 * Each slot is one 16-byte record of four 32-bit words: its sweep position (below 2^32), a tag
 * byte the owner gives each host, its host id and its next-live link. A worm's event reads the slot
 * it reached and the next live one: one or two cache lines, where separate arrays cost one each (the
 * index of a million hosts is 16 MB). The tag saves the model a read of its own per-host array at
 * every attempt: what the attempt finds there comes with the slot.
 */
import { orderByKey } from '../core/order.ts';
import { probesUntil } from './sweep.ts';

// Words of slot s at 4·s + field: the position (unsigned), the tag, the host, the link.
const TAG = 1;
const HOST = 2;
const NEXT = 3;

export class TargetIndex {
  /** Slots (hosts) in the index, live or not. */
  readonly length: number;
  readonly #u: Uint32Array;
  readonly #i: Int32Array;
  /**
   * First slot whose position has the given top bits (of 32): narrows each binary search to one
   * bucket. About one bucket per host, at most 2^20 (4 MB for a million hosts: a search reads one
   * bucket entry and one or two slots); a NAT site of 20 hosts gets 32 buckets (a fixed 65 536 for
   * each of 7 500 sites were 2 GB).
   */
  readonly #bucket: Int32Array;
  readonly #bucketSize: number;
  readonly #buckets: number;
  #live: number;

  /**
   * @param hostIds host ids, with their sweep positions (need not be sorted) and, when given, their
   * tags (bytes; 0 otherwise).
   */
  constructor(
    hostIds: ArrayLike<number>,
    positionsOfHosts: ArrayLike<number>,
    tagsOfHosts?: ArrayLike<number>,
  ) {
    const n = hostIds.length;
    this.length = n;
    const order = orderByKey(positionsOfHosts); // by (position, slot in the input)
    // n + 1 records: slot n is the sentinel "no live slot after this one" (its link points to itself).
    this.#u = new Uint32Array(4 * (n + 1));
    this.#i = new Int32Array(this.#u.buffer);
    for (let s = 0; s < n; s++) {
      const j = order[s]!;
      this.#u[4 * s] = positionsOfHosts[j]!;
      this.#i[4 * s + TAG] = tagsOfHosts ? tagsOfHosts[j]! & 0xff : 0;
      this.#i[4 * s + HOST] = hostIds[j]!;
    }
    for (let s = 0; s <= n; s++) this.#i[4 * s + NEXT] = s;
    const bits = Math.min(20, Math.ceil(Math.log2(Math.max(1, n))));
    this.#buckets = 2 ** bits;
    this.#bucketSize = 2 ** (32 - bits);
    this.#bucket = new Int32Array(this.#buckets + 1);
    let slot = 0;
    for (let b = 0; b <= this.#buckets; b++) {
      while (slot < n && Math.floor(this.#u[4 * slot]! / this.#bucketSize) < b) slot++;
      this.#bucket[b] = slot;
    }
    this.#live = n;
  }

  /** Largest index size (2^21; a population has at most 2,000,000 hosts). */
  static readonly MAX_HOSTS = 2097152;

  get live(): number {
    return this.#live;
  }

  /** Sweep position of a slot (slots are in ascending position order). */
  position(slot: number): number {
    return this.#u[4 * slot]!;
  }

  /** The tag of the host at a slot. */
  tag(slot: number): number {
    return this.#i[4 * slot + TAG]!;
  }

  /** Host id at a slot. */
  host(slot: number): number {
    return this.#i[4 * slot + HOST]!;
  }

  /** Slot of a host id (binary search on its position, then a scan of equal positions). */
  slotOf(position: number, host: number): number {
    let i = this.#lowerBound(position);
    while (i < this.length && this.#u[4 * i] === position) {
      if (this.#i[4 * i + HOST] === host) return i;
      i++;
    }
    return -1;
  }

  remove(slot: number): void {
    if (this.#i[4 * slot + NEXT] !== slot) return;
    this.#i[4 * slot + NEXT] = slot + 1;
    this.#live--;
  }

  isLive(slot: number): boolean {
    return this.#i[4 * slot + NEXT] === slot;
  }

  /** First live slot strictly after sweep position `cursor`, wrapping; -1 when none is left. */
  successor(cursor: number): number {
    if (this.#live === 0) return -1;
    let s = this.#find(this.#lowerBound(cursor + 1));
    if (s === this.length) s = this.#find(0);
    return s === this.length ? -1 : s;
  }

  /**
   * successor(position(slot)) without the search: the first live slot after `slot`, wrapping (a
   * worm that just reached a host stands at its position). Equal positions, which no population
   * has, fall back to the search.
   */
  successorOfSlot(slot: number): number {
    if (this.#live === 0) return -1;
    const n = this.length;
    let s = this.#find(slot + 1);
    if (s < n && this.#u[4 * s] === this.#u[4 * slot]) return this.successor(this.#u[4 * slot]!);
    if (s === n) s = this.#find(0);
    return s === n ? -1 : s;
  }

  /** Probes from `cursor` to the slot's position. */
  distance(cursor: number, slot: number): number {
    return probesUntil(cursor, this.#u[4 * slot]!);
  }

  #lowerBound(position: number): number {
    const b = Math.floor(position / this.#bucketSize);
    if (b >= this.#buckets) return this.length;
    let lo = this.#bucket[b]!;
    let hi = this.#bucket[b + 1]!;
    const u = this.#u;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u[4 * mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #find(s: number): number {
    const i = this.#i;
    while (i[4 * s + NEXT] !== s) {
      const up = i[4 * i[4 * s + NEXT]! + NEXT]!;
      i[4 * s + NEXT] = up;
      s = up;
    }
    return s;
  }
}
