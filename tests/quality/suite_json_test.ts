import assert from "node:assert/strict";
import {
  ExpectationSuite,
  expectationTypes,
  QualityError,
  validate,
} from "../../quality/mod.ts";

const GE_0X = {
  expectation_suite_name: "usgs.warning",
  ge_cloud_id: null,
  data_asset_type: "Dataset",
  meta: { great_expectations_version: "0.18.12", notes: "made in GE" },
  expectations: [
    {
      expectation_type: "expect_column_values_to_not_be_null",
      kwargs: { column: "mag", mostly: 0.99, result_format: "BASIC" },
      meta: { owner: "seismo" },
    },
    {
      expectation_type: "expect_column_values_to_be_between",
      kwargs: {
        column: "mag",
        min_value: -1,
        max_value: 10,
        strict_min: false,
      },
      meta: {},
    },
    {
      expectation_type: "expect_table_columns_to_match_set",
      kwargs: { column_set: ["id", "mag"], exact_match: false },
      meta: {},
    },
  ],
};

Deno.test("ExpectationSuite.fromJSON() reads GE 0.x JSON and toJSON() writes it back", () => {
  const suite = ExpectationSuite.fromJSON(JSON.stringify(GE_0X));
  assert.equal(suite.name, "usgs.warning");
  const json = suite.toJSON();
  assert.deepEqual(json.expectations, GE_0X.expectations);
  assert.deepEqual(json.meta, GE_0X.meta);
  assert.equal(json.expectation_suite_name, "usgs.warning");
  const again = ExpectationSuite.fromJSON(JSON.parse(JSON.stringify(suite)));
  assert.deepEqual(again.toJSON(), json);
});

Deno.test("ExpectationSuite.fromJSON() reads GX 1.x JSON, nested or flat kwargs", () => {
  const suite = ExpectationSuite.fromJSON({
    name: "events",
    id: "0b5e",
    notes: null,
    meta: {},
    expectations: [
      {
        type: "expect_column_values_to_be_in_set",
        kwargs: { column: "type", value_set: ["earthquake"] },
        meta: {},
        id: "a1",
      },
      {
        type: "expect_column_values_to_not_be_null",
        column: "id",
        mostly: 1,
        id: "a2",
        meta: { x: 1 },
      },
    ],
  });
  assert.deepEqual(suite.toJSON().expectations, [
    {
      expectation_type: "expect_column_values_to_be_in_set",
      kwargs: { column: "type", value_set: ["earthquake"] },
      meta: {},
    },
    {
      expectation_type: "expect_column_values_to_not_be_null",
      kwargs: { column: "id", mostly: 1 },
      meta: { x: 1 },
    },
  ]);
  const v1 = suite.toV1JSON();
  assert.equal(v1.name, "events");
  assert.equal(v1.expectations[1]!.type, "expect_column_values_to_not_be_null");
  assert.deepEqual(ExpectationSuite.fromJSON(v1).toJSON(), suite.toJSON());
});

Deno.test("ExpectationSuite typed helpers produce GE kwargs that round-trip", async () => {
  const suite = new ExpectationSuite("all")
    .expectTableRowCountToBeBetween(1, 10)
    .expectTableRowCountToEqual(2)
    .expectTableColumnsToMatchOrderedList(["id", "v"])
    .expectTableColumnsToMatchSet(["id", "v"])
    .expectColumnToExist("id")
    .expectColumnValuesToNotBeNull("id")
    .expectColumnValuesToBeNull("gone", { rowCondition: "id > 5" })
    .expectColumnValuesToBeBetween("v", {
      minValue: 0,
      maxValue: 1,
      strictMax: true,
      mostly: 0.5,
    })
    .expectColumnValuesToBeInSet("v", [0.5, 2])
    .expectColumnValuesToNotBeInSet("v", [3])
    .expectColumnValuesToMatchRegex("id", "^\\d+$")
    .expectColumnValuesToNotMatchRegex("id", "x")
    .expectColumnValuesToBeUnique("id")
    .expectColumnValuesToBeOfType("v", "float")
    .expectColumnValueLengthsToBeBetween("id", 1, 3)
    .expectColumnValuesToBeIncreasing("id")
    .expectColumnValuesToMatchStrftimeFormat("d", "%Y")
    .expectCompoundColumnsToBeUnique(["id", "v"])
    .expectColumnMeanToBeBetween("v", 0, 3)
    .expectColumnMedianToBeBetween("v", 0, 3)
    .expectColumnMinToBeBetween("v", 0, 3)
    .expectColumnMaxToBeBetween("v", 0, 3)
    .expectColumnStdevToBeBetween("v", 0, 3)
    .expectColumnSumToBeBetween("v", 0, 3)
    .expectColumnUniqueValueCountToBeBetween("v", 0, 3)
    .expectColumnProportionOfUniqueValuesToBeBetween("v", 0, 1);
  assert.deepEqual(suite.expectations[7]!.kwargs, {
    column: "v",
    min_value: 0,
    max_value: 1,
    strict_max: true,
    mostly: 0.5,
  });
  assert.deepEqual(suite.expectations[6]!.kwargs, {
    column: "gone",
    row_condition: "id > 5",
  });
  const copy = ExpectationSuite.fromJSON(JSON.stringify(suite));
  assert.deepEqual(copy.toJSON(), suite.toJSON());
  const rows = [{ id: "1", v: 0.5, d: "2018", gone: null }, {
    id: "2",
    v: 2,
    d: "2019",
    gone: null,
  }];
  const a = await validate(rows, suite);
  const b = await validate(rows, copy.toJSON());
  assert.deepEqual({ ...a, meta: null }, { ...b, meta: null });
});

Deno.test("ExpectationSuite rejects unknown expectation types, listing the known ones", () => {
  assert.throws(
    () =>
      new ExpectationSuite("s").expect("expect_column_values_to_be_awesome", {
        column: "a",
      }),
    (e: unknown) => {
      assert.ok(e instanceof QualityError);
      assert.equal(e.name, "QualityError");
      assert.match(
        e.message,
        /^Unknown expectation type: "expect_column_values_to_be_awesome" \(known types: /,
      );
      for (const t of expectationTypes()) assert.ok(e.message.includes(t), t);
      return true;
    },
  );
  assert.throws(
    () =>
      ExpectationSuite.fromJSON({
        expectation_suite_name: "s",
        expectations: [{ expectation_type: "expect_nothing" }],
      }),
    /Expectation 0 of suite "s" is invalid: Unknown expectation type: "expect_nothing"/,
  );
});

Deno.test("ExpectationSuite rejects kwargs of the wrong type, unknown kwargs and missing required ones", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () =>
        new ExpectationSuite("s").expectColumnValuesToNotBeNull("a", {
          mostly: 1.5,
        }),
      /^Kwarg "mostly" of "expect_column_values_to_not_be_null" must be a number between 0 and 1: 1.5$/,
    ],
    [
      () =>
        new ExpectationSuite("s").expectColumnValuesToNotBeNull(42 as never),
      /^Kwarg "column" of .* must be a string: 42$/,
    ],
    [
      () =>
        new ExpectationSuite("s").expectColumnValuesToBeInSet(
          "a",
          "abc" as never,
        ),
      /"value_set" .* must be an array or null: "abc"/,
    ],
    [
      () =>
        new ExpectationSuite("s").expectColumnValuesToBeBetween("a", {
          minValue: { x: 1 } as never,
        }),
      /"min_value" .* must be a number, a string, a Date or null: \{"x":1\}/,
    ],
    [
      () =>
        new ExpectationSuite("s").expect("expect_column_values_to_be_unique", {
          column: "a",
          colunm: "b",
        }),
      /^Unknown kwarg for "expect_column_values_to_be_unique": "colunm" \(allowed: /,
    ],
    [
      () =>
        new ExpectationSuite("s").expect(
          "expect_column_values_to_match_regex",
          { column: "a" },
        ),
      /^Expectation "expect_column_values_to_match_regex" needs kwarg: "regex"$/,
    ],
    [
      () =>
        new ExpectationSuite("s").expect("expect_column_mean_to_be_between", {
          column: "a",
          mostly: 0.5,
        }),
      /Unknown kwarg .*"mostly"/,
    ],
    [
      () =>
        new ExpectationSuite("s").expect(
          "expect_column_to_exist",
          "column" as never,
        ),
      /kwargs must be an object: "column"/,
    ],
    [
      () => new ExpectationSuite(""),
      /^Suite name must be a non-empty string: ""$/,
    ],
    [
      () => ExpectationSuite.fromJSON("{not json"),
      /^Suite JSON does not parse: /,
    ],
    [
      () => ExpectationSuite.fromJSON({ expectations: [] }),
      /^Suite JSON needs "expectation_suite_name" or "name"/,
    ],
    [
      () => ExpectationSuite.fromJSON({ name: "s", expectations: {} }),
      /^Suite "expectations" must be an array: \{\}$/,
    ],
  ];
  for (const [fn, pattern] of cases) {
    assert.throws(
      fn,
      (e: unknown) => e instanceof QualityError && pattern.test(e.message),
      String(pattern),
    );
  }
});

Deno.test("ExpectationSuite.expectations returns copies", () => {
  const suite = new ExpectationSuite("s").expectColumnValuesToBeInSet("a", [1]);
  (suite.expectations[0]!.kwargs.value_set as number[]).push(2);
  assert.deepEqual(suite.expectations[0]!.kwargs.value_set, [1]);
});

Deno.test("ExpectationSuite helpers also take their required arguments inside the options object", () => {
  const suite = new ExpectationSuite("s")
    .expectColumnValuesToBeInSet(
      "type",
      { valueSet: ["a"], mostly: 0.9 } as never,
    )
    .expectColumnValuesToMatchRegex("id", { regex: "^x" } as never)
    .expectColumnValuesToBeOfType("mag", { type: "float" } as never)
    .expectTableRowCountToEqual({ value: 3 } as never);
  assert.deepEqual(suite.expectations.map((e) => e.kwargs), [
    { column: "type", value_set: ["a"], mostly: 0.9 },
    { column: "id", regex: "^x" },
    { column: "mag", type_: "float" },
    { value: 3 },
  ]);
  assert.throws(
    () =>
      new ExpectationSuite("s").expectColumnValuesToBeInSet(
        "type",
        { mostly: 0.9 } as never,
      ),
    /^QualityError: Expectation "expect_column_values_to_be_in_set" needs kwarg: "value_set"$/,
  );
});
