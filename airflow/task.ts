/**
 * A task: one node of a DAG, with its options and its edges.
 *
 * @module
 */

import type { Clock } from "../internal/clock.ts";
import { AirflowError } from "./errors.ts";
import type { TriggerRule, WeightRule } from "./states.ts";
import { _isTriggerRule } from "./trigger_rules.ts";

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
}

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
  /** Reads upstream return values. */
  xcom: {
    /** The JSON value `taskId` returned in this run, or `undefined`. */
    pull<T = unknown>(taskId: string): T | undefined;
  };
  /** Aborts when the execution timeout passes or the run is cancelled. */
  signal: AbortSignal;
  /** The run's clock; sleep on it rather than on timers. */
  clock: Clock;
}

/** A task body: its return value (if JSON) becomes the task's XCom. */
export type TaskFn = (ctx: TaskContext) => unknown;

/** The part of a DAG a task needs: looking up tasks by id. */
export interface _TaskOwner {
  readonly dagId: string;
  getTask(taskId: string): Task;
  _defaults(): TaskOptions;
  _touch(): void;
}

const TASK_ID = /^[A-Za-z0-9_.-]{1,250}$/;

/** Checks a task or DAG id against Airflow's key rule. */
export function _checkId(kind: string, id: unknown): string {
  if (typeof id !== "string" || !TASK_ID.test(id)) {
    throw new AirflowError(
      `${kind} id must match [A-Za-z0-9_.-]{1,250}: ${JSON.stringify(id)}`,
    );
  }
  return id;
}

function nonNegative(name: string, v: unknown, integer = false): void {
  if (v === undefined) return;
  if (
    typeof v !== "number" || !(v >= 0) || (integer && !Number.isInteger(v))
  ) {
    throw new AirflowError(
      `Task option ${name} must be a non-negative ${
        integer ? "integer" : "number"
      }: ${String(v)}`,
    );
  }
}

/** Validates task options, throwing an {@linkcode AirflowError} on bad values. */
export function _checkOptions(o: TaskOptions): void {
  nonNegative("retries", o.retries, true);
  nonNegative("retryDelay", o.retryDelay);
  nonNegative("maxRetryDelay", o.maxRetryDelay);
  nonNegative("poolSlots", o.poolSlots, true);
  if (o.executionTimeout !== undefined) {
    nonNegative("executionTimeout", o.executionTimeout);
  }
  if (o.priorityWeight !== undefined && !Number.isFinite(o.priorityWeight)) {
    throw new AirflowError(
      `Task option priorityWeight must be a finite number: ${o.priorityWeight}`,
    );
  }
  if (o.triggerRule !== undefined && !_isTriggerRule(o.triggerRule)) {
    throw new AirflowError(`Unknown trigger rule: "${o.triggerRule}"`);
  }
  if (
    o.weightRule !== undefined &&
    !["downstream", "upstream", "absolute"].includes(o.weightRule)
  ) {
    throw new AirflowError(`Unknown weight rule: "${o.weightRule}"`);
  }
}

/** Things `then` accepts: a task, a task id, or a list of them. */
export type TaskRef = Task | string;

/**
 * One node of a DAG. `dag.task(id, fn)` makes one that calls `fn`;
 * operators and sensors extend it and override {@linkcode Task.execute}.
 *
 * @example Wire two tasks
 * ```ts
 * import { DAG } from "./mod.ts";
 * const dag = new DAG("wire");
 * const extract = dag.task("extract", () => [1, 2, 3]);
 * const load = dag.task("load", (ctx) => ctx.xcom.pull<number[]>("extract")?.length);
 * extract.then(load);
 * const result = await dag.test();
 * console.log(result.tasks.load?.xcom); // 3
 * ```
 */
export class Task {
  /** The task's id, unique in its DAG. */
  readonly taskId: string;
  #own: TaskOptions;
  #fn: TaskFn | undefined;
  #dag: _TaskOwner | undefined;
  #upstream = new Set<Task>();
  #downstream = new Set<Task>();

  /**
   * Makes a task. Prefer `dag.task(...)`; subclasses pass no `fn` and
   * override {@linkcode Task.execute}.
   */
  constructor(taskId: string, options: TaskOptions = {}, fn?: TaskFn) {
    this.taskId = _checkId("Task", taskId);
    if (fn !== undefined && typeof fn !== "function") {
      throw new AirflowError(
        `Task callable must be a function: ${taskId} got ${typeof fn}`,
      );
    }
    _checkOptions(options);
    this.#own = { ...options };
    this.#fn = fn;
  }

  /** The DAG the task belongs to, once added. */
  get dagId(): string | undefined {
    return this.#dag?.dagId;
  }

  /** Options with the DAG's `defaultArgs` and the defaults applied. */
  get options(): ResolvedTaskOptions {
    const d = { ...this.#dag?._defaults(), ...stripUndefined(this.#own) };
    return {
      retries: d.retries ?? 0,
      retryDelay: d.retryDelay ?? 300_000,
      retryExponentialBackoff: d.retryExponentialBackoff ?? false,
      maxRetryDelay: d.maxRetryDelay ?? 86_400_000,
      executionTimeout: d.executionTimeout,
      priorityWeight: d.priorityWeight ?? 1,
      weightRule: d.weightRule ?? "downstream",
      triggerRule: d.triggerRule ?? "all_success",
      pool: d.pool ?? "default_pool",
      poolSlots: d.poolSlots ?? 1,
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
  _downstream(): Set<Task> {
    return this.#downstream;
  }

  /**
   * Called by the DAG when the task is added.
   * @ignore
   */
  _attach(dag: _TaskOwner): void {
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
    dag._touch();
    return Array.isArray(next) ? list : list[0]!;
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
