/**
 * The SparkContext: the driver's entry point and owner of the worker pool.
 *
 * @module
 */

import type { RecordHeaders } from "../kafka/protocol/record_batch.ts";
import { type InputFile, listInputFiles, planSplits } from "./_input_files.ts";
import { type CsvSpec, type CsvType, inferType, splitCsvLine } from "./_csv.ts";
import { csvType, parseDdl, readHead, uniqueHeader } from "./_source_csv.ts";
import { topicSplits } from "./_source_topic.ts";
import { registerScheduler } from "./_registry.ts";
import { type JobInfo, type ProgressEvent, Scheduler } from "./_scheduler.ts";
import {
  Accumulator,
  type AccumulatorParam,
  Broadcast,
  onDestroy,
} from "./broadcast.ts";
import { SparkConf } from "./conf.ts";
import { StatusTracker } from "./status_tracker.ts";
import { type Clock, systemClock } from "../internal/clock.ts";
import { SparkError } from "./errors.ts";
import { makeRDD, type RDD } from "./rdd.ts";
import { resolve, toFileUrl } from "./_paths.ts";
import { EventLog } from "./_event_log.ts";

export type { CsvType, JobInfo, ProgressEvent };

/**
 * Options for {@linkcode SparkContext}.
 *
 * @example A small pool with a tight result guard
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext, type SparkContextOptions } from "./mod.ts";
 * const options: SparkContextOptions = { parallelism: 2, defaultPartitions: 4, maxResultBytes: 1 << 20 };
 * await using sc = new SparkContext(options);
 * assert.deepEqual(sc.range(10).numPartitions, 4);
 * ```
 */
export interface SparkContextOptions {
  /**
   * Number of worker threads.
   * @default {navigator.hardwareConcurrency}
   */
  parallelism?: number;
  /**
   * Partitions for `parallelize`, `range`, `textFile` and `csv` when not
   * given.
   * @default {parallelism}
   */
  defaultPartitions?: number;
  /**
   * Modules shipped functions may use: identifier -> specifier or URL.
   * Relative paths resolve against the current directory.
   * @default {{}}
   */
  modules?: Record<string, string | URL>;
  /**
   * Attempts per task before the job fails (a crashed worker is replaced).
   * @default {4}
   */
  maxTaskFailures?: number;
  /**
   * Upper bound on the estimated size of results sent to the driver by
   * `collect()` and `take()`.
   * @default {1073741824}
   */
  maxResultBytes?: number;
  /**
   * Largest byte-range split for `textFile` and `csv`.
   * @default {33554432}
   */
  maxSplitBytes?: number;
  /**
   * Called after every finished task (for progress lines).
   * @default {undefined}
   */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * The clock for timeouts and time stamps (a `ManualClock` in tests).
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * A task running longer fails its job: its executor is terminated and
   * replaced (the only way to stop a loop that never yields) and the job
   * rejects with a SparkError naming the stage and partition.
   * @default {undefined (no limit)}
   */
  taskTimeoutMs?: number | null;
  /**
   * What runs tasks: Worker threads in this process (light, the default),
   * or one `deno` process per executor, like Spark's executor JVMs, so an
   * executor can die (out of memory, killed) without taking the driver.
   * @default {"worker"}
   */
  executor?: "worker" | "process";
  /**
   * Heap cap of each process executor in MiB (V8's
   * `--max-old-space-size`): a task that exhausts it fails (and is retried
   * per `maxTaskFailures`) instead of killing the driver.
   * @default {V8's default}
   */
  executorMemoryMb?: number;
  /**
   * Spark's `spark.eventLog.dir`: write this application's event log there
   * (`<applicationId>.inprogress` while running, `<applicationId>` once
   * closed; one JSON event per line in Spark's format), for
   * `sparkHistoryHandler` and Spark's own tools.
   * @default {undefined (no event log)}
   */
  eventLogDir?: string;
  /**
   * Spark's `spark.app.name`, shown by the history view.
   * @default {"spark"}
   */
  appName?: string;
}

/** Spark's log levels. */
const LOG_LEVELS = [
  "ALL",
  "DEBUG",
  "ERROR",
  "FATAL",
  "INFO",
  "OFF",
  "TRACE",
  "WARN",
] as const;
type LogLevel = typeof LOG_LEVELS[number];

/** This package's version (checked against deno.json by a test). */
const VERSION = "0.1.0";

/**
 * Options for {@linkcode SparkContext.csv}.
 *
 * @example Drop malformed rows
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CsvOptions, SparkContext } from "./mod.ts";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "a;b\n1;2\nx;3\n");
 * const options: CsvOptions = { header: true, delimiter: ";", schema: "a INT, b INT", mode: "DROPMALFORMED" };
 * await using sc = new SparkContext({ parallelism: 1 });
 * assert.deepEqual(await sc.csv(file, options).collect(), [{ a: 1, b: 2 }]);
 * await Deno.remove(file);
 * ```
 */
export interface CsvOptions {
  /**
   * The first line holds the column names.
   * @default {false}
   */
  header?: boolean;
  /**
   * Field separator.
   * @default {","}
   */
  delimiter?: string;
  /**
   * Column names to types, in file order: an object
   * (`{ mag: "number", place: "string" }`) or a Spark DDL string
   * (`"mag DOUBLE, place STRING"`). Spark's type names (`double`, `float`,
   * `int`, `long`, `bigint`, `timestamp`, ...) are accepted too. Without a
   * schema, columns come from the header (or are named `_c0`, `_c1`, ...)
   * and are strings unless `inferSchema` is set.
   * @default {undefined}
   */
  schema?: Record<string, CsvType | string> | string;
  /**
   * Infer column types (integer, number, boolean, string) from the first
   * 1 MiB of the file.
   * @default {false}
   */
  inferSchema?: boolean;
  /**
   * What to do with malformed rows (wrong field count, bad value, open
   * quote): keep them with nulls and `_corrupt_record` (PERMISSIVE), drop
   * them (DROPMALFORMED) or fail the job (FAILFAST). The number of malformed
   * rows is reported in `sc.lastJob.counters.malformedRows`.
   * @default {"PERMISSIVE"}
   */
  mode?: "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
  /**
   * Keep only these columns in each row (cheaper rows).
   * @default {undefined}
   */
  columns?: string[];
  /**
   * Minimum number of splits.
   * @default {defaultPartitions}
   */
  minPartitions?: number;
}

/**
 * Options for {@linkcode SparkContext.fromTopic}.
 *
 * @example Options for a JSON topic
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FromTopicOptions } from "./mod.ts";
 * const options: FromTopicOptions = { logDir: "data/kafka", topic: "quakes", decode: "json" };
 * assert.deepEqual(options.decode, "json");
 * ```
 */
export interface FromTopicOptions {
  /** The kafka module's log directory. */
  logDir: string;
  /** The topic to read. */
  topic: string;
  /**
   * How to decode record values.
   * @default {"string"}
   */
  decode?: "json" | "string" | "bytes";
  /**
   * Least number of RDD partitions. Above the topic's partition count, large
   * topic partitions are cut into offset ranges of about equal bytes (as
   * Spark's Kafka source does), so a skewed topic still spreads over workers.
   * @default {the topic's partition count}
   */
  minPartitions?: number;
}

/**
 * One record of an RDD made by {@linkcode SparkContext.fromTopic}.
 *
 * @example The shape
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TopicRecord } from "./mod.ts";
 * const r: TopicRecord<{ mag: number }> = {
 *   topic: "quakes", partition: 0, offset: 0, timestamp: 0, key: "us1", value: { mag: 4.2 }, headers: {},
 * };
 * assert.deepEqual(r.value.mag, 4.2);
 * ```
 */
export interface TopicRecord<V = unknown> {
  /** Topic name. */
  topic: string;
  /** Partition number. */
  partition: number;
  /** Offset in the partition. */
  offset: number | bigint;
  /** Record timestamp. */
  timestamp: number | bigint;
  /** Key decoded as UTF-8, or null. */
  key: string | null;
  /** Value decoded as asked. */
  value: V;
  /** Header values by key, as bytes; a repeated key holds an array. */
  headers: RecordHeaders;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new SparkError(`${what} must be an integer >= 1: ${String(v)}`);
  }
  return v;
}

/**
 * The driver: owns a pool of module Workers (created once, reused by every
 * job) and creates RDDs. Close it with `close()` or `await using`.
 *
 * Functions given to RDD methods run in the workers and are shipped as
 * source text, so they cannot capture local variables: pass values in the
 * optional last `env` argument (the function receives it as its last
 * parameter; it may hold {@linkcode Broadcast}s) and code through modules
 * registered with {@linkcode SparkContext.addModule}.
 *
 * @example Count by key on two workers
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 2 });
 * const counts = await sc.parallelize(["x", "y", "x"])
 *   .map((s) => [s, 1] as [string, number])
 *   .reduceByKey((a, b) => a + b)
 *   .collectAsMap();
 * assert.deepEqual(counts.get("x"), 2);
 * ```
 */
export class SparkContext {
  #scheduler: Scheduler;
  #parallelism: number;
  #defaultPartitions: number;
  #maxSplitBytes: number;
  #closed = false;
  #nextBroadcast = 0;
  #nextAccumulator = 0;
  #startTime: number;
  #maxTaskFailures: number;
  #maxResultBytes: number;
  #logLevel: LogLevel = "WARN";
  #closing: Promise<void>;
  #appName: string;
  #eventLog: EventLog | null = null;

  /**
   * Starts the worker pool.
   *
   * @param options Pool size, defaults, modules, limits.
   */
  constructor(options: SparkContextOptions = {}) {
    this.#parallelism = options.parallelism === undefined
      ? Math.max(1, navigator.hardwareConcurrency || 1)
      : positiveInt(options.parallelism, "parallelism");
    this.#defaultPartitions = options.defaultPartitions === undefined
      ? this.#parallelism
      : positiveInt(options.defaultPartitions, "defaultPartitions");
    const maxTaskFailures = options.maxTaskFailures === undefined
      ? 4
      : positiveInt(options.maxTaskFailures, "maxTaskFailures");
    const maxResultBytes = options.maxResultBytes === undefined
      ? 1024 ** 3
      : positiveInt(options.maxResultBytes, "maxResultBytes");
    this.#maxSplitBytes = options.maxSplitBytes === undefined
      ? 32 * 1024 * 1024
      : positiveInt(options.maxSplitBytes, "maxSplitBytes");
    if (
      options.onProgress !== undefined &&
      typeof options.onProgress !== "function"
    ) {
      throw new SparkError(
        `onProgress must be a function: ${typeof options.onProgress}`,
      );
    }
    const modules = Object.entries(options.modules ?? {});
    for (const [name] of modules) this.#checkModuleName(name);
    const executor = options.executor ?? "worker";
    if (executor !== "worker" && executor !== "process") {
      throw new SparkError(
        `executor must be "worker" or "process": ${String(executor)}`,
      );
    }
    const memoryMb = options.executorMemoryMb === undefined
      ? null
      : positiveInt(options.executorMemoryMb, "executorMemoryMb");
    if (memoryMb !== null && executor !== "process") {
      throw new SparkError(
        `executorMemoryMb needs executor: "process" (a Worker's heap cannot be capped): ${memoryMb}`,
      );
    }
    const taskTimeoutMs = options.taskTimeoutMs === undefined ||
        options.taskTimeoutMs === null
      ? null
      : positiveInt(options.taskTimeoutMs, "taskTimeoutMs");
    this.#scheduler = new Scheduler({
      parallelism: this.#parallelism,
      maxTaskFailures,
      maxResultBytes,
      onProgress: options.onProgress,
      clock: options.clock ?? systemClock,
      executor: { kind: executor, memoryMb },
      taskTimeoutMs,
    });
    this.#closing = Promise.resolve();
    this.#startTime = this.#scheduler.clock.now();
    this.#maxTaskFailures = maxTaskFailures;
    this.#maxResultBytes = maxResultBytes;
    this.#appName = options.appName ?? "spark";
    if (typeof this.#appName !== "string") {
      throw new SparkError(`appName must be a string: ${typeof this.#appName}`);
    }
    if (options.eventLogDir !== undefined) {
      if (
        typeof options.eventLogDir !== "string" || options.eventLogDir === ""
      ) {
        throw new SparkError(
          `eventLogDir must be a non-empty string: ${
            String(options.eventLogDir)
          }`,
        );
      }
      this.#eventLog = new EventLog(
        options.eventLogDir,
        `local-${this.#startTime}`,
        {
          appName: this.#appName,
          startTime: this.#startTime,
          clock: this.#scheduler.clock,
        },
      );
      this.#scheduler.listener = this.#eventLog;
    }
    registerScheduler(this, this.#scheduler);
    for (const [name, spec] of modules) this.addModule(name, spec);
  }

  /** The version of this package (PySpark's `sc.version` is Spark's). */
  get version(): string {
    return VERSION;
  }

  /** `local-<startTime>`, Spark's id for a local application. */
  get applicationId(): string {
    // With an event log, the id its file is named after (unique in the dir).
    return this.#eventLog?.appId ?? `local-${this.#startTime}`;
  }

  /** When the context started, in epoch milliseconds (from its clock). */
  get startTime(): number {
    return this.#startTime;
  }

  /** Spark's name for the pool size ({@linkcode SparkContext.parallelism}). */
  get defaultParallelism(): number {
    return this.#parallelism;
  }

  /** Default minimum partitions of file sources in Spark: min(parallelism, 2). */
  get defaultMinPartitions(): number {
    return Math.min(this.#parallelism, 2);
  }

  /**
   * The settings under Spark's key names.
   *
   * @returns A read-only snapshot.
   *
   * @example Settings
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2, maxTaskFailures: 3 });
   * assert.equal(sc.getConf().get("spark.task.maxFailures"), "3");
   * ```
   */
  getConf(): SparkConf {
    return new SparkConf([
      ["spark.master", `local[${this.#parallelism}]`],
      ["spark.app.name", this.#appName],
      ["spark.eventLog.enabled", String(this.#eventLog !== null)],
      ["spark.app.id", this.applicationId],
      ["spark.app.startTime", String(this.#startTime)],
      ["spark.default.parallelism", String(this.#defaultPartitions)],
      ["spark.task.maxFailures", String(this.#maxTaskFailures)],
      ["spark.driver.maxResultSize", String(this.#maxResultBytes)],
      ["spark.files.maxPartitionBytes", String(this.#maxSplitBytes)],
      ["spark.log.level", this.#logLevel],
    ]);
  }

  /**
   * Sets how much the context logs to stderr: at `"WARN"` (the default,
   * as in Spark) lost and retried tasks, at `"INFO"` and below every
   * finished job too; `"ERROR"` and `"OFF"` are quiet.
   *
   * @param level One of Spark's levels: ALL, DEBUG, ERROR, FATAL, INFO,
   *   OFF, TRACE, WARN (any case).
   * @returns Nothing.
   *
   * @example Quiet
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * sc.setLogLevel("error");
   * assert.equal(sc.getConf().get("spark.log.level"), "ERROR");
   * ```
   */
  setLogLevel(level: string): void {
    const upper = typeof level === "string" ? level.toUpperCase() : "";
    if (!(LOG_LEVELS as readonly string[]).includes(upper)) {
      throw new SparkError(
        `Log level must be one of ${LOG_LEVELS.join(", ")}: ${String(level)}`,
      );
    }
    this.#logLevel = upper as LogLevel;
    this.#scheduler.logLevel = this.#logLevel;
  }

  /**
   * A numeric accumulator: tasks `add()` to it through `env`, the driver
   * reads `.value`; a task's additions count once, when it succeeds.
   *
   * @param value Starting value.
   * @returns The accumulator.
   *
   * @example Sum in tasks
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const acc = sc.accumulator(10);
   * await sc.range(0, 5).foreach((x, env) => env.acc.add(x), { acc });
   * assert.equal(acc.value, 20);
   * ```
   */
  accumulator(value?: number): Accumulator;
  /**
   * An accumulator of any type, added by `param` (PySpark's
   * `AccumulatorParam`): tasks send their terms, and the driver adds each
   * successful task's terms once with `param.addInPlace`.
   *
   * @param value Starting value.
   * @param param `zero(value)` and an associative, commutative
   *   `addInPlace(a, b)`.
   * @returns The accumulator.
   *
   * @example A vector accumulator, as in PySpark's docs
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const va = sc.accumulator([1, 2, 3], {
   *   zero: (v) => v.map(() => 0),
   *   addInPlace: (a, b) => a.map((x, i) => x + b[i]!),
   * });
   * await sc.parallelize([1, 2, 3]).foreach((x, env) => env.va.add([x, x, x]), { va });
   * assert.deepEqual(va.value, [7, 8, 9]);
   * ```
   */
  accumulator<T>(value: T, param: AccumulatorParam<T>): Accumulator<T>;
  accumulator<T>(
    value: T | number = 0,
    param?: AccumulatorParam<T>,
  ): Accumulator<T> | Accumulator {
    this.#checkOpen();
    if (param !== undefined) {
      if (
        param === null || typeof param.zero !== "function" ||
        typeof param.addInPlace !== "function"
      ) {
        throw new SparkError(
          "AccumulatorParam needs zero(value) and addInPlace(a, b) functions",
        );
      }
      const acc = new Accumulator<T>(
        this.#nextAccumulator++,
        value as T,
        null,
        param,
      );
      this.#scheduler.accumulators.set(acc.id, acc);
      return acc;
    }
    if (typeof value !== "number") {
      throw new SparkError(
        `Accumulator starts from a number unless given an AccumulatorParam: ${typeof value} ${
          String(value)
        }`,
      );
    }
    const acc = new Accumulator(this.#nextAccumulator++, value);
    this.#scheduler.accumulators.set(acc.id, acc);
    return acc;
  }

  /**
   * Puts the jobs started from now on into a group (Spark keeps this per
   * thread; here it holds for the context until changed), so
   * {@linkcode SparkContext.cancelJobGroup} can stop them.
   *
   * @param groupId The group.
   * @param description A description shown with the jobs.
   * @param interruptOnCancel Accepted for PySpark's signature: cancelling
   *   always stops running tasks here (their executors are replaced).
   * @returns Nothing.
   *
   * @example Cancel a group
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext, SparkError } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * sc.setJobGroup("slow", "never ends");
   * const job = sc.range(1).map((x) => {
   *   while (true) x++;
   * }).collect();
   * setTimeout(() => sc.cancelJobGroup("slow"), 50);
   * await assert.rejects(job, SparkError);
   * sc.setJobGroup("fast", "counts");
   * assert.equal(await sc.range(3).count(), 3); // the context still works
   * ```
   */
  setJobGroup(
    groupId: string,
    description = "",
    interruptOnCancel = false,
  ): void {
    if (typeof groupId !== "string") {
      throw new SparkError(`Job group must be a string: ${String(groupId)}`);
    }
    void interruptOnCancel;
    this.#scheduler.jobGroup = groupId;
    this.#scheduler.jobDescription = description;
  }

  /**
   * Sets the description of the jobs started from now on.
   *
   * @param value The description.
   * @returns Nothing.
   */
  setJobDescription(value: string): void {
    this.#scheduler.jobDescription = value;
  }

  /**
   * Cancels the running jobs of a group: their running tasks are stopped
   * (executors replaced) and each job rejects with a SparkError.
   *
   * @param groupId The group.
   * @returns Nothing.
   */
  cancelJobGroup(groupId: string): void {
    this.#scheduler.cancelJobs(
      groupId,
      `its job group "${groupId}" was cancelled`,
    );
  }

  /**
   * Cancels every running job.
   *
   * @returns Nothing.
   */
  cancelAllJobs(): void {
    this.#scheduler.cancelJobs(null, "cancelAllJobs() was called");
  }

  /**
   * A live view of the jobs (Spark's status tracker).
   *
   * @returns The tracker.
   */
  statusTracker(): StatusTracker {
    return new StatusTracker(this.#scheduler);
  }

  /**
   * Where `rdd.checkpoint()` writes (created if missing).
   *
   * @param dir A directory.
   * @returns Nothing.
   */
  setCheckpointDir(dir: string): void {
    if (typeof dir !== "string" || dir === "") {
      throw new SparkError(
        `Checkpoint directory must be a non-empty string: ${String(dir)}`,
      );
    }
    const abs = resolve(dir);
    try {
      Deno.mkdirSync(abs, { recursive: true });
    } catch (e) {
      throw new SparkError(`Cannot create checkpoint directory: "${dir}"`, {
        cause: e,
      });
    }
    this.#scheduler.checkpointDir = abs;
  }

  /**
   * The checkpoint directory, or null.
   *
   * @returns The directory.
   */
  getCheckpointDir(): string | null {
    return this.#scheduler.checkpointDir;
  }

  /** Number of worker threads. */
  get parallelism(): number {
    return this.#parallelism;
  }

  /** Default partition count for sources. */
  get defaultPartitions(): number {
    return this.#defaultPartitions;
  }

  /** Stages, timings and counters of the most recent job. */
  get lastJob(): JobInfo | undefined {
    return this.#scheduler.lastJob;
  }

  #checkOpen(): void {
    if (this.#closed) throw new SparkError("SparkContext is closed");
  }

  #checkModuleName(name: string): void {
    if (!IDENT.test(name)) {
      throw new SparkError(
        `Module name must be a JavaScript identifier: "${name}"`,
      );
    }
  }

  /**
   * Registers a module: inside shipped functions the identifier `name` is
   * the module's namespace (workers import it the first time a function
   * uses it).
   *
   * @param name Identifier to use in functions.
   * @param specifier Module specifier or URL; relative paths resolve
   *   against the current directory.
   * @returns Nothing.
   *
   * @example Use a helper module
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const file = await Deno.makeTempFile({ suffix: ".ts" });
   * await Deno.writeTextFile(file, "export const double = (x: number) => x * 2;");
   * await using sc = new SparkContext({ parallelism: 1 });
   * sc.addModule("helpers", file);
   * const out = await sc.range(3).map((x) => {
   *   // @ts-ignore: `helpers` is the registered module's namespace
   *   return helpers.double(x);
   * }).collect();
   * assert.deepEqual(out, [0, 2, 4]);
   * await Deno.remove(file);
   * ```
   */
  addModule(name: string, specifier: string | URL): void {
    this.#checkOpen();
    this.#checkModuleName(name);
    let spec: string;
    if (specifier instanceof URL) spec = specifier.href;
    else if (typeof specifier === "string" && specifier !== "") {
      spec = /^(\.\.?\/|\/)/.test(specifier)
        ? toFileUrl(resolve(specifier)).href
        : specifier;
    } else {
      throw new SparkError(
        `Module specifier must be a string or URL: ${String(specifier)}`,
      );
    }
    this.#scheduler.modules[name] = spec;
  }

  /**
   * Makes a read-only value available to shipped functions through `env`,
   * sent to each worker at most once.
   *
   * @param value A structured-cloneable value.
   * @returns The broadcast handle.
   *
   * @example Broadcast a lookup set
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const keep = sc.broadcast(new Set([2, 3]));
   * assert.deepEqual(await sc.range(5).filter((x, env) => env.keep.value.has(x), { keep }).collect(), [2, 3]);
   * ```
   */
  broadcast<T>(value: T): Broadcast<T> {
    this.#checkOpen();
    try {
      structuredClone(value);
    } catch (e) {
      throw new SparkError(
        `Broadcast value must be structured-cloneable: ${
          String(value).slice(0, 60)
        }`,
        { cause: e },
      );
    }
    const b = new Broadcast(this.#nextBroadcast++, value);
    this.#scheduler.broadcasts.set(b.id, value);
    const scheduler = this.#scheduler;
    onDestroy(b, () => scheduler.dropBroadcast(b.id));
    return b;
  }

  /**
   * Distributes a local collection over `numSlices` partitions.
   *
   * @param data Any iterable (copied now).
   * @param numSlices Partition count.
   * @returns The RDD.
   *
   * @example Parallelize
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize([1, 2, 3], 3).glom().collect(), [[1], [2], [3]]);
   * ```
   */
  parallelize<T>(data: Iterable<T>, numSlices?: number): RDD<T> {
    this.#checkOpen();
    if (
      data === null || data === undefined ||
      typeof (data as Iterable<T>)[Symbol.iterator] !== "function"
    ) {
      throw new SparkError(`parallelize() needs an iterable: ${String(data)}`);
    }
    const n = numSlices === undefined
      ? this.#defaultPartitions
      : positiveInt(numSlices, "numSlices");
    const all = [...data];
    const slices: T[][] = [];
    for (let i = 0; i < n; i++) {
      slices.push(
        all.slice(
          Math.floor(i * all.length / n),
          Math.floor((i + 1) * all.length / n),
        ),
      );
    }
    return makeRDD<T>(
      this,
      { type: "source", source: (p) => ({ kind: "data", data: slices[p]! }) },
      n,
      "ParallelCollectionRDD",
      "parallelize",
    );
  }

  /**
   * An RDD with no partitions and no elements.
   *
   * @returns The empty RDD.
   *
   * @example Empty
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.emptyRDD<number>().count(), 0);
   * ```
   */
  emptyRDD<T>(): RDD<T> {
    this.#checkOpen();
    return makeRDD<T>(
      this,
      { type: "source", source: () => ({ kind: "data", data: [] }) },
      0,
      "EmptyRDD",
      "emptyRDD",
    );
  }

  /**
   * The union of several RDDs of this context (no shuffle).
   *
   * @param rdds The RDDs, in order.
   * @returns Their union.
   *
   * @example Union of many
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const u = sc.union([sc.range(2), sc.range(1), sc.parallelize([9])]);
   * assert.deepEqual(await u.collect(), [0, 1, 0, 9]);
   * ```
   */
  union<T>(rdds: RDD<T>[]): RDD<T> {
    this.#checkOpen();
    if (!Array.isArray(rdds) || rdds.length === 0) {
      throw new SparkError(
        `union() needs a non-empty array of RDDs: ${String(rdds)}`,
      );
    }
    let out = rdds[0]!;
    if (out.context !== this) {
      throw new SparkError(
        `union() needs RDDs of this SparkContext: ${String(out)}`,
      );
    }
    for (const r of rdds.slice(1)) out = out.union(r);
    return out;
  }

  /**
   * Integers from `start` (inclusive) to `end` (exclusive) by `step`, like
   * PySpark's `sc.range`; with one argument, `0..start`.
   *
   * @param start First value (or the end when `end` is absent).
   * @param end End, exclusive.
   * @param step Increment (not 0).
   * @param numSlices Partition count.
   * @returns The RDD.
   *
   * @example Range
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.range(1, 10, 3).collect(), [1, 4, 7]);
   * ```
   */
  range(
    start: number,
    end?: number,
    step = 1,
    numSlices?: number,
  ): RDD<number> {
    this.#checkOpen();
    if (end === undefined) [start, end] = [0, start];
    for (
      const [v, what] of [[start, "start"], [end, "end"], [
        step,
        "step",
      ]] as const
    ) {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new SparkError(
          `range() ${what} must be a finite number: ${String(v)}`,
        );
      }
    }
    if (step === 0) throw new SparkError(`range() step must not be 0: ${step}`);
    const n = numSlices === undefined
      ? this.#defaultPartitions
      : positiveInt(numSlices, "numSlices");
    const count = Math.max(0, Math.ceil((end - start) / step));
    const s = start, st = step;
    return makeRDD<number>(
      this,
      {
        type: "source",
        source: (p) => {
          const from = Math.floor(p * count / n),
            to = Math.floor((p + 1) * count / n);
          return {
            kind: "range",
            start: s + from * st,
            end: s + to * st,
            step: st,
          };
        },
      },
      n,
      "ParallelCollectionRDD",
      "range",
    );
  }

  #splits(
    files: InputFile[],
    minPartitions: number | undefined,
  ): { file: InputFile; start: number; end: number }[] {
    const min = minPartitions === undefined
      ? this.#defaultPartitions
      : positiveInt(minPartitions, "minPartitions");
    const size = files.reduce((s, f) => s + f.size, 0);
    let count = Math.max(min, Math.ceil(size / this.#maxSplitBytes));
    // Round big inputs up to a multiple of the pool size so the last wave
    // of tasks keeps every worker busy.
    if (count > min) {
      count = Math.ceil(count / this.#parallelism) * this.#parallelism;
    }
    return planSplits(files, count);
  }

  /**
   * Lines of text files, split by byte ranges that each worker reads
   * itself (Hadoop's rule: a split skips its first partial line unless it
   * starts at 0 and reads past its end to finish its last line). A UTF-8
   * BOM is dropped and CRLF endings are handled. `path` is a file, a
   * directory (its files, skipping `_SUCCESS` and other names starting with
   * `_` or `.`, as Hadoop does, so `saveAsTextFile` output reads back), a
   * glob (`data/*.csv`) or a comma-separated list of those. A `.gz` file is
   * decompressed by one task (gzip cannot be split).
   *
   * @param path File, directory, glob or comma-separated list.
   * @param minPartitions Minimum number of splits.
   * @returns An RDD of lines.
   *
   * @example Read lines
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const file = await Deno.makeTempFile();
   * await Deno.writeTextFile(file, "a\r\nb\nc");
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.textFile(file, 3).collect(), ["a", "b", "c"]);
   * await Deno.remove(file);
   * ```
   */
  textFile(path: string, minPartitions?: number): RDD<string> {
    this.#checkOpen();
    const splits = this.#splits(
      listInputFiles(path, "textFile()"),
      minPartitions,
    );
    return makeRDD<string>(
      this,
      {
        type: "source",
        source: (p) => ({
          kind: "text",
          path: splits[p]!.file.path,
          start: splits[p]!.start,
          end: splits[p]!.end,
          gzip: splits[p]!.file.gzip,
        }),
      },
      splits.length,
      "HadoopRDD",
      "textFile",
    );
  }

  /**
   * Whole files as `[path, content]` pairs (absolute paths), for many small
   * files; `path` is read like {@linkcode SparkContext.textFile}'s.
   *
   * @param path File, directory, glob or comma-separated list.
   * @param minPartitions Minimum number of partitions (files are spread
   *   over them in order).
   * @returns An RDD of `[path, content]`.
   *
   * @example Read a directory
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${dir}/1.txt`, "123");
   * await Deno.writeTextFile(`${dir}/2.txt`, "xyz");
   * await using sc = new SparkContext({ parallelism: 2 });
   * const files = await sc.wholeTextFiles(dir).collect();
   * assert.deepEqual(files, [[`${dir}/1.txt`, "123"], [`${dir}/2.txt`, "xyz"]]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  wholeTextFiles(
    path: string,
    minPartitions?: number,
  ): RDD<[string, string]> {
    this.#checkOpen();
    const files = listInputFiles(path, "wholeTextFiles()").map((f) => f.path);
    const n = Math.max(
      1,
      Math.min(
        files.length,
        minPartitions === undefined
          ? this.#defaultPartitions
          : positiveInt(minPartitions, "minPartitions"),
      ),
    );
    return makeRDD<[string, string]>(
      this,
      {
        type: "source",
        source: (p) => ({
          kind: "wholeText",
          paths: files.slice(
            Math.floor(p * files.length / n),
            Math.floor((p + 1) * files.length / n),
          ),
        }),
      },
      n,
      "WholeTextFileRDD",
      "wholeTextFiles",
    );
  }

  /**
   * Rows of CSV files as objects, split like {@linkcode SparkContext.textFile}
   * (one record per line; the header line is skipped in every file). Empty
   * fields are null. Duplicate header names are made unique as Spark does,
   * by appending the column index (`a,a` becomes `a0,a1`), and empty ones
   * become `_c<index>`.
   *
   * @param path File, directory, glob or comma-separated list.
   * @param options Header, delimiter, schema or inferSchema, mode.
   * @returns An RDD of row objects.
   *
   * @example Typed rows
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const file = await Deno.makeTempFile({ suffix: ".csv" });
   * await Deno.writeTextFile(file, 'place,mag\n"Nome, Alaska",4.5\nTaiwan,x\n');
   * await using sc = new SparkContext({ parallelism: 1 });
   * const rows = await sc.csv(file, { header: true, schema: { place: "string", mag: "number" } }).collect();
   * assert.deepEqual(rows[0], { place: "Nome, Alaska", mag: 4.5 });
   * assert.equal(sc.lastJob?.counters.malformedRows, 1);
   * await Deno.remove(file);
   * ```
   */
  csv<R = Record<string, unknown>>(
    path: string,
    options: CsvOptions = {},
  ): RDD<R> {
    this.#checkOpen();
    const files = listInputFiles(path, "csv()");
    const delimiter = options.delimiter ?? ",";
    if (
      typeof delimiter !== "string" || delimiter.length === 0 ||
      /["\r\n]/.test(delimiter)
    ) {
      throw new SparkError(
        `CSV delimiter must be a non-empty string without quotes or newlines: ${
          JSON.stringify(delimiter)
        }`,
      );
    }
    const mode = options.mode ?? "PERMISSIVE";
    if (!["PERMISSIVE", "DROPMALFORMED", "FAILFAST"].includes(mode)) {
      throw new SparkError(
        `CSV mode must be PERMISSIVE, DROPMALFORMED or FAILFAST: "${mode}"`,
      );
    }
    const header = options.header ?? false;
    if (files.length === 0 && options.schema === undefined) {
      throw new SparkError(
        `No input files to read a CSV header or infer a schema from: "${path}": give a schema`,
      );
    }
    const sample = files.length > 0 ? readHead(files[0]!, 1 << 20) : [];
    const firstFields = sample.length > 0
      ? splitCsvLine(sample[0]!, delimiter) ?? []
      : [];
    let columns: string[];
    let types: CsvType[];
    if (options.schema !== undefined) {
      const entries = typeof options.schema === "string"
        ? parseDdl(options.schema)
        : Object.entries(options.schema);
      columns = entries.map((e) => e[0]);
      types = entries.map((e) => csvType(e[1]));
    } else {
      columns = header
        ? uniqueHeader(firstFields)
        : firstFields.map((_, i) => `_c${i}`);
      types = columns.map(() => "string" as CsvType);
      if (options.inferSchema) {
        const rows = sample.slice(header ? 1 : 0).filter((l) => l !== "").map((
          l,
        ) => splitCsvLine(l, delimiter) ?? []);
        types = columns.map((_, i) => inferType(rows.map((r) => r[i] ?? "")));
      }
    }
    let select: number[] | undefined;
    if (options.columns !== undefined) {
      select = options.columns.map((c) => {
        const i = columns.indexOf(c);
        if (i < 0) throw new SparkError(`CSV column not found: "${c}"`);
        return i;
      });
    }
    const spec: CsvSpec = { columns, types, delimiter, header, mode, select };
    const splits = this.#splits(files, options.minPartitions);
    return makeRDD<R>(
      this,
      {
        type: "source",
        source: (p) => ({
          kind: "csv",
          path: splits[p]!.file.path,
          start: splits[p]!.start,
          end: splits[p]!.end,
          gzip: splits[p]!.file.gzip,
          csv: spec,
        }),
      },
      splits.length,
      "CsvRDD",
      "csv",
    );
  }

  /**
   * Records of a topic written by the kafka module, one partition per topic
   * partition. Each worker reads its partition's on-disk log segments
   * directly (through `kafka/log/log_reader.ts`); nothing goes through a broker.
   * Keys are decoded as UTF-8; values as `decode` says.
   *
   * @param options Log directory, topic and value decoding.
   * @returns An RDD of {@linkcode TopicRecord}s.
   *
   * @example Count records per key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * import { Kafka } from "../kafka/mod.ts";
   * const logDir = await Deno.makeTempDir();
   * const kafka = new Kafka({ logDir });
   * const admin = kafka.admin();
   * await admin.connect();
   * await admin.createTopics({ topics: [{ topic: "quakes", numPartitions: 2 }] });
   * await admin.disconnect();
   * const producer = kafka.producer();
   * await producer.connect();
   * await producer.send({
   *   topic: "quakes",
   *   messages: [{ key: "a", value: '{"mag":5}' }, { key: "b", value: '{"mag":2}' }],
   * });
   * await producer.disconnect();
   * await using sc = new SparkContext({ parallelism: 2 });
   * const big = await sc.fromTopic<{ mag: number }>({ logDir, topic: "quakes", decode: "json" })
   *   .filter((r) => r.value.mag > 4).map((r) => r.key).collect();
   * assert.deepEqual(big, ["a"]);
   * await Deno.remove(logDir, { recursive: true });
   * ```
   */
  fromTopic<V = unknown>(options: FromTopicOptions): RDD<TopicRecord<V>> {
    this.#checkOpen();
    const { logDir, topic } = options ?? {};
    const decode = options?.decode ?? "string";
    if (typeof logDir !== "string" || logDir === "") {
      throw new SparkError(`fromTopic() needs a logDir: ${String(logDir)}`);
    }
    if (
      typeof topic !== "string" || !/^[a-zA-Z0-9._-]+$/.test(topic) ||
      topic === "." || topic === ".."
    ) {
      throw new SparkError(
        `Topic name must match [a-zA-Z0-9._-]+: ${JSON.stringify(topic)}`,
      );
    }
    if (!["json", "string", "bytes"].includes(decode)) {
      throw new SparkError(
        `fromTopic() decode must be json, string or bytes: "${decode}"`,
      );
    }
    const dir = resolve(logDir);
    const partitions: number[] = [];
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (!e.isDirectory || !e.name.startsWith(`${topic}-`)) continue;
        const rest = e.name.slice(topic.length + 1);
        if (/^\d+$/.test(rest)) partitions.push(Number(rest));
      }
    } catch (e) {
      throw new SparkError(`Log directory cannot be read: "${logDir}"`, {
        cause: e,
      });
    }
    if (partitions.length === 0) {
      throw new SparkError(
        `Topic has no partitions in log directory: "${topic}" in "${logDir}"`,
      );
    }
    partitions.sort((a, b) => a - b);
    const splits = topicSplits(
      dir,
      topic,
      partitions,
      options.minPartitions === undefined
        ? partitions.length
        : positiveInt(options.minPartitions, "fromTopic() minPartitions"),
    );
    return makeRDD<TopicRecord<V>>(
      this,
      {
        type: "source",
        source: (p) => ({
          kind: "topic",
          logDir: dir,
          topic,
          decode,
          ...splits[p]!,
        }),
      },
      splits.length,
      "KafkaRDD",
      "fromTopic",
    );
  }

  /**
   * Ends the worker pool. Later jobs fail.
   *
   * @returns Nothing.
   *
   * @example Close explicitly
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.range(3).count(), 3);
   * sc.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = this.#scheduler.close();
    this.#eventLog?.close();
  }

  /**
   * Closes the context at the end of an `await using` block.
   *
   * @returns A resolved promise.
   *
   * @example await using
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * {
   *   await using sc = new SparkContext({ parallelism: 1 });
   *   assert.deepEqual(await sc.range(2).collect(), [0, 1]);
   * }
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return this.#closing;
  }
}
