/**
 * A Map with a size bound, for state kept per connection, source or call that must not grow without
 * limit: beyond `max` entries the oldest by creation is dropped and handed to `onEvict` first.
 * Setting an existing key replaces its value and keeps its age.
 *
 * Eviction does not go through the Map's own order: V8 walks a Map from its first slot past every
 * entry deleted since its last rehash, so `keys().next()` on a table that evicts at its front costs
 * O(deletions), about the table's size once it is full. A creation-order list of slots (the TCP
 * connection table does the same) makes each eviction O(1) amortised.
 */
interface Slot<K, V> {
  readonly key: K;
  value: V;
  /** False once deleted or evicted: its place in the creation list is skipped. */
  live: boolean;
}

export class BoundedMap<K, V> {
  readonly #slots = new Map<K, Slot<K, V>>();
  /** Slots in creation order from `#head`; dead ones are dropped when the list is compacted. */
  #order: Slot<K, V>[] = [];
  #head = 0;

  constructor(
    /** Entries kept at most (≥ 1). */
    readonly max: number,
    readonly onEvict?: (value: V, key: K) => void,
  ) {}

  get size(): number {
    return this.#slots.size;
  }

  get(key: K): V | undefined {
    return this.#slots.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#slots.has(key);
  }

  set(key: K, value: V): this {
    const slot = this.#slots.get(key);
    if (slot) {
      slot.value = value;
      return this;
    }
    const created: Slot<K, V> = { key, value, live: true };
    this.#slots.set(key, created);
    this.#order.push(created);
    if (this.#slots.size > this.max) this.#evictOldest();
    this.#compact();
    return this;
  }

  delete(key: K): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    slot.live = false;
    this.#slots.delete(key);
    return true;
  }

  clear(): void {
    for (const slot of this.#order) slot.live = false;
    this.#slots.clear();
    this.#order = [];
    this.#head = 0;
  }

  *values(): Generator<V> {
    for (const slot of this.#slots.values()) yield slot.value;
  }

  *keys(): Generator<K> {
    for (const slot of this.#slots.values()) yield slot.key;
  }

  *entries(): Generator<[K, V]> {
    for (const slot of this.#slots.values()) yield [slot.key, slot.value];
  }

  [Symbol.iterator](): Generator<[K, V]> {
    return this.entries();
  }

  #evictOldest(): void {
    while (this.#head < this.#order.length) {
      const oldest = this.#order[this.#head++]!;
      if (!oldest.live) continue;
      this.delete(oldest.key);
      this.onEvict?.(oldest.value, oldest.key);
      return;
    }
  }

  /** Keeps the list near the table's size: drops its consumed front and the slots deleted since. */
  #compact(): void {
    const slack = Math.max(64, this.#slots.size);
    if (this.#head <= slack && this.#order.length - this.#head <= 2 * slack) return;
    this.#order = this.#order.slice(this.#head).filter((s) => s.live);
    this.#head = 0;
  }
}

/** Open calls remembered per connection (call_id → opnum); SMB requests awaiting replies; pipe names. */
export const MAX_TRACKED_CALLS = 4096;
/** Pipes decoded at once on one SMB connection. */
export const MAX_PIPES = 1024;
