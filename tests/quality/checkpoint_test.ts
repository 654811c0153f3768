import assert from "node:assert/strict";
import { DAG } from "../../airflow/mod.ts";
import {
  Checkpoint,
  ExpectationSuite,
  ManualClock,
  QualityError,
  renderDataDocs,
  validate,
} from "../../quality/mod.ts";

const suite = () =>
  new ExpectationSuite("events")
    .expectColumnValuesToNotBeNull("id")
    .expectColumnValuesToBeBetween("mag", -1, 10);

Deno.test("Checkpoint.run() writes the JSON result and Data Docs atomically and resolves on success", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const checkpoint = new Checkpoint({
      name: "nightly",
      suite: suite(),
      resultPath: `${dir}/results/nightly.json`,
      dataDocsPath: `${dir}/docs/index.html`,
      clock: new ManualClock({ start: Date.UTC(2018, 1, 7) }),
    });
    const outcome = await checkpoint.run([{ id: "a", mag: 1 }, {
      id: "b",
      mag: 2,
    }]);
    assert.equal(outcome.success, true);
    assert.equal(outcome.checkpoint_name, "nightly");
    const saved = JSON.parse(
      await Deno.readTextFile(`${dir}/results/nightly.json`),
    );
    assert.deepEqual(
      saved,
      JSON.parse(JSON.stringify(outcome.validation_result)),
    );
    assert.equal(saved.meta.run_id.run_name, "nightly");
    assert.equal(saved.meta.run_id.run_time, "2018-02-07T00:00:00.000Z");
    const html = await Deno.readTextFile(`${dir}/docs/index.html`);
    assert.match(html, /^<!doctype html>/);
    const leftovers = [...Deno.readDirSync(`${dir}/results`)].map((e) =>
      e.name
    );
    assert.deepEqual(leftovers, ["nightly.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Checkpoint.run() with action fail rejects with the result attached, after writing it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const checkpoint = new Checkpoint({
      suite: suite(),
      resultPath: `${dir}/r.json`,
    });
    const error = await checkpoint.run([{ id: null, mag: 1 }, {
      id: "b",
      mag: 12,
    }]).then(
      () => assert.fail("should reject"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof QualityError);
    assert.equal(
      error.message,
      'Checkpoint "events" failed: 2 of 2 expectations unsuccessful (expect_column_values_to_not_be_null, expect_column_values_to_be_between)',
    );
    assert.equal((error.result as { success: boolean }).success, false);
    assert.equal(
      JSON.parse(await Deno.readTextFile(`${dir}/r.json`)).statistics
        .unsuccessful_expectations,
      2,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Checkpoint.run() with action warn reports and resolves", async () => {
  const warnings: string[] = [];
  const checkpoint = new Checkpoint({
    suite: suite().toJSON(),
    action: "warn",
    onWarning: (m) => warnings.push(m),
  });
  const outcome = await checkpoint.run([{ id: null, mag: 1 }]);
  assert.equal(outcome.success, false);
  assert.equal(outcome.result_path, null);
  assert.deepEqual(warnings, [
    'Checkpoint "events" failed: 1 of 2 expectations unsuccessful (expect_column_values_to_not_be_null)',
  ]);
});

Deno.test("Checkpoint rejects bad options with QualityError", () => {
  assert.throws(
    () => new Checkpoint({ suite: suite(), action: "explode" as never }),
    /^QualityError: Checkpoint action must be "fail" or "warn": "explode"$/,
  );
  assert.throws(
    () =>
      new Checkpoint({
        suite: { name: "s", expectations: [{ type: "expect_x" }] } as never,
      }),
    QualityError,
  );
});

Deno.test("Checkpoint.run() gates an airflow DAG: bad data fails the task and stops downstream", async () => {
  const checkpoint = new Checkpoint({ suite: suite() });
  const published: unknown[] = [];
  const build = (rows: unknown[]) => {
    const dag = new DAG(`gate_${rows.length}`);
    const validateTask = dag.task("validate", () => checkpoint.run(rows));
    const publish = dag.task("publish", () => {
      published.push(rows);
      return rows.length;
    });
    validateTask.then(publish);
    return dag;
  };
  const good = await build([{ id: "a", mag: 1 }]).test();
  assert.equal(good.state, "success");
  assert.equal(good.tasks.publish?.state, "success");
  assert.equal(
    (good.tasks.validate?.xcom as { success: boolean }).success,
    true,
  );
  const bad = await build([{ id: "a", mag: 99 }, { id: "b", mag: 1 }]).test();
  assert.equal(bad.state, "failed");
  assert.equal(bad.tasks.validate?.state, "failed");
  assert.equal(bad.tasks.publish?.state, "upstream_failed");
  assert.equal(published.length, 1);
});

Deno.test("renderDataDocs() shows summary, statuses, observed values, samples and escapes data", async () => {
  const result = await validate(
    [{ v: "<script>alert(1)</script>", n: 1 }, { v: "ok", n: 2 }],
    new ExpectationSuite("docs & <more>")
      .expectColumnValuesToBeInSet("v", ["ok"], { meta: { note: "<b>" } })
      .expectColumnMeanToBeBetween("n", 0, 10)
      .expectColumnValuesToNotBeNull("absent"),
  );
  const html = renderDataDocs(result);
  assert.ok(!html.includes("<script>"), "data must be escaped");
  assert.ok(html.includes("&#60;script&#62;alert(1)&#60;/script&#62;"));
  assert.ok(html.includes("docs &#38; &#60;more&#62;"));
  assert.match(html, /Failed/);
  assert.match(html, /Evaluated<b>3<\/b>/);
  assert.match(html, /Successful<b>1<\/b>/);
  assert.match(html, /Observed: <code>1.5<\/code>/);
  assert.match(html, /1 unexpected of 2 \(50%; 0 missing\)/);
  assert.match(
    html,
    /Raised: Column does not exist in the data: &#34;absent&#34;/,
  );
  assert.equal((html.match(/<tr class="(pass|fail|error)">/g) ?? []).length, 3);
  assert.ok(!/(src|href)=/.test(html), "self-contained: no external resources");
  assert.match(renderDataDocs(result, { title: "T" }), /<title>T<\/title>/);
});
