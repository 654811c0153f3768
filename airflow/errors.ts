/**
 * The module's errors: {@linkcode AirflowError} and its subclasses, which
 * tasks throw to skip or fail at once, and which a sensor's timeout raises.
 *
 * @module
 */

/**
 * Every error the airflow module throws on bad input or a failed operation:
 * unknown task ids, cycles, invalid cron expressions, corrupt state files,
 * task timeouts. Messages name the thing and the bad value after a colon.
 *
 * @example Catch a bad task id
 * ```ts
 * import assert from "node:assert/strict";
 * import { AirflowError, DAG } from "./mod.ts";
 * const dag = new DAG("example");
 * assert.throws(() => dag.task("bad id!", () => {}), AirflowError);
 * ```
 */
export class AirflowError extends Error {
  /** Makes an error with a message and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AirflowError";
  }
}

/**
 * Thrown by a task to mark itself skipped, like Airflow's
 * `AirflowSkipException`; downstream tasks follow their trigger rules.
 *
 * @example Skip when there is nothing to do
 * ```ts
 * import assert from "node:assert/strict";
 * import { AirflowSkipException, DAG } from "./mod.ts";
 * const dag = new DAG("skip_me");
 * dag.task("maybe", () => {
 *   throw new AirflowSkipException("No new files");
 * });
 * assert.deepEqual((await dag.test()).tasks.maybe?.state, "skipped");
 * ```
 */
export class AirflowSkipException extends AirflowError {
  /** Makes the exception. */
  constructor(message = "Task skipped", options?: ErrorOptions) {
    super(message, options);
    this.name = "AirflowSkipException";
  }
}

/**
 * Thrown by a task to fail at once without using its retries, like
 * Airflow's `AirflowFailException`. A sensor that times out fails this way.
 *
 * @example Fail without retrying
 * ```ts
 * import assert from "node:assert/strict";
 * import { AirflowFailException, DAG } from "./mod.ts";
 * const dag = new DAG("no_retry");
 * dag.task("check", () => {
 *   throw new AirflowFailException("Bad config: missing key");
 * }, { retries: 3 });
 * const result = await dag.test();
 * assert.deepEqual(result.tasks.check?.tryNumber, 1);
 * ```
 */
export class AirflowFailException extends AirflowError {
  /** Makes the exception. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AirflowFailException";
  }
}

/**
 * A sensor's timeout passed before its condition held. It fails the task
 * without retries, or skips it when the sensor has `softFail`.
 *
 * @example Recognise a sensor timeout
 * ```ts
 * import assert from "node:assert/strict";
 * import { AirflowSensorTimeout } from "./mod.ts";
 * const error = new AirflowSensorTimeout("Sensor timed out after 10 ms: wait");
 * assert.deepEqual(error.name, "AirflowSensorTimeout");
 * ```
 */
export class AirflowSensorTimeout extends AirflowFailException {
  /** Makes the exception. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AirflowSensorTimeout";
  }
}
