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
