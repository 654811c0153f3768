/**
 * Mini-Airflow: DAGs of tasks with Airflow's states, trigger rules,
 * branching, retries and sensors; executors; a cron scheduler with catchup
 * and backfill; crash-safe run state in JSON files or SQLite; a CLI; and an
 * HTML run report (graph, grid, Gantt).
 *
 * @example Build and run a DAG
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, LocalExecutor } from "./mod.ts";
 * const dag = new DAG("hello", { defaultArgs: { retries: 2, retryDelay: 0 } });
 * const extract = dag.task("extract", () => [1, 2, 3]);
 * const sum = dag.task("sum", (ctx) =>
 *   (ctx.xcom.pull<number[]>("extract") ?? []).reduce((a, b) => a + b, 0));
 * const report = dag.task("report", (ctx) => `total=${ctx.xcom.pull("sum")}`);
 * extract.then(sum).then(report);
 * const finished: string[] = [];
 * const run = await dag.test({
 *   executor: new LocalExecutor({ parallelism: 4 }),
 *   onTransition: (taskId, state) => state === "success" && finished.push(taskId),
 * });
 * assert.deepEqual([run.state, run.tasks.report?.xcom], ["success", "total=6"]);
 * assert.deepEqual(finished, ["extract", "sum", "report"]);
 * ```
 *
 * ## How it works
 *
 * A DAG compiles to integer adjacency lists (`_graph.ts`): Kahn's algorithm
 * checks it is acyclic (a cycle is reported with its path), and each task
 * gets an effective priority weight (its own plus all downstream, upstream
 * or none, per `weightRule`) and a rank: weight descending, then task id.
 *
 * A run (`_run_engine.ts`) is event-driven. Every task keeps counters of its
 * upstream outcomes (success, skipped, failed, upstream_failed, done). When
 * a task finishes, only its direct downstream tasks are re-evaluated against
 * their trigger rule (`trigger_rules.ts`, O(1) each): met → `scheduled` and
 * into a heap ordered by rank; settled early → `skipped` or
 * `upstream_failed`, which cascades the same way. Free slots (executor,
 * pool, the DAG's `maxActiveTasks`) take tasks from the heap.
 *
 * ```
 *  finish(t) ─▶ for d in down(t): counters[d] += state(t)
 *                 └─ evaluate rule(d) ─▶ run: heap.push(d)   skip/fail: finish(d)
 *  slot free ─▶ heap.pop() (highest weight, then id) ─▶ running ─▶ finish | up_for_retry
 * ```
 *
 * Retries and reschedule-mode sensors wait on the injected clock; a try's
 * `signal` aborts at its `executionTimeout`. With a store, the run record is
 * saved after transitions (one atomic write in flight, always the latest
 * snapshot), and the run fails at the first save that fails. One process
 * owns a run at a time: the store's claim is an OS lock on a file beside
 * the state (the OS drops it when the owner dies), and a second owner is
 * refused. Resuming resets tasks a killed process left `running` and runs
 * them again. A mapped task (`expand`) makes its instances when it runs and
 * runs them inside its try; a retry runs only the failed ones. The
 * `Scheduler` (`scheduler.ts`) turns cron schedules into data intervals
 * (`timetable.ts`, exact to the millisecond, Airflow's catchup rules),
 * starts due and queued runs within `maxActiveRuns`, and skips paused
 * DAGs; `airflow scheduler` (`cli.ts`) is that loop as a process.
 * Files: `dag.ts` (the DAG), `task.ts` (tasks, options, context),
 * `_checks.ts` (id and option checks), `_graph.ts` (compile, cycles,
 * weights), `_heap.ts` (the ready queue), `_run_engine.ts` (the engine),
 * `_slots.ts` (slot counters), `_run_lock.ts` (one owner per run), `_retry_delay.ts` (Airflow's retry maths),
 * `_truthy.ts` (Python truthiness), `trigger_rules.ts`, `states.ts`,
 * `errors.ts`, `operators.ts`, `sensors.ts` (with `_glob.ts`),
 * `executors.ts`, `store.ts` / `_records.ts` / `json_store.ts` /
 * `sqlite_store.ts` (state), `clear.ts`, `timetable.ts` + `scheduler.ts`,
 * `report.ts` (HTML, colours in `_state_colors.ts`), `webserver.ts` (the
 * live view), `cli.ts` (the CLI, with `_cli_output.ts`,
 * `_cli_scheduler.ts` and `_dag_files.ts`), `_task_log.ts` (per-try logs), `variables.ts` (Variables and
 * Connections), `templates.ts` (templated fields), `params.ts` (params), `task_group.ts`
 * (task groups).
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
export {
  AirflowError,
  AirflowFailException,
  AirflowSensorTimeout,
  AirflowSkipException,
} from "./errors.ts";
export {
  DagRunState,
  FINISHED_STATES,
  TaskState,
  TriggerRule,
  WeightRule,
} from "./states.ts";
export {
  evaluateTriggerRule,
  type TriggerDecision,
  type UpstreamCounts,
} from "./trigger_rules.ts";
export {
  type DataInterval,
  type ResolvedTaskOptions,
  Task,
  type TaskCallback,
  type TaskContext,
  type TaskFn,
  type TaskLogger,
  type TaskOptions,
  type TaskRef,
  XComArg,
} from "./task.ts";
export { type GroupOwner, TaskGroup } from "./task_group.ts";
export {
  DAG,
  type DagCallback,
  type DagOptions,
  type DagRunResult,
  type DagTestOptions,
  type TaskInstanceResult,
  type TransitionHook,
} from "./dag.ts";
export {
  BranchOperator,
  type BranchOperatorOptions,
  type BranchResult,
  CommandOperator,
  type CommandOperatorOptions,
  EmptyOperator,
  type OperatorOptions,
  ShortCircuitOperator,
  type ShortCircuitOperatorOptions,
} from "./operators.ts";
export {
  BaseSensor,
  ExternalTaskSensor,
  type ExternalTaskSensorOptions,
  FileSensor,
  type FileSensorOptions,
  type SensorContext,
  type SensorOptions,
  TimeDeltaSensor,
  type TimeDeltaSensorOptions,
  TimeSensor,
  type TimeSensorOptions,
} from "./sensors.ts";
export {
  type Executor,
  LocalExecutor,
  type LocalExecutorOptions,
  SequentialExecutor,
} from "./executors.ts";
export {
  type DagRunRecord,
  type MappedInstanceRecord,
  MemoryStateStore,
  type RunClaim,
  type RunType,
  type StateStore,
  type TaskInstanceRecord,
  type TryKey,
  type TryRecord,
} from "./store.ts";
export { JsonStateStore } from "./json_store.ts";
export { SqliteStateStore } from "./sqlite_store.ts";
export {
  type Interval,
  type NextIntervalOptions,
  Timetable,
} from "./timetable.ts";
export {
  Scheduler,
  type SchedulerOptions,
  type SchedulerTransition,
} from "./scheduler.ts";
export { clearTasks, type ClearTasksOptions } from "./clear.ts";
export {
  LazyNamespace,
  pythonIso,
  renderTemplate,
  type TemplateContext,
} from "./templates.ts";
export {
  Param,
  type ParamSchema,
  type ParamType,
  resolveParams,
} from "./params.ts";
export {
  Connection,
  type ConnectionFields,
  Variable,
  type VariableGetOptions,
} from "./variables.ts";
export { renderRunReport, type RunReportOptions } from "./report.ts";
export {
  airflowWebserverHandler,
  type AirflowWebserverOptions,
} from "./webserver.ts";
