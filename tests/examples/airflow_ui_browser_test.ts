// The airflow view in a real browser against a real scheduler process: a
// run triggered from the DAG page appears in the Grid without a reload, and
// a task cleared from its page runs again (try 2) while the page follows it.
// With UI_SCREENSHOTS=<dir> the pages are saved as PNGs for the README.
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveUi } from "../../examples/ui.ts";
import { launchChromium } from "./_chromium.ts";

const root = new URL("../../", import.meta.url).pathname;

// Two tasks; `extract` takes long enough for the pages to see the run in
// progress, `load` says which try it is, so a cleared task's second try is
// visible in its log.
const DAG_FILE = `import { DAG } from "${root}airflow/mod.ts";
export const dag = new DAG("ui_live", { schedule: null });
const extract = dag.task("extract", async () => {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return 42;
});
const load = dag.task("load", (ctx) => {
  ctx.log.info(\`loading on try \${ctx.tryNumber}\`);
  return "loaded";
});
extract.then(load);
`;

/** Starts `airflow scheduler` as its own process; resolves once it runs. */
async function startScheduler(stateDir: string, dagsFolder: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${stateDir}`,
      "--allow-env",
      join(root, "airflow/cli.ts"),
      "scheduler",
      "--state-dir",
      stateDir,
      "--dags-folder",
      dagsFolder,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const started = (async () => {
    let text = "";
    while (!text.includes("Scheduler started")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`scheduler exited: ${text}`);
      text += value;
    }
    lines.push(text);
  })();
  // A scheduler that never starts fails the test instead of hanging it.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("airflow scheduler did not start within 60 s"));
    }, 60_000);
  });
  try {
    await Promise.race([started, deadline]);
  } finally {
    clearTimeout(timer);
  }
  const draining = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      lines.push(value);
    }
  })();
  return {
    output: () => lines.join(""),
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await draining;
      await child.stderr.cancel();
    },
  };
}

Deno.test("the airflow view in Chromium: a triggered run appears in the Grid, a cleared task runs again", async () => {
  const dir = await Deno.makeTempDir();
  const dagsFolder = join(dir, "dags");
  const out = join(dir, "out");
  const stateDir = join(out, "airflow");
  await Deno.mkdir(dagsFolder);
  await Deno.mkdir(stateDir, { recursive: true });
  await Deno.writeTextFile(join(dagsFolder, "ui_live.ts"), DAG_FILE);
  const scheduler = await startScheduler(stateDir, dagsFolder);
  const server = await serveUi({ outDir: out, port: 0, dagsFolder });
  const browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
  });
  const shots = Deno.env.get("UI_SCREENSHOTS");
  const shot = async (name: string) => {
    if (shots) {
      await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    }
  };
  try {
    await page.goto(`${server.url}airflow/dags/ui_live`);
    assert.match(await page.locator("#grid-region").innerText(), /No runs yet/);

    await page.getByLabel("conf").fill('{"source": "browser"}');
    await page.getByRole("button", { name: "Trigger" }).click();
    await page.waitForURL(/\/airflow\/dags\/ui_live$/);
    // A marker on the window: a full reload would lose it.
    await page.evaluate(() => ((globalThis as { marker?: number }).marker = 1));

    // The scheduler process runs the queued run; the Grid follows it.
    const finished = page.locator(
      '#grid th [data-state="success"], #grid th [data-state="failed"]',
    );
    await finished.first().waitFor({ timeout: 30_000 });
    assert.equal(await finished.count(), 1);
    assert.equal(
      await page.locator('#grid th [data-state="success"]').count(),
      1,
      scheduler.output(),
    );
    const cells = await page.locator("#grid tr td [data-state]").evaluateAll(
      (els) => els.map((e) => e.getAttribute("data-state")),
    );
    assert.deepEqual(cells, ["success", "success"]);
    assert.equal(
      await page.evaluate(() => (globalThis as { marker?: number }).marker),
      1,
      "the Grid updated without a full reload",
    );
    await shot("ui_airflow_grid");

    // The conf typed into the form reached the run (as its params).
    const runs = await (await fetch(`${server.url}airflow/api/dags/ui_live`))
      .json();
    assert.equal(runs.runs.length, 1);
    const runId = runs.runs[0].run_id as string;
    const run = await (await fetch(
      `${server.url}airflow/api/dags/ui_live/runs/${encodeURIComponent(runId)}`,
    )).json();
    assert.deepEqual(run.params, { source: "browser" });

    // Clear `load` from its page; the scheduler runs it again.
    await page.locator("#grid tr", { hasText: "load" }).locator("a").click();
    await page.waitForURL(/\/tasks\/load$/);
    assert.equal(await page.locator("#try-number").textContent(), "1");
    assert.match(
      await page.locator("#task-logs").innerText(),
      /loading on try 1/,
    );
    await page.getByRole("button", { name: "Clear" }).click();
    await page.waitForURL(/\/tasks\/load$/);
    await page.evaluate(() => ((globalThis as { marker?: number }).marker = 2));
    await page.locator("#task-logs:not([data-follow])").waitFor({
      state: "attached",
      timeout: 30_000,
    });
    assert.equal(await page.locator("#task-state").textContent(), "success");
    assert.equal(await page.locator("#try-number").textContent(), "2");
    assert.match(
      await page.locator("#task-logs").innerText(),
      /loading on try 2/,
    );
    assert.equal(
      await page.evaluate(() => (globalThis as { marker?: number }).marker),
      2,
      "the task page followed the run without a full reload",
    );
    await shot("ui_airflow_task");
    // `extract` was not cleared: still its one try.
    const extract = await (await fetch(
      `${server.url}airflow/api/dags/ui_live/runs/${
        encodeURIComponent(runId)
      }/tasks/extract`,
    )).json();
    assert.equal(extract.tryNumber, 1);
  } finally {
    await browser.close();
    await server.close();
    await scheduler.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
