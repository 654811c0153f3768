import assert from "node:assert/strict";
import {
  AirflowFailException,
  CommandOperator,
  DAG,
  LocalExecutor,
  ManualClock,
} from "../../airflow/mod.ts";
import { drive } from "./_helpers.ts";

Deno.test("DAG.test() retries with exponential backoff capped by maxRetryDelay on the clock", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 1) });
  const t0 = clock.now();
  const starts: number[] = [];
  const dag = new DAG("retry");
  dag.task("flaky", (ctx) => {
    starts.push(ctx.clock.now() - t0);
    assert.equal(ctx.tryNumber, starts.length);
    if (ctx.tryNumber < 4) throw new Error(`try ${ctx.tryNumber} failed`);
    return "ok";
  }, {
    retries: 5,
    retryDelay: 1_000,
    retryExponentialBackoff: true,
    maxRetryDelay: 3_000,
  });
  const states: string[] = [];
  const result = await drive(
    clock,
    dag.test({ clock, onTransition: (_id, s) => states.push(s) }),
    100,
  );
  assert.deepEqual(starts, [0, 1_000, 3_000, 6_000]);
  assert.equal(result.state, "success");
  assert.equal(result.tasks.flaky!.tryNumber, 4);
  assert.deepEqual(result.tasks.flaky!.tries!.map((t) => t.state), [
    "up_for_retry",
    "up_for_retry",
    "up_for_retry",
    "success",
  ]);
  assert.equal(states.filter((s) => s === "up_for_retry").length, 3);
});

Deno.test("DAG.test() waits a fixed retryDelay and fails when retries run out", async () => {
  const clock = new ManualClock({ start: 0 });
  const starts: number[] = [];
  const dag = new DAG("retry_fixed");
  dag.task("always_bad", (ctx) => {
    starts.push(ctx.clock.now());
    throw new Error("still broken");
  }, { retries: 2, retryDelay: 5_000 });
  const result = await drive(clock, dag.test({ clock }), 1_000);
  assert.deepEqual(starts, [0, 5_000, 10_000]);
  assert.equal(result.state, "failed");
  assert.equal(result.tasks.always_bad!.state, "failed");
  assert.equal(result.tasks.always_bad!.tryNumber, 3);
  assert.equal(result.tasks.always_bad!.error, "still broken");
});

Deno.test("DAG.test() does not retry an AirflowFailException", async () => {
  const dag = new DAG("fail_fast");
  dag.task("x", () => {
    throw new AirflowFailException("Config missing: key");
  }, { retries: 3, retryDelay: 0 });
  const result = await dag.test();
  assert.equal(result.tasks.x!.tryNumber, 1);
  assert.equal(result.tasks.x!.error, "Config missing: key");
});

Deno.test("DAG.test() aborts a try at its executionTimeout through the signal", async () => {
  const clock = new ManualClock({ start: 0 });
  const aborts: string[] = [];
  const dag = new DAG("timeouts");
  dag.task("slow", async (ctx) => {
    try {
      await ctx.clock.sleep(60_000, ctx.signal);
    } catch (error) {
      aborts.push(
        `${ctx.tryNumber}@${ctx.clock.now()}:${(error as Error).message}`,
      );
      throw error;
    }
  }, { executionTimeout: 500, retries: 1, retryDelay: 100 });
  // A task that ignores its signal still times out.
  dag.task("stubborn", () => new Promise(() => {}), { executionTimeout: 700 });
  const executor = new LocalExecutor({ parallelism: 2 });
  const result = await drive(clock, dag.test({ clock, executor }), 50);
  assert.deepEqual(aborts, [
    "1@500:Task exceeded its execution timeout of 500 ms: slow",
    "2@1100:Task exceeded its execution timeout of 500 ms: slow",
  ]);
  assert.equal(result.tasks.slow!.state, "failed");
  assert.equal(result.tasks.slow!.tryNumber, 2);
  assert.equal(result.tasks.stubborn!.state, "failed");
  assert.equal(
    result.tasks.stubborn!.error,
    "Task exceeded its execution timeout of 700 ms: stubborn",
  );
  assert.equal(clock.pendingSleeps, 0);
});

Deno.test("DAG.test() with a signal cancels the run and fails unfinished tasks", async () => {
  const clock = new ManualClock({ start: 0 });
  const ac = new AbortController();
  const dag = new DAG("cancel");
  dag.task("long", (ctx) => ctx.clock.sleep(60_000, ctx.signal), { retries: 2 })
    .then(dag.task("next", () => 1));
  const running = dag.test({ clock, signal: ac.signal });
  await clock.advance(10);
  ac.abort();
  const result = await running;
  assert.equal(result.state, "failed");
  assert.equal(result.tasks.long!.state, "failed");
  assert.equal(
    result.tasks.long!.error,
    "Run cancelled: manual__1970-01-01T00:00:00.000Z",
  );
  assert.equal(
    result.tasks.long!.tryNumber,
    1,
    "a cancelled try is not retried",
  );
  assert.equal(result.tasks.next!.state, "upstream_failed");
});

Deno.test("CommandOperator returns stdout's last line, fails on exit codes and skips on 99", async () => {
  const dag = new DAG("commands");
  const deno = Deno.execPath();
  dag.add(
    new CommandOperator({
      taskId: "ok",
      command: deno,
      args: ["eval", "console.log('a'); console.log('last')"],
    }),
  );
  dag.add(
    new CommandOperator({
      taskId: "bad",
      command: deno,
      args: ["eval", "console.error('went wrong'); Deno.exit(3)"],
    }),
  );
  dag.add(
    new CommandOperator({
      taskId: "skip",
      command: deno,
      args: ["eval", "Deno.exit(99)"],
    }),
  );
  dag.add(
    new CommandOperator({
      taskId: "env",
      command: deno,
      args: ["eval", "console.log(Deno.env.get('STAGE'))"],
      env: { STAGE: "prod" },
    }),
  );
  dag.add(
    new CommandOperator({ taskId: "missing", command: "/definitely/not/here" }),
  );
  const result = await dag.test();
  assert.equal(result.tasks.ok!.xcom, "last");
  assert.equal(result.tasks.bad!.state, "failed");
  assert.match(
    result.tasks.bad!.error!,
    /^Command failed with exit code 3: .*\(went wrong\)$/,
  );
  assert.equal(result.tasks.skip!.state, "skipped");
  assert.equal(result.tasks.env!.xcom, "prod");
  assert.match(
    result.tasks.missing!.error!,
    /^Cannot run command: \/definitely\/not\/here$/,
  );
});

Deno.test("CommandOperator is killed at its executionTimeout", async () => {
  const dag = new DAG("kill");
  dag.add(
    new CommandOperator({
      taskId: "sleepy",
      command: Deno.execPath(),
      args: ["eval", "await new Promise((r) => setTimeout(r, 30000))"],
      executionTimeout: 300,
    }),
  );
  const t0 = performance.now();
  const result = await dag.test();
  assert.equal(result.tasks.sleepy!.state, "failed");
  assert.equal(
    result.tasks.sleepy!.error,
    "Task exceeded its execution timeout of 300 ms: sleepy",
  );
  assert.ok(performance.now() - t0 < 10_000);
});
