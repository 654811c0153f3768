import assert from "node:assert/strict";
import { readUsgsWeek, usgsEventSuite } from "../../examples/demo_quality.ts";
import { validate } from "../../quality/mod.ts";

Deno.test("usgsEventSuite() passes on the recorded USGS week and flattens regions right", async () => {
  const rows = await readUsgsWeek();
  assert.equal(rows.length, 1707);
  const result = await validate(rows, usgsEventSuite());
  assert.equal(
    result.success,
    true,
    JSON.stringify(result.results.filter((r) => !r.success)),
  );
  // Known answer: M > 4 events by the text after the last comma of place.
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.mag !== null && r.mag > 4) {
      counts.set(r.region!, (counts.get(r.region!) ?? 0) + 1);
    }
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5);
  assert.deepEqual(top, [["Taiwan", 20], ["Indonesia", 11], ["Chile", 8], [
    "Alaska",
    7,
  ], ["Greenland", 5]]);
});

Deno.test("usgsEventSuite() catches corrupted events", async () => {
  const rows = (await readUsgsWeek()).slice(0, 200);
  rows[3] = { ...rows[3]!, mag: 15 };
  rows[7] = { ...rows[7]!, id: rows[8]!.id };
  rows[9] = { ...rows[9]!, type: "sonic boom", latitude: 123 };
  const result = await validate(rows, usgsEventSuite());
  // The earthquake-only magnitude check has mostly 0.95, so one bad value passes it.
  const failed = result.results.filter((r) => !r.success).map((r) => [
    r.expectation_config.expectation_type,
    r.expectation_config.kwargs.column ?? null,
    r.result.partial_unexpected_list ?? r.result.observed_value,
  ]);
  assert.deepEqual(failed, [
    ["expect_column_values_to_be_unique", "id", [rows[8]!.id, rows[8]!.id]],
    ["expect_column_values_to_be_between", "mag", [15]],
    ["expect_column_values_to_be_between", "latitude", [123]],
    ["expect_column_values_to_be_in_set", "type", ["sonic boom"]],
    ["expect_column_max_to_be_between", "mag", 15],
    ["expect_column_proportion_of_unique_values_to_be_between", "id", 0.995],
  ]);
});
