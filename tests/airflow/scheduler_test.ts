import assert from "node:assert/strict";
import {
  DAG,
  type DagRunRecord,
  LocalExecutor,
  ManualClock,
  MemoryStateStore,
  Scheduler,
  Timetable,
} from "../../airflow/mod.ts";
import { drive } from "./_helpers.ts";

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("Timetable turns presets and cron expressions into data intervals", () => {
  const jan1 = Date.UTC(2024, 0, 1);
  const cases: [string, number, number][] = [
    ["@hourly", jan1, jan1 + 3_600_000],
    ["@daily", jan1, jan1 + DAY],
    ["@weekly", Date.UTC(2024, 0, 7), Date.UTC(2024, 0, 14)],
    ["@monthly", jan1, Date.UTC(2024, 1, 1)],
    ["@yearly", jan1, Date.UTC(2025, 0, 1)],
    ["30 6 * * 1-5", Date.UTC(2024, 0, 1, 6, 30), Date.UTC(2024, 0, 2, 6, 30)],
  ];
  for (const [schedule, start, end] of cases) {
    const iv = new Timetable(schedule).first(jan1);
    assert.deepEqual(iv, { start, end }, schedule);
  }
  const friday = new Timetable("30 6 * * 1-5").after(
    Date.UTC(2024, 0, 5, 6, 30),
  );
  assert.equal(iso(friday!.start), "2024-01-08T06:30:00.000Z");
  assert.equal(new Timetable(null).periodic, false);
  assert.deepEqual(new Timetable("@once").first(5), { start: 5, end: 5 });
  assert.throws(() => new Timetable("61 * * * *"), {
    name: "AirflowError",
    message: 'Invalid cron expression: "61 * * * *"',
  });
  assert.throws(
    () => new DAG("bad", { schedule: "every day" }),
    /Invalid cron expression: "every day"/,
  );
  assert.throws(
    () => new Timetable("@fortnightly"),
    /Unknown schedule preset: "@fortnightly"/,
  );
});

Deno.test("Scheduler.runDue() catches up a simulated month within maxActiveRuns", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 1, 1, 0, 30) });
  const dag = new DAG("monthly_catchup", {
    schedule: "@daily",
    startDate: "2024-01-01T00:00:00Z",
    catchup: true,
    maxActiveRuns: 4,
  });
  let active = 0;
  let peak = 0;
  dag.task("extract", async (ctx) => {
    peak = Math.max(peak, ++active);
    await ctx.clock.sleep(1_000);
    active--;
    return [
      iso(ctx.dataInterval.start.getTime()),
      iso(ctx.dataInterval.end.getTime()),
    ];
  }).then(dag.task("load", (ctx) => ctx.xcom.pull("extract")));
  const scheduler = new Scheduler({
    dags: [dag],
    clock,
    executor: new LocalExecutor({ parallelism: 16 }),
  });
  assert.equal((await scheduler.dueIntervals("monthly_catchup")).length, 31);
  const runs = await drive(clock, scheduler.runDue(), 500);
  assert.equal(runs.length, 31);
  assert.equal(peak, 4);
  runs.sort((a, b) => a.logicalDate - b.logicalDate);
  runs.forEach((run, d) => {
    const start = Date.UTC(2024, 0, 1 + d);
    assert.equal(run.runId, `scheduled__${iso(start)}`);
    assert.equal(run.runType, "scheduled");
    assert.equal(run.state, "success");
    assert.deepEqual(run.dataInterval, { start, end: start + DAY });
    assert.deepEqual(run.tasks.load!.xcom, [iso(start), iso(start + DAY)]);
  });
  // Nothing more is due until the next interval ends.
  assert.deepEqual(await scheduler.runDue(), []);
  await clock.set(Date.UTC(2024, 1, 2));
  const next = await drive(clock, scheduler.runDue(), 500);
  assert.deepEqual(next.map((r) => r.runId), [
    "scheduled__2024-02-01T00:00:00.000Z",
  ]);
});

Deno.test("Scheduler.runDue() without catchup creates only the latest interval", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 1, 1, 12) });
  const dag = new DAG("latest_only", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
  });
  dag.task("t", () => 1);
  const scheduler = new Scheduler({ dags: [dag], clock });
  const runs = await scheduler.runDue();
  assert.deepEqual(runs.map((r) => r.runId), [
    "scheduled__2024-01-31T00:00:00.000Z",
  ]);
  const dagEnd = new DAG("ended", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
    endDate: Date.UTC(2024, 0, 3),
    catchup: true,
  });
  dagEnd.task("t", () => 1);
  const s2 = new Scheduler({ dags: [dagEnd], clock });
  assert.equal((await s2.runDue()).length, 3, "endDate bounds catchup");
});

Deno.test("Scheduler.start() creates each run when its interval ends", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 1) });
  const dag = new DAG("live", {
    schedule: "0 */6 * * *",
    startDate: Date.UTC(2024, 0, 1),
    catchup: true,
  });
  dag.task("t", (ctx) => ctx.clock.now());
  const finished: DagRunRecord[] = [];
  const scheduler = new Scheduler({
    dags: [dag],
    clock,
    onRunFinished: (r) => finished.push(r),
  });
  scheduler.start();
  for (let h = 0; h < 48; h++) await clock.advance(3_600_000);
  await scheduler.stop();
  assert.equal(finished.length, 8);
  for (const run of finished) {
    assert.equal(
      run.tasks.t!.xcom,
      run.dataInterval.end,
      "ran right when the interval ended",
    );
    assert.equal(run.dataInterval.end - run.dataInterval.start, 6 * 3_600_000);
  }
});

Deno.test("Scheduler.backfill() runs a date range once and reuses finished runs", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 5, 1) });
  const seen: string[] = [];
  const dag = new DAG("bf", {
    schedule: "0 6 * * *",
    startDate: Date.UTC(2024, 0, 1),
    maxActiveRuns: 2,
  });
  dag.task("t", (ctx) => void seen.push(iso(ctx.logicalDate.getTime())));
  const scheduler = new Scheduler({ dags: [dag], clock });
  const runs = await scheduler.backfill(
    "bf",
    Date.UTC(2024, 2, 1),
    Date.UTC(2024, 2, 4, 12),
  );
  assert.deepEqual(runs.map((r) => r.runId), [
    "backfill__2024-03-01T06:00:00.000Z",
    "backfill__2024-03-02T06:00:00.000Z",
    "backfill__2024-03-03T06:00:00.000Z",
    "backfill__2024-03-04T06:00:00.000Z",
  ]);
  assert.ok(
    runs.every((r) => r.runType === "backfill" && r.state === "success"),
  );
  const again = await scheduler.backfill(
    "bf",
    Date.UTC(2024, 2, 1),
    Date.UTC(2024, 2, 4, 6),
  );
  assert.equal(again.length, 4);
  assert.equal(seen.length, 4, "finished runs are not run again");
  await assert.rejects(
    scheduler.backfill("bf", 10, 5),
    /Backfill needs start <= end/,
  );
  await assert.rejects(
    scheduler.backfill("nope", 1, 5),
    /Unknown DAG id: nope/,
  );
});

Deno.test("Scheduler shares maxActiveTasks and pools across runs", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 10) });
  const dag = new DAG("limits", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
    catchup: true,
    maxActiveTasks: 3,
  });
  let active = 0;
  let peak = 0;
  let inPool = 0;
  let poolPeak = 0;
  for (let i = 0; i < 3; i++) {
    dag.task(`t${i}`, async (ctx) => {
      peak = Math.max(peak, ++active);
      await ctx.clock.sleep(100);
      active--;
    });
  }
  dag.task("db", async (ctx) => {
    poolPeak = Math.max(poolPeak, ++inPool);
    await ctx.clock.sleep(100);
    inPool--;
  }, { pool: "db" });
  const scheduler = new Scheduler({
    dags: [dag],
    clock,
    executor: new LocalExecutor({ parallelism: 50 }),
    pools: { db: 1 },
  });
  const runs = await drive(clock, scheduler.runDue(), 50);
  assert.equal(runs.length, 9);
  assert.equal(peak, 3);
  assert.equal(poolPeak, 1);
});

Deno.test("Scheduler resumes runs a previous process left running, and triggers manual runs", async () => {
  const store = new MemoryStateStore();
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 1, 12) });
  const dag = new DAG("resume", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
  });
  const ran: string[] = [];
  dag.task("a", () => void ran.push("a")).then(
    dag.task("b", () => void ran.push("b")),
  );
  await store.save({
    dagId: "resume",
    runId: "scheduled__2023-12-31T00:00:00.000Z",
    runType: "scheduled",
    state: "running",
    logicalDate: Date.UTC(2023, 11, 31),
    dataInterval: { start: Date.UTC(2023, 11, 31), end: Date.UTC(2024, 0, 1) },
    params: {},
    tasks: {
      a: { state: "success", tryNumber: 1 },
      b: { state: "running", tryNumber: 1 },
    },
  });
  const scheduler = new Scheduler({ dags: [dag], clock, store });
  const runs = await scheduler.runDue();
  assert.deepEqual(runs.map((r) => [r.runId, r.state, r.tasks.b!.tryNumber]), [
    ["scheduled__2023-12-31T00:00:00.000Z", "success", 2],
  ]);
  assert.deepEqual(ran, ["b"]);
  const manual = await scheduler.trigger("resume", { params: { x: 1 } });
  assert.equal(manual.runId, "manual__2024-01-01T12:00:00.000Z");
  assert.deepEqual(manual.params, { x: 1 });
  await assert.rejects(
    scheduler.trigger("resume"),
    /Run already exists: resume\/manual__2024-01-01T12:00:00.000Z/,
  );
  assert.throws(
    () => new Scheduler({ dags: [dag, dag] }),
    /Duplicate DAG id in scheduler: resume/,
  );
});

Deno.test("Scheduler.stop() rethrows a corrupt state file met by the loop and keeps the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/daily@broken.json`, "{not json");
    const dag = new DAG("daily", {
      schedule: "@daily",
      startDate: Date.UTC(2024, 0, 1),
    });
    dag.task("t", () => 1);
    const scheduler = new Scheduler({
      dags: [dag],
      stateDir: dir,
      clock: new ManualClock({ start: Date.UTC(2024, 0, 5) }),
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(
      scheduler.stop(),
      /State file is corrupt and was left in place: .*daily@broken\.json/,
    );
    assert.equal(
      await Deno.readTextFile(`${dir}/daily@broken.json`),
      "{not json",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Scheduler.dueIntervals() without catchup jumps to the latest interval of a fine schedule", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 5, 1, 12, 34, 56) });
  const dag = new DAG("minutely", {
    schedule: "* * * * *",
    startDate: Date.UTC(2015, 0, 1),
  });
  dag.task("t", () => 1);
  const scheduler = new Scheduler({ dags: [dag], clock });
  const t0 = performance.now();
  const due = await scheduler.dueIntervals("minutely");
  assert.deepEqual(due, [{
    start: Date.UTC(2024, 5, 1, 12, 33),
    end: Date.UTC(2024, 5, 1, 12, 34),
  }]);
  assert.ok(
    performance.now() - t0 < 1_000,
    "no walk over nine years of minutes",
  );
  await scheduler.runDue();
  assert.deepEqual(await scheduler.dueIntervals("minutely"), []);
  await clock.advance(60_000);
  assert.deepEqual(await scheduler.dueIntervals("minutely"), [
    { start: Date.UTC(2024, 5, 1, 12, 34), end: Date.UTC(2024, 5, 1, 12, 35) },
  ]);
  const future = new DAG("future", {
    schedule: "@daily",
    startDate: Date.UTC(2030, 0, 1),
  });
  future.task("t", () => 1);
  assert.deepEqual(
    await new Scheduler({ dags: [future], clock }).dueIntervals("future"),
    [],
  );
});

Deno.test("Scheduler.runDue() called twice at once creates each run once", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 6) });
  const dag = new DAG("twice", {
    schedule: "@daily",
    startDate: Date.UTC(2024, 0, 1),
    catchup: true,
  });
  let runs = 0;
  dag.task("t", () => void runs++);
  const scheduler = new Scheduler({ dags: [dag], clock });
  const [a, b] = await Promise.all([scheduler.runDue(), scheduler.runDue()]);
  assert.equal(a.length + b.length, 5);
  assert.equal(runs, 5);
  assert.equal((await scheduler.store.list("twice")).length, 5);
});
