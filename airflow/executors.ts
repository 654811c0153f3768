/**
 * Executors: how many task tries run at once. Tries are async functions in
 * this process; an executor hands out slots, and a slot freed by one run is
 * offered to every run sharing the executor.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";

/** A counter of slots with waiters woken when slots free up. */
export class _Slots {
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

/** Runs task tries; what differs between executors is how many at once. */
export interface Executor {
  /** The executor's name, e.g. `"SequentialExecutor"`. */
  readonly name: string;
  /** Most task tries running at once. */
  readonly parallelism: number;
}

const SLOTS = new WeakMap<Executor, _Slots>();

/** The slot counter shared by every run using `executor`. */
export function _slotsOf(executor: Executor): _Slots {
  let s = SLOTS.get(executor);
  if (!s) {
    const p = executor.parallelism;
    if (!(p === Infinity || (Number.isInteger(p) && p > 0))) {
      throw new AirflowError(
        `Executor parallelism must be a positive integer: ${p}`,
      );
    }
    s = new _Slots(p);
    SLOTS.set(executor, s);
  }
  return s;
}

/**
 * Runs one task try at a time, in priority order: Airflow's debugging
 * executor and the default of `dag.test()`.
 *
 * @example Run a DAG sequentially
 * ```ts
 * import { DAG, SequentialExecutor } from "./mod.ts";
 * const dag = new DAG("seq");
 * dag.task("a", () => 1).then(dag.task("b", () => 2));
 * const result = await dag.test({ executor: new SequentialExecutor() });
 * console.log(result.state); // "success"
 * ```
 */
export class SequentialExecutor implements Executor {
  /** Always `"SequentialExecutor"`. */
  readonly name: string = "SequentialExecutor";
  /** Always 1. */
  readonly parallelism: number = 1;
}

/** Options for {@linkcode LocalExecutor}. */
export interface LocalExecutorOptions {
  /**
   * Most task tries running at once (`Infinity` for no limit).
   * @default {32}
   */
  parallelism?: number;
}

/**
 * Runs up to `parallelism` task tries concurrently as async functions in
 * this process, like Airflow's LocalExecutor runs worker processes. CPU-bound
 * tasks belong in a `CommandOperator` (a real subprocess).
 *
 * @example Run independent tasks at once
 * ```ts
 * import { DAG, LocalExecutor } from "./mod.ts";
 * const dag = new DAG("par");
 * for (const id of ["a", "b", "c"]) dag.task(id, () => id);
 * const result = await dag.test({ executor: new LocalExecutor({ parallelism: 3 }) });
 * console.log(result.state); // "success"
 * ```
 */
export class LocalExecutor implements Executor {
  /** Always `"LocalExecutor"`. */
  readonly name: string = "LocalExecutor";
  /** Most task tries running at once. */
  readonly parallelism: number;

  /** Makes an executor with `options.parallelism` slots. */
  constructor(options: LocalExecutorOptions = {}) {
    const p = options.parallelism ?? 32;
    if (!(p === Infinity || (Number.isInteger(p) && p > 0))) {
      throw new AirflowError(
        `LocalExecutor parallelism must be a positive integer: ${p}`,
      );
    }
    this.parallelism = p;
  }
}
