/**
 * Sensors: tasks that wait for a condition by poking it on an interval.
 * In `poke` mode a sensor keeps its executor slot and sleeps between pokes;
 * in `reschedule` mode it gives the slot back and the run wakes it again
 * (state `up_for_reschedule`).
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import type { OperatorOptions } from "./operators.ts";
import type { StateStore } from "./store.ts";
import { Task, type TaskContext } from "./task.ts";
import { globHasMatch } from "./_glob.ts";
import type { DagRunState, TaskState } from "./states.ts";

/** What a sensor's `poke` receives: the task context plus the run's store. */
export interface SensorContext extends TaskContext {
  /** The store the run is kept in (where other DAGs' runs are looked up). */
  store: StateStore;
}

/** Options every sensor takes. */
export interface SensorOptions extends OperatorOptions {
  /**
   * Milliseconds between pokes.
   * @default {60000}
   */
  pokeInterval?: number;
  /**
   * Milliseconds after the first poke before the sensor gives up; a timeout
   * fails the task without retries (or skips it with `softFail`).
   * @default {604800000}
   */
  timeout?: number;
  /**
   * `"poke"` keeps the slot between pokes; `"reschedule"` frees it.
   * @default {"poke"}
   */
  mode?: "poke" | "reschedule";
  /**
   * On timeout, mark the task skipped instead of failed.
   * @default {false}
   */
  softFail?: boolean;
  /**
   * Double the interval after each poke (`pokeInterval * 2^(pokes-1)`).
   * @default {false}
   */
  exponentialBackoff?: boolean;
  /**
   * Upper bound on the interval with `exponentialBackoff`, in milliseconds.
   * @default {Infinity}
   */
  maxWait?: number;
}

/**
 * The base of every sensor: override {@linkcode BaseSensor.poke}. The run
 * calls `poke` until it returns true or the timeout passes.
 *
 * @example A custom sensor
 * ```ts
 * import assert from "node:assert/strict";
 * import { BaseSensor, DAG, type SensorContext } from "./mod.ts";
 * class ReadySensor extends BaseSensor {
 *   override poke(_ctx: SensorContext): boolean {
 *     return true;
 *   }
 * }
 * const dag = new DAG("custom_sensor");
 * dag.add(new ReadySensor({ taskId: "ready" }));
 * assert.deepEqual((await dag.test()).state, "success");
 * ```
 */
export class BaseSensor extends Task {
  /** Milliseconds between pokes. */
  readonly pokeInterval: number;
  /** Milliseconds before the sensor gives up. */
  readonly timeout: number;
  /** Poke or reschedule. */
  readonly mode: "poke" | "reschedule";
  /** Skip instead of fail on timeout. */
  readonly softFail: boolean;
  /** Double the interval after each poke. */
  readonly exponentialBackoff: boolean;
  /** Upper bound on the backed-off interval. */
  readonly maxWait: number;

  /** Makes the sensor. */
  constructor(options: SensorOptions) {
    super(options.taskId, options);
    const num = (name: string, v: number | undefined, d: number) => {
      const x = v ?? d;
      if (!(x >= 0)) {
        throw new AirflowError(
          `Sensor option ${name} must be a non-negative number: ${x}`,
        );
      }
      return x;
    };
    this.pokeInterval = num("pokeInterval", options.pokeInterval, 60_000);
    this.timeout = num("timeout", options.timeout, 7 * 86_400_000);
    this.maxWait = num("maxWait", options.maxWait, Infinity);
    this.mode = options.mode ?? "poke";
    if (this.mode !== "poke" && this.mode !== "reschedule") {
      throw new AirflowError(
        `Sensor mode must be "poke" or "reschedule": "${String(this.mode)}"`,
      );
    }
    this.softFail = options.softFail ?? false;
    this.exponentialBackoff = options.exponentialBackoff ?? false;
  }

  /** Checks the condition once; true ends the wait. */
  poke(_ctx: SensorContext): boolean | Promise<boolean> {
    throw new AirflowError(`Sensor does not implement poke: ${this.taskId}`);
  }

  /** The wait before poke number `pokes + 1`, given `pokes` made so far. */
  nextInterval(pokes: number): number {
    if (!this.exponentialBackoff) return this.pokeInterval;
    return Math.min(
      this.maxWait,
      this.pokeInterval * 2 ** Math.min(Math.max(0, pokes - 1), 50),
    );
  }
}

/** Options for {@linkcode FileSensor}. */
export interface FileSensorOptions extends SensorOptions {
  /** A path or glob (`*`, `?`, `[...]`, `**`); relative to `baseDir`. */
  filepath: string;
  /**
   * Directory relative paths resolve against.
   * @default {Deno.cwd()}
   */
  baseDir?: string;
}

/**
 * Waits until a file matching a path or glob exists (or a matching
 * directory holds a file).
 *
 * @example Wait for a file that is already there
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, FileSensor } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/data_1.csv`, "x\n");
 * const dag = new DAG("files");
 * dag.add(new FileSensor({ taskId: "wait", filepath: `${dir}/data_*.csv` }));
 * assert.deepEqual((await dag.test()).state, "success");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileSensor extends BaseSensor {
  /** The path or glob. */
  readonly filepath: string;
  #base: string | undefined;

  /** Makes the sensor. */
  constructor(options: FileSensorOptions) {
    super(options);
    if (typeof options.filepath !== "string" || options.filepath === "") {
      throw new AirflowError(
        `FileSensor filepath must be a non-empty string: ${
          JSON.stringify(options.filepath)
        }`,
      );
    }
    this.filepath = options.filepath;
    this.#base = options.baseDir;
  }

  /** The fields rendered as templates before each poke. */
  readonly templateFields: readonly string[] = ["filepath"];

  /** True when a file matching the (rendered) path exists. */
  override async poke(ctx: SensorContext): Promise<boolean> {
    const path = await ctx.render(this.filepath);
    return await globHasMatch(path, this.#base ?? Deno.cwd());
  }
}

/** Options for {@linkcode TimeSensor}. */
export interface TimeSensorOptions extends SensorOptions {
  /** Time of day, UTC, `"HH:MM"` or `"HH:MM:SS"`. */
  targetTime: string;
}

/**
 * Waits until a time of day (UTC) on the day the run's data interval ends.
 *
 * @example Wait until 06:00 on a manual clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, ManualClock, TimeSensor } from "./mod.ts";
 * const clock = new ManualClock({ start: Date.UTC(2024, 0, 1, 5) });
 * const dag = new DAG("dawn");
 * dag.add(new TimeSensor({ taskId: "six", targetTime: "06:00", pokeInterval: 60_000 }));
 * const running = dag.test({ clock, logicalDate: clock.now() });
 * await clock.advance(3_600_000);
 * assert.deepEqual((await running).state, "success");
 * ```
 */
export class TimeSensor extends BaseSensor {
  /** Milliseconds after midnight UTC. */
  readonly targetMs: number;

  /** Makes the sensor. */
  constructor(options: TimeSensorOptions) {
    super(options);
    const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(options.targetTime ?? "");
    const [h, mi, s] = m ? [+m[1]!, +m[2]!, +(m[3] ?? 0)] : [NaN, NaN, NaN];
    if (!m || h > 23 || mi > 59 || s > 59) {
      throw new AirflowError(
        `TimeSensor targetTime must be "HH:MM" or "HH:MM:SS": ${
          JSON.stringify(options.targetTime)
        }`,
      );
    }
    this.targetMs = ((h * 60 + mi) * 60 + s) * 1000;
  }

  /** True once the clock reaches the target time. */
  override poke(ctx: SensorContext): boolean {
    const end = ctx.dataInterval.end.getTime();
    const day = end - (((end % 86_400_000) + 86_400_000) % 86_400_000);
    return ctx.clock.now() >= day + this.targetMs;
  }
}

/** Options for {@linkcode TimeDeltaSensor}. */
export interface TimeDeltaSensorOptions extends SensorOptions {
  /** Milliseconds after the data interval's end to wait until. */
  delta: number;
}

/**
 * Waits until `delta` milliseconds after the run's data interval ends.
 *
 * @example Wait ten minutes past the interval
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, ManualClock, TimeDeltaSensor } from "./mod.ts";
 * const clock = new ManualClock({ start: 0 });
 * const dag = new DAG("later");
 * dag.add(new TimeDeltaSensor({ taskId: "later", delta: 600_000, pokeInterval: 60_000 }));
 * const running = dag.test({ clock, logicalDate: 0 });
 * await clock.advance(600_000);
 * assert.deepEqual((await running).tasks.later?.state, "success");
 * ```
 */
export class TimeDeltaSensor extends BaseSensor {
  /** Milliseconds past the interval's end. */
  readonly delta: number;

  /** Makes the sensor. */
  constructor(options: TimeDeltaSensorOptions) {
    super(options);
    if (typeof options.delta !== "number" || !Number.isFinite(options.delta)) {
      throw new AirflowError(
        `TimeDeltaSensor delta must be a finite number: ${
          String(options.delta)
        }`,
      );
    }
    this.delta = options.delta;
  }

  /** True once the clock passes the interval's end plus `delta`. */
  override poke(ctx: SensorContext): boolean {
    return ctx.clock.now() >= ctx.dataInterval.end.getTime() + this.delta;
  }
}

/** Options for {@linkcode ExternalTaskSensor}. */
export interface ExternalTaskSensorOptions extends SensorOptions {
  /** The other DAG's id. */
  externalDagId: string;
  /**
   * A task in the other DAG; without it the whole run's state is checked.
   * @default {undefined}
   */
  externalTaskId?: string;
  /**
   * States that end the wait successfully.
   * @default {["success"]}
   */
  allowedStates?: (TaskState | DagRunState)[];
  /**
   * States that fail the sensor at once.
   * @default {[]}
   */
  failedStates?: (TaskState | DagRunState)[];
  /**
   * Milliseconds to subtract from this run's logical date to find the other
   * DAG's run.
   * @default {0}
   */
  executionDelta?: number;
  /**
   * Where to look for the other DAG's runs.
   * @default {the run's own store}
   */
  store?: StateStore;
}

/**
 * Waits for a task (or a whole run) of another DAG with the same logical
 * date (minus `executionDelta`) to reach an allowed state.
 *
 * @example Wait for another DAG's run
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, ExternalTaskSensor, MemoryStateStore } from "./mod.ts";
 * const store = new MemoryStateStore();
 * const upstream = new DAG("producer");
 * upstream.task("publish", () => 1);
 * await upstream.test({ store, logicalDate: 0 });
 * const dag = new DAG("consumer");
 * dag.add(new ExternalTaskSensor({
 *   taskId: "wait", externalDagId: "producer", externalTaskId: "publish", store,
 * }));
 * assert.deepEqual((await dag.test({ logicalDate: 0 })).state, "success");
 * ```
 */
export class ExternalTaskSensor extends BaseSensor {
  /** The other DAG's id. */
  readonly externalDagId: string;
  /** The other task's id, if any. */
  readonly externalTaskId: string | undefined;
  #allowed: Set<string>;
  #failed: Set<string>;
  #delta: number;
  #store: StateStore | undefined;

  /** Makes the sensor. */
  constructor(options: ExternalTaskSensorOptions) {
    super(options);
    if (typeof options.externalDagId !== "string" || !options.externalDagId) {
      throw new AirflowError(
        `ExternalTaskSensor externalDagId must be a non-empty string: ${
          JSON.stringify(options.externalDagId)
        }`,
      );
    }
    this.externalDagId = options.externalDagId;
    this.externalTaskId = options.externalTaskId;
    this.#allowed = new Set(options.allowedStates ?? ["success"]);
    this.#failed = new Set(options.failedStates ?? []);
    this.#delta = options.executionDelta ?? 0;
    this.#store = options.store;
  }

  /** Looks up the other run's state. */
  override async poke(ctx: SensorContext): Promise<boolean> {
    const store = this.#store ?? ctx.store;
    const date = ctx.logicalDate.getTime() - this.#delta;
    const runs = await store.list(this.externalDagId);
    const run = runs.find((r) => r.logicalDate === date);
    if (!run) return false;
    let state: string;
    if (this.externalTaskId !== undefined) {
      const ti = run.tasks[this.externalTaskId];
      if (!ti) return false;
      state = ti.state;
    } else {
      state = run.state;
    }
    if (this.#failed.has(state)) {
      throw new AirflowError(
        `External ${
          this.externalTaskId ? "task" : "DAG run"
        } ${this.externalDagId}.${
          this.externalTaskId ?? run.runId
        } is in a failed state: ${state}`,
      );
    }
    return this.#allowed.has(state);
  }
}
