// Spark's event log (`spark.eventLog.dir`): one file per application named
// after its id, `<appId>.inprogress` while the context runs and renamed to
// `<appId>` when it closes; one JSON object per line, with the event and
// field names of Spark's JsonProtocol, so the history view (and anything
// that reads Spark's logs) finds what it expects.
//
// Lines are buffered and written in batches: at most every FLUSH_MS while
// tasks end (so a live view follows a running stage) and at every stage and
// job boundary. Each flush is one synchronous write of whole lines, so a
// reader never sees half a line except a torn tail after a crash, which the
// reader reports as damaged.

import type { Clock } from "../internal/clock.ts";
import type { JobInfo, StageInfo } from "./_scheduler.ts";
import type { Task, TaskOutput } from "./_plan.ts";
import {
  lineageOf,
  narrowParents,
  type Node,
  shuffleDepsOf,
  stageChain,
} from "./_lineage.ts";
import { SparkError } from "./errors.ts";

/** What the scheduler tells its listener. */
export interface SchedulerListener {
  jobStart(job: JobInfo): void;
  jobEnd(job: JobInfo, error: unknown): void;
  stageSubmitted(
    job: JobInfo,
    stageId: number,
    kind: StageInfo["kind"],
    rdd: object,
    tasks: number,
  ): void;
  /** A task's final outcome: its output, or the error that failed it. */
  taskEnd(task: Task, slot: number | null, out: TaskOutput | unknown): void;
  /** A task attempt failed and will be retried. */
  taskFailed(task: Task, attempt: number, cause: Error): void;
  stageCompleted(stageId: number, error: unknown): void;
}

/** Longest time a finished task's line waits in the buffer (measured: a
 * flush is one write of a few KiB, ~20 µs, so 4 per second cost nothing). */
const FLUSH_MS = 250;

/** The Spark version whose log format this follows. */
export const EVENT_LOG_SPARK_VERSION = "3.5.0";

/** The `Task ID` counter and stage facts kept between events. */
interface StageRecord {
  info: Record<string, unknown>;
  kind: StageInfo["kind"];
  failed: number;
}

/** Writes one application's event log. */
export class EventLog implements SchedulerListener {
  readonly appId: string;
  readonly path: string;
  #file: Deno.FsFile;
  #clock: Clock;
  #buffer: string[] = [];
  #lastFlush = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** A write failed: nothing more is written. */
  #failed = false;
  #nextTaskId = 0;
  #stages = new Map<number, StageRecord>();
  /** RDD id -> the ShuffleMapStage that last wrote the shuffle it feeds. */
  #mapStageOf = new Map<number, number>();
  #executors = new Set<number>();
  /** `stage:partition` -> attempts logged so far (Spark counts from 0). */
  #attempts = new Map<string, number>();
  #enc = new TextEncoder();

  /**
   * Creates `<dir>/<appId>.inprogress` (the directory too). When a log of
   * that id exists already (two contexts started in the same millisecond),
   * the id gets a `-1`, `-2`, ... suffix; `appId` is the one used.
   */
  constructor(
    dir: string,
    appId: string,
    options: { appName: string; startTime: number; clock: Clock },
  ) {
    this.#clock = options.clock;
    try {
      Deno.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new SparkError(`eventLogDir cannot be created: ${dir}`, {
        cause: e,
      });
    }
    for (let n = 0;; n++) {
      const id = n === 0 ? appId : `${appId}-${n}`;
      const path = `${dir}/${id}`;
      if (exists(path)) continue;
      try {
        this.#file = Deno.openSync(`${path}.inprogress`, {
          write: true,
          createNew: true,
        });
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) continue;
        throw new SparkError(`Event log cannot be written: ${path}`, {
          cause: e,
        });
      }
      this.appId = id;
      this.path = path;
      break;
    }
    this.#emit({
      Event: "SparkListenerLogStart",
      "Spark Version": EVENT_LOG_SPARK_VERSION,
    });
    this.#emit({
      Event: "SparkListenerApplicationStart",
      "App Name": options.appName,
      "App ID": this.appId,
      Timestamp: options.startTime,
      User: Deno.env.get("USER") ?? "",
    });
    this.#flush();
  }

  jobStart(job: JobInfo): void {
    this.#emit({
      Event: "SparkListenerJobStart",
      "Job ID": job.jobId,
      "Submission Time": this.#clock.now(),
      // Stages are cut as the job runs, so each is announced when submitted.
      "Stage Infos": [],
      "Stage IDs": [],
      Properties: {
        "spark.job.description": job.description ?? job.action,
        ...(job.group === null ? {} : { "spark.jobGroup.id": job.group }),
        "callSite.short": job.action,
      },
    });
    this.#flush();
  }

  jobEnd(job: JobInfo, error: unknown): void {
    this.#emit({
      Event: "SparkListenerJobEnd",
      "Job ID": job.jobId,
      "Completion Time": this.#clock.now(),
      "Job Result": error === null
        ? { Result: "JobSucceeded" }
        : { Result: "JobFailed", Exception: exception(error) },
    });
    this.#flush();
  }

  stageSubmitted(
    job: JobInfo,
    stageId: number,
    kind: StageInfo["kind"],
    rdd: object,
    tasks: number,
  ): void {
    const { rdds, parents } = this.#stageRdds(rdd);
    const l = lineageOf(rdd);
    if (kind === "ShuffleMapStage") this.#mapStageOf.set(l.id, stageId);
    const info: Record<string, unknown> = {
      "Stage ID": stageId,
      "Stage Attempt ID": 0,
      "Stage Name": `${job.action} (${kind})`,
      "Number of Tasks": tasks,
      "RDD Info": rdds,
      "Parent IDs": parents,
      Details: kind,
      "Submission Time": this.#clock.now(),
      Accumulables: [],
    };
    this.#stages.set(stageId, { info, kind, failed: 0 });
    this.#emit({
      Event: "SparkListenerStageSubmitted",
      "Stage Info": info,
      Properties: { "spark.job.id": String(job.jobId) },
    });
    this.#flush();
  }

  taskEnd(task: Task, slot: number | null, out: unknown): void {
    const ok = slot !== null;
    const o = ok ? out as TaskOutput : null;
    const m = o?.metrics;
    const now = this.#clock.now();
    const runMs = Math.round(m?.runMs ?? 0);
    const executor = slot === null ? "driver" : String(slot);
    if (slot !== null) this.#executorAdded(slot);
    this.#taskLine(task, {
      attempt: m === undefined ? this.#attempt(task) : m.attempt - 1,
      executor,
      launch: now - runMs,
      finish: now,
      reason: ok ? { Reason: "Success" } : failure(out),
      metrics: {
        "Executor Deserialize Time": 0,
        "Executor Deserialize CPU Time": 0,
        "Executor Run Time": runMs,
        "Executor CPU Time": 0,
        "Peak Execution Memory": 0,
        "Result Size": o?.bytes ?? 0,
        "JVM GC Time": 0,
        "Result Serialization Time": 0,
        "Memory Bytes Spilled": 0,
        "Disk Bytes Spilled": 0,
        "Shuffle Read Metrics": {
          "Remote Blocks Fetched": 0,
          "Local Blocks Fetched": 0,
          "Fetch Wait Time": 0,
          "Remote Bytes Read": 0,
          "Remote Bytes Read To Disk": 0,
          "Local Bytes Read": m?.shuffleReadBytes ?? 0,
          "Total Records Read": m?.shuffleReadRecords ?? 0,
        },
        "Shuffle Write Metrics": {
          "Shuffle Bytes Written": m?.shuffleWriteBytes ?? 0,
          "Shuffle Write Time": 0,
          "Shuffle Records Written": m?.shuffleWriteRecords ?? 0,
        },
        "Input Metrics": {
          "Bytes Read": m?.bytesRead ?? 0,
          "Records Read": m?.recordsRead ?? 0,
        },
        "Output Metrics": { "Bytes Written": 0, "Records Written": 0 },
        "Updated Blocks": [],
      },
    });
  }

  taskFailed(task: Task, attempt: number, cause: Error): void {
    const now = this.#clock.now();
    this.#taskLine(task, {
      attempt: this.#attempt(task, attempt - 1),
      executor: "unknown",
      launch: now,
      finish: now,
      reason: failure(cause),
      metrics: null,
    });
  }

  stageCompleted(stageId: number, error: unknown): void {
    const s = this.#stages.get(stageId);
    if (s === undefined) return;
    s.info["Completion Time"] = this.#clock.now();
    if (error !== null) s.info["Failure Reason"] = message(error);
    this.#emit({ Event: "SparkListenerStageCompleted", "Stage Info": s.info });
    this.#stages.delete(stageId);
    this.#flush();
  }

  /** Writes SparkListenerApplicationEnd and renames the file into place. */
  close(): void {
    if (this.#closed) return;
    this.#emit({
      Event: "SparkListenerApplicationEnd",
      Timestamp: this.#clock.now(),
    });
    this.#flush();
    this.#closed = true;
    this.#file.close();
    // A log that stopped half-way stays `.inprogress`, as a crashed one does.
    if (this.#failed) return;
    try {
      Deno.renameSync(`${this.path}.inprogress`, this.path);
    } catch (e) {
      console.error(
        `WARN EventLog: ${this.path}.inprogress cannot be renamed: ${
          (e as Error).message
        }`,
      );
    }
  }

  #attempt(task: Task, known?: number): number {
    const key = `${task.stageId}:${task.partition}`;
    const n = known ?? this.#attempts.get(key) ?? 0;
    this.#attempts.set(key, n + 1);
    return n;
  }

  #executorAdded(slot: number): void {
    if (this.#executors.has(slot)) return;
    this.#executors.add(slot);
    this.#emit({
      Event: "SparkListenerExecutorAdded",
      Timestamp: this.#clock.now(),
      "Executor ID": String(slot),
      "Executor Info": { Host: "localhost", "Total Cores": 1, "Log Urls": {} },
    });
  }

  #taskLine(task: Task, t: {
    attempt: number;
    executor: string;
    launch: number;
    finish: number;
    reason: Record<string, unknown>;
    metrics: Record<string, unknown> | null;
  }): void {
    const s = this.#stages.get(task.stageId);
    const failed = t.reason.Reason !== "Success";
    this.#emit({
      Event: "SparkListenerTaskEnd",
      "Stage ID": task.stageId,
      "Stage Attempt ID": 0,
      "Task Type": s?.kind === "ShuffleMapStage"
        ? "ShuffleMapTask"
        : "ResultTask",
      "Task End Reason": t.reason,
      "Task Info": {
        "Task ID": this.#nextTaskId++,
        Index: task.partition,
        Attempt: t.attempt,
        "Partition ID": task.partition,
        "Launch Time": t.launch,
        "Executor ID": t.executor,
        Host: "localhost",
        Locality: "PROCESS_LOCAL",
        Speculative: false,
        "Getting Result Time": 0,
        "Finish Time": t.finish,
        Failed: failed,
        Killed: false,
        Accumulables: [],
      },
      "Task Executor Metrics": {},
      ...(t.metrics === null ? {} : { "Task Metrics": t.metrics }),
    });
    if (this.#clock.now() - this.#lastFlush >= FLUSH_MS) this.#flush();
    else this.#flushLater();
  }

  /** The stage's RDDs (its narrow chain) and the stages it reads from. */
  #stageRdds(root: object): {
    rdds: Record<string, unknown>[];
    parents: number[];
  } {
    const rdds: Record<string, unknown>[] = [];
    const parents = new Set<number>();
    for (const r of stageChain(root)) {
      const l = lineageOf(r);
      const narrow = narrowParents(l.node);
      const shuffles = shuffleDepsOf(l.node);
      for (const d of shuffles) {
        const stage = this.#mapStageOf.get(lineageOf(d.parent).id);
        if (stage !== undefined) parents.add(stage);
      }
      rdds.push({
        "RDD ID": l.id,
        Name: l.name ?? l.kind,
        Callsite: l.label,
        "Parent IDs": [...narrow, ...shuffles.map((d) => d.parent)].map((p) =>
          lineageOf(p).id
        ),
        // Which parents are across a shuffle: the DAG draws those edges as
        // stage boundaries. (Spark keeps this in the dependency types.)
        "Shuffle Parent IDs": shuffles.map((d) => lineageOf(d.parent).id),
        "Storage Level": {
          "Use Disk": false,
          "Use Memory": l.cached,
          Deserialized: l.cached,
          Replication: 1,
        },
        "Number of Partitions": l.numPartitions,
        "Number of Cached Partitions": 0,
        "Memory Size": 0,
        "Disk Size": 0,
        Scope: nodeScope(l.node),
      });
    }
    rdds.sort((a, b) => (a["RDD ID"] as number) - (b["RDD ID"] as number));
    return { rdds, parents: [...parents].sort((a, b) => a - b) };
  }

  #emit(event: Record<string, unknown>): void {
    if (this.#closed || this.#failed) return;
    this.#buffer.push(JSON.stringify(event));
  }

  #flushLater(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, FLUSH_MS);
    Deno.unrefTimer(this.#timer);
  }

  #flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#lastFlush = this.#clock.now();
    if (this.#buffer.length === 0 || this.#closed || this.#failed) return;
    const bytes = this.#enc.encode(this.#buffer.join("\n") + "\n");
    this.#buffer = [];
    try {
      let off = 0;
      while (off < bytes.length) {
        off += this.#file.writeSync(bytes.subarray(off));
      }
    } catch (e) {
      // A full disk must not fail the jobs: the log stops, once, loudly.
      this.#failed = true;
      console.error(
        `WARN EventLog: stopped writing ${this.path}.inprogress: ${
          (e as Error).message
        }`,
      );
    }
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function nodeScope(node: Node): string {
  return JSON.stringify({ name: node.type });
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function exception(e: unknown): Record<string, unknown> {
  return {
    Message: message(e),
    "Stack Trace": [],
  };
}

/** Spark's ExceptionFailure end reason. */
function failure(e: unknown): Record<string, unknown> {
  const err = e instanceof Error ? e : null;
  return {
    Reason: "ExceptionFailure",
    "Class Name": err?.name ?? "Error",
    Description: err?.message ?? String(e),
    "Stack Trace": [],
    "Full Stack Trace": err?.stack ?? "",
    Accumulables: [],
  };
}
