import assert from "node:assert/strict";
import {
  AirflowError,
  clearTasks,
  CommandOperator,
  Connection,
  DAG,
  FileSensor,
  LocalExecutor,
  ManualClock,
  MemoryStateStore,
  Param,
  renderTemplate,
  Scheduler,
  Variable,
} from "../../airflow/mod.ts";
import { drive } from "./_helpers.ts";

Deno.test("renderTemplate() renders Airflow's context variables in operator fields", async () => {
  const store = new MemoryStateStore();
  await Variable.set("bucket", "quakes-raw", { store });
  await Variable.set("cfg", { region: "Chile" }, { store });
  Deno.env.set(
    "AIRFLOW_CONN_WAREHOUSE",
    "postgresql://ann:s%40cret@db.local:5433/analytics",
  );
  const dag = new DAG("templated", {
    schedule: "@daily",
    params: { table: "events" },
  });
  const extract = dag.task("extract", (ctx) => {
    ctx.xcom.push("rows", 42);
    return "part-0001";
  });
  const echo = dag.add(
    new CommandOperator({
      taskId: "echo",
      command: Deno.execPath(),
      args: [
        "eval",
        "console.log(Deno.args.join('|'))",
        "--",
        "{{ ds }} {{ ds_nodash }} {{ ts }}",
        "{{ data_interval_start }}/{{ data_interval_end }}",
        "{{ logical_date }} {{ run_id }} {{ params.table }}",
        "{{ ti.xcom_pull(task_ids='extract') }} {{ ti.xcom_pull('extract', key='rows') }}",
        "{{ var.value.bucket }} {{ var.json.cfg.region }} {{ conn.warehouse.host }}:{{ conn.warehouse.port }}",
        "{{ macros.ds_add(ds, 7) }} {{ ti.try_number }} {{ task.task_id }}",
      ],
    }),
  );
  extract.then(echo);
  const run = await dag.test({
    store,
    runId: "r",
    logicalDate: Date.UTC(2024, 2, 5, 6),
  });
  assert.equal(run.state, "success", run.tasks.echo?.error);
  assert.deepEqual(String(run.tasks.echo!.xcom).split("|"), [
    "2024-03-05 20240305 2024-03-05T06:00:00+00:00",
    "2024-03-04T00:00:00+00:00/2024-03-05T00:00:00+00:00",
    "2024-03-05T06:00:00+00:00 r events",
    "part-0001 42",
    "quakes-raw Chile db.local:5433",
    "2024-03-12 1 echo",
  ]);
  Deno.env.delete("AIRFLOW_CONN_WAREHOUSE");
});

Deno.test("renderTemplate() refuses unknown names and code", async () => {
  await assert.rejects(renderTemplate("{{ nope }}", {}), {
    name: "AirflowError",
    message: "Template refers to an undefined name nope: {{ nope }}",
  });
  for (const t of ["{{ 1 + 1 }}", "{{ ds", "{{ ds.__class__ ; x }}"]) {
    await assert.rejects(renderTemplate(t, { ds: "x" }), AirflowError, t);
  }
  assert.equal(
    await renderTemplate("{{ a }}{{ b }}", { a: null, b: true }),
    "NoneTrue",
  );
  // A sensor's path is templated too.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/feed_20240305.json`, "{}");
    const dag = new DAG("sense_templated");
    dag.add(
      new FileSensor({
        taskId: "wait",
        filepath: `${dir}/feed_{{ ds_nodash }}.json`,
        timeout: 0,
      }),
    );
    const r = await dag.test({ logicalDate: Date.UTC(2024, 2, 5) });
    assert.equal(r.tasks.wait!.state, "success");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Param gives defaults, takes a run's conf and validates it", async () => {
  const dag = new DAG("params", {
    params: {
      minMag: new Param(4, { type: "number", minimum: 0, maximum: 10 }),
      region: new Param("Chile", { type: "string", enum: ["Chile", "Japan"] }),
      since: new Param(undefined, { type: ["string", "null"] }),
      plain: 7,
    },
  });
  dag.task("show", (ctx) => ctx.params);
  const r = await dag.test({ params: { region: "Japan", extra: true } });
  assert.deepEqual(r.tasks.show!.xcom, {
    minMag: 4,
    region: "Japan",
    since: null,
    plain: 7,
    extra: true,
  });
  await assert.rejects(dag.test({ params: { minMag: 11 } }), {
    message: "Param minMag must be at most 10: 11",
  });
  await assert.rejects(dag.test({ params: { region: "Peru" } }), {
    message: 'Param region must be one of ["Chile","Japan"]: "Peru"',
  });
  assert.throws(
    () =>
      new DAG("bad_default", {
        params: { n: new Param("x", { type: "integer" }) },
      }),
    { message: 'Param n must be of type integer: "x"' },
  );
  const required = new DAG("required", { params: { day: new Param() } });
  required.task("t", () => 1);
  await assert.rejects(required.test(), {
    message: "Param day is required and has no default",
  });
});

Deno.test("Variable and Connection read the environment first, then the store", async () => {
  const store = new MemoryStateStore();
  await Variable.set("threshold", "5", { store });
  assert.equal(await Variable.get("threshold", { store }), "5");
  Deno.env.set("AIRFLOW_VAR_THRESHOLD", "6");
  assert.equal(await Variable.get("threshold", { store }), "6");
  Deno.env.delete("AIRFLOW_VAR_THRESHOLD");
  await assert.rejects(Variable.get("absent", { store }), {
    message: "Variable does not exist: absent",
  });
  await store.setConnection!(
    "api",
    JSON.stringify({
      conn_type: "http",
      host: "example.org",
      port: 443,
      extra: { a: 1 },
    }),
  );
  const c = await Connection.get("api", { store });
  assert.deepEqual([c.connType, c.host, c.port, c.extra], [
    "http",
    "example.org",
    443,
    { a: 1 },
  ]);
  const parsed = Connection.fromUri(
    "x",
    "my-conn-type://login:pa%2Fss@host:5432/schema?param1=val1",
  );
  assert.equal(parsed.password, "pa/ss");
  assert.equal(
    parsed.getUri(),
    "my-conn-type://login:pa%2Fss@host:5432/schema?param1=val1",
  );
  await assert.rejects(Connection.get("nowhere", { store }), {
    message: "Connection is not defined: nowhere",
  });
});

Deno.test("Task.expand() maps a task over a list or an upstream XCom, with map indexes", async () => {
  const store = new MemoryStateStore();
  const dag = new DAG("mapped", { defaultArgs: { retries: 1, retryDelay: 0 } });
  const files = dag.task("list_files", () => ["a.csv", "b.csv", "c.csv"]);
  let flaky = true;
  const load = dag.task("load", (ctx) => {
    if (ctx.args.file === "b.csv" && flaky) {
      flaky = false;
      throw new Error("b is locked");
    }
    return `${ctx.mapIndex}:${ctx.args.file}@${ctx.args.table}`;
  }).partial({ table: "quakes" }).expand({ file: files.output });
  const total = dag.task("total", (ctx) => ctx.xcom.pull<string[]>("load"));
  load.then(total);
  const cross = dag.task("cross", (ctx) => `${ctx.args.x}${ctx.args.y}`)
    .expand({ x: [1, 2], y: ["a", "b"] });
  const none = dag.task("none", () => 1).expand({ x: [] });
  const run = await dag.test({ store, runId: "r" });
  assert.equal(run.state, "success");
  assert.deepEqual(run.tasks.total!.xcom, [
    "0:a.csv@quakes",
    "1:b.csv@quakes",
    "2:c.csv@quakes",
  ]);
  // The retry ran only the instance that failed.
  assert.deepEqual(
    run.tasks.load!.mapped!.map((m) => [m.mapIndex, m.state, m.tryNumber]),
    [[0, "success", 1], [1, "success", 2], [2, "success", 1]],
  );
  assert.deepEqual(run.tasks.cross!.xcom, ["1a", "1b", "2a", "2b"]);
  assert.equal(run.tasks.none!.state, "skipped", "zero instances: skipped");
  assert.equal(cross.isMapped && none.isMapped, true);
  assert.throws(() => dag.task("bad", () => 1).expand({ x: 3 as never }), {
    message: "Task expand takes lists or task outputs: bad x=3",
  });
});

Deno.test("DAG.group() prefixes ids and links as a whole", async () => {
  const dag = new DAG("groups");
  const start = dag.task("start", () => 1);
  const extract = dag.group("extract", (g) => {
    g.task("fetch", () => 1).then(g.task("parse", () => 2));
    g.group("side", (s) => void s.task("meta", () => 3));
  });
  start.then(extract.roots);
  extract.then(dag.task("load", () => 4));
  assert.deepEqual(dag.topologicalOrder(), [
    "start",
    "extract.fetch",
    "extract.parse",
    "extract.side.meta",
    "load",
  ]);
  assert.deepEqual(dag.getTask("load").upstreamIds.sort(), [
    "extract.parse",
    "extract.side.meta",
  ]);
  assert.equal((await dag.test()).state, "success");
});

Deno.test("Callbacks run on execute, success, retry and failure, for tasks and DAGs", async () => {
  const seen: string[] = [];
  const dag = new DAG("callbacks", {
    onFailureCallback: ({ reason, run }) =>
      void seen.push(`dag:${reason}:${run.state}`),
    defaultArgs: {
      retries: 1,
      retryDelay: 0,
      onExecuteCallback: (ctx) =>
        void seen.push(`exec:${ctx.taskId}:${ctx.tryNumber}`),
      onSuccessCallback: (ctx) => void seen.push(`ok:${ctx.taskId}`),
      onRetryCallback: (ctx) =>
        void seen.push(
          `retry:${ctx.taskId}:${(ctx.exception as Error).message}`,
        ),
      onFailureCallback: () => {
        throw new Error("a broken callback is only logged");
      },
    },
  });
  dag.task("good", () => 1).then(dag.task("bad", () => {
    throw new Error("boom");
  }));
  const store = new MemoryStateStore();
  const run = await dag.test({ store, runId: "r" });
  assert.equal(run.state, "failed");
  assert.deepEqual(seen, [
    "exec:good:1",
    "ok:good",
    "exec:bad:1",
    "retry:bad:boom",
    "exec:bad:2",
    "dag:task_failure:failed",
  ]);
  const log = await store.readLog({
    dagId: "callbacks",
    runId: "r",
    taskId: "bad",
    tryNumber: 2,
  });
  assert.match(
    log,
    /onFailureCallback failed: a broken callback is only logged/,
  );
});

Deno.test("dagrunTimeout fails the run and skips what had not finished", async () => {
  const clock = new ManualClock({ start: 0 });
  const dag = new DAG("slow", { dagrunTimeout: 60_000 });
  dag.task("quick", () => 1)
    .then(dag.task("hang", (ctx) => ctx.clock.sleep(3_600_000, ctx.signal)))
    .then(dag.task("after", () => 1));
  const run = dag.test({ clock });
  await drive(clock, run, 10_000);
  const r = await run;
  assert.equal(r.state, "failed");
  assert.deepEqual(
    ["quick", "hang", "after"].map((id) => r.tasks[id]!.state),
    ["success", "skipped", "skipped"],
  );
  assert.match(r.tasks.hang!.error!, /dagrunTimeout of 60000 ms: slow\//);
});

Deno.test("maxActiveTisPerDag limits a task's instances across runs", async () => {
  let running = 0;
  let most = 0;
  const dag = new DAG("limited", { maxActiveRuns: 4 });
  dag.task("work", async () => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
  }, { maxActiveTisPerDag: 2 });
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 1) });
  const scheduler = new Scheduler({
    dags: [dag],
    clock,
    executor: new LocalExecutor(),
  });
  const runs = await Promise.all(
    [1, 2, 3, 4, 5].map((k) =>
      scheduler.trigger("limited", { runId: `r${k}` })
    ),
  );
  assert.ok(runs.every((r) => r.state === "success"));
  assert.equal(most, 2);
});

Deno.test("dependsOnPast waits for the task's success in the previous run", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 10) });
  const store = new MemoryStateStore();
  let healthy = false;
  const dag = new DAG("past", { defaultArgs: { dependsOnPast: true } });
  dag.task("load", () => {
    if (!healthy) throw new Error("down");
  });
  const day = (d: number) => Date.UTC(2024, 0, d);
  assert.equal(
    (await dag.test({ store, clock, runId: "d1", logicalDate: day(1) })).state,
    "failed",
  );
  healthy = true;
  let settled = false;
  const second = dag.test({ store, clock, runId: "d2", logicalDate: day(2) });
  second.then(() => (settled = true), () => (settled = true));
  await clock.advance(20_000);
  assert.equal(settled, false, "waits while d1's load is failed");
  await clearTasks(store, dag, "d1");
  assert.equal(
    (await dag.test({ store, clock, runId: "d1" })).state,
    "success",
  );
  await drive(clock, second, 5_000);
  assert.equal((await second).state, "success");
});
