/**
 * The simulator's virtual clock: a radix heap over event times. Events are never scheduled before
 * the last one popped, so a queue only needs to find minima going forward: each event sits in the
 * bucket of the highest bit in which its coarse time differs from the last minimum's, and only the
 * lowest non-empty bucket is ever spread into lower ones. Buckets are plain arrays filled and read
 * in order, so a pop costs a few sequential moves instead of a 4-ary heap's walk down a million
 * entries (a cache miss per level below the top few). The events whose coarse time equals the last
 * minimum's (a small set: within a millionth of the clock) sit in a binary heap in full order.
 * Buckets are lists of fixed-size chunks from one pool, and a spread hands each chunk it has read
 * back to the pool at once: memory follows the pending events, not each bucket's past peak.
 * (Dropping low bits of the coarse time, for fewer moves and a larger heap, measured no better.)
 *
 * Coarse time: the upper 32 bits of the IEEE double, which order like the times themselves for
 * t >= 0. Full order: time, then tie key, then generation. Equal times are frequent (worms
 * descended from the t = 0 seeds live on a 0.1 s lattice: 1.8 s batches, 0.4 s and 17.5 s stalls,
 * 14 s transfers), and the order they pop in decides which attempt draws which random number.
 * They pop by host, then kind: an order that does not depend on how the queue is built, so an
 * optimisation that queues fewer events leaves the run unchanged. (Events equal in time, host and
 * kind differ at most in generation, and then all but one are stale.)
 *
 * Each event is 24 bytes, three doubles: the time, then as int32s the tie key (host · 8 + kind),
 * the generation and a payload of two words that takes no part in the order (a worm's hit carries
 * its target's slot and address space, so the target is fetched from memory while the worm's record
 * is: two cache misses at once instead of one after the other).
 */
export interface PoppedEvent {
  time: number;
  kind: number;
  host: number;
  gen: number;
  /** The payload (0 when pushed without one). */
  a: number;
  b: number;
}

// An event's fields: the time at double E·j, the words at int32 2E·j + field.
const E = 3;
const KEY = 2;
const GEN = 3;
const A = 4;
const B = 5;

const BUCKETS = 33; // 0: the heap of the current coarse time; i: highest differing bit i - 1
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
  /** Bit i set when bucket i ≥ 1 holds events. */
  #nonEmpty = 0;
  /** Bucket 0: a binary heap in full order, same layout. */
  #hf = new Float64Array(E * 256);
  #hi = new Int32Array(this.#hf.buffer);
  #hn = 0;
  #last = 0;
  #size = 0;

  constructor() {
    for (let b = 0; b < BUCKETS; b++) this.#chunks.push([]);
  }

  get size(): number {
    return this.#size;
  }

  push(time: number, kind: number, host: number, gen: number, a = 0, b = 0): void {
    if (!(time >= 0)) throw new RangeError(`event time ${time} is not >= 0`);
    this.#size++;
    this.#place(time, host * 8 + kind, gen, a, b);
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    if (this.#hn === 0 && !this.#spread()) return Number.POSITIVE_INFINITY;
    return this.#hf[0]!;
  }

  /** Removes the earliest event into `out`; false when the queue is empty. */
  pop(out: PoppedEvent): boolean {
    if (this.#hn === 0 && !this.#spread()) return false;
    const key = this.#hi[KEY]!;
    out.time = this.#hf[0]!;
    out.kind = key & 7;
    out.host = key >> 3;
    out.gen = this.#hi[GEN]!;
    out.a = this.#hi[A]!;
    out.b = this.#hi[B]!;
    this.#size--;
    this.#heapPop();
    return true;
  }

  /** Files an event into the heap (its coarse time is the current one) or the bucket of its time. */
  #place(time: number, key: number, gen: number, a: number, b: number): void {
    const c = coarse(time);
    if (c <= this.#last) {
      this.#heapPush(time, key, gen, a, b);
      return;
    }
    const k = 32 - Math.clz32(c ^ this.#last);
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
    this.#tail[k] = n + 1;
    if (time < this.#min[k]!) this.#min[k] = time;
    this.#nonEmpty |= 1 << k;
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
    if (this.#nonEmpty === 0) return false;
    const b = 31 - Math.clz32(this.#nonEmpty & -this.#nonEmpty);
    const list = this.#chunks[b]!;
    const tail = this.#tail[b]!;
    this.#last = coarse(this.#min[b]!);
    this.#chunks[b] = this.#spare;
    this.#tail[b] = 0;
    this.#min[b] = Number.POSITIVE_INFINITY;
    this.#nonEmpty &= ~(1 << b);
    for (let l = 0; l < list.length; l++) {
      const chunk = list[l]!;
      const f = this.#cf[chunk]!;
      const i = this.#ci[chunk]!;
      const n = l === list.length - 1 ? tail : CHUNK;
      for (let j = 0, w = 0; j < n; j++, w += 2 * E)
        this.#place(f[E * j]!, i[w + KEY]!, i[w + GEN]!, i[w + A]!, i[w + B]!);
      this.#free.push(chunk); // (no event goes back to bucket b: the chunk is free to reuse now)
    }
    list.length = 0;
    this.#spare = list;
    return true;
  }

  /** Heap order of slots x and y: (time, key, gen). */
  #before(x: number, y: number): boolean {
    const f = this.#hf;
    const i = this.#hi;
    if (f[E * x]! !== f[E * y]!) return f[E * x]! < f[E * y]!;
    const wx = 2 * E * x;
    const wy = 2 * E * y;
    if (i[wx + KEY]! !== i[wy + KEY]!) return i[wx + KEY]! < i[wy + KEY]!;
    return i[wx + GEN]! < i[wy + GEN]!;
  }

  /** Swaps heap slots x and y (through the int32 view: the words are not doubles). */
  #swap(x: number, y: number): void {
    const i = this.#hi;
    for (let wx = 2 * E * x, wy = 2 * E * y, k = 0; k < 2 * E; k++) {
      const v = i[wx + k]!;
      i[wx + k] = i[wy + k]!;
      i[wy + k] = v;
    }
  }

  #heapPush(time: number, key: number, gen: number, a: number, b: number): void {
    if (E * this.#hn === this.#hf.length) {
      const f = new Float64Array(Math.max(E * 256, this.#hf.length * 2));
      f.set(this.#hf);
      this.#hf = f;
      this.#hi = new Int32Array(f.buffer);
    }
    let x = this.#hn++;
    this.#hf[E * x] = time;
    const w = 2 * E * x;
    this.#hi[w + KEY] = key;
    this.#hi[w + GEN] = gen;
    this.#hi[w + A] = a;
    this.#hi[w + B] = b;
    while (x > 0) {
      const p = (x - 1) >> 1;
      if (!this.#before(x, p)) break;
      this.#swap(x, p);
      x = p;
    }
  }

  #heapPop(): void {
    const n = --this.#hn;
    if (n === 0) return;
    this.#swap(0, n);
    let x = 0;
    for (;;) {
      const l = 2 * x + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.#before(l + 1, l) ? l + 1 : l;
      if (!this.#before(c, x)) break;
      this.#swap(x, c);
      x = c;
    }
  }
}
