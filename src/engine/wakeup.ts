/**
 * The one-waiter doorbell between the callbacks that produce results (host tasks, worker messages)
 * and the async generator that yields them: `notify` rings, `until` sleeps until a ring finds its
 * condition true. Checked after arming, so a ring between the check and the sleep is not lost.
 */
export class Wakeup {
  #wake: (() => void) | undefined;

  notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** Resolves at once if `ready()` holds, else at the first notify after which it may. */
  until(ready: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (ready()) this.notify();
    });
  }
}
