import assert from "node:assert/strict";
import {
  DAG,
  LocalExecutor,
  ManualClock,
  renderRunReport,
} from "../../airflow/mod.ts";
import { drive } from "./_helpers.ts";

Deno.test("renderRunReport() draws the graph, the grid of runs and a Gantt bar per try", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 1) });
  const dag = new DAG("report");
  const a = dag.task("extract", (ctx) => ctx.clock.sleep(1_000));
  const b = dag.task("flaky", (ctx) => {
    if (ctx.tryNumber === 1) throw new Error("first try fails");
  }, { retries: 1, retryDelay: 500 });
  const c = dag.task("skipme", () => {
    throw new Error("x");
  });
  const d = dag.task("after_skip", () => 1);
  a.then([b, c]);
  c.then(d);
  const run1 = await drive(
    clock,
    dag.test({ clock, runId: "one", executor: new LocalExecutor() }),
    100,
  );
  const run2 = await drive(
    clock,
    dag.test({ clock, runId: "two", executor: new LocalExecutor() }),
    100,
  );
  const html = renderRunReport(dag, [run2, run1], { title: "report <&>" });
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(
    !/<script|https?:\/\/(?!www\.w3\.org)/.test(html),
    "self-contained",
  );
  for (const h of ["Graph", "Grid", "Gantt"]) {
    assert.ok(html.includes(`<h2>${h}</h2>`));
  }
  assert.ok(html.includes("report &#60;&#38;&#62;"), "ids are escaped");
  assert.equal(
    (html.match(/<td class="c"/g) ?? []).length,
    8,
    "4 tasks x 2 runs",
  );
  assert.match(
    html,
    /fill="#ffd700" [^>]*><title>flaky try 1: up_for_retry, 0 ms/,
  );
  assert.ok(html.includes("flaky try 2: success"));
  assert.ok(
    html.includes('fill="#ffa500"'),
    "upstream_failed colour in the graph",
  );
  assert.ok(html.includes("run <b>two</b>"), "the latest run is summarised");
  assert.equal(
    (html.match(/<path [^>]*marker-end/g) ?? []).length,
    3,
    "one edge per dependency",
  );
});

Deno.test("renderRunReport() refuses runs of another DAG and omits huge graphs", async () => {
  const dag = new DAG("big");
  for (let i = 0; i < 30; i++) dag.task(`t${i}`, () => i);
  const run = await dag.test();
  assert.match(
    renderRunReport(dag, run, { maxTasks: 10 }),
    /Graph omitted: 30 tasks \(more than 10\)/,
  );
  const other = new DAG("other");
  other.task("x", () => 1);
  assert.throws(() => renderRunReport(other, run), {
    name: "AirflowError",
    message: "Run belongs to another DAG than other: big/manual__" +
      new Date(run.logicalDate).toISOString(),
  });
  assert.throws(
    () => renderRunReport(dag, []),
    /Run report needs at least one run: big/,
  );
});

Deno.test("renderRunReport() shows failed tries with their error and log, full ids, distinct ticks and uncrossed chains", async () => {
  const long = "a_rather_long_task_identifier_that_used_to_be_cut_short_x";
  const dag = new DAG("failures");
  const start = dag.task("start", () => 1);
  // Priority weights put z_* before a_*; the layout keeps each chain in a row.
  const z1 = dag.task("z1", () => 1, { priorityWeight: 10 });
  const a1 = dag.task("a1", () => 1);
  const a2 = dag.task("a2", (ctx) => {
    ctx.log.info("about to fail");
    throw new Error("boom in b");
  });
  const z2 = dag.task(long, () => 1);
  start.then([z1, a1]);
  a1.then(a2);
  z1.then(z2);
  const run = await dag.test();
  const html = renderRunReport(dag, run);
  assert.match(html, /<b>a2<\/b> try 1 \(failed\): boom in b/);
  assert.match(html, /\{a2\} INFO - about to fail/);
  assert.ok(html.includes(`>${long}</text>`), "the whole id is drawn");
  const ticks = [...html.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) =>
    m[1]
  );
  assert.deepEqual(ticks, [...new Set(ticks)], "no tick label repeats");
  const rowOf = (id: string) =>
    Number(
      new RegExp(`<title>${id}:[^<]*</title><rect x="[\\d.]+" y="([\\d.]+)"`)
        .exec(html)![1],
    );
  assert.equal(rowOf("z1"), rowOf(long));
  assert.equal(rowOf("a1"), rowOf("a2"));
});
