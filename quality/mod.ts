/**
 * Data quality: Great Expectations-style suites and a one-pass validation
 * engine. Expectations carry GE's names and kwargs (`mostly`, `row_condition`,
 * `meta`), suites load and save GE's JSON, and {@linkcode validate} returns
 * GE's result shape for arrays, iterables, async iterables and spark RDDs.
 *
 * @example Validate, then render Data Docs
 * ```ts
 * import { ExpectationSuite, renderDataDocs, validate } from "./mod.ts";
 * const suite = new ExpectationSuite("events")
 *   .expectColumnValuesToNotBeNull("mag", { mostly: 0.6 })
 *   .expectColumnValuesToBeBetween("mag", { minValue: -1, maxValue: 10 })
 *   .expectColumnValuesToBeUnique("id");
 * const rows = [{ id: "a", mag: 1.5 }, { id: "b", mag: 12 }, { id: "b", mag: null }];
 * const result = await validate(rows, suite, { resultFormat: "SUMMARY" });
 * console.log(result.statistics.success_percent); // 33.33… (only the null check holds)
 * console.log(renderDataDocs(result).length > 0); // true
 * ```
 *
 * ## How it works
 *
 * A suite compiles into a plan: each expectation becomes a small state (counts,
 * the first 20 unexpected values with their row indices, exact sums, a value
 * map for uniqueness) and a block of code. The blocks are generated into one
 * JavaScript loop (`new Function`) with every column name a literal property
 * read, so a single pass over the rows feeds all expectations at close to
 * hand-written speed. States are plain objects: a partition's state is
 * structured-cloned back from a spark worker and merged in row order (counts
 * add, samples concatenate with shifted indices, the increasing check looks at
 * the pair across the boundary, exact sums merge without rounding), so array,
 * stream and RDD inputs give identical results. Finalising turns the merged
 * state into GE's result fields for the requested result format.
 *
 * ```
 * rows ─► [compiled loop: e0 e1 … en] ─► PartialState ─┐
 * rows ─► [compiled loop: e0 e1 … en] ─► PartialState ─┼─► merge ─► finalize ─► GE result ─► Data Docs
 *        (one per partition / worker)                  ┘
 * ```
 *
 * Memory: map expectations keep counts and at most `partial_unexpected_count`
 * samples (all of them for COMPLETE), so a stream is checked in constant
 * memory. Uniqueness keeps one map entry per distinct value; median keeps every
 * non-null number; unique-value count and proportion keep the distinct set.
 *
 * Files: `expectation_suite.ts` (suite, typed helpers, GE JSON),
 * `validate.ts` (inputs, RDD path, the one `evaluatePartition`), `_engine.ts`
 * (plan, compiled loop, merge, GE result fields), `_registry.ts` (known types
 * and kwargs), `_values.ts` (nulls, comparisons, type names, Python regexes
 * and their backtracking check), `_dtype.ts` (pandas dtypes for the type
 * expectations), `_statistics.ts` (numpy sums, pandas std and quantiles,
 * modes, chi-square), `_evaluation_parameters.ts` (`$PARAMETER` kwargs),
 * `_exact_sum.ts` (exact sums), `_row_condition.ts`, `_strftime.ts`,
 * `_partition_eval.ts` (the module spark workers load), `checkpoint.ts`,
 * `data_docs.ts` (one result's page), `data_docs_site.ts` (the site of a
 * results folder, static or served by `qualityDocsHandler`), `_html.ts`
 * (escaping), `profile.ts` (a suite from data), `cli.ts` (`deno task
 * quality`), `_read_rows.ts` (CSV, JSON and NDJSON files for the CLI),
 * `types.ts` (GE's JSON shapes), `errors.ts`.
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
export { QualityError, type QualityErrorOptions } from "./errors.ts";
export type {
  ExceptionInfo,
  ExpectationConfiguration,
  ExpectationResultDetails,
  ExpectationSuiteJson,
  ExpectationSuiteV1Json,
  ExpectationValidationResult,
  ResultFormatConfig,
  ResultFormatName,
  UnexpectedCount,
  ValidationMeta,
  ValidationResult,
  ValidationStatistics,
} from "./types.ts";
export {
  type BetweenOptions,
  type Bound,
  type ColumnSetOptions,
  type ColumnToExistOptions,
  type CompoundUniqueOptions,
  type ExpectationOptions,
  ExpectationSuite,
  expectationTypes,
  type MapBetweenOptions,
  type MapOptions,
  type OrderOptions,
  type PairOptions,
  type RegexListOptions,
} from "./expectation_suite.ts";
export {
  type DataSource,
  evaluatePartition,
  type FinalizeOptions,
  finalizeValidation,
  mergePartialStates,
  type PartialState,
  type PartitionEnv,
  type PartitionOptions,
  type RddLike,
  validate,
  type ValidateOptions,
} from "./validate.ts";
export {
  Checkpoint,
  type CheckpointAction,
  type CheckpointOptions,
  type CheckpointResult,
} from "./checkpoint.ts";
export { type DataDocsOptions, renderDataDocs } from "./data_docs.ts";
export { profile, type ProfileOptions } from "./profile.ts";
export {
  type DataDocsIndexEntry,
  type DataDocsSiteOptions,
  listValidationResults,
  qualityDocsHandler,
  type QualityDocsOptions,
  readValidationResult,
  renderDataDocsSite,
} from "./data_docs_site.ts";
