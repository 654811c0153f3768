// GE's rules this module follows beyond its own test definitions: evaluation
// parameters, conditions that select nothing, per-expectation result formats,
// dates parsed from strings, and column names that shadow Object.prototype.
import assert from "node:assert/strict";
import {
  evaluatePartition,
  ExpectationSuite,
  finalizeValidation,
  ManualClock,
  validate,
} from "../../quality/mod.ts";
import { one } from "./_helpers.ts";

const suiteOf = (type: string, kwargs: Record<string, unknown>) => ({
  expectation_suite_name: "s",
  data_asset_type: null,
  meta: {},
  expectations: [{ expectation_type: type, kwargs, meta: {} }],
});

Deno.test("evaluation parameters resolve names, now() and timedelta arithmetic at validation time", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 5, 1) });
  const rows = [{ ts: new Date(Date.UTC(2024, 4, 31)) }, {
    ts: new Date(Date.UTC(2020, 0, 1)),
  }];
  const recent = await validate(
    rows,
    suiteOf("expect_column_values_to_be_between", {
      column: "ts",
      min_value: { $PARAMETER: "now() - timedelta(days=7)" },
      max_value: { $PARAMETER: "now()" },
    }),
    { clock, resultFormat: "COMPLETE" },
  );
  assert.deepEqual(recent.results[0]!.result.unexpected_index_list, [1]);
  assert.deepEqual(
    recent.results[0]!.expectation_config.kwargs.min_value,
    new Date(Date.UTC(2024, 4, 25)),
  );
  const named = await validate(
    [{ n: 3 }, { n: 30 }],
    suiteOf("expect_column_max_to_be_between", {
      column: "n",
      max_value: { $PARAMETER: "limit * 2" },
    }),
    { evaluationParameters: { limit: 10 } },
  );
  assert.equal(named.results[0]!.success, false);
  assert.equal(named.results[0]!.result.observed_value, 30);
  assert.deepEqual(named.evaluation_parameters, { limit: 10 });
  const when = await validate(
    [{ d: new Date(Date.UTC(2002, 0, 1)) }],
    suiteOf("expect_column_max_to_be_between", {
      column: "d",
      max_value: { $PARAMETER: "datetime(2003, 1, 1) - timedelta(weeks=1)" },
    }),
  );
  assert.equal(when.results[0]!.success, true);
});

Deno.test("an unknown or ill-typed evaluation parameter fails that expectation only", async () => {
  const suite = new ExpectationSuite("s")
    .expectColumnValuesToNotBeNull("a");
  const json = suite.toJSON();
  json.expectations.push({
    expectation_type: "expect_column_values_to_be_between",
    kwargs: { column: "a", min_value: { $PARAMETER: "missing_name" } },
    meta: {},
  });
  json.expectations.push({
    expectation_type: "expect_column_values_to_be_in_set",
    kwargs: { column: "a", value_set: { $PARAMETER: "oops" } },
    meta: {},
  });
  const r = await validate([{ a: 1 }], json, {
    evaluationParameters: { oops: 5 },
  });
  assert.equal(r.results[0]!.success, true);
  assert.match(
    r.results[1]!.exception_info.exception_message!,
    /Evaluation parameter "missing_name": unknown parameter missing_name/,
  );
  assert.match(
    r.results[2]!.exception_info.exception_message!,
    /Kwarg "value_set" .* must be an array or null: 5/,
  );
  await assert.rejects(
    validate([], json, { evaluationParameters: [] as never }),
    /evaluationParameters must be an object/,
  );
});

Deno.test("partitions and finalize resolve parameters with the same now", async () => {
  const json = suiteOf("expect_column_values_to_be_between", {
    column: "t",
    max_value: { $PARAMETER: "now()" },
  });
  const options = { now: Date.UTC(2024, 0, 1) };
  const a = evaluatePartition(
    [{ t: new Date(Date.UTC(2023, 0, 1)) }],
    json,
    "COMPLETE",
    options,
  );
  const b = evaluatePartition(
    [{ t: new Date(Date.UTC(2025, 0, 1)) }],
    json,
    "COMPLETE",
    options,
  );
  const merged = finalizeValidation(
    { ...a, rows: a.rows, states: a.states },
    json,
    { resultFormat: "COMPLETE", ...options },
  );
  assert.equal(merged.results[0]!.success, true);
  const both = finalizeValidation(
    (await import("../../quality/mod.ts")).mergePartialStates([a, b]),
    json,
    { resultFormat: "COMPLETE", ...options },
  );
  assert.deepEqual(both.results[0]!.result.unexpected_index_list, [1]);
});

Deno.test("a row condition that selects no rows evaluates the empty selection", async () => {
  const r = await one(
    [{ x: 1, z: "a" }, { x: 2, z: "b" }],
    (s) =>
      s.expectColumnValuesToBeInSet("z", ["nothing"], {
        rowCondition: 'x == "1"',
        conditionParser: "pandas",
      }),
  );
  assert.equal(r.success, true);
  assert.equal(r.result.element_count, 0);
  const mean = await one(
    [{ x: 1 }],
    (s) => s.expectColumnMeanToBeBetween("x", { rowCondition: "x > 5" }),
  );
  // Nothing to average: no observed value, and so no success (bounds or not).
  assert.deepEqual([mean.success, mean.result.observed_value], [false, null]);
  const bad = await one(
    [{ x: 1 }],
    (s) =>
      s.expectColumnValuesToNotBeNull("x", {
        rowCondition: "x > 0",
        conditionParser: "spark",
      }),
  );
  assert.match(
    bad.exception_info.exception_message!,
    /condition_parser is not a valid enumeration member of pandas, python: "spark"/,
  );
});

Deno.test("a per-expectation result_format overrides the validation's", async () => {
  const json = suiteOf("expect_column_values_to_be_in_set", {
    column: "v",
    value_set: [1],
    result_format: { result_format: "COMPLETE" },
  });
  json.expectations.push({
    expectation_type: "expect_column_values_to_be_in_set",
    kwargs: { column: "v", value_set: [1] },
    meta: {},
  });
  const rows = Array.from({ length: 30 }, (_, i) => ({ v: i }));
  const r = await validate(rows, json, { resultFormat: "BASIC" });
  assert.equal(r.results[0]!.result.unexpected_list?.length, 29);
  assert.equal(r.results[1]!.result.unexpected_list, undefined);
  assert.equal(r.results[1]!.result.partial_unexpected_list?.length, 20);
  const s = await validate(rows.slice(0, 3), json, {
    resultFormat: "BOOLEAN_ONLY",
  });
  assert.deepEqual(s.results[1]!.result, {});
  assert.deepEqual(s.results[0]!.result.unexpected_index_list, [0, 2]);
});

Deno.test("parse_strings_as_datetimes compares strings as datetimes", async () => {
  const rows = [{ d: "2020-01-01" }, { d: "2021-06-01T00:00:00" }];
  const r = await validate(
    rows,
    suiteOf("expect_column_values_to_be_between", {
      column: "d",
      min_value: "2020-06-01",
      parse_strings_as_datetimes: true,
    }),
    { resultFormat: "COMPLETE" },
  );
  assert.deepEqual(r.results[0]!.result.unexpected_index_list, [0]);
  const inSet = await validate(
    rows,
    suiteOf("expect_column_values_to_be_in_set", {
      column: "d",
      value_set: ["2020-01-01T00:00:00", "2021-06-01 00:00:00"],
      parse_strings_as_datetimes: true,
    }),
  );
  assert.equal(inSet.results[0]!.success, true);
  const pair = await validate(
    [{ a: "2020-01-02", b: "2020-01-01T12:00:00" }],
    suiteOf("expect_column_pair_values_a_to_be_greater_than_b", {
      column_A: "a",
      column_B: "b",
      parse_strings_as_datetimes: true,
    }),
  );
  assert.equal(pair.results[0]!.success, true);
  assert.equal(
    pair.results[0]!.expectation_config.expectation_type,
    "expect_column_pair_values_a_to_be_greater_than_b",
  );
});

Deno.test("columns named like Object.prototype members are missing unless present", async () => {
  for (
    const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]
  ) {
    const missing = await validate(
      [{ a: 1 }],
      suiteOf("expect_column_values_to_not_be_null", { column: name }),
    );
    assert.match(
      missing.results[0]!.exception_info.exception_message!,
      /Column does not exist/,
      name,
    );
    const mean = await validate(
      [{ a: 1 }],
      suiteOf("expect_column_mean_to_be_between", { column: name }),
    );
    assert.equal(mean.results[0]!.exception_info.raised_exception, true, name);
  }
  const present = await validate(
    [JSON.parse('{"constructor": 2, "__proto__": 3}')],
    new ExpectationSuite("s")
      .expectColumnValuesToBeBetween("constructor", {
        minValue: 1,
        maxValue: 2,
      })
      .expectColumnValuesToBeBetween("__proto__", { minValue: 3, maxValue: 3 }),
  );
  assert.deepEqual(present.results.map((r) => r.success), [true, true]);
});

Deno.test("expect_table_row_count_to_equal_other_table counts the table given in otherTables", async () => {
  const json = suiteOf("expect_table_row_count_to_equal_other_table", {
    other_table_name: "archive",
  });
  const same = await validate([{ a: 1 }, { a: 2 }], json, {
    otherTables: { archive: [{}, {}] },
  });
  assert.deepEqual(
    [same.results[0]!.success, same.results[0]!.result.observed_value],
    [true, { self: 2, other: 2 }],
  );
  async function* two() {
    yield {};
    yield {};
    yield {};
  }
  const differ = await validate([{ a: 1 }, { a: 2 }], json, {
    otherTables: { archive: two() },
  });
  assert.equal(differ.results[0]!.success, false);
  const missing = await validate([{ a: 1 }], json);
  assert.match(
    missing.results[0]!.exception_info.exception_message!,
    /Other table "archive" was not given/,
  );
});

Deno.test("SQL LIKE patterns: % any run, _ one character, \\ escapes; anchored", async () => {
  const rows = [{ s: "us123" }, { s: "ak_9" }, { s: "50%" }, { s: "x" }];
  const unexpected = async (type: string, kwargs: Record<string, unknown>) =>
    (await validate(rows, suiteOf(type, { column: "s", ...kwargs }), {
      resultFormat: "COMPLETE",
    })).results[0]!.result.unexpected_list;
  assert.deepEqual(
    await unexpected("expect_column_values_to_match_like_pattern", {
      like_pattern: "us%",
    }),
    ["ak_9", "50%", "x"],
  );
  assert.deepEqual(
    await unexpected("expect_column_values_to_not_match_like_pattern", {
      like_pattern: "__\\_%",
    }),
    ["ak_9"],
  );
  assert.deepEqual(
    await unexpected("expect_column_values_to_match_like_pattern_list", {
      like_pattern_list: ["%\\%", "_"],
    }),
    ["us123", "ak_9"],
  );
  assert.deepEqual(
    await unexpected("expect_column_values_to_not_match_like_pattern_list", {
      like_pattern_list: ["us%", "x"],
    }),
    ["us123", "x"],
  );
});

Deno.test("expect_multicolumn_values_to_be_unique is GE's older name for unique within record", async () => {
  const r = await validate(
    [{ a: 1, b: 2 }, { a: 3, b: 3 }, { a: null, b: null }],
    suiteOf("expect_multicolumn_values_to_be_unique", {
      column_list: ["a", "b"],
    }),
    { resultFormat: "COMPLETE" },
  );
  assert.deepEqual(r.results[0]!.result.unexpected_list, [{ a: 3, b: 3 }]);
  assert.equal(r.results[0]!.result.missing_count, 1);
});
