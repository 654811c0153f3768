/**
 * Slot counters: how many task tries (or pool slots, or a DAG's tasks) are
 * taken, with waiters woken when one frees up.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import type { Executor } from "./executors.ts";

/** A counter of slots with waiters woken when slots free up. */
export class Slots {
  readonly limit: number;
  used = 0;
  #waiters = new Set<() => void>();

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
    if (this.#waiters.size > 0) { for (const w of [...this.#waiters]) w(); }
  }

  onFree(waiter: () => void): () => void {
    this.#waiters.add(waiter);
    return () => this.#waiters.delete(waiter);
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
