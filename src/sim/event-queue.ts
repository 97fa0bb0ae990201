/**
 * The simulator's virtual clock: a radix heap over event times. Events are never scheduled before
 * the last one popped, so a queue only needs to find minima going forward: each event waits in the
 * bucket of the highest hex digit in which its coarse time differs from the last minimum's (and of
 * its value there), and only the lowest non-empty bucket is ever spread into lower ones. Buckets are
 * filled and read in order, so a pop costs a few sequential moves (30 M for the 6 M events of the
 * 1 M-host benchmark) instead of a 4-ary heap's walk down a million entries (a cache miss per level
 * below the top few). The events whose coarse time equals the last minimum's (within a millionth of
 * the clock: about 25 at a time in that benchmark) sit in a small binary heap in full order.
 * Buckets are lists of fixed-size chunks from one pool, and a spread hands each chunk it has read
 * back to the pool at once: memory follows the pending events, not each bucket's past peak.
 * (Radix 2 moved each event 8 times; dropping low bits of the coarse time, for fewer moves and a
 * larger heap, measured no better.)
 *
 * Coarse time: the upper 32 bits of the IEEE double, which order like the times themselves for
 * t >= 0. Full order: time, then tie key, then generation. Equal times are frequent (worms
 * descended from the t = 0 seeds live on a 0.1 s lattice: 1.8 s batches, 0.4 s and 17.5 s stalls,
 * 14 s transfers), and the order they pop in decides which attempt draws which random number.
 * They pop by host, then kind: an order that does not depend on how the queue is built, so an
 * optimisation that queues fewer events leaves the run unchanged. (Events equal in time, host and
 * kind differ at most in generation, and then all but one are stale.)
 *
 * Each event is 32 bytes, four doubles: the time, then as int32s the tie key (host · 8 + kind),
 * the generation and a payload of four words that takes no part in the order (a worm's hit carries
 * what its handler reads, so that it need not wait for the worm's record to load).
 */
export interface PoppedEvent {
  time: number;
  kind: number;
  host: number;
  gen: number;
  /** The payload (0 when pushed without one). */
  a: number;
  b: number;
  c: number;
  d: number;
}

// An event's fields: the time at double E·j, the words at int32 2E·j + field.
const E = 4;
const KEY = 2;
const GEN = 3;
const A = 4;
const B = 5;
const C = 6;
const D = 7;

// Bucket 16·p + v (1..127) holds the events whose coarse time first differs from the last minimum's
// in hex digit p, where it has the digit v; 0 is the heap. An event moves at most 8 times.
const BUCKETS = 128;
/** Events per chunk: buckets are lists of chunks from one pool, so memory follows the pending count. */
const CHUNK = 2048;

// The upper 32 bits of a double, through one shared scratch word.
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: word 1
const coarse = (t: number): number => {
  scratch[0] = t;
  return scratchWords[HI]!;
};

export class EventQueue {
  /** The chunk pool: chunk c's events as doubles, and the same memory as int32 words. */
  #cf: Float64Array[] = [];
  #ci: Int32Array[] = [];
  #free: number[] = [];
  /** Per bucket i ≥ 1: its chunks in order, the events in its last chunk, its earliest time. */
  #chunks: number[][] = [];
  #tail = new Int32Array(BUCKETS);
  #min = new Float64Array(BUCKETS).fill(Number.POSITIVE_INFINITY);
  #spare: number[] = [];
  /** Bit i % 32 of word i / 32 set when bucket i ≥ 1 holds events. */
  #nonEmpty = new Int32Array(BUCKETS / 32);
  /** Bucket 0: a binary heap in full order, one array per field. */
  #ht = new Float64Array(256);
  #hk = new Int32Array(256);
  #hg = new Int32Array(256);
  #ha = new Int32Array(256);
  #hb = new Int32Array(256);
  #hc = new Int32Array(256);
  #hd = new Int32Array(256);
  #hn = 0;
  #last = 0;
  #size = 0;

  constructor() {
    for (let b = 0; b < BUCKETS; b++) this.#chunks.push([]);
  }

  get size(): number {
    return this.#size;
  }

  push(time: number, kind: number, host: number, gen: number, a = 0, b = 0, c = 0, d = 0): void {
    if (!(time >= 0)) throw new RangeError(`event time ${time} is not >= 0`);
    this.#size++;
    this.#place(time, host * 8 + kind, gen, a, b, c, d);
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    if (this.#hn === 0 && !this.#spread()) return Number.POSITIVE_INFINITY;
    return this.#ht[0]!;
  }

  /** Removes the earliest event into `out`; false when the queue is empty. */
  pop(out: PoppedEvent): boolean {
    if (this.#hn === 0 && !this.#spread()) return false;
    const key = this.#hk[0]!;
    out.time = this.#ht[0]!;
    out.kind = key & 7;
    out.host = key >> 3;
    out.gen = this.#hg[0]!;
    out.a = this.#ha[0]!;
    out.b = this.#hb[0]!;
    out.c = this.#hc[0]!;
    out.d = this.#hd[0]!;
    this.#size--;
    this.#heapPop();
    return true;
  }

  /** Files an event into the heap (its coarse time is the current one) or the bucket of its time. */
  #place(time: number, key: number, gen: number, a: number, b: number, c: number, d: number): void {
    const ct = coarse(time);
    if (ct <= this.#last) {
      this.#heapPush(time, key, gen, a, b, c, d);
      return;
    }
    const digit = (31 - Math.clz32(ct ^ this.#last)) >> 2;
    const k = 16 * digit + ((ct >>> (4 * digit)) & 15);
    const list = this.#chunks[k]!;
    let n = this.#tail[k]!;
    if (n === CHUNK || list.length === 0) {
      list.push(this.#freeChunk());
      n = 0;
    }
    const chunk = list[list.length - 1]!;
    this.#cf[chunk]![E * n] = time;
    const i = this.#ci[chunk]!;
    const w = 2 * E * n;
    i[w + KEY] = key;
    i[w + GEN] = gen;
    i[w + A] = a;
    i[w + B] = b;
    i[w + C] = c;
    i[w + D] = d;
    this.#tail[k] = n + 1;
    if (time < this.#min[k]!) this.#min[k] = time;
    this.#nonEmpty[k >> 5]! |= 1 << (k & 31);
  }

  #freeChunk(): number {
    const c = this.#free.pop();
    if (c !== undefined) return c;
    const f = new Float64Array(E * CHUNK);
    this.#cf.push(f);
    this.#ci.push(new Int32Array(f.buffer));
    return this.#cf.length - 1;
  }

  /**
   * Empties the lowest non-empty bucket into lower ones, taking its earliest coarse time as the
   * current one (those events go to the heap). False when the queue is empty.
   */
  #spread(): boolean {
    let word = 0;
    while (word < BUCKETS / 32 && this.#nonEmpty[word] === 0) word++;
    if (word === BUCKETS / 32) return false;
    const bits = this.#nonEmpty[word]!;
    const b = 32 * word + 31 - Math.clz32(bits & -bits);
    const list = this.#chunks[b]!;
    const tail = this.#tail[b]!;
    this.#last = coarse(this.#min[b]!);
    this.#chunks[b] = this.#spare;
    this.#tail[b] = 0;
    this.#min[b] = Number.POSITIVE_INFINITY;
    this.#nonEmpty[word] = bits & ~(1 << (b & 31));
    for (let l = 0; l < list.length; l++) {
      const chunk = list[l]!;
      const f = this.#cf[chunk]!;
      const i = this.#ci[chunk]!;
      const n = l === list.length - 1 ? tail : CHUNK;
      for (let j = 0, w = 0; j < n; j++, w += 2 * E)
        this.#place(f[E * j]!, i[w + KEY]!, i[w + GEN]!, i[w + A]!, i[w + B]!, i[w + C]!, i[w + D]!);
      this.#free.push(chunk); // (no event goes back to bucket b: the chunk is free to reuse now)
    }
    list.length = 0;
    this.#spare = list;
    return true;
  }

  /** Whether (t, k, g) comes before heap slot j in full order. */
  #before(t: number, k: number, g: number, j: number): boolean {
    const tj = this.#ht[j]!;
    if (t !== tj) return t < tj;
    const kj = this.#hk[j]!;
    return k < kj || (k === kj && g < this.#hg[j]!);
  }

  /** Moves heap slot j to slot x. */
  #move(j: number, x: number): void {
    this.#ht[x] = this.#ht[j]!;
    this.#hk[x] = this.#hk[j]!;
    this.#hg[x] = this.#hg[j]!;
    this.#ha[x] = this.#ha[j]!;
    this.#hb[x] = this.#hb[j]!;
    this.#hc[x] = this.#hc[j]!;
    this.#hd[x] = this.#hd[j]!;
  }

  #set(x: number, time: number, key: number, gen: number, a: number, b: number, c: number, d: number): void {
    this.#ht[x] = time;
    this.#hk[x] = key;
    this.#hg[x] = gen;
    this.#ha[x] = a;
    this.#hb[x] = b;
    this.#hc[x] = c;
    this.#hd[x] = d;
  }

  #heapPush(time: number, key: number, gen: number, a: number, b: number, c: number, d: number): void {
    if (this.#hn === this.#ht.length) this.#growHeap();
    let x = this.#hn++;
    while (x > 0) {
      const p = (x - 1) >> 1;
      if (!this.#before(time, key, gen, p)) break;
      this.#move(p, x);
      x = p;
    }
    this.#set(x, time, key, gen, a, b, c, d);
  }

  /** Removes the root: the last event sifts down from there. */
  #heapPop(): void {
    const n = --this.#hn;
    if (n === 0) return;
    const t = this.#ht[n]!;
    const k = this.#hk[n]!;
    const g = this.#hg[n]!;
    let x = 0;
    for (;;) {
      const l = 2 * x + 1;
      if (l >= n) break;
      const c =
        l + 1 < n && this.#before(this.#ht[l + 1]!, this.#hk[l + 1]!, this.#hg[l + 1]!, l) ? l + 1 : l;
      if (!this.#before(this.#ht[c]!, this.#hk[c]!, this.#hg[c]!, n)) break;
      this.#move(c, x);
      x = c;
    }
    this.#set(x, t, k, g, this.#ha[n]!, this.#hb[n]!, this.#hc[n]!, this.#hd[n]!);
  }

  #growHeap(): void {
    const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    const m = this.#ht.length * 2;
    this.#ht = grow(this.#ht, new Float64Array(m));
    this.#hk = grow(this.#hk, new Int32Array(m));
    this.#hg = grow(this.#hg, new Int32Array(m));
    this.#ha = grow(this.#ha, new Int32Array(m));
    this.#hb = grow(this.#hb, new Int32Array(m));
    this.#hc = grow(this.#hc, new Int32Array(m));
    this.#hd = grow(this.#hd, new Int32Array(m));
  }
}
