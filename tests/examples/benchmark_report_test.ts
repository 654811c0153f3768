import assert from "node:assert/strict";
import {
  type BenchmarkReport,
  formatRunsTable,
  jsonForPeople,
  renderBenchmarkHtml,
  roundForPeople,
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
    tasks: [
      {
        taskId: "fetch",
        state: "success",
        tryNumber: 1,
        start: 1000,
        end: 1040,
        upstream: [],
      },
      {
        taskId: "left",
        state: "success",
        tryNumber: 1,
        start: 1040,
        end: 1050,
        upstream: ["fetch"],
      },
      {
        taskId: "right",
        state: "failed",
        tryNumber: 1,
        start: 1050,
        end: 1060,
        upstream: ["fetch"],
        error: "boom",
      },
      {
        taskId: "join",
        state: "upstream_failed",
        tryNumber: 0,
        start: 0,
        end: 0,
        upstream: ["left", "right"],
      },
    ],
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

Deno.test("renderBenchmarkHtml() draws a 1.0x line on the speedup chart", () => {
  const html = renderBenchmarkHtml(report);
  assert.match(
    html,
    /<line [^>]*stroke-dasharray[^>]*\/><text [^>]*>1\.0x = as fast as the loop<\/text>/,
  );
});

Deno.test("renderBenchmarkHtml() draws parallel branches in one column, as they ran", () => {
  const html = renderBenchmarkHtml(report);
  const box = (id: string) => {
    const m = new RegExp(
      `<title>${id}: [^<]*</title><rect x="([\\d.]+)" y="([\\d.]+)"`,
    ).exec(html);
    assert.ok(m, id);
    return { x: Number(m[1]), y: Number(m[2]) };
  };
  const [fetch, left, right, join] = ["fetch", "left", "right", "join"].map(
    box,
  );
  assert.equal(left!.x, right!.x);
  assert.notEqual(left!.y, right!.y);
  assert.ok(fetch!.x < left!.x && left!.x < join!.x);
  assert.match(html, /<title>right: failed \(boom\)<\/title>/);
  assert.match(html, />\+50 ms · 10 ms</);
  assert.match(html, />did not run</);
  // four edges: fetch→left, fetch→right, left→join, right→join
  assert.equal(html.match(/marker-end="url\(#arrow\)"/g)?.length, 4);
});

Deno.test("renderBenchmarkHtml() keeps expectation names whole", () => {
  const html = renderBenchmarkHtml(report);
  assert.match(
    html,
    /<td class="name">expect_column_values_to_not_be_null<\/td>/,
  );
  assert.match(html, /td\.name\{[^}]*white-space:nowrap/);
});

Deno.test("roundForPeople() and jsonForPeople() round for reading", () => {
  assert.equal(roundForPeople(1.5327416520210895), 1.533);
  assert.equal(roundForPeople(20), 20);
  assert.equal(roundForPeople(12345.678), 12346);
  assert.equal(roundForPeople(0.000123456), 0.0001235);
  assert.equal(
    jsonForPeople({ mean: 1.5327416520210895, n: [2.25, 3] }),
    '{"mean":1.533,"n":[2.25,3]}',
  );
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
