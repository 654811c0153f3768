/**
 * Mini-Spark: lazy RDDs on a pool of Web Workers.
 *
 * @example Count earthquakes by region
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 2 });
 * const quakes = [
 *   { mag: 4.5, place: "10km N of Hualien, Taiwan" },
 *   { mag: 2.1, place: "5km W of Anza, CA" },
 *   { mag: 5.0, place: "Taitung, Taiwan" },
 * ];
 * const byRegion = await sc.parallelize(quakes)
 *   .filter((q, env) => q.mag > env.min, { min: 4 })
 *   .map((q) => [q.place.slice(q.place.lastIndexOf(",") + 1).trim(), 1] as [string, number])
 *   .reduceByKey((a, b) => a + b)
 *   .collect();
 * assert.deepEqual(byRegion, [["Taiwan", 2]]);
 * ```
 *
 * Functions run in workers and are shipped as source text, so they cannot
 * capture local variables. Every method that takes a function also takes an
 * optional last `env` argument (a structured-cloneable object that may hold
 * {@linkcode Broadcast}s); the function receives it as its last parameter:
 * `rdd.filter((r, env) => r.mag > env.min, { min: 4 })`,
 * `rdd.mapPartitions((rows, env) => ..., env)`,
 * `rdd.mapPartitionsWithIndex((i, rows, env) => ..., env)`. Helpers come from
 * modules registered with `sc.addModule(name, specifier)` (or the `modules`
 * option): inside a function, `name` is the module's namespace. Any other
 * free identifier fails the job with an error naming it; native and bound
 * functions are refused up front.
 *
 * ## How it works
 *
 * Transformations only record lineage. An action asks the scheduler for a
 * job: it walks the lineage iteratively, cuts a stage at every shuffle
 * dependency, runs parent stages first and fuses each stage's narrow
 * transformations into one task per partition. A task is a plain object (a
 * source plus a list of ops) posted to a module Worker from a pool made once;
 * the worker reads its own split (a file byte range, a topic partition, a
 * slice, shuffle blocks), streams records through the ops in batches and
 * applies the action there, so only results cross threads.
 *
 * ```
 * action ─▶ scheduler ─▶ stage 0: [task p0] [task p1] ...  (map side: combine, hash/range partition)
 *                 │                 │  shuffle blocks (one structured clone per block)
 *                 │                 ▼
 *                 └──────▶ stage 1: [task r0] [task r1] ...  (reduce side: merge) ─▶ results
 *           workers: W0 W1 ... (reused; a crashed one is replaced and its task retried)
 * ```
 *
 * Shuffles hash a canonical key encoding (arrays and tuples by value) with a
 * map-side combine for the `...ByKey` aggregations; `sortBy`/`sortByKey`
 * build a range partitioner from a reservoir sample (about 20 keys per output
 * partition, 3x oversampled), so output is globally ordered. Text and CSV
 * files are cut into byte ranges with Hadoop's rule (skip the first partial
 * line unless at offset 0; finish the last line past the end).
 *
 * Files (each named once):
 *
 * - the API: `mod.ts` (exports), `context.ts` (SparkContext, sources),
 *   `rdd.ts` (RDD),
 *   `broadcast.ts` (broadcasts, accumulators), `stat_counter.ts`,
 *   `conf.ts` (SparkConf), `status_tracker.ts`, `errors.ts`;
 * - the driver: `_lineage.ts` (what each RDD is made of), `_registry.ts`
 *   (context to scheduler), `_scheduler.ts` (jobs, stages, cancellation,
 *   checkpoints), `_pool.ts` (executors, retries, timeouts),
 *   `_executors.ts` (Worker or process executors), `_frames.ts` (the
 *   process pipe), `_remote_error.ts` (task errors, user stack frames),
 *   `_input_files.ts` (directories, globs, comma lists), `_paths.ts`;
 * - the wire format: `_plan.ts` (tasks; `kind` names every variant);
 * - the executors: `_worker.ts`, `_process_executor.ts`, `_task_runner.ts`
 *   (entry points), `_exec.ts` (ops and actions), `_stream.ts` (batches),
 *   `_closure.ts` (shipping and compiling functions);
 * - the sources: `_source_text.ts` + `_text_reader.ts` (splits, gzip),
 *   `_source_csv.ts` + `_csv.ts` (schemas, rows), `_source_topic.ts`
 *   (kafka logs);
 * - the shuffle: `_shuffle.ts` (write, read, block store),
 *   `_range_partitioner.ts` (sampling, bounds, lookup), `_keys.ts` (key
 *   encoding, hashing, order), `_hyperloglog.ts` (countApproxDistinct);
 * - the event log and history view: `_event_log.ts` (Spark's event log,
 *   written from the scheduler's listener), `_task_metrics.ts` (metrics
 *   gathered in the executor), `history.ts` (`sparkHistoryHandler`),
 *   `_history_model.ts` (replaying a log), `_history_pages.ts` (HTML, DAG).
 *
 * With `eventLogDir`, the scheduler tells an event log each job, stage and
 * task end; tasks then count their records and bytes per batch. The log is
 * one JSON line per event in Spark's format, flushed at stage and job
 * boundaries and at most every 250 ms in between, and `sparkHistoryHandler`
 * replays it on each request (a running application's pages poll):
 *
 * ```
 * scheduler ─▶ EventLog ─▶ <eventLogDir>/<appId>.inprogress ─(close)─▶ <appId>
 *                                      │ replay
 *                       sparkHistoryHandler ─▶ apps / jobs / stages / executors
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
export { SparkError } from "./errors.ts";
export { sparkHistoryHandler, type SparkHistoryOptions } from "./history.ts";
export { Accumulator, type AccumulatorParam, Broadcast } from "./broadcast.ts";
export { SparkConf } from "./conf.ts";
export {
  type SparkJobInfo,
  type SparkStageInfo,
  StatusTracker,
} from "./status_tracker.ts";
export {
  type ActionOptions,
  type BoundedDouble,
  type MapOptions,
  type PartitionFunc,
  RDD,
} from "./rdd.ts";
export { StatCounter } from "./stat_counter.ts";
export {
  type CsvOptions,
  type CsvType,
  type FromTopicOptions,
  type JobInfo,
  type ProgressEvent,
  SparkContext,
  type SparkContextOptions,
  type TopicRecord,
} from "./context.ts";
export type { StageInfo } from "./_scheduler.ts";
