/**
 * Mini-Spark: lazy RDDs on a pool of Web Workers.
 *
 * This module is being built; its API follows the project's design.
 *
 * @example Import the module
 * ```ts
 * import * as spark from "./mod.ts";
 * console.log(typeof spark);
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
