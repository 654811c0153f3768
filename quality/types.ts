/**
 * The JSON shapes the quality module reads and writes: expectation
 * configurations, suites in Great Expectations' format, and validation results
 * with GE's field names.
 *
 * @module
 */

/**
 * One expectation as GE stores it: its type, its kwargs and free-form meta.
 *
 * @example A null check on the `mag` column
 * ```ts
 * import type { ExpectationConfiguration } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const config: ExpectationConfiguration = {
 *   expectation_type: "expect_column_values_to_not_be_null",
 *   kwargs: { column: "mag", mostly: 0.99 },
 *   meta: {},
 * };
 * assert.deepEqual(config.kwargs.column, "mag");
 * ```
 */
export interface ExpectationConfiguration {
  /** GE's expectation name, e.g. `expect_column_values_to_be_between`. */
  expectation_type: string;
  /** GE's kwargs for that expectation (`column`, `min_value`, `mostly`, ...). */
  kwargs: Record<string, unknown>;
  /** Free-form metadata, passed through to the result untouched. */
  meta: Record<string, unknown>;
}

/**
 * A suite in GE 0.x's JSON format (what {@linkcode ExpectationSuite.toJSON}
 * writes).
 *
 * @example The smallest suite
 * ```ts
 * import type { ExpectationSuiteJson } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const json: ExpectationSuiteJson = {
 *   expectation_suite_name: "empty",
 *   expectations: [],
 *   meta: {},
 *   data_asset_type: null,
 * };
 * assert.deepEqual(json.expectations.length, 0);
 * ```
 */
export interface ExpectationSuiteJson {
  /** The suite's name. */
  expectation_suite_name: string;
  /** The expectations, in order. */
  expectations: ExpectationConfiguration[];
  /** Suite metadata. */
  meta: Record<string, unknown>;
  /** GE's data asset type; always `null` here. */
  data_asset_type: null;
}

/**
 * A suite in GX 1.x's JSON format (`name`, `expectations[{ type, kwargs }]`),
 * accepted by {@linkcode ExpectationSuite.fromJSON} and written by
 * {@linkcode ExpectationSuite.toV1JSON}.
 *
 * @example A 1.x suite
 * ```ts
 * import type { ExpectationSuiteV1Json } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const json: ExpectationSuiteV1Json = {
 *   name: "events",
 *   expectations: [{ type: "expect_column_to_exist", kwargs: { column: "id" }, meta: {} }],
 *   meta: {},
 * };
 * assert.equal(json.expectations[0]?.type, "expect_column_to_exist");
 * ```
 */
export interface ExpectationSuiteV1Json {
  /** The suite's name. */
  name: string;
  /** The expectations, in order. */
  expectations: {
    type: string;
    kwargs: Record<string, unknown>;
    meta: Record<string, unknown>;
  }[];
  /** Suite metadata. */
  meta: Record<string, unknown>;
}

/**
 * How much detail each expectation result carries, as in GE:
 * `BOOLEAN_ONLY` (just `success`), `BASIC` (counts and up to 20 unexpected
 * values), `SUMMARY` (adds `partial_unexpected_counts` and indices) and
 * `COMPLETE` (adds every unexpected value and index).
 *
 * @example Pick a format
 * ```ts
 * import type { ResultFormatName } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const format: ResultFormatName = "COMPLETE";
 * assert.equal(format, "COMPLETE");
 * ```
 */
export type ResultFormatName =
  | "BOOLEAN_ONLY"
  | "BASIC"
  | "SUMMARY"
  | "COMPLETE";

/**
 * GE's dictionary form of a result format.
 *
 * @example Ten partial values instead of twenty
 * ```ts
 * import type { ResultFormatConfig } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const format: ResultFormatConfig = { result_format: "SUMMARY", partial_unexpected_count: 10 };
 * assert.deepEqual(format.partial_unexpected_count, 10);
 * ```
 */
export interface ResultFormatConfig {
  /** The level of detail. */
  result_format: ResultFormatName;
  /**
   * How many unexpected values the partial lists and counts keep.
   * @default {20}
   */
  partial_unexpected_count?: number;
}

/**
 * Whether an expectation raised while it was evaluated, with the message and
 * stack trace when it did.
 *
 * @example The shape of a clean run
 * ```ts
 * import type { ExceptionInfo } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const info: ExceptionInfo = {
 *   raised_exception: false,
 *   exception_message: null,
 *   exception_traceback: null,
 * };
 * assert.deepEqual(info.raised_exception, false);
 * ```
 */
export interface ExceptionInfo {
  /** True when the expectation threw; it then counts as failed. */
  raised_exception: boolean;
  /** The error message, or null. */
  exception_message: string | null;
  /** The error's stack trace, or null. */
  exception_traceback: string | null;
}

/**
 * One `partial_unexpected_counts` entry: an unexpected value and how often it
 * occurred.
 *
 * @example An entry
 * ```ts
 * import type { UnexpectedCount } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const entry: UnexpectedCount = { value: "quarry blast", count: 3 };
 * assert.deepEqual(entry.count, 3);
 * ```
 */
export interface UnexpectedCount {
  /** The unexpected value (an array of values for compound columns). */
  value: unknown;
  /** How many times it occurred. */
  count: number;
}

/**
 * The `result` object of one expectation; which fields appear depends on the
 * expectation's kind and on the result format, exactly as in GE.
 *
 * @example Read the counts of a map expectation
 * ```ts
 * import type { ExpectationResultDetails } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result: ExpectationResultDetails = {
 *   element_count: 3,
 *   unexpected_count: 1,
 *   unexpected_percent: 50,
 *   partial_unexpected_list: [11],
 *   missing_count: 1,
 *   missing_percent: 100 / 3,
 *   unexpected_percent_total: 100 / 3,
 *   unexpected_percent_nonmissing: 50,
 * };
 * assert.deepEqual(result.unexpected_count, 1);
 * ```
 */
export interface ExpectationResultDetails {
  /** Rows in the expectation's domain (after a row condition). */
  element_count?: number;
  /** Rows whose value is null, undefined or NaN. */
  missing_count?: number | null;
  /** `missing_count` as a percentage of `element_count`. */
  missing_percent?: number | null;
  /** Non-missing values that failed the check. */
  unexpected_count?: number;
  /** `unexpected_count` as a percentage of the non-missing values. */
  unexpected_percent?: number | null;
  /** `unexpected_count` as a percentage of all rows. */
  unexpected_percent_total?: number | null;
  /** `unexpected_count` as a percentage of the non-missing values. */
  unexpected_percent_nonmissing?: number | null;
  /** The first unexpected values (at most `partial_unexpected_count`). */
  partial_unexpected_list?: unknown[];
  /** Row indices of `partial_unexpected_list`. */
  partial_unexpected_index_list?: number[] | null;
  /** The most common unexpected values with their counts. */
  partial_unexpected_counts?: UnexpectedCount[];
  /** Every unexpected value (COMPLETE only). */
  unexpected_list?: unknown[];
  /** Every unexpected row index (COMPLETE only). */
  unexpected_index_list?: number[] | null;
  /** The measured value of an aggregate or table expectation. */
  observed_value?: unknown;
  /** Extra detail, e.g. mismatched columns. */
  details?: Record<string, unknown>;
}

/**
 * The result of one expectation, as GE's `ExpectationValidationResult`.
 *
 * @example Check one result
 * ```ts
 * import { ExpectationSuite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToNotBeNull("a");
 * const { results } = await validate([{ a: 1 }], suite);
 * assert.deepEqual(results[0]?.success, true);
 * ```
 */
export interface ExpectationValidationResult {
  /** Whether the expectation held. */
  success: boolean;
  /** The expectation that was evaluated, meta included. */
  expectation_config: ExpectationConfiguration;
  /** Counts, samples and observed values. */
  result: ExpectationResultDetails;
  /** Result metadata (empty). */
  meta: Record<string, unknown>;
  /** Whether the expectation threw. */
  exception_info: ExceptionInfo;
}

/**
 * Suite-level counts, as GE reports them.
 *
 * @example Read the success percentage
 * ```ts
 * import { ExpectationSuite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToNotBeNull("a");
 * const { statistics } = await validate([{ a: null }], suite);
 * assert.deepEqual(statistics.success_percent, 0);
 * ```
 */
export interface ValidationStatistics {
  /** Expectations evaluated (including ones that threw). */
  evaluated_expectations: number;
  /** Expectations that held. */
  successful_expectations: number;
  /** Expectations that failed or threw. */
  unsuccessful_expectations: number;
  /** `successful / evaluated * 100`, or null for an empty suite. */
  success_percent: number | null;
}

/**
 * Run metadata of a validation.
 *
 * @example Read the suite name
 * ```ts
 * import { ExpectationSuite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result = await validate([], new ExpectationSuite("nightly"));
 * assert.deepEqual(result.meta.expectation_suite_name, "nightly");
 * ```
 */
export interface ValidationMeta {
  /** The suite that was run. */
  expectation_suite_name: string;
  /** The run's name and start time (ISO 8601). */
  run_id: { run_name: string | null; run_time: string };
  /** When the validation finished (ISO 8601). */
  validation_time: string;
  /** The result format used. */
  result_format: ResultFormatName;
  /** The kind of input: `array`, `iterable`, `async_iterable` or `rdd`. */
  batch_kind: string;
}

/**
 * The result of validating data against a suite, as GE's
 * `ExpectationSuiteValidationResult`.
 *
 * @example Overall success
 * ```ts
 * import { ExpectationSuite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectTableRowCountToBeBetween({ minValue: 1 });
 * const result = await validate([{ a: 1 }], suite);
 * assert.deepEqual(result.success, true);
 * assert.deepEqual(result.statistics.evaluated_expectations, 1);
 * ```
 */
export interface ValidationResult {
  /** True when every expectation held. */
  success: boolean;
  /** Suite-level counts. */
  statistics: ValidationStatistics;
  /** One result per expectation, in suite order. */
  results: ExpectationValidationResult[];
  /** Run metadata. */
  meta: ValidationMeta;
  /** GE's evaluation parameters (always empty here). */
  evaluation_parameters: Record<string, unknown>;
}
