import assert from "node:assert/strict";
import { ExpectationSuite, QualityError, validate } from "../../quality/mod.ts";
import { one } from "./_helpers.ts";

// 30 unexpected values: "x0".."x9" three times each, plus two good rows and a null.
const ROWS = [
  { v: "ok" },
  ...Array.from({ length: 30 }, (_, i) => ({ v: `x${i % 10}` })),
  { v: null },
  { v: "ok" },
];
const build = (s: ExpectationSuite) =>
  s.expectColumnValuesToBeInSet("v", ["ok"]);

Deno.test("validate() with BOOLEAN_ONLY returns success and an empty result", async () => {
  const r = await one(ROWS, build, { resultFormat: "BOOLEAN_ONLY" });
  assert.equal(r.success, false);
  assert.deepEqual(r.result, {});
  const agg = await one(ROWS, (s) => s.expectTableRowCountToEqual(33), {
    resultFormat: "BOOLEAN_ONLY",
  });
  assert.deepEqual(agg, { ...agg, success: true, result: {} });
});

Deno.test("validate() with BASIC caps partial_unexpected_list at 20 and adds no counts", async () => {
  const r = await one(ROWS, build, { resultFormat: "BASIC" });
  assert.deepEqual(Object.keys(r.result).sort(), [
    "element_count",
    "missing_count",
    "missing_percent",
    "partial_unexpected_list",
    "unexpected_count",
    "unexpected_percent",
    "unexpected_percent_nonmissing",
    "unexpected_percent_total",
  ]);
  assert.equal(r.result.element_count, 33);
  assert.equal(r.result.unexpected_count, 30);
  assert.equal(r.result.partial_unexpected_list!.length, 20);
  assert.deepEqual(r.result.partial_unexpected_list!.slice(0, 3), [
    "x0",
    "x1",
    "x2",
  ]);
  assert.equal(r.result.unexpected_percent, 30 / 32 * 100);
});

Deno.test("validate() with SUMMARY adds indices and counts over the partial list, as GE does", async () => {
  const r = await one(ROWS, build);
  assert.deepEqual(
    r.result.partial_unexpected_index_list,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  // The first 20 unexpected values hold x0..x9 twice each.
  assert.deepEqual(
    r.result.partial_unexpected_counts,
    Array.from({ length: 10 }, (_, i) => ({ value: `x${i}`, count: 2 })),
  );
  assert.equal("unexpected_list" in r.result, false);
});

Deno.test("validate() with COMPLETE returns every unexpected value and index, top-20 counts", async () => {
  const r = await one(ROWS, build, { resultFormat: "COMPLETE" });
  assert.equal(r.result.unexpected_list!.length, 30);
  assert.deepEqual(
    r.result.unexpected_index_list,
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  assert.equal(r.result.partial_unexpected_list!.length, 20);
  assert.deepEqual(
    r.result.partial_unexpected_counts,
    Array.from({ length: 10 }, (_, i) => ({ value: `x${i}`, count: 3 })),
  );
});

Deno.test("validate() sorts partial_unexpected_counts by count, then value", async () => {
  const rows = [
    { v: "b" },
    { v: 2 },
    { v: "a" },
    { v: "b" },
    { v: null },
    { v: 1 },
    { v: "a" },
    { v: "c" },
  ];
  const r = await one(rows, (s) => s.expectColumnValuesToBeInSet("v", []));
  assert.deepEqual(r.result.partial_unexpected_counts, [
    { value: "a", count: 2 },
    { value: "b", count: 2 },
    { value: 1, count: 1 },
    { value: 2, count: 1 },
    { value: "c", count: 1 },
  ]);
});

Deno.test("validate() honours GE's dict result format with partial_unexpected_count", async () => {
  const r = await one(ROWS, build, {
    resultFormat: { result_format: "SUMMARY", partial_unexpected_count: 3 },
  });
  assert.deepEqual(r.result.partial_unexpected_list, ["x0", "x1", "x2"]);
  assert.deepEqual(r.result.partial_unexpected_index_list, [1, 2, 3]);
  assert.equal(r.result.partial_unexpected_counts!.length, 3);
  const none = await one(ROWS, build, {
    resultFormat: { result_format: "SUMMARY", partial_unexpected_count: 0 },
  });
  assert.deepEqual(none.result.partial_unexpected_list, []);
  assert.equal("partial_unexpected_counts" in none.result, false);
});

Deno.test("validate() rejects an unknown result format with QualityError", async () => {
  await assert.rejects(
    () =>
      validate([], new ExpectationSuite("s"), {
        resultFormat: "VERBOSE" as never,
      }),
    (e: unknown) =>
      e instanceof QualityError &&
      e.message ===
        'Result format must be one of BOOLEAN_ONLY, BASIC, SUMMARY, COMPLETE: "VERBOSE"',
  );
});

Deno.test("validate() reports suite statistics and meta like GE", async () => {
  const result = await validate(
    [{ a: 1 }],
    new ExpectationSuite("nightly").expectColumnToExist("a")
      .expectColumnToExist("b"),
    {
      runName: "r1",
    },
  );
  assert.deepEqual(result.statistics, {
    evaluated_expectations: 2,
    successful_expectations: 1,
    unsuccessful_expectations: 1,
    success_percent: 50,
  });
  assert.equal(result.meta.expectation_suite_name, "nightly");
  assert.equal(result.meta.run_id.run_name, "r1");
  assert.equal(result.meta.result_format, "SUMMARY");
  assert.deepEqual(result.evaluation_parameters, {});
  const empty = await validate([{ a: 1 }], new ExpectationSuite("none"));
  assert.equal(empty.success, true);
  assert.equal(empty.statistics.success_percent, null);
});

Deno.test("validate() with catchExceptions false rejects on the first raised expectation", async () => {
  const suite = new ExpectationSuite("s").expectColumnToExist("a")
    .expectColumnValuesToNotBeNull("missing");
  const ok = await validate([{ a: 1 }], suite);
  assert.equal(ok.results[1]!.exception_info.raised_exception, true);
  await assert.rejects(
    () => validate([{ a: 1 }], suite, { catchExceptions: false }),
    (e: unknown) =>
      e instanceof QualityError &&
      e.message ===
        'Expectation 1 (expect_column_values_to_not_be_null) raised: Column does not exist in the data: "missing"' &&
      (e.result as { statistics: { evaluated_expectations: number } })
          .statistics.evaluated_expectations === 2,
  );
});
