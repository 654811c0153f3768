// The one-pass engine. A suite compiles to a Plan; a Plan makes per-partition
// accumulators whose states are plain, structured-cloneable objects; states
// merge in partition order; the merged state finalises into GE's result shape.
//
//   rows ──► Accumulator.add(row) ──► step[j](row, i) for every expectation
//                    │
//                    ▼ snapshot()                 (one per partition/worker)
//              PartialState ──► mergeStates(a, b) ──► finalize(plan, state)

import { describeValue, QualityError } from "./errors.ts";
import {
  addExact,
  addProduct,
  type ExactSum,
  mergeExact,
  newSum,
  valueOf,
} from "./_exact_sum.ts";
import { normalizeConfig, type Spec, specOf } from "./_registry.ts";
import {
  hasParameters,
  type ParameterContext,
  resolveParameters,
} from "./_evaluation_parameters.ts";
import {
  compileRowCondition,
  intern,
  type RowPredicate,
} from "./_row_condition.ts";
import { compileStrftime } from "./_strftime.ts";
import {
  INTERPOLATIONS,
  modes,
  pandasMean,
  pandasStdev,
  quantileOf,
} from "./_statistics.ts";
import { Validator } from "npm:@cfworker/json-schema@4.1.6";
import {
  dtypeMatches,
  dtypeName,
  isObjectName,
  kindOf,
  valueTypeTest,
} from "./_dtype.ts";
import {
  compareSameKind,
  isMissing,
  keyOf,
  makeBetween,
  pyLen,
  pyRegex,
  pyStr,
  totalOrder,
} from "./_values.ts";
import type {
  ExpectationConfiguration,
  ExpectationResultDetails,
  ExpectationValidationResult,
  ResultFormatConfig,
  ResultFormatName,
  UnexpectedCount,
  ValidationResult,
} from "./types.ts";

type Row = Record<string, unknown>;
type Step = (row: Row, index: number) => void;

interface ErrorState {
  k: "error";
  message: string;
  traceback: string | null;
}
interface MapState {
  k: "map";
  element: number;
  missing: number;
  unexpected: number;
  vals: unknown[];
  idx: number[];
  seen: boolean;
  /** Kind bits of every value (type expectations only: the column's dtype). */
  kinds: number;
}
interface OrderState extends Omit<MapState, "k" | "kinds"> {
  k: "order";
  dir: 1 | -1;
  strictly: boolean;
  hasLast: boolean;
  first: unknown;
  firstIdx: number;
  last: unknown;
}
interface DupEntry {
  n: number;
  idx: number[];
}
interface UniqueState {
  k: "unique";
  element: number;
  missing: number;
  seen: boolean[];
  /** First index of each value's key; an entry once the value repeats. */
  map: Map<unknown, number | DupEntry>;
}
interface AggState {
  k: "agg";
  metric: string;
  seen: boolean;
  /** Rows considered (after the row condition). */
  element: number;
  /** Non-null values. */
  n: number;
  sx: ExactSum;
  sxx: ExactSum;
  values: number[];
  best: unknown;
  set: Set<unknown>;
  /** Value counts, for the distinct-set expectations. */
  counts: Map<unknown, number>;
}
interface PairState extends Omit<MapState, "k" | "seen" | "kinds"> {
  k: "pair";
  seen: boolean[];
}
/** A test over several columns of each row. */
interface RowMapState {
  k: "rowmap";
  element: number;
  missing: number;
  unexpected: number;
  vals: unknown[];
  idx: number[];
  seen: boolean[];
}
/**
 * Every non-null value with its row index, for statistics that need them
 * all (modes, quantiles, z-scores): memory grows with the column.
 */
interface ValuesState {
  k: "values";
  element: number;
  missing: number;
  seen: boolean;
  vals: unknown[];
  idx: number[];
}
interface TableState {
  k: "table";
}
type ExpState =
  | ErrorState
  | MapState
  | OrderState
  | UniqueState
  | AggState
  | PairState
  | RowMapState
  | ValuesState
  | TableState;

/**
 * What one partition (or one whole input) leaves behind: row count, columns
 * seen, and one state per expectation. Structured-cloneable, so a worker can
 * post it back; merge with `mergePartialStates`.
 *
 * @example Count rows of a partition
 * ```ts
 * import { evaluatePartition, ExpectationSuite } from "./mod.ts";
 * const state = evaluatePartition([{ a: 1 }, { a: 2 }], new ExpectationSuite("s"));
 * console.log(state.rows); // 2
 * ```
 */
export interface PartialState {
  /** Rows read. */
  rows: number;
  /** Columns seen in first-seen order, when a table expectation needs them. */
  columns: string[] | null;
  /** The first row that was not an object. */
  badRow: { index: number; value: string } | null;
  /** How many unexpected values each state keeps (Infinity for COMPLETE). */
  cap: number;
  /** Per expectation, when one's `result_format` kwarg differs from the run's. */
  caps?: number[];
  /** One state per expectation, in suite order. */
  states: unknown[];
}

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

interface Entry {
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

// Frames below the engine's entry points depend on the caller (array, stream
// or worker), so they are cut: the same failure reads the same everywhere.
const CALLER_FRAME =
  /\b(compilePlan|Accumulator|#run|#flush|finalize|Array\.map)\b/;

function cleanTrace(stack: string | undefined): string | null {
  if (!stack) return null;
  const out: string[] = [];
  for (const line of stack.split("\n")) {
    if (/^\s+at /.test(line) && CALLER_FRAME.test(line)) break;
    out.push(line);
  }
  return out.join("\n");
}

function errorState(error: unknown): ErrorState {
  if (error instanceof Error) {
    return {
      k: "error",
      message: error.message,
      traceback: cleanTrace(error.stack),
    };
  }
  return { k: "error", message: String(error), traceback: null };
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
function asDate(v: unknown): unknown {
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
      const set = new Set(pairs.map((p) => {
        if (!Array.isArray(p) || p.length !== 2) {
          throw new QualityError(
            `Kwarg value_pairs_set must hold [A, B] pairs: ${describeValue(p)}`,
          );
        }
        return compoundKey(p);
      }));
      return (values) =>
        set.has(compoundKey(values.map((v) => isMissing(v) ? null : v)));
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

function newState(entry: Entry): ExpState {
  if (entry.error) return entry.error;
  const kw = entry.config.kwargs;
  switch (entry.spec.kind) {
    case "map":
    case "null_map":
      return {
        k: "map",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: false,
        kinds: 0,
      };
    case "order":
      return {
        k: "order",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: false,
        dir: entry.spec.type.endsWith("increasing") ? 1 : -1,
        strictly: kw.strictly === true,
        hasLast: false,
        first: null,
        firstIdx: 0,
        last: null,
      };
    case "unique":
    case "compound_unique":
      return {
        k: "unique",
        element: 0,
        missing: 0,
        seen: entry.spec.kind === "unique"
          ? [false]
          : entry.columns.map(() => false),
        map: new Map(),
      };
    case "aggregate":
      return {
        k: "agg",
        metric: entry.spec.metric!,
        seen: false,
        element: 0,
        n: 0,
        sx: newSum(),
        sxx: newSum(),
        values: [],
        best: null,
        set: new Set(),
        counts: new Map(),
      };
    case "pair":
      return {
        k: "pair",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: [false, false],
      };
    case "rowmap":
      return {
        k: "rowmap",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: entry.columns.map(() => false),
      };
    case "values":
      return {
        k: "values",
        element: 0,
        missing: 0,
        seen: false,
        vals: [],
        idx: [],
      };
    case "table":
      return { k: "table" };
  }
}

function orderOk(s: OrderState, prev: unknown, v: unknown): boolean {
  const c = compareSameKind(prev, v) * s.dir;
  return s.strictly ? c < 0 : c <= 0;
}

// Steps the compiled loop calls for what it does not inline: compound
// uniqueness, column pairs, and the first value of a min/max.
function makeStep(entry: Entry, state: ExpState, cap: number): Step | null {
  const col = intern(entry.column);
  const cond = entry.cond;
  switch (state.k) {
    case "unique": {
      const s = state;
      const map = s.map;
      const cols = entry.columns.map(intern);
      const rule = entry.config.kwargs.ignore_row_if ??
        "all_values_are_missing";
      return (row, i) => {
        for (let c = 0; c < cols.length; c++) {
          if (!s.seen[c] && Object.hasOwn(row, cols[c]!)) s.seen[c] = true;
        }
        if (cond !== null && !cond(row)) return;
        s.element++;
        let nMissing = 0;
        const values: unknown[] = new Array(cols.length);
        for (let c = 0; c < cols.length; c++) {
          const v = readOwn(row, cols[c]!);
          if (isMissing(v)) nMissing++;
          values[c] = v;
        }
        if (
          (rule === "all_values_are_missing" && nMissing === cols.length) ||
          (rule === "any_value_is_missing" && nMissing > 0)
        ) {
          s.missing++;
          return;
        }
        const key = compoundKey(values);
        const prev = map.get(key);
        if (prev === undefined) map.set(key, i);
        else if (typeof prev === "number") {
          map.set(key, { n: 2, idx: [prev, i].slice(0, cap) });
        } else {
          prev.n++;
          if (prev.idx.length < cap) prev.idx.push(i);
        }
      };
    }
    case "pair": {
      const s = state;
      const [ca, cb] = entry.columns.map(intern) as [string, string];
      const kw = entry.config.kwargs;
      const rule = kw.ignore_row_if ?? "both_values_are_missing";
      const equal = entry.spec.type === "expect_column_pair_values_to_be_equal";
      const orEqual = kw.or_equal === true;
      const parseDates = kw.parse_strings_as_datetimes === true;
      return (row, i) => {
        if (!s.seen[0] && Object.hasOwn(row, ca)) s.seen[0] = true;
        if (!s.seen[1] && Object.hasOwn(row, cb)) s.seen[1] = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        let a = readOwn(row, ca), b = readOwn(row, cb);
        if (parseDates) {
          a = asDate(a);
          b = asDate(b);
        }
        const ma = isMissing(a), mb = isMissing(b);
        if (
          (rule === "both_values_are_missing" && ma && mb) ||
          (rule === "either_value_is_missing" && (ma || mb))
        ) {
          s.missing++;
          return;
        }
        let ok: boolean;
        if (equal) ok = !ma && !mb && (a === b || compareSameKind(a, b) === 0);
        else {
          const c = compareSameKind(a, b);
          ok = orEqual ? c >= 0 : c > 0;
        }
        if (!ok) {
          s.unexpected++;
          if (s.vals.length < cap) {
            s.vals.push([a ?? null, b ?? null]);
            s.idx.push(i);
          }
        }
      };
    }
    case "agg": {
      const s = state;
      const metric = s.metric;
      const numeric = metric === "mean" || metric === "sum" ||
        metric === "stdev" || metric === "median";
      const squares = metric === "stdev";
      return (row) => {
        if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
        if (cond !== null && !cond(row)) return;
        const v = readOwn(row, col);
        if (v === null || v === undefined || v !== v) return;
        if (numeric) {
          if (typeof v !== "number") {
            throw new QualityError(
              `Column "${col}" has a non-numeric value for ${metric}: ${
                describeValue(v)
              }`,
            );
          }
          s.n++;
          if (metric === "median") s.values.push(v);
          else {
            addExact(s.sx, v);
            if (squares) addProduct(s.sxx, v, v);
          }
        } else if (metric === "min" || metric === "max") {
          if (
            typeof v !== "number" && typeof v !== "string" &&
            !(v instanceof Date)
          ) {
            throw new QualityError(
              `Column "${col}" has a value without an order for ${metric}: ${
                describeValue(v)
              }`,
            );
          }
          s.n++;
          if (s.best === null) s.best = v;
          else {
            const c = compareSameKind(v, s.best);
            if (Number.isNaN(c)) {
              throw new QualityError(
                `Column "${col}" mixes types for ${metric}: ${
                  describeValue(s.best)
                } and ${describeValue(v)}`,
              );
            }
            if (metric === "min" ? c < 0 : c > 0) s.best = v;
          }
        } else {
          s.n++;
          const key = typeof v === "object" ? keyOf(v) : v;
          if (metric.startsWith("distinct_")) {
            s.counts.set(key, (s.counts.get(key) ?? 0) + 1);
          } else s.set.add(key);
        }
      };
    }
    case "rowmap": {
      const s = state;
      const cols = entry.columns.map(intern);
      const pairs = typeof entry.config.kwargs.column_A === "string";
      const rule = entry.config.kwargs.ignore_row_if ??
        (pairs ? "both_values_are_missing" : "all_values_are_missing");
      const test = entry.rowTest!;
      return (row, i) => {
        for (let c = 0; c < cols.length; c++) {
          if (!s.seen[c] && Object.hasOwn(row, cols[c]!)) s.seen[c] = true;
        }
        if (cond !== null && !cond(row)) return;
        s.element++;
        let nMissing = 0;
        const values: unknown[] = new Array(cols.length);
        for (let c = 0; c < cols.length; c++) {
          const v = readOwn(row, cols[c]!);
          if (isMissing(v)) nMissing++;
          values[c] = v ?? null;
        }
        if (
          ((rule === "both_values_are_missing" ||
            rule === "all_values_are_missing") && nMissing === cols.length) ||
          ((rule === "either_value_is_missing" ||
            rule === "any_value_is_missing") && nMissing > 0)
        ) {
          s.missing++;
          return;
        }
        if (!test(values)) {
          s.unexpected++;
          if (s.vals.length < cap) {
            s.vals.push(
              pairs
                ? values
                : Object.fromEntries(cols.map((c, k) => [c, values[k]])),
            );
            s.idx.push(i);
          }
        }
      };
    }
    case "values": {
      const s = state;
      return (row, i) => {
        if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        const v = readOwn(row, col);
        if (isMissing(v)) s.missing++;
        else {
          s.vals.push(v);
          s.idx.push(i);
        }
      };
    }
    default:
      return null;
  }
}

/** A row's own value of a column (never an Object.prototype member). */
function readOwn(row: Row, name: string): unknown {
  const v = row[name];
  return v === undefined || Object.hasOwn(row, name) ? v : undefined;
}

function compoundKey(values: unknown[]): string {
  return JSON.stringify(
    values.map((v) => (v instanceof Date ? { $date: v.getTime() } : v ?? null)),
  );
}

function revive(v: unknown): unknown {
  if (
    isRecord(v) && typeof v.$date === "number" && Object.keys(v).length === 1
  ) return new Date(v.$date);
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

function compoundValue(
  key: unknown,
  columns: string[],
): Record<string, unknown> {
  const values = JSON.parse(key as string) as unknown[];
  const dict: Record<string, unknown> = {};
  for (let c = 0; c < columns.length; c++) {
    dict[columns[c]!] = revive(values[c]);
  }
  return dict;
}

/** Recovers a value from its keyOf() key. */
function valueFromKey(key: unknown): unknown {
  if (typeof key !== "string" || !key.startsWith("\u0000")) return key;
  const body = key.slice(2);
  if (key[1] === "D") return new Date(Number(body));
  if (key[1] === "J") return JSON.parse(body);
  return body;
}

function nonNumeric(column: string, metric: string, v: unknown): never {
  throw new QualityError(
    `Column "${column}" has a non-numeric value for ${metric}: ${
      describeValue(v)
    }`,
  );
}

// Their result depends on the column's dtype, so the loop records value kinds.
const TYPE_EXPECTATIONS = [
  "expect_column_values_to_be_of_type",
  "expect_column_values_to_be_in_type_list",
];

/** How many rows a streamed input buffers before running the compiled loop. */
const BATCH = 1024;

type Loop = (rows: ArrayLike<unknown>, n: number, base: number) => number;
type SharedLoop = (
  ctx: unknown,
  rows: ArrayLike<unknown>,
  n: number,
  base: number,
) => number;
const LOOP_CACHE = new Map<string, SharedLoop>();

// Compiles the plan into one loop function: every column name becomes a
// literal property access and every map check is inlined, so V8 sees
// monomorphic code per expectation instead of one megamorphic step call.
function compileLoop(
  plan: Plan,
  states: ExpState[],
  active: boolean[],
  fail: (j: number, error: unknown) => void,
  columns: string[] | null,
  columnSet: Set<string> | null,
): Loop {
  const tests: unknown[] = [];
  const inlines: unknown[] = [];
  const conds: unknown[] = [];
  const steps: unknown[] = [];
  const head: string[] = [];
  const body: string[] = [];
  const flush: string[] = [];
  const emit = (entry: Entry, j: number): void => {
    const st = states[j]!;
    tests.push(entry.test);
    inlines.push(entry.inlineValue);
    conds.push(entry.cond);
    if (st.k === "error" || st.k === "table") {
      steps.push(null);
      return;
    }
    head.push(`let a${j} = A[${j}];`);
    flush.push(`A[${j}] = a${j};`);
    if (entry.cond) head.push(`const q${j} = C[${j}];`);
    const open = entry.cond ? `if (q${j}(row)) {` : "{";
    const col = JSON.stringify(entry.column);
    // A column named like an Object.prototype member is read as an own property only.
    const read =
      entry.column in Object.prototype || entry.column === "__proto__"
        ? `(Object.hasOwn(row, ${col}) ? row[${col}] : undefined)`
        : `row[${col}]`;
    // A condition that selects no rows must not make the column look absent.
    const seenFirst = entry.cond
      ? `if (a${j} && !n${j} && Object.hasOwn(row, ${col})) n${j} = true;`
      : "";
    if (st.k === "map") {
      steps.push(null);
      head.push(
        `const s${j} = S[${j}], t${j} = T[${j}], v${j} = s${j}.vals, x${j} = s${j}.idx;`,
        `let e${j} = 0, m${j} = 0, u${j} = 0, n${j} = s${j}.seen;`,
      );
      flush.push(
        `s${j}.element += e${j}; s${j}.missing += m${j}; s${j}.unexpected += u${j}; s${j}.seen = n${j};`,
      );
      const keep =
        `if (v${j}.length < cap) { v${j}.push(${"$V"}); x${j}.push(base + k); }`;
      if (entry.spec.kind === "null_map") {
        const nullIsUnexpected =
          entry.spec.type === "expect_column_values_to_not_be_null";
        body.push(
          seenFirst,
          `if (a${j}) ${open}`,
          `  e${j}++; const v = ${read};`,
          `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
          `  const miss = v === null || v === undefined || v !== v;`,
          `  if (miss === ${nullIsUnexpected}) { u${j}++; ${
            keep.replace("$V", "miss ? null : v")
          } }`,
          `}`,
        );
      } else {
        const check = entry.inline
          ? entry.inline.replaceAll("$T", `i${j}`)
          : `t${j}(v)`;
        if (entry.inline) head.push(`const i${j} = I[${j}];`);
        const kinds = TYPE_EXPECTATIONS.includes(entry.spec.type);
        if (kinds) {
          head.push(`let k${j} = s${j}.kinds;`);
          flush.push(`s${j}.kinds = k${j};`);
        }
        body.push(
          seenFirst,
          `if (a${j}) ${open} try {`,
          `  e${j}++; const v = ${read};${kinds ? ` k${j} |= kindOf(v);` : ""}`,
          `  if (v === undefined) { if (!n${j} && Object.hasOwn(row, ${col})) n${j} = true; m${j}++; }`,
          `  else { n${j} = true; if (v === null || v !== v) m${j}++; else if (!(${check})) { u${j}++; ${
            keep.replace("$V", "v")
          } } }`,
          `} catch (err) { a${j} = false; fail(${j}, err); } }`,
        );
      }
      return;
    }
    if (st.k === "order") {
      steps.push(null);
      const cmp = st.dir === 1
        ? (st.strictly ? "l < v" : "l <= v")
        : (st.strictly ? "l > v" : "l >= v");
      head.push(
        `const s${j} = S[${j}], v${j} = s${j}.vals, x${j} = s${j}.idx;`,
        `let e${j} = 0, m${j} = 0, u${j} = 0, n${j} = s${j}.seen, h${j} = s${j}.hasLast, l${j} = s${j}.last;`,
      );
      flush.push(
        `s${j}.element += e${j}; s${j}.missing += m${j}; s${j}.unexpected += u${j}; s${j}.seen = n${j}; s${j}.hasLast = h${j}; s${j}.last = l${j};`,
      );
      body.push(
        seenFirst,
        `if (a${j}) ${open}`,
        `  e${j}++; const v = ${read};`,
        `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
        `  if (v === null || v === undefined || v !== v) m${j}++;`,
        `  else {`,
        `    if (h${j}) {`,
        `      const l = l${j};`,
        `      const ok = typeof v === "number" && typeof l === "number" ? ${cmp} : orderOk(s${j}, l, v);`,
        `      if (!ok) { u${j}++; if (v${j}.length < cap) { v${j}.push(v); x${j}.push(base + k); } }`,
        `    } else { h${j} = true; s${j}.first = v; s${j}.firstIdx = base + k; }`,
        `    l${j} = v;`,
        `  }`,
        `}`,
      );
      return;
    }
    if (
      st.k === "agg" &&
      [
        "mean",
        "sum",
        "stdev",
        "min",
        "max",
        "median",
        "unique_value_count",
        "unique_proportion",
        "distinct_in",
        "distinct_contain",
        "distinct_equal",
      ].includes(st.metric)
    ) {
      steps.push(null);
      const metric = st.metric;
      head.push(
        `const s${j} = S[${j}];`,
        `let n${j} = s${j}.seen, c${j} = s${j}.n, b${j} = s${j}.best, r${j} = s${j}.element;`,
      );
      flush.push(
        `s${j}.seen = n${j}; s${j}.n = c${j}; s${j}.best = b${j}; s${j}.element = r${j};`,
      );
      let add: string;
      // pandas sums booleans as 0 and 1.
      const numeric = metric === "mean" || metric === "sum" ||
        metric === "stdev" || metric === "median";
      if (metric === "median" || metric === "stdev") {
        head.push(`const w${j} = s${j}.values;`);
        add = `if (typeof v !== "number") nonNumeric(${col}, ${
          JSON.stringify(metric)
        }, v);
          c${j}++; w${j}.push(v);`;
      } else if (metric.startsWith("distinct_")) {
        head.push(`const w${j} = s${j}.counts;`);
        add =
          `c${j}++; const key = typeof v === "object" ? keyOf(v) : v; w${j}.set(key, (w${j}.get(key) ?? 0) + 1);`;
      } else if (
        metric === "unique_value_count" || metric === "unique_proportion"
      ) {
        head.push(`const w${j} = s${j}.set;`);
        add = `c${j}++; w${j}.add(typeof v === "object" ? keyOf(v) : v);`;
      } else if (metric === "min" || metric === "max") {
        const better = metric === "min" ? "<" : ">";
        add =
          `if (typeof v === "number" && typeof b${j} === "number") { c${j}++; if (v ${better} b${j}) b${j} = v; }
          else { s${j}.n = c${j}; s${j}.best = b${j}; P${j}(row); c${j} = s${j}.n; b${j} = s${j}.best; }`;
      } else {
        // Two error-free TwoSum levels in locals; only the second level's
        // (rare) rounding error goes to the exact expansion, so the sum stays
        // exact at a fraction of the cost.
        head.push(`let hs${j} = 0, ls${j} = 0;`);
        flush.push(`addExact(s${j}.sx, hs${j}); addExact(s${j}.sx, ls${j});`);
        add = `if (typeof v !== "number") nonNumeric(${col}, ${
          JSON.stringify(metric)
        }, v);
          c${j}++;
          if (v - v === 0) {
            const t = hs${j} + v, bp = t - hs${j}, e = (hs${j} - (t - bp)) + (v - bp);
            hs${j} = t;
            const t2 = ls${j} + e, bq = t2 - ls${j}, e2 = (ls${j} - (t2 - bq)) + (e - bq);
            ls${j} = t2;
            if (e2 !== 0) addExact(s${j}.sx, e2);
          } else addExact(s${j}.sx, v);`;
      }
      steps[j] = makeStep(entry, st, entry.cap);
      head.push(`const P${j} = P[${j}];`);
      body.push(
        seenFirst,
        `if (a${j}) ${open} try {`,
        `  r${j}++;`,
        numeric
          ? `  const v0 = ${read}, v = typeof v0 === "boolean" ? +v0 : v0;`
          : `  const v = ${read};`,
        `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
        `  if (!(v === null || v === undefined || v !== v)) { ${add} }`,
        `} catch (err) { a${j} = false; fail(${j}, err); } }`,
      );
      return;
    }
    if (st.k === "unique" && entry.spec.kind === "unique") {
      steps.push(null);
      head.push(
        `const s${j} = S[${j}], mp${j} = s${j}.map;`,
        `let e${j} = 0, m${j} = 0, n${j} = s${j}.seen[0];`,
      );
      flush.push(
        `s${j}.element += e${j}; s${j}.missing += m${j}; s${j}.seen[0] = n${j};`,
      );
      body.push(
        seenFirst,
        `if (a${j}) ${open} try {`,
        `  e${j}++; const v = ${read};`,
        `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
        `  if (v === null || v === undefined || v !== v) m${j}++;`,
        `  else {`,
        `    const key = typeof v === "object" ? keyOf(v) : v, i = base + k, prev = mp${j}.get(key);`,
        `    if (prev === undefined) mp${j}.set(key, i);`,
        `    else if (typeof prev === "number") mp${j}.set(key, { n: 2, idx: [prev, i].slice(0, cap) });`,
        `    else { prev.n++; if (prev.idx.length < cap) prev.idx.push(i); }`,
        `  }`,
        `} catch (err) { a${j} = false; fail(${j}, err); } }`,
      );
      return;
    }
    steps.push(makeStep(entry, st, entry.cap));
    head.push(`const p${j} = P[${j}];`);
    body.push(
      `if (a${j}) { try { p${j}(row, base + k); } catch (err) { a${j} = false; fail(${j}, err); } }`,
    );
  };
  plan.entries.forEach((entry, j) => {
    const h = head.length, b = body.length;
    emit(entry, j);
    // Each expectation keeps its own number of samples (its result format).
    const own = (line: string) => line.replace(/\bcap\b/g, `cp${j}`);
    for (let t = h; t < head.length; t++) head[t] = own(head[t]!);
    for (let t = b; t < body.length; t++) body[t] = own(body[t]!);
    if (head.length > h) head.push(`const cp${j} = X.caps[${j}];`);
  });
  const track = columns === null
    ? ""
    : `for (const key in row) if (!CS.has(key)) { CS.add(key); CL.push(key); }`;
  // Only entries still active write back: a failed one's state is an error.
  const guardedFlush = flush.map((line) => {
    const m = /^A\[(\d+)\] = a\d+;$/.exec(line);
    if (m) return line;
    const j = /s(\d+)\./.exec(line)?.[1];
    return j === undefined ? line : `if (a${j}) { ${line} }`;
  });
  const source = `
return function loop(X, rows, n, base) {
  const S = X.S, T = X.T, I = X.I, C = X.C, P = X.P, A = X.A, fail = X.fail, cap = X.cap, CS = X.CS, CL = X.CL;
  ${head.join("\n  ")}
  let bad = -1;
  for (let k = 0; k < n; k++) {
    const row = rows[k];
    if (typeof row !== "object" || row === null || Array.isArray(row)) { bad = k; break; }
    ${track}
    ${body.join("\n    ")}
  }
  ${guardedFlush.join("\n  ")}
  return bad;
};`;
  // Same suite, same source: one shared function, so V8's optimized code is
  // reused across validations and partitions; per-run data comes in `X`.
  let shared = LOOP_CACHE.get(source);
  if (shared === undefined) {
    if (LOOP_CACHE.size >= 64) LOOP_CACHE.clear();
    const factory = new Function(
      "orderOk",
      "addExact",
      "addProduct",
      "nonNumeric",
      "keyOf",
      "pyStr",
      "kindOf",
      source,
    );
    shared = factory(
      orderOk,
      addExact,
      addProduct,
      nonNumeric,
      keyOf,
      pyStr,
      kindOf,
    ) as SharedLoop;
    LOOP_CACHE.set(source, shared);
  }
  const ctx = {
    S: states,
    T: tests,
    I: inlines,
    C: conds,
    P: steps,
    A: active,
    fail,
    cap: plan.cap,
    caps: plan.entries.map((e) => e.cap),
    CS: columnSet,
    CL: columns,
  };
  const loop = shared;
  return (rows, n, base) => loop(ctx, rows, n, base);
}

/** Accumulates rows of one partition (or one whole input) in a single pass. */
export class Accumulator {
  #plan: Plan;
  #states: ExpState[];
  #rows = 0;
  #columns: string[] | null;
  #badRow: { index: number; value: string } | null = null;
  #loop: Loop;
  #buffer: unknown[] = [];

  constructor(plan: Plan) {
    this.#plan = plan;
    this.#states = plan.entries.map(newState);
    const active = plan.entries.map(() => true);
    this.#columns = plan.needsColumns ? [] : null;
    const fail = (j: number, error: unknown): void => {
      this.#states[j] = errorState(error);
    };
    this.#loop = compileLoop(
      plan,
      this.#states,
      active,
      fail,
      this.#columns,
      plan.needsColumns ? new Set() : null,
    );
  }

  #run(rows: ArrayLike<unknown>, n: number): boolean {
    if (this.#badRow !== null) return false;
    const bad = this.#loop(rows, n, this.#rows);
    if (bad >= 0) {
      this.#rows += bad;
      this.#badRow = { index: this.#rows, value: describeValue(rows[bad]) };
      return false;
    }
    this.#rows += n;
    return true;
  }

  #flush(): boolean {
    if (this.#buffer.length === 0) return this.#badRow === null;
    const ok = this.#run(this.#buffer, this.#buffer.length);
    this.#buffer.length = 0;
    return ok;
  }

  /**
   * Adds one row (buffered; checks run every 1024 rows and at the end).
   * Returns false once a row that is not an object was met.
   */
  add(row: unknown): boolean {
    if (this.#badRow !== null) return false;
    this.#buffer.push(row);
    if (this.#buffer.length >= BATCH) return this.#flush();
    return true;
  }

  /** Adds rows; returns false once a row that is not an object was met. */
  addAll(rows: Iterable<unknown>): boolean {
    if (Array.isArray(rows)) {
      if (!this.#flush()) return false;
      return this.#run(rows, rows.length);
    }
    for (const row of rows) if (!this.add(row)) return false;
    return this.#flush();
  }

  /** The accumulated state. */
  snapshot(): PartialState {
    this.#flush();
    return {
      rows: this.#rows,
      columns: this.#columns,
      badRow: this.#badRow,
      cap: this.#plan.cap,
      caps: this.#plan.entries.map((e) => e.cap),
      states: this.#states,
    };
  }
}

function takeSamples(
  a: { vals: unknown[]; idx: number[] },
  vals: unknown[],
  idx: number[],
  offset: number,
  cap: number,
): void {
  for (let t = 0; t < vals.length && a.vals.length < cap; t++) {
    a.vals.push(vals[t]);
    a.idx.push(idx[t]! + offset);
  }
}

function mergeState(
  x: ExpState,
  y: ExpState,
  offset: number,
  cap: number,
): ExpState {
  if (x.k === "error") return x;
  if (y.k === "error") return y;
  if (x.k === "map" && y.k === "map") {
    x.element += y.element;
    x.missing += y.missing;
    x.unexpected += y.unexpected;
    x.seen ||= y.seen;
    x.kinds |= y.kinds;
    takeSamples(x, y.vals, y.idx, offset, cap);
    return x;
  }
  if (x.k === "order" && y.k === "order") {
    x.element += y.element;
    x.missing += y.missing;
    x.seen ||= y.seen;
    if (x.hasLast && y.hasLast && !orderOk(x, x.last, y.first)) {
      // The boundary pair: y's first value was never compared inside y.
      x.unexpected++;
      takeSamples(x, [y.first], [y.firstIdx], offset, cap);
    }
    x.unexpected += y.unexpected;
    takeSamples(x, y.vals, y.idx, offset, cap);
    if (!x.hasLast && y.hasLast) {
      x.hasLast = true;
      x.first = y.first;
      x.firstIdx = y.firstIdx + offset;
    }
    if (y.hasLast) x.last = y.last;
    return x;
  }
  if (x.k === "unique" && y.k === "unique") {
    x.element += y.element;
    x.missing += y.missing;
    for (let c = 0; c < x.seen.length; c++) x.seen[c] ||= y.seen[c] ?? false;
    for (const [key, value] of y.map) {
      const prev = x.map.get(key);
      const shifted: number | DupEntry = typeof value === "number"
        ? value + offset
        : { n: value.n, idx: value.idx.map((i) => i + offset) };
      if (prev === undefined) {
        x.map.set(key, shifted);
        continue;
      }
      const entry: DupEntry = typeof prev === "number"
        ? { n: 1, idx: [prev].slice(0, cap) }
        : prev;
      if (typeof shifted === "number") {
        entry.n++;
        if (entry.idx.length < cap) entry.idx.push(shifted);
      } else {
        entry.n += shifted.n;
        for (const i of shifted.idx) {
          if (entry.idx.length < cap) entry.idx.push(i);
        }
      }
      x.map.set(key, entry);
    }
    return x;
  }
  if (x.k === "pair" && y.k === "pair") {
    x.element += y.element;
    x.missing += y.missing;
    x.unexpected += y.unexpected;
    x.seen = [x.seen[0]! || y.seen[0]!, x.seen[1]! || y.seen[1]!];
    takeSamples(x, y.vals, y.idx, offset, cap);
    return x;
  }
  if (x.k === "rowmap" && y.k === "rowmap") {
    x.element += y.element;
    x.missing += y.missing;
    x.unexpected += y.unexpected;
    x.seen = x.seen.map((v, c) => v || (y.seen[c] ?? false));
    takeSamples(x, y.vals, y.idx, offset, cap);
    return x;
  }
  if (x.k === "values" && y.k === "values") {
    x.element += y.element;
    x.missing += y.missing;
    x.seen ||= y.seen;
    for (let t = 0; t < y.vals.length; t++) {
      x.vals.push(y.vals[t]);
      x.idx.push(y.idx[t]! + offset);
    }
    return x;
  }
  if (x.k === "agg" && y.k === "agg") {
    x.seen ||= y.seen;
    x.element += y.element;
    x.n += y.n;
    mergeExact(x.sx, y.sx);
    mergeExact(x.sxx, y.sxx);
    for (const v of y.values) x.values.push(v);
    for (const v of y.set) x.set.add(v);
    for (const [k, n] of y.counts) x.counts.set(k, (x.counts.get(k) ?? 0) + n);
    if (y.best !== null) {
      if (x.best === null) x.best = y.best;
      else {
        const c = compareSameKind(y.best, x.best);
        if (Number.isNaN(c)) {
          return errorState(
            new QualityError(
              `Column mixes types for ${x.metric}: ${
                describeValue(x.best)
              } and ${describeValue(y.best)}`,
            ),
          );
        }
        if (x.metric === "min" ? c < 0 : c > 0) x.best = y.best;
      }
    }
    return x;
  }
  return x;
}

/** Merges partition `b` (which follows `a` in row order) into `a`; returns `a`. */
export function mergeStates(a: PartialState, b: PartialState): PartialState {
  const offset = a.rows;
  if (a.badRow === null && b.badRow !== null) {
    a.badRow = { index: b.badRow.index + offset, value: b.badRow.value };
  }
  a.rows += b.rows;
  if (a.columns !== null && b.columns !== null) {
    const set = new Set(a.columns);
    for (const c of b.columns) if (!set.has(c)) a.columns.push(c);
  }
  for (let j = 0; j < a.states.length; j++) {
    a.states[j] = mergeState(
      a.states[j] as ExpState,
      b.states[j] as ExpState,
      offset,
      a.caps?.[j] ?? a.cap,
    );
  }
  return a;
}

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

function isRecord(v: unknown): v is Record<string, unknown> {
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
      const nonnull = s.element - s.missing;
      return {
        success: mostlyOk(nonnull, s.unexpected, mostly),
        result: mapResult(
          format,
          s.element,
          nonnull,
          s.unexpected,
          s.vals,
          s.idx,
        ),
      };
    }
    case "order": {
      if (!s.seen && total.rows > 0) {
        return {
          success: false,
          result: {},
          error: missingColumn([entry.column]),
        };
      }
      const nonnull = s.element - s.missing;
      return {
        success: mostlyOk(nonnull, s.unexpected, mostly),
        result: mapResult(
          format,
          s.element,
          nonnull,
          s.unexpected,
          s.vals,
          s.idx,
        ),
      };
    }
    case "pair": {
      const absent = entry.columns.filter((_, c) => !s.seen[c]);
      if (absent.length > 0 && total.rows > 0) {
        return { success: false, result: {}, error: missingColumn(absent) };
      }
      const nonnull = s.element - s.missing;
      return {
        success: mostlyOk(nonnull, s.unexpected, mostly),
        result: mapResult(
          format,
          s.element,
          nonnull,
          s.unexpected,
          s.vals,
          s.idx,
        ),
      };
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
      const nonnull = s.element - s.missing;
      return {
        success: mostlyOk(nonnull, s.unexpected, mostly),
        result: mapResult(
          format,
          s.element,
          nonnull,
          s.unexpected,
          s.vals,
          s.idx,
        ),
      };
    }
    case "values": {
      if (!s.seen && total.rows > 0) {
        return {
          success: false,
          result: {},
          error: missingColumn([entry.column]),
        };
      }
      return finalizeValues(entry, s, format);
    }
    case "table":
      return finalizeTable(entry, total, format);
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
        outcome = finalizeOne(entry, state.states[j] as ExpState, state);
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
