// Every view of `deno task ui` over what one real benchmark run wrote (the
// recorded USGS week through the DAG, kafka, spark and the quality gate),
// visited in Chromium by following the pages' own links.
import assert from "node:assert/strict";
import { runBenchmark } from "../../examples/usgs_benchmark.ts";
import { parseBenchmarkArgs } from "../../examples/benchmark_config.ts";
import { serveUi } from "../../examples/ui.ts";
import { launchChromium } from "./_chromium.ts";

Deno.test("deno task ui in Chromium: the DAG, spark jobs, topic and validation of a real benchmark run", async () => {
  const out = await Deno.makeTempDir();
  // As a user runs it: `deno task bench --scales=week --workers=1 ...`.
  const config = parseBenchmarkArgs([
    "--scales=week",
    "--workers=1",
    "--repeat=1",
    "--keep-log",
    `--out=${out}`,
  ]);
  assert.ok(config !== "help");
  const report = await runBenchmark(config, () => {});
  assert.equal(report.dag.state, "success");
  const server = await serveUi({ outDir: out, port: 0 });
  const browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
  });
  try {
    // Airflow: the benchmark's DAG (built in code) and its one run.
    await page.goto(`${server.url}airflow`);
    await page.getByRole("link", { name: "usgs_benchmark" }).click();
    await page.waitForURL(/\/airflow\/dags\/usgs_benchmark$/);
    const tasks = await page.locator("#grid tr td:first-child")
      .allTextContents();
    assert.deepEqual(tasks, [
      "fetch_events",
      "validate_events",
      "produce_to_kafka",
      "aggregate_baseline",
      "aggregate_spark",
      "report",
    ]);
    assert.deepEqual(
      await page.locator("#grid tr td [data-state]").evaluateAll((els) =>
        els.map((e) => e.getAttribute("data-state"))
      ),
      Array(6).fill("success"),
    );
    await page.locator("#grid th a").click();
    await page.waitForURL(/\/runs\/manual__/);
    assert.equal(await page.locator("#run-state").textContent(), "success");
    assert.equal(await page.getByRole("heading", { name: "Gantt" }).count(), 1);

    // Spark: an application of the run, a job, and its stages.
    await page.goto(`${server.url}spark`);
    const apps = page.locator("main table tbody tr");
    assert.ok((await apps.count()) >= 1);
    assert.match(await apps.first().innerText(), /aggregate_spark week/);
    await apps.first().getByRole("link").first().click();
    await page.waitForURL(/\/spark\/apps\/local-\d+$/);
    assert.match(await page.locator("main dl").innerText(), /COMPLETED/);
    const jobs = page.locator("#jobs + .scroll tbody tr");
    assert.ok((await jobs.count()) >= 1);
    for (const text of await jobs.allInnerTexts()) {
      assert.match(text, /SUCCEEDED/);
    }
    await jobs.first().getByRole("link").first().click();
    await page.waitForURL(/\/jobs\/\d+$/);
    assert.ok((await page.locator("a[href*='/stages/']").count()) >= 1);

    // Kafka: the benchmark's topic holds the week's 1,707 events.
    await page.goto(`${server.url}kafka`);
    const topic = page.locator("#topics tr", { hasText: "earthquakes" });
    assert.deepEqual(
      await topic.locator("td").allTextContents().then((c) => c.slice(0, 3)),
      ["earthquakes", "4", "1,707"],
    );
    await topic.getByRole("link").click();
    await page.waitForURL(/\/kafka\/topics\/earthquakes$/);
    const highWatermarks = await page.locator("#partitions tr td:nth-child(3)")
      .allTextContents();
    assert.equal(highWatermarks.reduce((n, t) => n + Number(t), 0), 1707);

    // Quality: the run's validation, passed, and its page.
    await page.goto(`${server.url}quality`);
    const result = page.locator("tbody tr").first();
    assert.match(await result.innerText(), /passed/);
    assert.match(
      await result.innerText(),
      new RegExp(
        `${report.validation.successful}/${report.validation.evaluated}`,
      ),
    );
    await result.getByRole("link").click();
    await page.waitForURL(/\/quality\/results\/usgs_raw_events-/);
    assert.match(await page.locator("body").innerText(), /usgs\.events/);
  } finally {
    await browser.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});
