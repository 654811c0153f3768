/**
 * Helpers the stores share: ordering runs and checking a parsed record.
 *
 * @module
 */

import type { DagRunRecord, TaskInstanceRecord } from "./store.ts";

/** Sorts runs by logical date, then run id. */
export function byLogicalDate(runs: DagRunRecord[]): DagRunRecord[] {
  return runs.sort((a, b) =>
    a.logicalDate - b.logicalDate || (a.runId < b.runId ? -1 : 1)
  );
}

/** Checks that a parsed value has the shape of a run record. */
export function checkRecord(value: unknown): value is DagRunRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.dagId === "string" && typeof r.runId === "string" &&
    typeof r.state === "string" && typeof r.logicalDate === "number" &&
    typeof r.tasks === "object" && r.tasks !== null;
}

/**
 * A task instance cleared as Airflow's `clear_task_instances` leaves it: no
 * state, its try count kept, and a fresh set of retries.
 */
export function clearedInstance(
  ti: TaskInstanceRecord,
  retries: number,
): TaskInstanceRecord {
  const out: TaskInstanceRecord = {
    state: "none",
    tryNumber: ti.tryNumber,
    maxTries: ti.tryNumber + retries,
  };
  if (ti.tries) out.tries = ti.tries;
  return out;
}
