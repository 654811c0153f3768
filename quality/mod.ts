/**
 * Data quality: Great Expectations-style suites and a one-pass validation
 * engine. Expectations carry GE's names and kwargs (`mostly`, `row_condition`,
 * `meta`), suites load and save GE's JSON, and {@linkcode validate} returns
 * GE's result shape for arrays, iterables, async iterables and spark RDDs.
 *
 * @example Validate, then render Data Docs
 * ```ts
 * import { ExpectationSuite, renderDataDocs, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("events")
 *   .expectColumnValuesToNotBeNull("mag", { mostly: 0.6 })
 *   .expectColumnValuesToBeBetween("mag", { minValue: -1, maxValue: 10 })
 *   .expectColumnValuesToBeUnique("id");
 * const rows = [{ id: "a", mag: 1.5 }, { id: "b", mag: 12 }, { id: "b", mag: null }];
 * const result = await validate(rows, suite, { resultFormat: "SUMMARY" });
 * assert.equal(result.statistics.success_percent, 1 / 3 * 100); // only the null check holds
 * assert.ok(renderDataDocs(result).startsWith("<!doctype html>"));
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
 * state into GE's result fields for each expectation's result format. An
 * interpreter runs the same plan one plain step at a time; a property test
 * holds the compiled loop to it on random rows and suites.
 *
 * ```
 * rows ─► [compiled loop: e0 e1 … en] ─► PartialState ─┐
 * rows ─► [compiled loop: e0 e1 … en] ─► PartialState ─┼─► merge ─► finalize ─► GE result ─► Data Docs
 *        (one per partition / worker)                  ┘
 * ```
 *
 * Memory: map expectations keep counts and at most `partial_unexpected_count`
 * samples (all of them for COMPLETE), so a stream is checked in constant
 * memory. Uniqueness keeps one map entry per distinct value; median and stdev
 * keep every non-null number (stdev is pandas' two-pass result, to the last
 * bit); unique-value count and proportion keep the distinct set; most common
 * value, quantiles, z-scores, KL divergence and the KS and chi-square tests
 * keep every non-null value with its row index; Cramér's phi keeps every
 * row's pair of values.
 * All of them merge across spark partitions (values concatenate in row order);
 * the statistics of the KS and chi-square tests themselves do not merge, so
 * they are computed once over the concatenated values.
 *
 * Files: `expectation_suite.ts` (suite, typed helpers, GE JSON),
 * `validate.ts` (inputs, RDD path, the one `evaluatePartition`), `_plan.ts`
 * (a suite compiled: resolved kwargs, tests, result formats), `_state.ts` (the
 * state kinds, their steps, the merge), `_loop.ts` (the compiled loop, one
 * emitter per state kind), `_interpreter.ts` (the reference evaluator of the
 * same plan), `_results.ts` (GE result fields), `_registry.ts` (known types
 * and kwargs), `_values.ts` (nulls, comparisons, type names, Python regexes
 * and their backtracking check), `_dtype.ts` (pandas dtypes for the type
 * expectations), `_statistics.ts` (numpy sums, pandas std and quantiles,
 * modes), `_kl_divergence.ts` (KL divergence against a partition
 * object), `_distributions.ts` (CDFs, the KS and chi-square p-values),
 * `_distributional.ts` (the KS and chi-square expectations),
 * `_cramers_phi.ts` (Cramér's phi of a column pair),
 * `_evaluation_parameters.ts` (`$PARAMETER` kwargs),
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
  type BootstrappedKsTestOptions,
  type Bound,
  type ChisquareTestOptions,
  type ColumnSetOptions,
  type ColumnToExistOptions,
  type CompoundUniqueOptions,
  type CramersPhiOptions,
  type ExpectationOptions,
  ExpectationSuite,
  expectationTypes,
  type KlDivergenceOptions,
  type KsTestOptions,
  type MapBetweenOptions,
  type MapOptions,
  type MostCommonValueOptions,
  type OrderOptions,
  type PairOptions,
  type QuantileOptions,
  type RegexListOptions,
  type ZScoreOptions,
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
