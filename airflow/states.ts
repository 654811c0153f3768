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
 * import assert from "node:assert/strict";
 * import { TaskState } from "./mod.ts";
 * assert.deepEqual(TaskState.UP_FOR_RETRY, "up_for_retry");
 * ```
 */
export const TaskState: {
  /** Not yet considered by the scheduler (Airflow's `None`). */
  readonly NONE: "none";
  /** Dependencies met; waiting for an executor slot. */
  readonly SCHEDULED: "scheduled";
  /** Handed to the executor. */
  readonly QUEUED: "queued";
  /** Running now. */
  readonly RUNNING: "running";
  /** Finished without error. */
  readonly SUCCESS: "success";
  /** Finished with an error and no retries left. */
  readonly FAILED: "failed";
  /** Failed a try; will run again after the retry delay. */
  readonly UP_FOR_RETRY: "up_for_retry";
  /** A sensor in reschedule mode waiting for its next poke, slot freed. */
  readonly UP_FOR_RESCHEDULE: "up_for_reschedule";
  /** Not run because an upstream task failed. */
  readonly UPSTREAM_FAILED: "upstream_failed";
  /** Not run: skipped by a branch, short circuit, trigger rule or soft fail. */
  readonly SKIPPED: "skipped";
  /** Removed from the DAG after the run was created. */
  readonly REMOVED: "removed";
  /** Airflow's state for a try being restarted (named for completeness). */
  readonly RESTARTING: "restarting";
  /** Airflow's state for a deferred (triggerer) task (named for completeness). */
  readonly DEFERRED: "deferred";
} = {
  NONE: "none",
  SCHEDULED: "scheduled",
  QUEUED: "queued",
  RUNNING: "running",
  SUCCESS: "success",
  FAILED: "failed",
  UP_FOR_RETRY: "up_for_retry",
  UP_FOR_RESCHEDULE: "up_for_reschedule",
  UPSTREAM_FAILED: "upstream_failed",
  SKIPPED: "skipped",
  REMOVED: "removed",
  RESTARTING: "restarting",
  DEFERRED: "deferred",
};

/** One of the {@linkcode TaskState} strings. */
export type TaskState = typeof TaskState[keyof typeof TaskState];

/**
 * States after which a task instance never changes again within a run.
 *
 * @example Check for a finished state
 * ```ts
 * import assert from "node:assert/strict";
 * import { FINISHED_STATES } from "./mod.ts";
 * assert.deepEqual(FINISHED_STATES.has("skipped"), true);
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
 * import assert from "node:assert/strict";
 * import { DagRunState } from "./mod.ts";
 * assert.deepEqual(DagRunState.SUCCESS, "success");
 * ```
 */
export const DagRunState: {
  /** Created, not started. */
  readonly QUEUED: "queued";
  /** Some tasks not finished. */
  readonly RUNNING: "running";
  /** Every leaf task succeeded or was skipped. */
  readonly SUCCESS: "success";
  /** A leaf task failed or its upstream failed. */
  readonly FAILED: "failed";
} = {
  QUEUED: "queued",
  RUNNING: "running",
  SUCCESS: "success",
  FAILED: "failed",
};

/** One of the {@linkcode DagRunState} strings. */
export type DagRunState = typeof DagRunState[keyof typeof DagRunState];

/**
 * When a task may run, given its direct upstream tasks' states. Airflow's
 * rule names and semantics, including skip propagation.
 *
 * @example Join after a branch
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, TriggerRule } from "./mod.ts";
 * const dag = new DAG("join");
 * const join = dag.task("join", () => {}, {
 *   triggerRule: TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
 * });
 * assert.equal(join.options.triggerRule, "none_failed_min_one_success");
 * ```
 */
export const TriggerRule: {
  /** Every upstream succeeded (the default). */
  readonly ALL_SUCCESS: "all_success";
  /** Every upstream failed or upstream-failed. */
  readonly ALL_FAILED: "all_failed";
  /** Every upstream finished, whatever the outcome. */
  readonly ALL_DONE: "all_done";
  /**
   * Every upstream finished and at least one succeeded; a skipped upstream
   * skips the task (Airflow 3.1).
   */
  readonly ALL_DONE_MIN_ONE_SUCCESS: "all_done_min_one_success";
  /**
   * Every upstream finished and, when some are setup tasks, at least one of
   * them succeeded: the default rule of a teardown task.
   */
  readonly ALL_DONE_SETUP_SUCCESS: "all_done_setup_success";
  /** Every upstream was skipped. */
  readonly ALL_SKIPPED: "all_skipped";
  /** At least one upstream succeeded (fires without waiting for the rest). */
  readonly ONE_SUCCESS: "one_success";
  /** At least one upstream failed (fires without waiting for the rest). */
  readonly ONE_FAILED: "one_failed";
  /** At least one upstream succeeded or failed. */
  readonly ONE_DONE: "one_done";
  /** Every upstream finished and none failed (skips allowed). */
  readonly NONE_FAILED: "none_failed";
  /** Every upstream finished and none was skipped. */
  readonly NONE_SKIPPED: "none_skipped";
  /** None failed and at least one succeeded: the join after a branch. */
  readonly NONE_FAILED_MIN_ONE_SUCCESS: "none_failed_min_one_success";
  /** Runs regardless of upstream states, as soon as it is reached. */
  readonly ALWAYS: "always";
} = {
  ALL_SUCCESS: "all_success",
  ALL_FAILED: "all_failed",
  ALL_DONE: "all_done",
  ALL_DONE_MIN_ONE_SUCCESS: "all_done_min_one_success",
  ALL_DONE_SETUP_SUCCESS: "all_done_setup_success",
  ALL_SKIPPED: "all_skipped",
  ONE_SUCCESS: "one_success",
  ONE_FAILED: "one_failed",
  ONE_DONE: "one_done",
  NONE_FAILED: "none_failed",
  NONE_SKIPPED: "none_skipped",
  NONE_FAILED_MIN_ONE_SUCCESS: "none_failed_min_one_success",
  ALWAYS: "always",
};

/** One of the {@linkcode TriggerRule} strings. */
export type TriggerRule = typeof TriggerRule[keyof typeof TriggerRule];

/**
 * How a task's effective priority is computed from its own `priorityWeight`
 * and its relatives'.
 *
 * @example Use an absolute weight
 * ```ts
 * import assert from "node:assert/strict";
 * import { WeightRule } from "./mod.ts";
 * assert.deepEqual(WeightRule.ABSOLUTE, "absolute");
 * ```
 */
export const WeightRule: {
  /** Own weight plus the weights of every task downstream (the default). */
  readonly DOWNSTREAM: "downstream";
  /** Own weight plus the weights of every task upstream. */
  readonly UPSTREAM: "upstream";
  /** Own weight only. */
  readonly ABSOLUTE: "absolute";
} = {
  DOWNSTREAM: "downstream",
  UPSTREAM: "upstream",
  ABSOLUTE: "absolute",
};

/** One of the {@linkcode WeightRule} strings. */
export type WeightRule = typeof WeightRule[keyof typeof WeightRule];
