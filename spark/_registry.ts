// Maps each SparkContext to its scheduler without exposing it publicly.

import type { Scheduler } from "./_scheduler.ts";

const SCHEDULERS = new WeakMap<object, Scheduler>();

export function registerScheduler(sc: object, s: Scheduler): void {
  SCHEDULERS.set(sc, s);
}

export function schedulerOf(sc: object): Scheduler {
  const s = SCHEDULERS.get(sc);
  if (s === undefined) throw new TypeError("Not a SparkContext");
  return s;
}
