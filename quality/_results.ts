// Finalising: a merged state turned into GE's result fields for each
// expectation's result format, and the validation result around them.

import { describeValue, QualityError } from "./errors.ts";
import {
  bootstrappedKsTest,
  chiSquareTest,
  parameterizedKsTest,
} from "./_distributional.ts";
import { cramersPhi } from "./_cramers_phi.ts";
import { klDivergence } from "./_kl_divergence.ts";
import { valueOf } from "./_exact_sum.ts";
import {
  type INTERPOLATIONS,
  modes,
  pandasMean,
  pandasStdev,
  quantileOf,
} from "./_statistics.ts";
import { dtypeMatches, dtypeName, isObjectName } from "./_dtype.ts";
import { keyOf, totalOrder } from "./_values.ts";
import type {
  ExpectationResultDetails,
  ExpectationValidationResult,
  UnexpectedCount,
  ValidationResult,
} from "./types.ts";
import {
  type Entry,
  type Format,
  type Plan,
  TYPE_EXPECTATIONS,
} from "./_plan.ts";
import {
  type AggState,
  compoundValue,
  type ErrorState,
  errorState,
  type ExpState,
  type PartialState,
  valueFromKey,
  type ValuesState,
} from "./_state.ts";

// ---------------------------------------------------------------- finalize

const NO_EXCEPTION = {
  raised_exception: false,
  exception_message: null,
  exception_traceback: null,
};

function countValues(list: unknown[], limit: number): UnexpectedCount[] {
  const counts = new Map<unknown, UnexpectedCount>();
  for (const raw of list) {
    const value = isRecord(raw) ? Object.values(raw) : raw;
    const key = keyOf(value);
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { value, count: 1 });
  }
  const top = [...counts.values()].sort((a, b) => b.count - a.count).slice(
    0,
    limit,
  );
  return top.sort((a, b) => b.count - a.count || totalOrder(a.value, b.value));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !(v instanceof Date);
}

function mostlyOk(
  considered: number,
  unexpected: number,
  mostly: unknown,
): boolean {
  if (considered === 0) return true;
  if (typeof mostly !== "number") return unexpected === 0;
  const ratio = (considered - unexpected) / considered;
  return ratio >= mostly || Math.abs(ratio - mostly) <= 1e-12;
}

/** The outcome of a map expectation from its counts and sampled values. */
function mapOutcome(
  s: {
    element: number;
    missing: number;
    unexpected: number;
    vals: unknown[];
    idx: number[];
  },
  format: Format,
  mostly: unknown,
): Outcome {
  const nonnull = s.element - s.missing;
  return {
    success: mostlyOk(nonnull, s.unexpected, mostly),
    result: mapResult(format, s.element, nonnull, s.unexpected, s.vals, s.idx),
  };
}

function mapResult(
  format: Format,
  element: number,
  nonnull: number | null,
  unexpected: number,
  vals: unknown[],
  idx: number[],
): ExpectationResultDetails {
  if (format.name === "BOOLEAN_ONLY") return {};
  const missing = nonnull === null ? null : element - nonnull;
  let total: number | null = null,
    nonmissing: number | null = null,
    missingPct: number | null = null;
  if (element > 0) {
    total = unexpected / element * 100;
    if (nonnull !== null) {
      missingPct = missing! / element * 100;
      nonmissing = nonnull > 0 ? unexpected / nonnull * 100 : null;
    } else nonmissing = total;
  }
  const partial = format.partialCount;
  const r: ExpectationResultDetails = {
    element_count: element,
    unexpected_count: unexpected,
    unexpected_percent: nonmissing,
    partial_unexpected_list: vals.slice(0, partial),
  };
  if (nonnull !== null) {
    r.missing_count = missing;
    r.missing_percent = missingPct;
    r.unexpected_percent_total = total;
    r.unexpected_percent_nonmissing = nonmissing;
  }
  if (format.name === "BASIC") return r;
  if (partial > 0) {
    r.partial_unexpected_index_list = idx.slice(0, partial);
    r.partial_unexpected_counts = countValues(vals, partial);
  }
  if (format.name === "SUMMARY") return r;
  r.unexpected_list = vals;
  r.unexpected_index_list = idx;
  return r;
}

/**
 * GE on pandas checks a column of a numpy dtype as a whole and reports the
 * dtype; an object column value by value (null here), unless the type asked
 * for is object itself.
 */
function typeOfColumn(
  entry: Entry,
  kinds: number,
): { success: boolean; observed: string } | null {
  const kw = entry.config.kwargs;
  const names = entry.spec.type === "expect_column_values_to_be_of_type"
    ? [kw.type_ as string]
    : (kw.type_list ?? null) as string[] | null;
  const dtype = dtypeName(kinds);
  if (dtype === "object_" && !(names === null || names.some(isObjectName))) {
    return null;
  }
  return {
    success: names === null || names.some((n) => dtypeMatches(dtype, n)),
    observed: dtype,
  };
}

function missingColumn(columns: string[]): ErrorState {
  return errorState(
    new QualityError(
      `Column does not exist in the data: ${
        columns.map((c) => JSON.stringify(c)).join(", ")
      }`,
    ),
  );
}

/** The counts GE's column aggregates report beside the observed value. */
function aggregateCounts(s: AggState): ExpectationResultDetails {
  const missing = s.element - s.n;
  return {
    element_count: s.element,
    missing_count: missing,
    missing_percent: s.element > 0 ? missing * 100 / s.element : null,
  };
}

interface Outcome {
  success: boolean;
  result: ExpectationResultDetails;
  error?: ErrorState;
}

function finalizeOne(
  entry: Entry,
  raw: ExpState,
  total: PartialState,
  meta: FinalizeMeta,
): Outcome {
  const format = entry.format;
  const kw = entry.config.kwargs;
  const mostly = kw.mostly;
  if (raw.k === "error") return { success: false, result: {}, error: raw };
  const s = raw;
  switch (s.k) {
    case "map": {
      if (!s.seen && total.rows > 0) {
        return {
          success: false,
          result: {},
          error: missingColumn([entry.column]),
        };
      }
      if (entry.spec.kind === "null_map") {
        return {
          success: mostlyOk(s.element, s.unexpected, mostly),
          result: mapResult(
            format,
            s.element,
            null,
            s.unexpected,
            s.vals,
            s.idx,
          ),
        };
      }
      if (TYPE_EXPECTATIONS.includes(entry.spec.type)) {
        const whole = typeOfColumn(entry, s.kinds);
        if (whole !== null) {
          return {
            success: whole.success,
            result: format.name === "BOOLEAN_ONLY"
              ? {}
              : { observed_value: whole.observed },
          };
        }
      }
      return mapOutcome(s, format, mostly);
    }
    case "order": {
      if (!s.seen && total.rows > 0) {
        return {
          success: false,
          result: {},
          error: missingColumn([entry.column]),
        };
      }
      return mapOutcome(s, format, mostly);
    }
    case "pair": {
      const absent = entry.columns.filter((_, c) => !s.seen[c]);
      if (absent.length > 0 && total.rows > 0) {
        return { success: false, result: {}, error: missingColumn(absent) };
      }
      return mapOutcome(s, format, mostly);
    }
    case "unique": {
      const names = entry.spec.kind === "unique"
        ? [entry.column]
        : entry.columns;
      const absent = names.filter((_, c) => !s.seen[c]);
      if (absent.length > 0 && total.rows > 0) {
        return { success: false, result: {}, error: missingColumn(absent) };
      }
      let unexpected = 0;
      const pairs: [number, unknown][] = [];
      for (const [key, value] of s.map) {
        if (typeof value === "number") continue;
        unexpected += value.n;
        const v = entry.spec.kind === "unique"
          ? valueFromKey(key)
          : compoundValue(key, entry.columns);
        for (const i of value.idx) pairs.push([i, v]);
      }
      pairs.sort((a, b) => a[0] - b[0]);
      const kept = pairs.slice(0, entry.cap);
      const nonnull = s.element - s.missing;
      return {
        success: mostlyOk(nonnull, unexpected, mostly),
        result: mapResult(
          format,
          s.element,
          nonnull,
          unexpected,
          kept.map((p) => p[1]),
          kept.map((p) => p[0]),
        ),
      };
    }
    case "agg": {
      if (!s.seen && total.rows > 0) {
        return {
          success: false,
          result: {},
          error: missingColumn([entry.column]),
        };
      }
      let observed: unknown = null;
      switch (s.metric) {
        case "mean":
          observed = s.n > 0 ? valueOf(s.sx) / s.n : null;
          break;
        case "sum":
          observed = valueOf(s.sx);
          break;
        case "stdev":
          observed = pandasStdev(s.values);
          break;
        case "median": {
          const xs = Float64Array.from(s.values).sort();
          const n = xs.length;
          observed = n === 0
            ? null
            : n % 2 === 1
            ? xs[(n - 1) / 2]!
            : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
          break;
        }
        case "min":
        case "max":
          observed = s.best;
          break;
        case "unique_value_count":
          observed = s.set.size;
          break;
        case "unique_proportion":
          observed = s.n > 0 ? s.set.size / s.n : 0;
          break;
        default: { // distinct_*: sorted distinct values and their counts, as GE reports them
          const counts = [...s.counts].map(([k, count]) => ({
            value: valueFromKey(k),
            count,
          }))
            .sort((a, b) => totalOrder(a.value, b.value));
          const values = counts.map((c) => c.value);
          return {
            success: entry.between!(values),
            result: format.name === "BOOLEAN_ONLY" ? {} : {
              observed_value: values,
              details: { value_counts: counts },
              ...aggregateCounts(s),
            },
          };
        }
      }
      const success = observed !== null &&
        !(typeof observed === "number" && Number.isNaN(observed)) &&
        entry.between!(observed);
      return {
        success,
        result: format.name === "BOOLEAN_ONLY"
          ? {}
          : { observed_value: observed, ...aggregateCounts(s) },
      };
    }
    case "rowmap": {
      const absent = entry.columns.filter((_, c) => !s.seen[c]);
      if (absent.length > 0 && total.rows > 0) {
        return { success: false, result: {}, error: missingColumn(absent) };
      }
      return mapOutcome(s, format, mostly);
    }
    case "values": {
      if (!s.seen && total.rows > 0) {
        return {
          success: false,
          result: {},
          error: missingColumn(
            entry.columns.length === 2 ? entry.columns : [entry.column],
          ),
        };
      }
      return finalizeValues(entry, s, format);
    }
    case "table":
      return finalizeTable(entry, total, format, meta);
  }
}

function numbersOf(entry: Entry, vals: unknown[]): Float64Array {
  const xs = new Float64Array(vals.length);
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    const n = typeof v === "boolean" ? +v : v;
    if (typeof n !== "number") {
      throw new QualityError(
        `Column "${entry.column}" has a non-numeric value for ${entry.spec.type}: ${
          describeValue(v)
        }`,
      );
    }
    xs[i] = n;
  }
  return xs;
}

function finalizeValues(
  entry: Entry,
  s: ValuesState,
  format: Format,
): Outcome {
  const kw = entry.config.kwargs;
  const counts: ExpectationResultDetails = {
    element_count: s.element,
    missing_count: s.missing,
    missing_percent: s.element > 0 ? s.missing * 100 / s.element : null,
  };
  const brief = (r: ExpectationResultDetails) =>
    format.name === "BOOLEAN_ONLY" ? {} : r;
  switch (entry.spec.type) {
    case "expect_column_most_common_value_to_be_in_set": {
      const mode = modes(s.vals, (v) => typeof v === "object" ? keyOf(v) : v);
      const want = new Set(((kw.value_set ?? []) as unknown[]).map(keyOf));
      const hits = mode.filter((v) => want.has(keyOf(v))).length;
      const success = kw.ties_okay === true
        ? hits > 0
        : mode.length === 1 && hits === 1;
      return { success, result: brief({ observed_value: mode, ...counts }) };
    }
    case "expect_column_quantile_values_to_be_between": {
      const qr = kw.quantile_ranges as {
        quantiles: number[];
        value_ranges: (number | null)[][];
      };
      const sorted = numbersOf(entry, s.vals).sort();
      const how =
        (typeof kw.allow_relative_error === "string"
          ? kw.allow_relative_error
          : "nearest") as typeof INTERPOLATIONS[number];
      const values = qr.quantiles.map((q) => quantileOf(sorted, q, how));
      const close = (a: number, b: number) =>
        Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b));
      const details = values.map((v, i) => {
        const lo = qr.value_ranges[i]![0] ?? -Infinity;
        const hi = qr.value_ranges[i]![1] ?? Infinity;
        return v !== null &&
          (close(v, lo) || close(v, hi) || (lo <= v && v <= hi));
      });
      return {
        success: details.every(Boolean),
        result: brief({
          observed_value: { quantiles: qr.quantiles, values },
          details: { success_details: details },
          ...counts,
        }),
      };
    }
    case "expect_column_kl_divergence_to_be_less_than": {
      const { success, result } = klDivergence(kw, s.vals);
      return { success, result: brief({ ...result, ...counts }) };
    }
    case "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than":
    case "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than":
    case "expect_column_chisquare_test_p_value_to_be_greater_than": {
      const test = entry.spec.type.includes("parameterized")
        ? parameterizedKsTest
        : entry.spec.type.includes("bootstrapped")
        ? bootstrappedKsTest
        : chiSquareTest;
      const { success, result } = test(kw, s.vals);
      return { success, result: brief({ ...result, ...counts }) };
    }
    case "expect_column_pair_cramers_phi_value_to_be_less_than": {
      const { success, result } = cramersPhi(
        kw,
        s.vals as [unknown, unknown][],
      );
      return { success, result: brief({ ...result, ...counts }) };
    }
    default: { // z-scores: a map expectation over (v - mean) / std
      const xs = numbersOf(entry, s.vals);
      const mean = pandasMean(xs) ?? NaN, std = pandasStdev(xs) ?? NaN;
      const threshold = kw.threshold as number;
      const vals: unknown[] = [], idx: number[] = [];
      let unexpected = 0;
      for (let i = 0; i < xs.length; i++) {
        const z = (xs[i]! - mean) / std;
        const ok = kw.double_sided === true
          ? Math.abs(z) < Math.abs(threshold)
          : z < threshold;
        if (!ok) {
          unexpected++;
          if (vals.length < entry.cap) {
            vals.push(s.vals[i]);
            idx.push(s.idx[i]!);
          }
        }
      }
      const nonnull = s.element - s.missing;
      return {
        success: mostlyOk(nonnull, unexpected, kw.mostly),
        result: mapResult(format, s.element, nonnull, unexpected, vals, idx),
      };
    }
  }
}

function finalizeTable(
  entry: Entry,
  total: PartialState,
  format: Format,
  meta: FinalizeMeta,
): Outcome {
  const kw = entry.config.kwargs;
  const columns = total.columns ?? [];
  let success = false;
  let result: ExpectationResultDetails = {};
  switch (entry.spec.type) {
    case "expect_table_row_count_to_be_between":
      success = entry.between!(total.rows);
      result = { observed_value: total.rows };
      break;
    case "expect_table_row_count_to_equal":
      success = total.rows === kw.value;
      result = { observed_value: total.rows };
      break;
    case "expect_table_column_count_to_equal":
      success = columns.length === kw.value;
      result = { observed_value: columns.length };
      break;
    case "expect_table_column_count_to_be_between":
      success = entry.between!(columns.length);
      result = { observed_value: columns.length };
      break;
    case "expect_table_columns_to_match_ordered_list": {
      if (kw.column_list === null) { // GE: no list, no constraint
        success = true;
        result = { observed_value: [...columns] };
        break;
      }
      const want = kw.column_list as string[];
      const mismatched: Record<string, unknown>[] = [];
      for (let i = 0; i < Math.max(want.length, columns.length); i++) {
        if (want[i] !== columns[i]) {
          mismatched.push({
            "Expected Column Position": i,
            "Expected": want[i] ?? null,
            "Found": columns[i] ?? null,
          });
        }
      }
      success = mismatched.length === 0;
      result = { observed_value: [...columns] };
      if (!success) result.details = { mismatched };
      break;
    }
    case "expect_table_columns_to_match_set": {
      if (kw.column_set === null) { // GE: no set matches only when not exact
        success = kw.exact_match === false;
        result = { observed_value: [...columns] };
        break;
      }
      const want = new Set(kw.column_set as string[]);
      const have = new Set(columns);
      const unexpected = columns.filter((c) => !want.has(c)).sort();
      const missing = [...want].filter((c) => !have.has(c)).sort();
      const exact = kw.exact_match !== false;
      success = missing.length === 0 && (!exact || unexpected.length === 0);
      result = { observed_value: [...columns] };
      if (unexpected.length > 0 || missing.length > 0) {
        const mismatched: Record<string, unknown> = {};
        if (unexpected.length > 0) mismatched.unexpected = unexpected;
        if (missing.length > 0) mismatched.missing = missing;
        result.details = { mismatched };
      }
      break;
    }
    case "expect_table_row_count_to_equal_other_table": {
      const name = kw.other_table_name as string;
      const other = meta.tableRowCounts?.[name];
      if (other === undefined) {
        throw new QualityError(
          `Other table ${
            JSON.stringify(name)
          } was not given (validate's otherTables option)`,
        );
      }
      success = total.rows === other;
      result = { observed_value: { self: total.rows, other } };
      break;
    }
    case "expect_column_to_exist": {
      const at = columns.indexOf(kw.column as string);
      success = at >= 0 &&
        (kw.column_index === undefined || kw.column_index === null ||
          kw.column_index === at);
      result = {};
      break;
    }
  }
  return { success, result: format.name === "BOOLEAN_ONLY" ? {} : result };
}

/** Meta the caller supplies for the result. */
export interface FinalizeMeta {
  runName: string | null;
  runTime: string;
  validationTime: string;
  batchKind: string;
  /** The evaluation parameters of the run. */
  parameters?: Record<string, unknown>;
  /** Row counts of the other tables named by `other_table_name`. */
  tableRowCounts?: Record<string, number>;
}

/** Turns a merged state into GE's validation result. */
export function finalize(
  plan: Plan,
  state: PartialState,
  meta: FinalizeMeta,
): ValidationResult {
  const results: ExpectationValidationResult[] = plan.entries.map(
    (entry, j) => {
      let outcome: Outcome;
      try {
        outcome = finalizeOne(entry, state.states[j] as ExpState, state, meta);
      } catch (error) {
        outcome = { success: false, result: {}, error: errorState(error) };
      }
      return {
        success: outcome.success,
        expectation_config: structuredClone(entry.config),
        result: outcome.result,
        meta: {},
        exception_info: outcome.error
          ? {
            raised_exception: true,
            exception_message: outcome.error.message,
            exception_traceback: outcome.error.traceback,
          }
          : { ...NO_EXCEPTION },
      };
    },
  );
  const ok = results.filter((r) => r.success).length;
  return {
    success: ok === results.length,
    statistics: {
      evaluated_expectations: results.length,
      successful_expectations: ok,
      unsuccessful_expectations: results.length - ok,
      success_percent: results.length > 0 ? ok / results.length * 100 : null,
    },
    results,
    meta: {
      expectation_suite_name: plan.suiteName,
      run_id: { run_name: meta.runName, run_time: meta.runTime },
      validation_time: meta.validationTime,
      result_format: plan.format.name,
      batch_kind: meta.batchKind,
    },
    evaluation_parameters: structuredClone(meta.parameters ?? {}),
  };
}
