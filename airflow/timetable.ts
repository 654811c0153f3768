/**
 * Schedules: cron expressions and Airflow's presets, turned into data
 * intervals. A scheduled run with logical date `L` covers `[L, next(L))`
 * and is created once that interval has ended.
 *
 * @module
 */

import { Cron } from "croner";
import { AirflowError } from "./errors.ts";

const PRESETS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@quarterly": "0 0 1 */3 *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

/** A data interval in epoch milliseconds. */
export interface Interval {
  /** Start (inclusive): the run's logical date. */
  start: number;
  /** End (exclusive): when the run becomes due. */
  end: number;
}

/**
 * Turns a schedule into data intervals: a cron expression (UTC), a preset
 * (`@hourly @daily @midnight @weekly @monthly @quarterly @yearly @annually`),
 * `"@once"`, or `null` for manual runs only.
 *
 * @example Daily intervals
 * ```ts
 * import { Timetable } from "./mod.ts";
 * const t = new Timetable("@daily");
 * const first = t.first(Date.UTC(2024, 0, 1, 6));
 * console.log(new Date(first!.start).toISOString()); // "2024-01-02T00:00:00.000Z"
 * ```
 */
export class Timetable {
  /** The schedule as given. */
  readonly schedule: string | null;
  #cron: Cron | undefined;

  /** Parses `schedule`; an invalid cron expression throws an AirflowError. */
  constructor(schedule: string | null | undefined) {
    this.schedule = schedule ?? null;
    if (schedule === null || schedule === undefined || schedule === "@once") {
      return;
    }
    if (typeof schedule !== "string") {
      throw new AirflowError(
        `Schedule must be a cron expression, a preset or null: ${
          String(schedule)
        }`,
      );
    }
    const expr = PRESETS[schedule] ?? schedule;
    if (expr.startsWith("@")) {
      throw new AirflowError(`Unknown schedule preset: "${schedule}"`);
    }
    try {
      this.#cron = new Cron(expr, { timezone: "UTC", paused: true });
    } catch (error) {
      throw new AirflowError(`Invalid cron expression: "${schedule}"`, {
        cause: error,
      });
    }
  }

  /** True when the schedule creates runs by itself. */
  get periodic(): boolean {
    return this.#cron !== undefined || this.schedule === "@once";
  }

  /** The first cron point strictly after `t`, or `undefined`. */
  nextPoint(t: number): number | undefined {
    if (!this.#cron) return undefined;
    return this.#cron.nextRun(new Date(t))?.getTime();
  }

  /** The first interval starting at or after `startDate`. */
  first(startDate: number): Interval | undefined {
    if (this.schedule === "@once") return { start: startDate, end: startDate };
    const s = this.nextPoint(startDate - 1);
    if (s === undefined) return undefined;
    const e = this.nextPoint(s);
    return e === undefined ? undefined : { start: s, end: e };
  }

  /** The interval after one starting at `start`. */
  after(start: number): Interval | undefined {
    if (!this.#cron) return undefined;
    const s = this.nextPoint(start);
    if (s === undefined) return undefined;
    const e = this.nextPoint(s);
    return e === undefined ? undefined : { start: s, end: e };
  }

  /**
   * The latest interval that has ended by `now` (its end is the last cron
   * point at or before `now`), found without walking every interval.
   */
  latestComplete(now: number): Interval | undefined {
    if (!this.#cron) return undefined;
    const [end, start] = this.#cron.previousRuns(2, new Date(now + 1));
    if (!end || !start) return undefined;
    return { start: start.getTime(), end: end.getTime() };
  }

  /** The interval that starts at `start` (aligned to the schedule or not). */
  intervalAt(start: number): Interval {
    const end = this.nextPoint(start);
    return { start, end: end ?? start };
  }
}
