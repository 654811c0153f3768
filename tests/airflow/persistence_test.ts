import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  AirflowError,
  clearTasks,
  DAG,
  JsonStateStore,
  MemoryStateStore,
  SqliteStateStore,
  type StateStore,
} from "../../airflow/mod.ts";
import { crash } from "./fixtures/crash_dag.ts";
import { many } from "./fixtures/crash_many.ts";
import { seededRandom } from "../../internal/random.ts";

const RUNNER = fileURLToPath(
  new URL("./fixtures/run_crash.ts", import.meta.url),
);

async function until(
  what: string,
  check: () => Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

function runner(
  kind: string,
  dir: string,
  runId: string,
  log: string,
  which = "crash",
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      RUNNER,
      kind,
      dir,
      runId,
      log,
      which,
    ],
    stdout: "piped",
    stderr: "piped",
  });
}

for (const kind of ["json", "sqlite"] as const) {
  Deno.test(`DAG.test() resumes a run killed with SIGKILL mid-task (${kind} store)`, async () => {
    const dir = await Deno.makeTempDir();
    const log = `${dir}/tasks.log`;
    const runId = "manual__crash";
    try {
      const child = runner(kind, dir, runId, log).spawn();
      const open = (): StateStore =>
        kind === "json"
          ? new JsonStateStore(dir)
          : new SqliteStateStore(`${dir}/airflow.db`);
      await until("the hanging task to start", () => exists(`${log}.started`));
      const probe = open();
      await until("the running state on disk", async () => {
        const run = await probe.load("crash", runId).catch(() => undefined);
        return run?.tasks.transform?.state === "running";
      });
      // A second process on the same run is refused, naming the run.
      const second = await runner(kind, dir, runId, log).output();
      assert.equal(second.code, 3);
      assert.equal(
        new TextDecoder().decode(second.stderr).trim(),
        `Run is already being run by process ${child.pid}: crash/${runId}`,
      );
      child.kill("SIGKILL");
      const status = await child.status;
      await child.stderr.cancel();
      await child.stdout.cancel();
      assert.equal(status.signal, "SIGKILL");
      const left = await probe.load("crash", runId);
      assert.equal(left!.state, "running");
      assert.equal(left!.tasks.extract!.state, "success");
      assert.deepEqual(left!.tasks.extract!.xcom, [1, 2, 3]);
      assert.equal(left!.tasks.transform!.state, "running");
      assert.equal(left!.tasks.load!.state, "none");
      if (probe instanceof SqliteStateStore) probe.close();

      const store = open();
      const result = await crash.test({ store, runId });
      assert.equal(result.state, "success");
      assert.equal(
        result.tasks.transform!.tryNumber,
        2,
        "the interrupted try counts",
      );
      assert.equal(result.tasks.extract!.tryNumber, 1);
      assert.equal(result.tasks.load!.xcom, 60);
      assert.equal(result.params.log, log, "params come from the stored run");
      const lines = (await Deno.readTextFile(log)).trim().split("\n");
      assert.deepEqual(lines, [
        "extract:1",
        "transform:1",
        "transform:2",
        "load:1",
      ]);
      // A finished run resumed again runs nothing.
      const again = await crash.test({ store, runId });
      assert.equal(again.state, "success");
      assert.equal((await Deno.readTextFile(log)).trim().split("\n").length, 4);
      if (store instanceof SqliteStateStore) store.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("JsonStateStore refuses a corrupt state file and leaves it in place", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new JsonStateStore(dir);
    const path = store.path("crash", "r1");
    await Deno.writeTextFile(path, '{"dagId": "crash", "runId": "r1", "tas');
    await assert.rejects(crash.test({ stateDir: dir, runId: "r1" }), {
      name: "AirflowError",
      message: `State file is corrupt and was left in place: ${path}`,
    });
    assert.equal(
      await Deno.readTextFile(path),
      '{"dagId": "crash", "runId": "r1", "tas',
    );
    await Deno.writeTextFile(path, '{"hello": "world"}');
    await assert.rejects(
      store.load("crash", "r1"),
      /State file is not a DAG run record and was left in place/,
    );
    await assert.rejects(
      store.list("crash"),
      /State file is not a DAG run record/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JsonStateStore saves atomically and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dag = new DAG("many");
    let prev = dag.task("t0", () => 0);
    for (let i = 1; i < 30; i++) prev = prev.then(dag.task(`t${i}`, () => i));
    let saves = 0;
    const store = new JsonStateStore(dir);
    const counting: StateStore = {
      load: (d, r) => store.load(d, r),
      list: (d) => store.list(d),
      save: (run) => {
        saves++;
        return store.save(run);
      },
    };
    const result = await dag.test({ store: counting, runId: "r" });
    assert.equal(result.state, "success");
    assert.ok(saves >= 2);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["many@r.json"]);
    const stored = await store.load("many", "r");
    assert.deepEqual(stored, result);
    assert.deepEqual((await store.list("many")).map((r) => r.runId), ["r"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteStateStore keeps runs and task instances across reopen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dag = new DAG("sq", { schedule: "@daily" });
    dag.task("a", () => ({ n: 1 })).then(dag.task("b", () => {
      throw new Error("nope");
    }));
    let r2;
    {
      using store = new SqliteStateStore(`${dir}/db.sqlite`);
      r2 = await dag.test({ store, runId: "r2", logicalDate: 2 });
      await dag.test({ store, runId: "r1", logicalDate: 1 });
      assert.equal(r2.state, "failed");
    }
    using store = new SqliteStateStore(`${dir}/db.sqlite`);
    // Saves after the first write only changed rows; the whole run reads back.
    assert.deepEqual(await store.load("sq", "r2"), r2);
    const runs = await store.list("sq");
    assert.deepEqual(runs.map((r) => r.runId), ["r1", "r2"]);
    assert.deepEqual(runs[1]!.tasks.a!.xcom, { n: 1 });
    assert.equal(runs[1]!.tasks.b!.error, "nope");
    assert.equal(await store.load("sq", "missing"), undefined);
    assert.throws(
      () => new SqliteStateStore(`${dir}/no/such/dir/x.db`),
      /Cannot open state database/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("clearTasks() resets chosen tasks and their downstream so a resume reruns them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new JsonStateStore(dir);
    let fixed = false;
    const runs: string[] = [];
    const dag = new DAG("clearing");
    const a = dag.task("a", () => void runs.push("a"));
    const b = dag.task("b", () => {
      runs.push("b");
      if (!fixed) throw new Error("broken");
    });
    const c = dag.task("c", () => void runs.push("c"));
    a.then(b).then(c);
    const first = await dag.test({ store, runId: "r" });
    assert.equal(first.tasks.c!.state, "upstream_failed");
    fixed = true;
    assert.deepEqual(
      await clearTasks(store, dag, "r", { taskIds: ["b"], downstream: true }),
      ["b", "c"],
    );
    const second = await dag.test({ store, runId: "r" });
    assert.equal(second.state, "success");
    assert.equal(second.tasks.b!.tryNumber, 2);
    assert.deepEqual(runs, ["a", "b", "b", "c"]);
    assert.deepEqual(await clearTasks(store, dag, "r", { taskIds: /^a$/ }), [
      "a",
    ]);
    await assert.rejects(
      clearTasks(store, dag, "nope"),
      /No such run of DAG clearing: nope/,
    );
    await assert.rejects(
      clearTasks(store, dag, "r", { taskIds: ["zz"] }),
      /Unknown task id in DAG clearing: zz/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const kind of ["json", "sqlite"] as const) {
  Deno.test(`DAG.test() killed with SIGKILL at random points never reruns a saved task (${kind} store)`, async () => {
    const dir = await Deno.makeTempDir();
    const log = `${dir}/tasks.log`;
    const runId = "manual__many";
    const random = seededRandom(kind === "json" ? 15 : 16);
    const open = (): StateStore =>
      kind === "json"
        ? new JsonStateStore(dir)
        : new SqliteStateStore(`${dir}/airflow.db`);
    const lines = async () =>
      (await Deno.readTextFile(log).catch(() => "")).split("\n").filter(
        Boolean,
      );
    try {
      let kills = 0;
      let saved = new Set<string>();
      for (let spawn = 0; spawn < 12; spawn++) {
        const mark = (await lines()).length;
        const child = runner(kind, dir, runId, log, "many").spawn();
        let exited = false;
        child.status.then(() => (exited = true));
        await until(
          "progress",
          async () => exited || (await lines()).length > mark,
        );
        await new Promise((r) => setTimeout(r, Math.floor(random() * 60)));
        try {
          child.kill("SIGKILL");
        } catch {
          // It finished before the kill.
        }
        const status = await child.status;
        await child.stdout.cancel();
        await child.stderr.cancel();
        const ran = (await lines()).slice(mark).map((l) => l.split(":")[0]!);
        assert.deepEqual(
          ran.filter((id) => saved.has(id)),
          [],
          `spawn ${spawn}: a task saved as success ran again`,
        );
        const probe = open();
        const run = await probe.load("many", runId);
        if (probe instanceof SqliteStateStore) probe.close();
        saved = new Set(
          Object.entries(run?.tasks ?? {}).filter(([, ti]) =>
            ti.state === "success"
          ).map(([id]) => id),
        );
        if (status.signal === "SIGKILL") kills++;
        else break;
      }
      assert.ok(kills >= 2, `kills landed mid-run: ${kills}`);
      const store = open();
      const mark = (await lines()).length;
      const result = await many.test({ store, runId, params: { log } });
      if (store instanceof SqliteStateStore) store.close();
      assert.equal(result.state, "success");
      assert.equal(
        Object.values(result.tasks).filter((t) => t.state === "success")
          .length,
        40,
      );
      const ran = (await lines()).slice(mark).map((l) => l.split(":")[0]!);
      assert.deepEqual(ran.filter((id) => saved.has(id)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("DAG.test() fails the run at the first failed save, with the save's error as the cause", async () => {
  const dir = await Deno.makeTempDir();
  const stateDir = `${dir}/state`;
  const ran: string[] = [];
  try {
    const dag = new DAG("unsaved");
    const first = dag.task("first", () => {
      ran.push("first");
      // The state directory turns into a file: every later save fails.
      Deno.removeSync(stateDir, { recursive: true });
      Deno.writeTextFileSync(stateDir, "");
    });
    let prev = first;
    for (let i = 0; i < 5; i++) {
      prev = prev.then(dag.task(`next${i}`, async () => {
        ran.push(`next${i}`);
        await new Promise((r) => setTimeout(r, 30));
      }));
    }
    await assert.rejects(dag.test({ stateDir, runId: "r" }), (error) => {
      assert.ok(error instanceof AirflowError);
      assert.equal(
        error.message,
        "Run stopped because its state could not be saved: unsaved/r",
      );
      assert.match(
        String((error.cause as Error).message),
        /^Cannot write state file: /,
      );
      return true;
    });
    // The save of first's success fails while next0 runs: nothing after.
    assert.deepEqual(ran, ["first", "next0"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DAG.test() names the task and the state when a stored state is unknown", async () => {
  const store = new MemoryStateStore();
  const dag = new DAG("garbled");
  dag.task("a", () => 1).then(dag.task("b", () => 2));
  await dag.test({ store, runId: "r" });
  const run = (await store.load("garbled", "r"))!;
  run.state = "running";
  (run.tasks.b as { state: string }).state = "exploded";
  await store.save(run);
  await assert.rejects(dag.test({ store, runId: "r" }), {
    name: "AirflowError",
    message: 'Task b of run garbled/r has an unknown state: "exploded"',
  });
  // The claim was given back: the run can be repaired and run again.
  run.tasks.b!.state = "none";
  await store.save(run);
  assert.equal((await dag.test({ store, runId: "r" })).state, "success");
});

Deno.test("Two runners in one process cannot own the same run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const store of [new JsonStateStore(dir), new MemoryStateStore()]) {
      let release!: () => void;
      const dag = new DAG("owned");
      dag.task("wait", () => new Promise<void>((r) => (release = r)));
      const first = dag.test({ store, runId: "r" });
      await new Promise((r) => setTimeout(r, 20));
      await assert.rejects(dag.test({ store, runId: "r" }), {
        name: "AirflowError",
        message: "Run is already being run by this process: owned/r",
      });
      release();
      assert.equal((await first).state, "success");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every store lists the DAG ids it holds runs of, sorted", async () => {
  const dir = await Deno.makeTempDir();
  const sqlite = new SqliteStateStore(`${dir}/airflow.db`);
  try {
    const stores: StateStore[] = [
      new MemoryStateStore(),
      new JsonStateStore(`${dir}/json`),
      sqlite,
    ];
    for (const store of stores) {
      assert.deepEqual(await store.dagIds!(), []);
      for (const [dagId, runId] of [["b", "r1"], ["a", "r1"], ["b", "r2"]]) {
        await store.save({
          dagId: dagId!,
          runId: runId!,
          runType: "manual",
          state: "success",
          logicalDate: 0,
          dataInterval: { start: 0, end: 0 },
          params: {},
          tasks: {},
        });
      }
      assert.deepEqual(
        await store.dagIds!(),
        ["a", "b"],
        store.constructor.name,
      );
    }
  } finally {
    sqlite.close();
    await Deno.remove(dir, { recursive: true });
  }
});
