// Reads Spark event logs back into applications, jobs, stages, tasks and
// executors, as the history server's replay does. A line that is not JSON
// or not an object is kept as a damaged line (number and message) and the
// replay goes on, so one torn write never hides the rest of the log.

/** Names of event log files: Spark's local and cluster ids, nothing else. */
export const APP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One task attempt as the log reports it. */
export interface TaskRow {
  taskId: number;
  index: number;
  attempt: number;
  executor: string;
  launch: number;
  finish: number;
  status: "SUCCESS" | "FAILED";
  failure: string | null;
  durationMs: number;
  resultSize: number;
  recordsRead: number;
  bytesRead: number;
  shuffleReadRecords: number;
  shuffleReadBytes: number;
  shuffleWriteRecords: number;
  shuffleWriteBytes: number;
}

/** One RDD of a stage, for the DAG. */
export interface RddRow {
  id: number;
  name: string;
  callsite: string;
  parents: number[];
  shuffleParents: number[];
  partitions: number;
  cached: boolean;
}

/** One stage. */
export interface StageRow {
  stageId: number;
  jobId: number | null;
  name: string;
  kind: string;
  numTasks: number;
  parents: number[];
  rdds: RddRow[];
  submitted: number | null;
  completed: number | null;
  status: "ACTIVE" | "COMPLETE" | "FAILED";
  failure: string | null;
  tasks: TaskRow[];
}

/** One job. */
export interface JobRow {
  jobId: number;
  description: string;
  group: string | null;
  submitted: number;
  completed: number | null;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  failure: string | null;
  stageIds: number[];
}

/** Totals per executor. */
export interface ExecutorRow {
  id: string;
  host: string;
  added: number | null;
  tasks: number;
  failedTasks: number;
  durationMs: number;
  recordsRead: number;
  bytesRead: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
}

/** A line that could not be replayed. */
export interface DamagedLine {
  line: number;
  message: string;
}

/** One application replayed from its log. */
export interface AppModel {
  appId: string;
  name: string;
  user: string;
  sparkVersion: string;
  started: number | null;
  ended: number | null;
  inProgress: boolean;
  jobs: Map<number, JobRow>;
  stages: Map<number, StageRow>;
  executors: Map<string, ExecutorRow>;
  damaged: DamagedLine[];
}

/** An application's log file in the directory. */
export interface LogEntry {
  appId: string;
  file: string;
  inProgress: boolean;
  mtime: number;
}

/** Lists the application logs of a directory (a missing one lists none). */
export async function listLogs(dir: string): Promise<LogEntry[]> {
  const out = new Map<string, LogEntry>();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile) continue;
      const inProgress = e.name.endsWith(".inprogress");
      const appId = inProgress
        ? e.name.slice(0, -".inprogress".length)
        : e.name;
      if (!APP_ID.test(appId)) continue;
      // A finished log wins over a stale in-progress one of the same id.
      if (out.has(appId) && inProgress) continue;
      const file = `${dir}/${e.name}`;
      const st = await Deno.stat(file).catch(() => null);
      if (st === null) continue;
      out.set(appId, {
        appId,
        file,
        inProgress,
        mtime: st.mtime?.getTime() ?? 0,
      });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return [...out.values()].sort((a, b) => b.mtime - a.mtime);
}

/** Replays one log file's text. */
export function replay(entry: LogEntry, text: string): AppModel {
  const app: AppModel = {
    appId: entry.appId,
    name: entry.appId,
    user: "",
    sparkVersion: "",
    started: null,
    ended: null,
    inProgress: entry.inProgress,
    jobs: new Map(),
    stages: new Map(),
    executors: new Map(),
    damaged: [],
  };
  const lines = text.split("\n");
  // A file still being written may end in a partial line: not damage yet.
  const last = entry.inProgress && !text.endsWith("\n") ? lines.length - 1 : -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "" || i === last) continue;
    try {
      const e = JSON.parse(line);
      if (e === null || typeof e !== "object" || Array.isArray(e)) {
        throw new Error("Not a JSON object");
      }
      apply(app, e as Ev);
    } catch (err) {
      app.damaged.push({ line: i + 1, message: (err as Error).message });
    }
  }
  return app;
}

// deno-lint-ignore no-explicit-any
type Ev = Record<string, any>;

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function str(v: unknown): string {
  return typeof v === "string"
    ? v
    : v === undefined || v === null
    ? ""
    : String(v);
}

function apply(app: AppModel, e: Ev): void {
  switch (e.Event) {
    case "SparkListenerLogStart":
      app.sparkVersion = str(e["Spark Version"]);
      return;
    case "SparkListenerApplicationStart":
      app.name = str(e["App Name"]) || app.appId;
      app.user = str(e.User);
      app.started = num(e.Timestamp);
      return;
    case "SparkListenerApplicationEnd":
      app.ended = num(e.Timestamp);
      return;
    case "SparkListenerJobStart": {
      const id = jobId(e["Job ID"]);
      const props = (e.Properties ?? {}) as Ev;
      app.jobs.set(id, {
        jobId: id,
        description: str(
          props["spark.job.description"] ?? props["callSite.short"],
        ),
        group: props["spark.jobGroup.id"] === undefined
          ? null
          : str(props["spark.jobGroup.id"]),
        submitted: num(e["Submission Time"]),
        completed: null,
        status: "RUNNING",
        failure: null,
        stageIds: Array.isArray(e["Stage IDs"]) ? e["Stage IDs"].map(num) : [],
      });
      return;
    }
    case "SparkListenerJobEnd": {
      const job = app.jobs.get(jobId(e["Job ID"]));
      if (job === undefined) {
        throw new Error(`Job ${e["Job ID"]} never started`);
      }
      job.completed = num(e["Completion Time"]);
      const result = (e["Job Result"] ?? {}) as Ev;
      job.status = result.Result === "JobSucceeded" ? "SUCCEEDED" : "FAILED";
      if (job.status === "FAILED") {
        job.failure = str(result.Exception?.Message) || "failed";
      }
      return;
    }
    case "SparkListenerStageSubmitted": {
      const info = stageInfo(e);
      const id = num(info["Stage ID"]);
      const jid = e.Properties?.["spark.job.id"];
      const jobIdOf = jid === undefined ? null : Number(jid);
      const job = jobIdOf === null ? undefined : app.jobs.get(jobIdOf);
      if (job !== undefined && !job.stageIds.includes(id)) {
        job.stageIds.push(id);
      }
      app.stages.set(id, {
        stageId: id,
        jobId: jobIdOf,
        name: str(info["Stage Name"]),
        kind: str(info.Details),
        numTasks: num(info["Number of Tasks"]),
        parents: Array.isArray(info["Parent IDs"])
          ? info["Parent IDs"].map(num)
          : [],
        rdds: Array.isArray(info["RDD Info"])
          ? info["RDD Info"].map(rddRow)
          : [],
        submitted: num(info["Submission Time"]) || null,
        completed: null,
        status: "ACTIVE",
        failure: null,
        tasks: [],
      });
      return;
    }
    case "SparkListenerStageCompleted": {
      const info = stageInfo(e);
      const s = app.stages.get(num(info["Stage ID"]));
      if (s === undefined) {
        throw new Error(`Stage ${info["Stage ID"]} was never submitted`);
      }
      s.completed = num(info["Completion Time"]) || null;
      s.failure = info["Failure Reason"] === undefined
        ? null
        : str(info["Failure Reason"]);
      s.status = s.failure === null ? "COMPLETE" : "FAILED";
      return;
    }
    case "SparkListenerExecutorAdded": {
      const id = str(e["Executor ID"]);
      const ex = executor(app, id);
      ex.host = str(e["Executor Info"]?.Host) || ex.host;
      ex.added = num(e.Timestamp);
      return;
    }
    case "SparkListenerTaskEnd": {
      const s = app.stages.get(num(e["Stage ID"]));
      if (s === undefined) {
        throw new Error(
          `Task of stage ${e["Stage ID"]}, which was never submitted`,
        );
      }
      const t = taskRow(e);
      s.tasks.push(t);
      const ex = executor(app, t.executor);
      ex.tasks++;
      if (t.status === "FAILED") ex.failedTasks++;
      ex.durationMs += t.durationMs;
      ex.recordsRead += t.recordsRead;
      ex.bytesRead += t.bytesRead;
      ex.shuffleReadBytes += t.shuffleReadBytes;
      ex.shuffleWriteBytes += t.shuffleWriteBytes;
      return;
    }
    default:
      if (typeof e.Event !== "string") throw new Error('No "Event" field');
      // Other Spark events (environment, block manager, ...) are not shown.
  }
}

function jobId(v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new Error(`Bad "Job ID": ${JSON.stringify(v)}`);
  }
  return v;
}

function stageInfo(e: Ev): Ev {
  const info = e["Stage Info"];
  if (info === null || typeof info !== "object") {
    throw new Error(`${e.Event} without "Stage Info"`);
  }
  const id = info["Stage ID"];
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
    throw new Error(`Bad "Stage ID": ${JSON.stringify(id)}`);
  }
  return info;
}

function rddRow(r: Ev): RddRow {
  return {
    id: num(r["RDD ID"]),
    name: str(r.Name),
    callsite: str(r.Callsite),
    parents: Array.isArray(r["Parent IDs"]) ? r["Parent IDs"].map(num) : [],
    shuffleParents: Array.isArray(r["Shuffle Parent IDs"])
      ? r["Shuffle Parent IDs"].map(num)
      : [],
    partitions: num(r["Number of Partitions"]),
    cached: r["Storage Level"]?.["Use Memory"] === true,
  };
}

function taskRow(e: Ev): TaskRow {
  const info = (e["Task Info"] ?? {}) as Ev;
  const m = (e["Task Metrics"] ?? {}) as Ev;
  const reason = (e["Task End Reason"] ?? {}) as Ev;
  const ok = reason.Reason === "Success";
  const sr = (m["Shuffle Read Metrics"] ?? {}) as Ev;
  const sw = (m["Shuffle Write Metrics"] ?? {}) as Ev;
  const input = (m["Input Metrics"] ?? {}) as Ev;
  const launch = num(info["Launch Time"]);
  const finish = num(info["Finish Time"]);
  return {
    taskId: num(info["Task ID"]),
    index: num(info.Index),
    attempt: num(info.Attempt),
    executor: str(info["Executor ID"]) || "unknown",
    launch,
    finish,
    status: ok ? "SUCCESS" : "FAILED",
    failure: ok
      ? null
      : [str(reason["Class Name"]), str(reason.Description)].filter((x) => x)
        .join(": ") || str(reason.Reason),
    durationMs: m["Executor Run Time"] === undefined
      ? Math.max(0, finish - launch)
      : num(m["Executor Run Time"]),
    resultSize: num(m["Result Size"]),
    recordsRead: num(input["Records Read"]),
    bytesRead: num(input["Bytes Read"]),
    shuffleReadRecords: num(sr["Total Records Read"]),
    shuffleReadBytes: num(sr["Local Bytes Read"]) +
      num(sr["Remote Bytes Read"]),
    shuffleWriteRecords: num(sw["Shuffle Records Written"]),
    shuffleWriteBytes: num(sw["Shuffle Bytes Written"]),
  };
}

function executor(app: AppModel, id: string): ExecutorRow {
  let ex = app.executors.get(id);
  if (ex === undefined) {
    ex = {
      id,
      host: "localhost",
      added: null,
      tasks: 0,
      failedTasks: 0,
      durationMs: 0,
      recordsRead: 0,
      bytesRead: 0,
      shuffleReadBytes: 0,
      shuffleWriteBytes: 0,
    };
    app.executors.set(id, ex);
  }
  return ex;
}

/**
 * Spark's task summary quantiles (min, 25th, median, 75th, max), as its
 * AppStatusStore.taskSummary picks them: the sorted value at index
 * `min(floor(q * n), n - 1)`, no interpolation.
 */
export function quantiles(values: number[]): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return [0, 0.25, 0.5, 0.75, 1].map((q) =>
    sorted[Math.min(Math.floor(q * n), n - 1)]!
  );
}
