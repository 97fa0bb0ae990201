/**
 * A Map with a size bound, for state kept per connection, source or call that must not grow without
 * limit: beyond `max` entries the least recently used is dropped and handed to `onEvict` first.
 * `get` and `set` make an entry young again (a connection that keeps sending, a source that keeps
 * scanning, a call whose reply comes in fragments); `peek` and `has` leave its age alone. Iteration
 * follows creation order (a replaced value keeps its place), so what a capture reports at its end
 * does not depend on which entries were used last.
 *
 * Age is a doubly linked list through the slots, oldest first: using an entry moves it to the young
 * end, eviction takes the old end, both O(1). Not the Map's own order: moving an entry there means
 * delete + set, and V8 walks a Map from its first slot past every entry deleted since its last
 * rehash, so reaching the oldest through `keys().next()` costs about the table's size once it is full.
 */
interface Slot<K, V> {
  readonly key: K;
  value: V;
  /** The next older and next younger slot; undefined at the ends (and once removed). */
  older: Slot<K, V> | undefined;
  younger: Slot<K, V> | undefined;
}

export class BoundedMap<K, V> {
  readonly #slots = new Map<K, Slot<K, V>>();
  #oldest: Slot<K, V> | undefined;
  #youngest: Slot<K, V> | undefined;

  constructor(
    /** Entries kept at most (≥ 1). */
    readonly max: number,
    readonly onEvict?: (value: V, key: K) => void,
  ) {}

  get size(): number {
    return this.#slots.size;
  }

  /** The value, and the entry is young again. */
  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (slot !== this.#youngest) this.#moveToYoungest(slot);
    return slot.value;
  }

  /** The value, without touching the entry's age. */
  peek(key: K): V | undefined {
    return this.#slots.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#slots.has(key);
  }

  /** Creates or replaces; either way the entry is the youngest. May evict the oldest. */
  set(key: K, value: V): this {
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      slot.value = value;
      if (slot !== this.#youngest) this.#moveToYoungest(slot);
      return this;
    }
    const created: Slot<K, V> = { key, value, older: this.#youngest, younger: undefined };
    this.#slots.set(key, created);
    if (this.#youngest) this.#youngest.younger = created;
    else this.#oldest = created;
    this.#youngest = created;
    if (this.#slots.size > this.max) this.#evictOldest();
    return this;
  }

  delete(key: K): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#slots.delete(key);
    this.#unlink(slot);
    return true;
  }

  clear(): void {
    this.#slots.clear();
    this.#oldest = undefined;
    this.#youngest = undefined;
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
    const oldest = this.#oldest!;
    this.#slots.delete(oldest.key);
    this.#unlink(oldest);
    this.onEvict?.(oldest.value, oldest.key);
  }

  #unlink(slot: Slot<K, V>): void {
    if (slot.older) slot.older.younger = slot.younger;
    else this.#oldest = slot.younger;
    if (slot.younger) slot.younger.older = slot.older;
    else this.#youngest = slot.older;
    slot.older = undefined;
    slot.younger = undefined;
  }

  /** `slot` is in the list and not the youngest. */
  #moveToYoungest(slot: Slot<K, V>): void {
    this.#unlink(slot);
    slot.older = this.#youngest;
    this.#youngest!.younger = slot;
    this.#youngest = slot;
  }
}

/** Open calls remembered per connection (call_id → opnum); SMB requests awaiting replies; pipe names. */
export const MAX_TRACKED_CALLS = 4096;
/** Pipes decoded at once on one SMB connection. */
export const MAX_PIPES = 1024;
