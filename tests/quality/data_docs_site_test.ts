import assert from "node:assert/strict";
import {
  ExpectationSuite,
  ManualClock,
  qualityDocsHandler,
  renderDataDocsSite,
  validate,
} from "../../quality/mod.ts";

async function resultsFolder(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const suite = new ExpectationSuite("quakes")
    .expectColumnValuesToBeBetween("mag", { minValue: 0, maxValue: 10 });
  const older = await validate([{ mag: 1 }], suite, {
    clock: new ManualClock({ start: Date.UTC(2024, 0, 1) }),
  });
  const newer = await validate([{ mag: 12 }], suite, {
    clock: new ManualClock({ start: Date.UTC(2024, 0, 2) }),
  });
  await Deno.writeTextFile(`${dir}/older.json`, JSON.stringify(older));
  await Deno.writeTextFile(`${dir}/newer.json`, JSON.stringify(newer));
  await Deno.writeTextFile(`${dir}/damaged.json`, '{"success": tr');
  await Deno.writeTextFile(`${dir}/notes.txt`, "not a result");
  return dir;
}

Deno.test("renderDataDocsSite writes an index newest first and one page per result", async () => {
  const dir = await resultsFolder();
  try {
    const out = `${dir}/site`;
    const index = await Deno.readTextFile(
      await renderDataDocsSite(dir, { outDir: out }),
    );
    const at = (id: string) => index.indexOf(`href="results/${id}.html"`);
    assert.ok(at("newer") >= 0 && at("older") > at("newer"));
    assert.match(index, /✘ failed/);
    assert.match(index, /✔ passed/);
    assert.match(index, /damaged[\s\S]*does not parse as JSON/);
    assert.ok(!index.includes("notes"));
    const page = await Deno.readTextFile(`${out}/results/newer.html`);
    assert.match(page, /Counts among the first 1 unexpected values/);
    assert.match(page, /href="..\/index.html"/);
    assert.match(
      await Deno.readTextFile(`${out}/results/damaged.html`),
      /role="alert"/,
    );
    assert.ok(!/https?:\/\//.test(index + page), "no network references");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("qualityDocsHandler serves pages and JSON under a base path", async () => {
  const dir = await resultsFolder();
  const handler = qualityDocsHandler({ resultsDir: dir, basePath: "/quality" });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    handler,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const get = async (path: string) => {
    const res = await fetch(base + path);
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      body: await res.text(),
    };
  };
  try {
    const index = await get("/quality/");
    assert.equal(index.status, 200);
    assert.ok(
      index.body.indexOf('href="/quality/results/newer"') <
        index.body.indexOf('href="/quality/results/older"'),
    );
    assert.match(index.body, /does not parse as JSON/);

    const list = JSON.parse((await get("/quality/api/results")).body);
    // The damaged file has no validation time: its mtime (now) sorts it first.
    assert.deepEqual(list.map((e: { id: string }) => e.id), [
      "damaged",
      "newer",
      "older",
    ]);
    assert.equal(list[0].success, null);
    assert.equal(list[1].success, false);

    const page = await get("/quality/results/older");
    assert.equal(page.status, 200);
    assert.match(page.body, /expect_column_values_to_be_between/);
    assert.match(page.body, /href="\/quality\/"/);

    const one = JSON.parse((await get("/quality/api/results/newer")).body);
    assert.equal(one.results[0].result.partial_unexpected_list[0], 12);

    const damaged = await get("/quality/results/damaged");
    assert.equal(damaged.status, 500);
    assert.match(damaged.body, /role="alert"[^<]*does not parse/);

    const missing = await get("/quality/results/nope");
    assert.equal(missing.status, 404);
    assert.match(missing.body, /No validation result &#34;nope&#34;/);

    for (
      const bad of ["..%2F..%2Fetc%2Fpasswd", "a%00b", "a..b", "%2E%2E%2Fx"]
    ) {
      assert.equal((await get(`/quality/results/${bad}`)).status, 400, bad);
      assert.equal((await get(`/quality/api/results/${bad}`)).status, 400, bad);
    }
    assert.equal((await get("/elsewhere/")).status, 404);
    const post = await fetch(`${base}/quality/`, { method: "POST" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("qualityDocsHandler without a base path and on a missing folder", async () => {
  const handler = qualityDocsHandler({ resultsDir: "/nonexistent/quality" });
  const res = await handler(new Request("http://127.0.0.1/"));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /No validation results yet/);
  assert.throws(
    () => qualityDocsHandler({ resultsDir: ".", basePath: "quality" }),
    /basePath must start/,
  );
});
