/**
 * Progress lines for long work in the project's tasks: each step on stderr
 * with the seconds since the script started, so a benchmark that runs for a
 * minute says what it is doing while stdout keeps only its results.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressLine } from "./progress.ts";
 *
 * assert.equal(progressLine("reading the CSV", 1234), "[  1.2 s] reading the CSV");
 * ```
 *
 * @module
 */

const start = performance.now();

/** The text of one progress line, `elapsedMs` after the start. */
export function progressLine(step: string, elapsedMs: number): string {
  return `[${(elapsedMs / 1000).toFixed(1).padStart(5)} s] ${step}`;
}

/** Prints one progress line on stderr. */
export function progress(step: string): void {
  console.error(progressLine(step, performance.now() - start));
}
