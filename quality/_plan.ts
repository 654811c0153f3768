// A suite compiled into a plan: each expectation's configuration resolved
// (evaluation parameters), checked, and turned into its tests (map tests,
// bounds, row tests) and result format. Kwarg errors found here become that
// expectation's error state; the others still run.

import { describeValue, QualityError } from "./errors.ts";
import { normalizeConfig, type Spec, specOf } from "./_registry.ts";
import {
  hasParameters,
  type ParameterContext,
  resolveParameters,
} from "./_evaluation_parameters.ts";
import { compileRowCondition, type RowPredicate } from "./_row_condition.ts";
import { compileStrftime } from "./_strftime.ts";
import { INTERPOLATIONS } from "./_statistics.ts";
import { Validator } from "npm:@cfworker/json-schema@4.1.6";
import { valueTypeTest } from "./_dtype.ts";
import {
  isMissing,
  keyOf,
  makeBetween,
  pyLen,
  pyRegex,
  pyStr,
} from "./_values.ts";
import type {
  ExpectationConfiguration,
  ResultFormatConfig,
  ResultFormatName,
} from "./types.ts";
import { type ErrorState, errorState } from "./_state.ts";

/** A parsed result format. */
export interface Format {
  name: ResultFormatName;
  partialCount: number;
}

const FORMATS = ["BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"];

/** Parses GE's result_format (a name or `{ result_format, partial_unexpected_count }`). */
export function parseFormat(format: unknown): Format {
  if (format === undefined || format === null) {
    return { name: "SUMMARY", partialCount: 20 };
  }
  if (typeof format === "string") {
    if (!FORMATS.includes(format)) {
      throw new QualityError(
        `Result format must be one of ${FORMATS.join(", ")}: ${
          describeValue(format)
        }`,
      );
    }
    return { name: format as ResultFormatName, partialCount: 20 };
  }
  if (typeof format === "object" && !Array.isArray(format)) {
    const f = format as Partial<ResultFormatConfig>;
    const name = parseFormat(f.result_format ?? "SUMMARY").name;
    const count = f.partial_unexpected_count ?? 20;
    if (!Number.isInteger(count) || count < 0) {
      throw new QualityError(
        `Kwarg partial_unexpected_count must be a non-negative integer: ${
          describeValue(count)
        }`,
      );
    }
    return { name, partialCount: count };
  }
  throw new QualityError(
    `Result format must be a string or an object: ${describeValue(format)}`,
  );
}

export interface Entry {
  spec: Spec;
  config: ExpectationConfiguration;
  error: ErrorState | null;
  cond: RowPredicate | null;
  column: string;
  columns: string[];
  test: ((v: unknown) => boolean) | null;
  between: ((v: unknown) => boolean) | null;
  /** A JS expression over `v` (and `$T`, the inline value) replacing the test call in compiled loops. */
  inline: string | null;
  inlineValue: unknown;
  /** For rowmap expectations: whether a row's values hold. */
  rowTest: ((values: unknown[]) => boolean) | null;
  /** The result format: the kwarg `result_format`, else the validation's. */
  format: Format;
  /** How many unexpected values the state keeps. */
  cap: number;
}

/** A compiled suite. */
export interface Plan {
  suiteName: string;
  entries: Entry[];
  needsColumns: boolean;
  format: Format;
  cap: number;
}

function mapTest(
  type: string,
  kw: Record<string, unknown>,
): (v: unknown) => boolean {
  switch (type) {
    case "expect_column_values_to_be_between": {
      if (kw.parse_strings_as_datetimes === true) {
        const inRange = makeBetween(
          asDate(kw.min_value) as Date,
          asDate(kw.max_value) as Date,
          kw.strict_min === true,
          kw.strict_max === true,
        );
        return (v) => inRange(asDate(v));
      }
      return makeBetween(
        kw.min_value as number,
        kw.max_value as number,
        kw.strict_min === true,
        kw.strict_max === true,
      );
    }
    case "expect_column_values_to_be_in_set":
    case "expect_column_values_to_not_be_in_set": {
      if (!Array.isArray(kw.value_set)) {
        throw new QualityError(
          `Kwarg value_set must be an array: ${describeValue(kw.value_set)}`,
        );
      }
      const inSet = type === "expect_column_values_to_be_in_set";
      if (kw.parse_strings_as_datetimes === true) {
        const set = new Set(kw.value_set.map((v) => keyOf(asDate(v))));
        return (v) => set.has(keyOf(asDate(v))) === inSet;
      }
      const set = new Set(kw.value_set.map(keyOf));
      return (v) => set.has(typeof v === "object" ? keyOf(v) : v) === inSet;
    }
    case "expect_column_values_to_match_regex":
    case "expect_column_values_to_not_match_regex": {
      const re = pyRegex(kw.regex as string);
      const want = type === "expect_column_values_to_match_regex";
      return (v) => re.test(typeof v === "string" ? v : pyStr(v)) === want;
    }
    case "expect_column_values_to_match_regex_list": {
      const res = (kw.regex_list as string[]).map(pyRegex);
      const all = (kw.match_on ?? "any") === "all";
      if (
        kw.match_on !== undefined && kw.match_on !== "any" &&
        kw.match_on !== "all"
      ) {
        throw new QualityError(
          `Kwarg match_on must be "any" or "all": ${
            describeValue(kw.match_on)
          }`,
        );
      }
      return (v) => {
        const s = pyStr(v);
        return all ? res.every((r) => r.test(s)) : res.some((r) => r.test(s));
      };
    }
    case "expect_column_values_to_not_match_regex_list": {
      const res = (kw.regex_list as string[]).map(pyRegex);
      return (v) => {
        const s = pyStr(v);
        return !res.some((r) => r.test(s));
      };
    }
    case "expect_column_values_to_match_like_pattern":
    case "expect_column_values_to_not_match_like_pattern": {
      const re = likeRegex(kw.like_pattern as string);
      const want = type === "expect_column_values_to_match_like_pattern";
      return (v) => re.test(pyStr(v)) === want;
    }
    case "expect_column_values_to_match_like_pattern_list": {
      const res = (kw.like_pattern_list as string[]).map(likeRegex);
      const all = (kw.match_on ?? "any") === "all";
      return (v) => {
        const s = pyStr(v);
        return all ? res.every((r) => r.test(s)) : res.some((r) => r.test(s));
      };
    }
    case "expect_column_values_to_not_match_like_pattern_list": {
      const res = (kw.like_pattern_list as string[]).map(likeRegex);
      return (v) => {
        const s = pyStr(v);
        return !res.some((r) => r.test(s));
      };
    }
    case "expect_column_values_to_match_json_schema": {
      const validator = new Validator(
        kw.json_schema as Record<string, unknown>,
        "7",
        false,
      );
      return (v) => {
        // GE parses each value as JSON text first (json.loads).
        let doc: unknown = v;
        if (typeof v === "string") {
          try {
            doc = JSON.parse(v);
          } catch {
            return false;
          }
        }
        return validator.validate(doc).valid;
      };
    }
    case "expect_column_values_to_be_of_type": {
      const test = valueTypeTest(kw.type_ as string);
      return test ?? (() => false);
    }
    case "expect_column_values_to_be_in_type_list": {
      if (kw.type_list === null || kw.type_list === undefined) {
        return () => true;
      }
      // Names GE's pandas backend cannot resolve are skipped.
      const tests = (kw.type_list as string[]).map(valueTypeTest).filter((
        t,
      ) => t !== null);
      return (v) => tests.some((t) => t(v));
    }
    case "expect_column_value_lengths_to_be_between": {
      if (
        typeof kw.min_value === "number" && typeof kw.max_value === "number" &&
        kw.min_value > kw.max_value
      ) return () => false; // GE: an empty range, every value unexpected
      const inRange = makeBetween(
        kw.min_value as number,
        kw.max_value as number,
        kw.strict_min === true,
        kw.strict_max === true,
      );
      const lo = typeof kw.min_value === "number" ? kw.min_value : -Infinity;
      const hi = typeof kw.max_value === "number" ? kw.max_value : Infinity;
      return (v) => {
        if (typeof v !== "string") return false;
        // Code points lie in [length / 2, length]: count them only near a bound.
        const n = v.length;
        if (n / 2 > lo && n < hi) return true;
        return inRange(pyLen(v));
      };
    }
    case "expect_column_value_lengths_to_equal": {
      const n = kw.value as number;
      return (v) => typeof v === "string" && pyLen(v) === n;
    }
    case "expect_column_values_to_match_strftime_format": {
      const matches = compileStrftime(kw.strftime_format as string);
      return (v) => {
        if (typeof v !== "string") notAString(type, v);
        return matches(v);
      };
    }
    case "expect_column_values_to_be_dateutil_parseable":
      return (v) => {
        if (v instanceof Date) return true;
        if (typeof v !== "string") notAString(type, v);
        return !Number.isNaN(Date.parse(v));
      };
    case "expect_column_values_to_be_json_parseable":
      return (v) => {
        if (typeof v !== "string") return false;
        try {
          JSON.parse(v);
          return true;
        } catch {
          return false;
        }
      };
  }
  throw new QualityError(`No map test for expectation type: ${type}`);
}

/** SQL LIKE as an anchored regex: % any run, _ one character, \\ escapes. */
function likeRegex(pattern: string): RegExp {
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      src += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else if (c === "%") src += "[\\s\\S]*";
    else if (c === "_") src += "[\\s\\S]";
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${src}$`);
}

// GE raises for these rather than calling a number unparseable.
function notAString(type: string, v: unknown): never {
  throw new QualityError(
    `Values passed to ${type} must be of type string: ${describeValue(v)}`,
  );
}

/** parse_strings_as_datetimes: an ISO-ish string as a Date, anything else as is. */
export function asDate(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = Date.parse(
    /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v.replace(" ", "T")}Z`,
  );
  return Number.isNaN(t) ? v : new Date(t);
}

// Distinct-value set checks; `observed` is the sorted list of distinct values.
function distinctTest(
  metric: string,
  valueSet: unknown[] | null,
  parseDates: boolean,
): (observed: unknown) => boolean {
  if (valueSet === null) return () => true; // GE: no set, no constraint
  const want = new Set(
    valueSet.map((v) => keyOf(parseDates ? asDate(v) : v)),
  );
  return (observed) => {
    const have = new Set(
      (observed as unknown[]).map((v) => keyOf(parseDates ? asDate(v) : v)),
    );
    const inSet = [...have].every((k) => want.has(k));
    const contains = [...want].every((k) => have.has(k));
    if (metric === "distinct_in") return inSet;
    if (metric === "distinct_contain") return contains;
    return inSet && contains;
  };
}

function numberLiteral(v: unknown, fallback: number): string | null {
  if (v === undefined || v === null) return String(fallback);
  return typeof v === "number" ? String(v) : null;
}

// Numeric between checks are inlined as literals; everything else calls the test.
function inlineTest(
  type: string,
  kw: Record<string, unknown>,
): [string, unknown] | null {
  if (kw.parse_strings_as_datetimes === true) return null;
  switch (type) {
    case "expect_column_values_to_be_between": {
      const lo = numberLiteral(kw.min_value, -Infinity),
        hi = numberLiteral(kw.max_value, Infinity);
      if (lo === null || hi === null) return null;
      const ge = kw.strict_min === true ? ">" : ">=",
        le = kw.strict_max === true ? "<" : "<=";
      return [`typeof v === "number" && v ${ge} ${lo} && v ${le} ${hi}`, null];
    }
    case "expect_column_values_to_be_in_set":
    case "expect_column_values_to_not_be_in_set": {
      const set = new Set((kw.value_set as unknown[]).map(keyOf));
      const want = type === "expect_column_values_to_be_in_set";
      return [
        `(typeof v === "object" ? $T.has(keyOf(v)) : $T.has(v)) === ${want}`,
        set,
      ];
    }
    case "expect_column_values_to_match_regex":
    case "expect_column_values_to_not_match_regex": {
      const want = type === "expect_column_values_to_match_regex";
      return [
        `$T.test(typeof v === "string" ? v : pyStr(v)) === ${want}`,
        pyRegex(kw.regex as string),
      ];
    }
  }
  return null;
}

function rowTest(
  type: string,
  kw: Record<string, unknown>,
): (values: unknown[]) => boolean {
  switch (type) {
    case "expect_column_pair_values_to_be_in_set": {
      if (kw.value_pairs_set === null) return () => true;
      const pairs = kw.value_pairs_set as unknown[];
      // A → set of B, by value keys: no string built per row.
      const key = (v: unknown) =>
        isMissing(v) ? null : typeof v === "object" ? keyOf(v) : v;
      const byA = new Map<unknown, Set<unknown>>();
      for (const p of pairs) {
        if (!Array.isArray(p) || p.length !== 2) {
          throw new QualityError(
            `Kwarg value_pairs_set must hold [A, B] pairs: ${describeValue(p)}`,
          );
        }
        const a = key(p[0]);
        if (!byA.has(a)) byA.set(a, new Set());
        byA.get(a)!.add(key(p[1]));
      }
      return (values) => byA.get(key(values[0]))?.has(key(values[1])) === true;
    }
    case "expect_multicolumn_sum_to_equal": {
      const total = kw.sum_total as number;
      return (values) => {
        // pandas' sum(axis=1, skipna=False): a missing value makes it NaN.
        let sum = 0;
        for (const v of values) {
          if (isMissing(v)) return false;
          const n = typeof v === "boolean" ? +v : v;
          if (typeof n !== "number") {
            throw new QualityError(
              `Columns summed by expect_multicolumn_sum_to_equal must be numeric: ${
                describeValue(v)
              }`,
            );
          }
          sum += n;
        }
        return sum === total;
      };
    }
    default: // unique within record: nunique(dropna=False) == number of columns
      return (values) => {
        const keys = new Set(values.map((v) => isMissing(v) ? null : keyOf(v)));
        return keys.size >= values.length;
      };
  }
}

function checkQuantileRanges(kw: Record<string, unknown>): void {
  const qr = kw.quantile_ranges as Record<string, unknown>;
  const q = qr.quantiles, ranges = qr.value_ranges;
  if (
    !Array.isArray(q) || !Array.isArray(ranges) || q.length !== ranges.length
  ) {
    throw new QualityError(
      `Kwarg quantile_ranges needs quantiles and value_ranges of one length: ${
        describeValue(qr)
      }`,
    );
  }
  for (const x of q) {
    if (typeof x !== "number" || !(x >= 0 && x <= 1)) {
      throw new QualityError(
        `Quantiles must be numbers between 0 and 1: ${describeValue(x)}`,
      );
    }
  }
  for (const r of ranges) {
    if (
      !Array.isArray(r) || r.length !== 2 ||
      !r.every((b) => b === null || typeof b === "number") ||
      (r[0] !== null && r[1] !== null && r[0] > r[1])
    ) {
      throw new QualityError(
        `quantile_ranges must consist of ordered pairs: ${describeValue(r)}`,
      );
    }
  }
  const how = kw.allow_relative_error;
  if (
    how !== undefined && how !== null && how !== false &&
    !INTERPOLATIONS.includes(how as typeof INTERPOLATIONS[number])
  ) {
    throw new QualityError(
      `For pandas, allow_relative_error must be one of ${
        INTERPOLATIONS.join(", ")
      }: ${describeValue(how)}`,
    );
  }
}

// GE: an aggregate with no bounds holds and reports what it observed.
function aggregateBetween(
  kw: Record<string, unknown>,
): (v: unknown) => boolean {
  const lo = kw.min_value ?? null, hi = kw.max_value ?? null;
  if (lo === null && hi === null) return () => true;
  const parse = kw.parse_strings_as_datetimes === true;
  const between = makeBetween(
    (parse ? asDate(lo) : lo) as number,
    (parse ? asDate(hi) : hi) as number,
    kw.strict_min === true,
    kw.strict_max === true,
  );
  const numeric = (lo === null || typeof lo === "number") &&
    (hi === null || typeof hi === "number");
  return (v) => {
    // pandas raises comparing str with a number: so does the expectation.
    if (
      (typeof v === "number" && !numeric && !parse) ||
      (typeof v === "string" && numeric && !parse)
    ) {
      throw new QualityError(
        `Column statistic and min_value/max_value must be of the same type: ${
          describeValue(v)
        } against ${describeValue(lo)}, ${describeValue(hi)}`,
      );
    }
    return between(parse ? asDate(v) : v);
  };
}

function capOf(format: Format): number {
  return format.name === "COMPLETE" ? Infinity : format.partialCount;
}

function compileEntry(
  raw: ExpectationConfiguration,
  runFormat: Format,
  ctx: ParameterContext,
): Entry {
  let config = raw;
  let resolveError: ErrorState | null = null;
  if (hasParameters(raw.kwargs)) {
    try {
      // Resolved values are checked as if they had been written in the suite.
      config = normalizeConfig(
        raw.expectation_type,
        resolveParameters(raw.kwargs, ctx),
        raw.meta,
      );
    } catch (error) {
      resolveError = errorState(error);
    }
  }
  const spec = specOf(config.expectation_type);
  const kw = config.kwargs;
  const entry: Entry = {
    spec,
    config,
    error: null,
    cond: null,
    column: typeof kw.column === "string" ? kw.column : "",
    columns: Array.isArray(kw.column_list)
      ? kw.column_list as string[]
      : typeof kw.column_A === "string"
      ? [kw.column_A as string, kw.column_B as string]
      : [],
    test: null,
    between: null,
    inline: null,
    inlineValue: null,
    rowTest: null,
    format: runFormat,
    cap: capOf(runFormat),
  };
  if (resolveError !== null) {
    entry.error = resolveError;
    return entry;
  }
  try {
    if (kw.result_format !== undefined && kw.result_format !== null) {
      entry.format = parseFormat(kw.result_format);
      entry.cap = capOf(entry.format);
    }
    const parser = kw.condition_parser ?? null;
    if (parser !== null && parser !== "pandas" && parser !== "python") {
      // GE's CONDITION_PARSER enumeration (great_expectations_deprecated too).
      throw new QualityError(
        `Kwarg condition_parser is not a valid enumeration member of pandas, python: ${
          describeValue(parser)
        }`,
      );
    }
    if (
      typeof kw.row_condition === "string" && kw.row_condition.trim() !== ""
    ) {
      entry.cond = compileRowCondition(kw.row_condition);
    }
    if (spec.kind === "map") {
      entry.test = mapTest(spec.type, kw);
      const inline = inlineTest(spec.type, kw);
      if (inline) [entry.inline, entry.inlineValue] = inline;
    }
    if (spec.kind === "aggregate" && spec.metric!.startsWith("distinct_")) {
      entry.between = distinctTest(
        spec.metric!,
        (kw.value_set ?? null) as unknown[] | null,
        kw.parse_strings_as_datetimes === true,
      );
    } else if (spec.kind === "aggregate") {
      entry.between = aggregateBetween(kw);
    }
    if (
      spec.type === "expect_table_row_count_to_be_between" ||
      spec.type === "expect_table_column_count_to_be_between"
    ) {
      const lo = kw.min_value as number | null | undefined,
        hi = kw.max_value as number | null | undefined;
      // GE treats a row count with no bounds as always true.
      entry.between = (lo ?? null) === null && (hi ?? null) === null
        ? () => true
        : makeBetween(lo, hi, kw.strict_min === true, kw.strict_max === true);
    }
    if (spec.kind === "pair") {
      const rule = kw.ignore_row_if ?? "both_values_are_missing";
      if (
        !["both_values_are_missing", "either_value_is_missing", "neither"]
          .includes(rule as string)
      ) {
        throw new QualityError(
          `Kwarg ignore_row_if must be both_values_are_missing, either_value_is_missing or neither: ${
            describeValue(rule)
          }`,
        );
      }
    }
    if (spec.kind === "rowmap") {
      entry.rowTest = rowTest(spec.type, kw);
      const rules =
        entry.columns.length === 2 && typeof kw.column_A === "string"
          ? ["both_values_are_missing", "either_value_is_missing", "neither"]
          : ["all_values_are_missing", "any_value_is_missing", "never"];
      const rule = kw.ignore_row_if ?? rules[0];
      if (!rules.includes(rule as string)) {
        throw new QualityError(
          `Kwarg ignore_row_if must be ${rules.join(", ")}: ${
            describeValue(rule)
          }`,
        );
      }
    }
    if (spec.type === "expect_column_quantile_values_to_be_between") {
      checkQuantileRanges(kw);
    }
    if (spec.kind === "compound_unique") {
      const rule = kw.ignore_row_if ?? "all_values_are_missing";
      if (
        !["all_values_are_missing", "any_value_is_missing", "never"].includes(
          rule as string,
        )
      ) {
        throw new QualityError(
          `Kwarg ignore_row_if must be all_values_are_missing, any_value_is_missing or never: ${
            describeValue(rule)
          }`,
        );
      }
    }
  } catch (error) {
    entry.error = errorState(error);
  }
  return entry;
}

/** Compiles validated configurations into a plan. */
export function compilePlan(
  suiteName: string,
  configs: ExpectationConfiguration[],
  format: Format,
  ctx: ParameterContext = { parameters: {}, now: Date.now() },
): Plan {
  const entries = configs.map((c) => compileEntry(c, format, ctx));
  const needsColumns = entries.some((e) =>
    e.spec.kind === "table" &&
    e.spec.type !== "expect_table_row_count_to_be_between" &&
    e.spec.type !== "expect_table_row_count_to_equal"
  );
  return {
    suiteName,
    entries,
    needsColumns,
    format,
    cap: format.name === "COMPLETE" ? Infinity : format.partialCount,
  };
}

// Their result depends on the column's dtype, so the loop records value kinds.
export const TYPE_EXPECTATIONS = [
  "expect_column_values_to_be_of_type",
  "expect_column_values_to_be_in_type_list",
];
