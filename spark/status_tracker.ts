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

/** What the tracker reads (the scheduler's job table). */
interface JobTable {
  jobs: ReadonlyMap<
    number,
    {
      group: string | null;
      status: SparkJobInfo["status"];
      stageIds: number[];
    }
  >;
}

/**
 * A live view of the context's jobs (`sc.statusTracker()`); it keeps the
 * latest 1,000 finished jobs.
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
   * Ids of the stages of running jobs.
   *
   * @returns Stage ids.
   */
  getActiveStageIds(): number[] {
    return [...this.#table.jobs.values()].filter((j) => j.status === "RUNNING")
      .flatMap((j) => j.stageIds);
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
