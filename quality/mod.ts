/**
 * Data quality: Great Expectations-style suites and a one-pass validation engine.
 *
 * This module is being built; its API follows the project's design.
 *
 * @example Import the module
 * ```ts
 * import * as quality from "./mod.ts";
 * console.log(typeof quality);
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
