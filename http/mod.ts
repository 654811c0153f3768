/**
 * Resilient HTTP on native fetch: retries, rate limiting, pagination and a USGS client.
 *
 * This module is being built; its API follows the project's design.
 *
 * @example Import the module
 * ```ts
 * import * as http from "./mod.ts";
 * console.log(typeof http);
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
