/**
 * Task-instance states, DAG-run states and trigger rules, with Airflow's
 * exact strings.
 *
 * @module
 */

/**
 * Task-instance states, spelled as Airflow spells them. `"none"` stands for
 * Airflow's `None` (no status yet).
 *
 * @example Compare a state
 * ```ts
 * import { TaskState } from "./mod.ts";
 * console.log(TaskState.UP_FOR_RETRY); // "up_for_retry"
 * ```
 */
export const TaskState = {
  /** Not yet considered by the scheduler (Airflow's `None`). */
  NONE: "none",
  /** Dependencies met; waiting for an executor slot. */
  SCHEDULED: "scheduled",
  /** Handed to the executor. */
  QUEUED: "queued",
  /** Running now. */
  RUNNING: "running",
  /** Finished without error. */
  SUCCESS: "success",
  /** Finished with an error and no retries left. */
  FAILED: "failed",
  /** Failed a try; will run again after the retry delay. */
  UP_FOR_RETRY: "up_for_retry",
  /** A sensor in reschedule mode waiting for its next poke, slot freed. */
  UP_FOR_RESCHEDULE: "up_for_reschedule",
  /** Not run because an upstream task failed. */
  UPSTREAM_FAILED: "upstream_failed",
  /** Not run: skipped by a branch, short circuit, trigger rule or soft fail. */
  SKIPPED: "skipped",
  /** Removed from the DAG after the run was created. */
  REMOVED: "removed",
  /** Airflow's state for a try being restarted (named for completeness). */
  RESTARTING: "restarting",
  /** Airflow's state for a deferred (triggerer) task (named for completeness). */
  DEFERRED: "deferred",
} as const;

/** One of the {@linkcode TaskState} strings. */
export type TaskState = typeof TaskState[keyof typeof TaskState];

/**
 * States after which a task instance never changes again within a run.
 *
 * @example Check for a finished state
 * ```ts
 * import { FINISHED_STATES } from "./mod.ts";
 * console.log(FINISHED_STATES.has("skipped")); // true
 * ```
 */
export const FINISHED_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  "success",
  "failed",
  "upstream_failed",
  "skipped",
  "removed",
]);

/**
 * DAG-run states, with Airflow's strings.
 *
 * @example Check a run's state
 * ```ts
 * import { DagRunState } from "./mod.ts";
 * console.log(DagRunState.SUCCESS); // "success"
 * ```
 */
export const DagRunState = {
  /** Created, not started. */
  QUEUED: "queued",
  /** Some tasks not finished. */
  RUNNING: "running",
  /** Every leaf task succeeded or was skipped. */
  SUCCESS: "success",
  /** A leaf task failed or its upstream failed. */
  FAILED: "failed",
} as const;

/** One of the {@linkcode DagRunState} strings. */
export type DagRunState = typeof DagRunState[keyof typeof DagRunState];

/**
 * When a task may run, given its direct upstream tasks' states. Airflow's
 * rule names and semantics, including skip propagation.
 *
 * @example Join after a branch
 * ```ts
 * import { DAG, TriggerRule } from "./mod.ts";
 * const dag = new DAG("join");
 * dag.task("join", () => {}, {
 *   triggerRule: TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
 * });
 * console.log(TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS);
 * ```
 */
export const TriggerRule = {
  /** Every upstream succeeded (the default). */
  ALL_SUCCESS: "all_success",
  /** Every upstream failed or upstream-failed. */
  ALL_FAILED: "all_failed",
  /** Every upstream finished, whatever the outcome. */
  ALL_DONE: "all_done",
  /** Every upstream was skipped. */
  ALL_SKIPPED: "all_skipped",
  /** At least one upstream succeeded (fires without waiting for the rest). */
  ONE_SUCCESS: "one_success",
  /** At least one upstream failed (fires without waiting for the rest). */
  ONE_FAILED: "one_failed",
  /** At least one upstream succeeded or failed. */
  ONE_DONE: "one_done",
  /** Every upstream finished and none failed (skips allowed). */
  NONE_FAILED: "none_failed",
  /** Every upstream finished and none was skipped. */
  NONE_SKIPPED: "none_skipped",
  /** None failed and at least one succeeded: the join after a branch. */
  NONE_FAILED_MIN_ONE_SUCCESS: "none_failed_min_one_success",
  /** Runs regardless of upstream states, as soon as it is reached. */
  ALWAYS: "always",
} as const;

/** One of the {@linkcode TriggerRule} strings. */
export type TriggerRule = typeof TriggerRule[keyof typeof TriggerRule];

/**
 * How a task's effective priority is computed from its own `priorityWeight`
 * and its relatives'.
 *
 * @example Use an absolute weight
 * ```ts
 * import { WeightRule } from "./mod.ts";
 * console.log(WeightRule.ABSOLUTE); // "absolute"
 * ```
 */
export const WeightRule = {
  /** Own weight plus the weights of every task downstream (the default). */
  DOWNSTREAM: "downstream",
  /** Own weight plus the weights of every task upstream. */
  UPSTREAM: "upstream",
  /** Own weight only. */
  ABSOLUTE: "absolute",
} as const;

/** One of the {@linkcode WeightRule} strings. */
export type WeightRule = typeof WeightRule[keyof typeof WeightRule];
