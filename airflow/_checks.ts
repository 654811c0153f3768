/**
 * Checks of ids and task options, and what a task needs of its DAG.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import { TriggerRule } from "./states.ts";
import type { Task, TaskOptions } from "./task.ts";

/** The part of a DAG a task needs: looking up tasks by id. */
/** Keys of the members DAG, Task and TaskGroup use among themselves only. */
export const GRAPH: unique symbol = Symbol("airflow.graph");
/** See {@linkcode GRAPH}. */
export const DEFAULTS: unique symbol = Symbol("airflow.defaults");
/** See {@linkcode GRAPH}. */
export const TOUCH: unique symbol = Symbol("airflow.touch");
/** See {@linkcode GRAPH}. */
export const ATTACH: unique symbol = Symbol("airflow.attach");
/** See {@linkcode GRAPH}. */
export const DOWNSTREAM: unique symbol = Symbol("airflow.downstream");
/** See {@linkcode GRAPH}. */
export const PREFIX_ID: unique symbol = Symbol("airflow.prefixId");

export interface TaskOwner {
  hasTask(taskId: string): boolean;
  readonly dagId: string;
  getTask(taskId: string): Task;
  [DEFAULTS](): TaskOptions;
  [TOUCH](): void;
}

const TASK_ID = /^[A-Za-z0-9_.-]{1,250}$/;

/** Checks a task or DAG id against Airflow's key rule. */
export function checkId(kind: string, id: unknown): string {
  if (typeof id !== "string" || !TASK_ID.test(id)) {
    throw new AirflowError(
      `${kind} id must match [A-Za-z0-9_.-]{1,250}: ${JSON.stringify(id)}`,
    );
  }
  return id;
}

function nonNegative(name: string, v: unknown, integer = false): void {
  if (v === undefined) return;
  if (
    typeof v !== "number" || !(v >= 0) || (integer && !Number.isInteger(v))
  ) {
    throw new AirflowError(
      `Task option ${name} must be a non-negative ${
        integer ? "integer" : "number"
      }: ${String(v)}`,
    );
  }
}

/** Validates task options, throwing an {@linkcode AirflowError} on bad values. */
export function checkOptions(o: TaskOptions): void {
  nonNegative("retries", o.retries, true);
  nonNegative("retryDelay", o.retryDelay);
  nonNegative("maxRetryDelay", o.maxRetryDelay);
  nonNegative("poolSlots", o.poolSlots, true);
  if (o.executionTimeout !== undefined) {
    nonNegative("executionTimeout", o.executionTimeout);
  }
  if (o.priorityWeight !== undefined && !Number.isFinite(o.priorityWeight)) {
    throw new AirflowError(
      `Task option priorityWeight must be a finite number: ${o.priorityWeight}`,
    );
  }
  if (
    o.maxActiveTisPerDag !== undefined &&
    !(Number.isInteger(o.maxActiveTisPerDag) && o.maxActiveTisPerDag > 0)
  ) {
    throw new AirflowError(
      `Task option maxActiveTisPerDag must be a positive integer: ${o.maxActiveTisPerDag}`,
    );
  }
  for (
    const name of [
      "onExecuteCallback",
      "onSuccessCallback",
      "onFailureCallback",
      "onRetryCallback",
    ] as const
  ) {
    const f = o[name];
    if (f !== undefined && typeof f !== "function") {
      throw new AirflowError(
        `Task option ${name} must be a function: ${typeof f}`,
      );
    }
  }
  if (o.triggerRule !== undefined && !isTriggerRule(o.triggerRule)) {
    throw new AirflowError(`Unknown trigger rule: "${o.triggerRule}"`);
  }
  if (
    o.weightRule !== undefined &&
    !["downstream", "upstream", "absolute"].includes(o.weightRule)
  ) {
    throw new AirflowError(`Unknown weight rule: "${o.weightRule}"`);
  }
}

const RULES = new Set<string>(Object.values(TriggerRule));

/** True when `value` is one of the {@linkcode TriggerRule} strings. */
export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === "string" && RULES.has(value);
}
