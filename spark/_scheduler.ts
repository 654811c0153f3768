// The DAG scheduler: turns an action into a job, cuts stages at shuffle
// dependencies (iteratively, parents first), builds one fused task per
// partition and runs them on the worker pool.

import { hashPartition } from "./_keys.ts";
import {
  rangeBounds,
  rangePartition,
  samplesPerPartition,
} from "./_range_partitioner.ts";
import {
  allAncestors,
  lineageOf,
  narrowParents,
  type Node,
  type ShuffleDep,
  stageBoundaries,
} from "./_lineage.ts";
import type { Clock } from "../internal/clock.ts";
import { compileShipped, mentionsIdentifier } from "./_closure.ts";
import type {
  Action,
  FnSpec,
  Op,
  PartitionerSpec,
  Plan,
  Source,
  Task,
} from "./_plan.ts";
import { type Accumulator, unpackEnv } from "./broadcast.ts";
import { WorkerPool } from "./_pool.ts";
import { ShuffleStore } from "./_shuffle.ts";
import type { ExecutorKind } from "./_executors.ts";
import { SparkError } from "./errors.ts";
import type { SchedulerListener } from "./_event_log.ts";

/**
 * Timing of one stage of a finished job.
 *
 * @example Stages of a shuffle job
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * await sc.parallelize([["a", 1]] as [string, number][]).reduceByKey((a, b) => a + b).collect();
 * assert.deepEqual(sc.lastJob!.stages.map((s) => s.kind), ["ShuffleMapStage", "ResultStage"]);
 * ```
 */
export interface StageInfo {
  /** Context-wide stage id. */
  stageId: number;
  /** `"ShuffleMapStage"`, `"ResultStage"` or `"SampleStage"` (range bounds). */
  kind: "ShuffleMapStage" | "ResultStage" | "SampleStage";
  /** The id of the RDD the stage computes. */
  rddId: number;
  /** Number of tasks (partitions). */
  tasks: number;
  /** Wall time in milliseconds. */
  durationMs: number;
}

/** A stage as the status tracker reads it. */
export interface StageState {
  stageId: number;
  /** The action and the stage's kind, e.g. `"collect (ResultStage)"`. */
  name: string;
  total: number;
  /** Tasks that succeeded. */
  completed: number;
  /** Failed task attempts, retried ones included. */
  failed: number;
  /** Spark's stage states. */
  status: "ACTIVE" | "COMPLETE" | "FAILED";
}

/**
 * What the last job did: stages, timings and counters.
 *
 * @example Read the last job
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * await sc.range(10).count();
 * assert.equal(sc.lastJob!.action, "count");
 * assert.equal(sc.lastJob!.stages.length, 1);
 * ```
 */
export interface JobInfo {
  /** Context-wide job id. */
  jobId: number;
  /** The action that started it (e.g. `"collect"`). */
  action: string;
  /** Stages in the order they ran. */
  stages: StageInfo[];
  /** Wall time in milliseconds. */
  durationMs: number;
  /** Summed task counters, e.g. `malformedRows` from CSV sources. */
  counters: Record<string, number>;
  /** The job group set with `sc.setJobGroup` when it started. */
  group: string | null;
  /** The description set with `sc.setJobGroup`/`setJobDescription`. */
  description: string | null;
}

/**
 * Reported after each finished task.
 *
 * @example A progress line
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * const lines: string[] = [];
 * await using sc = new SparkContext({
 *   parallelism: 2,
 *   onProgress: (e) => lines.push(`stage ${e.stageId}: ${e.done}/${e.total}`),
 * });
 * await sc.range(100, undefined, 1, 4).count();
 * assert.equal(lines.at(-1), `stage ${sc.lastJob!.stages[0]!.stageId}: 4/4`);
 * ```
 */
export interface ProgressEvent {
  /** The job. */
  jobId: number;
  /** The stage. */
  stageId: number;
  /** The stage kind. */
  kind: StageInfo["kind"];
  /** Tasks finished in this stage. */
  done: number;
  /** Tasks in this stage. */
  total: number;
}

interface Pref {
  slot: number | null;
}

/** Log levels at which lost tasks are reported. */
const VERBOSE = new Set(["WARN", "INFO", "DEBUG", "TRACE", "ALL"]);

/** How the scheduler and its pool are set up. */
export interface SchedulerOptions {
  parallelism: number;
  maxTaskFailures: number;
  maxResultBytes: number;
  onProgress: ((e: ProgressEvent) => void) | undefined;
  clock: Clock;
  executor: ExecutorKind;
  taskTimeoutMs: number | null;
}

/** A job as the status tracker and cancellation see it. */
export interface JobState {
  info: JobInfo;
  group: string | null;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  started: number;
  /** Why it was cancelled, once it was. */
  cancelled: string | null;
  stageIds: number[];
  cancel(reason: string): void;
}

export class Scheduler {
  readonly pool: WorkerPool;
  readonly modules: Record<string, string> = {};
  readonly broadcasts: Map<number, unknown> = new Map();
  // deno-lint-ignore no-explicit-any
  readonly accumulators: Map<number, Accumulator<any>> = new Map();
  maxResultBytes: number;
  onProgress: ((e: ProgressEvent) => void) | undefined;
  lastJob: JobInfo | undefined;
  #shuffles = new ShuffleStore();
  #inflight = new Map<number, Promise<void>>();
  #driverNamespaces: Record<string, unknown> = Object.create(null);
  #cacheLoc = new Map<number, Map<number, [number, number]>>();
  #nextJob = 0;
  #nextStage = 0;

  /** Jobs running now, and the latest finished ones (statusTracker). */
  readonly jobs: Map<number, JobState> = new Map();
  /** Stages for the status tracker: every running one, the latest 1,000 ended. */
  readonly stages: Map<number, StageState> = new Map();
  /** The job group and description of jobs started from now on. */
  jobGroup: string | null = null;
  jobDescription: string | null = null;
  /** Sees jobs, stages and tasks start and end (the event log). */
  listener: SchedulerListener | null = null;

  constructor(options: SchedulerOptions) {
    this.maxResultBytes = options.maxResultBytes;
    this.onProgress = options.onProgress;
    this.clock = options.clock;
    this.pool = new WorkerPool({
      size: options.parallelism,
      maxTaskFailures: options.maxTaskFailures,
      executor: options.executor,
      taskTimeoutMs: options.taskTimeoutMs,
      clock: options.clock,
      onWorkerLost: (slot) => {
        for (const locs of this.#cacheLoc.values()) {
          for (const [p, [s]] of locs) if (s === slot) locs.delete(p);
        }
      },
      onTaskRetry: (task, attempt, cause) => {
        const stage = this.stages.get(task.stageId);
        if (stage !== undefined) stage.failed++;
        this.listener?.taskFailed(task, attempt, cause);
        if (VERBOSE.has(this.logLevel)) {
          console.error(
            `WARN TaskSetManager: Lost task ${task.partition}.${
              attempt - 1
            } in stage ${task.stageId}: ${cause.name}: ${cause.message}`,
          );
        }
      },
    });
  }

  /** Cancels running jobs (of one group, or all): their tasks are killed. */
  cancelJobs(group: string | null, reason: string): void {
    for (const j of this.jobs.values()) {
      if (j.status === "RUNNING" && (group === null || j.group === group)) {
        j.cancel(reason);
      }
    }
  }

  /**
   * Compiles a shipped function for the driver with the workers' rules:
   * the same scope (registered modules, standard globals, nothing else) and
   * the same env, so a function behaves alike on both sides. Errors it
   * throws become a SparkError naming `what`.
   */
  async driverFn(
    spec: FnSpec,
    what: string,
  ): Promise<(...args: unknown[]) => unknown> {
    for (const [name, specifier] of Object.entries(this.modules)) {
      if (
        Object.hasOwn(this.#driverNamespaces, name) ||
        !mentionsIdentifier(spec.src, name)
      ) continue;
      try {
        this.#driverNamespaces[name] = await import(specifier);
      } catch (e) {
        throw new SparkError(
          `Module "${name}" cannot be imported on the driver: ${specifier}`,
          { cause: e },
        );
      }
    }
    const fn = compileShipped(spec.src, this.#driverNamespaces, spec.at);
    const env = unpackEnv(
      spec.env,
      this.broadcasts,
      (id, term) => this.accumulators.get(id)?.add(term),
    );
    return (...args: unknown[]): unknown => {
      try {
        return fn(...args, env);
      } catch (e) {
        throw new SparkError(
          `${what} failed on the driver: ${(e as Error)?.message ?? e}`,
          { cause: e },
        );
      }
    };
  }

  /** The partition `key` lives in, for an RDD with a known partitioner. */
  async partitionOfKey(
    rdd: object,
    part: PartitionerSpec,
    key: unknown,
  ): Promise<number> {
    switch (part.kind) {
      case "hash":
      case "roundRobin":
        return hashPartition(key, part.n);
      case "func": {
        const p = (await this.driverFn(part.fn, "Partition function"))(key);
        if (typeof p !== "number" || !Number.isInteger(p)) {
          throw new SparkError(
            `Partition function must return an integer: got ${String(p)}`,
          );
        }
        return ((p % part.n) + part.n) % part.n;
      }
      case "range": {
        // The bounds are filled in by the shuffle's sampling job.
        const dep = shuffleWithPartitioner(rdd, part);
        if (dep?.needsBounds) {
          this.computeBoundsNow(dep);
          await dep.bounds;
        }
        const k = part.key === null
          ? key
          : (await this.driverFn(part.key, "sortByKey keyfunc"))(key);
        return rangePartition(k, part.bounds, part.ascending);
      }
    }
  }

  /** Forgets a shuffle's map outputs (its RDDs are gone). */
  dropShuffle(id: number): void {
    this.#shuffles.drop(id);
  }

  /** Stops sending a destroyed broadcast and drops worker copies. */
  dropBroadcast(id: number): void {
    this.broadcasts.delete(id);
    this.pool.broadcastMessage({ kind: "unbroadcast", id });
  }

  unpersist(rddId: number): void {
    this.#cacheLoc.delete(rddId);
    this.pool.broadcastMessage({ kind: "unpersist", rddId });
  }

  /**
   * Runs `action` on the given partitions of `root`. The job can be
   * cancelled by `signal`, its group or cancelAllJobs: its running tasks
   * are killed and it rejects with a SparkError.
   */
  async runJob(
    root: object,
    partitions: number[],
    action: (p: number) => Action,
    label: string,
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    const job = this.#startJob(label);
    const state = this.jobs.get(job.jobId)!;
    const onAbort = () => state.cancel("its AbortSignal was aborted");
    signal?.addEventListener("abort", onAbort);
    try {
      if (signal?.aborted) onAbort();
      await this.#materializeShuffles(root, job);
      const out = await this.#runStage(
        job,
        "ResultStage",
        root,
        partitions,
        action,
        true,
      );
      await this.#writeCheckpoints(root, job);
      state.status = "SUCCEEDED";
      this.listener?.jobEnd(job, null);
      return out;
    } catch (e) {
      state.status = "FAILED";
      this.listener?.jobEnd(job, e);
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#endJob(job);
    }
  }

  #startJob(label: string): JobInfo {
    const job: JobInfo = {
      jobId: this.#nextJob++,
      action: label,
      stages: [],
      durationMs: 0,
      counters: {},
      group: this.jobGroup,
      description: this.jobDescription,
    };
    const state: JobState = {
      info: job,
      group: this.jobGroup,
      status: "RUNNING",
      started: performance.now(),
      cancelled: null,
      stageIds: [],
      cancel: (reason) => {
        if (state.cancelled !== null || state.status !== "RUNNING") return;
        state.cancelled = reason;
        this.pool.cancel(
          job.jobId,
          (t) =>
            new SparkError(
              `Job ${job.jobId} cancelled because ${reason}: partition ${t.partition} in stage ${t.stageId} was stopped`,
            ),
        );
      },
    };
    this.jobs.set(job.jobId, state);
    this.listener?.jobStart(job);
    // Keep the latest finished jobs for the status tracker, not all.
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= 1000) break;
      if (j.status !== "RUNNING") this.jobs.delete(id);
    }
    return job;
  }

  #endJob(job: JobInfo): void {
    const state = this.jobs.get(job.jobId);
    job.durationMs = performance.now() - (state?.started ?? 0);
    this.lastJob = job;
  }

  async #materializeShuffles(root: object, job: JobInfo): Promise<void> {
    // Iterative post-order over missing shuffle dependencies: parents first.
    const order: ShuffleDep[] = [];
    const state = new Map<ShuffleDep, number>();
    const stack: [ShuffleDep, boolean][] = [];
    const push = (from: object): void => {
      for (const d of stageBoundaries(from)) {
        if (!this.#shuffles.has(d.id) && !state.has(d)) {
          stack.push([d, false]);
        }
      }
    };
    push(root);
    while (stack.length > 0) {
      const [d, expanded] = stack.pop()!;
      if (expanded) {
        if (state.get(d) !== 2) {
          state.set(d, 2);
          order.push(d);
        }
        continue;
      }
      if (state.has(d)) continue;
      state.set(d, 1);
      stack.push([d, true]);
      push(d.parent);
    }
    for (const d of order) {
      // Two jobs may need the same shuffle at once: compute it once.
      let running = this.#inflight.get(d.id);
      if (running === undefined) {
        running = this.#runShuffleMapStage(d, job).finally(() =>
          this.#inflight.delete(d.id)
        );
        this.#inflight.set(d.id, running);
      }
      await running;
    }
  }

  /** Spark's log level; WARN and more verbose log lost tasks. */
  logLevel = "WARN";

  /** The context's clock (timeouts, approximate results). */
  readonly clock: Clock;

  /** Directory for reliable checkpoints (`sc.setCheckpointDir`). */
  checkpointDir: string | null = null;

  /**
   * Spark's doCheckpoint: after a job, every RDD of its lineage marked with
   * `checkpoint()` is written to the checkpoint directory (one file per
   * partition, each written by a task and renamed into place) and its
   * lineage is cut: later jobs read the files.
   */
  async #writeCheckpoints(root: object, job: JobInfo): Promise<void> {
    const pending = allAncestors(root).filter((r) =>
      lineageOf(r).checkpoint === "pending"
    );
    for (const r of pending) {
      const l = lineageOf(r);
      const dir = `${this.checkpointDir}/rdd-${l.id}`;
      await Deno.mkdir(dir, { recursive: true });
      const file = (p: number) => `${dir}/part-${String(p).padStart(5, "0")}`;
      const all = [...Array(l.numPartitions).keys()];
      await this.#runStage(
        job,
        "ResultStage",
        r,
        all,
        (p) => ({ kind: "checkpoint", path: file(p) }),
        false,
      );
      l.node = {
        type: "source",
        source: (p) => ({ kind: "checkpoint", path: file(p) }),
      };
      l.checkpoint = null;
      l.checkpointFile = dir;
    }
  }

  /**
   * Starts the sampling job of a range partitioner now, as Spark's
   * RangePartitioner does when `sortByKey` is called; the shuffle waits for
   * it. A failure is kept for the action to report.
   */
  computeBoundsNow(dep: ShuffleDep): void {
    if (!dep.needsBounds || dep.bounds !== undefined) return;
    dep.bounds = this.#runBoundsJob(dep);
    dep.bounds.catch(() => {});
  }

  async #runBoundsJob(dep: ShuffleDep): Promise<void> {
    const job = this.#startJob("sortByKey");
    const state = this.jobs.get(job.jobId)!;
    try {
      await this.#materializeShuffles(dep.parent, job);
      await this.#sampleBounds(dep, job);
      state.status = "SUCCEEDED";
      this.listener?.jobEnd(job, null);
    } catch (e) {
      state.status = "FAILED";
      this.listener?.jobEnd(job, e);
      throw e;
    } finally {
      job.durationMs = performance.now() - state.started;
    }
  }

  async #sampleBounds(dep: ShuffleDep, job: JobInfo): Promise<void> {
    if (dep.part.kind !== "range") return;
    const part = dep.part;
    const parent = lineageOf(dep.parent);
    const all = [...Array(parent.numPartitions).keys()];
    const perPartition = samplesPerPartition(part.n, parent.numPartitions);
    const samples = await this.#runStage(
      job,
      "SampleStage",
      dep.parent,
      all,
      () => ({
        kind: "sampleKeys",
        size: perPartition,
        seed: dep.seed,
        key: part.key,
      }),
      false,
    ) as { count: number; sample: unknown[] }[];
    part.bounds = rangeBounds(samples, part.n);
    dep.needsBounds = false;
  }

  async #runShuffleMapStage(dep: ShuffleDep, job: JobInfo): Promise<void> {
    const parent = lineageOf(dep.parent);
    const all = [...Array(parent.numPartitions).keys()];
    if (dep.needsBounds) {
      await (dep.bounds ??= this.#sampleBounds(dep, job));
    }
    const outputs = await this.#runStage(
      job,
      "ShuffleMapStage",
      dep.parent,
      all,
      () => ({ kind: "shuffleWrite", part: dep.part, agg: dep.agg }),
      false,
    ) as unknown[][][];
    this.#shuffles.set(dep.id, outputs);
  }

  async #runStage(
    job: JobInfo,
    kind: StageInfo["kind"],
    rdd: object,
    partitions: number[],
    action: (p: number) => Action,
    result: boolean,
  ): Promise<unknown[]> {
    const state = this.jobs.get(job.jobId);
    if (state?.cancelled) {
      throw new SparkError(
        `Job ${job.jobId} cancelled because ${state.cancelled}`,
      );
    }
    const stageId = this.#nextStage++;
    state?.stageIds.push(stageId);
    const started = performance.now();
    const l = lineageOf(rdd);
    let done = 0;
    let bytes = 0;
    const total = partitions.length;
    const listener = this.listener;
    const tracked: StageState = {
      stageId,
      name: `${job.action} (${kind})`,
      total,
      completed: 0,
      failed: 0,
      status: "ACTIVE",
    };
    this.stages.set(stageId, tracked);
    for (const [id, s] of this.stages) {
      if (this.stages.size <= 1000) break;
      if (s.status !== "ACTIVE") this.stages.delete(id);
    }
    listener?.stageSubmitted(job, stageId, kind, rdd, total);
    const promises = partitions.map(async (p) => {
      const pref: Pref = { slot: null };
      const task: Task = {
        plan: this.#planFor(rdd, p, pref, null),
        action: action(p),
        modules: this.modules,
        broadcasts: [],
        maxResultBytes: this.maxResultBytes,
        stageId,
        partition: p,
        attempt: 0,
        ...(listener === null ? {} : { metrics: true }),
      };
      const submitted = this.pool.submit(
        task,
        pref.slot,
        this.broadcasts,
        job.jobId,
      );
      const r = await submitted.then(
        (r) => (tracked.completed++, listener?.taskEnd(task, r.slot, r.out), r),
        (e) => {
          tracked.failed++;
          listener?.taskEnd(task, null, e);
          throw e;
        },
      );
      for (const [rddId, part] of r.out.cached) {
        let locs = this.#cacheLoc.get(rddId);
        if (locs === undefined) this.#cacheLoc.set(rddId, locs = new Map());
        locs.set(part, [r.slot, r.generation]);
      }
      // Only a successful attempt reports: each task counts once.
      for (const [id, term] of r.out.accumulators) {
        this.accumulators.get(id)?.add(term);
      }
      for (const [id, terms] of r.out.accumulatorTerms) {
        const acc = this.accumulators.get(id);
        for (const term of terms) acc?.add(term);
      }
      for (const [k, v] of Object.entries(r.out.counters)) {
        job.counters[k] = (job.counters[k] ?? 0) + v;
      }
      bytes += r.out.bytes;
      if (result && bytes > this.maxResultBytes) {
        throw new SparkError(
          `Total size of the results of ${job.action} is about ${bytes} bytes, more than maxResultBytes (${this.maxResultBytes}): use toLocalIterator(), saveAsTextFile() or a larger maxResultBytes`,
        );
      }
      done++;
      this.onProgress?.({ jobId: job.jobId, stageId, kind, done, total });
      return r.out.value;
    });
    try {
      const out = await Promise.all(promises);
      tracked.status = "COMPLETE";
      listener?.stageCompleted(stageId, null);
      return out;
    } catch (e) {
      tracked.status = "FAILED";
      this.pool.dropQueued(job.jobId);
      listener?.stageCompleted(stageId, e);
      throw e;
    } finally {
      job.stages.push({
        stageId,
        kind,
        rddId: l.id,
        tasks: total,
        durationMs: performance.now() - started,
      });
    }
  }

  #planFor(rdd: object, p: number, pref: Pref, skipCache: object | null): Plan {
    const ops: Op[] = [];
    let cur = rdd;
    let src: Source;
    for (;;) {
      const l = lineageOf(cur);
      if (l.cached && cur !== skipCache) {
        const loc = this.#cacheLoc.get(l.id)?.get(p);
        if (
          loc !== undefined && pref.slot === null &&
          this.pool.generation(loc[0]) === loc[1]
        ) pref.slot = loc[0];
        src = {
          kind: "cache",
          rddId: l.id,
          plan: this.#planFor(cur, p, pref, cur),
        };
        break;
      }
      if (l.node.type === "op") {
        ops.push(l.node.op);
        cur = l.node.parent;
        continue;
      }
      src = this.#sourceFor(l.node, p, pref);
      break;
    }
    ops.reverse();
    return { src, ops, part: p };
  }

  #sourceFor(node: Node, p: number, pref: Pref): Source {
    switch (node.type) {
      case "source":
        return node.source(p);
      case "op":
        throw new Error("unreachable");
      case "union": {
        if (node.aligned) {
          return {
            kind: "concat",
            plans: node.parents.map((r) => this.#planFor(r, p, pref, null)),
          };
        }
        let j = p;
        for (const parent of node.parents) {
          const n = lineageOf(parent).numPartitions;
          if (j < n) {
            return {
              kind: "concat",
              plans: [this.#planFor(parent, j, pref, null)],
            };
          }
          j -= n;
        }
        throw new Error(`Union has no partition ${p}`);
      }
      case "pair": {
        const right = lineageOf(node.right).numPartitions;
        const [i, j] = node.mode === "zip"
          ? [p, p]
          : [Math.floor(p / right), p % right];
        return {
          kind: "pair",
          mode: node.mode,
          left: this.#planFor(node.left, i, pref, null),
          right: this.#planFor(node.right, j, pref, null),
        };
      }
      case "coalesce":
        return {
          kind: "concat",
          plans: node.groups[p]!.map((j) =>
            this.#planFor(node.parent, j, pref, null)
          ),
        };
      case "shuffled":
        return {
          kind: "shuffle",
          blocks: this.#shuffles.blocks(node.dep.id, p),
          reduce: node.reduce,
        };
      case "cogroup":
        return {
          kind: "cogroup",
          inputs: node.inputs.map((i) =>
            "shuffle" in i
              ? { blocks: this.#shuffles.blocks(i.shuffle.id, p) }
              : { plan: this.#planFor(i.narrow, p, pref, null) }
          ),
        };
    }
  }

  close(): Promise<void> {
    this.#shuffles.clear();
    return this.pool.close();
  }
}

/** The shuffle that made `part`, walking down through kept partitioners. */
function shuffleWithPartitioner(
  rdd: object,
  part: PartitionerSpec,
): ShuffleDep | undefined {
  const stack = [rdd];
  while (stack.length > 0) {
    const l = lineageOf(stack.pop()!);
    if (l.partitioner !== part) continue;
    if (l.node.type === "shuffled" && l.node.dep.part === part) {
      return l.node.dep;
    }
    stack.push(...narrowParents(l.node));
  }
  return undefined;
}
