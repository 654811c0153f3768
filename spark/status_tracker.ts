/**
 * The status tracker: which jobs run, their stages and their state, as
 * Spark's `SparkStatusTracker` reports them.
 *
 * @module
 */

/** One job as the tracker reports it. */
export interface SparkJobInfo {
  /** The job id. */
  jobId: number;
  /** Its stages so far, in the order they started. */
  stageIds: number[];
  /** Spark's job states. */
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
}

/** One stage as the tracker reports it (PySpark's `SparkStageInfo`). */
export interface SparkStageInfo {
  /** The stage id. */
  stageId: number;
  /** Always 0: a failed stage fails its job here, it is not re-attempted. */
  currentAttemptId: number;
  /** The action and the stage's kind, e.g. `"collect (ResultStage)"`. */
  name: string;
  /** Tasks in the stage (one per partition). */
  numTasks: number;
  /** Task attempts running on an executor right now. */
  numActiveTasks: number;
  /** Tasks that succeeded. */
  numCompletedTasks: number;
  /** Failed task attempts (retried ones included) and tasks stopped by a cancellation. */
  numFailedTasks: number;
}

/** What the tracker reads (the scheduler's job and stage tables). */
interface JobTable {
  jobs: ReadonlyMap<
    number,
    {
      group: string | null;
      status: SparkJobInfo["status"];
      stageIds: number[];
    }
  >;
  stages: ReadonlyMap<
    number,
    {
      name: string;
      total: number;
      completed: number;
      failed: number;
      status: "ACTIVE" | "COMPLETE" | "FAILED";
    }
  >;
  pool: { running(stageId: number): number };
}

/**
 * A live view of the context's jobs and stages (`sc.statusTracker()`); it
 * keeps the latest 1,000 finished jobs and the latest 1,000 ended stages.
 *
 * @example Jobs of a group
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * sc.setJobGroup("nightly", "counts for the report");
 * await sc.range(3).count();
 * const tracker = sc.statusTracker();
 * const [id] = tracker.getJobIdsForGroup("nightly");
 * assert.equal(tracker.getJobInfo(id!)?.status, "SUCCEEDED");
 * assert.deepEqual(tracker.getActiveJobsIds(), []);
 * const [stage] = tracker.getJobInfo(id!)!.stageIds;
 * assert.deepEqual(tracker.getStageInfo(stage!), {
 *   stageId: stage, currentAttemptId: 0, name: "count (ResultStage)",
 *   numTasks: 1, numActiveTasks: 0, numCompletedTasks: 1, numFailedTasks: 0,
 * });
 * ```
 */
export class StatusTracker {
  #table: JobTable;

  /**
   * Use `sc.statusTracker()` instead of calling this.
   *
   * @param table The scheduler's job table.
   */
  constructor(table: JobTable) {
    this.#table = table;
  }

  /**
   * Ids of the known jobs of a group (`null`: jobs without a group).
   *
   * @param jobGroup The group set with `sc.setJobGroup`.
   * @returns Job ids, oldest first.
   */
  getJobIdsForGroup(jobGroup: string | null = null): number[] {
    return [...this.#table.jobs].filter(([, j]) => j.group === jobGroup)
      .map(([id]) => id);
  }

  /**
   * Ids of the running jobs.
   *
   * @returns Job ids.
   */
  getActiveJobsIds(): number[] {
    return [...this.#table.jobs].filter(([, j]) => j.status === "RUNNING")
      .map(([id]) => id);
  }

  /**
   * Ids of the stages running now (not the finished stages of a running
   * job).
   *
   * @returns Stage ids, oldest first.
   */
  getActiveStageIds(): number[] {
    return [...this.#table.stages].filter(([, s]) => s.status === "ACTIVE")
      .map(([id]) => id);
  }

  /**
   * One stage's progress, or undefined when unknown or forgotten.
   *
   * @param stageId The stage id (from {@linkcode getJobInfo}).
   * @returns The stage.
   */
  getStageInfo(stageId: number): SparkStageInfo | undefined {
    const s = this.#table.stages.get(stageId);
    if (s === undefined) return undefined;
    return {
      stageId,
      currentAttemptId: 0,
      name: s.name,
      numTasks: s.total,
      numActiveTasks: s.status === "ACTIVE"
        ? this.#table.pool.running(stageId)
        : 0,
      numCompletedTasks: s.completed,
      numFailedTasks: s.failed,
    };
  }

  /**
   * One job's state, or undefined once forgotten.
   *
   * @param jobId The job id.
   * @returns The job.
   */
  getJobInfo(jobId: number): SparkJobInfo | undefined {
    const j = this.#table.jobs.get(jobId);
    if (j === undefined) return undefined;
    return { jobId, stageIds: [...j.stageIds], status: j.status };
  }
}
