/**
 * The queue of embedded-pointer referents shared by NdrReader and NdrWriter: both must visit
 * referents in the same order, or what one writes the other misreads.
 */
export class DeferredReferents {
  #queue: Array<() => void> = [];

  add(referent: () => void): void {
    this.#queue.push(referent);
  }

  /** Runs every queued referent in order; referents may queue more, which run too. */
  flush(): void {
    while (this.#queue.length > 0) {
      const queue = this.#queue;
      this.#queue = [];
      // Referents nested in a deferred referent go right after it (NDR depth-first-by-level order).
      for (const referent of queue) {
        referent();
        this.flush();
      }
    }
  }
}
