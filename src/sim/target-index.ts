/**
 * Hosts of one address space (the public Internet or one NAT'd site) sorted by their position on
 * Blaster's sweep cycle, with removal. A worm standing at position c next reaches the first live
 * entry after c (wrapping round): a binary search, then the next set bit of a three-level bitmap of
 * live slots.
 *
 * Each slot is one 8-byte record of two 32-bit words: its sweep position (below 2^32), and its host
 * id (below 2^24) with a tag byte the owner gives each host on top. A worm's event reads the slot it
 * reached and the next live one, often in the same cache line (8 slots a line; the index of a
 * million hosts is 8 MB). The tag saves the model a read of its own per-host array at every attempt:
 * what the attempt finds there comes with the slot. Liveness is apart from the records, one bit a
 * slot (128 KB for a million) with a bit per non-zero word above it and another level above that,
 * so skipping a long run of removed slots reads a few words that stay in cache, where a union-find
 * over links in the records cost a cache miss per link it followed.
 */
import { orderByKey } from '../core/order.ts';
import { probesUntil } from './sweep.ts';

const HOST_BITS = 24;
const HOST_MASK = (1 << HOST_BITS) - 1;

/** The lowest set bit's index of a non-zero 32-bit word. */
const lowestBit = (x: number): number => 31 - Math.clz32(x & -x);

export class TargetIndex {
  /** Slots (hosts) in the index, live or not. */
  readonly length: number;
  /** Slot s: the position at word 2·s, the host and tag at word 2·s + 1. */
  readonly #u: Uint32Array;
  readonly #i: Int32Array;
  /** Bit s % 32 of word s >> 5: slot s is live; above it, a bit per non-zero word of the level below. */
  readonly #live0: Int32Array;
  readonly #live1: Int32Array;
  readonly #live2: Int32Array;
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
   * @param hostIds host ids (below 2^24), with their sweep positions (need not be sorted) and, when
   * given, their tags (bytes; 0 otherwise).
   */
  constructor(
    hostIds: ArrayLike<number>,
    positionsOfHosts: ArrayLike<number>,
    tagsOfHosts?: ArrayLike<number>,
  ) {
    const n = hostIds.length;
    if (n > TargetIndex.MAX_HOSTS) throw new RangeError(`at most ${TargetIndex.MAX_HOSTS} hosts per index`);
    this.length = n;
    const order = orderByKey(positionsOfHosts); // by (position, slot in the input)
    this.#u = new Uint32Array(2 * n);
    this.#i = new Int32Array(this.#u.buffer);
    for (let s = 0; s < n; s++) {
      const j = order[s]!;
      const host = hostIds[j]!;
      if (!(host >= 0 && host <= HOST_MASK)) throw new RangeError(`host id ${host} is not below 2^24`);
      this.#u[2 * s] = positionsOfHosts[j]!;
      this.#i[2 * s + 1] = host | ((tagsOfHosts ? tagsOfHosts[j]! & 0xff : 0) << HOST_BITS);
    }
    this.#live0 = allSet(n);
    this.#live1 = allSet(this.#live0.length);
    this.#live2 = allSet(this.#live1.length);
    const bits = Math.min(20, Math.ceil(Math.log2(Math.max(1, n))));
    this.#buckets = 2 ** bits;
    this.#bucketSize = 2 ** (32 - bits);
    this.#bucket = new Int32Array(this.#buckets + 1);
    let slot = 0;
    for (let b = 0; b <= this.#buckets; b++) {
      while (slot < n && Math.floor(this.#u[2 * slot]! / this.#bucketSize) < b) slot++;
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
    return this.#u[2 * slot]!;
  }

  /** The tag of the host at a slot. */
  tag(slot: number): number {
    return this.#i[2 * slot + 1]! >>> HOST_BITS;
  }

  /** Host id at a slot. */
  host(slot: number): number {
    return this.#i[2 * slot + 1]! & HOST_MASK;
  }

  /** Slot of a host id (binary search on its position, then a scan of equal positions). */
  slotOf(position: number, host: number): number {
    let i = this.#lowerBound(position);
    while (i < this.length && this.#u[2 * i] === position) {
      if (this.host(i) === host) return i;
      i++;
    }
    return -1;
  }

  remove(slot: number): void {
    if (!this.isLive(slot)) return;
    this.#live--;
    const w = slot >> 5;
    this.#live0[w]! &= ~(1 << (slot & 31));
    if (this.#live0[w] !== 0) return;
    const x = w >> 5;
    this.#live1[x]! &= ~(1 << (w & 31));
    if (this.#live1[x] !== 0) return;
    this.#live2[x >> 5]! &= ~(1 << (x & 31));
  }

  isLive(slot: number): boolean {
    return ((this.#live0[slot >> 5]! >>> (slot & 31)) & 1) === 1;
  }

  /** First live slot strictly after sweep position `cursor`, wrapping; -1 when none is left. */
  successor(cursor: number): number {
    if (this.#live === 0) return -1;
    let s = this.#nextLive(this.#lowerBound(cursor + 1));
    if (s === this.length) s = this.#nextLive(0);
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
    let s = this.#nextLive(slot + 1);
    if (s < n && this.#u[2 * s] === this.#u[2 * slot]) return this.successor(this.#u[2 * slot]!);
    if (s === n) s = this.#nextLive(0);
    return s === n ? -1 : s;
  }

  /** Probes from `cursor` to the slot's position. */
  distance(cursor: number, slot: number): number {
    return probesUntil(cursor, this.#u[2 * slot]!);
  }

  #lowerBound(position: number): number {
    const b = Math.floor(position / this.#bucketSize);
    if (b >= this.#buckets) return this.length;
    let lo = this.#bucket[b]!;
    let hi = this.#bucket[b + 1]!;
    const u = this.#u;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u[2 * mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first live slot at or after s; `length` when there is none. */
  #nextLive(s: number): number {
    if (s >= this.length) return this.length;
    let w = s >> 5;
    const here = this.#live0[w]! & (-1 << (s & 31));
    if (here !== 0) return (w << 5) + lowestBit(here);
    w = nextSetBit(this.#live1, this.#live2, w + 1);
    return w < 0 ? this.length : (w << 5) + lowestBit(this.#live0[w]!);
  }
}

/** Words with the first `bits` bits set (a level of the live bitmap, all live). */
const allSet = (bits: number): Int32Array => {
  const words = new Int32Array(Math.ceil(bits / 32));
  words.fill(-1);
  if (bits % 32 !== 0) words[words.length - 1] = (1 << (bits % 32)) - 1;
  return words;
};

/**
 * The first set bit at or after bit `b` of `level` (a bitmap whose non-zero words `above` marks);
 * -1 when there is none. Two levels deep: `above` is scanned word by word (64 words for 2^21 slots).
 */
const nextSetBit = (level: Int32Array, above: Int32Array, b: number): number => {
  let x = b >> 5;
  if (x >= level.length) return -1;
  const here = level[x]! & (-1 << (b & 31));
  if (here !== 0) return (x << 5) + lowestBit(here);
  // the next non-zero word of `level` after word x, from `above`
  const y = x + 1;
  let z = y >> 5;
  if (z >= above.length) return -1;
  let bits = above[z]! & (-1 << (y & 31));
  while (bits === 0) {
    if (++z >= above.length) return -1;
    bits = above[z]!;
  }
  x = (z << 5) + lowestBit(bits);
  return (x << 5) + lowestBit(level[x]!);
};
