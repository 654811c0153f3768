/**
 * Mini-Airflow: DAGs, a priority scheduler, sensors and crash-safe state.
 *
 * This module is being built; its API follows the project's design.
 *
 * @example Import the module
 * ```ts
 * import * as airflow from "./mod.ts";
 * console.log(typeof airflow);
 * ```
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
