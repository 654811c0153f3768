/**
 * {@linkcode ExpectationSuite}: an ordered list of expectations with typed
 * helpers named after GE's expectations, loaded from and saved to GE's suite
 * JSON (0.x's `expectation_suite_name` format; GX 1.x's `name` format is read
 * too).
 *
 * @module
 */

import { describeValue, QualityError } from "./errors.ts";
import { KNOWN_TYPES, normalizeConfig } from "./_registry.ts";
import type {
  ExpectationConfiguration,
  ExpectationSuiteJson,
  ExpectationSuiteV1Json,
} from "./types.ts";

/**
 * A bound for a between check: a number, a string (e.g. an ISO date), a Date, or null for none.
 *
 * @example Usage
 * ```ts
 * import type { Bound } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const bounds: Bound[] = [0, "2018-01-01", new Date(0), null];
 * assert.deepEqual(bounds.length, 4);
 * ```
 */
export type Bound = number | string | Date | null;

/**
 * Options every typed helper takes. Each camelCase field is also accepted in
 * GE's snake_case spelling (`rowCondition` or `row_condition`).
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnToExist("id", { meta: { owner: "ops" } });
 * assert.deepEqual(suite.expectations[0]?.meta, { owner: "ops" });
 * ```
 */
export interface ExpectationOptions {
  /**
   * Free-form metadata passed through to the result.
   * @default {{}}
   */
  meta?: Record<string, unknown>;
  /**
   * GE row condition: only rows matching it are in the domain, e.g.
   * `'col("type") == "earthquake"'` or `mag > 4`.
   * @default {undefined}
   */
  rowCondition?: string;
  /**
   * GE's condition parser name (`great_expectations__experimental__` or
   * `pandas`); both syntaxes are accepted whatever it says.
   * @default {undefined}
   */
  conditionParser?: string;
  /**
   * Same as `rowCondition`.
   * @default {undefined}
   */
  row_condition?: string;
  /**
   * Same as `conditionParser`.
   * @default {undefined}
   */
  condition_parser?: string;
}

/**
 * Options of column map expectations.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s")
 *   .expectColumnValuesToNotBeNull("mag", { mostly: 0.9, rowCondition: 'col("type") == "earthquake"' });
 * assert.equal(suite.expectations[0]?.kwargs.row_condition, 'col("type") == "earthquake"');
 * ```
 */
export interface MapOptions extends ExpectationOptions {
  /**
   * The fraction of non-null values that must pass (nulls are left out of the
   * denominator, as in GE).
   * @default {1}
   */
  mostly?: number;
}

/**
 * Bounds of a between expectation (camelCase or GE's snake_case).
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnMeanToBeBetween("mag", { minValue: 0, strictMin: true });
 * assert.deepEqual(suite.expectations[0]?.kwargs, { column: "mag", min_value: 0, strict_min: true });
 * ```
 */
export interface BetweenOptions extends ExpectationOptions {
  /**
   * Lower bound; null for none.
   * @default {null}
   */
  minValue?: Bound;
  /**
   * Upper bound; null for none.
   * @default {null}
   */
  maxValue?: Bound;
  /**
   * Exclude the lower bound itself.
   * @default {false}
   */
  strictMin?: boolean;
  /**
   * Exclude the upper bound itself.
   * @default {false}
   */
  strictMax?: boolean;
  /**
   * Same as `minValue`.
   * @default {null}
   */
  min_value?: Bound;
  /**
   * Same as `maxValue`.
   * @default {null}
   */
  max_value?: Bound;
  /**
   * Same as `strictMin`.
   * @default {false}
   */
  strict_min?: boolean;
  /**
   * Same as `strictMax`.
   * @default {false}
   */
  strict_max?: boolean;
}

/**
 * Bounds plus `mostly`, for map expectations with bounds.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToBeBetween("mag", { min_value: -1, max_value: 10, mostly: 0.95 });
 * assert.deepEqual(suite.expectations.length, 1);
 * ```
 */
export interface MapBetweenOptions extends BetweenOptions, MapOptions {}

/**
 * Options of the increasing / decreasing expectations.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeIncreasing("t", { strictly: true }).expectations[0]?.kwargs.strictly, true);
 * ```
 */
export interface OrderOptions extends MapOptions {
  /**
   * Require strictly increasing (decreasing) values.
   * @default {false}
   */
  strictly?: boolean;
}

/**
 * Options of `expect_compound_columns_to_be_unique`.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectCompoundColumnsToBeUnique(["a", "b"], { ignoreRowIf: "any_value_is_missing" });
 * assert.deepEqual(suite.expectations[0]?.kwargs.ignore_row_if, "any_value_is_missing");
 * ```
 */
export interface CompoundUniqueOptions extends MapOptions {
  /**
   * Which rows to skip: `all_values_are_missing`, `any_value_is_missing` or `never`.
   * @default {"all_values_are_missing"}
   */
  ignoreRowIf?: "all_values_are_missing" | "any_value_is_missing" | "never";
  /**
   * Same as `ignoreRowIf`.
   * @default {"all_values_are_missing"}
   */
  ignore_row_if?: "all_values_are_missing" | "any_value_is_missing" | "never";
}

/**
 * Options of the column pair expectations.
 *
 * @example Skip rows where either value is missing
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnPairValuesToBeEqual("a", "b", { ignoreRowIf: "either_value_is_missing" });
 * assert.deepEqual(suite.expectations[0]?.kwargs.ignore_row_if, "either_value_is_missing");
 * ```
 */
export interface PairOptions extends MapOptions {
  /**
   * Which rows to skip: `both_values_are_missing`, `either_value_is_missing` or `neither`.
   * @default {"both_values_are_missing"}
   */
  ignoreRowIf?:
    | "both_values_are_missing"
    | "either_value_is_missing"
    | "neither";
  /**
   * Same as `ignoreRowIf`.
   * @default {"both_values_are_missing"}
   */
  ignore_row_if?:
    | "both_values_are_missing"
    | "either_value_is_missing"
    | "neither";
  /**
   * For A > B: accept A equal to B too.
   * @default {false}
   */
  orEqual?: boolean;
  /**
   * Same as `orEqual`.
   * @default {false}
   */
  or_equal?: boolean;
}

/**
 * Options of `expect_column_values_to_match_regex_list`.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValuesToMatchRegexList("id", ["^a", "z$"], { matchOn: "all" });
 * assert.deepEqual(suite.expectations[0]?.kwargs.match_on, "all");
 * ```
 */
export interface RegexListOptions extends MapOptions {
  /**
   * Whether `any` or `all` of the regexes must match.
   * @default {"any"}
   */
  matchOn?: "any" | "all";
  /**
   * Same as `matchOn`.
   * @default {"any"}
   */
  match_on?: "any" | "all";
}

/**
 * Options of `expect_table_columns_to_match_set`.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectTableColumnsToMatchSet(["id"], { exactMatch: false });
 * assert.deepEqual(suite.expectations[0]?.kwargs.exact_match, false);
 * ```
 */
export interface ColumnSetOptions extends ExpectationOptions {
  /**
   * Require exactly these columns; false allows extra ones.
   * @default {true}
   */
  exactMatch?: boolean;
  /**
   * Same as `exactMatch`.
   * @default {true}
   */
  exact_match?: boolean;
}

/**
 * Options of `expect_column_to_exist`.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnToExist("id", { columnIndex: 0 });
 * assert.deepEqual(suite.expectations[0]?.kwargs.column_index, 0);
 * ```
 */
export interface ColumnToExistOptions extends ExpectationOptions {
  /**
   * The 0-based position the column must have.
   * @default {null}
   */
  columnIndex?: number | null;
  /**
   * Same as `columnIndex`.
   * @default {null}
   */
  column_index?: number | null;
}

/**
 * Options of `expect_column_value_z_scores_to_be_less_than`.
 *
 * @example Both tails
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnValueZScoresToBeLessThan("mag", 3, { doubleSided: true });
 * assert.equal(suite.expectations[0]?.kwargs.double_sided, true);
 * ```
 */
export interface ZScoreOptions extends MapOptions {
  /**
   * Compare |z| (both tails) instead of z.
   * @default {false}
   */
  doubleSided?: boolean;
}

/**
 * Options of `expect_column_most_common_value_to_be_in_set`.
 *
 * @example Ties allowed
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnMostCommonValueToBeInSet("type", ["a"], { tiesOkay: true });
 * assert.equal(suite.expectations[0]?.kwargs.ties_okay, true);
 * ```
 */
export interface MostCommonValueOptions extends ExpectationOptions {
  /**
   * With several modes, succeed when any of them is in the set.
   * @default {false}
   */
  tiesOkay?: boolean;
}

/**
 * Options of `expect_column_quantile_values_to_be_between`.
 *
 * @example Linear interpolation
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnQuantileValuesToBeBetween(
 *   "mag",
 *   { quantiles: [0.5], value_ranges: [[1, 3]] },
 *   { allowRelativeError: "linear" },
 * );
 * assert.equal(suite.expectations[0]?.kwargs.allow_relative_error, "linear");
 * ```
 */
export interface QuantileOptions extends ExpectationOptions {
  /**
   * pandas' quantile interpolation: `linear`, `lower`, `higher`, `midpoint`
   * or `nearest` (GE's pandas default, also for false).
   * @default {false}
   */
  allowRelativeError?:
    | false
    | "linear"
    | "lower"
    | "higher"
    | "midpoint"
    | "nearest";
}

/**
 * Options of `expect_column_kl_divergence_to_be_less_than`.
 *
 * @example Against a categorical partition
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnKlDivergenceToBeLessThan("type", {
 *   partitionObject: { values: ["a", "b"], weights: [0.5, 0.5] },
 *   threshold: 0.1,
 * });
 * assert.equal(suite.expectations[0]?.kwargs.threshold, 0.1);
 * ```
 */
export interface KlDivergenceOptions extends ExpectationOptions {
  /**
   * `{ values, weights }` (categorical) or `{ bins, weights, tail_weights? }`
   * (continuous); null builds one from the data.
   * @default {null}
   */
  partitionObject?: Record<string, unknown> | null;
  /**
   * The largest divergence that passes; null always passes.
   * @default {null}
   */
  threshold?: number | null;
  /**
   * Weight moved to empty interior bins.
   * @default {0}
   */
  internalWeightHoldout?: number;
  /**
   * Weight given to values outside the partition.
   * @default {0}
   */
  tailWeightHoldout?: number;
  /**
   * Histogram numeric data (false: compare value counts).
   * @default {true}
   */
  bucketizeData?: boolean;
}

/**
 * Options of `expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than`.
 *
 * @example Against a standard normal
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s")
 *   .expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan("x", "norm", {
 *     params: { loc: 0, scale: 1 },
 *   });
 * assert.deepEqual(suite.expectations[0]?.kwargs.params, { loc: 0, scale: 1 });
 * ```
 */
export interface KsTestOptions extends ExpectationOptions {
  /**
   * The smallest p-value that passes (between 0 and 1 exclusive).
   * @default {0.05}
   */
  pValue?: number;
  /**
   * `{ loc, scale }` or `[loc, scale]`, as scipy takes them.
   * @default {{ loc: 0, scale: 1 }}
   */
  params?: Record<string, number> | number[] | null;
}

/**
 * Options of `expect_column_bootstrapped_ks_test_p_value_to_be_greater_than`.
 *
 * @example Against an even continuous partition
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnBootstrappedKsTestPValueToBeGreaterThan("x", {
 *   partitionObject: { bins: [0, 0.5, 1], weights: [0.5, 0.5] },
 *   bootstrapSamples: 100,
 * });
 * assert.equal(suite.expectations[0]?.kwargs.bootstrap_samples, 100);
 * ```
 */
export interface BootstrappedKsTestOptions extends ExpectationOptions {
  /** `{ bins, weights }` with finite end bins and no tail weight. */
  partitionObject: Record<string, unknown>;
  /**
   * The p-value each bootstrap sample's KS test is held to.
   * @default {0.05}
   */
  p?: number;
  /**
   * How many samples are drawn.
   * @default {1000}
   */
  bootstrapSamples?: number | null;
  /**
   * The size of each sample (null: twice the partition's bins).
   * @default {null}
   */
  bootstrapSampleSize?: number | null;
}

/**
 * Options of `expect_column_chisquare_test_p_value_to_be_greater_than`.
 *
 * @example Against a fair coin
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s").expectColumnChisquareTestPValueToBeGreaterThan("side", {
 *   partitionObject: { values: ["h", "t"], weights: [0.5, 0.5] },
 * });
 * assert.equal(suite.expectations[0]?.kwargs.column, "side");
 * ```
 */
export interface ChisquareTestOptions extends ExpectationOptions {
  /** `{ values, weights }`, the weights summing to 1. */
  partitionObject: Record<string, unknown>;
  /**
   * The p-value must be greater than this.
   * @default {0.05}
   */
  p?: number;
  /**
   * Expected share of values outside the partition.
   * @default {0}
   */
  tailWeightHoldout?: number;
}

/**
 * Options of `expect_column_pair_cramers_phi_value_to_be_less_than`.
 *
 * @example Two bins of a numeric column
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("s")
 *   .expectColumnPairCramersPhiValueToBeLessThan("a", "b", { nBinsA: 2, threshold: 0.5 });
 * assert.equal(suite.expectations[0]?.kwargs.n_bins_A, 2);
 * ```
 */
export interface CramersPhiOptions extends ExpectationOptions {
  /** Bin edges (numbers) or groups of values (lists) of column A. */
  binsA?: unknown[] | null;
  /** Bin edges or groups of values of column B. */
  binsB?: unknown[] | null;
  /**
   * Bins of A when `binsA` is not given.
   * @default {10}
   */
  nBinsA?: number | null;
  /**
   * Bins of B when `binsB` is not given.
   * @default {10}
   */
  nBinsB?: number | null;
  /**
   * The largest Cramér's phi that passes.
   * @default {0.1}
   */
  threshold?: number;
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !(v instanceof Date);
}

function snake(key: string): string {
  if (key === "type") return "type_"; // GE's kwarg for the type name
  // GE keeps a pair's column letter in capitals: nBinsA is n_bins_A.
  const pair = /^(.*[a-z])([AB])$/.exec(key);
  if (pair) return `${snake(pair[1]!)}_${pair[2]}`;
  return key.replace(/[A-Z]/g, (m) => "_" + m.toLowerCase());
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * An ordered list of expectations with a name, built with typed helpers or
 * loaded from GE JSON. Helpers return the suite, so calls chain.
 *
 * @example Build, save and load a suite
 * ```ts
 * import { ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const suite = new ExpectationSuite("events")
 *   .expectColumnValuesToNotBeNull("mag", { mostly: 0.99 })
 *   .expectColumnValuesToBeBetween("mag", { minValue: -1, maxValue: 10 });
 * const copy = ExpectationSuite.fromJSON(JSON.stringify(suite));
 * assert.deepEqual(copy.name, "events");
 * assert.deepEqual(copy.expectations.length, 2);
 * ```
 */
export class ExpectationSuite {
  /** The suite's name (`expectation_suite_name`). */
  readonly name: string;
  /** Suite metadata, saved with the suite. */
  meta: Record<string, unknown>;
  #expectations: ExpectationConfiguration[] = [];

  /**
   * Creates an empty suite.
   *
   * @example An empty suite with metadata
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("nightly", { owner: "data-eng" });
   * assert.deepEqual(suite.meta.owner, "data-eng");
   * ```
   */
  constructor(name: string, meta: Record<string, unknown> = {}) {
    if (typeof name !== "string" || name.trim() === "") {
      throw new QualityError(
        `Suite name must be a non-empty string: ${describeValue(name)}`,
      );
    }
    if (!isObject(meta)) {
      throw new QualityError(
        `Suite meta must be an object: ${describeValue(meta)}`,
      );
    }
    this.name = name;
    this.meta = structuredClone(meta);
  }

  /**
   * Copies of the expectations, in order.
   *
   * @example List the types
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnToExist("id");
   * assert.deepEqual(suite.expectations.map((e) => e.expectation_type), ["expect_column_to_exist"]);
   * ```
   */
  get expectations(): ExpectationConfiguration[] {
    return structuredClone(this.#expectations);
  }

  /**
   * Adds an expectation from its GE configuration (`expectation_type` or 1.x's
   * `type`, `kwargs`, `meta`). Throws {@linkcode QualityError} for an unknown
   * type (listing the known ones) or kwargs of the wrong type.
   *
   * @example Add a raw configuration
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").addExpectation({
   *   expectation_type: "expect_column_values_to_be_in_set",
   *   kwargs: { column: "type", value_set: ["earthquake"] },
   * });
   * assert.deepEqual(suite.expectations.length, 1);
   * ```
   */
  addExpectation(
    config: {
      expectation_type?: string;
      type?: string;
      kwargs?: Record<string, unknown>;
      meta?: Record<string, unknown>;
    },
  ): this {
    if (!isObject(config)) {
      throw new QualityError(
        `Expectation must be an object: ${describeValue(config)}`,
      );
    }
    const type = config.expectation_type ?? config.type;
    let kwargs: unknown = config.kwargs;
    if (kwargs === undefined && config.type !== undefined) {
      // GX 1.x may store kwargs flat next to `type`.
      const flat: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(config)) {
        if (
          ![
            "type",
            "expectation_type",
            "meta",
            "id",
            "notes",
            "description",
            "rendered_content",
            "severity",
          ].includes(k)
        ) flat[k] = v;
      }
      kwargs = flat;
    }
    this.#expectations.push(normalizeConfig(type, kwargs, config.meta));
    return this;
  }

  /**
   * Adds an expectation by GE name and kwargs.
   *
   * @example The generic form
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s")
   *   .expect("expect_column_values_to_not_be_null", { column: "id" }, { severity: "high" });
   * assert.deepEqual(suite.expectations[0]?.meta, { severity: "high" });
   * ```
   */
  expect(
    type: string,
    kwargs: Record<string, unknown>,
    meta: Record<string, unknown> = {},
  ): this {
    return this.addExpectation({ expectation_type: type, kwargs, meta });
  }

  #add(type: string, kwargs: Record<string, unknown>, options: unknown): this {
    if (options !== undefined && !isOptions(options)) {
      throw new QualityError(
        `Options of "${type}" must be an object: ${describeValue(options)}`,
      );
    }
    const all: Record<string, unknown> = { ...kwargs };
    // An options object in place of a required argument is read as options:
    // expectColumnValuesToBeInSet("type", { valueSet: [...] }).
    const sources: unknown[] = [];
    for (const [key, value] of Object.entries(kwargs)) {
      if (!key.startsWith("column") && isOptions(value)) {
        delete all[key];
        sources.push(value);
      }
    }
    sources.push(options ?? {});
    let meta: Record<string, unknown> | undefined;
    for (const source of sources) {
      for (
        const [key, value] of Object.entries(source as Record<string, unknown>)
      ) {
        if (key === "meta") meta = value as Record<string, unknown>;
        else if (value !== undefined) all[snake(key)] = value;
      }
    }
    return this.addExpectation({ expectation_type: type, kwargs: all, meta });
  }

  #between(
    type: string,
    base: Record<string, unknown>,
    min: unknown,
    max: unknown,
    options: unknown,
  ): this {
    if (isOptions(min)) return this.#add(type, base, min);
    const kw = { ...base };
    if (min !== undefined) kw.min_value = min;
    if (max !== undefined) kw.max_value = max;
    return this.#add(type, kw, options);
  }

  // ------------------------------------------------------------ table

  /**
   * `expect_table_row_count_to_be_between`: bounds as an options object or positionally.
   *
   * @example At least one row
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectTableRowCountToBeBetween({ minValue: 1 });
   * assert.deepEqual(suite.expectations[0]?.kwargs, { min_value: 1 });
   * ```
   */
  expectTableRowCountToBeBetween(
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_table_row_count_to_be_between",
      {},
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_table_row_count_to_equal`.
   *
   * @example Exactly 3 rows
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectTableRowCountToEqual(3).expectations.length, 1);
   * ```
   */
  expectTableRowCountToEqual(
    value: number,
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_table_row_count_to_equal", { value }, options);
  }

  /**
   * `expect_table_column_count_to_equal`.
   *
   * @example Five columns
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectTableColumnCountToEqual(5).expectations.length, 1);
   * ```
   */
  expectTableColumnCountToEqual(
    value: number,
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_table_column_count_to_equal", { value }, options);
  }

  /**
   * `expect_table_column_count_to_be_between`.
   *
   * @example Between 2 and 10 columns
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectTableColumnCountToBeBetween(2, 10).expectations.length, 1);
   * ```
   */
  expectTableColumnCountToBeBetween(
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_table_column_count_to_be_between",
      {},
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_table_columns_to_match_ordered_list`.
   *
   * @example Exact column order
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectTableColumnsToMatchOrderedList(["id", "mag"]);
   * assert.deepEqual(suite.expectations[0]?.kwargs.column_list, ["id", "mag"]);
   * ```
   */
  expectTableColumnsToMatchOrderedList(
    columnList: string[],
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_table_columns_to_match_ordered_list", {
      column_list: columnList,
    }, options);
  }

  /**
   * `expect_table_columns_to_match_set` (`exactMatch: false` allows extra columns).
   *
   * @example These columns, any order
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectTableColumnsToMatchSet(["mag", "id"], { exactMatch: false });
   * assert.deepEqual(suite.expectations[0]?.kwargs.exact_match, false);
   * ```
   */
  expectTableColumnsToMatchSet(
    columnSet: string[],
    options?: ColumnSetOptions,
  ): this {
    return this.#add("expect_table_columns_to_match_set", {
      column_set: columnSet,
    }, options);
  }

  /**
   * `expect_column_to_exist` (optionally at a 0-based `columnIndex`).
   *
   * @example The id column exists
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnToExist("id").expectations.length, 1);
   * ```
   */
  expectColumnToExist(column: string, options?: ColumnToExistOptions): this {
    return this.#add("expect_column_to_exist", { column }, options);
  }

  // ------------------------------------------------------------ column map

  /**
   * `expect_column_values_to_not_be_null`.
   *
   * @example 99% of magnitudes present
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToNotBeNull("mag", { mostly: 0.99 });
   * assert.deepEqual(suite.expectations[0]?.kwargs, { column: "mag", mostly: 0.99 });
   * ```
   */
  expectColumnValuesToNotBeNull(column: string, options?: MapOptions): this {
    return this.#add(
      "expect_column_values_to_not_be_null",
      { column },
      options,
    );
  }

  /**
   * `expect_column_values_to_be_null`.
   *
   * @example A column that must stay empty
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeNull("deleted_at").expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeNull(column: string, options?: MapOptions): this {
    return this.#add("expect_column_values_to_be_null", { column }, options);
  }

  /**
   * `expect_column_values_to_be_between` (`strictMin` / `strictMax` exclude the bounds).
   *
   * @example Magnitudes in [-1, 10]
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToBeBetween("mag", -1, 10, { mostly: 0.95 });
   * assert.deepEqual(suite.expectations[0]?.kwargs, { column: "mag", min_value: -1, max_value: 10, mostly: 0.95 });
   * ```
   */
  expectColumnValuesToBeBetween(
    column: string,
    minOrOptions?: Bound | MapBetweenOptions,
    maxValue?: Bound,
    options?: MapBetweenOptions,
  ): this {
    return this.#between(
      "expect_column_values_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_values_to_be_in_set`.
   *
   * @example Known event types
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToBeInSet("type", ["earthquake", "explosion"]);
   * assert.deepEqual(suite.expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeInSet(
    column: string,
    valueSet: unknown[],
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_be_in_set", {
      column,
      value_set: valueSet,
    }, options);
  }

  /**
   * `expect_column_values_to_not_be_in_set`.
   *
   * @example No placeholder values
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToNotBeInSet("place", ["", "unknown"]).expectations.length, 1);
   * ```
   */
  expectColumnValuesToNotBeInSet(
    column: string,
    valueSet: unknown[],
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_not_be_in_set", {
      column,
      value_set: valueSet,
    }, options);
  }

  /**
   * `expect_column_values_to_match_regex` (searched anywhere in the value, as
   * GE does; Python's `(?P<name>…)` syntax is translated).
   *
   * @example Ids of two letters and digits
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToMatchRegex("id", "^[a-z]{2}\\d+$").expectations.length, 1);
   * ```
   */
  expectColumnValuesToMatchRegex(
    column: string,
    regex: string,
    options?: MapOptions,
  ): this {
    return this.#add(
      "expect_column_values_to_match_regex",
      { column, regex },
      options,
    );
  }

  /**
   * `expect_column_values_to_not_match_regex`.
   *
   * @example No leading spaces
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToNotMatchRegex("place", "^\\s").expectations.length, 1);
   * ```
   */
  expectColumnValuesToNotMatchRegex(
    column: string,
    regex: string,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_not_match_regex", {
      column,
      regex,
    }, options);
  }

  /**
   * `expect_column_values_to_match_regex_list` (`matchOn`: any or all).
   *
   * @example Either pattern
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToMatchRegexList("id", ["^us", "^ak"]).expectations.length, 1);
   * ```
   */
  expectColumnValuesToMatchRegexList(
    column: string,
    regexList: string[],
    options?: RegexListOptions,
  ): this {
    return this.#add("expect_column_values_to_match_regex_list", {
      column,
      regex_list: regexList,
    }, options);
  }

  /**
   * `expect_column_values_to_be_of_type`, with GE's type names (`int`,
   * `float`, `str`, `bool`, `datetime64`, `dict`, `list`, Spark/SQL spellings).
   * JavaScript numbers carry no int/float distinction: `float` accepts every
   * number, `int` the integral ones.
   *
   * @example Magnitudes are numbers
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeOfType("mag", "float").expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeOfType(
    column: string,
    type: string,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_be_of_type", {
      column,
      type_: type,
    }, options);
  }

  /**
   * `expect_column_values_to_be_in_type_list`.
   *
   * @example Numbers or strings
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeInTypeList("v", ["int", "str"]).expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeInTypeList(
    column: string,
    typeList: string[],
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_be_in_type_list", {
      column,
      type_list: typeList,
    }, options);
  }

  /**
   * `expect_column_value_lengths_to_be_between` (string lengths in code points).
   *
   * @example Non-empty places up to 200 characters
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValueLengthsToBeBetween("place", 1, 200).expectations.length, 1);
   * ```
   */
  expectColumnValueLengthsToBeBetween(
    column: string,
    minOrOptions?: number | null | MapBetweenOptions,
    maxValue?: number | null,
    options?: MapBetweenOptions,
  ): this {
    return this.#between(
      "expect_column_value_lengths_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_value_lengths_to_equal`.
   *
   * @example Two-letter network codes
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValueLengthsToEqual("net", 2).expectations.length, 1);
   * ```
   */
  expectColumnValueLengthsToEqual(
    column: string,
    value: number,
    options?: MapOptions,
  ): this {
    return this.#add(
      "expect_column_value_lengths_to_equal",
      { column, value },
      options,
    );
  }

  /**
   * `expect_column_values_to_match_strftime_format`: the date-format check,
   * with Python's strptime rules (`%Y-%m-%dT%H:%M:%S`, day valid for month).
   *
   * @example ISO dates
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToMatchStrftimeFormat("day", "%Y-%m-%d").expectations.length, 1);
   * ```
   */
  expectColumnValuesToMatchStrftimeFormat(
    column: string,
    strftimeFormat: string,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_match_strftime_format", {
      column,
      strftime_format: strftimeFormat,
    }, options);
  }

  /**
   * `expect_column_values_to_be_dateutil_parseable` (here: `Date.parse` accepts the string).
   *
   * @example Parseable timestamps
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeDateutilParseable("updated").expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeDateutilParseable(
    column: string,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_be_dateutil_parseable", {
      column,
    }, options);
  }

  /**
   * `expect_column_values_to_be_json_parseable`.
   *
   * @example JSON payloads
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeJsonParseable("payload").expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeJsonParseable(
    column: string,
    options?: MapOptions,
  ): this {
    return this.#add(
      "expect_column_values_to_be_json_parseable",
      { column },
      options,
    );
  }

  /**
   * `expect_column_values_to_be_unique`: every occurrence of a repeated value
   * is unexpected, as in GE.
   *
   * @example Unique ids
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeUnique("id").expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeUnique(column: string, options?: MapOptions): this {
    return this.#add("expect_column_values_to_be_unique", { column }, options);
  }

  /**
   * `expect_compound_columns_to_be_unique`.
   *
   * @example One reading per station and time
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectCompoundColumnsToBeUnique(["station", "time"]).expectations.length, 1);
   * ```
   */
  expectCompoundColumnsToBeUnique(
    columnList: string[],
    options?: CompoundUniqueOptions,
  ): this {
    return this.#add("expect_compound_columns_to_be_unique", {
      column_list: columnList,
    }, options);
  }

  /**
   * `expect_column_values_to_be_increasing` (each non-null value against the previous one).
   *
   * @example Time moves forward
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeIncreasing("time", { strictly: true }).expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeIncreasing(
    column: string,
    options?: OrderOptions,
  ): this {
    return this.#add(
      "expect_column_values_to_be_increasing",
      { column },
      options,
    );
  }

  /**
   * `expect_column_values_to_be_decreasing`.
   *
   * @example A countdown
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnValuesToBeDecreasing("left").expectations.length, 1);
   * ```
   */
  expectColumnValuesToBeDecreasing(
    column: string,
    options?: OrderOptions,
  ): this {
    return this.#add(
      "expect_column_values_to_be_decreasing",
      { column },
      options,
    );
  }

  /**
   * `expect_column_pair_values_to_be_equal`: unexpected values are `[a, b]` pairs.
   *
   * @example Two copies of a field agree
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnPairValuesToBeEqual("code", "id_code").expectations.length, 1);
   * ```
   */
  expectColumnPairValuesToBeEqual(
    columnA: string,
    columnB: string,
    options?: PairOptions,
  ): this {
    if (options?.orEqual !== undefined || options?.or_equal !== undefined) {
      throw new QualityError(
        `Option orEqual applies to A > B only: ${describeValue(options)}`,
      );
    }
    return this.#add("expect_column_pair_values_to_be_equal", {
      column_A: columnA,
      column_B: columnB,
    }, options);
  }

  /**
   * `expect_column_pair_values_A_to_be_greater_than_B` (`orEqual` accepts A = B).
   *
   * @example Updated after created
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnPairValuesAToBeGreaterThanB("updated", "time", { orEqual: true }).expectations.length, 1);
   * ```
   */
  expectColumnPairValuesAToBeGreaterThanB(
    columnA: string,
    columnB: string,
    options?: PairOptions,
  ): this {
    return this.#add(
      "expect_column_pair_values_A_to_be_greater_than_B",
      { column_A: columnA, column_B: columnB },
      options,
    );
  }

  // ------------------------------------------------------------ aggregates

  /**
   * `expect_column_mean_to_be_between` (exact, correctly rounded sum).
   *
   * @example Mean magnitude between 0 and 3
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnMeanToBeBetween("mag", 0, 3).expectations.length, 1);
   * ```
   */
  expectColumnMeanToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_mean_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_median_to_be_between` (keeps every non-null value to find the exact median).
   *
   * @example Median depth
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnMedianToBeBetween("depth", { minValue: 0 }).expectations.length, 1);
   * ```
   */
  expectColumnMedianToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_median_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_min_to_be_between`.
   *
   * @example No magnitude below -2
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnMinToBeBetween("mag", -2, null).expectations.length, 1);
   * ```
   */
  expectColumnMinToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_min_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_max_to_be_between`.
   *
   * @example No magnitude above 10
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnMaxToBeBetween("mag", { maxValue: 10 }).expectations.length, 1);
   * ```
   */
  expectColumnMaxToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_max_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_stdev_to_be_between` (sample standard deviation, ddof = 1, like pandas).
   *
   * @example Spread of magnitudes
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnStdevToBeBetween("mag", 0.1, 3).expectations.length, 1);
   * ```
   */
  expectColumnStdevToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_stdev_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_sum_to_be_between`.
   *
   * @example Total amount
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnSumToBeBetween("amount", 0, 1e6).expectations.length, 1);
   * ```
   */
  expectColumnSumToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_sum_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_unique_value_count_to_be_between` (keeps the set of distinct values).
   *
   * @example A handful of event types
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnUniqueValueCountToBeBetween("type", 1, 10).expectations.length, 1);
   * ```
   */
  expectColumnUniqueValueCountToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_unique_value_count_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_proportion_of_unique_values_to_be_between` (distinct / non-null).
   *
   * @example Mostly distinct ids
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnProportionOfUniqueValuesToBeBetween("id", 0.99, 1).expectations.length, 1);
   * ```
   */
  expectColumnProportionOfUniqueValuesToBeBetween(
    column: string,
    minOrOptions?: Bound | BetweenOptions,
    maxValue?: Bound,
    options?: BetweenOptions,
  ): this {
    return this.#between(
      "expect_column_proportion_of_unique_values_to_be_between",
      { column },
      minOrOptions,
      maxValue,
      options,
    );
  }

  /**
   * `expect_column_distinct_values_to_be_in_set`: every distinct value is in the
   * set (`observed_value` is the sorted distinct values).
   *
   * @example Only known networks
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnDistinctValuesToBeInSet("net", ["ci", "us"]).expectations.length, 1);
   * ```
   */
  expectColumnDistinctValuesToBeInSet(
    column: string,
    valueSet: unknown[],
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_column_distinct_values_to_be_in_set", {
      column,
      value_set: valueSet,
    }, options);
  }

  /**
   * `expect_column_distinct_values_to_contain_set`: every value of the set occurs.
   *
   * @example Both networks report
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnDistinctValuesToContainSet("net", ["ci", "us"]).expectations.length, 1);
   * ```
   */
  expectColumnDistinctValuesToContainSet(
    column: string,
    valueSet: unknown[],
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_column_distinct_values_to_contain_set", {
      column,
      value_set: valueSet,
    }, options);
  }

  /**
   * `expect_column_distinct_values_to_equal_set`: the distinct values are exactly the set.
   *
   * @example Exactly these statuses
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new ExpectationSuite("s").expectColumnDistinctValuesToEqualSet("status", ["automatic", "reviewed"]).expectations.length, 1);
   * ```
   */
  expectColumnDistinctValuesToEqualSet(
    column: string,
    valueSet: unknown[],
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_column_distinct_values_to_equal_set", {
      column,
      value_set: valueSet,
    }, options);
  }

  // ------------------------------------------------------------ more of GE's catalogue

  /**
   * `expect_column_values_to_not_match_regex_list`: no regex of the list matches.
   *
   * @example No test ids
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToNotMatchRegexList("id", ["^test", "^tmp"]);
   * assert.deepEqual(suite.expectations[0]?.kwargs.regex_list, ["^test", "^tmp"]);
   * ```
   */
  expectColumnValuesToNotMatchRegexList(
    column: string,
    regexList: string[],
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_not_match_regex_list", {
      column,
      regex_list: regexList,
    }, options);
  }

  /**
   * `expect_column_values_to_match_like_pattern`: SQL LIKE (`%` any run, `_` one character).
   *
   * @example Ids that start with "us"
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToMatchLikePattern("id", "us%");
   * assert.equal(suite.expectations[0]?.kwargs.like_pattern, "us%");
   * ```
   */
  expectColumnValuesToMatchLikePattern(
    column: string,
    likePattern: string,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_match_like_pattern", {
      column,
      like_pattern: likePattern,
    }, options);
  }

  /**
   * `expect_column_values_to_not_match_like_pattern`.
   *
   * @example No blank-prefixed places
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToNotMatchLikePattern("place", " %");
   * assert.equal(suite.expectations.length, 1);
   * ```
   */
  expectColumnValuesToNotMatchLikePattern(
    column: string,
    likePattern: string,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_not_match_like_pattern", {
      column,
      like_pattern: likePattern,
    }, options);
  }

  /**
   * `expect_column_values_to_match_like_pattern_list`: any (or all) of the patterns match.
   *
   * @example Either network
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToMatchLikePatternList("id", ["us%", "ak%"]);
   * assert.deepEqual(suite.expectations[0]?.kwargs.like_pattern_list, ["us%", "ak%"]);
   * ```
   */
  expectColumnValuesToMatchLikePatternList(
    column: string,
    likePatternList: string[],
    options?: RegexListOptions,
  ): this {
    return this.#add("expect_column_values_to_match_like_pattern_list", {
      column,
      like_pattern_list: likePatternList,
    }, options);
  }

  /**
   * `expect_column_values_to_not_match_like_pattern_list`: none of the patterns match.
   *
   * @example No test or tmp ids
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToNotMatchLikePatternList("id", ["test%", "tmp%"]);
   * assert.equal(suite.expectations.length, 1);
   * ```
   */
  expectColumnValuesToNotMatchLikePatternList(
    column: string,
    likePatternList: string[],
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_not_match_like_pattern_list", {
      column,
      like_pattern_list: likePatternList,
    }, options);
  }

  /**
   * `expect_column_values_to_match_json_schema`: each value, parsed as JSON
   * text, is valid against a JSON Schema (draft 7).
   *
   * @example Objects with an integer "a"
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValuesToMatchJsonSchema("doc", {
   *   required: ["a"],
   *   properties: { a: { type: "integer" } },
   * });
   * const r = await validate([{ doc: '{"a": 1}' }, { doc: '{"a": "x"}' }], suite);
   * assert.deepEqual(r.results[0]?.result.partial_unexpected_list, ['{"a": "x"}']);
   * ```
   */
  expectColumnValuesToMatchJsonSchema(
    column: string,
    jsonSchema: Record<string, unknown>,
    options?: MapOptions,
  ): this {
    return this.#add("expect_column_values_to_match_json_schema", { column }, {
      ...options,
      jsonSchema,
    });
  }

  /**
   * `expect_column_value_z_scores_to_be_less_than`: (value - mean) / stdev
   * under the threshold. Keeps every non-null value (z needs the column's
   * mean and stdev).
   *
   * @example Within three standard deviations
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnValueZScoresToBeLessThan("mag", 3, { doubleSided: true });
   * assert.equal(suite.expectations[0]?.kwargs.threshold, 3);
   * ```
   */
  expectColumnValueZScoresToBeLessThan(
    column: string,
    threshold: number,
    options?: ZScoreOptions,
  ): this {
    return this.#add("expect_column_value_z_scores_to_be_less_than", {
      column,
      threshold,
      double_sided: false,
    }, options);
  }

  /**
   * `expect_column_pair_values_to_be_in_set`: each row's (A, B) is one of the pairs.
   *
   * @example Allowed combinations
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnPairValuesToBeInSet("net", "region", [["ci", "CA"], ["ak", "AK"]]);
   * assert.deepEqual(suite.expectations[0]?.kwargs.value_pairs_set, [["ci", "CA"], ["ak", "AK"]]);
   * ```
   */
  expectColumnPairValuesToBeInSet(
    columnA: string,
    columnB: string,
    valuePairsSet: [unknown, unknown][] | null,
    options?: PairOptions,
  ): this {
    return this.#add("expect_column_pair_values_to_be_in_set", {
      column_A: columnA,
      column_B: columnB,
      value_pairs_set: valuePairsSet,
    }, options);
  }

  /**
   * `expect_multicolumn_sum_to_equal`: each row's columns sum to the total.
   *
   * @example Shares that add up
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectMulticolumnSumToEqual(["a", "b"], 100);
   * assert.equal(suite.expectations[0]?.kwargs.sum_total, 100);
   * ```
   */
  expectMulticolumnSumToEqual(
    columnList: string[],
    sumTotal: number,
    options?: CompoundUniqueOptions,
  ): this {
    return this.#add("expect_multicolumn_sum_to_equal", {
      column_list: columnList,
      sum_total: sumTotal,
    }, options);
  }

  /**
   * `expect_select_column_values_to_be_unique_within_record`: no two of the
   * columns hold the same value in a row.
   *
   * @example Distinct choices
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectSelectColumnValuesToBeUniqueWithinRecord(["first", "second"]);
   * assert.equal(suite.expectations.length, 1);
   * ```
   */
  expectSelectColumnValuesToBeUniqueWithinRecord(
    columnList: string[],
    options?: CompoundUniqueOptions,
  ): this {
    return this.#add("expect_select_column_values_to_be_unique_within_record", {
      column_list: columnList,
    }, options);
  }

  /**
   * `expect_column_most_common_value_to_be_in_set`: the mode (pandas'
   * `Series.mode`) is in the set. Keeps every non-null value.
   *
   * @example Mostly earthquakes
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnMostCommonValueToBeInSet("type", ["earthquake"]);
   * const r = await validate([{ type: "earthquake" }, { type: "earthquake" }, { type: "blast" }], suite);
   * assert.deepEqual(r.results[0]?.result.observed_value, ["earthquake"]);
   * ```
   */
  expectColumnMostCommonValueToBeInSet(
    column: string,
    valueSet: unknown[],
    options?: MostCommonValueOptions,
  ): this {
    return this.#add("expect_column_most_common_value_to_be_in_set", {
      column,
      value_set: valueSet,
    }, options);
  }

  /**
   * `expect_column_quantile_values_to_be_between`: each quantile (pandas'
   * interpolation, `nearest` by default) within its range; null is unbounded.
   * Keeps every non-null number.
   *
   * @example The median between 1 and 3
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnQuantileValuesToBeBetween("mag", {
   *   quantiles: [0.5],
   *   value_ranges: [[1, 3]],
   * });
   * const r = await validate([{ mag: 1 }, { mag: 2 }, { mag: 9 }], suite);
   * assert.deepEqual(r.results[0]?.result.observed_value, { quantiles: [0.5], values: [2] });
   * ```
   */
  expectColumnQuantileValuesToBeBetween(
    column: string,
    quantileRanges: {
      quantiles: number[];
      value_ranges: (number | null)[][];
    },
    options?: QuantileOptions,
  ): this {
    return this.#add("expect_column_quantile_values_to_be_between", {
      column,
    }, { ...options, quantileRanges });
  }

  /**
   * `expect_column_kl_divergence_to_be_less_than`: the column's distribution
   * against a partition object, KL divergence as scipy's `entropy`. Keeps
   * every non-null value.
   *
   * @example Close to an even split
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnKlDivergenceToBeLessThan("side", {
   *   partitionObject: { values: ["h", "t"], weights: [0.5, 0.5] },
   *   threshold: 0.1,
   * });
   * const r = await validate([{ side: "h" }, { side: "t" }], suite);
   * assert.equal(r.results[0]?.result.observed_value, 0);
   * ```
   */
  expectColumnKlDivergenceToBeLessThan(
    column: string,
    options?: KlDivergenceOptions,
  ): this {
    return this.#add("expect_column_kl_divergence_to_be_less_than", {
      column,
    }, options);
  }

  /**
   * `expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than`:
   * scipy's two-sided `kstest` of the column against `norm`, `uniform` or
   * `expon` with `params`; `observed_value` is the p-value, `details` the KS
   * result `[statistic, p-value]`. Keeps every non-null value; the test does
   * not merge across spark partitions, the kept values concatenate.
   *
   * @example A uniform sample
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s")
   *   .expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan("x", "uniform");
   * const r = await validate([0.25, 0.75].map((x) => ({ x })), suite);
   * assert.equal(r.results[0]?.result.observed_value, 1);
   * ```
   */
  expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan(
    column: string,
    distribution: string,
    options?: KsTestOptions,
  ): this {
    return this.#add(
      "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than",
      { column, distribution },
      options,
    );
  }

  /**
   * `expect_column_bootstrapped_ks_test_p_value_to_be_greater_than`: GE's
   * bootstrap of KS tests against a continuous partition's piecewise-linear
   * CDF; `observed_value` is the share of samples passing, `(1 + passing) /
   * (samples + 1)`. Samples come from a generator with a fixed seed, so the
   * result is reproducible. Keeps every non-null value; the test does not
   * merge across spark partitions, the kept values concatenate.
   *
   * @example Values far outside the partition
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnBootstrappedKsTestPValueToBeGreaterThan("x", {
   *   partitionObject: { bins: [0, 1, 2], weights: [0.5, 0.5] },
   *   bootstrapSamples: 9,
   * });
   * const r = await validate([5, 6, 7].map((x) => ({ x })), suite);
   * assert.equal(r.results[0]?.result.observed_value, 0.1);
   * ```
   */
  expectColumnBootstrappedKsTestPValueToBeGreaterThan(
    column: string,
    options: BootstrappedKsTestOptions,
  ): this {
    return this.#add(
      "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than",
      { column },
      options,
    );
  }

  /**
   * `expect_column_chisquare_test_p_value_to_be_greater_than`: scipy's
   * `chisquare` of the column's value counts against a categorical
   * partition (values outside it share `tail_weight_holdout`), the p-value
   * from the regularized upper incomplete gamma function. Keeps every
   * non-null value; the test does not merge across spark partitions, the
   * kept values concatenate.
   *
   * @example 10, 20 and 30 against an even split
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnChisquareTestPValueToBeGreaterThan("c", {
   *   partitionObject: { values: ["a", "b", "c"], weights: [1 / 3, 1 / 3, 1 / 3] },
   * });
   * const rows = ["a", "b", "c"].flatMap((c, i) => Array(10 * (i + 1)).fill({ c }));
   * const r = await validate(rows, suite);
   * assert.ok(Math.abs((r.results[0]?.result.observed_value as number) - Math.exp(-5)) < 1e-12);
   * ```
   */
  expectColumnChisquareTestPValueToBeGreaterThan(
    column: string,
    options: ChisquareTestOptions,
  ): this {
    return this.#add(
      "expect_column_chisquare_test_p_value_to_be_greater_than",
      { column },
      options,
    );
  }

  /**
   * `expect_column_pair_cramers_phi_value_to_be_less_than`: Cramér's phi of
   * the two columns' crosstab (numbers binned, other values by category),
   * from scipy's `chi2_contingency` with Yates' correction on one degree of
   * freedom. Keeps every row's pair; the pairs concatenate across spark
   * partitions, the statistic does not merge.
   *
   * @example Independent columns
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectColumnPairCramersPhiValueToBeLessThan("a", "b");
   * const rows = [["x", "p"], ["x", "q"], ["y", "p"], ["y", "q"]].map(([a, b]) => ({ a, b }));
   * const r = await validate(rows, suite);
   * assert.equal(r.results[0]?.result.observed_value, 0);
   * ```
   */
  expectColumnPairCramersPhiValueToBeLessThan(
    columnA: string,
    columnB: string,
    options?: CramersPhiOptions,
  ): this {
    return this.#add(
      "expect_column_pair_cramers_phi_value_to_be_less_than",
      { column_A: columnA, column_B: columnB },
      options,
    );
  }

  /**
   * `expect_table_row_count_to_equal_other_table`: as many rows as the table
   * named here, given to `validate` in `otherTables`.
   *
   * @example Same count as the archive
   * ```ts
   * import { ExpectationSuite, validate } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = new ExpectationSuite("s").expectTableRowCountToEqualOtherTable("archive");
   * const r = await validate([{ a: 1 }], suite, { otherTables: { archive: [{ a: 1 }] } });
   * assert.equal(r.success, true);
   * ```
   */
  expectTableRowCountToEqualOtherTable(
    otherTableName: string,
    options?: ExpectationOptions,
  ): this {
    return this.#add("expect_table_row_count_to_equal_other_table", {
      other_table_name: otherTableName,
    }, options);
  }

  // ------------------------------------------------------------ JSON

  /**
   * The suite in GE 0.x's JSON format (`JSON.stringify(suite)` uses it).
   *
   * @example Serialise
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const json = new ExpectationSuite("s").expectColumnToExist("id").toJSON();
   * assert.deepEqual(json.expectation_suite_name, "s");
   * assert.deepEqual(json.expectations[0]?.expectation_type, "expect_column_to_exist");
   * ```
   */
  toJSON(): ExpectationSuiteJson {
    return {
      expectation_suite_name: this.name,
      expectations: this.expectations,
      meta: structuredClone(this.meta),
      data_asset_type: null,
    };
  }

  /**
   * The suite in GX 1.x's JSON format (`name`, `expectations[{ type, kwargs, meta }]`).
   *
   * @example Serialise for GX 1.x
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const json = new ExpectationSuite("s").expectColumnToExist("id").toV1JSON();
   * assert.deepEqual(json.name, "s");
   * assert.deepEqual(json.expectations[0]?.type, "expect_column_to_exist");
   * ```
   */
  toV1JSON(): ExpectationSuiteV1Json {
    return {
      name: this.name,
      expectations: this.#expectations.map((e) => ({
        type: e.expectation_type,
        kwargs: structuredClone(e.kwargs),
        meta: structuredClone(e.meta),
      })),
      meta: structuredClone(this.meta),
    };
  }

  /**
   * Loads a suite from GE JSON (a string or a parsed object), in 0.x's
   * `{ expectation_suite_name, expectations[{ expectation_type, kwargs, meta }] }`
   * or GX 1.x's `{ name, expectations[{ type, kwargs }] }` shape. Throws
   * {@linkcode QualityError} on malformed JSON, unknown expectation types
   * (listing the known ones) and kwargs of the wrong type.
   *
   * @example Load a GX 1.x suite
   * ```ts
   * import { ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const suite = ExpectationSuite.fromJSON({
   *   name: "events",
   *   expectations: [{ type: "expect_column_values_to_not_be_null", kwargs: { column: "id" } }],
   * });
   * assert.deepEqual(suite.toJSON().expectations[0]?.expectation_type, "expect_column_values_to_not_be_null");
   * ```
   */
  static fromJSON(
    json:
      | string
      | ExpectationSuiteJson
      | ExpectationSuiteV1Json
      | Record<string, unknown>,
  ): ExpectationSuite {
    let data: unknown = json;
    if (typeof json === "string") {
      try {
        data = JSON.parse(json);
      } catch (error) {
        throw new QualityError(
          `Suite JSON does not parse: ${describeValue(json)}`,
          { cause: error },
        );
      }
    }
    if (!isObject(data)) {
      throw new QualityError(
        `Suite JSON must be an object: ${describeValue(data)}`,
      );
    }
    const name = data.expectation_suite_name ?? data.name;
    if (typeof name !== "string") {
      throw new QualityError(
        `Suite JSON needs "expectation_suite_name" or "name": ${
          describeValue(data)
        }`,
      );
    }
    const meta = data.meta ?? {};
    if (!isObject(meta)) {
      throw new QualityError(
        `Suite meta must be an object: ${describeValue(meta)}`,
      );
    }
    const suite = new ExpectationSuite(name, meta);
    const list = data.expectations ?? [];
    if (!Array.isArray(list)) {
      throw new QualityError(
        `Suite "expectations" must be an array: ${describeValue(list)}`,
      );
    }
    list.forEach((item, i) => {
      try {
        suite.addExpectation(item);
      } catch (error) {
        if (error instanceof QualityError) {
          throw new QualityError(
            `Expectation ${i} of suite "${name}" is invalid: ${error.message}`,
            { cause: error },
          );
        }
        throw error;
      }
    });
    return suite;
  }
}

/**
 * Every expectation type this engine knows, sorted.
 *
 * @example Is a type supported?
 * ```ts
 * import { expectationTypes } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(expectationTypes().includes("expect_column_values_to_be_unique"), true);
 * ```
 */
export function expectationTypes(): string[] {
  return [...KNOWN_TYPES];
}
