/**
 * The wait before a retry, as Airflow's `TaskInstance.next_retry_datetime`.
 *
 * Without exponential backoff it is `retryDelay`, uncapped. With it, in
 * whole seconds: `min = max(1, ceil(retryDelay * 2^(try - 1)))`, then a
 * jitter that is the same for the same try of the same task instance
 * (`min + sha1("dag#task#logical_date#try") % min`, so in `[min, 2 * min)`),
 * capped at 24 h (Airflow's `max_task_retry_delay`) and then at the task's
 * `maxRetryDelay` when that is set (a zero `maxRetryDelay` is no cap, as
 * Python's falsy `timedelta(0)`).
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Airflow's `[core] max_task_retry_delay` default: 24 hours, in seconds. */
const MAX_RETRY_DELAY_S = 86_400;

/** What the delay depends on. */
export interface RetryDelayInput {
  /** The task's `retryDelay` (ms). */
  retryDelay: number;
  /** The task's `retryExponentialBackoff`. */
  retryExponentialBackoff: boolean;
  /** The task's `maxRetryDelay` (ms). */
  maxRetryDelay: number;
  /** Names the task instance for the jitter. */
  dagId: string;
  /** Names the task instance for the jitter. */
  taskId: string;
  /** The run's logical date (epoch ms). */
  logicalDate: number;
  /** The try that just failed (1 for the first). */
  tryNumber: number;
}

/** Milliseconds to wait after a failed try before the next one. */
export function retryDelayMs(o: RetryDelayInput): number {
  if (!o.retryExponentialBackoff) return o.retryDelay;
  const exact = Math.ceil((o.retryDelay / 1000) * 2 ** (o.tryNumber - 1));
  const minBackoff = Number.isFinite(exact) ? Math.max(1, exact) : Infinity;
  let seconds = MAX_RETRY_DELAY_S;
  if (minBackoff < MAX_RETRY_DELAY_S) {
    // Python prints the logical date as 2024-01-01T00:00:00+00:00.
    const date = new Date(o.logicalDate).toISOString().replace(
      /(\.000)?Z$/,
      "+00:00",
    );
    const key = `${o.dagId}#${o.taskId}#${date}#${o.tryNumber}`;
    const hash = BigInt(`0x${createHash("sha1").update(key).digest("hex")}`);
    const modded = minBackoff + Number(hash % BigInt(minBackoff));
    seconds = Math.min(modded, MAX_RETRY_DELAY_S);
  }
  const ms = seconds * 1000;
  return o.maxRetryDelay > 0 ? Math.min(ms, o.maxRetryDelay) : ms;
}
