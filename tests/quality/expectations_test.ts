import assert from "node:assert/strict";
import { ExpectationSuite, validate } from "../../quality/mod.ts";
import { one } from "./_helpers.ts";

const NULLS = [{ v: 1 }, { v: null }, { v: NaN }, {}, { v: 5 }];

Deno.test("expect_column_values_to_not_be_null counts null, undefined and NaN over all rows", async () => {
  const r = await one(NULLS, (s) => s.expectColumnValuesToNotBeNull("v"));
  assert.equal(r.success, false);
  assert.equal(r.result.element_count, 5);
  assert.equal(r.result.unexpected_count, 3);
  assert.equal(r.result.unexpected_percent, 60);
  assert.deepEqual(r.result.partial_unexpected_list, [null, null, null]);
  assert.deepEqual(r.result.partial_unexpected_index_list, [1, 2, 3]);
  assert.equal(
    "missing_count" in r.result,
    false,
    "GE leaves missing_* out for null checks",
  );
  // mostly over all rows: 2 of 5 present
  assert.equal(
    (await one(
      NULLS,
      (s) => s.expectColumnValuesToNotBeNull("v", { mostly: 0.4 }),
    )).success,
    true,
  );
  assert.equal(
    (await one(
      NULLS,
      (s) => s.expectColumnValuesToNotBeNull("v", { mostly: 0.41 }),
    )).success,
    false,
  );
});

Deno.test("expect_column_values_to_be_null flags present values", async () => {
  const r = await one(NULLS, (s) => s.expectColumnValuesToBeNull("v"));
  assert.equal(r.success, false);
  assert.equal(r.result.unexpected_count, 2);
  assert.deepEqual(r.result.partial_unexpected_list, [1, 5]);
  assert.equal(
    (await one(
      [{ v: null }, { v: undefined }],
      (s) => s.expectColumnValuesToBeNull("v"),
    )).success,
    true,
  );
});

Deno.test("expect_column_values_to_be_between leaves nulls and NaN out of the mostly denominator", async () => {
  const rows = [{ v: 1 }, { v: null }, { v: NaN }, { v: 11 }, { v: 5 }, {
    v: 7,
  }];
  const r = await one(rows, (s) => s.expectColumnValuesToBeBetween("v", 0, 10));
  assert.equal(r.success, false);
  assert.equal(r.result.element_count, 6);
  assert.equal(r.result.missing_count, 2);
  assert.equal(r.result.missing_percent, 2 / 6 * 100);
  assert.equal(r.result.unexpected_count, 1);
  assert.equal(r.result.unexpected_percent, 25);
  assert.equal(r.result.unexpected_percent_nonmissing, 25);
  assert.equal(r.result.unexpected_percent_total, 1 / 6 * 100);
  // 3 of 4 non-null pass: mostly 0.75 is the exact boundary.
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnValuesToBeBetween("v", 0, 10, { mostly: 0.75 }),
    )).success,
    true,
  );
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnValuesToBeBetween("v", 0, 10, { mostly: 0.76 }),
    )).success,
    false,
  );
});

Deno.test("expect_column_values_to_be_between honours strict bounds, one-sided bounds and mixed types", async () => {
  const rows = [{ v: 0 }, { v: 5 }, { v: 10 }, { v: "7" }, { v: true }];
  const r = await one(
    rows,
    (s) =>
      s.expectColumnValuesToBeBetween("v", {
        minValue: 0,
        maxValue: 10,
        strictMin: true,
        strictMax: true,
      }),
  );
  assert.deepEqual(r.result.partial_unexpected_list, [0, 10, "7", true]);
  const lo = await one(
    rows,
    (s) => s.expectColumnValuesToBeBetween("v", { min_value: 5 }),
  );
  assert.deepEqual(lo.result.partial_unexpected_list, [0, "7", true]);
  const dates = [{ d: "2018-02-01" }, { d: "2018-03-01" }, {
    d: new Date("2018-02-02T00:00:00Z"),
  }];
  const d = await one(
    dates,
    (s) => s.expectColumnValuesToBeBetween("d", "2018-01-01", "2018-02-15"),
  );
  assert.equal(d.result.unexpected_count, 1);
  assert.deepEqual(d.result.partial_unexpected_list, ["2018-03-01"]);
});

Deno.test("expect_column_values_to_be_between raises for no bounds and for min > max", async () => {
  const r = await one(
    [{ v: 1 }],
    (s) => s.expectColumnValuesToBeBetween("v", {}),
  );
  assert.equal(r.success, false);
  assert.equal(r.exception_info.raised_exception, true);
  assert.match(r.exception_info.exception_message!, /cannot both be null/);
  const r2 = await one(
    [{ v: 1 }],
    (s) => s.expectColumnValuesToBeBetween("v", 5, 1),
  );
  assert.match(
    r2.exception_info.exception_message!,
    /min_value cannot be greater than max_value: 5 > 1/,
  );
});

Deno.test('expect_column_values_to_be_in_set and not_in_set keep 1 and "1" apart', async () => {
  const rows = [{ v: 1 }, { v: "1" }, { v: 2 }, { v: null }, { v: "a" }];
  const r = await one(
    rows,
    (s) => s.expectColumnValuesToBeInSet("v", [1, "a"]),
  );
  assert.deepEqual(r.result.partial_unexpected_list, ["1", 2]);
  assert.equal(r.result.missing_count, 1);
  const n = await one(
    rows,
    (s) => s.expectColumnValuesToNotBeInSet("v", [1, "a"]),
  );
  assert.deepEqual(n.result.partial_unexpected_list, [1, "a"]);
});

Deno.test("expect_column_values_to_match_regex searches anywhere and casts non-strings like str()", async () => {
  const rows = [{ v: "us123" }, { v: "x-us1" }, { v: "abc" }, { v: 12 }, {
    v: true,
  }, { v: null }];
  const r = await one(
    rows,
    (s) => s.expectColumnValuesToMatchRegex("v", "us\\d"),
  );
  assert.deepEqual(r.result.partial_unexpected_list, ["abc", 12, true]);
  const b = await one(
    rows,
    (s) => s.expectColumnValuesToMatchRegex("v", "^True$"),
  );
  assert.deepEqual(b.result.partial_unexpected_list, [
    "us123",
    "x-us1",
    "abc",
    12,
  ]);
  const named = await one(
    [{ v: "aa" }, { v: "ab" }],
    (s) => s.expectColumnValuesToMatchRegex("v", "^(?P<c>.)(?P=c)$"),
  );
  assert.deepEqual(named.result.partial_unexpected_list, ["ab"]);
  const not = await one(
    rows,
    (s) => s.expectColumnValuesToNotMatchRegex("v", "^us"),
  );
  assert.deepEqual(not.result.partial_unexpected_list, ["us123"]);
  const bad = await one(
    rows,
    (s) => s.expectColumnValuesToMatchRegex("v", "(unclosed"),
  );
  assert.equal(bad.exception_info.raised_exception, true);
  assert.match(
    bad.exception_info.exception_message!,
    /Invalid regex: "\(unclosed"/,
  );
});

Deno.test("expect_column_values_to_match_regex_list matches any or all", async () => {
  const rows = [{ v: "ab" }, { v: "a" }, { v: "b" }, { v: "c" }];
  const any = await one(
    rows,
    (s) => s.expectColumnValuesToMatchRegexList("v", ["a", "b"]),
  );
  assert.deepEqual(any.result.partial_unexpected_list, ["c"]);
  const all = await one(
    rows,
    (s) =>
      s.expectColumnValuesToMatchRegexList("v", ["a", "b"], { matchOn: "all" }),
  );
  assert.deepEqual(all.result.partial_unexpected_list, ["a", "b", "c"]);
});

Deno.test("expect_column_values_to_be_unique flags every occurrence of a repeated value", async () => {
  const rows = [
    { v: 1 },
    { v: 2 },
    { v: 1 },
    { v: "1" },
    { v: null },
    { v: null },
    { v: NaN },
    { v: 3 },
    { v: 1 },
  ];
  const r = await one(rows, (s) => s.expectColumnValuesToBeUnique("v"));
  assert.equal(r.success, false);
  assert.equal(r.result.unexpected_count, 3);
  assert.deepEqual(r.result.partial_unexpected_list, [1, 1, 1]);
  assert.deepEqual(r.result.partial_unexpected_index_list, [0, 2, 8]);
  assert.equal(r.result.missing_count, 3);
  // 3 of 6 non-null are unexpected.
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnValuesToBeUnique("v", { mostly: 0.5 }),
    )).success,
    true,
  );
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnValuesToBeUnique("v", { mostly: 0.51 }),
    )).success,
    false,
  );
  const dates = [{ d: new Date(5) }, { d: new Date(5) }, { d: new Date(6) }];
  const dr = await one(dates, (s) => s.expectColumnValuesToBeUnique("d"));
  assert.deepEqual(dr.result.partial_unexpected_list, [
    new Date(5),
    new Date(5),
  ]);
});

Deno.test("expect_compound_columns_to_be_unique reports rows as dicts and skips all-missing rows", async () => {
  const rows = [
    { a: 1, b: "x" },
    { a: 1, b: "y" },
    { a: 1, b: "x" },
    { a: null, b: null },
    { a: null, b: null },
    { a: 2, b: null },
  ];
  const r = await one(
    rows,
    (s) => s.expectCompoundColumnsToBeUnique(["a", "b"]),
    { resultFormat: "SUMMARY" },
  );
  assert.equal(r.result.unexpected_count, 2);
  assert.deepEqual(r.result.partial_unexpected_list, [{ a: 1, b: "x" }, {
    a: 1,
    b: "x",
  }]);
  assert.deepEqual(r.result.partial_unexpected_counts, [{
    value: [1, "x"],
    count: 2,
  }]);
  assert.equal(r.result.missing_count, 2);
  const never = await one(
    rows,
    (s) =>
      s.expectCompoundColumnsToBeUnique(["a", "b"], { ignoreRowIf: "never" }),
  );
  assert.equal(never.result.unexpected_count, 4);
  const any = await one(
    rows,
    (s) =>
      s.expectCompoundColumnsToBeUnique(["a", "b"], {
        ignoreRowIf: "any_value_is_missing",
      }),
  );
  assert.equal(any.result.missing_count, 3);
});

Deno.test("expect_column_values_to_be_of_type and in_type_list use GE type names", async () => {
  const rows = [
    { v: 1 },
    { v: 1.5 },
    { v: "s" },
    { v: true },
    { v: new Date(0) },
    { v: [1] },
    { v: { a: 1 } },
    { v: null },
  ];
  const typeOf = async (t: string) =>
    (await one(rows, (s) => s.expectColumnValuesToBeOfType("v", t), {
      resultFormat: "COMPLETE",
    })).result.unexpected_index_list;
  // An object column is checked value by value with Python's isinstance:
  // bool is an int, and no Python value is a numpy float64.
  assert.deepEqual(await typeOf("int"), [1, 2, 4, 5, 6]);
  assert.deepEqual(await typeOf("float"), [0, 2, 3, 4, 5, 6]);
  assert.deepEqual(await typeOf("float64"), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await typeOf("str"), [0, 1, 3, 4, 5, 6]);
  assert.deepEqual(await typeOf("bool"), [0, 1, 2, 4, 5, 6]);
  assert.deepEqual(await typeOf("datetime64"), [0, 1, 2, 3, 5, 6]);
  assert.deepEqual(await typeOf("list"), [0, 1, 2, 3, 4, 6]);
  assert.deepEqual(await typeOf("dict"), [0, 1, 2, 3, 4, 5]);
  const list = await one(
    rows,
    (s) => s.expectColumnValuesToBeInTypeList("v", ["int", "StringType"]),
  );
  assert.equal(list.result.unexpected_count, 4); // true is an int too
  // GE's pandas backend resolves no type from an unknown name: alone it
  // matches nothing, in a list it is skipped.
  const bad = await one(
    rows,
    (s) => s.expectColumnValuesToBeOfType("v", "quaternion"),
  );
  assert.equal(bad.exception_info.raised_exception, false);
  assert.equal(bad.result.unexpected_count, 7);
  const skipped = await one(
    rows,
    (s) => s.expectColumnValuesToBeInTypeList("v", ["quaternion", "str"]),
  );
  assert.equal(skipped.result.unexpected_count, 6);
  // A column of one numpy dtype is checked as a whole, as GE does on pandas.
  const ints = await one(
    [{ v: 1 }, { v: 2 }],
    (s) => s.expectColumnValuesToBeOfType("v", "int64"),
  );
  assert.deepEqual([ints.success, ints.result.observed_value], [true, "int64"]);
  const floats = await one(
    [{ v: 1 }, { v: null }],
    (s) => s.expectColumnValuesToBeInTypeList("v", ["int64"]),
  );
  assert.deepEqual([floats.success, floats.result.observed_value], [
    false,
    "float64",
  ]);
});

Deno.test("expect_column_value_lengths_to_be_between counts code points; non-strings are unexpected", async () => {
  const rows = [
    { v: "" },
    { v: "ab" },
    { v: "😀😀" },
    { v: "abcd" },
    { v: 12 },
    { v: null },
  ];
  const r = await one(
    rows,
    (s) => s.expectColumnValueLengthsToBeBetween("v", 1, 2),
  );
  assert.deepEqual(r.result.partial_unexpected_list, ["", "abcd", 12]);
  const eq = await one(rows, (s) => s.expectColumnValueLengthsToEqual("v", 2));
  assert.deepEqual(eq.result.partial_unexpected_list, ["", "abcd", 12]);
});

Deno.test("expect_column_values_to_be_increasing compares each non-null value with the previous one", async () => {
  const rows = [{ t: 1 }, { t: 2 }, { t: 2 }, { t: null }, { t: 1 }, { t: 5 }, {
    t: "x",
  }];
  const r = await one(rows, (s) => s.expectColumnValuesToBeIncreasing("t"));
  assert.deepEqual(r.result.partial_unexpected_list, [1, "x"]);
  assert.deepEqual(r.result.partial_unexpected_index_list, [4, 6]);
  const strict = await one(
    rows,
    (s) => s.expectColumnValuesToBeIncreasing("t", { strictly: true }),
  );
  assert.deepEqual(strict.result.partial_unexpected_list, [2, 1, "x"]);
  const dec = await one(
    [{ t: 3 }, { t: 2 }, { t: 2 }, { t: 4 }],
    (s) => s.expectColumnValuesToBeDecreasing("t"),
  );
  assert.deepEqual(dec.result.partial_unexpected_list, [4]);
  const strings = await one([{ t: "2018-01-01" }, { t: "2018-01-02" }, {
    t: "2017-12-31",
  }], (s) => s.expectColumnValuesToBeIncreasing("t"));
  assert.deepEqual(strings.result.partial_unexpected_list, ["2017-12-31"]);
});

Deno.test("expect_column_values_to_match_strftime_format follows strptime rules", async () => {
  const rows = [
    { d: "2018-02-07" },
    { d: "2018-2-7" },
    { d: "2018-02-30" },
    { d: "2016-02-29" },
    { d: "2018-13-01" },
    { d: "07/02/2018" },
    { d: null },
  ];
  const r = await one(
    rows,
    (s) => s.expectColumnValuesToMatchStrftimeFormat("d", "%Y-%m-%d"),
  );
  assert.deepEqual(r.result.partial_unexpected_list, [
    "2018-02-30",
    "2018-13-01",
    "07/02/2018",
  ]);
  // GE raises for a value that is not a string.
  const n = await one(
    [{ d: 20180207 }],
    (s) => s.expectColumnValuesToMatchStrftimeFormat("d", "%Y%m%d"),
  );
  assert.match(n.exception_info.exception_message!, /must be of type string/);
  const t = await one(
    [{ d: "2018-02-07T10:11:12.123Z" }, { d: "2018-02-07T24:00:00.000Z" }],
    (s) =>
      s.expectColumnValuesToMatchStrftimeFormat("d", "%Y-%m-%dT%H:%M:%S.%fZ"),
  );
  assert.deepEqual(t.result.partial_unexpected_list, [
    "2018-02-07T24:00:00.000Z",
  ]);
  const noYear = await one(
    [{ d: "02-29" }],
    (s) => s.expectColumnValuesToMatchStrftimeFormat("d", "%m-%d"),
  );
  assert.equal(
    noYear.success,
    false,
    "strptime's default year 1900 is not a leap year",
  );
  const month = await one(
    [{ d: "07 Feb 2018" }, { d: "07 Foo 2018" }],
    (s) => s.expectColumnValuesToMatchStrftimeFormat("d", "%d %b %Y"),
  );
  assert.deepEqual(month.result.partial_unexpected_list, ["07 Foo 2018"]);
  const bad = await one(
    rows,
    (s) => s.expectColumnValuesToMatchStrftimeFormat("d", "%Q"),
  );
  assert.match(
    bad.exception_info.exception_message!,
    /Unknown strftime directive in format: "%Q"/,
  );
});

Deno.test("expect_column_values_to_be_dateutil_parseable and json_parseable", async () => {
  const d = await one([{ v: "2018-02-07T00:00:00Z" }, { v: "not a date" }, {
    v: new Date(0),
  }], (s) => s.expectColumnValuesToBeDateutilParseable("v"));
  assert.deepEqual(d.result.partial_unexpected_list, ["not a date"]);
  const j = await one(
    [{ v: '{"a":1}' }, { v: "{a:1}" }, { v: 3 }],
    (s) => s.expectColumnValuesToBeJsonParseable("v"),
  );
  assert.deepEqual(j.result.partial_unexpected_list, ["{a:1}", 3]);
});

Deno.test("validate() reports column aggregates' observed_value with pandas semantics", async () => {
  const rows = [{ v: 1 }, { v: 2 }, { v: null }, { v: NaN }, { v: 3 }, {
    v: 10,
  }];
  const observed = async (build: (s: ExpectationSuite) => ExpectationSuite) =>
    (await one(rows, build)).result.observed_value;
  assert.equal(
    await observed((s) => s.expectColumnMeanToBeBetween("v", 0, 100)),
    4,
  );
  assert.equal(
    await observed((s) => s.expectColumnMedianToBeBetween("v", 0, 100)),
    2.5,
  );
  assert.equal(
    await observed((s) => s.expectColumnMinToBeBetween("v", 0, 100)),
    1,
  );
  assert.equal(
    await observed((s) => s.expectColumnMaxToBeBetween("v", 0, 100)),
    10,
  );
  assert.equal(
    await observed((s) => s.expectColumnSumToBeBetween("v", 0, 100)),
    16,
  );
  // pandas std (ddof = 1) of 1, 2, 3, 10 = sqrt(50 / 3)
  assert.equal(
    await observed((s) => s.expectColumnStdevToBeBetween("v", 0, 100)),
    Math.sqrt(50 / 3),
  );
  assert.equal(
    await observed((s) =>
      s.expectColumnUniqueValueCountToBeBetween("v", 0, 100)
    ),
    4,
  );
  assert.equal(
    await observed((s) =>
      s.expectColumnProportionOfUniqueValuesToBeBetween("v", 0, 1)
    ),
    1,
  );
  const dup = [{ v: "a" }, { v: "a" }, { v: "b" }, { v: null }];
  assert.equal(
    (await one(
      dup,
      (s) => s.expectColumnProportionOfUniqueValuesToBeBetween("v", 0, 1),
    )).result
      .observed_value,
    2 / 3,
  );
  assert.equal(
    (await one(dup, (s) => s.expectColumnMaxToBeBetween("v", "a", "z"))).result
      .observed_value,
    "b",
  );
  const r = await one(
    rows,
    (s) => s.expectColumnMeanToBeBetween("v", { minValue: 4, strictMin: true }),
  );
  assert.equal(r.success, false);
  assert.deepEqual(r.result, {
    observed_value: 4,
    element_count: 6,
    missing_count: 2,
    missing_percent: 100 * 2 / 6,
  });
});

Deno.test("expect_column_sum_to_be_between and mean are exact (correctly rounded) regardless of order", async () => {
  const rows = [{ v: 1e16 }, { v: 1 }, { v: -1e16 }, { v: 0.1 }, { v: 0.2 }];
  const r = await one(rows, (s) => s.expectColumnSumToBeBetween("v", 0, 10));
  assert.equal(r.result.observed_value, 1.3);
  const reversed = await one(
    [...rows].reverse(),
    (s) => s.expectColumnSumToBeBetween("v", 0, 10),
  );
  assert.equal(reversed.result.observed_value, 1.3);
  const sd = await one(
    [{ v: 1e9 + 1 }, { v: 1e9 + 2 }, { v: 1e9 + 3 }],
    (s) => s.expectColumnStdevToBeBetween("v", 0, 10),
  );
  assert.equal(sd.result.observed_value, 1);
});

Deno.test("validate() reports column aggregates that raise on non-numeric or mixed values and fail on empty columns", async () => {
  const mean = await one(
    [{ v: 1 }, { v: "x" }],
    (s) => s.expectColumnMeanToBeBetween("v", 0, 10),
  );
  assert.equal(mean.success, false);
  assert.equal(mean.exception_info.raised_exception, true);
  assert.equal(
    mean.exception_info.exception_message,
    'Column "v" has a non-numeric value for mean: "x"',
  );
  const max = await one(
    [{ v: 1 }, { v: "x" }],
    (s) => s.expectColumnMaxToBeBetween("v", 0, 10),
  );
  assert.match(
    max.exception_info.exception_message!,
    /mixes types for max: 1 and "x"/,
  );
  const empty = await one(
    [{ v: null }],
    (s) => s.expectColumnMeanToBeBetween("v", 0, 10),
  );
  assert.equal(empty.success, false);
  assert.deepEqual(empty.result, {
    observed_value: null,
    element_count: 1,
    missing_count: 1,
    missing_percent: 100,
  });
  assert.equal(empty.exception_info.raised_exception, false);
});

Deno.test("validate() checks table expectations: row count and columns", async () => {
  const rows = [{ id: 1, mag: 2 }, { id: 2, mag: 3, depth: 1 }];
  const results = (await validate(
    rows,
    new ExpectationSuite("t")
      .expectTableRowCountToBeBetween(1, 2)
      .expectTableRowCountToEqual(3)
      .expectTableColumnCountToEqual(3)
      .expectTableColumnCountToBeBetween({ maxValue: 2 })
      .expectTableColumnsToMatchOrderedList(["id", "depth", "mag"])
      .expectTableColumnsToMatchSet(["id", "mag", "place"])
      .expectTableColumnsToMatchSet(["id", "mag"], { exactMatch: false })
      .expectColumnToExist("depth")
      .expectColumnToExist("depth", { columnIndex: 1 })
      .expectColumnToExist("place"),
  )).results;
  assert.deepEqual(results.map((r) => r.success), [
    true,
    false,
    true,
    false,
    false,
    false,
    true,
    true,
    false,
    false,
  ]);
  assert.deepEqual(results[0]!.result, { observed_value: 2 });
  assert.deepEqual(results[4]!.result, {
    observed_value: ["id", "mag", "depth"],
    details: {
      mismatched: [
        { "Expected Column Position": 1, Expected: "depth", Found: "mag" },
        { "Expected Column Position": 2, Expected: "mag", Found: "depth" },
      ],
    },
  });
  assert.deepEqual(results[5]!.result.details, {
    mismatched: { unexpected: ["depth"], missing: ["place"] },
  });
  assert.deepEqual(results[7]!.result, {});
});

Deno.test("validate() on empty input: map expectations hold vacuously, row count and columns do not", async () => {
  const result = await validate(
    [],
    new ExpectationSuite("t")
      .expectColumnValuesToNotBeNull("a")
      .expectColumnValuesToBeBetween("a", 0, 1)
      .expectColumnValuesToBeUnique("a")
      .expectColumnMeanToBeBetween("a", 0, 1)
      .expectTableRowCountToBeBetween({ minValue: 1 })
      .expectColumnToExist("a"),
  );
  assert.deepEqual(result.results.map((r) => r.success), [
    true,
    true,
    true,
    false,
    false,
    false,
  ]);
  const between = result.results[1]!.result;
  assert.equal(between.element_count, 0);
  assert.equal(between.unexpected_percent, null);
  assert.equal(between.missing_percent, null);
  assert.equal(
    result.results.some((r) => r.exception_info.raised_exception),
    false,
  );
});

Deno.test("validate() reports a missing column as an exception while the other expectations run", async () => {
  const result = await validate(
    [{ a: 1 }, { a: 2 }],
    new ExpectationSuite("t")
      .expectColumnValuesToNotBeNull("nope")
      .expectColumnValuesToBeBetween("a", 0, 5)
      .expectColumnMeanToBeBetween("gone", 0, 1)
      .expectCompoundColumnsToBeUnique(["a", "b"]),
  );
  assert.deepEqual(result.results.map((r) => r.success), [
    false,
    true,
    false,
    false,
  ]);
  assert.deepEqual(result.statistics, {
    evaluated_expectations: 4,
    successful_expectations: 1,
    unsuccessful_expectations: 3,
    success_percent: 25,
  });
  const missing = result.results[0]!;
  assert.equal(missing.exception_info.raised_exception, true);
  assert.equal(
    missing.exception_info.exception_message,
    'Column does not exist in the data: "nope"',
  );
  assert.match(
    missing.exception_info.exception_traceback!,
    /^QualityError: Column does not exist/,
  );
  assert.deepEqual(missing.result, {});
  assert.equal(
    result.results[3]!.exception_info.exception_message,
    'Column does not exist in the data: "b"',
  );
  // A column present only as explicit undefined exists.
  const r = await one(
    [{ a: undefined }],
    (s) => s.expectColumnValuesToNotBeNull("a"),
  );
  assert.equal(r.exception_info.raised_exception, false);
});

Deno.test("validate() with row_condition narrows the domain in GE and pandas syntax", async () => {
  const rows = [
    { type: "earthquake", mag: 5 },
    { type: "quarry blast", mag: -9 },
    { type: "earthquake", mag: 12 },
    { type: "earthquake", mag: null },
  ];
  const ge = await one(
    rows,
    (s) =>
      s.expectColumnValuesToBeBetween("mag", 0, 10, {
        rowCondition: 'col("type")=="earthquake"',
      }),
  );
  assert.equal(ge.result.element_count, 3);
  assert.deepEqual(ge.result.partial_unexpected_list, [12]);
  assert.deepEqual(ge.result.partial_unexpected_index_list, [2]);
  const pandas = await one(
    rows,
    (s) =>
      s.expectColumnValuesToBeBetween("mag", 0, 10, {
        row_condition:
          'type == "earthquake" and not (mag > 11) and mag.notnull()',
        condition_parser: "pandas",
      }),
  );
  assert.equal(pandas.result.element_count, 1);
  assert.equal(pandas.success, true);
  const bad = await one(
    rows,
    (s) => s.expectColumnValuesToNotBeNull("mag", { rowCondition: "mag >" }),
  );
  assert.equal(bad.exception_info.raised_exception, true);
  assert.match(
    bad.exception_info.exception_message!,
    /Row condition ends early: mag >/,
  );
});

Deno.test("ExpectationSuite meta passes through to expectation_config", async () => {
  const r = await one(
    [{ a: 1 }],
    (s) =>
      s.expectColumnValuesToNotBeNull("a", {
        meta: { notes: "owner: ops", n: [1] },
      }),
  );
  assert.deepEqual(r.expectation_config, {
    expectation_type: "expect_column_values_to_not_be_null",
    kwargs: { column: "a" },
    meta: { notes: "owner: ops", n: [1] },
  });
});

Deno.test("expect_column_distinct_values_to_be_in_set, contain_set and equal_set compare the distinct set", async () => {
  const rows = [{ v: "b" }, { v: "a" }, { v: null }, { v: "b" }, { v: 1 }];
  const inSet = await one(
    rows,
    (s) => s.expectColumnDistinctValuesToBeInSet("v", ["a", "b", 1, "z"]),
  );
  assert.equal(inSet.success, true);
  assert.deepEqual(inSet.result, {
    observed_value: [1, "a", "b"],
    details: {
      value_counts: [{ value: 1, count: 1 }, { value: "a", count: 1 }, {
        value: "b",
        count: 2,
      }],
    },
    element_count: 5,
    missing_count: 1,
    missing_percent: 20,
  });
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnDistinctValuesToBeInSet("v", ["a", "b"]),
    )).success,
    false,
  );
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnDistinctValuesToContainSet("v", ["a", 1]),
    )).success,
    true,
  );
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnDistinctValuesToContainSet("v", ["a", "1"]),
    )).success,
    false,
  );
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnDistinctValuesToEqualSet("v", [1, "b", "a"]),
    )).success,
    true,
  );
  assert.equal(
    (await one(
      rows,
      (s) => s.expectColumnDistinctValuesToEqualSet("v", ["a", "b"]),
    )).success,
    false,
  );
});

Deno.test("expect_column_pair_values_to_be_equal and a_to_be_greater_than_b report [a, b] pairs", async () => {
  const rows = [
    { a: 1, b: 1 },
    { a: 2, b: 1 },
    { a: null, b: null },
    { a: 3, b: null },
    { a: "x", b: 1 },
    { a: new Date(5), b: new Date(5) },
  ];
  const eq = await one(
    rows,
    (s) => s.expectColumnPairValuesToBeEqual("a", "b"),
  );
  assert.equal(eq.result.element_count, 6);
  assert.equal(eq.result.missing_count, 1);
  assert.deepEqual(eq.result.partial_unexpected_list, [[2, 1], [3, null], [
    "x",
    1,
  ]]);
  assert.deepEqual(eq.result.partial_unexpected_index_list, [1, 3, 4]);
  const either = await one(
    rows,
    (s) =>
      s.expectColumnPairValuesToBeEqual("a", "b", {
        ignoreRowIf: "either_value_is_missing",
      }),
  );
  assert.equal(either.result.missing_count, 2);
  assert.equal(either.result.unexpected_count, 2);
  const gt = await one(
    rows,
    (s) => s.expectColumnPairValuesAToBeGreaterThanB("a", "b"),
  );
  assert.deepEqual(gt.result.partial_unexpected_list, [[1, 1], [3, null], [
    "x",
    1,
  ], [new Date(5), new Date(5)]]);
  const ge = await one(
    rows,
    (s) =>
      s.expectColumnPairValuesAToBeGreaterThanB("a", "b", {
        orEqual: true,
        mostly: 0.6,
      }),
  );
  assert.deepEqual(ge.result.partial_unexpected_list, [[3, null], ["x", 1]]);
  assert.equal(ge.success, true);
  const gone = await one(
    rows,
    (s) => s.expectColumnPairValuesToBeEqual("a", "zz"),
  );
  assert.equal(
    gone.exception_info.exception_message,
    'Column does not exist in the data: "zz"',
  );
});
