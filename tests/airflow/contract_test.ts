// Conformance with the public API of airflow (the names and shapes the README and
// airflow/mod.ts document), used as an outside user would.
import assert from "node:assert/strict";
import {
  AirflowError,
  BranchOperator,
  CommandOperator,
  DAG,
  EmptyOperator,
  ExternalTaskSensor,
  FileSensor,
  LocalExecutor,
  ManualClock,
  Scheduler,
  SequentialExecutor,
  ShortCircuitOperator,
  Task,
  TaskState,
  TimeDeltaSensor,
  TimeSensor,
  TriggerRule,
} from "../../airflow/mod.ts";
import { airflow } from "../../mod.ts";

async function drive<T>(
  clock: ManualClock,
  p: Promise<T>,
  stepMs: number,
): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 10_000 && !done; i++) await clock.advance(stepMs);
  return await p;
}

Deno.test("DAG is reachable from the root airflow namespace", async () => {
  assert.equal(airflow.DAG, DAG);
  assert.equal(airflow.TriggerRule, TriggerRule);
  const dag = new airflow.DAG("ns");
  dag.task("t", () => 42);
  const r = await dag.test();
  assert.equal(r.state, "success");
  assert.equal(r.tasks.t!.state, "success");
  assert.equal(r.tasks.t!.tryNumber, 1);
});

Deno.test("TaskState and TriggerRule use Airflow's exact strings", () => {
  assert.deepEqual(Object.values(TriggerRule).sort(), [
    "all_done",
    "all_done_min_one_success",
    "all_done_setup_success",
    "all_failed",
    "all_skipped",
    "all_success",
    "always",
    "none_failed",
    "none_failed_min_one_success",
    "none_skipped",
    "one_done",
    "one_failed",
    "one_success",
  ]);
  for (
    const s of [
      "none",
      "scheduled",
      "queued",
      "running",
      "success",
      "failed",
      "up_for_retry",
      "up_for_reschedule",
      "upstream_failed",
      "skipped",
    ]
  ) {
    assert.ok(
      (Object.values(TaskState) as string[]).includes(s),
      `TaskState has ${s}`,
    );
  }
  assert.equal(TaskState.UP_FOR_RETRY, "up_for_retry");
  assert.equal(
    TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
    "none_failed_min_one_success",
  );
});

Deno.test("Task.then() returns its argument; dag.chain() links in order", async () => {
  const dag = new DAG("deps", {
    defaultArgs: { retries: 0 },
    maxActiveTasks: 4,
    maxActiveRuns: 1,
    catchup: false,
  });
  const order: string[] = [];
  const mk = (id: string) =>
    dag.task(id, () => {
      order.push(id);
      return id;
    });
  const a = mk("a");
  const b = mk("b");
  const c = mk("c");
  const d = mk("d");
  const e = mk("e");
  const f = mk("f");
  assert.equal(a.then(b), b);
  const bc = b.then([c, d]);
  assert.ok(Array.isArray(bc));
  assert.equal(bc[0], c);
  assert.equal(bc[1], d);
  dag.chain(d, e, f);
  const r = await dag.test({ executor: new SequentialExecutor() });
  assert.equal(r.state, "success");
  assert.ok(order.indexOf("a") < order.indexOf("b"));
  assert.ok(order.indexOf("b") < order.indexOf("c"));
  assert.ok(order.indexOf("b") < order.indexOf("d"));
  assert.ok(order.indexOf("d") < order.indexOf("e"));
  assert.ok(order.indexOf("e") < order.indexOf("f"));
  assert.equal(r.tasks.f!.xcom, "f");
});

Deno.test("DAG.branch() follows the returned ids and DAG.shortCircuit() skips", async () => {
  const dag = new DAG("branching");
  const pick = dag.branch("pick", () => ["left"]);
  const left = dag.task("left", () => "L");
  const right = dag.task("right", () => "R");
  const join = dag.task("join", () => "J", {
    triggerRule: "none_failed_min_one_success",
  });
  pick.then([left, right]);
  left.then(join);
  right.then(join);
  const gate = dag.shortCircuit("gate", () => false);
  const after = dag.task("after", () => 1);
  gate.then(after);
  const r = await dag.test();
  assert.equal(r.state, "success");
  assert.equal(r.tasks.left!.state, "success");
  assert.equal(r.tasks.right!.state, "skipped");
  assert.equal(r.tasks.join!.state, "success");
  assert.equal(r.tasks.after!.state, "skipped");
});

Deno.test("TriggerRule strings decide when a task runs after a failure", async () => {
  const dag = new DAG("rules");
  const bad = dag.task("bad", () => {
    throw new Error("boom");
  });
  const rules = [
    "all_success",
    "all_failed",
    "all_done",
    "all_skipped",
    "one_success",
    "one_failed",
    "one_done",
    "none_failed",
    "none_skipped",
    "none_failed_min_one_success",
    "always",
  ] as const;
  for (const rule of rules) {
    bad.then(dag.task(`t_${rule}`, () => rule, { triggerRule: rule }));
  }
  const r = await dag.test();
  assert.equal(r.state, "failed");
  assert.equal(r.tasks.bad!.state, "failed");
  const want: Record<string, string> = {
    all_success: "upstream_failed",
    all_failed: "success",
    all_done: "success",
    all_skipped: "skipped",
    one_success: "upstream_failed",
    one_failed: "success",
    one_done: "success",
    none_failed: "upstream_failed",
    none_skipped: "success",
    none_failed_min_one_success: "upstream_failed",
    always: "success",
  };
  for (const rule of rules) {
    assert.equal(r.tasks[`t_${rule}`]!.state, want[rule], rule);
  }
});

Deno.test("DAG.test() retries on the injected clock: up_for_retry then success", async () => {
  const clock = new ManualClock({ start: 0 });
  const dag = new DAG("retries");
  const states: string[] = [];
  dag.task("flaky", (ctx) => {
    if (ctx.tryNumber < 3) throw new Error(`try ${ctx.tryNumber}`);
    return "ok";
  }, {
    retries: 3,
    retryDelay: 1_000,
    retryExponentialBackoff: true,
    maxRetryDelay: 10_000,
    executionTimeout: 60_000,
    priorityWeight: 5,
    weightRule: "downstream",
    pool: "default_pool",
  });
  const r = await drive(
    clock,
    dag.test({ clock, onTransition: (_id, s) => states.push(s) }),
    500,
  );
  assert.equal(r.state, "success");
  assert.equal(r.tasks.flaky!.state, "success");
  assert.equal(r.tasks.flaky!.tryNumber, 3);
  assert.equal(states.filter((s) => s === "up_for_retry").length, 2);
});

Deno.test("DAG.test({ stateDir, runId }) keeps the run and resumes it by runId", async () => {
  const stateDir = await Deno.makeTempDir();
  try {
    const marker = `${stateDir}/ok`;
    let aRuns = 0;
    const dag = new DAG("resume");
    const a = dag.task("a", () => ++aRuns);
    const b = dag.task("b", () => {
      // Fails until the marker file exists.
      Deno.statSync(marker);
      return "done";
    });
    a.then(b);
    const first = await dag.test({
      stateDir,
      runId: "manual__r1",
      executor: new LocalExecutor({ parallelism: 2 }),
    });
    assert.equal(first.state, "failed");
    assert.equal(first.tasks.a!.state, "success");
    assert.equal(first.tasks.b!.state, "failed");
    assert.ok([...Deno.readDirSync(stateDir)].length > 0, "state written");
    // The same runId again reports the stored run: nothing reruns.
    const again = await dag.test({ stateDir, runId: "manual__r1" });
    assert.equal(again.tasks.a!.state, "success");
    assert.equal(aRuns, 1);
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("Operators and sensors take their documented options and run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new ManualClock({ start: Date.UTC(2024, 0, 1) });
    const dag = new DAG("ops", { startDate: Date.UTC(2024, 0, 1) });
    const start = dag.add(new EmptyOperator({ taskId: "start" }));
    const br = dag.add(
      new BranchOperator({ taskId: "br", fn: () => ["cmd"] }),
    );
    const cmd = dag.add(
      new CommandOperator({
        taskId: "cmd",
        command: Deno.execPath(),
        args: ["eval", "console.log('hello')"],
      }),
    );
    const other = dag.add(new EmptyOperator({ taskId: "other" }));
    const sc = dag.add(
      new ShortCircuitOperator({ taskId: "sc", fn: () => true }),
    );
    const file = dag.add(
      new FileSensor({
        taskId: "file",
        filepath: `${dir}/ready.txt`,
        pokeInterval: 1_000,
        timeout: 60_000,
        mode: "reschedule",
        exponentialBackoff: false,
      }),
    );
    const delta = dag.add(
      new TimeDeltaSensor({
        taskId: "delta",
        delta: 5_000,
        pokeInterval: 1_000,
        mode: "poke",
      }),
    );
    const missing = dag.add(
      new FileSensor({
        taskId: "missing",
        filepath: `${dir}/never.txt`,
        pokeInterval: 1_000,
        timeout: 3_000,
        softFail: true,
      }),
    );
    assert.ok(start instanceof Task);
    start.then(br).then([cmd, other]);
    start.then(sc).then([file, delta, missing]);
    const running = dag.test({ clock });
    await clock.advance(2_000);
    await Deno.writeTextFile(`${dir}/ready.txt`, "x");
    const r = await drive(clock, running, 1_000);
    assert.equal(r.tasks.cmd!.state, "success");
    assert.equal(r.tasks.cmd!.xcom, "hello");
    assert.equal(r.tasks.other!.state, "skipped");
    assert.equal(r.tasks.file!.state, "success");
    assert.equal(r.tasks.delta!.state, "success");
    assert.equal(r.tasks.missing!.state, "skipped", "softFail skips");
    assert.equal(r.state, "success");
    // Constructors of the remaining sensors take their options.
    assert.ok(
      new TimeSensor({ taskId: "ts", targetTime: "12:00:00" }) instanceof
        Task,
    );
    assert.ok(
      new ExternalTaskSensor({
        taskId: "ext",
        externalDagId: "other",
        externalTaskId: "t",
        pokeInterval: 60_000,
        timeout: 600_000,
        mode: "reschedule",
      }) instanceof Task,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Scheduler runs a catchup schedule through LocalExecutor", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 4) });
  const dag = new DAG("daily", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
    catchup: true,
    maxActiveRuns: 2,
  });
  dag.task("t", (ctx) => ctx.dataInterval?.start ?? null);
  const scheduler = new Scheduler({
    dags: [dag],
    clock,
    executor: new LocalExecutor({ parallelism: 2 }),
  });
  const runs = await drive(clock, scheduler.runDue(), 100);
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.state === "success"));
});

Deno.test("DAG rejects bad input with AirflowError", () => {
  const dag = new DAG("bad");
  dag.task("t", () => 1);
  assert.throws(() => dag.task("t", () => 2), AirflowError);
  assert.throws(
    () =>
      dag.task("u", () => 1, {
        triggerRule: "sometimes" as typeof TriggerRule.ALWAYS,
      }),
    (e: unknown) => {
      assert.ok(e instanceof AirflowError);
      assert.equal(e.name, "AirflowError");
      assert.match(e.message, /sometimes/);
      return true;
    },
  );
});

Deno.test("LocalExecutor({ parallelism }) bounds concurrency; XCom flows through return values", async () => {
  const dag = new DAG("fanout");
  let running = 0;
  let peak = 0;
  const src = dag.task("src", () => 10);
  const workers = Array.from(
    { length: 6 },
    (_, i) =>
      dag.task(`w${i}`, async (ctx) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return (ctx.xcom.pull<number>("src") ?? 0) + i;
      }),
  );
  const total = dag.task(
    "total",
    (ctx) =>
      workers.reduce(
        (s, w) => s + (ctx.xcom.pull<number>(w.taskId) ?? 0),
        0,
      ),
  );
  src.then(workers);
  dag.chain(workers, total);
  const r = await dag.test({ executor: new LocalExecutor({ parallelism: 3 }) });
  assert.equal(r.state, "success");
  assert.equal(peak, 3);
  assert.equal(r.tasks.total!.xcom, 6 * 10 + 15);
  peak = 0;
  const s = await dag.test({ executor: new SequentialExecutor() });
  assert.equal(s.state, "success");
  assert.equal(peak, 1);
});

Deno.test("DAG reports a cycle with its path; TaskContext carries the run's fields", async () => {
  const cyc = new DAG("x");
  const a = cyc.task("a", () => 1);
  const b = cyc.task("b", () => 1);
  const c = cyc.task("c", () => 1);
  a.then(b).then(c).then(a);
  await assert.rejects(
    () => cyc.test(),
    (e: unknown) => {
      assert.ok(e instanceof AirflowError);
      assert.match(e.message, /Cycle detected in DAG x: /);
      assert.match(
        e.message,
        /a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c/,
      );
      return true;
    },
  );
  const dag = new DAG("ctx", { params: { who: "world" } });
  let seen: Record<string, unknown> = {};
  dag.task("t", (ctx) => {
    seen = {
      dagId: ctx.dagId,
      runId: ctx.runId,
      tryNumber: ctx.tryNumber,
      params: ctx.params,
      signal: ctx.signal instanceof AbortSignal,
      interval: ctx.dataInterval !== undefined,
      logical: ctx.logicalDate !== undefined,
    };
  });
  const r = await dag.test({ runId: "manual__ctx" });
  assert.equal(r.state, "success");
  assert.deepEqual(seen, {
    dagId: "ctx",
    runId: "manual__ctx",
    tryNumber: 1,
    params: { who: "world" },
    signal: true,
    interval: true,
    logical: true,
  });
});

Deno.test("Scheduler.backfill() creates one run per interval in the range", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 1, 1) });
  const dag = new DAG("bf", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
    catchup: false,
  });
  dag.task("t", () => 1);
  const scheduler = new Scheduler({ dags: [dag], clock });
  const runs = await drive(
    clock,
    scheduler.backfill("bf", Date.UTC(2024, 0, 10), Date.UTC(2024, 0, 13)),
    100,
  );
  assert.deepEqual(
    runs.map((run) => run.logicalDate).sort(),
    [10, 11, 12, 13].map((d) => Date.UTC(2024, 0, d)),
  );
  // With a single DAG the id may be left out, as in the backfill(start, end).
  const more = await drive(
    clock,
    scheduler.backfill(new Date(Date.UTC(2024, 0, 14)), Date.UTC(2024, 0, 15)),
    100,
  );
  assert.equal(more.length, 2);
  assert.ok(more.every((run) => run.state === "success"));
  const two = new Scheduler({ dags: [dag, new DAG("other")], clock });
  await assert.rejects(
    () => two.backfill(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)),
    /exactly one DAG in the scheduler: bf, other/,
  );
  assert.ok(runs.every((run) => run.state === "success"));
});
