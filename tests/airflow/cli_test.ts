import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main } from "../../airflow/cli.ts";

const CLI = fileURLToPath(new URL("../../airflow/cli.ts", import.meta.url));
const DAGS = fileURLToPath(new URL("./fixtures/cli_dags.ts", import.meta.url));

async function cli(
  args: string[],
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

Deno.test("airflow CLI runs as a subprocess: dags list and dags test with a report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = async (...args: string[]) => {
      const o = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          `--allow-read`,
          `--allow-write=${dir}`,
          "--allow-env",
          CLI,
          DAGS,
          ...args,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return {
        code: o.code,
        out: new TextDecoder().decode(o.stdout),
        err: new TextDecoder().decode(o.stderr),
      };
    };
    const list = await run("dags", "list");
    assert.equal(list.code, 0, list.err);
    assert.match(
      list.out,
      /^etl\s+\S+cli_dags\.ts\s+@daily\s+3\s+false\s+false$/m,
    );
    const test = await run(
      "dags",
      "test",
      "etl",
      "2024-03-05",
      "--state-dir",
      dir,
      "--report",
      `${dir}/report.html`,
      "--params",
      JSON.stringify({ dir }),
    );
    assert.equal(test.code, 0, test.err);
    assert.match(test.out, /load -> success \(try 1\)/);
    assert.match(test.out, /Run manual__2024-03-05T00:00:00.000Z: success/);
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.match(html, /<h2>Gantt<\/h2>/);
    const state = JSON.parse(
      await Deno.readTextFile(
        `${dir}/etl@manual__2024-03-05T00%3A00%3A00.000Z.json`,
      ),
    );
    assert.equal(state.tasks.load.xcom, "loaded 20240305");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow CLI main() clears a failed task and the rerun succeeds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/broken`, "");
    const common = ["--state-dir", dir, "--quiet"];
    const first = await cli([
      DAGS,
      "dags",
      "trigger",
      "etl",
      "-r",
      "r1",
      "-c",
      JSON.stringify({ dir }),
      "--run-now",
      ...common,
    ]);
    assert.equal(first.code, 1);
    assert.ok(
      first.out.some((l) =>
        /^load\s+failed\s+1\s+.*Warehouse unavailable$/.test(l)
      ),
      first.out.join("\n"),
    );
    await Deno.remove(`${dir}/broken`);
    const clear = await cli([
      DAGS,
      "tasks",
      "clear",
      "etl",
      "--run-id",
      "r1",
      "-t",
      "^lo",
      ...common,
    ]);
    assert.deepEqual(clear.out, ["Cleared 1 task(s): load"]);
    // The failed try's log says why it failed.
    const logs = await cli([
      DAGS,
      "tasks",
      "logs",
      "etl",
      "load",
      "r1",
      ...common,
    ]);
    assert.equal(logs.out[0], "*** etl/r1/load try 1");
    assert.match(
      logs.out[1]!,
      /\{load\} ERROR - Task failed: Warehouse unavailable$/,
    );
    const rerun = await cli([
      DAGS,
      "dags",
      "test",
      "etl",
      "--run-id",
      "r1",
      ...common,
    ]);
    assert.equal(rerun.code, 0);
    assert.ok(
      rerun.out.some((l) => /^load\s+success\s+2/.test(l)),
      rerun.out.join("\n"),
    );
    const runs = await cli([
      DAGS,
      "dags",
      "list-runs",
      "-d",
      "etl",
      "-o",
      "json",
      ...common,
    ]);
    const listed = JSON.parse(runs.out[0]!);
    assert.deepEqual(
      listed.map((
        r: Record<string, string>,
      ) => [r.run_id, r.state, r.run_type]),
      [["r1", "success", "manual"]],
    );
    assert.ok(listed[0].start_date <= listed[0].end_date);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow CLI main() backfills, tests one task, and reports bad input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = [
      "--sqlite",
      `${dir}/af.db`,
      "--executor",
      "local",
      "--parallelism",
      "4",
    ];
    const bf = await cli([
      DAGS,
      "dags",
      "backfill",
      "etl",
      "-s",
      "2024-01-01",
      "-e",
      "2024-01-03",
      ...db,
    ]);
    assert.equal(bf.code, 0, bf.err.join("\n"));
    assert.deepEqual(bf.out.at(-1), "Backfilled 3 run(s)");
    const listed = await cli([DAGS, "dags", "list-runs", "etl", ...db]);
    // A header, a rule and the runs, newest first.
    assert.equal(listed.out.length, 5);
    assert.match(
      listed.out[0]!,
      /^dag_id\s+run_id\s+state\s+run_type\s+logical_date\s+start_date\s+end_date$/,
    );
    assert.match(listed.out[2]!, /backfill__2024-01-03/);
    assert.match(listed.out[4]!, /backfill__2024-01-01/);
    const one = await cli([
      DAGS,
      "tasks",
      "test",
      "etl",
      "extract",
      "2024-02-29",
    ]);
    assert.deepEqual(one.out, [
      "extract: success (try 1)",
      'xcom: {"day":"2024-02-29"}',
    ]);
    assert.equal(
      (await cli([DAGS, "dags", "test", "nope"])).err[0],
      "Error: Unknown DAG id: nope (have etl)",
    );
    assert.equal(
      (await cli([DAGS, "tasks", "test", "etl", "ghost"])).err[0],
      "Error: Unknown task id in DAG etl: ghost",
    );
    assert.equal((await cli([DAGS, "dags", "fly"])).code, 2);
    assert.equal((await cli([DAGS])).code, 2);
    assert.match(
      (await cli([`${dir}/missing.ts`, "dags", "list"])).err[0]!,
      /^Error: Cannot import DAG file: \S+missing\.ts: Module not found/,
    );
    assert.equal(
      (await cli([
        DAGS,
        "dags",
        "trigger",
        "etl",
        "-c",
        "[1]",
        "--state-dir",
        dir,
      ])).err[0],
      "Error: Option --conf must be a JSON object: [1]",
    );
    assert.equal(
      (await cli([
        DAGS,
        "dags",
        "backfill",
        "etl",
        "--start-date",
        "soon",
        "--end-date",
        "2024-01-01",
      ])).err[0],
      "Error: Option --start-date is not a date: soon",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow CLI dags backfill killed with SIGKILL resumes where it stopped", async () => {
  const dir = await Deno.makeTempDir();
  const hangDag = fileURLToPath(
    new URL("./fixtures/hang_dag.ts", import.meta.url),
  );
  const args = [
    "run",
    "--allow-read",
    `--allow-write=${dir}`,
    "--allow-env",
    CLI,
    hangDag,
    "dags",
    "backfill",
    "nightly",
    "--start-date",
    "2024-01-01",
    "--end-date",
    "2024-01-05",
    "--state-dir",
    `${dir}/state`,
  ];
  const env = { AF_TEST_DIR: dir };
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args,
      env,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const t0 = Date.now();
    while (!(await Deno.stat(`${dir}/hang`).then(() => true, () => false))) {
      if (Date.now() - t0 > 30_000) {
        throw new Error("Timed out waiting for the hanging run");
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    // Kill once the running try is on disk.
    const state =
      `${dir}/state/nightly@backfill__2024-01-03T00%3A00%3A00.000Z.json`;
    for (;;) {
      const run = await Deno.readTextFile(state).then(
        JSON.parse,
        () => undefined,
      );
      if (run?.tasks.work.state === "running") break;
      if (Date.now() - t0 > 30_000) {
        throw new Error("Timed out waiting for the running state");
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill("SIGKILL");
    assert.equal((await child.status).signal, "SIGKILL");
    const again = await new Deno.Command(Deno.execPath(), { args, env })
      .output();
    const out = new TextDecoder().decode(again.stdout);
    assert.equal(again.code, 0, new TextDecoder().decode(again.stderr));
    assert.match(out, /Backfilled 5 run\(s\)/);
    const log = (await Deno.readTextFile(`${dir}/work.log`)).trim().split("\n");
    assert.deepEqual(log, [
      "2024-01-01:1",
      "2024-01-02:1",
      "2024-01-03:1",
      "2024-01-03:2",
      "2024-01-04:1",
      "2024-01-05:1",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
