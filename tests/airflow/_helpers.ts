import type { ManualClock } from "../../airflow/mod.ts";

/** Advances `clock` in steps until `p` settles; returns its value. */
export async function drive<T>(
  clock: ManualClock,
  p: Promise<T>,
  stepMs: number,
  maxSteps = 10_000,
): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < maxSteps && !done; i++) await clock.advance(stepMs);
  return await p;
}
