/**
 * A task: one node of a DAG, with its options and its edges.
 *
 * @module
 */

import type { Clock } from "../internal/clock.ts";
import { AirflowError } from "./errors.ts";
import type { TriggerRule, WeightRule } from "./states.ts";
import {
  ATTACH,
  checkId,
  checkOptions,
  DEFAULTS,
  DOWNSTREAM,
  PREFIX_ID,
  type TaskOwner,
  TOUCH,
} from "./_checks.ts";

/** Per-task options; a DAG's `defaultArgs` fill in what a task leaves out. */
export interface TaskOptions {
  /**
   * How many times a failed try is retried.
   * @default {0}
   */
  retries?: number;
  /**
   * Milliseconds to wait before a retry.
   * @default {300000}
   */
  retryDelay?: number;
  /**
   * Double the delay after each failed try (`retryDelay * 2^(try-1)`).
   * @default {false}
   */
  retryExponentialBackoff?: boolean;
  /**
   * Upper bound on the retry delay in milliseconds.
   * @default {86400000}
   */
  maxRetryDelay?: number;
  /**
   * Milliseconds a try may run before its signal aborts and the try fails;
   * `undefined` means no limit.
   * @default {undefined}
   */
  executionTimeout?: number;
  /**
   * The task's own priority; ready tasks run highest effective weight first.
   * @default {1}
   */
  priorityWeight?: number;
  /**
   * How the effective weight is summed from relatives.
   * @default {"downstream"}
   */
  weightRule?: WeightRule;
  /**
   * When the task may run given its upstream states.
   * @default {"all_success"}
   */
  triggerRule?: TriggerRule;
  /**
   * Name of the pool whose slots bound how many such tasks run at once.
   * @default {"default_pool"}
   */
  pool?: string;
  /**
   * Slots the task takes in its pool while it runs.
   * @default {1}
   */
  poolSlots?: number;
  /**
   * A setup task: creates what the tasks after it use (Airflow's
   * `is_setup`). A teardown downstream of it runs if it succeeded.
   * @default {false}
   */
  isSetup?: boolean;
  /**
   * A teardown task: cleans up after its setups whatever happened in
   * between. Its trigger rule defaults to `all_done_setup_success`, and its
   * outcome does not decide the run's state unless `onFailureFailDagrun`.
   * @default {false}
   */
  isTeardown?: boolean;
  /**
   * For a teardown: a failure fails the run as any leaf task's would.
   * @default {false}
   */
  onFailureFailDagrun?: boolean;
  /**
   * Most instances of this task running at once across the DAG's runs
   * (and across a mapped task's instances).
   * @default {undefined}
   */
  maxActiveTisPerDag?: number;
  /**
   * Run only once this task succeeded (or was skipped) in the DAG's
   * previous run (by logical date); until then the task waits.
   * @default {false}
   */
  dependsOnPast?: boolean;
  /**
   * Called before each try runs (errors are logged, not fatal).
   * @default {undefined}
   */
  onExecuteCallback?: TaskCallback;
  /**
   * Called when the task succeeds.
   * @default {undefined}
   */
  onSuccessCallback?: TaskCallback;
  /**
   * Called when the task fails for good.
   * @default {undefined}
   */
  onFailureCallback?: TaskCallback;
  /**
   * Called when a try fails and the task will be retried.
   * @default {undefined}
   */
  onRetryCallback?: TaskCallback;
}

/** A task callback: the try's context, with the error for failures. */
export type TaskCallback = (
  ctx: TaskContext & { exception?: unknown },
) => unknown;

/** Task options with every default filled in. */
export interface ResolvedTaskOptions {
  /** See {@linkcode TaskOptions.retries}. */
  retries: number;
  /** See {@linkcode TaskOptions.retryDelay}. */
  retryDelay: number;
  /** See {@linkcode TaskOptions.retryExponentialBackoff}. */
  retryExponentialBackoff: boolean;
  /** See {@linkcode TaskOptions.maxRetryDelay}. */
  maxRetryDelay: number;
  /** See {@linkcode TaskOptions.executionTimeout}. */
  executionTimeout: number | undefined;
  /** See {@linkcode TaskOptions.priorityWeight}. */
  priorityWeight: number;
  /** See {@linkcode TaskOptions.weightRule}. */
  weightRule: WeightRule;
  /** See {@linkcode TaskOptions.triggerRule}. */
  triggerRule: TriggerRule;
  /** See {@linkcode TaskOptions.pool}. */
  pool: string;
  /** See {@linkcode TaskOptions.poolSlots}. */
  poolSlots: number;
  /** See {@linkcode TaskOptions.isSetup}. */
  isSetup: boolean;
  /** See {@linkcode TaskOptions.isTeardown}. */
  isTeardown: boolean;
  /** See {@linkcode TaskOptions.onFailureFailDagrun}. */
  onFailureFailDagrun: boolean;
  /** See {@linkcode TaskOptions.maxActiveTisPerDag}. */
  maxActiveTisPerDag: number | undefined;
  /** See {@linkcode TaskOptions.dependsOnPast}. */
  dependsOnPast: boolean;
  /** See {@linkcode TaskOptions.onExecuteCallback}. */
  onExecuteCallback: TaskCallback | undefined;
  /** See {@linkcode TaskOptions.onSuccessCallback}. */
  onSuccessCallback: TaskCallback | undefined;
  /** See {@linkcode TaskOptions.onFailureCallback}. */
  onFailureCallback: TaskCallback | undefined;
  /** See {@linkcode TaskOptions.onRetryCallback}. */
  onRetryCallback: TaskCallback | undefined;
}

/** The run's data interval: the span of time a scheduled run covers. */
export interface DataInterval {
  /** Start of the interval (inclusive); equals the logical date. */
  start: Date;
  /** End of the interval (exclusive); the run is created at this time. */
  end: Date;
}

/** What a task function receives, like Airflow's task context. */
export interface TaskContext {
  /** The DAG's id. */
  dagId: string;
  /** The run's id, e.g. `"manual__2024-01-01T00:00:00.000Z"`. */
  runId: string;
  /** This task's id. */
  taskId: string;
  /** The run's logical date (start of its data interval). */
  logicalDate: Date;
  /** The run's data interval. */
  dataInterval: DataInterval;
  /** 1 for the first try, 2 for the first retry, and so on. */
  tryNumber: number;
  /** The DAG's params merged with the run's. */
  params: Record<string, unknown>;
  /** Reads upstream values and pushes this task's own (Airflow's XCom). */
  xcom: {
    /**
     * The JSON value `taskId` returned in this run (`key` omitted or
     * `"return_value"`), or the one it pushed under `key`; `undefined` when
     * there is none.
     */
    pull<T = unknown>(taskId: string, key?: string): T | undefined;
    /** Keeps a JSON value under `key` for downstream tasks to pull. */
    push(key: string, value: unknown): void;
  };
  /** The instance's map index: -1 unless the task is mapped (`expand`). */
  mapIndex: number;
  /** A mapped task's arguments: its `partial` ones and this instance's. */
  args: Record<string, unknown>;
  /** Writes to this try's log (`deno task airflow tasks logs` shows it). */
  log: TaskLogger;
  /**
   * Renders a template against Airflow's context variables (`{{ ds }}`,
   * `{{ params.x }}`, `{{ ti.xcom_pull(task_ids='a') }}`, …; see
   * `templates.ts`).
   */
  render(template: string): Promise<string>;
  /** Aborts when the execution timeout passes or the run is cancelled. */
  signal: AbortSignal;
  /** The run's clock; sleep on it rather than on timers. */
  clock: Clock;
}

/** A try's logger, with Python logging's level names. */
export interface TaskLogger {
  /** Logs at INFO. */
  info(...args: unknown[]): void;
  /** Logs at WARNING. */
  warning(...args: unknown[]): void;
  /** Logs at ERROR. */
  error(...args: unknown[]): void;
}

/** A task body: its return value (if JSON) becomes the task's XCom. */
export type TaskFn = (ctx: TaskContext) => unknown;

/** A reference to a task's XCom, to expand a mapped task over. */
export class XComArg {
  /** Refers to `taskId`'s value under `key`. */
  constructor(readonly taskId: string, readonly key: string = "return_value") {}
}

/** Things `then` accepts: a task, a task id, or a list of them. */
export type TaskRef = Task | string;

/**
 * One node of a DAG. `dag.task(id, fn)` makes one that calls `fn`;
 * operators and sensors extend it and override {@linkcode Task.execute}.
 *
 * @example Wire two tasks
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG } from "./mod.ts";
 * const dag = new DAG("wire");
 * const extract = dag.task("extract", () => [1, 2, 3]);
 * const load = dag.task("load", (ctx) => ctx.xcom.pull<number[]>("extract")?.length);
 * extract.then(load);
 * const result = await dag.test();
 * assert.deepEqual(result.tasks.load?.xcom, 3);
 * ```
 */
export class Task {
  #taskId: string;
  #own: TaskOptions;
  #fn: TaskFn | undefined;
  #dag: TaskOwner | undefined;
  #upstream = new Set<Task>();
  #partial: Record<string, unknown> = {};
  #expand: Record<string, unknown[] | XComArg> | undefined;
  #downstream = new Set<Task>();

  /**
   * Makes a task. Prefer `dag.task(...)`; subclasses pass no `fn` and
   * override {@linkcode Task.execute}.
   */
  constructor(taskId: string, options: TaskOptions = {}, fn?: TaskFn) {
    this.#taskId = checkId("Task", taskId);
    if (fn !== undefined && typeof fn !== "function") {
      throw new AirflowError(
        `Task callable must be a function: ${taskId} got ${typeof fn}`,
      );
    }
    checkOptions(options);
    this.#own = { ...options };
    this.#fn = fn;
  }

  /** The task's id, unique in its DAG (with its task groups' prefix). */
  get taskId(): string {
    return this.#taskId;
  }

  /**
   * Prefixes the id with a task group's (`group.task`), before the task
   * joins its DAG.
   * @ignore
   */
  [PREFIX_ID](prefix: string): void {
    if (this.#dag) {
      throw new AirflowError(
        `Task already belongs to DAG ${this.#dag.dagId}: ${this.#taskId}`,
      );
    }
    this.#taskId = checkId("Task", `${prefix}${this.#taskId}`);
  }

  /** The DAG the task belongs to, once added. */
  get dagId(): string | undefined {
    return this.#dag?.dagId;
  }

  /** Options with the DAG's `defaultArgs` and the defaults applied. */
  get options(): ResolvedTaskOptions {
    const d = { ...this.#dag?.[DEFAULTS](), ...stripUndefined(this.#own) };
    // Setup and teardown are a task's own role, never inherited.
    const isTeardown = this.#own.isTeardown ?? false;
    return {
      retries: d.retries ?? 0,
      retryDelay: d.retryDelay ?? 300_000,
      retryExponentialBackoff: d.retryExponentialBackoff ?? false,
      maxRetryDelay: d.maxRetryDelay ?? 86_400_000,
      executionTimeout: d.executionTimeout,
      priorityWeight: d.priorityWeight ?? 1,
      weightRule: d.weightRule ?? "downstream",
      triggerRule: this.#own.triggerRule ??
        (isTeardown ? "all_done_setup_success" : d.triggerRule) ??
        "all_success",
      pool: d.pool ?? "default_pool",
      poolSlots: d.poolSlots ?? 1,
      isSetup: this.#own.isSetup ?? false,
      isTeardown,
      onFailureFailDagrun: this.#own.onFailureFailDagrun ?? false,
      maxActiveTisPerDag: d.maxActiveTisPerDag,
      dependsOnPast: d.dependsOnPast ?? false,
      onExecuteCallback: d.onExecuteCallback,
      onSuccessCallback: d.onSuccessCallback,
      onFailureCallback: d.onFailureCallback,
      onRetryCallback: d.onRetryCallback,
    };
  }

  /** Ids of the direct upstream tasks. */
  get upstreamIds(): string[] {
    return [...this.#upstream].map((t) => t.taskId);
  }

  /** Ids of the direct downstream tasks. */
  get downstreamIds(): string[] {
    return [...this.#downstream].map((t) => t.taskId);
  }

  /**
   * Direct downstream tasks (internal, no copy).
   * @ignore
   */
  [DOWNSTREAM](): Set<Task> {
    return this.#downstream;
  }

  /**
   * Called by the DAG when the task is added.
   * @ignore
   */
  [ATTACH](dag: TaskOwner): void {
    if (this.#dag && this.#dag !== dag) {
      throw new AirflowError(
        `Task already belongs to DAG ${this.#dag.dagId}: ${this.taskId}`,
      );
    }
    this.#dag = dag;
  }

  /**
   * Makes `next` run after this task and returns `next`, so chains read left
   * to right: `a.then(b).then([c, d])`.
   */
  then<T extends Task>(next: T): T;
  /** Makes every task in `next` run after this task and returns `next`. */
  then<T extends Task>(next: T[]): T[];
  /** Makes the task with id `next` run after this one and returns it. */
  then(next: string): Task;
  /** Makes every listed task run after this one and returns them. */
  then(next: TaskRef[]): Task[];
  then(next: TaskRef | TaskRef[]): Task | Task[] {
    const dag = this.#dag;
    if (!dag) {
      throw new AirflowError(`Task is not in a DAG: ${this.taskId}`);
    }
    const resolve = (ref: TaskRef): Task => {
      if (typeof ref === "string") return dag.getTask(ref);
      if (!(ref instanceof Task)) {
        throw new AirflowError(
          `Downstream must be a task or a task id: ${String(ref)}`,
        );
      }
      if (ref.#dag !== dag) {
        throw new AirflowError(
          `Task is not in DAG ${dag.dagId}: ${ref.taskId}`,
        );
      }
      return ref;
    };
    const list = Array.isArray(next) ? next.map(resolve) : [resolve(next)];
    for (const t of list) {
      if (t === this) {
        throw new AirflowError(
          `Cycle detected in DAG ${dag.dagId}: ${t.taskId} -> ${t.taskId}`,
        );
      }
      this.#downstream.add(t);
      t.#upstream.add(this);
    }
    dag[TOUCH]();
    return Array.isArray(next) ? list : list[0]!;
  }

  /** This task's return value, to `expand` another task over. */
  get output(): XComArg {
    return new XComArg(this.taskId);
  }

  /** Whether the task is mapped (has `expand` arguments). */
  get isMapped(): boolean {
    return this.#expand !== undefined;
  }

  /** The constant arguments of a mapped task. */
  get partialArgs(): Record<string, unknown> {
    return { ...this.#partial };
  }

  /** The arguments a mapped task expands over. */
  get expandArgs(): Record<string, unknown[] | XComArg> | undefined {
    return this.#expand && { ...this.#expand };
  }

  /**
   * Arguments every mapped instance gets (Airflow's `partial`), in
   * `ctx.args`. Returns the task.
   */
  partial(args: Record<string, unknown>): this {
    this.#partial = { ...this.#partial, ...args };
    return this;
  }

  /**
   * Maps the task: one instance per element (per combination, for several
   * arguments) of each list or upstream XCom, made when the task runs,
   * with map indexes from 0; each sees its values in `ctx.args`. Downstream
   * tasks pull the list of results. Returns the task.
   */
  expand(args: Record<string, unknown[] | XComArg>): this {
    const keys = Object.keys(args);
    if (keys.length === 0) {
      throw new AirflowError(`Task expand needs an argument: ${this.taskId}`);
    }
    for (const k of keys) {
      const v = args[k];
      if (!Array.isArray(v) && !(v instanceof XComArg)) {
        throw new AirflowError(
          `Task expand takes lists or task outputs: ${this.taskId} ${k}=${
            JSON.stringify(v)
          }`,
        );
      }
      if (v instanceof XComArg && this.#dag && !this.#dag.hasTask(v.taskId)) {
        throw new AirflowError(
          `Unknown task id in expand of ${this.taskId}: ${v.taskId}`,
        );
      }
    }
    this.#expand = { ...args };
    // An upstream output it expands over is upstream of it.
    for (const v of Object.values(args)) {
      if (v instanceof XComArg && this.#dag) {
        const up = this.#dag.getTask(v.taskId);
        if (!up.downstreamIds.includes(this.taskId)) up.then(this);
      }
    }
    return this;
  }

  /**
   * Marks the task a setup task (Airflow's `as_setup()`) and returns it.
   */
  asSetup(): this {
    if (this.#own.isTeardown) {
      throw new AirflowError(
        `Task cannot be both setup and teardown: ${this.taskId}`,
      );
    }
    this.#own.isSetup = true;
    this.#dag?.[TOUCH]();
    return this;
  }

  /**
   * Marks the task a teardown task (Airflow's `as_teardown()`): its
   * trigger rule becomes `all_done_setup_success` unless it set one, and
   * each of `options.setups` is linked upstream of it. Returns the task.
   */
  asTeardown(
    options: { setups?: Task | Task[]; onFailureFailDagrun?: boolean } = {},
  ): this {
    if (this.#own.isSetup) {
      throw new AirflowError(
        `Task cannot be both setup and teardown: ${this.taskId}`,
      );
    }
    this.#own.isTeardown = true;
    if (options.onFailureFailDagrun !== undefined) {
      this.#own.onFailureFailDagrun = options.onFailureFailDagrun;
    }
    const setups = options.setups === undefined
      ? []
      : Array.isArray(options.setups)
      ? options.setups
      : [options.setups];
    for (const s of setups) {
      if (!s.options.isSetup) s.asSetup();
      s.then(this);
    }
    this.#dag?.[TOUCH]();
    return this;
  }

  /**
   * Runs one try. The return value becomes the task's XCom. Subclasses
   * override this.
   */
  execute(ctx: TaskContext): unknown {
    if (!this.#fn) {
      throw new AirflowError(`Task has no callable: ${this.taskId}`);
    }
    return this.#fn(ctx);
  }
}

function stripUndefined(o: TaskOptions): TaskOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as TaskOptions;
}

/**
 * The task `dag.task(id, fn)` and `group.task(id, fn)` make: one that calls
 * `fn`, which must be given (an operator's constructor may leave it out).
 */
export function callableTask(
  taskId: string,
  fn: TaskFn,
  options: TaskOptions,
): Task {
  if (typeof fn !== "function") {
    throw new AirflowError(
      `Task callable must be a function: ${String(taskId)} got ${typeof fn}`,
    );
  }
  return new Task(taskId, options, fn);
}
