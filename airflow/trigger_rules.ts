/**
 * Trigger-rule evaluation on counts of upstream states, as Airflow's
 * `TriggerRuleDep` does it: first the rules that settle a task early
 * (skip or upstream_failed), then whether the rule is met.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import type { TriggerRule } from "./states.ts";

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
  /**
   * Direct upstream tasks that are setup tasks.
   * @default {0}
   */
  setupUpstream?: number;
  /**
   * Setup upstream tasks in `success`.
   * @default {0}
   */
  setupSuccess?: number;
  /**
   * Setup upstream tasks in `skipped`.
   * @default {0}
   */
  setupSkipped?: number;
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
 * import assert from "node:assert/strict";
 * import { evaluateTriggerRule } from "./mod.ts";
 * const decision = evaluateTriggerRule("all_success", {
 *   upstream: 3, success: 1, skipped: 0, failed: 1, upstreamFailed: 0, done: 2,
 * });
 * assert.equal(decision, "upstream_failed");
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
    case "all_done_min_one_success":
      // Airflow 3.1: a skip settles it at once; failures wait for the rest.
      if (c.skipped > 0) return "skipped";
      if (!allDone) return "wait";
      return c.success > 0 ? "run" : "upstream_failed";
    case "all_done_setup_success": {
      // The teardown rule: run once everything is done, if a setup ran.
      if (!allDone) return "wait";
      const setups = c.setupUpstream ?? 0;
      if (setups === 0) return "run";
      if ((c.setupSkipped ?? 0) >= setups) return "skipped";
      return (c.setupSuccess ?? 0) > 0 ? "run" : "upstream_failed";
    }
    case "always":
      return "run";
    default:
      throw new AirflowError(`Unknown trigger rule: "${String(rule)}"`);
  }
}
