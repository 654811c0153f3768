/**
 * Executors: how many task tries run at once. Tries are async functions in
 * this process; an executor hands out slots, and a slot freed by one run is
 * offered to every run sharing the executor.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";

/** Runs task tries; what differs between executors is how many at once. */
export interface Executor {
  /** The executor's name, e.g. `"SequentialExecutor"`. */
  readonly name: string;
  /** Most task tries running at once. */
  readonly parallelism: number;
}

/**
 * Runs one task try at a time, in priority order: Airflow's debugging
 * executor and the default of `dag.test()`.
 *
 * @example Run a DAG sequentially
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, SequentialExecutor } from "./mod.ts";
 * const dag = new DAG("seq");
 * dag.task("a", () => 1).then(dag.task("b", () => 2));
 * const result = await dag.test({ executor: new SequentialExecutor() });
 * assert.deepEqual(result.state, "success");
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
 * import assert from "node:assert/strict";
 * import { DAG, LocalExecutor } from "./mod.ts";
 * const dag = new DAG("par");
 * for (const id of ["a", "b", "c"]) dag.task(id, () => id);
 * const result = await dag.test({ executor: new LocalExecutor({ parallelism: 3 }) });
 * assert.deepEqual(result.state, "success");
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
