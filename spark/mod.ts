/**
 * Mini-Spark: lazy RDDs on a pool of Web Workers.
 *
 * @example Count earthquakes by region
 * ```ts
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
 * console.log(byRegion); // [["Taiwan", 2]]
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
export { SparkError } from "./error.ts";
export { Broadcast } from "./broadcast.ts";
export { RDD } from "./rdd.ts";
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
