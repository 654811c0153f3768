/**
 * The DAG: tasks, their edges, and the options that govern its runs.
 *
 * @module
 */

import type { Clock } from "../internal/clock.ts";
import { AirflowError } from "./errors.ts";
import type { Executor } from "./executors.ts";
import {
  BranchOperator,
  type BranchResult,
  ShortCircuitOperator,
} from "./operators.ts";
import type { TaskState } from "./states.ts";
import type {
  DagRunRecord,
  MappedInstanceRecord,
  StateStore,
  TryRecord,
} from "./store.ts";
import {
  callableTask,
  Task,
  type TaskContext,
  type TaskFn,
  type TaskOptions,
} from "./task.ts";
import { Timetable } from "./timetable.ts";
import { Param } from "./params.ts";
import { TaskGroup } from "./task_group.ts";
import { compileGraph, type Graph, priorityOrder } from "./_graph.ts";
import {
  ATTACH,
  checkId,
  checkOptions,
  DEFAULTS,
  DOWNSTREAM,
  GRAPH,
  TOUCH,
} from "./_checks.ts";
import { runDag } from "./_run_engine.ts";

/** Options for {@linkcode DAG}. */
export interface DagOptions {
  /**
   * Cron expression (UTC), preset (`@daily` …), `"@once"`, or `null` for
   * manual runs only.
   * @default {null}
   */
  schedule?: string | null;
  /**
   * First logical date the scheduler considers.
   * @default {undefined}
   */
  startDate?: Date | number | string;
  /**
   * Last logical date the scheduler considers.
   * @default {undefined}
   */
  endDate?: Date | number | string;
  /**
   * Create every missed interval since `startDate` (true) or only the latest
   * (false).
   * @default {false}
   */
  catchup?: boolean;
  /**
   * Task options every task inherits unless it sets its own.
   * @default {{}}
   */
  defaultArgs?: TaskOptions;
  /**
   * Most tasks of this DAG running at once, across all its runs.
   * @default {16}
   */
  maxActiveTasks?: number;
  /**
   * Most runs of this DAG running at once.
   * @default {16}
   */
  maxActiveRuns?: number;
  /**
   * Params every run sees (a run's own params override them).
   * @default {{}}
   */
  params?: Record<string, unknown>;
  /**
   * A one-line description.
   * @default {""}
   */
  description?: string;
  /**
   * Milliseconds a run may take from its start; past it the run fails and
   * its unfinished tasks are skipped, as Airflow's `dagrun_timeout`.
   * @default {undefined}
   */
  dagrunTimeout?: number;
  /**
   * Called when a run succeeds (errors are ignored).
   * @default {undefined}
   */
  onSuccessCallback?: DagCallback;
  /**
   * Called when a run fails (errors are ignored).
   * @default {undefined}
   */
  onFailureCallback?: DagCallback;
}

/** A DAG callback: the finished run and why it ended. */
export type DagCallback = (ctx: {
  dagId: string;
  runId: string;
  run: DagRunRecord;
  reason: "success" | "task_failure" | "timed_out";
}) => unknown;

/** Called on every task state change of a run. */
export type TransitionHook = (
  taskId: string,
  state: TaskState,
  tryNumber: number,
) => void;

/** Options for {@linkcode DAG.test}. */
export interface DagTestOptions {
  /**
   * Keep the run in a {@linkcode JsonStateStore} in this directory, saving
   * after every transition; the same `runId` resumes it.
   * @default {undefined}
   */
  stateDir?: string;
  /**
   * Keep the run in this store instead (wins over `stateDir`).
   * @default {undefined}
   */
  store?: StateStore;
  /**
   * The run's id; an existing run with this id is resumed.
   * @default {"manual__<logical date ISO>"}
   */
  runId?: string;
  /**
   * Runs the task tries.
   * @default {new SequentialExecutor()}
   */
  executor?: Executor;
  /**
   * Time source for retries, sensors, timeouts and timestamps.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Params for this run, merged over the DAG's.
   * @default {{}}
   */
  params?: Record<string, unknown>;
  /**
   * The run's logical date. On a cron schedule the run's data interval is
   * the one starting at this date (`[logicalDate, next cron point)`), as for
   * the scheduled run of that date; without a schedule it is the instant.
   * @default {clock.now()}
   */
  logicalDate?: Date | number;
  /**
   * Called on every task state change (for progress output).
   * @default {undefined}
   */
  onTransition?: TransitionHook;
  /**
   * Pool sizes by name; `default_pool` has 128 slots unless set here.
   * @default {{ default_pool: 128 }}
   */
  pools?: Record<string, number>;
  /**
   * Aborts the run: running tries see their signal abort.
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * When the run already finished, clear every task and run it again (as
   * `airflow dags test` does for a date it ran before); tries count on.
   * @default {false}
   */
  rerun?: boolean;
}

/** The outcome of one task in a run. */
export interface TaskInstanceResult {
  /** Final state. */
  state: TaskState;
  /** Tries made. */
  tryNumber: number;
  /** When the last try started (epoch ms). */
  startDate?: number;
  /** When the task finished (epoch ms). */
  endDate?: number;
  /** Milliseconds from start to end of the last try. */
  duration?: number;
  /** The task's return value (JSON). */
  xcom?: unknown;
  /** The last error's message. */
  error?: string;
  /** Every try's start, end and outcome. */
  tries?: TryRecord[];
  /** A mapped task's instances, by map index. */
  mapped?: MappedInstanceRecord[];
  /** Values pushed under keys with `ctx.xcom.push`. */
  xcomKeys?: Record<string, unknown>;
}

/** What a finished run looks like. */
export interface DagRunResult extends DagRunRecord {
  /** `"success"` or `"failed"`. */
  state: "success" | "failed";
  /** Task outcomes by task id. */
  tasks: Record<string, TaskInstanceResult>;
}

/**
 * A directed acyclic graph of tasks, with its schedule and limits.
 *
 * @example Extract, branch, load
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, TriggerRule } from "./mod.ts";
 * const dag = new DAG("etl", { defaultArgs: { retries: 1, retryDelay: 0 } });
 * const extract = dag.task("extract", () => [3, 1, 2]);
 * const pick = dag.branch("pick", (ctx) =>
 *   (ctx.xcom.pull<number[]>("extract") ?? []).length > 2 ? "big" : "small");
 * const join = dag.task("join", () => "done", {
 *   triggerRule: TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
 * });
 * extract.then(pick).then([dag.task("big", () => 1), dag.task("small", () => 0)]);
 * dag.chain(["big", "small"].map((id) => dag.getTask(id)), join);
 * const result = await dag.test();
 * assert.deepEqual([result.state, result.tasks.small?.state], ["success", "skipped"]);
 * ```
 */
export class DAG {
  /** The DAG's id. */
  readonly dagId: string;
  /** The schedule as given. */
  readonly schedule: string | null;
  /** Intervals derived from the schedule. */
  readonly timetable: Timetable;
  /** First logical date for scheduling, epoch ms. */
  readonly startDate: number | undefined;
  /** Last logical date for scheduling, epoch ms. */
  readonly endDate: number | undefined;
  /** Whether the scheduler creates every missed interval. */
  readonly catchup: boolean;
  /** Most tasks running at once across the DAG's runs. */
  readonly maxActiveTasks: number;
  /** Most runs running at once. */
  readonly maxActiveRuns: number;
  /** Params every run sees. */
  readonly params: Record<string, unknown>;
  /** A one-line description. */
  readonly description: string;
  /** Milliseconds a run may take (`dagrun_timeout`). */
  readonly dagrunTimeout: number | undefined;
  /** Called when a run succeeds. */
  readonly onSuccessCallback: DagCallback | undefined;
  /** Called when a run fails. */
  readonly onFailureCallback: DagCallback | undefined;
  #defaults: TaskOptions;
  #tasks = new Map<string, Task>();
  #graph: Graph | undefined;

  /** Makes an empty DAG; an invalid id or cron expression throws. */
  constructor(dagId: string, options: DagOptions = {}) {
    this.dagId = checkId("DAG", dagId);
    this.timetable = new Timetable(options.schedule);
    this.schedule = this.timetable.schedule;
    this.startDate = _toMs("startDate", options.startDate);
    this.endDate = _toMs("endDate", options.endDate);
    this.catchup = options.catchup ?? false;
    this.maxActiveTasks = _positive("maxActiveTasks", options.maxActiveTasks);
    this.maxActiveRuns = _positive("maxActiveRuns", options.maxActiveRuns);
    this.params = { ...options.params };
    // A Param's default is checked when the DAG file loads, as Airflow does.
    for (const [name, p] of Object.entries(this.params)) {
      if (p instanceof Param && !p.required) p.check(name, p.value);
    }
    this.description = options.description ?? "";
    const t = options.dagrunTimeout;
    if (t !== undefined && !(typeof t === "number" && t > 0)) {
      throw new AirflowError(
        `DAG dagrunTimeout must be a positive number: ${t}`,
      );
    }
    this.dagrunTimeout = t;
    this.onSuccessCallback = options.onSuccessCallback;
    this.onFailureCallback = options.onFailureCallback;
    checkOptions(options.defaultArgs ?? {});
    this.#defaults = { ...options.defaultArgs };
  }

  /** Adds a task that calls `fn`; its return value becomes its XCom. */
  task(taskId: string, fn: TaskFn, options: TaskOptions = {}): Task {
    return this.add(callableTask(taskId, fn, options));
  }

  /**
   * Adds a branch: `fn` returns the ids of the direct downstream tasks to
   * follow; the others are skipped.
   */
  branch(
    taskId: string,
    fn: (ctx: TaskContext) => BranchResult | Promise<BranchResult>,
    options: TaskOptions = {},
  ): BranchOperator {
    return this.add(new BranchOperator({ ...options, taskId, fn }));
  }

  /** Adds a short circuit: a falsy result skips everything downstream. */
  shortCircuit(
    taskId: string,
    fn: (ctx: TaskContext) => unknown,
    options: TaskOptions & { ignoreDownstreamTriggerRules?: boolean } = {},
  ): ShortCircuitOperator {
    return this.add(new ShortCircuitOperator({ ...options, taskId, fn }));
  }

  /**
   * Makes a task group: `build` adds tasks to it, their ids prefixed with
   * `groupId.`; returns the group (link it with `group.then(...)`, or link
   * to it through `group.roots`).
   */
  group(groupId: string, build: (g: TaskGroup) => void): TaskGroup {
    const g = new TaskGroup(this, groupId);
    build(g);
    return g;
  }

  /** Adds an operator or sensor and returns it. Ids must be unique. */
  add<T extends Task>(task: T): T {
    if (!(task instanceof Task)) {
      throw new AirflowError(
        `Only tasks, operators and sensors can be added: ${String(task)}`,
      );
    }
    if (this.#tasks.has(task.taskId)) {
      throw new AirflowError(
        `Task id already in DAG ${this.dagId}: ${task.taskId}`,
      );
    }
    task[ATTACH](this);
    this.#tasks.set(task.taskId, task);
    this.#graph = undefined;
    return task;
  }

  /**
   * Links its arguments in order, like Airflow's `chain`: a list fans out or
   * in, and two adjacent lists of the same length link pairwise.
   */
  chain(...items: (Task | Task[])[]): void {
    for (let i = 0; i + 1 < items.length; i++) {
      const a = items[i]!;
      const b = items[i + 1]!;
      if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) {
          throw new AirflowError(
            `Adjacent lists in chain must have the same length: ${a.length} and ${b.length}`,
          );
        }
        a.forEach((t, k) => t.then(b[k]!));
      } else if (Array.isArray(a)) {
        for (const t of a) t.then(b as Task);
      } else {
        a.then(b as Task | Task[] as Task[]);
      }
    }
  }

  /** The task with id `taskId`; throws when there is none. */
  getTask(taskId: string): Task {
    const t = this.#tasks.get(taskId);
    if (!t) {
      throw new AirflowError(`Unknown task id in DAG ${this.dagId}: ${taskId}`);
    }
    return t;
  }

  /** True when the DAG has a task with id `taskId`. */
  hasTask(taskId: string): boolean {
    return this.#tasks.has(taskId);
  }

  /** Every task, in the order added. */
  get tasks(): Task[] {
    return [...this.#tasks.values()];
  }

  /** Every task id, in the order added. */
  get taskIds(): string[] {
    return [...this.#tasks.keys()];
  }

  /**
   * Task ids in the order a one-slot executor starts them when every task
   * succeeds: Kahn's algorithm, ready tasks by effective priority weight
   * descending, then task id. Throws on a cycle, naming its path.
   */
  topologicalOrder(): string[] {
    const g = this[GRAPH]();
    return priorityOrder(g).map((i) => g.tasks[i]!.taskId);
  }

  /** Effective priority weights by task id (after `weightRule`). */
  priorityWeights(): Record<string, number> {
    const g = this[GRAPH]();
    const out: Record<string, number> = {};
    g.tasks.forEach((t, i) => (out[t.taskId] = g.weights[i]!));
    return out;
  }

  /** Throws an {@linkcode AirflowError} if the DAG has a cycle. */
  validate(): void {
    this[GRAPH]();
  }

  /**
   * Runs one DAG run in this process, like `airflow dags test`, and resolves
   * with every task's outcome. With `stateDir` (or `store`) the run is saved
   * after every transition, and the same `runId` resumes it.
   */
  test(options: DagTestOptions = {}): Promise<DagRunResult> {
    return runDag(this, options);
  }

  /**
   * The compiled graph (cached until the DAG changes).
   * @ignore
   */
  [GRAPH](): Graph {
    this.#graph ??= compileGraph(
      this.dagId,
      this.tasks,
      (t) => t[DOWNSTREAM](),
    );
    return this.#graph;
  }

  /**
   * Default task options (for tasks).
   * @ignore
   */
  [DEFAULTS](): TaskOptions {
    return this.#defaults;
  }

  /**
   * Drops the compiled graph after an edge changes.
   * @ignore
   */
  [TOUCH](): void {
    this.#graph = undefined;
  }
}

function _toMs(
  name: string,
  v: Date | number | string | undefined,
): number | undefined {
  if (v === undefined) return undefined;
  const ms = v instanceof Date
    ? v.getTime()
    : typeof v === "number"
    ? v
    : Date.parse(v);
  if (!Number.isFinite(ms)) {
    throw new AirflowError(`DAG ${name} is not a valid date: ${String(v)}`);
  }
  return ms;
}

function _positive(name: string, v: number | undefined): number {
  const x = v ?? 16;
  if (!(x === Infinity || (Number.isInteger(x) && x > 0))) {
    throw new AirflowError(`DAG ${name} must be a positive integer: ${x}`);
  }
  return x;
}
