/**
 * Data Engineering From Scratch: the core of the data-engineering stack
 * rebuilt for Deno — a mini Spark, Airflow and Kafka, a resilient HTTP client
 * and a Great Expectations-style quality engine. Each system is a namespace
 * here and a module of its own (`./spark`, `./airflow`, `./kafka`, `./http`,
 * `./quality`).
 *
 * @example Use the namespaces together
 * ```ts
 * import assert from "node:assert/strict";
 * import { kafka, quality, spark } from "./mod.ts";
 * // Kafka's default partitioner, exactly as Java computes it.
 * assert.equal(kafka.partitionForKey("Taiwan", 4), 2);
 * // Count strong quakes by region on two worker threads.
 * await using sc = new spark.SparkContext({ parallelism: 2 });
 * const quakes = [{ mag: 5.1, region: "Taiwan" }, { mag: 2.0, region: "Chile" }];
 * const counts = await sc.parallelize(quakes)
 *   .filter((q, env) => q.mag > env.min, { min: 4 })
 *   .map((q) => [q.region, 1] as [string, number])
 *   .reduceByKey((a, b) => a + b)
 *   .collect();
 * assert.deepEqual(counts, [["Taiwan", 1]]);
 * // Check the data with Great Expectations' vocabulary.
 * const suite = new quality.ExpectationSuite("quakes")
 *   .expectColumnValuesToBeBetween("mag", -1, 10);
 * assert.equal((await quality.validate(quakes, suite)).success, true);
 * ```
 *
 * @example Test time-dependent code with a manual clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "./mod.ts";
 * const clock = new ManualClock({ start: 0 });
 * await clock.advance(1_000);
 * assert.equal(clock.now(), 1000);
 * ```
 *
 * @module
 */

export * as spark from "./spark/mod.ts";
export * as airflow from "./airflow/mod.ts";
export * as kafka from "./kafka/mod.ts";
export * as http from "./http/mod.ts";
export * as quality from "./quality/mod.ts";
export {
  type Clock,
  ManualClock,
  type ManualClockOptions,
  systemClock,
} from "./internal/clock.ts";
