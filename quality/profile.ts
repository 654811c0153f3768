/**
 * {@linkcode profile}: builds an expectation suite from data, as GE's
 * `UserConfigurableProfiler` does. One pass over the rows records, per
 * column, its value kinds, null count, numeric range and distinct values
 * (the set is dropped once it passes the cardinality limit, except for the
 * uniqueness count); the suite then says what was seen:
 *
 * - the table: row count, the ordered column list;
 * - every column: its pandas type (`expect_column_values_to_be_in_type_list`),
 *   nulls (`…_to_not_be_null` with `mostly` at the observed rate, or
 *   `…_to_be_null` for an all-null column);
 * - numeric columns: min, max, mean and median ranges, `…_to_be_between`;
 * - low-cardinality columns (at most `maxValueSetSize` distinct values):
 *   `…_to_be_in_set` and `expect_column_distinct_values_to_be_in_set`;
 * - columns whose non-null values are all distinct: `…_to_be_unique`.
 *
 * Memory: the distinct values of each column (for uniqueness), so a profile of
 * a 1M-row key column holds 1M keys.
 *
 * @module
 */

import { dtypeName, kindOf } from "./_dtype.ts";
import { isMissing, keyOf, totalOrder } from "./_values.ts";
import { describeValue, QualityError } from "./errors.ts";
import { ExpectationSuite, expectationTypes } from "./expectation_suite.ts";

/**
 * Options for {@linkcode profile}.
 *
 * @example Exclude a column and an expectation type
 * ```ts
 * import type { ProfileOptions } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const options: ProfileOptions = {
 *   excludedColumns: ["id"],
 *   excludedExpectations: ["expect_column_mean_to_be_between"],
 * };
 * assert.equal(options.excludedColumns?.length, 1);
 * ```
 */
export interface ProfileOptions {
  /**
   * The suite's name.
   * @default {"profiled"}
   */
  suiteName?: string;
  /**
   * Columns to leave out.
   * @default {[]}
   */
  excludedColumns?: string[];
  /**
   * Expectation types to leave out (GE names).
   * @default {[]}
   */
  excludedExpectations?: string[];
  /**
   * The most distinct values a column may have to get a value set.
   * @default {10}
   */
  maxValueSetSize?: number;
}

interface ColumnProfile {
  rows: number;
  missing: number;
  kinds: number;
  min: number;
  max: number;
  sum: number;
  numbers: number[];
  distinct: Map<unknown, unknown>;
  /** Whether a value repeated. */
  repeats: boolean;
}

function newColumn(): ColumnProfile {
  return {
    rows: 0,
    missing: 0,
    kinds: 0,
    min: Infinity,
    max: -Infinity,
    sum: 0,
    numbers: [],
    distinct: new Map(),
    repeats: false,
  };
}

function median(xs: number[]): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * Profiles rows (an array, an iterable or an async iterable of objects) into
 * an {@linkcode ExpectationSuite} that the same data passes. Rejects with a
 * {@linkcode QualityError} for a row that is not an object or a bad option.
 *
 * @example Profile, then validate the data against its own profile
 * ```ts
 * import { profile, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const rows = [
 *   { id: 1, kind: "quake", mag: 2.5 },
 *   { id: 2, kind: "quake", mag: 4.1 },
 *   { id: 3, kind: "blast", mag: null },
 * ];
 * const suite = await profile(rows, { excludedColumns: ["id"] });
 * const types = suite.expectations.map((e) => e.expectation_type);
 * assert.ok(types.includes("expect_column_values_to_be_in_set"));
 * assert.ok(!suite.expectations.some((e) => e.kwargs.column === "id"));
 * assert.equal((await validate(rows, suite)).success, true);
 * ```
 */
export async function profile(
  data: Iterable<unknown> | AsyncIterable<unknown>,
  options: ProfileOptions = {},
): Promise<ExpectationSuite> {
  const excludedColumns = new Set(options.excludedColumns ?? []);
  const excluded = new Set(options.excludedExpectations ?? []);
  for (const type of excluded) {
    if (!expectationTypes().includes(type)) {
      throw new QualityError(
        `Excluded expectation is not a known type: ${describeValue(type)}`,
      );
    }
  }
  const limit = options.maxValueSetSize ?? 10;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new QualityError(
      `maxValueSetSize must be a non-negative integer: ${describeValue(limit)}`,
    );
  }
  const columns = new Map<string, ColumnProfile>();
  let rows = 0;
  const add = (row: unknown) => {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new QualityError(
        `Row must be an object: ${describeValue(row)} at row ${rows}`,
      );
    }
    for (const name of Object.keys(row)) {
      if (!columns.has(name)) {
        const c = newColumn();
        c.rows = rows; // absent so far: missing in earlier rows
        c.missing = rows;
        c.kinds = rows > 0 ? kindOf(null) : 0;
        columns.set(name, c);
      }
    }
    for (const [name, c] of columns) {
      const v = (row as Record<string, unknown>)[name];
      const value = Object.hasOwn(row, name) ? v : undefined;
      c.rows++;
      c.kinds |= kindOf(value);
      if (isMissing(value)) {
        c.missing++;
        continue;
      }
      const n = typeof value === "number" ? value : NaN;
      if (n === n) {
        if (n < c.min) c.min = n;
        if (n > c.max) c.max = n;
        c.sum += n;
        c.numbers.push(n);
      }
      const key = typeof value === "object" ? keyOf(value) : value;
      if (c.distinct.has(key)) c.repeats = true;
      else c.distinct.set(key, value);
    }
    rows++;
  };
  if (Symbol.asyncIterator in Object(data)) {
    for await (const row of data as AsyncIterable<unknown>) add(row);
  } else {
    for (const row of data as Iterable<unknown>) add(row);
  }

  const suite = new ExpectationSuite(options.suiteName ?? "profiled", {
    profiler: "quality.profile (after GE's UserConfigurableProfiler)",
  });
  const put = (type: string, kwargs: Record<string, unknown>) => {
    if (!excluded.has(type)) suite.expect(type, kwargs);
  };
  const kept = [...columns.keys()].filter((c) => !excludedColumns.has(c));
  put("expect_table_row_count_to_be_between", {
    min_value: rows,
    max_value: rows,
  });
  put("expect_table_columns_to_match_ordered_list", {
    column_list: [...columns.keys()],
  });
  for (const column of kept) {
    const c = columns.get(column)!;
    const nonnull = c.rows - c.missing;
    const dtype = dtypeName(c.kinds);
    put("expect_column_values_to_be_in_type_list", {
      column,
      type_list: [dtype === "object_" ? objectTypeOf(c) : dtype],
    });
    if (nonnull === 0) {
      put("expect_column_values_to_be_null", { column });
      continue;
    }
    if (c.missing === 0) put("expect_column_values_to_not_be_null", { column });
    else {
      // Floor to 3 decimals, so the data that made the profile passes it.
      const mostly = Math.floor(nonnull / c.rows * 1000) / 1000;
      put("expect_column_values_to_not_be_null", { column, mostly });
    }
    if (c.numbers.length === nonnull) {
      const range = { column, min_value: c.min, max_value: c.max };
      put("expect_column_values_to_be_between", range);
      put("expect_column_min_to_be_between", { ...range, max_value: c.min });
      put("expect_column_max_to_be_between", { ...range, min_value: c.max });
      const mean = c.sum / nonnull, mid = median(c.numbers);
      // A little slack: validate() sums exactly, this pass does not.
      const slack = Math.max(Math.abs(mean) * 1e-9, 1e-12);
      put("expect_column_mean_to_be_between", {
        column,
        min_value: mean - slack,
        max_value: mean + slack,
      });
      put("expect_column_median_to_be_between", {
        column,
        min_value: mid,
        max_value: mid,
      });
    }
    if (c.distinct.size <= limit) {
      const values = [...c.distinct.values()].sort(totalOrder);
      put("expect_column_values_to_be_in_set", { column, value_set: values });
      put("expect_column_distinct_values_to_be_in_set", {
        column,
        value_set: values,
      });
    }
    if (!c.repeats && nonnull > 1) {
      put("expect_column_values_to_be_unique", { column });
    }
  }
  return suite;
}

// For an object column, the one Python type its values share, if they do.
function objectTypeOf(c: ColumnProfile): string {
  const present = c.kinds & ~kindOf(null);
  if (present === kindOf("")) return "str";
  if (present === kindOf(true)) return "bool";
  return "object";
}
