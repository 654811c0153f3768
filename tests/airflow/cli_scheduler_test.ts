import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main } from "../../airflow/cli.ts";
import { JsonStateStore } from "../../airflow/mod.ts";

const CLI = fileURLToPath(new URL("../../airflow/cli.ts", import.meta.url));
const MOD = new URL("../../airflow/mod.ts", import.meta.url).href;

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

const dagFile = (id: string, schedule = "@hourly") =>
  `import { DAG } from "${MOD}";\n` +
  `export const d = new DAG("${id}", { schedule: "${schedule}", startDate: "2024-01-01" });\n` +
  `const a = d.task("extract", (ctx) => { ctx.log.info("extracting"); return [1, 2, 3]; });\n` +
  `const b = d.task("sum", (ctx) => ctx.xcom.pull("extract").reduce((x, y) => x + y, 0), { retries: 3, retryDelay: 0 });\n` +
  `a.then(b);\n`;

/** Reads a child's stdout into `lines` as it arrives. */
function collect(stream: ReadableStream<Uint8Array>, lines: string[]) {
  return (async () => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
    }
  })();
}

async function until(what: string, check: () => boolean | Promise<boolean>) {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > 30_000) throw new Error(`Timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("airflow scheduler runs queued triggers, reloads changed DAG files and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  const dags = `${dir}/dags`;
  const state = `${dir}/state`;
  await Deno.mkdir(dags);
  await Deno.writeTextFile(`${dags}/first.ts`, dagFile("first", "@yearly"));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-env",
      CLI,
      "scheduler",
      "--dags-folder",
      dags,
      "--state-dir",
      state,
      "-q",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out: string[] = [];
  const err: string[] = [];
  const reading = [collect(child.stdout, out), collect(child.stderr, err)];
  try {
    await until(
      "start",
      () => out.includes("Scheduler started with 1 DAG(s): first"),
    );
    // The @yearly DAG catches nothing up; a trigger queues a run it executes.
    const queued = await cli([
      "dags",
      "trigger",
      "first",
      "-S",
      dags,
      "--state-dir",
      state,
      "-r",
      "t1",
    ]);
    assert.equal(queued.code, 0, queued.err.join("\n"));
    assert.match(queued.out[0]!, /^Queued run t1 of first/);
    await until("the queued run", () => out.includes("Run first/t1: success"));
    const run = await new JsonStateStore(state).load("first", "t1");
    assert.equal(run!.tasks.sum!.xcom, 6);
    // A new DAG file is picked up without a restart.
    await Deno.writeTextFile(`${dags}/second.ts`, dagFile("second", "@yearly"));
    await until(
      "the reload",
      () => out.includes("Reloaded DAG files: first, second"),
    );
    // A broken file is reported with its cause; the others keep running.
    await Deno.writeTextFile(`${dags}/broken.ts`, `const x = ;\n`);
    await until(
      "the load error",
      () => err.some((l) => /broken\.ts.*:1:/.test(l)),
    );
    child.kill("SIGTERM");
    const status = await child.status;
    await Promise.all(reading);
    assert.equal(status.code, 0, err.join("\n"));
    assert.equal(out.at(-1), "Scheduler stopped");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow dags pause keeps the scheduler off a DAG until unpause", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/hourly.ts`, dagFile("hourly"));
    const common = ["-S", dir, "--state-dir", `${dir}/state`];
    assert.deepEqual((await cli(["dags", "pause", "hourly", ...common])).out, [
      "Dag: hourly, paused: true",
    ]);
    const list = await cli(["dags", "list", "-o", "json", ...common]);
    assert.equal(JSON.parse(list.out[0]!)[0].is_paused, true);
    const paused = await cli(["scheduler", "-n", "1", "-q", ...common]);
    assert.equal(paused.code, 0, paused.err.join("\n"));
    assert.deepEqual(paused.out, [
      "Scheduler started with 1 DAG(s): hourly",
      "Scheduler stopped",
    ]);
    await cli(["dags", "unpause", "hourly", ...common]);
    const running = await cli(["scheduler", "-n", "1", "-q", ...common]);
    assert.equal(
      running.out.filter((l) => /^Run hourly\/scheduled__/.test(l)).length,
      1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow dags test reruns a date, tasks test sees a stored run's XComs without retries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/d.ts`, dagFile("d"));
    const common = ["-S", dir, "--state-dir", `${dir}/state`, "-q"];
    const first = await cli(["dags", "test", "d", "2024-03-01", ...common]);
    assert.equal(first.code, 0, first.err.join("\n"));
    const again = await cli(["dags", "test", "d", "2024-03-01", ...common]);
    assert.ok(
      again.out.some((l) => /^sum\s+success\s+2\s/.test(l)),
      again.out.join("\n"),
    );
    const one = await cli([
      "tasks",
      "test",
      "d",
      "sum",
      "-r",
      "manual__2024-03-01T00:00:00.000Z",
      ...common,
    ]);
    assert.deepEqual(one.out, ["sum: success (try 1)", "xcom: 6"]);
    // No stored run: extract's XCom is missing and sum fails once, no retry.
    const alone = await cli([
      "tasks",
      "test",
      "d",
      "sum",
      "2024-05-01",
      "-S",
      dir,
    ]);
    assert.equal(alone.code, 1);
    assert.equal(alone.out[alone.out.length - 2], "sum: failed (try 1)");
    const logged = await cli(["tasks", "test", "d", "extract", "-S", dir]);
    assert.match(logged.out[0]!, /\{extract\} INFO - extracting$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow CLI reports the real cause of a DAG file that fails to load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/syntax.ts`, `export const x = ;\n`);
    await Deno.writeTextFile(
      `${dir}/dupe.ts`,
      `import { DAG } from "${MOD}";\nexport const d = new DAG("dupe");\nd.task("a", () => 1);\nd.task("a", () => 2);\n`,
    );
    await Deno.writeTextFile(
      `${dir}/throws.ts`,
      `\nthrow new Error("no config");\n`,
    );
    const syntax = await cli([`${dir}/syntax.ts`, "dags", "list"]);
    assert.equal(syntax.code, 2);
    assert.equal(syntax.err.length, 1);
    assert.match(
      syntax.err[0]!,
      /^Error: Cannot import DAG file: \S+syntax\.ts: .*syntax\.ts:1:\d+/,
    );
    const dupe = await cli([`${dir}/dupe.ts`, "dags", "list"]);
    assert.match(
      dupe.err[0]!,
      /^Error: Cannot import DAG file: \S+dupe\.ts: Task id already in DAG dupe: a \(at \S+dupe\.ts:4:\d+\)$/,
    );
    const thrown = await cli([`${dir}/throws.ts`, "dags", "list"]);
    assert.match(thrown.err[0]!, /: no config \(at \S+throws\.ts:2:\d+\)$/);
    // In a folder, each failure is one line and the command goes on.
    const folder = await cli(["dags", "list", "-S", dir]);
    assert.equal(folder.code, 0);
    assert.equal(folder.err.length, 3);
    assert.ok(
      folder.err.every((l) => l.startsWith("DAG file failed to load: ")),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow CLI names the missing permission and the flag that grants it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/d.ts`, dagFile("d"));
    for (
      const flags of [
        ["--state-dir", `${dir}/elsewhere`],
        ["--sqlite", `${dir}/elsewhere.db`],
        ["--report", `${dir}/elsewhere.html`],
      ]
    ) {
      const o = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          `--allow-write=${dir}/out`,
          CLI,
          "dags",
          "test",
          "d",
          "-S",
          dir,
          "--state-dir",
          `${dir}/out/state`,
          ...flags,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(o.stderr).trim();
      assert.equal(o.code, 2, stderr);
      assert.equal(stderr.split("\n").length, 1, stderr);
      assert.ok(
        stderr.startsWith(
          `Error: Missing write permission for ${flags[0]} ${flags[1]}: `,
        ),
        stderr,
      );
      assert.ok(stderr.includes(`--allow-write=${flags[1]}`), stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
