import assert from "node:assert/strict";
import {
  AirflowError,
  CommandOperator,
  Connection,
  DAG,
  FileSensor,
  MemoryStateStore,
  Param,
  renderTemplate,
  Variable,
} from "../../airflow/mod.ts";

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
