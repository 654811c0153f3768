// The spark history view in a real browser (Debian's Chromium through
// playwright-core): a long job is followed live, without a reload, from the
// application page to its running stage. With UI_SCREENSHOTS=<dir> the
// pages are also saved as PNGs.
import assert from "node:assert/strict";
import { SparkContext, sparkHistoryHandler } from "../../spark/mod.ts";
import { launchChromium } from "../examples/_chromium.ts";

/** The browser's globals, as the functions sent to the page see them. */
type Page = {
  document: {
    activeElement: { tagName: string } | null;
    documentElement: { scrollWidth: number };
  };
  innerWidth: number;
};

Deno.test("sparkHistoryHandler in Chromium: a long job's stage is followed live", async () => {
  const dir = await Deno.makeTempDir();
  const sc = new SparkContext({
    parallelism: 1,
    eventLogDir: dir,
    appName: "long job",
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    sparkHistoryHandler({ eventLogDir: dir, basePath: "/spark" }),
  );
  const browser = await launchChromium();
  const shots = Deno.env.get("UI_SCREENSHOTS");
  try {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
    });
    // 12 tasks of 250 ms each on one worker: about 3 s.
    const job = sc.range(0, 12, 1, 12).map((x) => {
      const end = Date.now() + 250;
      while (Date.now() < end);
      return x;
    }).count();
    const root = `http://127.0.0.1:${server.addr.port}/spark`;
    await page.goto(`${root}/apps/${sc.applicationId}`);
    assert.match(await page.title(), /long job/);
    // The job shows up running, then its stage link leads to the stage.
    await page.locator("#jobs ~ .scroll tbody tr", { hasText: "RUNNING" })
      .first().waitFor({ timeout: 10_000 });
    await page.keyboard.press("Tab");
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as Page).document.activeElement?.tagName
      ),
      "A",
    );
    await page.getByRole("link", { name: "0", exact: true }).last().click();
    await page.waitForURL(/\/stages\/0$/);
    await page.evaluate(() => {
      (globalThis as unknown as { loadedOnce: number }).loadedOnce = 1;
    });
    // A running stage shows its task counts as they change, in place.
    const progress = page.getByRole("progressbar").first();
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const now = await progress.getAttribute("aria-valuenow");
      if (now !== null) seen.add(now);
      if (now === "12") break;
      await page.waitForTimeout(100);
    }
    const partial = [...seen].filter((v) => v !== "0" && v !== "12");
    assert.ok(partial.length > 0, `intermediate counts: ${[...seen]}`);
    if (shots) {
      await page.screenshot({
        path: `${shots}/spark_stage.png`,
        fullPage: true,
      });
    }
    assert.equal(await job, 12);
    await page.getByText("Summary Metrics for 12 Completed Tasks").waitFor({
      timeout: 10_000,
    });
    assert.ok(
      await page.getByText("✓ COMPLETE").first().isVisible(),
      "the stage shows complete",
    );
    // The polling replaced <main> in place: this is still the first load.
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as { loadedOnce?: number }).loadedOnce
      ),
      1,
    );
    // Readable on a phone: the page fits, wide tables scroll in their box.
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = await page.evaluate(() =>
      (globalThis as unknown as Page).document.documentElement.scrollWidth -
      (globalThis as unknown as Page).innerWidth
    );
    assert.ok(overflow <= 1, `page overflows by ${overflow} px`);
    if (shots) {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${root}/apps/${sc.applicationId}/jobs/0`);
      await page.screenshot({ path: `${shots}/spark_job.png`, fullPage: true });
    }
  } finally {
    await browser.close();
    await server.shutdown();
    sc.close();
    await Deno.remove(dir, { recursive: true });
  }
});
