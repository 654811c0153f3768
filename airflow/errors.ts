/**
 * The module's one error class.
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
 * import { AirflowError, DAG } from "./mod.ts";
 * const dag = new DAG("example");
 * try {
 *   dag.task("bad id!", () => {});
 * } catch (error) {
 *   console.log(error instanceof AirflowError); // true
 * }
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
 * import { AirflowSkipException, DAG } from "./mod.ts";
 * const dag = new DAG("skip_me");
 * dag.task("maybe", () => {
 *   throw new AirflowSkipException("No new files");
 * });
 * console.log((await dag.test()).tasks.maybe?.state); // "skipped"
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
 * import { AirflowFailException, DAG } from "./mod.ts";
 * const dag = new DAG("no_retry");
 * dag.task("check", () => {
 *   throw new AirflowFailException("Bad config: missing key");
 * }, { retries: 3 });
 * const result = await dag.test();
 * console.log(result.tasks.check?.tryNumber); // 1
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
 * import { AirflowSensorTimeout } from "./mod.ts";
 * const error = new AirflowSensorTimeout("Sensor timed out after 10 ms: wait");
 * console.log(error.name); // "AirflowSensorTimeout"
 * ```
 */
export class AirflowSensorTimeout extends AirflowFailException {
  /** Makes the exception. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AirflowSensorTimeout";
  }
}
