/**
 * Airflow's UI colours for task and run states, shared by the run report
 * and the webserver, with a short label for readers who cannot tell the
 * colours apart.
 *
 * @module
 */

import type { TaskState } from "./states.ts";

/** Airflow's UI colours for each state. */
export const STATE_COLORS: Record<TaskState, string> = {
  none: "#ffffff",
  scheduled: "#d2b48c",
  queued: "#808080",
  running: "#00ff00",
  success: "#008000",
  failed: "#ff0000",
  up_for_retry: "#ffd700",
  up_for_reschedule: "#40e0d0",
  upstream_failed: "#ffa500",
  skipped: "#ff69b4",
  removed: "#d3d3d3",
  restarting: "#ee82ee",
  deferred: "#9370db",
};

/** A one-character mark per state, so state never rests on colour alone. */
export const STATE_MARKS: Record<TaskState, string> = {
  none: "·",
  scheduled: "s",
  queued: "q",
  running: "▶",
  success: "✓",
  failed: "✗",
  up_for_retry: "↻",
  up_for_reschedule: "⏲",
  upstream_failed: "!",
  skipped: "»",
  removed: "−",
  restarting: "r",
  deferred: "d",
};
