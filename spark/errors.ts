/**
 * The one error class of the spark module.
 *
 * @module
 */

/**
 * Raised for bad arguments, missing files, failed tasks and jobs, captured
 * free identifiers and the `collect()` size guard. `cause` carries the
 * original error (with its stack) when there is one.
 *
 * @example Catch a bad argument
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext, SparkError } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * assert.throws(
 *   () => sc.parallelize([1, 2, 3], 0),
 *   (e) => e instanceof SparkError && /numSlices must be an integer >= 1: 0/.test(e.message),
 * );
 * ```
 */
export class SparkError extends Error {
  /**
   * Builds the error.
   *
   * @param message What went wrong, details after a colon.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SparkError";
  }
}
