import assert from "node:assert/strict";
import { airflowWebserverHandler, JsonStateStore } from "../../airflow/mod.ts";
import { main } from "../../airflow/cli.ts";

const MOD = new URL("../../airflow/mod.ts", import.meta.url).href;

Deno.test("airflowWebserverHandler() serves DAGs, grid, run and task pages under a prefix, and its actions", async () => {
  const dir = await Deno.makeTempDir();
  const state = `${dir}/state`;
  await Deno.writeTextFile(
    `${dir}/etl.ts`,
    `import { DAG } from "${MOD}";\n` +
      `export const etl = new DAG("etl", { schedule: "@daily", startDate: "2024-01-01" });\n` +
      `const a = etl.task("extract", (ctx) => { ctx.log.info("pulled 3 rows"); return [1, 2, 3]; });\n` +
      `const b = etl.task("load", (ctx) => { if (!ctx.params.ok) throw new Error("warehouse down"); return 1; });\n` +
      `a.then(b);\n`,
  );
  const common = ["-S", dir, "--state-dir", state, "-q"];
  await main(["dags", "test", "etl", "2024-03-01", ...common], {
    out: () => {},
    err: () => {},
  });
  const handler = airflowWebserverHandler({
    stateDir: state,
    dagsFolder: dir,
    basePath: "/airflow",
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    handler,
  );
  const root = `http://127.0.0.1:${server.addr.port}/airflow`;
  const run = "manual__2024-03-01T00:00:00.000Z";
  const get = async (path: string) => {
    const res = await fetch(`${root}${path}`);
    return { status: res.status, text: await res.text() };
  };
  try {
    const list = await get("/");
    assert.equal(list.status, 200);
    assert.match(list.text, /href="\/airflow\/dags\/etl"/);
    const grid = await get("/dags/etl");
    assert.match(grid.text, /data-state="failed"/);
    assert.match(grid.text, /action="\/airflow\/dags\/etl\/trigger"/);
    const runPage = await get(`/dags/etl/runs/${encodeURIComponent(run)}`);
    assert.equal(runPage.status, 200);
    assert.match(runPage.text, /<h2>Gantt<\/h2>/);
    assert.match(runPage.text, /warehouse down/);
    const task = await get(
      `/dags/etl/runs/${encodeURIComponent(run)}/tasks/extract`,
    );
    assert.match(task.text, /\{extract\} INFO - pulled 3 rows/);
    const api = await (await fetch(`${root}/api/dags/etl`)).json();
    assert.deepEqual(api.runs.map((r: { run_id: string }) => r.run_id), [run]);
    // Unknown things are 404s that say what was not found; bad ids are 400s.
    assert.deepEqual(
      [
        (await get("/dags/ghost")).status,
        (await get("/dags/etl/runs/nope")).status,
      ],
      [404, 404],
    );
    assert.match((await get("/dags/ghost")).text, /DAG not found: ghost/);
    assert.equal((await get("/dags/etl/runs/..%2F..%2Fetc")).status, 400);
    // Actions: trigger queues a run, pause, clear and mark.
    const post = (
      path: string,
      body: Record<string, string>,
      origin?: string,
    ) =>
      fetch(`${root}${path}`, {
        method: "POST",
        body: new URLSearchParams(body),
        redirect: "manual",
        headers: origin ? { origin } : {},
      });
    const trig = await post("/dags/etl/trigger", { conf: '{"ok": true}' });
    assert.equal(trig.status, 303);
    await trig.body?.cancel();
    const store = new JsonStateStore(state);
    const queued = (await store.list("etl")).filter((r) =>
      r.state === "queued"
    );
    assert.equal(queued.length, 1);
    assert.deepEqual(queued[0]!.params, { ok: true });
    const pause = await post("/dags/etl/pause", {});
    await pause.body?.cancel();
    assert.equal(await store.isPaused("etl"), true);
    const clear = await post(
      `/dags/etl/runs/${encodeURIComponent(run)}/tasks/load/clear`,
      {},
    );
    await clear.body?.cancel();
    assert.equal((await store.load("etl", run))!.tasks.load!.state, "none");
    const mark = await post(
      `/dags/etl/runs/${encodeURIComponent(run)}/tasks/load/mark`,
      { state: "success" },
    );
    await mark.body?.cancel();
    assert.equal((await store.load("etl", run))!.tasks.load!.state, "success");
    const cross = await post("/dags/etl/unpause", {}, "http://evil.example");
    await cross.body?.cancel();
    assert.equal(cross.status, 403);
    assert.equal(await store.isPaused("etl"), true);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflowWebserverHandler() shows a damaged state file as an error panel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/d.ts`,
      `import { DAG } from "${MOD}";\nexport const d = new DAG("d");\nd.task("t", () => 1);\n`,
    );
    await Deno.mkdir(`${dir}/state`);
    await Deno.writeTextFile(`${dir}/state/d@r.json`, "{ not json");
    const handler = airflowWebserverHandler({
      stateDir: `${dir}/state`,
      dagsFolder: dir,
    });
    const res = await handler(new Request("http://127.0.0.1/dags/d"));
    assert.equal(res.status, 500);
    assert.match(await res.text(), /class="panel">State file is corrupt/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflowWebserverHandler() shows a DAG that has stored runs but no file, read-only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/d.ts`,
      `import { DAG } from "${MOD}";\nexport const d = new DAG("d");\nd.task("t", () => 1);\n`,
    );
    // A DAG built in code (as the benchmark's) leaves only its runs behind.
    const store = new JsonStateStore(`${dir}/state`);
    await store.save({
      dagId: "in_code",
      runId: "manual__1",
      runType: "manual",
      state: "success",
      logicalDate: 0,
      dataInterval: { start: 0, end: 0 },
      params: {},
      tasks: {
        fetch: { state: "success", tryNumber: 1, duration: 5 },
        report: { state: "success", tryNumber: 1, duration: 2 },
      },
    });
    assert.deepEqual(await store.dagIds(), ["in_code"]);
    const handler = airflowWebserverHandler({
      stateDir: `${dir}/state`,
      dagsFolder: dir,
    });
    const get = (path: string, init?: RequestInit) =>
      handler(new Request(`http://127.0.0.1${path}`, init));
    const dags = await (await get("/api/dags")).json();
    assert.deepEqual(
      dags.map((d: { dag_id: string; has_file: boolean }) => [
        d.dag_id,
        d.has_file,
      ]),
      [["d", true], ["in_code", false]],
    );
    const grid = await get("/dags/in_code");
    assert.equal(grid.status, 200);
    const html = await grid.text();
    assert.match(html, /id="file-missing"/);
    assert.match(html, /<td>fetch<\/td>.*data-state="success"/s);
    assert.doesNotMatch(html, /action="\/dags\/in_code\/trigger"/);
    const task = await get("/dags/in_code/runs/manual__1/tasks/report");
    assert.equal(task.status, 200);
    assert.doesNotMatch(await task.text(), /<button>Clear<\/button>/);
    const trigger = await get("/dags/in_code/trigger", { method: "POST" });
    assert.equal(trigger.status, 409);
    assert.match(
      await trigger.text(),
      /in_code has no file in the DAGs folder/,
    );
    assert.deepEqual((await store.list("in_code")).length, 1);
    // Still a 404 for a DAG that is neither in the folder nor in the store.
    const ghost = await get("/dags/ghost");
    assert.equal(ghost.status, 404);
    await ghost.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
