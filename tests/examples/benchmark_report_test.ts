import assert from "node:assert/strict";
import {
  type BenchmarkReport,
  formatRunsTable,
  renderBenchmarkHtml,
} from "../../examples/benchmark_report.ts";

const report: BenchmarkReport = {
  generated_at: "2026-11-25T00:00:00.000Z",
  source: "replay <recorded>",
  events_fetched: 1707,
  fetch: { requests: 5, retries: 2, ms: 40 },
  top_regions: [{ region: "Taiwan", count: 20 }, {
    region: "Indonesia",
    count: 11,
  }],
  runs: [{
    scale: "week",
    events: 1707,
    baseline_ms: 10,
    spark_ms: 40,
    spark_startup_ms: 30,
    workers: 2,
    partitions: 4,
    speedup: 0.25,
    agree: true,
  }],
  validation: {
    success: true,
    evaluated: 1,
    successful: 1,
    lines: [{
      expectation: "expect_column_values_to_not_be_null",
      column: "id",
      success: true,
      observed: "0 null",
    }],
  },
  dag: {
    dag_id: "usgs",
    run_id: "r1",
    state: "success",
    tasks: [{
      taskId: "fetch",
      state: "success",
      tryNumber: 1,
      start: 1000,
      end: 1040,
    }],
  },
  machine: { cores: 2, deno: "2.9.6", os: "linux" },
  notes: ["At <2k events start-up dominates"],
};

Deno.test("renderBenchmarkHtml() draws bars, Gantt and validation, escaping text", () => {
  const html = renderBenchmarkHtml(report);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, />Taiwan<\/text>/);
  assert.match(html, /0\.25x/);
  assert.match(html, />fetch<\/text>/);
  assert.match(html, /expect_column_values_to_not_be_null/);
  assert.match(html, /At &#60;2k events/);
  assert.doesNotMatch(html, /<script|https?:\/\//);
});

Deno.test("formatRunsTable() aligns one row per run", () => {
  const lines = formatRunsTable(report.runs).split("\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^scale\s+events\s+workers/);
  assert.match(
    lines[2]!,
    /week\s+1,707\s+2\s+4\s+10\.0\s+40\.0\s+30\.0\s+0\.25x$/,
  );
});
