// The expectation catalogue: every known type, its kind (how it is evaluated)
// and its kwargs with type checks. Structural kwarg errors (wrong types,
// unknown names, missing required ones) throw QualityError when a suite is
// built or loaded; semantic ones (min > max, a bad regex) surface at
// validation time as exception_info, as in GE.

import { describeValue, QualityError } from "./errors.ts";
import { isParameter } from "./_evaluation_parameters.ts";
import type { ExpectationConfiguration } from "./types.ts";

/** How an expectation is evaluated. */
export type Kind =
  | "map" // per non-null value test; nulls leave the mostly denominator
  | "null_map" // not_be_null / be_null: every row is in the domain
  | "unique" // expect_column_values_to_be_unique
  | "compound_unique" // expect_compound_columns_to_be_unique
  | "order" // increasing / decreasing
  | "aggregate" // column statistic compared with min_value / max_value
  | "pair" // column pair map (A equals B, A greater than B)
  | "rowmap" // a test of several columns of each row (pair in set, multicolumn)
  | "values" // keeps every non-null value: modes, quantiles, z-scores
  | "table"; // row count, column list

interface Check {
  ok: (v: unknown) => boolean;
  want: string;
}

const isNum = (v: unknown): boolean =>
  typeof v === "number" && !Number.isNaN(v);
const C = {
  str: { ok: (v) => typeof v === "string", want: "a string" },
  strOrNull: {
    ok: (v) => v === null || typeof v === "string",
    want: "a string or null",
  },
  bool: { ok: (v) => typeof v === "boolean", want: "a boolean" },
  boolOrNull: {
    ok: (v) => v === null || typeof v === "boolean",
    want: "a boolean or null",
  },
  bound: {
    ok: (v) =>
      v === null || isNum(v) || typeof v === "string" || v instanceof Date,
    want: "a number, a string, a Date or null",
  },
  numBound: { ok: (v) => v === null || isNum(v), want: "a number or null" },
  int: {
    ok: (v) => Number.isInteger(v) && (v as number) >= 0,
    want: "a non-negative integer",
  },
  intOrNull: {
    ok: (v) => v === null || (Number.isInteger(v) && (v as number) >= 0),
    want: "a non-negative integer or null",
  },
  array: { ok: (v) => Array.isArray(v), want: "an array" },
  arrayOrNull: {
    ok: (v) => v === null || Array.isArray(v),
    want: "an array or null",
  },
  strArrayOrNull: {
    ok: (v) =>
      v === null ||
      (Array.isArray(v) && v.every((x) => typeof x === "string")),
    want: "an array of strings or null",
  },
  strArray: {
    ok: (v) => Array.isArray(v) && v.every((x) => typeof x === "string"),
    want: "an array of strings",
  },
  mostly: {
    ok: (v) => v === null || (typeof v === "number" && v >= 0 && v <= 1),
    want: "a number between 0 and 1",
  },
  any: { ok: () => true, want: "anything" },
  num: { ok: isNum, want: "a number" },
  object: {
    ok: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    want: "an object",
  },
  objectOrNull: {
    ok: (v) => v === null || (typeof v === "object" && !Array.isArray(v)),
    want: "an object or null",
  },
} satisfies Record<string, Check>;

/** One expectation type. */
export interface Spec {
  type: string;
  kind: Kind;
  /** Expectation-specific kwargs. */
  params: Record<string, Check>;
  required: string[];
  /** For aggregates: the statistic. */
  metric?: string;
}

// Accepted everywhere because GE writes them into suites.
const COMMON: Record<string, Check> = {
  result_format: C.any,
  include_config: C.bool,
  catch_exceptions: C.bool,
  batch_id: C.strOrNull,
  // Profiler and GX Cloud settings GE may save; they do not change evaluation.
  auto: C.bool,
  profiler_config: C.any,
  windows: C.any,
};
const CONDITION: Record<string, Check> = {
  row_condition: C.strOrNull,
  condition_parser: C.strOrNull,
};
const BETWEEN = {
  min_value: C.bound,
  max_value: C.bound,
  strict_min: C.bool,
  strict_max: C.bool,
  parse_strings_as_datetimes: C.bool,
  allow_cross_type_comparisons: C.boolOrNull,
  output_strftime_format: C.strOrNull,
};

const SPECS: Spec[] = [];
function def(
  type: string,
  kind: Kind,
  params: Record<string, Check>,
  required: string[],
  metric?: string,
): void {
  const all = { ...COMMON, ...params };
  if (kind !== "table") Object.assign(all, CONDITION);
  if (kind !== "table" && kind !== "aggregate") all.mostly = C.mostly;
  SPECS.push({ type, kind, params: all, required, metric });
}

const col = { column: C.str };
// Table
def("expect_table_row_count_to_be_between", "table", {
  min_value: C.numBound,
  max_value: C.numBound,
  strict_min: C.bool,
  strict_max: C.bool,
}, []);
def("expect_table_row_count_to_equal", "table", { value: C.int }, ["value"]);
def("expect_table_column_count_to_equal", "table", { value: C.int }, ["value"]);
def("expect_table_column_count_to_be_between", "table", {
  min_value: C.numBound,
  max_value: C.numBound,
}, []);
def("expect_table_columns_to_match_ordered_list", "table", {
  column_list: C.strArrayOrNull,
}, ["column_list"]);
def("expect_table_columns_to_match_set", "table", {
  column_set: C.strArrayOrNull,
  exact_match: C.boolOrNull,
}, ["column_set"]);
def("expect_column_to_exist", "table", {
  column: C.str,
  column_index: C.intOrNull,
}, ["column"]);
// Column map
def("expect_column_values_to_not_be_null", "null_map", col, ["column"]);
def("expect_column_values_to_be_null", "null_map", col, ["column"]);
def("expect_column_values_to_be_between", "map", { ...col, ...BETWEEN }, [
  "column",
]);
def("expect_column_values_to_be_in_set", "map", {
  ...col,
  value_set: C.arrayOrNull,
  parse_strings_as_datetimes: C.bool,
}, ["column", "value_set"]);
def("expect_column_values_to_not_be_in_set", "map", {
  ...col,
  value_set: C.arrayOrNull,
  parse_strings_as_datetimes: C.bool,
}, ["column", "value_set"]);
def("expect_column_values_to_match_regex", "map", { ...col, regex: C.str }, [
  "column",
  "regex",
]);
def(
  "expect_column_values_to_not_match_regex",
  "map",
  { ...col, regex: C.str },
  ["column", "regex"],
);
def("expect_column_values_to_match_regex_list", "map", {
  ...col,
  regex_list: C.strArray,
  match_on: C.str,
}, ["column", "regex_list"]);
def("expect_column_values_to_be_of_type", "map", { ...col, type_: C.str }, [
  "column",
  "type_",
]);
def("expect_column_values_to_be_in_type_list", "map", {
  ...col,
  type_list: C.strArrayOrNull,
}, ["column", "type_list"]);
def("expect_column_value_lengths_to_be_between", "map", {
  ...col,
  min_value: C.numBound,
  max_value: C.numBound,
  strict_min: C.bool,
  strict_max: C.bool,
}, ["column"]);
def("expect_column_value_lengths_to_equal", "map", { ...col, value: C.int }, [
  "column",
  "value",
]);
def("expect_column_values_to_match_strftime_format", "map", {
  ...col,
  strftime_format: C.str,
}, ["column", "strftime_format"]);
def("expect_column_values_to_be_dateutil_parseable", "map", col, ["column"]);
def("expect_column_values_to_be_json_parseable", "map", col, ["column"]);
def("expect_column_values_to_be_unique", "unique", col, ["column"]);
def("expect_compound_columns_to_be_unique", "compound_unique", {
  column_list: C.strArray,
  ignore_row_if: C.str,
}, ["column_list"]);
def("expect_column_values_to_be_increasing", "order", {
  ...col,
  strictly: C.boolOrNull,
  parse_strings_as_datetimes: C.bool,
}, ["column"]);
def("expect_column_values_to_be_decreasing", "order", {
  ...col,
  strictly: C.boolOrNull,
  parse_strings_as_datetimes: C.bool,
}, ["column"]);
// Column aggregates
const AGG = { ...col, ...BETWEEN };
def("expect_column_mean_to_be_between", "aggregate", AGG, ["column"], "mean");
def(
  "expect_column_median_to_be_between",
  "aggregate",
  AGG,
  ["column"],
  "median",
);
def("expect_column_min_to_be_between", "aggregate", AGG, ["column"], "min");
def("expect_column_max_to_be_between", "aggregate", AGG, ["column"], "max");
def("expect_column_stdev_to_be_between", "aggregate", AGG, ["column"], "stdev");
def("expect_column_sum_to_be_between", "aggregate", AGG, ["column"], "sum");
def("expect_column_unique_value_count_to_be_between", "aggregate", AGG, [
  "column",
], "unique_value_count");
def(
  "expect_column_proportion_of_unique_values_to_be_between",
  "aggregate",
  AGG,
  ["column"],
  "unique_proportion",
);

const PAIR = {
  column_A: C.str,
  column_B: C.str,
  ignore_row_if: C.str,
  parse_strings_as_datetimes: C.bool,
};
def("expect_column_pair_values_to_be_equal", "pair", PAIR, [
  "column_A",
  "column_B",
]);
def("expect_column_pair_values_A_to_be_greater_than_B", "pair", {
  ...PAIR,
  or_equal: C.boolOrNull,
}, [
  "column_A",
  "column_B",
]);

def("expect_column_values_to_not_match_regex_list", "map", {
  ...col,
  regex_list: C.strArray,
  match_on: C.str,
}, ["column", "regex_list"]);
def("expect_column_values_to_match_like_pattern", "map", {
  ...col,
  like_pattern: C.str,
}, ["column", "like_pattern"]);
def("expect_column_values_to_not_match_like_pattern", "map", {
  ...col,
  like_pattern: C.str,
}, ["column", "like_pattern"]);
def("expect_column_values_to_match_like_pattern_list", "map", {
  ...col,
  like_pattern_list: C.strArray,
  match_on: C.str,
}, ["column", "like_pattern_list"]);
def("expect_column_values_to_not_match_like_pattern_list", "map", {
  ...col,
  like_pattern_list: C.strArray,
}, ["column", "like_pattern_list"]);
def("expect_column_values_to_match_json_schema", "map", {
  ...col,
  json_schema: C.object,
}, ["column", "json_schema"]);
def("expect_column_pair_values_to_be_in_set", "rowmap", {
  column_A: C.str,
  column_B: C.str,
  value_pairs_set: C.arrayOrNull,
  ignore_row_if: C.str,
}, ["column_A", "column_B", "value_pairs_set"]);
const MULTI = { column_list: C.strArray, ignore_row_if: C.str };
def("expect_multicolumn_sum_to_equal", "rowmap", {
  ...MULTI,
  sum_total: C.num,
}, ["column_list", "sum_total"]);
def(
  "expect_select_column_values_to_be_unique_within_record",
  "rowmap",
  MULTI,
  ["column_list"],
);
def("expect_multicolumn_values_to_be_unique", "rowmap", MULTI, [
  "column_list",
]);
def("expect_column_most_common_value_to_be_in_set", "values", {
  ...col,
  value_set: C.arrayOrNull,
  ties_okay: C.boolOrNull,
}, ["column", "value_set"]);
def("expect_column_quantile_values_to_be_between", "values", {
  ...col,
  quantile_ranges: C.object,
  allow_relative_error: C.any,
}, ["column", "quantile_ranges"]);
def("expect_column_value_z_scores_to_be_less_than", "values", {
  ...col,
  threshold: C.num,
  double_sided: C.bool,
}, ["column", "threshold", "double_sided"]);
def("expect_column_kl_divergence_to_be_less_than", "values", {
  ...col,
  partition_object: C.objectOrNull,
  threshold: C.numBound,
  internal_weight_holdout: C.num,
  tail_weight_holdout: C.num,
  bucketize_data: C.bool,
}, ["column"]);
def(
  "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than",
  "values",
  {
    ...col,
    distribution: C.str,
    p_value: C.num,
    params: C.any,
  },
  ["column", "distribution"],
);
def("expect_column_bootstrapped_ks_test_p_value_to_be_greater_than", "values", {
  ...col,
  partition_object: C.objectOrNull,
  p: C.num,
  bootstrap_samples: C.intOrNull,
  bootstrap_sample_size: C.intOrNull,
}, ["column", "partition_object"]);
def("expect_column_chisquare_test_p_value_to_be_greater_than", "values", {
  ...col,
  partition_object: C.objectOrNull,
  p: C.num,
  tail_weight_holdout: C.num,
}, ["column", "partition_object"]);
def("expect_column_pair_cramers_phi_value_to_be_less_than", "values", {
  column_A: C.str,
  column_B: C.str,
  bins_A: C.arrayOrNull,
  bins_B: C.arrayOrNull,
  n_bins_A: C.intOrNull,
  n_bins_B: C.intOrNull,
  threshold: C.num,
}, ["column_A", "column_B"]);
def("expect_table_row_count_to_equal_other_table", "table", {
  other_table_name: C.str,
}, ["other_table_name"]);

const DISTINCT = {
  ...col,
  value_set: C.arrayOrNull,
  parse_strings_as_datetimes: C.bool,
};
def("expect_column_distinct_values_to_be_in_set", "aggregate", DISTINCT, [
  "column",
  "value_set",
], "distinct_in");
def("expect_column_distinct_values_to_contain_set", "aggregate", DISTINCT, [
  "column",
  "value_set",
], "distinct_contain");
def("expect_column_distinct_values_to_equal_set", "aggregate", DISTINCT, [
  "column",
  "value_set",
], "distinct_equal");

const BY_TYPE = new Map(SPECS.map((s) => [s.type, s]));
// GE 1.x derives names from class names in snake case, so A and B lose their capitals.
const ALIASES: Record<string, string> = {
  expect_column_pair_values_a_to_be_greater_than_b:
    "expect_column_pair_values_A_to_be_greater_than_B",
};
for (const [alias, type] of Object.entries(ALIASES)) {
  BY_TYPE.set(alias, BY_TYPE.get(type)!);
}

/** Every expectation type the engine knows (GE 1.x spellings too), sorted. */
export const KNOWN_TYPES: readonly string[] = Object.freeze(
  [...BY_TYPE.keys()].sort(),
);

/** The spec of a type, or a QualityError listing the known types. */
export function specOf(type: unknown): Spec {
  const spec = typeof type === "string" ? BY_TYPE.get(type) : undefined;
  if (!spec) {
    throw new QualityError(
      `Unknown expectation type: ${describeValue(type)} (known types: ${
        KNOWN_TYPES.join(", ")
      })`,
    );
  }
  return spec;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !(v instanceof Date);
}

/**
 * Checks and copies one expectation configuration: a known type, kwargs of the
 * right types, the required ones present, meta an object.
 */
export function normalizeConfig(
  type: unknown,
  kwargs: unknown,
  meta: unknown,
): ExpectationConfiguration {
  const spec = specOf(type);
  if (kwargs === undefined || kwargs === null) kwargs = {};
  if (!isPlainObject(kwargs)) {
    throw new QualityError(
      `Expectation "${spec.type}" kwargs must be an object: ${
        describeValue(kwargs)
      }`,
    );
  }
  if (meta === undefined || meta === null) meta = {};
  if (!isPlainObject(meta)) {
    throw new QualityError(
      `Expectation "${spec.type}" meta must be an object: ${
        describeValue(meta)
      }`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(kwargs)) {
    if (value === undefined) continue;
    const check = Object.hasOwn(spec.params, name)
      ? spec.params[name]
      : undefined;
    if (!check) {
      throw new QualityError(
        `Unknown kwarg for "${spec.type}": "${name}" (allowed: ${
          Object.keys(spec.params).join(", ")
        })`,
      );
    }
    // Resolved when the suite runs (see _evaluation_parameters.ts).
    if (!check.ok(value) && !isParameter(value)) {
      throw new QualityError(
        `Kwarg "${name}" of "${spec.type}" must be ${check.want}: ${
          describeValue(value)
        }`,
      );
    }
    out[name] = value;
  }
  for (const name of spec.required) {
    if (!(name in out)) {
      throw new QualityError(
        `Expectation "${spec.type}" needs kwarg: "${name}"`,
      );
    }
  }
  return {
    expectation_type: type as string,
    kwargs: structuredClone(out),
    meta: structuredClone(meta as Record<string, unknown>),
  };
}
