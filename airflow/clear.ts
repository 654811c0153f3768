/**
 * Clearing task instances, like `airflow tasks clear`: the cleared tasks go
 * back to no state so the next run of that run id runs them again.
 *
 * @module
 */

import type { DAG } from "./dag.ts";
import { AirflowError } from "./errors.ts";
import type { StateStore } from "./store.ts";
import { clearedInstance } from "./_records.ts";

/** Options for {@linkcode clearTasks}. */
export interface ClearTasksOptions {
  /**
   * Which tasks to clear: ids, or a pattern tested against ids.
   * @default {every task}
   */
  taskIds?: string[] | RegExp;
  /**
   * Also clear every task downstream of the matched ones.
   * @default {false}
   */
  downstream?: boolean;
  /**
   * Only clear tasks in `failed` or `upstream_failed`.
   * @default {false}
   */
  onlyFailed?: boolean;
}

/**
 * Resets task instances of a stored run to no state (keeping their try
 * counts) and marks the run queued; resolves with the cleared ids, sorted.
 * Resume the run with `dag.test({ store, runId })`.
 *
 * @example Clear a failed task and run it again
 * ```ts
 * import assert from "node:assert/strict";
 * import { clearTasks, DAG, MemoryStateStore } from "./mod.ts";
 * const store = new MemoryStateStore();
 * let healthy = false;
 * const dag = new DAG("fix");
 * dag.task("load", () => {
 *   if (!healthy) throw new Error("Database down");
 * });
 * const first = await dag.test({ store, runId: "r1" });
 * healthy = true;
 * assert.deepEqual(await clearTasks(store, dag, "r1", { onlyFailed: true }), ["load"]);
 * const again = await dag.test({ store, runId: "r1" });
 * assert.deepEqual([first.state, again.state], ["failed", "success"]);
 * ```
 */
export async function clearTasks(
  store: StateStore,
  dag: DAG,
  runId: string,
  options: ClearTasksOptions = {},
): Promise<string[]> {
  const run = await store.load(dag.dagId, runId);
  if (!run) throw new AirflowError(`No such run of DAG ${dag.dagId}: ${runId}`);
  const sel = options.taskIds;
  if (Array.isArray(sel)) { for (const id of sel) dag.getTask(id); }
  const matched = dag.taskIds.filter((id) =>
    sel === undefined
      ? true
      : Array.isArray(sel)
      ? sel.includes(id)
      : sel.test(id)
  );
  const chosen = new Set(matched);
  if (options.downstream) {
    const stack = [...matched];
    while (stack.length > 0) {
      for (const d of dag.getTask(stack.pop()!).downstreamIds) {
        if (!chosen.has(d)) {
          chosen.add(d);
          stack.push(d);
        }
      }
    }
  }
  const cleared: string[] = [];
  for (const id of [...chosen].sort()) {
    const ti = run.tasks[id] ??= { state: "none", tryNumber: 0 };
    if (
      options.onlyFailed && ti.state !== "failed" &&
      ti.state !== "upstream_failed"
    ) continue;
    run.tasks[id] = clearedInstance(ti, dag.getTask(id).options.retries);
    cleared.push(id);
  }
  if (cleared.length > 0) {
    run.state = "queued";
    delete run.endDate;
    await store.save(run);
  }
  return cleared;
}
