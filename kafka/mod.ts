/**
 * Mini-Kafka: a durable commit log with topics, partitions and consumer groups.
 *
 * This module is being built; its API follows the project's design.
 *
 * @example Import the module
 * ```ts
 * import * as kafka from "./mod.ts";
 * console.log(typeof kafka);
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
