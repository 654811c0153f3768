/**
 * Slot counters: how many task tries (or pool slots, or a DAG's tasks) are
 * taken, with waiters woken when one frees up.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import type { Executor } from "./executors.ts";

/**
 * A counter of slots. Whoever finds it full asks to be woken once with
 * {@linkcode Slots.whenFree}; a release wakes waiters in arrival order
 * while slots remain, so a release costs O(1) however many runs share the
 * counter (waking every run on every release made a pass over 1,000 runs
 * quadratic).
 */
export class Slots {
  readonly limit: number;
  used = 0;
  #waiters: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  has(n = 1): boolean {
    return this.used + n <= this.limit;
  }

  take(n = 1): void {
    this.used += n;
  }

  release(n = 1): void {
    this.used -= n;
    while (this.#head < this.#waiters.length && this.has()) {
      const wake = this.#waiters[this.#head]!;
      this.#waiters[this.#head++] = undefined as never;
      wake();
    }
    if (this.#head === this.#waiters.length) {
      this.#waiters = [];
      this.#head = 0;
    }
  }

  /** Calls `waiter` once, the next time a release leaves a slot free. */
  whenFree(waiter: () => void): void {
    this.#waiters.push(waiter);
  }
}

const SLOTS = new WeakMap<Executor, Slots>();

/** The slot counter shared by every run using `executor`. */
export function slotsOf(executor: Executor): Slots {
  let s = SLOTS.get(executor);
  if (!s) {
    const p = executor.parallelism;
    if (!(p === Infinity || (Number.isInteger(p) && p > 0))) {
      throw new AirflowError(
        `Executor parallelism must be a positive integer: ${p}`,
      );
    }
    s = new Slots(p);
    SLOTS.set(executor, s);
  }
  return s;
}
