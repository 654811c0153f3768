/**
 * {@linkcode validate}: one pass of a suite over arrays, iterables, async
 * iterables (streamed) or spark RDDs (per partition in workers, then merged),
 * returning GE's validation result.
 *
 * @module
 */

import { type Clock, systemClock } from "../internal/clock.ts";
import { describeValue, QualityError } from "./errors.ts";
import { Accumulator } from "./_loop.ts";
import { compilePlan, type Format, parseFormat, type Plan } from "./_plan.ts";
import { finalize } from "./_results.ts";
import { mergeStates, type PartialState } from "./_state.ts";
import type { ParameterContext } from "./_evaluation_parameters.ts";
import { ExpectationSuite } from "./expectation_suite.ts";
import type {
  ExpectationSuiteJson,
  ExpectationSuiteV1Json,
  ResultFormatConfig,
  ResultFormatName,
  ValidationResult,
} from "./types.ts";

/**
 * The parts of a spark RDD that validation uses (duck-typed, so the quality
 * module does not depend on spark).
 *
 * @example Usage
 * ```ts
 * import type { RddLike } from "./mod.ts";
 * import assert from "node:assert/strict";
 * // spark's RDD has both members, so validate() takes it as is.
 * const looksLikeRdd = (x: unknown): x is RddLike =>
 *   typeof (x as RddLike).mapPartitions === "function" && typeof (x as RddLike).context === "object";
 * assert.deepEqual(looksLikeRdd([]), false);
 * ```
 */
export interface RddLike {
  /** The SparkContext, to register the evaluator module in the workers. */
  context: { addModule(name: string, specifier: string): unknown };
  /** Runs a function over each partition in the workers. */
  mapPartitions(
    fn: (
      rows: Iterable<unknown>,
      env: PartitionEnv,
    ) => unknown[],
    env: PartitionEnv,
  ): { collect(): Promise<unknown[]> };
}

/**
 * What each spark partition receives: the suite, the result format and the
 * evaluation parameters with the run's time.
 *
 * @example Usage
 * ```ts
 * import type { PartitionEnv } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const env: PartitionEnv = {
 *   suite: { expectation_suite_name: "s", expectations: [], meta: {}, data_asset_type: null },
 *   format: { result_format: "SUMMARY" },
 *   options: { now: 0 },
 * };
 * assert.equal(env.options.now, 0);
 * ```
 */
export interface PartitionEnv {
  /** The suite's GE JSON. */
  suite: ExpectationSuiteJson;
  /** The run's result format. */
  format: ResultFormatConfig;
  /** Evaluation parameters and the time `now()` stands for. */
  options: PartitionOptions;
}

/**
 * What {@linkcode validate} accepts as data.
 *
 * @example Usage
 * ```ts
 * import { type DataSource, ExpectationSuite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * async function* stream() {
 *   yield { id: 1 };
 *   yield { id: 2 };
 * }
 * const data: DataSource = stream();
 * const result = await validate(data, new ExpectationSuite("s").expectTableRowCountToEqual(2));
 * assert.deepEqual(result.success, true);
 * ```
 */
export type DataSource = Iterable<unknown> | AsyncIterable<unknown> | RddLike;

/**
 * Options for {@linkcode validate}.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite, ManualClock, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result = await validate([{ a: 1 }], new ExpectationSuite("s").expectColumnToExist("a"), {
 *   resultFormat: "BOOLEAN_ONLY",
 *   runName: "nightly",
 *   clock: new ManualClock({ start: 0 }),
 * });
 * assert.deepEqual(result.meta.run_id, { run_name: "nightly", run_time: "1970-01-01T00:00:00.000Z" });
 * ```
 */
export interface ValidateOptions {
  /**
   * GE's result format: `BOOLEAN_ONLY`, `BASIC`, `SUMMARY`, `COMPLETE`, or
   * `{ result_format, partial_unexpected_count }`.
   * @default {"SUMMARY"}
   */
  resultFormat?: ResultFormatName | ResultFormatConfig;
  /**
   * Name of the run, reported in `meta.run_id.run_name`.
   * @default {null}
   */
  runName?: string | null;
  /**
   * Clock for the run and validation timestamps.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * GE's `catch_exceptions`: with false, an expectation that raises rejects the
   * whole validation with a QualityError (its `result` is the validation
   * result) instead of being reported in `exception_info`.
   * @default {true}
   */
  catchExceptions?: boolean;
  /**
   * Aborts a streamed validation between rows.
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * GE's evaluation parameters: a kwarg `{ "$PARAMETER": "name" }` or
   * `{ "$PARAMETER": "now() - timedelta(days=1)" }` is resolved from these
   * (and the clock's `now()`) when the suite runs; the result's
   * `evaluation_parameters` echoes them.
   * @default {{}}
   */
  evaluationParameters?: Record<string, unknown>;
  /**
   * Tables that `expect_table_row_count_to_equal_other_table` names by
   * `other_table_name`: rows (an array, an iterable or an async iterable)
   * whose count is compared with the validated data's.
   * @default {{}}
   */
  otherTables?: Record<string, Iterable<unknown> | AsyncIterable<unknown>>;
}

async function countRows(
  tables: ValidateOptions["otherTables"],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, rows] of Object.entries(tables ?? {})) {
    if (Array.isArray(rows)) {
      counts[name] = rows.length;
      continue;
    }
    if (typeof rows !== "object" || rows === null) {
      throw new QualityError(
        `otherTables.${name} must be an array or an iterable of rows: ${
          describeValue(rows)
        }`,
      );
    }
    let n = 0;
    if (Symbol.asyncIterator in rows) { for await (const _ of rows) n++; }
    else for (const _ of rows as Iterable<unknown>) n++;
    counts[name] = n;
  }
  return counts;
}

/** Duck-typed spark RDD check. */
export function isRdd(data: unknown): data is RddLike {
  return typeof data === "object" && data !== null &&
    typeof (data as { mapPartitions?: unknown }).mapPartitions === "function" &&
    typeof (data as { context?: unknown }).context === "object" &&
    (data as { context?: unknown }).context !== null;
}

function toSuite(suite: unknown): ExpectationSuite {
  if (suite instanceof ExpectationSuite) return suite;
  if (
    typeof suite === "string" || (typeof suite === "object" && suite !== null)
  ) {
    return ExpectationSuite.fromJSON(suite as Record<string, unknown>);
  }
  throw new QualityError(
    `Suite must be an ExpectationSuite or its JSON: ${describeValue(suite)}`,
  );
}

function contextOf(
  parameters: Record<string, unknown> | undefined,
  now: number,
): ParameterContext {
  if (
    parameters !== undefined &&
    (typeof parameters !== "object" || parameters === null ||
      Array.isArray(parameters))
  ) {
    throw new QualityError(
      `evaluationParameters must be an object: ${describeValue(parameters)}`,
    );
  }
  return { parameters: parameters ?? {}, now };
}

/**
 * How {@linkcode evaluatePartition} resolves `$PARAMETER` kwargs; give every
 * partition (and {@linkcode finalizeValidation}) the same values.
 *
 * @example Same parameters and time everywhere
 * ```ts
 * import type { PartitionOptions } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const options: PartitionOptions = { evaluationParameters: { max: 10 }, now: 0 };
 * assert.equal(options.now, 0);
 * ```
 */
export interface PartitionOptions {
  /**
   * Values for `{ "$PARAMETER": … }` kwargs.
   * @default {{}}
   */
  evaluationParameters?: Record<string, unknown>;
  /**
   * The time `now()` stands for, in milliseconds since the epoch.
   * @default {Date.now()}
   */
  now?: number;
}

function badRowError(bad: { index: number; value: string }): QualityError {
  return new QualityError(
    `Row must be an object: ${bad.value} at row ${bad.index}`,
  );
}

// The module name workers see; the function below is shipped as source text.
declare const __dq: typeof import("./_partition_eval.ts");

async function evaluateRdd(
  rdd: RddLike,
  suite: ExpectationSuite,
  format: Format,
  ctx: ParameterContext,
): Promise<PartialState | null> {
  if (typeof rdd.context.addModule !== "function") {
    throw new QualityError(
      `RDD context must have addModule(name, specifier): ${
        describeValue(Object.keys(rdd.context))
      }`,
    );
  }
  rdd.context.addModule(
    "__dq",
    new URL("./_partition_eval.ts", import.meta.url).href,
  );
  const env = {
    suite: suite.toJSON(),
    format: {
      result_format: format.name,
      partial_unexpected_count: format.partialCount,
    },
    options: { evaluationParameters: ctx.parameters, now: ctx.now },
  };
  const parts = await rdd.mapPartitions(
    (rows, env) => [
      __dq.evaluatePartition(rows, env.suite, env.format, env.options),
    ],
    env,
  ).collect();
  let merged: PartialState | null = null;
  for (const part of parts as PartialState[]) {
    merged = merged === null ? part : mergeStates(merged, part);
  }
  return merged;
}

async function evaluate(
  data: DataSource,
  plan: Plan,
  suite: ExpectationSuite,
  options: ValidateOptions,
  ctx: ParameterContext,
): Promise<[PartialState, string]> {
  if (isRdd(data)) {
    const merged = await evaluateRdd(data, suite, plan.format, ctx);
    return [merged ?? new Accumulator(plan).snapshot(), "rdd"];
  }
  const acc = new Accumulator(plan);
  let kind: string;
  if (Array.isArray(data)) {
    acc.addAll(data);
    kind = "array";
  } else if (
    typeof data === "object" && data !== null && Symbol.asyncIterator in data
  ) {
    kind = "async_iterable";
    for await (const row of data as AsyncIterable<unknown>) {
      options.signal?.throwIfAborted();
      if (!acc.add(row)) break;
    }
  } else if (
    typeof data === "object" && data !== null && Symbol.iterator in data
  ) {
    kind = "iterable";
    for (const row of data as Iterable<unknown>) {
      if (!acc.add(row)) break;
    }
  } else {
    throw new QualityError(
      `Data must be an array, an iterable, an async iterable or an RDD: ${
        describeValue(data)
      }`,
    );
  }
  return [acc.snapshot(), kind];
}

/**
 * Validates `data` against `suite` in one pass and resolves to GE's
 * validation result. Data may be an array, any iterable, an async iterable
 * (streamed with constant memory for map expectations) or a spark RDD
 * (evaluated per partition in the workers, then merged); all give identical
 * results. An expectation that throws (a missing column, bad kwargs) is
 * reported in `exception_info` and counts as failed while the others still
 * run; a row that is not an object rejects with {@linkcode QualityError}.
 *
 * @example Validate rows
 * ```ts
 * import { ExpectationSuite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("events")
 *   .expectColumnValuesToNotBeNull("mag", { mostly: 0.5 })
 *   .expectColumnValuesToBeBetween("mag", { minValue: 0, maxValue: 10 });
 * const result = await validate([{ mag: 1.2 }, { mag: null }, { mag: 11 }], suite);
 * assert.deepEqual(result.success, false);
 * assert.deepEqual(result.results[1]?.result.partial_unexpected_list, [11]);
 * ```
 */
export async function validate(
  data: DataSource,
  suite:
    | ExpectationSuite
    | ExpectationSuiteJson
    | ExpectationSuiteV1Json
    | string,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const s = toSuite(suite);
  const format = parseFormat(options.resultFormat);
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  const runTime = new Date(now).toISOString();
  const ctx = contextOf(options.evaluationParameters, now);
  const plan = compilePlan(s.name, s.expectations, format, ctx);
  const [state, kind] = await evaluate(data, plan, s, options, ctx);
  if (state.badRow) throw badRowError(state.badRow);
  const result = finalize(plan, state, {
    runName: options.runName ?? null,
    runTime,
    validationTime: new Date(clock.now()).toISOString(),
    batchKind: kind,
    parameters: ctx.parameters,
    tableRowCounts: await countRows(options.otherTables),
  });
  if (options.catchExceptions === false) {
    const i = result.results.findIndex((r) =>
      r.exception_info.raised_exception
    );
    if (i >= 0) {
      const r = result.results[i]!;
      throw new QualityError(
        `Expectation ${i} (${r.expectation_config.expectation_type}) raised: ${r.exception_info.exception_message}`,
        { result },
      );
    }
  }
  return result;
}

/**
 * Evaluates one partition of rows into a structured-cloneable partial state,
 * for callers that split data themselves (workers, Kafka batches). Merge the
 * states in row order with {@linkcode mergePartialStates} and turn the result
 * into GE's shape with {@linkcode finalizeValidation}.
 *
 * @example Two batches, one result
 * ```ts
 * import { evaluatePartition, ExpectationSuite, finalizeValidation, mergePartialStates } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToBeUnique("id");
 * const a = evaluatePartition([{ id: 1 }, { id: 2 }], suite);
 * const b = evaluatePartition([{ id: 2 }], suite);
 * const result = finalizeValidation(mergePartialStates([a, b]), suite);
 * assert.deepEqual(result.results[0]?.result.partial_unexpected_index_list, [1, 2]);
 * ```
 */
export function evaluatePartition(
  rows: Iterable<unknown>,
  suite: ExpectationSuite | ExpectationSuiteJson | ExpectationSuiteV1Json,
  resultFormat?: ResultFormatName | ResultFormatConfig,
  options: PartitionOptions = {},
): PartialState {
  const s = toSuite(suite);
  const acc = new Accumulator(
    compilePlan(
      s.name,
      s.expectations,
      parseFormat(resultFormat),
      contextOf(options.evaluationParameters, options.now ?? Date.now()),
    ),
  );
  acc.addAll(rows);
  return acc.snapshot();
}

/**
 * Merges partial states given in row order (partition 0 first). The states
 * are consumed: the first one is updated in place and returned.
 *
 * @example Merge
 * ```ts
 * import { evaluatePartition, ExpectationSuite, mergePartialStates } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectTableRowCountToEqual(3);
 * const merged = mergePartialStates([evaluatePartition([{ a: 1 }], suite), evaluatePartition([{ a: 2 }, { a: 3 }], suite)]);
 * assert.deepEqual(merged.rows, 3);
 * ```
 */
export function mergePartialStates(states: PartialState[]): PartialState {
  if (!Array.isArray(states) || states.length === 0) {
    throw new QualityError(
      `Partial states must be a non-empty array: ${describeValue(states)}`,
    );
  }
  let merged = states[0]!;
  for (let i = 1; i < states.length; i++) {
    merged = mergeStates(merged, states[i]!);
  }
  return merged;
}

/**
 * Options for {@linkcode finalizeValidation}.
 *
 * @example Usage
 * ```ts
 * import { evaluatePartition, ExpectationSuite, finalizeValidation } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToNotBeNull("a");
 * const state = evaluatePartition([{ a: null }], suite, "COMPLETE");
 * assert.deepEqual(finalizeValidation(state, suite, { resultFormat: "COMPLETE" }).results[0]?.result.unexpected_index_list, [0]);
 * ```
 */
export interface FinalizeOptions {
  /**
   * The result format the partial states were evaluated with.
   * @default {"SUMMARY"}
   */
  resultFormat?: ResultFormatName | ResultFormatConfig;
  /**
   * Name of the run.
   * @default {null}
   */
  runName?: string | null;
  /**
   * Clock for the timestamps.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * The evaluation parameters the partitions were evaluated with.
   * @default {{}}
   */
  evaluationParameters?: Record<string, unknown>;
  /**
   * The `now()` the partitions were evaluated with (milliseconds).
   * @default {the clock's now}
   */
  now?: number;
}

/**
 * Turns a merged partial state into GE's validation result. Throws
 * {@linkcode QualityError} when a partition met a row that is not an object.
 *
 * @example Finalize one partition
 * ```ts
 * import { evaluatePartition, ExpectationSuite, finalizeValidation } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToNotBeNull("a");
 * assert.deepEqual(finalizeValidation(evaluatePartition([{ a: 1 }], suite), suite).success, true);
 * ```
 */
export function finalizeValidation(
  state: PartialState,
  suite: ExpectationSuite | ExpectationSuiteJson | ExpectationSuiteV1Json,
  options: FinalizeOptions = {},
): ValidationResult {
  const s = toSuite(suite);
  const ctx = contextOf(
    options.evaluationParameters,
    options.now ?? (options.clock ?? systemClock).now(),
  );
  const plan = compilePlan(
    s.name,
    s.expectations,
    parseFormat(options.resultFormat),
    ctx,
  );
  if (state.badRow) throw badRowError(state.badRow);
  if (
    !Array.isArray(state.states) || state.states.length !== plan.entries.length
  ) {
    throw new QualityError(
      `Partial state does not match suite "${s.name}": ${state.states?.length} states for ${plan.entries.length} expectations`,
    );
  }
  const time = new Date((options.clock ?? systemClock).now()).toISOString();
  return finalize(plan, state, {
    runName: options.runName ?? null,
    runTime: time,
    validationTime: time,
    batchKind: "partitions",
    parameters: ctx.parameters,
  });
}

export type { PartialState };
