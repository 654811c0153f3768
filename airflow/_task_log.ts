/**
 * Task logs: each try's lines, kept per try as Airflow keeps them
 * (`dag_id=<d>/run_id=<r>/task_id=<t>/attempt=<n>.log` under a logs
 * folder beside the state), and the logger a task writes through.
 *
 * @module
 */

import { join } from "node:path";
import { AirflowError } from "./errors.ts";
import type { TryKey } from "./store.ts";

/** How many lines of a failed try's log the run record keeps. */
export const LOG_TAIL_LINES = 20;

/** One in-memory key per try. */
export function logKey(k: TryKey): string {
  return `${k.dagId}\u0000${k.runId}\u0000${k.taskId}\u0000${k.tryNumber}`;
}

/** The log file of a try under `root`, in Airflow's layout. */
export function logPath(root: string, k: TryKey): string {
  return join(
    root,
    `dag_id=${k.dagId}`,
    `run_id=${encodeURIComponent(k.runId)}`,
    `task_id=${k.taskId}`,
    `attempt=${k.tryNumber}.log`,
  );
}

/** Appends to a try's log file, creating its folders. */
export async function appendLogFile(
  root: string,
  k: TryKey,
  text: string,
): Promise<void> {
  const path = logPath(root, k);
  try {
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, text, { append: true });
  } catch (cause) {
    throw new AirflowError(`Cannot write task log: ${path}`, { cause });
  }
}

/** A try's log file, or `""` when there is none. */
export async function readLogFile(root: string, k: TryKey): Promise<string> {
  try {
    return await Deno.readTextFile(logPath(root, k));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw new AirflowError(`Cannot read task log: ${logPath(root, k)}`, {
      cause: error,
    });
  }
}

/** Formats one log line as Airflow does: `[time] {task} LEVEL - text`. */
export function formatLogLine(
  now: number,
  taskId: string,
  level: string,
  args: unknown[],
): string {
  const text = args.map((a) =>
    typeof a === "string" ? a : a instanceof Error ? a.message : safeJson(a)
  ).join(" ");
  return `[${new Date(now).toISOString()}] {${taskId}} ${level} - ${text}\n`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
