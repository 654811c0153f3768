// Cases from Apache Airflow's own tests (timetables, next_retry_datetime,
// skip mixin, short circuit, setup/teardown, priority weights), written
// against this module's API.
import assert from "node:assert/strict";
import {
  clearTasks,
  DAG,
  ManualClock,
  MemoryStateStore,
  Scheduler,
  ShortCircuitOperator,
  Timetable,
} from "../../airflow/mod.ts";
import { retryDelayMs } from "../../airflow/_retry_delay.ts";

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

Deno.test("Timetable.latestComplete() is exact at the millisecond of a cron point", () => {
  const t = new Timetable("@hourly");
  const one = Date.UTC(2024, 0, 1, 1);
  assert.deepEqual(t.latestComplete(one), { start: one - H, end: one });
  assert.deepEqual(t.latestComplete(one - 1), {
    start: one - 2 * H,
    end: one - H,
  });
  assert.deepEqual(t.latestComplete(one + 999), { start: one - H, end: one });
  const seconds = new Timetable("*/5 * * * * *");
  assert.equal(seconds.pointAtOrBefore(one + 5000), one + 5000);
  assert.equal(seconds.pointAtOrBefore(one + 5001), one + 5000);
  assert.equal(seconds.pointBefore(one + 5000), one);
  assert.equal(seconds.nextPoint(one + 4999), one + 5000);
  assert.equal(seconds.nextPoint(one + 5000), one + 10_000);
});

Deno.test("Scheduler with catchup=false creates each run the moment its interval ends", async () => {
  const start = Date.UTC(2024, 0, 1, 0, 30);
  const clock = new ManualClock({ start });
  const dag = new DAG("hourly", {
    schedule: "@hourly",
    startDate: Date.UTC(2023, 0, 1),
  });
  dag.task("t", () => 1);
  const scheduler = new Scheduler({ dags: [dag], clock });
  const created: string[] = [];
  const pass = async () => {
    for (const r of await scheduler.runDue()) created.push(r.runId);
  };
  await pass(); // 00:30: [23:00, 00:00) is the latest complete interval
  await clock.advance(30 * 60_000); // exactly 01:00
  await pass();
  await clock.advance(30 * 60_000); // 01:30: nothing new
  await pass();
  await clock.advance(30 * 60_000); // exactly 02:00
  await pass();
  assert.deepEqual(created, [
    "scheduled__2023-12-31T23:00:00.000Z",
    "scheduled__2024-01-01T00:00:00.000Z",
    "scheduled__2024-01-01T01:00:00.000Z",
  ]);
});

Deno.test("Timetable.nextInterval() follows Airflow's next_dagrun_info", () => {
  const t = new Timetable("@daily");
  const d = (day: number, hour = 0) => Date.UTC(2021, 8, day, hour);
  // First run without catchup: the latest complete interval...
  assert.deepEqual(
    t.nextInterval({ startDate: d(1), catchup: false, now: d(7, 12) }),
    { start: d(6), end: d(7) },
  );
  // ...but never one that starts before startDate.
  assert.deepEqual(
    t.nextInterval({ startDate: d(7, 6), catchup: false, now: d(7, 12) }),
    { start: d(8), end: d(9) },
  );
  // With a previous run: from the end of its data interval, not from its
  // logical date (a run whose interval was longer than one period).
  assert.deepEqual(
    t.nextInterval({ lastEnd: d(4), startDate: d(1), catchup: true, now: 0 }),
    { start: d(4), end: d(5) },
  );
  // Without catchup an old last run does not drag the schedule back.
  assert.deepEqual(
    t.nextInterval({
      lastEnd: d(2),
      startDate: d(1),
      catchup: false,
      now: d(7),
    }),
    { start: d(6), end: d(7) },
  );
  // A last run's end between cron points is aligned back to the schedule.
  assert.deepEqual(
    t.nextInterval({ lastEnd: d(4, 5), catchup: true, now: 0 }),
    { start: d(4), end: d(5) },
  );
  // Past endDate: nothing.
  assert.equal(
    t.nextInterval({ lastEnd: d(4), endDate: d(3), catchup: true, now: 0 }),
    undefined,
  );
  // A manual run covers the last complete interval before its date.
  assert.deepEqual(t.manualInterval(d(25, 1)), { start: d(24), end: d(25) });
  assert.deepEqual(t.manualInterval(d(25)), { start: d(24), end: d(25) });
});

Deno.test("Scheduler with catchup=false after a long pause schedules from now and not before startDate", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 10, 12) });
  const store = new MemoryStateStore();
  const dag = new DAG("paused_long", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
  });
  dag.task("t", () => 1);
  const first = new Scheduler({ dags: [dag], clock, store });
  assert.deepEqual((await first.runDue()).map((r) => iso(r.logicalDate)), [
    "2024-01-09T00:00:00.000Z",
  ]);
  await clock.advance(5 * 24 * H);
  assert.deepEqual((await first.runDue()).map((r) => iso(r.logicalDate)), [
    "2024-01-14T00:00:00.000Z",
  ]);
  const future = new DAG("future_start", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 20),
  });
  future.task("t", () => 1);
  const s2 = new Scheduler({ dags: [future], clock, store });
  assert.deepEqual(await s2.dueIntervals("future_start"), []);
});

Deno.test("retryDelayMs() matches Airflow's test_next_retry_datetime", () => {
  const base = {
    retryDelay: 30_000,
    retryExponentialBackoff: true,
    maxRetryDelay: 60 * 60_000,
    dagId: "fail_dag",
    taskId: "task_with_exp_backoff_and_max_delay",
    logicalDate: Date.UTC(2016, 0, 1),
  };
  const within = (tryNumber: number, lo: number, hi: number) => {
    const ms = retryDelayMs({ ...base, tryNumber });
    assert.ok(ms >= lo * 1000 && ms < hi * 1000, `try ${tryNumber}: ${ms}`);
    assert.equal(ms % 1000, 0, "whole seconds");
    // Deterministic per task instance and try.
    assert.equal(retryDelayMs({ ...base, tryNumber }), ms);
  };
  within(0, 15, 30);
  within(3, 120, 240);
  within(5, 480, 960);
  assert.equal(retryDelayMs({ ...base, tryNumber: 9 }), 60 * 60_000);
  assert.equal(retryDelayMs({ ...base, tryNumber: 50 }), 60 * 60_000);
  assert.equal(retryDelayMs({ ...base, tryNumber: 5000 }), 60 * 60_000);
  // test_next_retry_datetime_short_or_zero_intervals: a 1 s floor.
  for (const retryDelay of [0, 500, 1000]) {
    assert.equal(retryDelayMs({ ...base, retryDelay, tryNumber: 1 }), 1000);
  }
  // maxRetryDelay caps only the exponential delay.
  assert.equal(
    retryDelayMs({
      ...base,
      retryExponentialBackoff: false,
      retryDelay: 2 * 60 * 60_000,
      tryNumber: 1,
    }),
    2 * 60 * 60_000,
  );
  // Without maxRetryDelay (0, falsy as in Python) the 24 h ceiling holds.
  assert.equal(
    retryDelayMs({ ...base, maxRetryDelay: 0, tryNumber: 40 }),
    86_400_000,
  );
});

Deno.test("clearTasks() keeps a branch-skipped task skipped and gives a failed task fresh retries", async () => {
  const store = new MemoryStateStore();
  let healthy = false;
  const dag = new DAG("clear_rules", {
    defaultArgs: { retries: 2, retryDelay: 0 },
  });
  const pick = dag.branch("pick", () => "left");
  const left = dag.task("left", () => {
    if (!healthy) throw new Error("Database down");
  });
  const right = dag.task("right", () => 1);
  pick.then([left, right]);
  const first = await dag.test({ store, runId: "r" });
  assert.equal(first.tasks.left!.tryNumber, 3);
  assert.equal(first.tasks.left!.state, "failed");
  assert.equal(first.tasks.right!.state, "skipped");
  await clearTasks(store, dag, "r", { taskIds: ["left", "right"] });
  const stored = await store.load("clear_rules", "r");
  assert.equal(stored!.tasks.left!.maxTries, 5);
  const tries: number[] = [];
  const again = await dag.test({
    store,
    runId: "r",
    onTransition: (id, s, n) =>
      id === "left" && s === "running" && tries.push(n),
  });
  assert.deepEqual(tries, [4, 5, 6], "three more tries, counting on");
  assert.equal(again.tasks.right!.state, "skipped", "still skipped");
  assert.equal(again.tasks.left!.state, "failed");
  healthy = true;
  await clearTasks(store, dag, "r");
  const third = await dag.test({ store, runId: "r" });
  assert.equal(third.tasks.pick!.tryNumber, 2, "the branch decides again");
  assert.equal(third.tasks.left!.state, "success");
  assert.equal(third.tasks.right!.state, "skipped");
});

Deno.test("ShortCircuitOperator judges its result by Python's truthiness", async () => {
  const outcome = async (value: unknown) => {
    const dag = new DAG("truthy");
    dag.add(new ShortCircuitOperator({ taskId: "gate", fn: () => value }))
      .then(dag.task("after", () => 1));
    return (await dag.test()).tasks.after!.state;
  };
  for (const falsy of [[], 0, "", {}, null, false, undefined]) {
    assert.equal(await outcome(falsy), "skipped", JSON.stringify(falsy));
  }
  for (const truthy of [[0], 1, "False", { a: 0 }, Number.NaN, true]) {
    assert.equal(await outcome(truthy), "success", JSON.stringify(truthy));
  }
});

Deno.test("DAG.priorityWeights() clamps to 32-bit signed range as db_safe_priority", () => {
  const dag = new DAG("overflow");
  const big = dag.task("big", () => 1, { priorityWeight: 2 ** 31 - 1 });
  big.then(dag.task("one", () => 1, { priorityWeight: 1 }));
  const low = dag.task("low", () => 1, { priorityWeight: -(2 ** 31) });
  low.then(dag.task("minus", () => 1, { priorityWeight: -1 }));
  assert.deepEqual(dag.priorityWeights(), {
    big: 2 ** 31 - 1,
    one: 1,
    low: -(2 ** 31),
    minus: -1,
  });
});

Deno.test("Teardown tasks run after their setup whatever happened and do not decide the run", async () => {
  const build = (o: {
    setup?: () => unknown;
    work?: () => unknown;
    teardown?: () => unknown;
    failRun?: boolean;
  }) => {
    const dag = new DAG("setup_teardown");
    const setup = dag.task("create_cluster", o.setup ?? (() => 1)).asSetup();
    const work = dag.task("work", o.work ?? (() => 1));
    const teardown = dag.task("delete_cluster", o.teardown ?? (() => 1))
      .asTeardown({ setups: setup, onFailureFailDagrun: o.failRun });
    setup.then(work).then(teardown);
    return dag;
  };
  const boom = () => {
    throw new Error("boom");
  };
  const states = (r: Awaited<ReturnType<DAG["test"]>>) => [
    r.state,
    r.tasks.create_cluster!.state,
    r.tasks.work!.state,
    r.tasks.delete_cluster!.state,
  ];
  assert.equal(
    build({}).getTask("delete_cluster").options.triggerRule,
    "all_done_setup_success",
  );
  assert.deepEqual(states(await build({ work: boom }).test()), [
    "failed",
    "success",
    "failed",
    "success",
  ]);
  assert.deepEqual(states(await build({ setup: boom }).test()), [
    "failed",
    "failed",
    "upstream_failed",
    "upstream_failed",
  ]);
  assert.deepEqual(states(await build({ teardown: boom }).test()), [
    "success",
    "success",
    "success",
    "failed",
  ]);
  assert.deepEqual(
    states(await build({ teardown: boom, failRun: true }).test()),
    ["failed", "success", "success", "failed"],
  );
});

Deno.test("all_done_setup_success skips a teardown whose setups were all skipped", async () => {
  const dag = new DAG("skipped_setup");
  const gate = dag.shortCircuit("gate", () => false, {
    ignoreDownstreamTriggerRules: false,
  });
  const setup = dag.task("setup", () => 1).asSetup();
  const teardown = dag.task("teardown", () => 1).asTeardown({ setups: setup });
  gate.then(setup);
  const r = await dag.test();
  assert.equal(r.tasks.setup!.state, "skipped");
  assert.equal(teardown.options.isTeardown, true);
  assert.equal(r.tasks.teardown!.state, "skipped");
});
