/**
 * Trigger-rule evaluation on counts of upstream states, as Airflow's
 * `TriggerRuleDep` does it: first the rules that settle a task early
 * (skip or upstream_failed), then whether the rule is met.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import { TriggerRule } from "./states.ts";

/** Counts of a task's direct upstream tasks by state. */
export interface UpstreamCounts {
  /** Number of direct upstream tasks. */
  upstream: number;
  /** Upstream tasks in `success`. */
  success: number;
  /** Upstream tasks in `skipped`. */
  skipped: number;
  /** Upstream tasks in `failed`. */
  failed: number;
  /** Upstream tasks in `upstream_failed`. */
  upstreamFailed: number;
  /** Upstream tasks in any finished state. */
  done: number;
}

/**
 * What a trigger rule decides for a task not yet run: run it, wait for more
 * upstream tasks, or settle it as skipped or upstream_failed.
 */
export type TriggerDecision = "run" | "wait" | "skipped" | "upstream_failed";

/**
 * Decides whether a task with trigger rule `rule` may run given its upstream
 * counts. A task without upstream tasks always runs.
 *
 * @example A failed upstream fails an all_success task early
 * ```ts
 * import { evaluateTriggerRule } from "./mod.ts";
 * const decision = evaluateTriggerRule("all_success", {
 *   upstream: 3, success: 1, skipped: 0, failed: 1, upstreamFailed: 0, done: 2,
 * });
 * console.log(decision); // "upstream_failed"
 * ```
 */
export function evaluateTriggerRule(
  rule: TriggerRule,
  c: UpstreamCounts,
): TriggerDecision {
  if (c.upstream === 0) return "run";
  const failures = c.failed + c.upstreamFailed;
  const allDone = c.done >= c.upstream;
  switch (rule) {
    case "all_success":
      if (failures > 0) return "upstream_failed";
      if (c.skipped > 0) return "skipped";
      return c.success === c.upstream ? "run" : "wait";
    case "all_failed":
      if (c.success > 0 || c.skipped > 0) return "skipped";
      return failures === c.upstream ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "all_skipped":
      if (c.success > 0 || failures > 0) return "skipped";
      return c.skipped === c.upstream ? "run" : "wait";
    case "one_success":
      if (c.success > 0) return "run";
      if (allDone) return c.skipped === c.done ? "skipped" : "upstream_failed";
      return "wait";
    case "one_failed":
      if (failures > 0) return "run";
      return allDone ? "skipped" : "wait";
    case "one_done":
      if (c.success + c.failed > 0) return "run";
      return allDone ? "skipped" : "wait";
    case "none_failed":
      if (failures > 0) return "upstream_failed";
      return allDone ? "run" : "wait";
    case "none_skipped":
      if (c.skipped > 0) return "skipped";
      return allDone ? "run" : "wait";
    case "none_failed_min_one_success":
      if (failures > 0) return "upstream_failed";
      if (allDone) return c.skipped === c.upstream ? "skipped" : "run";
      return "wait";
    case "always":
      return "run";
    default:
      throw new AirflowError(`Unknown trigger rule: "${String(rule)}"`);
  }
}

const RULES = new Set<string>(Object.values(TriggerRule));

/** True when `value` is one of the {@linkcode TriggerRule} strings. */
export function _isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === "string" && RULES.has(value);
}
