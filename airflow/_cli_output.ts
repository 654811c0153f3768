/**
 * The CLI's usage errors and table output: columns padded to their widest cell, two spaces
 * apart, a header and a rule under it, as Airflow's `--output table`.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";

/** A bad invocation: printed as one line, exit code 2. */
export class UsageError extends AirflowError {}

/** Lines of a table with `head` over `rows`. */
export function renderTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))
  );
  const line = (r: string[]) =>
    r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [
    line(head),
    widths.map((w) => "=".repeat(w)).join("  "),
    ...rows.map(line),
  ];
}
