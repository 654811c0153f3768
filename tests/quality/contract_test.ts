// Conformance with the public API of quality (the names and shapes the README and
// quality/mod.ts document), used as an outside user would.
import assert from "node:assert/strict";
import {
  ExpectationSuite,
  QualityError,
  validate,
  type ValidationResult,
} from "../../quality/mod.ts";
import { quality, spark } from "../../mod.ts";

type Row = { id: string | null; mag: number | null; region: string };

const rows: Row[] = [
  { id: "a", mag: 1.5, region: "Alaska" },
  { id: "b", mag: 4.5, region: "Taiwan" },
  { id: "c", mag: null, region: "Chile" },
  { id: "c", mag: 12, region: "Mars" },
  { id: "e", mag: 3.0, region: "Alaska" },
];

const suiteJson = {
  expectation_suite_name: "quakes",
  expectations: [
    {
      expectation_type: "expect_table_row_count_to_be_between",
      kwargs: { min_value: 1, max_value: 10 },
      meta: { owner: "ops" },
    },
    {
      expectation_type: "expect_column_values_to_not_be_null",
      kwargs: { column: "mag", mostly: 0.75 },
      meta: {},
    },
    {
      expectation_type: "expect_column_values_to_be_between",
      kwargs: { column: "mag", min_value: -1, max_value: 10 },
      meta: {},
    },
    {
      expectation_type: "expect_column_values_to_be_in_set",
      kwargs: { column: "region", value_set: ["Alaska", "Taiwan", "Chile"] },
      meta: {},
    },
    {
      expectation_type: "expect_column_values_to_match_regex",
      kwargs: { column: "id", regex: "^[a-z]$" },
      meta: {},
    },
    {
      expectation_type: "expect_column_values_to_be_unique",
      kwargs: { column: "id" },
      meta: {},
    },
    {
      expectation_type: "expect_column_mean_to_be_between",
      kwargs: { column: "mag", min_value: 0, max_value: 10 },
      meta: {},
    },
  ],
};

const GE_RESULT_KEYS = [
  "element_count",
  "missing_count",
  "unexpected_count",
  "unexpected_percent",
  "partial_unexpected_list",
];

function checkShape(r: ValidationResult): void {
  assert.equal(typeof r.success, "boolean");
  for (
    const k of [
      "evaluated_expectations",
      "successful_expectations",
      "unsuccessful_expectations",
      "success_percent",
    ] as const
  ) {
    assert.equal(typeof r.statistics[k], "number", k);
  }
  for (const res of r.results) {
    assert.equal(typeof res.success, "boolean");
    assert.equal(typeof res.expectation_config.expectation_type, "string");
    assert.ok("kwargs" in res.expectation_config);
    assert.ok("result" in res);
    assert.ok("exception_info" in res);
  }
}

function summary(r: ValidationResult): unknown {
  return {
    success: r.success,
    statistics: r.statistics,
    results: r.results.map((x) => ({
      success: x.success,
      config: x.expectation_config,
      result: x.result,
    })),
  };
}

Deno.test("validate is reachable from the root quality namespace", async () => {
  assert.equal(quality.validate, validate);
  assert.equal(quality.ExpectationSuite, ExpectationSuite);
  const r = await quality.validate(
    [{ a: 1 }],
    new quality.ExpectationSuite("s").expectColumnValuesToNotBeNull("a"),
  );
  assert.equal(r.success, true);
});

Deno.test("ExpectationSuite.fromJSON() and toJSON() round-trip GE suite JSON", () => {
  const suite = ExpectationSuite.fromJSON(suiteJson);
  const out = suite.toJSON();
  assert.equal(out.expectation_suite_name, "quakes");
  assert.equal(out.expectations.length, suiteJson.expectations.length);
  out.expectations.forEach((e, i) => {
    const want = suiteJson.expectations[i]!;
    assert.equal(e.expectation_type, want.expectation_type);
    for (const [k, v] of Object.entries(want.kwargs)) {
      assert.deepEqual(e.kwargs[k], v, `${e.expectation_type}.${k}`);
    }
  });
  assert.deepEqual(out.expectations[0]!.meta, { owner: "ops" });
  // From a string too, and stable through JSON.
  const again = ExpectationSuite.fromJSON(JSON.stringify(out)).toJSON();
  assert.deepEqual(again, out);
});

Deno.test("validate() returns GE's result shape and field names", async () => {
  const r = await validate(rows, ExpectationSuite.fromJSON(suiteJson), {
    resultFormat: "SUMMARY",
  });
  checkShape(r);
  assert.equal(r.success, false);
  assert.equal(r.statistics.evaluated_expectations, 7);
  const byType = new Map(
    r.results.map((x) => [x.expectation_config.expectation_type, x]),
  );
  const rowCount = byType.get("expect_table_row_count_to_be_between")!;
  assert.equal(rowCount.success, true);
  assert.equal(rowCount.result.observed_value, 5);

  const notNull = byType.get("expect_column_values_to_not_be_null")!;
  assert.equal(notNull.success, true, "mostly 0.75 with 4/5 non-null");
  assert.equal(notNull.result.element_count, 5);
  assert.equal(notNull.result.unexpected_count, 1);
  assert.equal(notNull.result.unexpected_percent, 20);

  const between = byType.get("expect_column_values_to_be_between")!;
  assert.equal(between.success, false);
  for (const k of GE_RESULT_KEYS) assert.ok(k in between.result, k);
  assert.equal(between.result.element_count, 5);
  assert.equal(between.result.missing_count, 1);
  assert.equal(between.result.unexpected_count, 1);
  assert.equal(between.result.unexpected_percent, 25);
  assert.deepEqual(between.result.partial_unexpected_list, [12]);

  const inSet = byType.get("expect_column_values_to_be_in_set")!;
  assert.equal(inSet.success, false);
  assert.deepEqual(inSet.result.partial_unexpected_list, ["Mars"]);

  assert.equal(
    byType.get("expect_column_values_to_match_regex")!.success,
    true,
  );
  const unique = byType.get("expect_column_values_to_be_unique")!;
  assert.equal(unique.success, false);
  assert.deepEqual(unique.result.partial_unexpected_list, ["c", "c"]);

  const mean = byType.get("expect_column_mean_to_be_between")!;
  assert.equal(mean.success, true);
  assert.equal(mean.result.observed_value, 21 / 4);

  assert.equal(r.statistics.successful_expectations, 4);
  assert.equal(r.statistics.unsuccessful_expectations, 3);
  assert.ok(Math.abs(r.statistics.success_percent! - 400 / 7) < 1e-9);
});

Deno.test("validate() honours resultFormat BOOLEAN_ONLY, BASIC and COMPLETE", async () => {
  const suite = new ExpectationSuite("fmt").expectColumnValuesToBeBetween(
    "mag",
    { minValue: 0, maxValue: 5 },
  );
  const boolOnly = await validate(rows, suite, {
    resultFormat: "BOOLEAN_ONLY",
  });
  assert.equal(boolOnly.results[0]!.success, false);
  assert.equal(boolOnly.results[0]!.result.unexpected_count, undefined);
  const basic = await validate(rows, suite, { resultFormat: "BASIC" });
  assert.equal(basic.results[0]!.result.unexpected_count, 1);
  assert.deepEqual(basic.results[0]!.result.partial_unexpected_list, [12]);
  const complete = await validate(rows, suite, { resultFormat: "COMPLETE" });
  assert.deepEqual(
    (complete.results[0]!.result as Record<string, unknown>)
      .unexpected_list,
    [12],
  );
});

Deno.test("validate() gives identical results for arrays, iterables, async iterables and RDDs", async () => {
  const suite = ExpectationSuite.fromJSON(suiteJson);
  const fromArray = await validate(rows, suite);
  function* gen() {
    yield* rows;
  }
  async function* agen() {
    for (const r of rows) {
      await Promise.resolve();
      yield r;
    }
  }
  const fromIter = await validate(gen(), suite);
  const fromAsync = await validate(agen(), suite);
  await using sc = new spark.SparkContext({ parallelism: 2 });
  const fromRdd = await validate(sc.parallelize(rows, 3), suite);
  for (const r of [fromIter, fromAsync, fromRdd]) {
    checkShape(r);
    assert.deepEqual(summary(r), summary(fromArray));
  }
});

Deno.test("validate() reports a failing expectation with exception_info and runs the rest", async () => {
  const suite = new ExpectationSuite("errs")
    .expect("expect_column_values_to_not_be_null", { column: "nope" })
    .expectColumnValuesToNotBeNull("id");
  const r = await validate(rows, suite);
  assert.equal(r.results.length, 2);
  const bad = r.results[0]!;
  assert.equal(bad.success, false);
  assert.equal(bad.exception_info.raised_exception, true);
  assert.match(String(bad.exception_info.exception_message), /nope/);
  assert.equal(r.results[1]!.success, true);
  assert.throws(
    () =>
      ExpectationSuite.fromJSON({
        expectation_suite_name: "x",
        expectations: [{ expectation_type: "expect_magic", kwargs: {} }],
      }),
    (e: unknown) => {
      assert.ok(e instanceof QualityError);
      assert.equal(e.name, "QualityError");
      assert.match(e.message, /expect_magic/);
      return true;
    },
  );
});

Deno.test("ExpectationSuite accepts GE 1.x JSON; mostly leaves nulls out; partial lists cap at 20", async () => {
  const v1 = ExpectationSuite.fromJSON({
    name: "v1",
    expectations: [
      {
        type: "expect_column_values_to_be_between",
        kwargs: { column: "x", min_value: 0, max_value: 10, mostly: 0.5 },
      },
    ],
  });
  assert.equal(v1.toJSON().expectation_suite_name, "v1");
  // GX 1.x may also store kwargs flat next to `type`.
  const flat = ExpectationSuite.fromJSON(JSON.stringify({
    name: "flat",
    expectations: [{
      type: "expect_column_values_to_not_be_null",
      column: "x",
    }],
  }));
  assert.deepEqual(flat.toJSON().expectations[0]!.kwargs, { column: "x" });
  assert.equal(
    v1.toJSON().expectations[0]!.expectation_type,
    "expect_column_values_to_be_between",
  );
  // 2 of 4 non-null values pass: exactly mostly = 0.5 (nulls not counted).
  const data = [{ x: 1 }, { x: 2 }, { x: 20 }, { x: 30 }, { x: null }, {
    x: null,
  }];
  const r = await validate(data, v1);
  assert.equal(r.results[0]!.success, true);
  assert.equal(r.results[0]!.result.unexpected_percent, 50);
  const strict = new ExpectationSuite("strict").expectColumnValuesToBeBetween(
    "x",
    { minValue: 0, maxValue: 10, mostly: 0.51 },
  );
  assert.equal((await validate(data, strict)).results[0]!.success, false);

  const many = Array.from({ length: 50 }, (_, i) => ({ v: i % 2 ? null : i }));
  const res = await validate(
    many,
    new ExpectationSuite("cap").expectColumnValuesToNotBeNull("v"),
    { resultFormat: "SUMMARY" },
  );
  const details = res.results[0]!.result as Record<string, unknown>;
  assert.equal(details.unexpected_count, 25);
  assert.equal((details.partial_unexpected_list as unknown[]).length, 20);
  assert.ok(Array.isArray(details.partial_unexpected_counts));
});

Deno.test("validate() rejects rows that are not objects; unknown types list the known ones", async () => {
  await assert.rejects(
    () =>
      validate(
        [1, 2] as unknown as Record<string, unknown>[],
        new ExpectationSuite("s").expectColumnValuesToNotBeNull("a"),
      ),
    QualityError,
  );
  assert.throws(
    () => new ExpectationSuite("s").expect("expect_nothing_at_all", {}),
    (e: unknown) =>
      e instanceof QualityError &&
      /expect_column_values_to_not_be_null/.test(e.message),
  );
});

Deno.test("Checkpoint runs a suite, writes the result JSON and fails on failure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const suite = new ExpectationSuite("cp").expectColumnValuesToNotBeNull(
      "id",
    );
    const ok = await new quality.Checkpoint({
      suite,
      resultPath: `${dir}/ok.json`,
    }).run([{ id: 1 }]);
    assert.equal(ok.success, true);
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/ok.json`));
    assert.equal(saved.success, true);
    assert.equal(saved.statistics.evaluated_expectations, 1);
    await assert.rejects(
      () =>
        new quality.Checkpoint({ suite, action: "fail" }).run([{ id: null }]),
      QualityError,
    );
    const html = quality.renderDataDocs(
      await validate([{ id: null }], suite),
    );
    assert.match(html, /expect_column_values_to_not_be_null/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
