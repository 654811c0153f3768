import assert from "node:assert/strict";
import {
  SparkContext,
  SparkError,
  sparkHistoryHandler,
} from "../../spark/mod.ts";
import { quantiles } from "../../spark/_history_model.ts";

// deno-lint-ignore no-explicit-any
type Ev = Record<string, any>;

function readLog(path: string): Ev[] {
  return Deno.readTextFileSync(path).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
}

/** A shuffle job over a text file and a job whose task 1 always fails. */
async function runJobs(dir: string, appName = "history test"): Promise<string> {
  const input = `${dir}/input.txt`;
  await Deno.writeTextFile(
    input,
    Array.from({ length: 300 }, (_, i) => `w${i % 7}`).join("\n") + "\n",
  );
  const sc = new SparkContext({
    parallelism: 2,
    eventLogDir: `${dir}/events`,
    appName,
  });
  try {
    const counts = await sc.textFile(input, 3).map((w) =>
      [w, 1] as [string, number]
    )
      .reduceByKey((a, b) => a + b, 2).collectAsMap();
    assert.equal(counts.get("w0"), 43);
    await assert.rejects(
      sc.range(0, 4, 1, 2).map((x) => {
        if (x === 3) throw new RangeError("boom at 3");
        return x;
      }).count(),
      SparkError,
    );
  } finally {
    sc.close();
  }
  return sc.applicationId;
}

Deno.test("SparkContext({ eventLogDir }) writes Spark's event log, renamed on close", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const appId = await runJobs(dir);
    const names = [...Deno.readDirSync(`${dir}/events`)].map((e) => e.name);
    assert.deepEqual(names, [appId]);
    const events = readLog(`${dir}/events/${appId}`);
    const kinds = events.map((e) => e.Event);
    assert.equal(kinds[0], "SparkListenerLogStart");
    assert.equal(kinds[1], "SparkListenerApplicationStart");
    assert.equal(kinds.at(-1), "SparkListenerApplicationEnd");
    assert.equal(events[1]!["App ID"], appId);
    assert.equal(events[1]!["App Name"], "history test");
    const count = (k: string) => kinds.filter((x) => x === k).length;
    assert.equal(count("SparkListenerJobStart"), 2);
    assert.equal(count("SparkListenerJobEnd"), 2);
    assert.equal(count("SparkListenerStageSubmitted"), 3);
    assert.equal(count("SparkListenerStageCompleted"), 3);
    const jobEnds = events.filter((e) => e.Event === "SparkListenerJobEnd");
    assert.deepEqual(jobEnds.map((e) => e["Job Result"].Result), [
      "JobSucceeded",
      "JobFailed",
    ]);
    const tasks = events.filter((e) => e.Event === "SparkListenerTaskEnd");
    const ofStage = (id: number) => tasks.filter((t) => t["Stage ID"] === id);
    // Stage 0 reads the file: every line once, the file's bytes once.
    const map = ofStage(0);
    assert.equal(map.length, 3);
    const sum = (ts: Ev[], f: (m: Ev) => number) =>
      ts.reduce((a, t) => a + f(t["Task Metrics"]), 0);
    assert.equal(sum(map, (m) => m["Input Metrics"]["Records Read"]), 300);
    assert.equal(
      sum(map, (m) => m["Input Metrics"]["Bytes Read"]),
      Deno.statSync(`${dir}/input.txt`).size,
    );
    assert.ok(map.every((t) => t["Task Type"] === "ShuffleMapTask"));
    // Map-side combine: at most 7 keys per map task travel.
    const written = sum(
      map,
      (m) => m["Shuffle Write Metrics"]["Shuffle Records Written"],
    );
    assert.ok(written >= 7 && written <= 21, `${written}`);
    assert.ok(
      sum(map, (m) => m["Shuffle Write Metrics"]["Shuffle Bytes Written"]) > 0,
    );
    const reduce = ofStage(1);
    assert.equal(reduce.length, 2);
    assert.equal(
      sum(reduce, (m) => m["Shuffle Read Metrics"]["Total Records Read"]),
      written,
    );
    assert.ok(sum(reduce, (m) => m["Result Size"]) > 0);
    const stage1 = events.find((e) =>
      e.Event === "SparkListenerStageSubmitted" &&
      e["Stage Info"]["Stage ID"] === 1
    )!;
    assert.deepEqual(stage1["Stage Info"]["Parent IDs"], [0]);
    // The failing task: four attempts, each with its reason.
    const failed = ofStage(2).filter((t) => t["Task Info"].Failed);
    assert.deepEqual(failed.map((t) => t["Task Info"].Attempt), [0, 1, 2, 3]);
    assert.equal(failed[0]!["Task End Reason"].Reason, "ExceptionFailure");
    assert.equal(failed[0]!["Task End Reason"]["Class Name"], "RangeError");
    assert.match(failed[0]!["Task End Reason"].Description, /boom at 3/);
    for (const t of [...map, ...reduce]) {
      assert.equal(t["Task End Reason"].Reason, "Success");
      assert.match(t["Task Info"]["Executor ID"], /^[01]$/);
      assert.equal(t["Task Info"].Attempt, 0);
      assert.ok(t["Task Metrics"]["Executor Run Time"] >= 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext({ eventLogDir }) rejects a bad directory and names two same-id logs apart", async () => {
  assert.throws(
    () => new SparkContext({ parallelism: 1, eventLogDir: "" }),
    SparkError,
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "x");
    assert.throws(
      () => new SparkContext({ parallelism: 1, eventLogDir: `${dir}/file/x` }),
      /eventLogDir cannot be created/,
    );
    const a = new SparkContext({ parallelism: 1, eventLogDir: dir });
    const b = new SparkContext({ parallelism: 1, eventLogDir: dir });
    a.close();
    b.close();
    assert.notEqual(a.applicationId, b.applicationId);
    assert.equal(Deno.statSync(`${dir}/${a.applicationId}`).isFile, true);
    assert.equal(Deno.statSync(`${dir}/${b.applicationId}`).isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext.close() survives an event log removed while it ran", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sc = new SparkContext({ parallelism: 1, eventLogDir: dir });
    await Deno.remove(`${dir}/${sc.applicationId}.inprogress`);
    assert.equal(await sc.range(0, 5).count(), 5);
    const warn = console.error;
    const lines: string[] = [];
    console.error = (m: string) => lines.push(m);
    try {
      sc.close();
    } finally {
      console.error = warn;
    }
    assert.match(lines.join("\n"), /WARN EventLog: .* cannot be renamed/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sparkHistoryHandler serves applications, jobs, stages and executors over HTTP", async () => {
  const dir = await Deno.makeTempDir();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    sparkHistoryHandler({ eventLogDir: `${dir}/events`, basePath: "/spark" }),
  );
  const root = `http://127.0.0.1:${server.addr.port}/spark`;
  try {
    const appId = await runJobs(dir, "<b>quakes</b>");
    const get = async (path: string) => {
      const r = await fetch(root + path);
      return { status: r.status, text: await r.text(), r };
    };
    const index = await get("/");
    assert.equal(index.status, 200);
    assert.ok(index.text.includes(`href="/spark/apps/${appId}"`));
    assert.ok(index.text.includes("&#60;b&#62;quakes&#60;/b&#62;"));
    assert.ok(!index.text.includes("<b>quakes"));

    const app = await get(`/apps/${appId}`);
    assert.equal(app.status, 200);
    assert.ok(app.text.includes(`href="/spark/apps/${appId}/jobs/0"`));
    assert.ok(app.text.includes(`href="/spark/apps/${appId}/stages/1"`));
    assert.match(app.text, /✓ SUCCEEDED/);
    assert.match(app.text, /✗ FAILED/);
    assert.ok(app.text.includes('id="executors"'));
    assert.ok(
      !app.text.includes("<main data-live"),
      "a finished app does not poll",
    );

    const job = await get(`/apps/${appId}/jobs/0`);
    assert.equal(job.status, 200);
    assert.ok(job.text.includes("<svg"));
    assert.ok(job.text.includes(">shuffle</text>"));
    assert.ok(job.text.includes(`href="/spark/apps/${appId}/stages/0"`));

    const stage = await get(`/apps/${appId}/stages/0`);
    assert.equal(stage.status, 200);
    for (
      const h of ["Min", "25th percentile", "Median", "75th percentile", "Max"]
    ) {
      assert.ok(stage.text.includes(`<th scope="col">${h}</th>`), h);
    }
    assert.ok(stage.text.includes("Summary Metrics for 3 Completed Tasks"));

    const api = await (await fetch(`${root}/api/apps/${appId}/stages/0`))
      .json();
    assert.equal(api.tasks.length, 3);
    assert.deepEqual(
      api.summary["Input Records"],
      quantiles(api.tasks.map((t: Ev) => t.recordsRead)),
    );
    assert.equal(
      api.summary["Input Records"].length,
      5,
    );
    const apps = await (await fetch(`${root}/api/apps`)).json();
    assert.deepEqual(apps.map((a: Ev) => [a.appId, a.inProgress]), [
      [appId, false],
    ]);
    const appApi = await (await fetch(`${root}/api/apps/${appId}`)).json();
    assert.deepEqual(appApi.jobs.map((j: Ev) => j.status), [
      "SUCCEEDED",
      "FAILED",
    ]);
    assert.deepEqual(appApi.jobs[0].stageIds, [0, 1]);
    assert.equal(appApi.executors.length >= 1, true);
    // The lists on their own, as Spark's REST API serves them.
    for (const what of ["jobs", "stages", "executors"]) {
      const list = await (await fetch(`${root}/api/apps/${appId}/${what}`))
        .json();
      assert.deepEqual(list, appApi[what], what);
    }
    const noList = await fetch(`${root}/api/apps/${appId}/tasks`);
    assert.equal(noList.status, 404);
    assert.match((await noList.json()).error, /No API at/);
    const failing = await (await fetch(`${root}/api/apps/${appId}/stages/2`))
      .json();
    assert.equal(failing.status, "FAILED");
    assert.ok(
      failing.tasks.some((t: Ev) => /RangeError: boom at 3/.test(t.failure)),
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sparkHistoryHandler answers unknown ids with 404 pages naming them, bad ids with 400", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const appId = await runJobs(dir);
    const handler = sparkHistoryHandler({ eventLogDir: `${dir}/events` });
    const get = async (path: string) => {
      const r = await handler(new Request(`http://127.0.0.1${path}`));
      return { status: r.status, text: await r.text() };
    };
    const noApp = await get("/apps/local-42");
    assert.equal(noApp.status, 404);
    assert.ok(noApp.text.includes("Application not found: local-42"));
    const noJob = await get(`/apps/${appId}/jobs/99`);
    assert.equal(noJob.status, 404);
    assert.ok(noJob.text.includes(`Job 99 not found in application ${appId}`));
    const noStage = await get(`/apps/${appId}/stages/7`);
    assert.equal(noStage.status, 404);
    assert.ok(noStage.text.includes("Stage 7 not found"));
    const apiMissing = await get(`/api/apps/${appId}/jobs/99`);
    assert.equal(apiMissing.status, 404);
    assert.match(JSON.parse(apiMissing.text).error, /Job 99 not found/);
    for (
      const bad of [
        "/apps/..%2Fevents",
        "/apps/.hidden",
        "/apps/a%2Fb",
        `/apps/${appId}/jobs/-1`,
        `/apps/${appId}/stages/1.5`,
        `/apps/${appId}/stages/..%2F..%2Fx`,
        "/apps/%E0%A4%A",
      ]
    ) {
      const r = await get(bad);
      assert.equal(r.status, 400, bad);
      assert.match(r.text, /Invalid/);
    }
    const post = await handler(
      new Request(`http://127.0.0.1/apps/${appId}`, { method: "POST" }),
    );
    assert.equal(post.status, 405);
    await post.body?.cancel();
    assert.throws(
      () => sparkHistoryHandler({ eventLogDir: dir, basePath: "spark" }),
      SparkError,
    );
    const outside = await sparkHistoryHandler({
      eventLogDir: dir,
      basePath: "/spark",
    })(new Request("http://127.0.0.1/other"));
    assert.equal(outside.status, 404);
    await outside.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sparkHistoryHandler shows damaged log lines in an error panel and the rest of the log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const appId = await runJobs(dir);
    const file = `${dir}/events/${appId}`;
    const lines = Deno.readTextFileSync(file).split("\n");
    lines.splice(5, 0, '{"Event":"SparkListenerTaskEnd", torn');
    lines.splice(8, 0, "[1,2]");
    Deno.writeTextFileSync(file, lines.join("\n"));
    const handler = sparkHistoryHandler({ eventLogDir: `${dir}/events` });
    const r = await handler(new Request(`http://127.0.0.1/apps/${appId}`));
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.ok(text.includes("Damaged event log"));
    assert.ok(text.includes("line 6:"));
    assert.ok(text.includes("line 9: Not a JSON object"));
    assert.match(text, /✓ SUCCEEDED/);
    const index = await (await handler(new Request("http://127.0.0.1/")))
      .text();
    assert.ok(index.includes("2 damaged line(s)"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sparkHistoryHandler follows a running application (.inprogress) live", async () => {
  const dir = await Deno.makeTempDir();
  const sc = new SparkContext({ parallelism: 1, eventLogDir: dir });
  try {
    const handler = sparkHistoryHandler({ eventLogDir: dir });
    const appId = sc.applicationId;
    assert.ok(Deno.statSync(`${dir}/${appId}.inprogress`).isFile);
    await sc.range(0, 10, 1, 2).count();
    const page = await (await handler(
      new Request(`http://127.0.0.1/apps/${appId}`),
    )).text();
    assert.ok(page.includes(`data-live="/apps/${appId}?fragment"`));
    assert.match(page, /▶ RUNNING/);
    const frag = await handler(
      new Request(`http://127.0.0.1/apps/${appId}?fragment`),
    );
    assert.equal(frag.headers.get("x-live"), "1");
    const body = await frag.text();
    assert.ok(!body.includes("<html"));
    assert.ok(body.includes("2/2"));
    sc.close();
    const after = await handler(
      new Request(`http://127.0.0.1/apps/${appId}?fragment`),
    );
    assert.equal(after.headers.get("x-live"), "0");
    await after.body?.cancel();
  } finally {
    sc.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("quantiles() picks Spark's task summary indices", () => {
  assert.deepEqual(quantiles([]), []);
  assert.deepEqual(quantiles([5]), [5, 5, 5, 5, 5]);
  // n = 4: indices min(floor(q * 4), 3) = 0, 1, 2, 3, 3.
  assert.deepEqual(quantiles([40, 10, 30, 20]), [10, 20, 30, 40, 40]);
  assert.deepEqual(
    quantiles(Array.from({ length: 101 }, (_, i) => 100 - i)),
    [0, 25, 50, 75, 100],
  );
});
