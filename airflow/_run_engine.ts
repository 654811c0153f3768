/**
 * The run engine: one DAG run, driven by events. Each task keeps counters of
 * its upstream tasks' outcomes; when a task finishes, only its direct
 * downstream tasks are re-evaluated (O(1) each), the ones whose trigger rule
 * is met go into a priority heap, and free slots take tasks from the heap.
 *
 * @module
 */

import { type Clock, systemClock } from "../internal/clock.ts";
import {
  AirflowError,
  AirflowFailException,
  AirflowSensorTimeout,
  AirflowSkipException,
} from "./errors.ts";
import { SequentialExecutor } from "./executors.ts";
import { Slots, slotsOf } from "./_slots.ts";
import { JsonStateStore } from "./json_store.ts";
import { BranchOperator, ShortCircuitOperator } from "./operators.ts";
import { BaseSensor, type SensorContext } from "./sensors.ts";
import { FINISHED_STATES, TaskState } from "./states.ts";
import {
  type DagRunRecord,
  MemoryStateStore,
  type RunClaim,
  type RunType,
  type StateStore,
  type TaskInstanceRecord,
  type TryRecord,
} from "./store.ts";
import {
  type ResolvedTaskOptions,
  type Task,
  type TaskCallback,
  type TaskContext,
  type TaskLogger,
  XComArg,
} from "./task.ts";
import { formatLogLine, LOG_TAIL_LINES } from "./_task_log.ts";
import { clearedInstance } from "./_records.ts";
import { GRAPH } from "./_checks.ts";
import { resolveParams } from "./params.ts";
import { LazyNamespace, pythonIso, renderTemplate } from "./templates.ts";
import { Connection, Variable } from "./variables.ts";
import { evaluateTriggerRule } from "./trigger_rules.ts";
import { retryDelayMs } from "./_retry_delay.ts";
import { pythonTruthy } from "./_truthy.ts";
import type { Graph } from "./_graph.ts";
import { IntHeap } from "./_heap.ts";
import type {
  DAG,
  DagRunResult,
  DagTestOptions,
  TransitionHook,
} from "./dag.ts";

/** Resources shared by every run one caller starts. */
export interface RunResources {
  executor: Slots;
  clock: Clock;
  store: StateStore;
  persist: boolean;
  pools: Map<string, Slots>;
  dagSlots: Slots;
  /** Per-task limits (`maxActiveTisPerDag`) shared by the DAG's runs. */
  taskSlots?: Map<string, Slots>;
  onTransition?: TransitionHook;
  signal?: AbortSignal;
}

/** Pool sizes to slot counters; `default_pool` has 128 slots by default. */
export function makePools(
  sizes: Record<string, number> = {},
): Map<string, Slots> {
  const out = new Map<string, Slots>();
  for (const [name, size] of Object.entries({ default_pool: 128, ...sizes })) {
    if (!(size === Infinity || (Number.isInteger(size) && size > 0))) {
      throw new AirflowError(
        `Pool size must be a positive integer: ${name}=${size}`,
      );
    }
    out.set(name, new Slots(size));
  }
  return out;
}

/** A fresh run record with every task in state `none`. */
export function newRunRecord(
  dag: DAG,
  runId: string,
  runType: RunType,
  interval: { start: number; end: number },
  params: Record<string, unknown> = {},
  logicalDate: number = interval.start,
): DagRunRecord {
  const tasks: Record<string, TaskInstanceRecord> = {};
  for (const id of dag.taskIds) tasks[id] = { state: "none", tryNumber: 0 };
  return {
    dagId: dag.dagId,
    runId,
    runType,
    state: "queued",
    logicalDate,
    dataInterval: { start: interval.start, end: interval.end },
    params: resolveParams(dag.params, params),
    tasks,
  };
}

/**
 * The data interval of a manual run at `logical`, as Airflow infers it: on
 * a cron schedule the last complete interval before it, otherwise the
 * instant itself.
 */
export function manualInterval(
  dag: DAG,
  logical: number,
): { start: number; end: number } {
  return dag.timetable.manualInterval(logical);
}

/** `dag.test()`: load or create the run, then drive it to the end. */
export async function runDag(
  dag: DAG,
  o: DagTestOptions,
): Promise<DagRunResult> {
  const clock = o.clock ?? systemClock;
  const store = o.store ??
    (o.stateDir !== undefined ? new JsonStateStore(o.stateDir) : undefined);
  dag.validate();
  const logical = o.logicalDate === undefined
    ? clock.now()
    : o.logicalDate instanceof Date
    ? o.logicalDate.getTime()
    : o.logicalDate;
  if (!Number.isFinite(logical)) {
    throw new AirflowError(
      `Logical date is not a valid date: ${String(o.logicalDate)}`,
    );
  }
  const runId = o.runId ?? `manual__${new Date(logical).toISOString()}`;
  if (typeof runId !== "string" || runId.length === 0 || runId.length > 250) {
    throw new AirflowError(
      `Run id must be a string of 1 to 250 characters: ${
        JSON.stringify(runId)
      }`,
    );
  }
  // Own the run before reading it, so what is read is not someone's
  // work in progress.
  const claim = store?.claim?.(dag.dagId, runId);
  let record: DagRunRecord | undefined;
  try {
    record = store ? await store.load(dag.dagId, runId) : undefined;
  } catch (error) {
    claim?.release();
    throw error;
  }
  if (o.rerun && (record?.state === "success" || record?.state === "failed")) {
    for (const id of dag.taskIds) {
      const ti = record.tasks[id] ?? { state: "none", tryNumber: 0 };
      record.tasks[id] = clearedInstance(ti, dag.getTask(id).options.retries);
    }
    record.state = "queued";
    delete record.endDate;
    delete record.startDate;
  }
  record ??= newRunRecord(
    dag,
    runId,
    "manual",
    manualInterval(dag, logical),
    o.params,
    logical,
  );
  const shared: RunResources = {
    executor: slotsOf(o.executor ?? new SequentialExecutor()),
    clock,
    store: store ?? new MemoryStateStore(),
    persist: store !== undefined,
    pools: makePools(o.pools),
    dagSlots: new Slots(dag.maxActiveTasks),
    onTransition: o.onTransition,
    signal: o.signal,
  };
  return await new DagRunner(dag, record, shared, claim).run();
}

class Reschedule {
  constructor(readonly at: number) {}
}

type Outcome =
  | { kind: "success"; value: unknown }
  | { kind: "reschedule"; at: number }
  | { kind: "error"; error: unknown };

/** The reason internal timers are aborted with (a DOMException costs). */
const ENDED = new Error("Ended");

/** How often a `dependsOnPast` task looks at its previous run again. */
const PAST_POLL_MS = 5_000;

/**
 * The argument sets of a mapped task: the cross product of its `expand`
 * lists (upstream outputs pulled now; an object expands to its entries, a
 * missing value to nothing).
 */
function mapCombinations(
  task: Task,
  ctx: TaskContext,
): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [k, v] of Object.entries(task.expandArgs ?? {})) {
    let list: unknown = v instanceof XComArg
      ? ctx.xcom.pull(v.taskId, v.key)
      : v;
    if (list === undefined || list === null) list = [];
    if (!Array.isArray(list)) {
      if (typeof list !== "object") {
        throw new AirflowError(
          `Cannot expand ${task.taskId} over ${k}: not a list or object: ${
            JSON.stringify(list)
          }`,
        );
      }
      list = Object.entries(list as object);
    }
    const values = list as unknown[];
    combos = combos.flatMap((c) => values.map((x) => ({ ...c, [k]: x })));
  }
  return combos;
}

const RESET_ON_RESUME = new Set<TaskState>(["running", "queued", "scheduled"]);
const KNOWN_STATES = new Set<string>(Object.values(TaskState));

/** Drives one run; several runners may share an executor, pools and limits. */
export class DagRunner {
  #dag: DAG;
  #g: Graph;
  #rec: DagRunRecord;
  #sh: RunResources;
  #n: number;
  #ids: string[];
  #opts: ResolvedTaskOptions[];
  #ti: TaskInstanceRecord[];
  #state: TaskState[];
  #successCount: Int32Array;
  #skippedCount: Int32Array;
  #failedCount: Int32Array;
  #upstreamFailedCount: Int32Array;
  #doneCount: Int32Array;
  #setupSuccessCount: Int32Array;
  #setupSkippedCount: Int32Array;
  #heap: IntHeap;
  #poolWait = new Map<string, number[]>();
  #continuing = new Set<number>();
  #work: number[] = [];
  #running = 0;
  #finished = 0;
  #timers = new Map<number, number>();
  #timerAbort: AbortController | undefined;
  #timerDue = Infinity;
  #aborts = new Set<AbortController>();
  #unsubscribe: (() => void)[] = [];
  #done = false;
  #cancelled = false;
  #resolve!: (r: DagRunResult) => void;
  #reject!: (e: unknown) => void;
  #saving: Promise<void> | undefined;
  #dirty = false;
  #saveError: unknown;
  #hookError: unknown;
  /** Task ids changed since the last save; undefined until the first save. */
  #changed: Set<string> | undefined;
  /** A copy of the run's params, so tasks cannot change the stored ones. */
  #params: Record<string, unknown>;
  /** This process's ownership of the run, given up when the run ends. */
  #claim: RunClaim | undefined;
  /** The context of each running try, for its end callbacks. */
  #contexts = new Map<number, SensorContext>();
  /** Callbacks in flight; the run resolves after them. */
  #callbacks = new Set<Promise<void>>();
  /** Tasks waiting on their previous run (`dependsOnPast`). */
  #pastWaiting = new Set<number>();
  /** Tasks whose previous run allowed them to run. */
  #pastMet = new Set<number>();
  #timedOut = false;
  /** Whether this run asked the executor or DAG slots to wake it. */
  #awaitingSlot = false;
  /** Aborted when the run ends: its timeout and past-run polls stop. */
  #runAbort = new AbortController();
  /** Each task's `maxActiveTisPerDag` slots, if it has a limit. */
  #taskLimits: (Slots | undefined)[] = [];
  /** Log lines of each running try. */
  #logs = new Map<number, string[]>();
  #logWrites: Promise<void> = Promise.resolve();

  constructor(
    dag: DAG,
    record: DagRunRecord,
    shared: RunResources,
    claim?: RunClaim,
  ) {
    this.#claim = claim;
    this.#dag = dag;
    this.#g = dag[GRAPH]();
    this.#rec = record;
    this.#sh = shared;
    const n = this.#n = this.#g.tasks.length;
    this.#ids = this.#g.tasks.map((t) => t.taskId);
    this.#opts = this.#g.tasks.map((t) => t.options);
    this.#successCount = new Int32Array(n);
    this.#skippedCount = new Int32Array(n);
    this.#failedCount = new Int32Array(n);
    this.#upstreamFailedCount = new Int32Array(n);
    this.#doneCount = new Int32Array(n);
    this.#setupSuccessCount = new Int32Array(n);
    this.#setupSkippedCount = new Int32Array(n);
    this.#heap = new IntHeap(this.#g.rank);
    this.#ti = this.#ids.map((id) =>
      record.tasks[id] ??= { state: "none", tryNumber: 0 }
    );
    for (const id of Object.keys(record.tasks)) {
      if (!this.#g.index.has(id)) record.tasks[id]!.state = "removed";
    }
    this.#state = this.#ti.map((t) => t.state);
    this.#params = structuredClone(record.params);
  }

  /** The run id. */
  get runId(): string {
    return this.#rec.runId;
  }

  /** Drives the run to the end; resolves with a copy of the final record. */
  run(): Promise<DagRunResult> {
    try {
      return this.#start();
    } catch (error) {
      this.#claim?.release();
      throw error;
    }
  }

  #start(): Promise<DagRunResult> {
    for (let i = 0; i < this.#n; i++) {
      const o = this.#opts[i]!;
      const pool = this.#sh.pools.get(o.pool);
      if (!pool) {
        throw new AirflowError(
          `Unknown pool for task ${this.#ids[i]}: "${o.pool}"`,
        );
      }
      if (o.poolSlots > pool.limit) {
        throw new AirflowError(
          `Task ${
            this.#ids[i]
          } needs more slots than pool ${o.pool} has: ${o.poolSlots}`,
        );
      }
    }
    for (let i = 0; i < this.#n; i++) {
      const s: string = this.#state[i]!;
      if (!KNOWN_STATES.has(s)) {
        throw new AirflowError(
          `Task ${
            this.#ids[i]
          } of run ${this.#rec.dagId}/${this.#rec.runId} has an unknown state: ${
            JSON.stringify(s)
          }`,
        );
      }
    }
    const now = this.#sh.clock.now();
    if (this.#rec.state !== "success" && this.#rec.state !== "failed") {
      delete this.#rec.endDate;
    }
    this.#rec.state = "running";
    this.#rec.startDate ??= now;
    for (let i = 0; i < this.#n; i++) {
      const s = this.#state[i]!;
      const ti = this.#ti[i]!;
      if (RESET_ON_RESUME.has(s)) {
        // A try a killed process left behind: run it again as a new try.
        this.#set(i, "none");
        this.#continuing.delete(i);
      } else if (s === "up_for_retry" || s === "up_for_reschedule") {
        if (s === "up_for_reschedule") this.#continuing.add(i);
        this.#timers.set(i, ti.nextAttemptAt ?? now);
      }
    }
    this.#skipPreviouslySkipped(now);
    for (let i = 0; i < this.#n; i++) {
      const s = this.#state[i]!;
      if (FINISHED_STATES.has(s)) {
        this.#finished++;
        for (const d of this.#g.down[i]!) this.#count(i, d, s);
      }
    }
    for (let i = 0; i < this.#n; i++) {
      if (this.#state[i] === "none") this.#work.push(i);
    }

    const taskSlots = this.#sh.taskSlots ?? new Map<string, Slots>();
    for (let i = 0; i < this.#n; i++) {
      const max = this.#opts[i]!.maxActiveTisPerDag;
      if (max === undefined) continue;
      const key = `${this.#rec.dagId}.${this.#ids[i]}`;
      let slots = taskSlots.get(key);
      if (!slots || slots.limit !== max) {
        taskSlots.set(key, slots = new Slots(max));
      }
      this.#taskLimits[i] = slots;
    }
    const timeout = this.#dag.dagrunTimeout;
    if (timeout !== undefined) {
      const left = this.#rec.startDate! + timeout - now;
      this.#sh.clock.sleep(Math.max(0, left), this.#runAbort.signal).then(
        () => this.#timeOut(timeout),
        () => {},
      );
    }
    const signal = this.#sh.signal;
    if (signal) {
      const onAbort = () => this.#cancel();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unsubscribe.push(() =>
        signal.removeEventListener("abort", onAbort)
      );
    }
    const result = new Promise<DagRunResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#markDirty();
    if (signal?.aborted) this.#cancel();
    this.#step();
    return result;
  }

  #step(): void {
    try {
      this.#settle();
      this.#armTimer();
      this.#dispatch();
      this.#checkDone();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    for (const ac of this.#aborts) ac.abort(error);
    this.#cleanup();
    this.#flush().finally(() => this.#claim?.release());
    this.#reject(error);
  }

  #set(i: number, s: TaskState): void {
    this.#state[i] = s;
    const ti = this.#ti[i]!;
    ti.state = s;
    this.#changed?.add(this.#ids[i]!);
    const hook = this.#sh.onTransition;
    if (hook) {
      try {
        hook(this.#ids[i]!, s, ti.tryNumber);
      } catch (error) {
        // A broken progress hook must not leave slots taken mid-transition;
        // the run finishes and then rejects with the hook's error.
        this.#hookError ??= error;
      }
    }
    this.#markDirty();
  }

  /**
   * A cleared task that a branch or short circuit upstream skipped, when
   * that task's decision still stands (it was not cleared), is skipped
   * again, as Airflow's `NotPreviouslySkippedDep` does.
   */
  #skipPreviouslySkipped(now: number): void {
    for (let i = 0; i < this.#n; i++) {
      if (this.#state[i] !== "none") continue;
      const id = this.#ids[i]!;
      for (const u of this.#g.up[i]!) {
        if (
          this.#state[u] === "success" &&
          this.#ti[u]!.skippedDownstream?.includes(id)
        ) {
          this.#ti[i]!.endDate = now;
          this.#set(i, "skipped");
          break;
        }
      }
    }
  }

  #count(u: number, d: number, s: TaskState): void {
    this.#doneCount[d]!++;
    const setup = this.#g.isSetup[u] === 1;
    if (s === "success") {
      this.#successCount[d]!++;
      if (setup) this.#setupSuccessCount[d]!++;
    } else if (s === "skipped") {
      this.#skippedCount[d]!++;
      if (setup) this.#setupSkippedCount[d]!++;
    } else if (s === "failed") this.#failedCount[d]!++;
    else if (s === "upstream_failed") this.#upstreamFailedCount[d]!++;
  }

  /** Settles a task in a finished state and queues its downstream tasks. */
  #finish(i: number, s: TaskState): void {
    const ti = this.#ti[i]!;
    ti.endDate ??= this.#sh.clock.now();
    this.#finished++;
    this.#set(i, s);
    for (const d of this.#g.down[i]!) {
      this.#count(i, d, s);
      if (this.#state[d] === "none") this.#work.push(d);
    }
  }

  /** Evaluates trigger rules of queued candidates until nothing changes. */
  #settle(): void {
    const work = this.#work;
    while (work.length > 0) {
      const i = work.pop()!;
      if (this.#state[i] !== "none") continue;
      const decision = evaluateTriggerRule(this.#opts[i]!.triggerRule, {
        upstream: this.#g.up[i]!.length,
        success: this.#successCount[i]!,
        skipped: this.#skippedCount[i]!,
        failed: this.#failedCount[i]!,
        upstreamFailed: this.#upstreamFailedCount[i]!,
        done: this.#doneCount[i]!,
        setupUpstream: this.#g.setupUp[i]!,
        setupSuccess: this.#setupSuccessCount[i]!,
        setupSkipped: this.#setupSkippedCount[i]!,
      });
      if (decision === "run") {
        if (this.#opts[i]!.dependsOnPast && !this.#pastMet.has(i)) {
          if (!this.#pastWaiting.has(i)) this.#checkPast(i);
          continue;
        }
        this.#set(i, "scheduled");
        this.#heap.push(i);
      } else if (decision !== "wait") {
        this.#finish(i, decision);
      }
    }
  }

  /** Parks task `i` until `slots` (a pool or a task limit) frees one. */
  #waitFor(slots: Slots, key: string, i: number): void {
    let list = this.#poolWait.get(key);
    if (!list) this.#poolWait.set(key, list = []);
    list.push(i);
    if (list.length === 1) slots.whenFree(() => this.#requeuePool(key));
  }

  #requeuePool(name: string): void {
    const waiting = this.#poolWait.get(name);
    if (waiting && waiting.length > 0) {
      for (const i of waiting) this.#heap.push(i);
      waiting.length = 0;
    }
    this.#dispatch();
  }

  /** Starts ready tasks in priority order while slots are free. */
  #dispatch(): void {
    if (this.#done || this.#cancelled) return;
    const heap = this.#heap;
    const exec = this.#sh.executor;
    const dagSlots = this.#sh.dagSlots;
    while (heap.size > 0) {
      const i = heap.peek()!;
      if (this.#state[i] !== "scheduled") {
        heap.pop();
        continue;
      }
      const o = this.#opts[i]!;
      const pool = this.#sh.pools.get(o.pool)!;
      if (!pool.has(o.poolSlots)) {
        heap.pop();
        this.#waitFor(pool, o.pool, i);
        continue;
      }
      const limit = this.#taskLimits[i];
      if (limit && !limit.has()) {
        heap.pop();
        this.#waitFor(limit, `task:${i}`, i);
        continue;
      }
      if (!exec.has() || !dagSlots.has()) {
        // Asked once; a release wakes this run when a slot frees up.
        if (!this.#awaitingSlot) {
          this.#awaitingSlot = true;
          const wake = () => {
            this.#awaitingSlot = false;
            this.#dispatch();
          };
          (exec.has() ? dagSlots : exec).whenFree(wake);
        }
        break;
      }
      heap.pop();
      exec.take();
      dagSlots.take();
      pool.take(o.poolSlots);
      limit?.take();
      this.#running++;
      this.#launch(i);
    }
  }

  #launch(i: number): void {
    const ti = this.#ti[i]!;
    const now = this.#sh.clock.now();
    if (this.#continuing.has(i)) {
      this.#continuing.delete(i);
      ti.startDate ??= now;
    } else {
      ti.tryNumber++;
      ti.startDate = now;
      // A new try starts without the values an earlier one pushed.
      delete ti.xcomKeys;
    }
    delete ti.endDate;
    delete ti.duration;
    delete ti.nextAttemptAt;
    this.#set(i, "running");
    const tryStart = now;
    this.#execute(i).then(
      (value) =>
        value instanceof Reschedule
          ? this.#complete(i, tryStart, { kind: "reschedule", at: value.at })
          : this.#complete(i, tryStart, { kind: "success", value }),
      (error) => this.#complete(i, tryStart, { kind: "error", error }),
    );
  }

  #context(i: number, signal: AbortSignal): SensorContext {
    const rec = this.#rec;
    const ids = this.#g.index;
    const tasks = rec.tasks;
    const dagId = rec.dagId;
    const ctxXcomPull = <T = unknown>(taskId: string, key?: string) => {
      if (!ids.has(taskId)) {
        throw new AirflowError(
          `Unknown task id in xcom.pull for DAG ${dagId}: ${taskId}`,
        );
      }
      const ti = tasks[taskId];
      const v = key === undefined || key === "return_value"
        ? ti?.xcom
        : ti?.xcomKeys?.[key];
      return v === undefined ? undefined : structuredClone(v) as T;
    };
    return {
      dagId,
      runId: rec.runId,
      taskId: this.#ids[i]!,
      logicalDate: new Date(rec.logicalDate),
      dataInterval: {
        start: new Date(rec.dataInterval.start),
        end: new Date(rec.dataInterval.end),
      },
      tryNumber: this.#ti[i]!.tryNumber,
      params: this.#params,
      xcom: {
        pull: ctxXcomPull,
        push: (key: string, value: unknown): void => {
          if (typeof key !== "string" || key === "" || key === "return_value") {
            throw new AirflowError(
              `XCom key must be a non-empty string other than return_value: ${
                JSON.stringify(key)
              }`,
            );
          }
          let json: string | undefined;
          try {
            json = JSON.stringify(value);
          } catch (cause) {
            throw new AirflowError(
              `XCom value is not JSON-serialisable: ${this.#ids[i]} key ${key}`,
              { cause },
            );
          }
          const ti = this.#ti[i]!;
          (ti.xcomKeys ??= {})[key] = json === undefined
            ? null
            : JSON.parse(json);
          this.#changed?.add(this.#ids[i]!);
          this.#markDirty();
        },
      },
      mapIndex: -1,
      args: {},
      log: this.#logger(i),
      render: (template: string) =>
        renderTemplate(template, this.#templateContext(i, ctxXcomPull)),
      signal,
      clock: this.#sh.clock,
      store: this.#sh.store,
    };
  }

  /** Airflow's template context for task `i`. */
  #templateContext(
    i: number,
    pull: (taskId: string, key?: string) => unknown,
  ): Record<string, unknown> {
    const rec = this.#rec;
    const l = rec.logicalDate;
    const ds = new Date(l).toISOString().slice(0, 10);
    const ts = pythonIso(l);
    const store = this.#sh.store;
    const ti = {
      dag_id: rec.dagId,
      run_id: rec.runId,
      task_id: this.#ids[i]!,
      try_number: this.#ti[i]!.tryNumber,
      xcom_pull: (args: unknown[], named: Record<string, unknown>) => {
        const ids = named.task_ids ?? args[0];
        const key = (named.key ?? args[1]) as string | undefined;
        return Array.isArray(ids)
          ? ids.map((id) => pull(String(id), key) ?? null)
          : pull(String(ids), key) ?? null;
      },
    };
    return {
      ds,
      ds_nodash: ds.replaceAll("-", ""),
      ts,
      ts_nodash: ts.slice(0, 19).replaceAll("-", "").replaceAll(":", ""),
      logical_date: new Date(l),
      data_interval_start: new Date(rec.dataInterval.start),
      data_interval_end: new Date(rec.dataInterval.end),
      run_id: rec.runId,
      dag: { dag_id: rec.dagId },
      task: { task_id: this.#ids[i]! },
      ti,
      task_instance: ti,
      params: this.#params,
      var: {
        value: new LazyNamespace((k) =>
          Variable.get(k, { store, defaultValue: undefined })
        ),
        json: new LazyNamespace((k) =>
          Variable.get(k, {
            store,
            defaultValue: undefined,
            deserializeJson: true,
          })
        ),
      },
      conn: new LazyNamespace((id) =>
        Connection.get(id, { store }).catch(() => undefined)
      ),
      macros: {
        ds_add: (args: unknown[]) => {
          const t = Date.parse(`${String(args[0])}T00:00:00Z`) +
            Number(args[1]) * 86_400_000;
          return new Date(t).toISOString().slice(0, 10);
        },
      },
    };
  }

  /** A logger whose lines go to the running try's buffer. */
  #logger(i: number): TaskLogger {
    const lines: string[] = [];
    this.#logs.set(i, lines);
    const taskId = this.#ids[i]!;
    const write = (level: string) => (...args: unknown[]) =>
      void lines.push(
        formatLogLine(this.#sh.clock.now(), taskId, level, args),
      );
    return {
      info: write("INFO"),
      warning: write("WARNING"),
      error: write("ERROR"),
    };
  }

  /** Writes a finished try's log; a failed write stops the run as a save. */
  #writeLog(i: number, tryNumber: number, lines: string[]): void {
    const store = this.#sh.store;
    if (lines.length === 0 || !store.appendLog) return;
    const key = {
      dagId: this.#rec.dagId,
      runId: this.#rec.runId,
      taskId: this.#ids[i]!,
      tryNumber,
    };
    const text = lines.join("");
    this.#logWrites = this.#logWrites.then(() => store.appendLog!(key, text))
      .catch((error) => {
        this.#saveError ??= error;
        this.#fail(error);
      });
  }

  async #execute(i: number): Promise<unknown> {
    const task = this.#g.tasks[i]!;
    const clock = this.#sh.clock;
    const ac = new AbortController();
    this.#aborts.add(ac);
    const ctx = this.#context(i, ac.signal);
    this.#contexts.set(i, ctx);
    const timeout = this.#opts[i]!.executionTimeout;
    // Only a try with a timeout needs a timer (an abort allocates).
    const timerAc = timeout === undefined ? undefined : new AbortController();
    try {
      const onExecute = this.#opts[i]!.onExecuteCallback;
      if (onExecute) {
        await this.#callback(i, "onExecuteCallback", onExecute, ctx);
      }
      const work = Promise.resolve().then(() =>
        task instanceof BaseSensor
          ? this.#sense(task, ctx, i)
          : task.isMapped
          ? this.#runMapped(i, ctx)
          : task.execute(ctx)
      );
      const aborted = new Promise<never>((_, reject) => {
        ac.signal.addEventListener("abort", () => reject(ac.signal.reason), {
          once: true,
        });
      });
      if (timeout !== undefined) {
        clock.sleep(timeout, timerAc!.signal).then(() =>
          ac.abort(
            new AirflowError(
              `Task exceeded its execution timeout of ${timeout} ms: ${task.taskId}`,
            ),
          ), () => {});
      }
      return await Promise.race([work, aborted]);
    } finally {
      timerAc?.abort(ENDED);
      this.#aborts.delete(ac);
    }
  }

  /**
   * Runs a mapped task's instances (one per combination of its `expand`
   * values, map indexes from 0) inside its try, at most
   * `maxActiveTisPerDag` (default 16) at once. A retry of the task runs
   * only the instances that failed; their tries count on. Resolves with
   * the results by map index; throws when an instance failed, and skips
   * the task when every instance skipped (or there were none).
   */
  async #runMapped(i: number, ctx: SensorContext): Promise<unknown> {
    const task = this.#g.tasks[i]!;
    const ti = this.#ti[i]!;
    const combos = mapCombinations(task, ctx);
    if (!ti.mapped || ti.mapped.length !== combos.length) {
      ti.mapped = combos.map((_, k) => ({
        mapIndex: k,
        state: "none",
        tryNumber: 0,
      }));
    }
    const instances = ti.mapped;
    const todo = instances.filter((m) =>
      m.state !== "success" && m.state !== "skipped"
    );
    const limit = this.#opts[i]!.maxActiveTisPerDag ?? 16;
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const m = todo[next++]!;
        m.tryNumber++;
        m.state = "running";
        this.#changed?.add(this.#ids[i]!);
        this.#markDirty();
        const args = { ...task.partialArgs, ...combos[m.mapIndex] };
        const prefix = `[map_index=${m.mapIndex}]`;
        const log = {
          info: (...a: unknown[]) => ctx.log.info(prefix, ...a),
          warning: (...a: unknown[]) => ctx.log.warning(prefix, ...a),
          error: (...a: unknown[]) => ctx.log.error(prefix, ...a),
        };
        try {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          const v = await task.execute({
            ...ctx,
            mapIndex: m.mapIndex,
            args,
            log,
          });
          const json = v === undefined ? undefined : JSON.stringify(v);
          m.xcom = json === undefined ? null : JSON.parse(json);
          m.state = "success";
          delete m.error;
        } catch (error) {
          m.error = error instanceof Error ? error.message : String(error);
          m.state = error instanceof AirflowSkipException
            ? "skipped"
            : "failed";
          log.error(`failed: ${m.error}`);
        }
        this.#changed?.add(this.#ids[i]!);
        this.#markDirty();
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(limit, todo.length) }, worker),
    );
    const failed = instances.filter((m) => m.state === "failed");
    if (failed.length > 0) {
      throw new AirflowError(
        `Mapped instances failed: ${task.taskId} map_index ${
          failed.map((m) => m.mapIndex).join(", ")
        } (${failed[0]!.error})`,
      );
    }
    if (instances.every((m) => m.state === "skipped")) {
      throw new AirflowSkipException(
        `Every mapped instance skipped (${instances.length}): ${task.taskId}`,
      );
    }
    return instances.map((m) => m.state === "success" ? m.xcom ?? null : null);
  }

  /** Runs a callback; an error in it is logged, never fatal. */
  async #callback(
    _index: number,
    name: string,
    fn: TaskCallback,
    ctx: TaskContext & { exception?: unknown },
  ): Promise<void> {
    try {
      await fn(ctx);
    } catch (error) {
      ctx.log.error(
        `${name} failed: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  /** Pokes a sensor: loops in poke mode, returns a wake-up in reschedule mode. */
  async #sense(s: BaseSensor, ctx: SensorContext, i: number): Promise<unknown> {
    const clock = this.#sh.clock;
    const ti = this.#ti[i]!;
    ti.sensorStart ??= clock.now();
    for (;;) {
      ti.pokes = (ti.pokes ?? 0) + 1;
      if (await s.poke(ctx)) return undefined;
      const now = clock.now();
      const elapsed = now - ti.sensorStart;
      if (elapsed >= s.timeout) {
        throw new AirflowSensorTimeout(
          `Sensor timed out after ${elapsed} ms: ${s.taskId}`,
        );
      }
      const wait = Math.min(s.nextInterval(ti.pokes), s.timeout - elapsed);
      if (s.mode === "reschedule") return new Reschedule(now + wait);
      await clock.sleep(wait, ctx.signal);
    }
  }

  #retryDelay(i: number, o: ResolvedTaskOptions, tryNumber: number): number {
    return retryDelayMs({
      ...o,
      dagId: this.#rec.dagId,
      taskId: this.#ids[i]!,
      logicalDate: this.#rec.logicalDate,
      tryNumber,
    });
  }

  /**
   * Follows a branch's choice as Airflow's `skip_all_except`: the chosen
   * ids may be any tasks of the DAG; a direct downstream task is skipped
   * unless it is chosen, downstream of a chosen task, or upstream of one
   * (the path to a chosen task that is not directly downstream).
   */
  #branchSkips(i: number, value: unknown): number[] {
    const g = this.#g;
    const ids = value === null || value === undefined
      ? []
      : Array.isArray(value)
      ? value
      : [value];
    const follow = new Set<number>();
    for (const id of ids) {
      const j = typeof id === "string" ? g.index.get(id) : undefined;
      if (j === undefined) {
        throw new AirflowError(
          `Branch ${this.#ids[i]} returned an unknown task id: ${
            JSON.stringify(id)
          }`,
        );
      }
      follow.add(j);
    }
    const below = this.#reach([...follow], g.down);
    const above = this.#reach([...follow], g.up);
    return g.down[i]!.filter((d) =>
      !follow.has(d) && !below.has(d) && !above.has(d)
    );
  }

  /** Every task reachable from `from` along `next` (not `from` itself). */
  #reach(from: number[], next: number[][]): Set<number> {
    const seen = new Set<number>();
    const stack = [...from];
    while (stack.length > 0) {
      for (const d of next[stack.pop()!]!) {
        if (!seen.has(d)) {
          seen.add(d);
          stack.push(d);
        }
      }
    }
    return seen;
  }

  #shortCircuitSkips(i: number, task: ShortCircuitOperator): number[] {
    const g = this.#g;
    if (!task.ignoreDownstreamTriggerRules) return g.down[i]!.slice();
    return [...this.#reach([i], g.down)];
  }

  #complete(i: number, tryStart: number, outcome: Outcome): void {
    if (this.#done) {
      // The run already failed; only give the slots back.
      this.#release(i);
      return;
    }
    try {
      this.#completeInner(i, tryStart, outcome);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#step();
  }

  #completeInner(i: number, tryStart: number, outcome: Outcome): void {
    const now = this.#sh.clock.now();
    const ti = this.#ti[i]!;
    const task = this.#g.tasks[i]!;
    const o = this.#opts[i]!;
    let skips: number[] = [];
    if (outcome.kind === "success") {
      try {
        const v = outcome.value;
        const json = v === undefined ? undefined : JSON.stringify(v);
        if (json !== undefined) ti.xcom = JSON.parse(json);
        else delete ti.xcom;
        if (task instanceof BranchOperator) skips = this.#branchSkips(i, v);
        else if (task instanceof ShortCircuitOperator && !pythonTruthy(v)) {
          skips = this.#shortCircuitSkips(i, task);
        }
        // Kept so a cleared downstream task is skipped again on resume.
        if (skips.length > 0) {
          ti.skippedDownstream = skips.map((d) => this.#ids[d]!);
        } else delete ti.skippedDownstream;
      } catch (error) {
        outcome = {
          kind: "error",
          error: error instanceof AirflowError ? error : new AirflowError(
            `Task return value is not JSON-serialisable: ${task.taskId}`,
            { cause: error },
          ),
        };
      }
    }
    let final: TaskState;
    if (outcome.kind === "success") {
      final = "success";
      delete ti.error;
    } else if (outcome.kind === "reschedule") {
      final = "up_for_reschedule";
    } else {
      const e = outcome.error;
      ti.error = e instanceof Error ? e.message : String(e);
      const soft = e instanceof AirflowSensorTimeout &&
        task instanceof BaseSensor &&
        task.softFail;
      if (e instanceof AirflowSkipException || soft || this.#timedOut) {
        final = "skipped";
      } else if (
        !(e instanceof AirflowFailException) && !this.#cancelled &&
        ti.tryNumber <= (ti.maxTries ?? o.retries)
      ) final = "up_for_retry";
      else final = "failed";
    }
    const ctx = this.#contexts.get(i);
    this.#contexts.delete(i);
    const callback = final === "success"
      ? o.onSuccessCallback
      : final === "failed"
      ? o.onFailureCallback
      : final === "up_for_retry"
      ? o.onRetryCallback
      : undefined;
    if (callback && ctx) {
      const name = final === "success"
        ? "onSuccessCallback"
        : final === "failed"
        ? "onFailureCallback"
        : "onRetryCallback";
      const exception = outcome.kind === "error" ? outcome.error : undefined;
      // The callback's log lines join the try's, written once it is done.
      const pending = this.#callback(i, name, callback, { ...ctx, exception });
      this.#callbacks.add(pending);
      pending.finally(() => this.#callbacks.delete(pending));
    }
    const lines = this.#logs.get(i) ?? [];
    this.#logs.delete(i);
    if (outcome.kind === "error") {
      const level = final === "skipped" ? "INFO" : "ERROR";
      lines.push(formatLogLine(now, task.taskId, level, [
        `Task ${final === "skipped" ? "skipped" : "failed"}: ${ti.error}`,
      ]));
    }
    const attempt: TryRecord = {
      tryNumber: ti.tryNumber,
      start: tryStart,
      end: now,
      state: final,
    };
    if (outcome.kind === "error" && final !== "skipped") {
      attempt.error = ti.error;
      if (lines.length > 0) {
        attempt.logTail = lines.slice(-LOG_TAIL_LINES).map((l) => l.trimEnd());
      }
    }
    (ti.tries ??= []).push(attempt);
    this.#writeLog(i, ti.tryNumber, lines);
    if (final === "up_for_retry" || final === "up_for_reschedule") {
      const at = outcome.kind === "reschedule"
        ? outcome.at
        : now + this.#retryDelay(i, o, ti.tryNumber);
      ti.nextAttemptAt = at;
      if (final === "up_for_reschedule") this.#continuing.add(i);
      this.#timers.set(i, at);
      this.#set(i, final);
    } else {
      ti.endDate = now;
      ti.duration = now - (ti.startDate ?? tryStart);
      this.#finish(i, final);
      for (const d of skips) {
        const s = this.#state[d];
        if (s === "none" || s === "scheduled") this.#finish(d, "skipped");
      }
    }
    // Release after the state change so woken runners see it.
    this.#release(i);
  }

  #release(i: number): void {
    const o = this.#opts[i]!;
    this.#running--;
    this.#sh.dagSlots.release();
    this.#sh.pools.get(o.pool)!.release(o.poolSlots);
    this.#taskLimits[i]?.release();
    this.#sh.executor.release();
  }

  #armTimer(): void {
    if (this.#timers.size === 0 || this.#cancelled) {
      this.#timerAbort?.abort(ENDED);
      this.#timerAbort = undefined;
      this.#timerDue = Infinity;
      return;
    }
    let due = Infinity;
    for (const t of this.#timers.values()) if (t < due) due = t;
    if (due === this.#timerDue) return;
    this.#timerAbort?.abort(ENDED);
    const ac = new AbortController();
    this.#timerAbort = ac;
    this.#timerDue = due;
    const clock = this.#sh.clock;
    clock.sleep(Math.max(0, due - clock.now()), ac.signal).then(() => {
      if (this.#timerAbort !== ac) return;
      this.#timerAbort = undefined;
      this.#timerDue = Infinity;
      this.#onTimer();
    }, () => {});
  }

  #onTimer(): void {
    if (this.#done) return;
    const now = this.#sh.clock.now();
    for (const [i, due] of this.#timers) {
      if (due > now) continue;
      this.#timers.delete(i);
      this.#set(i, "scheduled");
      this.#heap.push(i);
    }
    this.#step();
  }

  #cancel(reason?: AirflowError): void {
    if (this.#done || this.#cancelled) return;
    this.#cancelled = true;
    this.#runAbort.abort(ENDED);
    for (const ac of this.#aborts) {
      ac.abort(reason ?? new AirflowError(`Run cancelled: ${this.#rec.runId}`));
    }
    this.#step();
  }

  /** Airflow's `dagrun_timeout`: the run fails, what had not finished is skipped. */
  #timeOut(timeout: number): void {
    if (this.#done) return;
    this.#timedOut = true;
    this.#cancel(
      new AirflowError(
        `Run exceeded its dagrunTimeout of ${timeout} ms: ${this.#rec.dagId}/${this.#rec.runId}`,
      ),
    );
  }

  /**
   * `dependsOnPast`: waits (polling the store every few seconds on the
   * clock) until the task succeeded or was skipped in the DAG's previous
   * run by logical date; a first run, or a task the previous run did not
   * have, goes ahead.
   */
  #checkPast(i: number): void {
    this.#pastWaiting.add(i);
    const id = this.#ids[i]!;
    const { dagId, logicalDate, runId } = this.#rec;
    (async () => {
      for (;;) {
        const runs = await this.#sh.store.list(dagId);
        const prev = runs.filter((r) =>
          r.logicalDate < logicalDate && r.runId !== runId
        ).at(-1);
        const state = prev?.tasks[id]?.state;
        if (state === undefined || state === "success" || state === "skipped") {
          return;
        }
        await this.#sh.clock.sleep(PAST_POLL_MS, this.#runAbort.signal);
      }
    })().then(() => {
      this.#pastWaiting.delete(i);
      this.#pastMet.add(i);
      this.#work.push(i);
      this.#step();
    }, (error) => {
      this.#pastWaiting.delete(i);
      if (!this.#cancelled) this.#fail(error);
      else this.#step();
    });
  }

  #checkDone(): void {
    if (this.#done) return;
    if (this.#cancelled && this.#running === 0) {
      for (let i = 0; i < this.#n; i++) {
        if (!FINISHED_STATES.has(this.#state[i]!)) {
          // Airflow's dagrun_timeout skips what had not finished.
          this.#ti[i]!.error ??= this.#timedOut
            ? "Run timed out"
            : "Run cancelled";
          this.#finished++;
          this.#set(i, this.#timedOut ? "skipped" : "failed");
        }
      }
    }
    if (this.#finished < this.#n || this.#running > 0) {
      if (
        this.#running === 0 && this.#timers.size === 0 &&
        this.#heap.size === 0 && this.#pastWaiting.size === 0 &&
        this.#work.length === 0 && ![...this.#poolWait.values()].some((l) =>
          l.length
        )
      ) {
        throw new AirflowError(
          `Run stalled with unfinished tasks: ${this.#rec.runId}`,
        );
      }
      return;
    }
    this.#done = true;
    let failed = false;
    for (let i = 0; i < this.#n; i++) {
      if (this.#g.decidesRun[i] !== 1) continue;
      const s = this.#state[i];
      if (s === "failed" || s === "upstream_failed") failed = true;
    }
    if (this.#cancelled) failed = true;
    this.#rec.state = failed ? "failed" : "success";
    this.#rec.endDate ??= this.#sh.clock.now();
    this.#cleanup();
    const dagCallback = failed
      ? this.#dag.onFailureCallback
      : this.#dag.onSuccessCallback;
    if (dagCallback) {
      const reason = this.#timedOut
        ? "timed_out"
        : failed
        ? "task_failure"
        : "success";
      // A broken DAG callback does not change the run's outcome.
      const pending = Promise.resolve().then(() =>
        dagCallback({
          dagId: this.#rec.dagId,
          runId: this.#rec.runId,
          run: structuredClone(this.#rec),
          reason,
        })
      ).then(() => {}, () => {});
      this.#callbacks.add(pending);
      pending.finally(() => this.#callbacks.delete(pending));
    }
    this.#markDirty();
    this.#flush().then(() => {
      this.#claim?.release();
      if (this.#saveError !== undefined) this.#reject(this.#saveError);
      else if (this.#hookError !== undefined) this.#reject(this.#hookError);
      else this.#resolve(structuredClone(this.#rec) as DagRunResult);
    });
  }

  #cleanup(): void {
    this.#runAbort.abort(ENDED);
    this.#timerAbort?.abort(ENDED);
    this.#timerAbort = undefined;
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
  }

  #markDirty(): void {
    if (!this.#sh.persist) return;
    this.#dirty = true;
    if (!this.#saving) this.#saving = this.#saveLoop();
  }

  /** One write in flight; each write takes the latest snapshot. */
  async #saveLoop(): Promise<void> {
    await Promise.resolve();
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const changed = this.#changed;
        this.#changed = new Set();
        await this.#sh.store.save(this.#rec, changed);
      }
    } catch (error) {
      // Running on without a durable record would redo work after a crash:
      // stop the run at the first save that fails.
      this.#saveError ??= new AirflowError(
        `Run stopped because its state could not be saved: ${this.#rec.dagId}/${this.#rec.runId}`,
        { cause: error },
      );
      this.#fail(this.#saveError);
    } finally {
      this.#saving = undefined;
    }
  }

  async #flush(): Promise<void> {
    while (this.#callbacks.size > 0) await Promise.all(this.#callbacks);
    await this.#logWrites;
    while (this.#saving) await this.#saving;
  }
}

/** Options of {@linkcode runOneTask}. */
export interface RunOneTaskOptions {
  /** The run's logical date (epoch ms); also finds a stored run. */
  logicalDate?: number;
  /** The run to read upstream XComs from (else the one at logicalDate). */
  runId?: string;
  /** Where stored runs are read from (nothing is written). */
  store?: StateStore;
  /** Params over the run's. */
  params?: Record<string, unknown>;
  /** The clock. */
  clock?: Clock;
}

/**
 * `airflow tasks test`: runs one try of one task, without retries and
 * regardless of its upstream tasks, seeing the XComs of a stored run when
 * there is one; saves nothing. Resolves with the run and the try's log.
 */
export async function runOneTask(
  dag: DAG,
  taskId: string,
  o: RunOneTaskOptions = {},
): Promise<{ run: DagRunResult; log: string }> {
  dag.getTask(taskId);
  dag.validate();
  const clock = o.clock ?? systemClock;
  let stored: DagRunRecord | undefined;
  if (o.store && o.runId !== undefined) {
    stored = await o.store.load(dag.dagId, o.runId);
    if (!stored) {
      throw new AirflowError(`No such run of DAG ${dag.dagId}: ${o.runId}`);
    }
  } else if (o.store && o.logicalDate !== undefined) {
    stored = (await o.store.list(dag.dagId)).find((r) =>
      r.logicalDate === o.logicalDate
    );
  }
  const l = stored?.logicalDate ?? o.logicalDate ?? clock.now();
  const record = stored ? structuredClone(stored) : newRunRecord(
    dag,
    `test__${new Date(l).toISOString()}`,
    "manual",
    manualInterval(dag, l),
    {},
    l,
  );
  record.params = { ...dag.params, ...record.params, ...o.params };
  for (const id of dag.taskIds) {
    // Upstream tasks count as done and keep their stored XComs.
    if (id !== taskId) {
      const ti = record.tasks[id];
      record.tasks[id] = {
        ...ti,
        state: "success",
        tryNumber: ti?.tryNumber ?? 0,
      };
    }
  }
  record.tasks[taskId] = { state: "none", tryNumber: 0, maxTries: 0 };
  record.state = "queued";
  const memory = new MemoryStateStore();
  const run = await new DagRunner(dag, record, {
    executor: new Slots(1),
    clock,
    store: memory,
    persist: false,
    pools: makePools(),
    dagSlots: new Slots(1),
  }).run();
  const log = await memory.readLog({
    dagId: dag.dagId,
    runId: record.runId,
    taskId,
    tryNumber: 1,
  });
  return { run, log };
}
