import assert from "node:assert/strict";
import { profile, validate } from "../../quality/mod.ts";
import { stream } from "./_helpers.ts";

const rows = [
  { id: "a1", mag: 1.5, type: "earthquake", ok: true, note: null },
  { id: "a2", mag: 2.5, type: "earthquake", ok: false, note: null },
  { id: "a3", mag: null, type: "explosion", ok: true, note: null },
  { id: "a4", mag: 4, type: "earthquake", ok: true, note: null },
];

Deno.test("profile() describes types, nulls, ranges, value sets and uniqueness", async () => {
  const suite = await profile(rows, { suiteName: "quakes" });
  const by = (type: string, column?: string) =>
    suite.expectations.find((e) =>
      e.expectation_type === type && e.kwargs.column === column
    )?.kwargs;
  assert.equal(suite.name, "quakes");
  assert.deepEqual(by("expect_table_row_count_to_be_between"), {
    min_value: 4,
    max_value: 4,
  });
  assert.deepEqual(by("expect_column_values_to_not_be_null", "mag"), {
    column: "mag",
    mostly: 0.75,
  });
  assert.deepEqual(by("expect_column_values_to_be_between", "mag"), {
    column: "mag",
    min_value: 1.5,
    max_value: 4,
  });
  assert.deepEqual(by("expect_column_values_to_be_in_type_list", "mag"), {
    column: "mag",
    type_list: ["float64"],
  });
  assert.deepEqual(by("expect_column_values_to_be_in_type_list", "ok"), {
    column: "ok",
    type_list: ["bool_"],
  });
  assert.deepEqual(by("expect_column_values_to_be_in_set", "type")?.value_set, [
    "earthquake",
    "explosion",
  ]);
  assert.ok(by("expect_column_values_to_be_unique", "id"));
  assert.equal(by("expect_column_values_to_be_unique", "type"), undefined);
  assert.ok(by("expect_column_values_to_be_null", "note"));
  const result = await validate(rows, suite);
  assert.deepEqual(
    result.results.filter((r) => !r.success).map((r) => r.expectation_config),
    [],
  );
});

Deno.test("profile() options exclude columns and types, cap value sets, read streams", async () => {
  const suite = await profile(stream(rows), {
    excludedColumns: ["id"],
    excludedExpectations: ["expect_column_mean_to_be_between"],
    maxValueSetSize: 1,
  });
  const types = suite.expectations.map((e) => e.expectation_type);
  assert.ok(!suite.expectations.some((e) => e.kwargs.column === "id"));
  assert.ok(!types.includes("expect_column_mean_to_be_between"));
  // type has 2 distinct values, over the cap of 1; ok has 2 as well.
  assert.ok(
    !suite.expectations.some((e) =>
      e.expectation_type === "expect_column_values_to_be_in_set" &&
      e.kwargs.column === "type"
    ),
  );
  await assert.rejects(
    profile(rows, { excludedExpectations: ["expect_magic"] }),
    /Excluded expectation is not a known type: "expect_magic"/,
  );
  await assert.rejects(
    profile(rows, { maxValueSetSize: -1 }),
    /maxValueSetSize/,
  );
  await assert.rejects(
    profile([1] as unknown[]),
    /Row must be an object: 1 at row 0/,
  );
  assert.equal((await profile([])).expectations.length, 2);
});
