// The live views in a real browser: Debian's Chromium, headless, driven over
// the DevTools protocol by playwright-core. `.ci/run` installs chromium when
// it is missing. With UI_SCREENSHOTS=<dir> the test also saves the pages it
// visits as PNGs (the README's screenshots come from there).
import assert from "node:assert/strict";
import { serveUi } from "../../examples/ui.ts";
import { launchChromium } from "./_chromium.ts";
import { makeOut } from "./_ui_out.ts";

Deno.test("deno task ui in Chromium: the index, the Kafka view of a real topic, messages from an offset", async () => {
  const out = await makeOut();
  const server = await serveUi({ outDir: out, port: 0 });
  const browser = await launchChromium();
  const shots = Deno.env.get("UI_SCREENSHOTS");
  const shot = async (name: string) => {
    if (shots) {
      await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    }
  };
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
  });
  try {
    await page.goto(server.url);
    assert.equal(await page.title(), "Live views");
    const links = await page.locator("ul.views a").evaluateAll((as) =>
      as.map((a) => [a.textContent, a.getAttribute("href")])
    );
    assert.deepEqual(links, [
      ["Airflow", "/airflow"],
      ["Spark", "/spark"],
      ["Kafka", "/kafka"],
      ["Data Docs", "/quality"],
    ]);
    await shot("ui_index");

    await page.getByRole("link", { name: "Kafka", exact: true }).click();
    await page.waitForURL(/\/kafka$/);
    const row = page.locator("#topics tr", { hasText: "earthquakes" });
    assert.deepEqual(
      await row.locator("td").allTextContents().then((c) => c.slice(0, 3)),
      ["earthquakes", "2", "40"],
    );
    await row.getByRole("link").click();
    await page.waitForURL(/\/kafka\/topics\/earthquakes$/);
    const highWatermarks = await page.locator("#partitions tr td:nth-child(3)")
      .allTextContents();
    const total = highWatermarks.reduce((n, t) => n + Number(t), 0);
    assert.equal(total, 40);

    // Browse: the busiest partition, from offset 2, three messages, as JSON.
    const busiest = highWatermarks.indexOf(
      String(Math.max(...highWatermarks.map(Number))),
    );
    await page.getByLabel("partition").selectOption(String(busiest));
    await page.getByLabel("from offset").fill("2");
    await page.getByLabel("messages", { exact: true }).fill("3");
    await page.getByLabel("show as").selectOption("json");
    await page.getByRole("button", { name: "Browse" }).click();
    await page.waitForURL(/offset=2/);
    const offsets = await page.locator("#messages tr td:first-child")
      .allTextContents();
    assert.deepEqual(offsets, ["2", "3", "4"]);
    const firstValue = await page.locator("#messages tr").nth(1).locator("td")
      .nth(3).textContent();
    assert.match(
      firstValue ?? "",
      /^\{\n {2}"id": "us\d+",\n {2}"mag": [\d.]+\n\}$/,
    );
    await shot("ui_kafka_topic");

    await page.getByRole("link", { name: /Next 3 from offset 5/ }).click();
    await page.waitForURL(/offset=5/);
    assert.deepEqual(
      await page.locator("#messages tr td:first-child").allTextContents(),
      ["5", "6", "7"],
    );

    // The consumer group, its committed offsets and lag per partition.
    await page.getByRole("link", { name: "Topics and groups" }).click();
    await page.waitForURL(/\/kafka\/$/);
    const group = page.locator("#groups tr", { hasText: "quake-readers" });
    assert.equal(await group.locator("td").last().textContent(), "25");
    await group.getByRole("link").click();
    await page.waitForURL(/\/kafka\/groups\/quake-readers$/);
    const rows = await page.locator("#group table tr").evaluateAll((trs) =>
      trs.slice(1, -1).map((tr) =>
        [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent)
      )
    );
    // Partition, committed, high watermark, lag.
    const byPartition = rows.map((r) => r.map(Number));
    assert.deepEqual(byPartition.map((r) => [r[0], r[1]]), [[0, 5], [1, 10]]);
    for (const [, committed, end, lag] of byPartition) {
      assert.equal(lag, end! - committed!);
    }
    assert.equal(
      byPartition.reduce((n, r) => n + r[2]!, 0),
      40,
      "the high watermarks add up to the topic's records",
    );
    assert.equal(
      await page.locator("#group table tr").last().locator("th").last()
        .textContent(),
      "25",
    );
    await shot("ui_kafka_group");
  } finally {
    await browser.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task ui in Chromium: the airflow view's Trigger form gets through the shell's origin and token checks", async () => {
  const out = await makeOut();
  const dagsFolder = new URL("../../examples/dags", import.meta.url).pathname;
  const server = await serveUi({ outDir: out, port: 0, dagsFolder });
  const browser = await launchChromium();
  const page = await browser.newPage();
  const runs = () =>
    Array.fromAsync(Deno.readDir(`${out}/airflow`)).then(
      (es) => es.filter((e) => e.name.endsWith(".json")).length,
      () => 0,
    );
  try {
    await page.goto(`${server.url}airflow/dags/hello`);
    assert.equal(await runs(), 0);
    await page.getByRole("button", { name: "Trigger" }).click();
    await page.waitForURL(/\/airflow\/dags\/hello$/);
    assert.equal(await runs(), 1);
    // The same POST without the cookie (so without the token) is refused.
    const refused = await page.evaluate(async (url) => {
      const res = await fetch(url, { method: "POST", credentials: "omit" });
      return res.status;
    }, `${server.url}airflow/dags/hello/trigger`);
    assert.equal(refused, 403);
    assert.equal(await runs(), 1);
  } finally {
    await browser.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});
