/**
 * The scheduler: turns each DAG's schedule into data intervals, creates the
 * runs that are due (all missed ones with `catchup`, else the latest),
 * starts them within `maxActiveRuns`, and backfills ranges on request.
 *
 * @module
 */

import { type Clock, systemClock } from "../internal/clock.ts";
import type { DAG, DagRunResult } from "./dag.ts";
import {
  DagRunner,
  makePools,
  manualInterval,
  newRunRecord,
  type RunResources,
} from "./_run_engine.ts";
import { AirflowError } from "./errors.ts";
import { type Executor, LocalExecutor } from "./executors.ts";
import { Slots, slotsOf } from "./_slots.ts";
import { JsonStateStore } from "./json_store.ts";
import type { TaskState } from "./states.ts";
import {
  type DagRunRecord,
  MemoryStateStore,
  type RunType,
  type StateStore,
} from "./store.ts";
import type { Interval } from "./timetable.ts";

/** A task state change in some run, as the scheduler reports it. */
export interface SchedulerTransition {
  /** The DAG's id. */
  dagId: string;
  /** The run's id. */
  runId: string;
  /** The task's id. */
  taskId: string;
  /** The new state. */
  state: TaskState;
  /** The task's try number. */
  tryNumber: number;
}

/** Options for {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** The DAGs to schedule (ids must be unique). */
  dags: DAG[];
  /**
   * Time source: which intervals are due, and every run's clock.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Executor shared by every run.
   * @default {new LocalExecutor()}
   */
  executor?: Executor;
  /**
   * Where runs are kept (wins over `stateDir`).
   * @default {new MemoryStateStore()}
   */
  store?: StateStore;
  /**
   * Keep runs in a {@linkcode JsonStateStore} in this directory.
   * @default {undefined}
   */
  stateDir?: string;
  /**
   * Pool sizes by name, shared by every run.
   * @default {{ default_pool: 128 }}
   */
  pools?: Record<string, number>;
  /**
   * Called on every task state change in any run.
   * @default {undefined}
   */
  onTransition?: (event: SchedulerTransition) => void;
  /**
   * Called when a run finishes.
   * @default {undefined}
   */
  onRunFinished?: (run: DagRunResult) => void;
  /**
   * With `start()`, also wake this often (ms) to pick up runs queued by
   * other processes (`dags trigger`) between cron points.
   * @default {undefined}
   */
  pollInterval?: number;
}

interface Pending {
  record: DagRunRecord;
  done: (r: DagRunResult) => void;
  fail: (e: unknown) => void;
}

/**
 * Creates and runs DAG runs from schedules. `runDue()` does one pass and
 * waits for its runs; `start()` keeps passing on the clock until `stop()`.
 *
 * @example Catch up a week of daily runs
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, ManualClock, Scheduler } from "./mod.ts";
 * const clock = new ManualClock({ start: Date.UTC(2024, 0, 8) });
 * const dag = new DAG("daily", {
 *   schedule: "@daily", startDate: Date.UTC(2024, 0, 1), catchup: true,
 * });
 * dag.task("work", (ctx) => ctx.dataInterval.start.toISOString());
 * const scheduler = new Scheduler({ dags: [dag], clock });
 * const runs = await scheduler.runDue();
 * assert.deepEqual([runs.length, runs[0]?.tasks.work?.xcom], [7, "2024-01-01T00:00:00.000Z"]);
 * ```
 */
export class Scheduler {
  #dags = new Map<string, DAG>();
  #clock: Clock;
  #store: StateStore;
  #executor: Slots;
  #pools;
  #dagSlots = new Map<string, Slots>();
  #taskSlots = new Map<string, Slots>();
  #activeCount = 0;
  #queuedCount = 0;
  #queue = new Map<string, Pending[]>();
  #active = new Map<string, Set<string>>();
  #opts: SchedulerOptions;
  #idleWaiters: (() => void)[] = [];
  #loop: Promise<void> | undefined;
  #loopAbort: AbortController | undefined;
  #loopError: unknown;
  #passChain: Promise<unknown> = Promise.resolve();

  /** Makes a scheduler over `options.dags`. */
  constructor(options: SchedulerOptions) {
    if (!options || !Array.isArray(options.dags)) {
      throw new AirflowError(
        `Scheduler needs a dags array: ${String(options?.dags)}`,
      );
    }
    this.setDags(options.dags);
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    this.#store = options.store ??
      (options.stateDir !== undefined
        ? new JsonStateStore(options.stateDir)
        : new MemoryStateStore());
    this.#executor = slotsOf(options.executor ?? new LocalExecutor());
    this.#pools = makePools(options.pools);
  }

  /**
   * Replaces the DAG definitions (a DAG file changed): later runs use the
   * new ones, running runs finish with the old. A DAG left out is no longer
   * scheduled.
   */
  setDags(dags: DAG[]): void {
    const ids = new Set<string>();
    for (const dag of dags) {
      if (ids.has(dag.dagId)) {
        throw new AirflowError(`Duplicate DAG id in scheduler: ${dag.dagId}`);
      }
      ids.add(dag.dagId);
      dag.validate();
    }
    for (const id of [...this.#dags.keys()]) {
      if (!ids.has(id)) this.#dags.delete(id);
    }
    for (const dag of dags) {
      const old = this.#dags.get(dag.dagId);
      this.#dags.set(dag.dagId, dag);
      if (!old || old.maxActiveTasks !== dag.maxActiveTasks) {
        this.#dagSlots.set(dag.dagId, new Slots(dag.maxActiveTasks));
      }
      if (!this.#queue.has(dag.dagId)) this.#queue.set(dag.dagId, []);
      if (!this.#active.has(dag.dagId)) this.#active.set(dag.dagId, new Set());
    }
  }

  /** The ids of the DAGs scheduled. */
  get dagIds(): string[] {
    return [...this.#dags.keys()];
  }

  /** The store runs are kept in. */
  get store(): StateStore {
    return this.#store;
  }

  /** Number of runs currently running. */
  get activeRuns(): number {
    return this.#activeCount;
  }

  /**
   * The data intervals a pass would create now for `dagId`: every missed one
   * since the last scheduled run with `catchup`, else only the latest
   * complete one; intervals that already have a run are left out.
   */
  async dueIntervals(dagId: string): Promise<Interval[]> {
    const dag = this.#dag(dagId);
    const t = dag.timetable;
    if (!t.periodic || dag.startDate === undefined) return [];
    if (await this.#store.isPaused?.(dagId)) return [];
    const runs = await this.#store.list(dagId);
    const now = this.#clock.now();
    if (dag.schedule === "@once") {
      return runs.length === 0 && dag.startDate <= now
        ? [{ start: dag.startDate, end: dag.startDate }]
        : [];
    }
    const have = new Set(runs.map((r) => r.logicalDate));
    // As Airflow, the next interval follows the end of the last automated
    // (scheduled or backfilled) run's data interval.
    let lastEnd: number | undefined;
    for (const r of runs) {
      if (r.runType === "manual") continue;
      const end = r.dataInterval.end;
      if (lastEnd === undefined || end > lastEnd) lastEnd = end;
    }
    const bounds = {
      startDate: dag.startDate,
      endDate: dag.endDate,
      catchup: dag.catchup,
      now,
    };
    const out: Interval[] = [];
    let iv = t.nextInterval({ ...bounds, lastEnd });
    while (iv && iv.end <= now) {
      if (!have.has(iv.start)) out.push(iv);
      if (!dag.catchup) break;
      iv = t.nextInterval({ ...bounds, lastEnd: iv.end });
    }
    return out;
  }

  /**
   * One scheduling pass: resumes runs left queued or running in the store,
   * creates every due run, and resolves with the results of all of them
   * once they finish.
   */
  async runDue(): Promise<DagRunResult[]> {
    const waits = await this.#pass();
    return await Promise.all(waits);
  }

  /**
   * Creates and runs a manual run of `dagId` (like `airflow dags trigger`);
   * resolves when it finishes.
   */
  async trigger(
    dagId: string,
    options: {
      logicalDate?: Date | number;
      runId?: string;
      params?: Record<string, unknown>;
    } = {},
  ): Promise<DagRunResult> {
    const dag = this.#dag(dagId);
    const l = options.logicalDate === undefined
      ? this.#clock.now()
      : +options.logicalDate;
    if (!Number.isFinite(l)) {
      throw new AirflowError(
        `Logical date is not a valid date: ${String(options.logicalDate)}`,
      );
    }
    const runId = options.runId ?? `manual__${new Date(l).toISOString()}`;
    const existing = await this.#store.load(dagId, runId);
    if (
      existing && (existing.state === "success" || existing.state === "failed")
    ) {
      throw new AirflowError(`Run already exists: ${dagId}/${runId}`);
    }
    if (existing && this.#isActive(existing)) {
      throw new AirflowError(`Run is already running: ${dagId}/${runId}`);
    }
    const record = existing ??
      newRunRecord(
        dag,
        runId,
        "manual",
        manualInterval(dag, l),
        options.params,
      );
    return await this.#enqueue(record);
  }

  /**
   * Creates runs for every interval of `dagId` whose logical date lies in
   * `[start, end]` and runs them within `maxActiveRuns`, oldest first.
   * Intervals that already have a finished run are returned as they are.
   */
  backfill(
    dagId: string,
    start: Date | number,
    end: Date | number,
  ): Promise<DagRunResult[]>;
  /**
   * Backfills `[start, end]` for the scheduler's only DAG (an error when it
   * holds several).
   */
  backfill(start: Date | number, end: Date | number): Promise<DagRunResult[]>;
  async backfill(
    dagIdOrStart: string | Date | number,
    startOrEnd: Date | number,
    maybeEnd?: Date | number,
  ): Promise<DagRunResult[]> {
    let dagId: string;
    let start: Date | number;
    let end: Date | number;
    if (typeof dagIdOrStart === "string") {
      [dagId, start, end] = [dagIdOrStart, startOrEnd, maybeEnd!];
    } else {
      if (this.#dags.size !== 1) {
        throw new AirflowError(
          `Backfill without a DAG id needs exactly one DAG in the scheduler: ${
            [...this.#dags.keys()].join(", ") || "none"
          }`,
        );
      }
      [dagId, start, end] = [
        [...this.#dags.keys()][0]!,
        dagIdOrStart,
        startOrEnd,
      ];
    }
    const dag = this.#dag(dagId);
    const s = +start;
    const e = +end;
    if (!Number.isFinite(s) || !Number.isFinite(e) || s > e) {
      throw new AirflowError(
        `Backfill needs start <= end: ${String(start)} to ${String(end)}`,
      );
    }
    const t = dag.timetable;
    if (!t.periodic || dag.schedule === "@once") {
      throw new AirflowError(
        `DAG has no periodic schedule to backfill: ${dagId}`,
      );
    }
    const runs = await this.#store.list(dagId);
    const byDate = new Map(runs.map((r) => [r.logicalDate, r]));
    const waits: Promise<DagRunResult>[] = [];
    for (let iv = t.first(s); iv && iv.start <= e; iv = t.after(iv.start)) {
      const old = byDate.get(iv.start);
      if (old && (old.state === "success" || old.state === "failed")) {
        waits.push(Promise.resolve(old as DagRunResult));
        continue;
      }
      if (old && this.#isActive(old)) continue;
      waits.push(this.#enqueue(
        old ??
          newRunRecord(
            dag,
            `backfill__${new Date(iv.start).toISOString()}`,
            "backfill",
            iv,
          ),
      ));
    }
    return await Promise.all(waits);
  }

  /** Keeps scheduling on the clock until {@linkcode Scheduler.stop}. */
  start(): void {
    if (this.#loop) return;
    const ac = new AbortController();
    this.#loopAbort = ac;
    this.#loop = (async () => {
      while (!ac.signal.aborted) {
        // Each run's outcome reaches onRunFinished; failures stay in the store.
        for (const p of await this.#pass()) p.catch(() => {});
        const now = this.#clock.now();
        let next = this.#opts.pollInterval === undefined
          ? Infinity
          : now + this.#opts.pollInterval;
        for (const dag of this.#dags.values()) {
          const p = dag.timetable.nextPoint(now);
          if (p !== undefined && p < next) next = p;
        }
        const wakeAc = new AbortController();
        const stop = () => wakeAc.abort();
        ac.signal.addEventListener("abort", stop, { once: true });
        try {
          if (next === Infinity) {
            await new Promise<void>((r) =>
              wakeAc.signal.addEventListener("abort", () => r())
            );
          } else {
            await this.#clock.sleep(next - now, wakeAc.signal).catch(() => {});
          }
        } finally {
          ac.signal.removeEventListener("abort", stop);
        }
      }
    })().catch((error) => {
      // Kept for stop(), which rethrows it, rather than left unhandled.
      this.#loopError = error;
    });
  }

  /**
   * Stops scheduling and waits for running runs to finish; rethrows an
   * error that stopped the loop early (such as a corrupt state file).
   */
  async stop(): Promise<void> {
    this.#loopAbort?.abort();
    const loop = this.#loop;
    this.#loop = undefined;
    await loop;
    await this.#idle();
    const error = this.#loopError;
    this.#loopError = undefined;
    if (error !== undefined) throw error;
  }

  #dag(dagId: string): DAG {
    const dag = this.#dags.get(dagId);
    if (!dag) throw new AirflowError(`Unknown DAG id: ${dagId}`);
    return dag;
  }

  #isActive(r: DagRunRecord): boolean {
    return this.#active.get(r.dagId)!.has(r.runId) ||
      this.#queue.get(r.dagId)!.some((p) => p.record.runId === r.runId);
  }

  /** Passes run one at a time, so two never create the same run. */
  #pass(): Promise<Promise<DagRunResult>[]> {
    const next = this.#passChain.then(() => this.#passOnce());
    this.#passChain = next.catch(() => {});
    return next;
  }

  async #passOnce(): Promise<Promise<DagRunResult>[]> {
    const waits: Promise<DagRunResult>[] = [];
    for (const dag of this.#dags.values()) {
      if (await this.#store.isPaused?.(dag.dagId)) continue;
      for (const r of await this.#store.list(dag.dagId)) {
        if (
          (r.state === "queued" || r.state === "running") && !this.#isActive(r)
        ) {
          waits.push(this.#enqueue(r));
        }
      }
      for (const iv of await this.dueIntervals(dag.dagId)) {
        const runType: RunType = "scheduled";
        const record = newRunRecord(
          dag,
          `scheduled__${new Date(iv.start).toISOString()}`,
          runType,
          iv,
        );
        // Saved as queued so the next pass sees the interval as taken.
        await this.#store.save(record);
        waits.push(this.#enqueue(record));
      }
    }
    return waits;
  }

  #enqueue(record: DagRunRecord): Promise<DagRunResult> {
    return new Promise<DagRunResult>((done, fail) => {
      this.#queue.get(record.dagId)!.push({ record, done, fail });
      this.#queuedCount++;
      this.#fill(record.dagId);
    });
  }

  #fill(dagId: string): void {
    const dag = this.#dags.get(dagId);
    if (!dag) return; // its file went away; queued runs wait for it
    const queue = this.#queue.get(dagId)!;
    const active = this.#active.get(dagId)!;
    queue.sort((a, b) => a.record.logicalDate - b.record.logicalDate);
    while (active.size < dag.maxActiveRuns && queue.length > 0) {
      const p = queue.shift()!;
      this.#queuedCount--;
      active.add(p.record.runId);
      this.#activeCount++;
      const shared: RunResources = {
        executor: this.#executor,
        clock: this.#clock,
        store: this.#store,
        persist: true,
        pools: this.#pools,
        dagSlots: this.#dagSlots.get(dagId)!,
        taskSlots: this.#taskSlots,
        onTransition: this.#opts.onTransition
          ? (taskId, state, tryNumber) =>
            this.#opts.onTransition!({
              dagId,
              runId: p.record.runId,
              taskId,
              state,
              tryNumber,
            })
          : undefined,
      };
      let run: Promise<DagRunResult>;
      try {
        const claim = this.#store.claim?.(dagId, p.record.runId);
        run = new DagRunner(dag, p.record, shared, claim).run();
      } catch (error) {
        run = Promise.reject(error);
      }
      run.then((r) => {
        this.#opts.onRunFinished?.(r);
        p.done(r);
      }, p.fail).finally(() => {
        active.delete(p.record.runId);
        this.#activeCount--;
        this.#fill(dagId);
        this.#checkIdle();
      });
    }
  }

  #checkIdle(): void {
    if (this.#activeCount > 0 || this.#queuedCount > 0) return;
    const w = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const f of w) f();
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
  }
}
