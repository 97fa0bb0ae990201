/**
 * The simulator's virtual clock: a 4-ary min-heap of event times whose entries point into a pool of
 * (kind, host, generation) records that never move, so a sift touches two typed arrays and a
 * million pending events cost a few tens of megabytes and no per-event objects.
 *
 * Equal times are frequent (worms descended from the t = 0 seeds live on a 0.1 s lattice: 1.8 s
 * batches, 0.4 s and 17.5 s stalls, 14 s transfers), and the order they pop in decides which
 * attempt draws which random number. They pop by host, then kind: an order that does not depend on
 * the heap's shape, so an optimisation that queues fewer events leaves the run unchanged.
 */
export interface PoppedEvent {
  time: number;
  kind: number;
  host: number;
  gen: number;
}

export class EventQueue {
  #time = new Float64Array(1024);
  /** Tie key in heap order, host · 8 + kind: equal times compare it without reading the pool. */
  #key = new Int32Array(1024);
  #entry = new Int32Array(1024);
  #kind = new Uint8Array(1024);
  #host = new Int32Array(1024);
  #gen = new Int32Array(1024);
  #free = new Int32Array(1024);
  #freeCount = 0;
  #poolUsed = 0;
  #size = 0;
  /**
   * After a pop the root is left empty until the next operation: a push (the usual case: the worm
   * just woken schedules its next hit) then sifts down from the root once, instead of one sift for
   * the pop and another for the push.
   */
  #hole = false;

  get size(): number {
    return this.#size - (this.#hole ? 1 : 0);
  }

  push(time: number, kind: number, host: number, gen: number): void {
    if (this.#size === this.#time.length) this.#grow();
    const e = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#poolUsed++;
    this.#kind[e] = kind;
    this.#host[e] = host;
    this.#gen[e] = gen;
    const k = host * 8 + kind;
    if (this.#hole) {
      this.#hole = false;
      this.#siftDown(time, k, e, this.#size);
      return;
    }
    const times = this.#time;
    const keys = this.#key;
    const entries = this.#entry;
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p]!;
      if (pt < time || (pt === time && (keys[p]! < k || (keys[p] === k && entries[p]! < e)))) break;
      times[i] = pt;
      keys[i] = keys[p]!;
      entries[i] = entries[p]!;
      i = p;
    }
    times[i] = time;
    keys[i] = k;
    entries[i] = e;
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    this.#fillHole();
    return this.#size === 0 ? Number.POSITIVE_INFINITY : this.#time[0]!;
  }

  /** Removes the earliest event into `out`; false when the queue is empty. */
  pop(out: PoppedEvent): boolean {
    this.#fillHole();
    if (this.#size === 0) return false;
    const top = this.#entry[0]!;
    out.time = this.#time[0]!;
    out.kind = this.#kind[top]!;
    out.host = this.#host[top]!;
    out.gen = this.#gen[top]!;
    this.#free[this.#freeCount++] = top;
    this.#hole = true;
    return true;
  }

  /** Closes the root hole with the last element. */
  #fillHole(): void {
    if (!this.#hole) return;
    this.#hole = false;
    const n = --this.#size;
    if (n > 0) this.#siftDown(this.#time[n]!, this.#key[n]!, this.#entry[n]!, n);
  }

  /**
   * Places (t, k, e) at the root of a heap of n elements (the root slot is free) and sifts it down.
   * Order: time, then tie key (host, kind), then pool slot (equal only for stale duplicates).
   */
  #siftDown(t: number, k: number, e: number, n: number): void {
    const times = this.#time;
    const keys = this.#key;
    const entries = this.#entry;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let ct = times[first]!;
      const last = Math.min(first + 4, n);
      for (let j = first + 1; j < last; j++) {
        const jt = times[j]!;
        if (
          jt < ct ||
          (jt === ct && (keys[j]! < keys[c]! || (keys[j] === keys[c] && entries[j]! < entries[c]!)))
        ) {
          c = j;
          ct = jt;
        }
      }
      if (ct > t || (ct === t && (k < keys[c]! || (k === keys[c] && e < entries[c]!)))) break;
      times[i] = ct;
      keys[i] = keys[c]!;
      entries[i] = entries[c]!;
      i = c;
    }
    times[i] = t;
    keys[i] = k;
    entries[i] = e;
  }

  #grow(): void {
    const n = this.#time.length * 2;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#time = grow(this.#time, (k) => new Float64Array(k));
    this.#key = grow(this.#key, (k) => new Int32Array(k));
    this.#entry = grow(this.#entry, (k) => new Int32Array(k));
    this.#kind = grow(this.#kind, (k) => new Uint8Array(k));
    this.#host = grow(this.#host, (k) => new Int32Array(k));
    this.#gen = grow(this.#gen, (k) => new Int32Array(k));
    this.#free = grow(this.#free, (k) => new Int32Array(k));
  }
}
