/**
 * Schedules: cron expressions and Airflow's presets, turned into data
 * intervals exactly as Airflow's `CronDataIntervalTimetable` does. A
 * scheduled run with logical date `L` covers `[L, next(L))` and is created
 * once that interval has ended.
 *
 * Boundaries are exact to the millisecond. The cron library answers at one
 * second resolution (it drops the milliseconds of the instant it is asked
 * about, and its "previous" search is strictly before that second), so every
 * question is put to it as a whole second: cron points are whole seconds,
 * so "the last point at or before `t`" is "the last point strictly before
 * the second after `floor(t)`".
 *
 * @module
 */

import { Cron } from "npm:croner@11.0.0";
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

/** The library's answers (next point, last point) by expression and second. */
const POINTS = new Map<string, number | undefined>();
/** Bounds the memo; refilling it costs one pass's searches. */
const POINTS_MAX = 100_000;

function remember(key: string, point: number | undefined): void {
  if (POINTS.size >= POINTS_MAX) POINTS.clear();
  POINTS.set(key, point);
}

/** A data interval in epoch milliseconds. */
export interface Interval {
  /** Start (inclusive): the run's logical date. */
  start: number;
  /** End (exclusive): when the run becomes due. */
  end: number;
}

/** What bounds the next scheduled interval, as Airflow's `TimeRestriction`. */
export interface NextIntervalOptions {
  /** The end of the last scheduled or backfilled run's data interval. */
  lastEnd?: number;
  /** The DAG's `startDate`: no interval starts before it. */
  startDate?: number;
  /** The DAG's `endDate`: no interval starts after it. */
  endDate?: number;
  /** With `false`, skip ahead to the latest complete interval at `now`. */
  catchup: boolean;
  /** The current time (only read when `catchup` is false). */
  now: number;
}

/**
 * Turns a schedule into data intervals: a cron expression (UTC), a preset
 * (`@hourly @daily @midnight @weekly @monthly @quarterly @yearly @annually`),
 * `"@once"`, or `null` for manual runs only.
 *
 * @example Daily intervals
 * ```ts
 * import assert from "node:assert/strict";
 * import { Timetable } from "./mod.ts";
 * const t = new Timetable("@daily");
 * const first = t.first(Date.UTC(2024, 0, 1, 6));
 * assert.equal(new Date(first!.start).toISOString(), "2024-01-02T00:00:00.000Z");
 * ```
 */
export class Timetable {
  /** The schedule as given. */
  readonly schedule: string | null;
  #cron: Cron | undefined;
  #expr = "";

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
    this.#expr = expr;
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
    // Asked at a whole second, the library's strict "after" is exact.
    const second = Math.floor(t / 1000) * 1000;
    const key = `${this.#expr}\u0001${second}`;
    if (POINTS.has(key)) return POINTS.get(key);
    const p = this.#cron.nextRun(new Date(second))?.getTime();
    remember(key, p);
    return p;
  }

  /** The last cron point at or before `t`, or `undefined`. */
  pointAtOrBefore(t: number): number | undefined {
    if (!this.#cron) return undefined;
    const second = Math.floor(t / 1000) * 1000;
    // The library's searches were most of a scheduling pass over 1,000
    // DAGs: DAGs sharing a schedule share the answers.
    const key = `${this.#expr}\u0000${second}`;
    if (POINTS.has(key)) return POINTS.get(key);
    const p = this.#cron.previousRuns(1, new Date(second + 1000))[0]?.getTime();
    remember(key, p);
    return p;
  }

  /** The last cron point strictly before `t`, or `undefined`. */
  pointBefore(t: number): number | undefined {
    return this.pointAtOrBefore(t - 1);
  }

  /** `t` itself when it is a cron point, else the next one. */
  alignToNext(t: number): number | undefined {
    return this.pointAtOrBefore(t) === t ? t : this.nextPoint(t);
  }

  /** The first interval starting at or after `startDate`. */
  first(startDate: number): Interval | undefined {
    if (this.schedule === "@once") return { start: startDate, end: startDate };
    const s = this.alignToNext(startDate);
    return s === undefined ? undefined : this.#from(s);
  }

  /** The interval after one starting at `start`. */
  after(start: number): Interval | undefined {
    const s = this.nextPoint(start);
    return s === undefined ? undefined : this.#from(s);
  }

  /**
   * The latest interval that has ended by `now`: it ends at the last cron
   * point at or before `now` (so at exactly 01:00 an hourly schedule's
   * latest complete interval is `[00:00, 01:00)`).
   */
  latestComplete(now: number): Interval | undefined {
    const end = this.pointAtOrBefore(now);
    if (end === undefined) return undefined;
    const start = this.pointBefore(end);
    return start === undefined ? undefined : { start, end };
  }

  /**
   * The next interval to schedule, as Airflow's `next_dagrun_info`: after a
   * run it starts where that run's data interval ended (aligned back to the
   * schedule); never before `startDate`; without catchup never before the
   * latest complete interval; `undefined` past `endDate`.
   */
  nextInterval(o: NextIntervalOptions): Interval | undefined {
    if (!this.#cron) return undefined;
    let earliest = o.startDate === undefined
      ? undefined
      : this.alignToNext(o.startDate);
    if (!o.catchup) {
      const latest = this.latestComplete(o.now)?.start;
      if (latest !== undefined) {
        earliest = earliest === undefined ? latest : Math.max(earliest, latest);
      }
    }
    let start: number | undefined;
    if (o.lastEnd === undefined) start = earliest;
    else {
      const aligned = this.pointAtOrBefore(o.lastEnd);
      start = aligned === undefined
        ? earliest
        : earliest === undefined
        ? aligned
        : Math.max(aligned, earliest);
    }
    if (start === undefined) return undefined;
    if (o.endDate !== undefined && start > o.endDate) return undefined;
    return this.#from(start);
  }

  /**
   * The data interval Airflow infers for a manual run at `runAfter`: the
   * last complete interval before it (a daily DAG triggered at 01:00 on the
   * 25th covers the 24th). Without a cron schedule, the instant itself.
   */
  manualInterval(runAfter: number): Interval {
    const end = this.pointAtOrBefore(runAfter);
    const start = end === undefined ? undefined : this.pointBefore(end);
    if (end === undefined || start === undefined) {
      return { start: runAfter, end: runAfter };
    }
    return { start, end };
  }

  /** The interval that starts at `start` (aligned to the schedule or not). */
  intervalAt(start: number): Interval {
    const end = this.nextPoint(start);
    return { start, end: end ?? start };
  }

  #from(start: number): Interval | undefined {
    const end = this.nextPoint(start);
    return end === undefined ? undefined : { start, end };
  }
}
