// The compiled loop against the reference interpreter of the same plan, on
// random rows and random suites: identical GE results, every time.
import assert from "node:assert/strict";
import { seededRandom } from "../../internal/random.ts";
import { interpret } from "../../quality/_interpreter.ts";
import { Accumulator } from "../../quality/_loop.ts";
import { compilePlan, parseFormat } from "../../quality/_plan.ts";
import { finalize } from "../../quality/_results.ts";
import { ExpectationSuite } from "../../quality/mod.ts";

const POOL: unknown[] = [
  0,
  1,
  -1,
  2.5,
  3,
  10,
  1e9,
  -0,
  Infinity,
  NaN,
  null,
  undefined,
  "a",
  "b",
  "abc",
  "",
  "2020-01-01",
  "12",
  true,
  false,
  new Date(0),
  new Date(86_400_000),
  [1],
  { k: 1 },
];
const COLUMNS = ["a", "b", "c"];

const CONFIGS: [string, Record<string, unknown>][] = [
  ["expect_column_values_to_not_be_null", { column: "a" }],
  ["expect_column_values_to_be_null", { column: "b", mostly: 0.3 }],
  ["expect_column_values_to_be_between", {
    column: "a",
    min_value: 0,
    max_value: 5,
  }],
  ["expect_column_values_to_be_between", {
    column: "b",
    min_value: "a",
    strict_max: true,
    max_value: "b",
  }],
  ["expect_column_values_to_be_in_set", {
    column: "c",
    value_set: [1, "a", null, true],
  }],
  ["expect_column_values_to_not_be_in_set", {
    column: "a",
    value_set: [3, "b"],
  }],
  ["expect_column_values_to_match_regex", { column: "b", regex: "^a" }],
  ["expect_column_values_to_be_of_type", { column: "a", type_: "int" }],
  ["expect_column_values_to_be_in_type_list", {
    column: "c",
    type_list: ["str", "float"],
  }],
  ["expect_column_value_lengths_to_be_between", {
    column: "b",
    min_value: 1,
    max_value: 2,
  }],
  ["expect_column_values_to_be_unique", { column: "c" }],
  ["expect_compound_columns_to_be_unique", { column_list: ["a", "b"] }],
  ["expect_column_values_to_be_increasing", { column: "a" }],
  ["expect_column_values_to_be_decreasing", { column: "b", strictly: true }],
  ["expect_column_mean_to_be_between", { column: "a", min_value: 0 }],
  ["expect_column_sum_to_be_between", { column: "c" }],
  ["expect_column_stdev_to_be_between", { column: "a", max_value: 100 }],
  ["expect_column_median_to_be_between", { column: "b" }],
  ["expect_column_min_to_be_between", { column: "a" }],
  ["expect_column_max_to_be_between", { column: "b" }],
  ["expect_column_unique_value_count_to_be_between", {
    column: "c",
    min_value: 1,
  }],
  ["expect_column_proportion_of_unique_values_to_be_between", { column: "a" }],
  ["expect_column_distinct_values_to_be_in_set", {
    column: "b",
    value_set: ["a", 1],
  }],
  ["expect_column_pair_values_to_be_equal", { column_A: "a", column_B: "c" }],
  ["expect_column_pair_values_A_to_be_greater_than_B", {
    column_A: "a",
    column_B: "b",
    or_equal: true,
  }],
  ["expect_multicolumn_sum_to_equal", {
    column_list: ["a", "c"],
    sum_total: 3,
  }],
  ["expect_column_values_to_not_be_null", {
    column: "b",
    row_condition: "a > 0",
  }],
  ["expect_column_mean_to_be_between", {
    column: "c",
    row_condition: 'b == "a"',
  }],
  ["expect_table_row_count_to_be_between", { min_value: 1 }],
  ["expect_table_columns_to_match_set", {
    column_set: COLUMNS,
    exact_match: false,
  }],
];

Deno.test("the compiled loop agrees with the interpreter on random rows and suites", () => {
  const random = seededRandom(20241201);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const formats = ["BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"] as const;
  for (let trial = 0; trial < 300; trial++) {
    const suite = new ExpectationSuite(`t${trial}`);
    const size = 1 + Math.floor(random() * 8);
    for (let k = 0; k < size; k++) {
      const [type, kwargs] = pick(CONFIGS);
      suite.expect(type, kwargs);
    }
    const n = Math.floor(random() * 60);
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const row: Record<string, unknown> = {};
      for (const c of COLUMNS) {
        if (random() < 0.1) continue; // the column is absent from this row
        row[c] = pick(POOL);
      }
      rows.push(row);
    }
    const format = parseFormat(pick(formats));
    const plan = compilePlan(suite.name, suite.expectations, format, {
      parameters: {},
      now: 0,
    });
    const compiled = new Accumulator(plan);
    if (random() < 0.5) compiled.addAll(rows);
    else for (const row of rows) compiled.add(row); // the buffered path
    const meta = {
      runName: null,
      runTime: "t",
      validationTime: "t",
      batchKind: "x",
    };
    // Tracebacks name different frames; messages must agree.
    const bare = (r: ReturnType<typeof finalize>) => {
      for (const x of r.results) x.exception_info.exception_traceback = null;
      return r;
    };
    const a = bare(finalize(plan, compiled.snapshot(), meta));
    const b = bare(finalize(plan, interpret(plan, rows), meta));
    assert.deepEqual(
      a,
      b,
      `trial ${trial}: ${JSON.stringify(suite.toJSON().expectations)}`,
    );
  }
});
