/**
 * Data Engineering From Scratch: the core of the data-engineering stack
 * rebuilt for Deno — a mini Spark, Airflow and Kafka, a resilient HTTP client
 * and a Great Expectations-style quality engine. Each system is a namespace
 * here and a module of its own (`./spark`, `./airflow`, `./kafka`, `./http`,
 * `./quality`).
 *
 * @example Use a namespace
 * ```ts
 * import { ManualClock } from "./mod.ts";
 * const clock = new ManualClock({ start: 0 });
 * await clock.advance(1_000);
 * console.log(clock.now()); // 1000
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
