import assert from "node:assert/strict";
import {
  BaseSensor,
  DAG,
  ExternalTaskSensor,
  FileSensor,
  LocalExecutor,
  ManualClock,
  MemoryStateStore,
  type SensorContext,
  type SensorOptions,
  TimeDeltaSensor,
  TimeSensor,
} from "../../airflow/mod.ts";
import { drive } from "./_helpers.ts";

/** Records each poke's time; true from `readyAt` on. */
class ClockSensor extends BaseSensor {
  pokes: number[] = [];
  constructor(options: SensorOptions, readonly readyAt: number) {
    super(options);
  }
  override poke(ctx: SensorContext): boolean {
    this.pokes.push(ctx.clock.now());
    return ctx.clock.now() >= this.readyAt;
  }
}

Deno.test("BaseSensor in poke mode keeps its slot and pokes every pokeInterval", async () => {
  const clock = new ManualClock({ start: 0 });
  const dag = new DAG("poke");
  const sensor = dag.add(
    new ClockSensor({
      taskId: "wait",
      pokeInterval: 60_000,
      priorityWeight: 10,
    }, 300_000),
  );
  const other = dag.task("other", () => 1);
  const result = await drive(clock, dag.test({ clock }), 10_000);
  assert.deepEqual(sensor.pokes, [
    0,
    60_000,
    120_000,
    180_000,
    240_000,
    300_000,
  ]);
  assert.equal(result.tasks.wait!.state, "success");
  assert.equal(result.tasks.wait!.tryNumber, 1);
  assert.ok(
    result.tasks.other!.startDate! >= 300_000,
    "the one slot was held while poking",
  );
  assert.ok(other);
});

Deno.test("BaseSensor in reschedule mode frees its slot between pokes", async () => {
  const clock = new ManualClock({ start: 0 });
  const dag = new DAG("reschedule");
  const sensor = dag.add(
    new ClockSensor({
      taskId: "wait",
      pokeInterval: 60_000,
      mode: "reschedule",
      priorityWeight: 10,
    }, 180_000),
  );
  dag.task("other", () => 1);
  const states: string[] = [];
  const result = await drive(
    clock,
    dag.test({
      clock,
      onTransition: (id, s) => id === "wait" && states.push(s),
    }),
    10_000,
  );
  assert.deepEqual(sensor.pokes, [0, 60_000, 120_000, 180_000]);
  assert.equal(
    result.tasks.other!.startDate,
    0,
    "other ran while the sensor waited",
  );
  assert.equal(
    result.tasks.wait!.tryNumber,
    1,
    "reschedules are not new tries",
  );
  assert.equal(result.tasks.wait!.startDate, 0);
  assert.equal(result.tasks.wait!.endDate, 180_000);
  assert.equal(states.filter((s) => s === "up_for_reschedule").length, 3);
});

Deno.test("BaseSensor backs off exponentially up to maxWait", async () => {
  const clock = new ManualClock({ start: 0 });
  const dag = new DAG("backoff");
  const sensor = dag.add(
    new ClockSensor({
      taskId: "wait",
      pokeInterval: 1_000,
      exponentialBackoff: true,
      maxWait: 6_000,
    }, 20_000),
  );
  await drive(clock, dag.test({ clock }), 500);
  assert.deepEqual(sensor.pokes, [
    0,
    1_000,
    3_000,
    7_000,
    13_000,
    19_000,
    25_000,
  ]);
});

Deno.test("BaseSensor times out without retries, or is skipped with softFail", async () => {
  for (const mode of ["poke", "reschedule"] as const) {
    const clock = new ManualClock({ start: 0 });
    const dag = new DAG(`timeout_${mode}`);
    dag.add(
      new ClockSensor({
        taskId: "hard",
        pokeInterval: 1_000,
        timeout: 3_500,
        retries: 2,
        mode,
      }, Infinity),
    )
      .then(dag.task("after_hard", () => 1));
    dag.add(
      new ClockSensor({
        taskId: "soft",
        pokeInterval: 1_000,
        timeout: 2_000,
        softFail: true,
        mode,
      }, Infinity),
    )
      .then(dag.task("after_soft", () => 1));
    const result = await drive(
      clock,
      dag.test({ clock, executor: new LocalExecutor() }),
      250,
    );
    assert.equal(result.tasks.hard!.state, "failed", mode);
    assert.equal(result.tasks.hard!.tryNumber, 1, mode);
    assert.equal(
      result.tasks.hard!.error,
      "Sensor timed out after 3500 ms: hard",
    );
    assert.equal(result.tasks.after_hard!.state, "upstream_failed");
    assert.equal(result.tasks.soft!.state, "skipped", mode);
    assert.equal(result.tasks.after_soft!.state, "skipped");
  }
});

Deno.test("TimeDeltaSensor and TimeSensor wait for the clock", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 1, 5, 0) });
  const dag = new DAG("times");
  dag.add(
    new TimeDeltaSensor({
      taskId: "delta",
      delta: 15 * 60_000,
      pokeInterval: 60_000,
    }),
  );
  dag.add(
    new TimeSensor({
      taskId: "six",
      targetTime: "06:30",
      pokeInterval: 60_000,
    }),
  );
  const result = await drive(
    clock,
    dag.test({
      clock,
      logicalDate: clock.now(),
      executor: new LocalExecutor(),
    }),
    30_000,
  );
  assert.equal(result.tasks.delta!.endDate, Date.UTC(2024, 0, 1, 5, 15));
  assert.equal(result.tasks.six!.endDate, Date.UTC(2024, 0, 1, 6, 30));
  assert.throws(() => new TimeSensor({ taskId: "t", targetTime: "25:00" }), {
    name: "AirflowError",
    message: 'TimeSensor targetTime must be "HH:MM" or "HH:MM:SS": "25:00"',
  });
  assert.throws(
    () => new TimeDeltaSensor({ taskId: "t", delta: Number.NaN }),
    /TimeDeltaSensor delta must be a finite number: NaN/,
  );
  assert.throws(
    () =>
      new TimeDeltaSensor({
        taskId: "t",
        delta: 1,
        mode: "sometimes" as "poke",
      }),
    /Sensor mode must be "poke" or "reschedule": "sometimes"/,
  );
  assert.throws(
    () => new TimeDeltaSensor({ taskId: "t", delta: 1, pokeInterval: -1 }),
    /pokeInterval must be a non-negative number: -1/,
  );
});

Deno.test("FileSensor waits for a real file matching a glob", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dag = new DAG("files");
    dag.add(
      new FileSensor({
        taskId: "csv",
        filepath: "landing/**/part-?.csv",
        baseDir: dir,
        pokeInterval: 20,
        timeout: 10_000,
      }),
    )
      .then(dag.task("load", () => "loaded"));
    dag.add(
      new FileSensor({
        taskId: "absent",
        filepath: `${dir}/landing/*.json`,
        pokeInterval: 20,
        timeout: 150,
        softFail: true,
      }),
    );
    await Deno.mkdir(`${dir}/landing/2024/01`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/landing/2024/01/part-10.csv`,
      "no match: two characters",
    );
    const timer = setTimeout(
      () =>
        Deno.writeTextFileSync(`${dir}/landing/2024/01/part-1.csv`, "a,b\n"),
      120,
    );
    const t0 = Date.now();
    const result = await dag.test({ executor: new LocalExecutor() });
    clearTimeout(timer);
    assert.equal(result.tasks.csv!.state, "success");
    assert.ok(result.tasks.csv!.endDate! - t0 >= 100, "it waited for the file");
    assert.ok(
      result.tasks.csv!.tries![0]!.end - result.tasks.csv!.tries![0]!.start >=
        100,
    );
    assert.equal(result.tasks.load!.xcom, "loaded");
    assert.equal(result.tasks.absent!.state, "skipped");
    assert.throws(
      () => new FileSensor({ taskId: "f", filepath: "" }),
      /FileSensor filepath must be a non-empty string: ""/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSensor matches plain paths, character classes and non-empty directories", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/empty`);
    await Deno.mkdir(`${dir}/full/sub`, { recursive: true });
    await Deno.writeTextFile(`${dir}/full/sub/x.txt`, "x");
    await Deno.writeTextFile(`${dir}/data_7.csv`, "x");
    const cases: [string, boolean][] = [
      [`${dir}/data_7.csv`, true],
      [`${dir}/data_[0-9].csv`, true],
      [`${dir}/data_[!0-9].csv`, false],
      [`${dir}/empty`, false],
      [`${dir}/full`, true],
      [`${dir}/f*`, true],
      [`${dir}/e*`, false],
      [`${dir}/**/x.txt`, true],
      [`${dir}/*/x.txt`, false],
    ];
    for (const [filepath, want] of cases) {
      const sensor = new FileSensor({ taskId: "f", filepath });
      const ctx = { render: (t: string) => Promise.resolve(t) };
      assert.equal(
        await sensor.poke(ctx as unknown as SensorContext),
        want,
        filepath,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ExternalTaskSensor waits for another DAG's task and fails on failedStates", async () => {
  const clock = new ManualClock({ start: Date.UTC(2024, 0, 2) });
  const store = new MemoryStateStore();
  const day = Date.UTC(2024, 0, 1);
  const producer = new DAG("producer");
  producer.task("publish", () => 1);
  producer.task("broken", () => {
    throw new Error("bad");
  });
  const consumer = new DAG("consumer");
  consumer.add(
    new ExternalTaskSensor({
      taskId: "wait_publish",
      externalDagId: "producer",
      externalTaskId: "publish",
      pokeInterval: 60_000,
      mode: "reschedule",
    }),
  );
  consumer.add(
    new ExternalTaskSensor({
      taskId: "wait_broken",
      externalDagId: "producer",
      externalTaskId: "broken",
      failedStates: ["failed"],
      pokeInterval: 60_000,
      mode: "reschedule",
    }),
  );
  consumer.add(
    new ExternalTaskSensor({
      taskId: "wait_yesterday",
      externalDagId: "producer",
      executionDelta: 86_400_000,
      pokeInterval: 60_000,
      timeout: 120_000,
      mode: "reschedule",
      softFail: true,
    }),
  );
  const running = consumer.test({ clock, store, logicalDate: day });
  await clock.advance(120_000);
  await producer.test({ clock, store, logicalDate: day });
  const result = await drive(clock, running, 30_000);
  assert.equal(result.tasks.wait_publish!.state, "success");
  assert.equal(
    result.tasks.wait_publish!.endDate,
    Date.UTC(2024, 0, 2) + 180_000,
  );
  assert.equal(result.tasks.wait_broken!.state, "failed");
  assert.equal(
    result.tasks.wait_broken!.error,
    "External task producer.broken is in a failed state: failed",
  );
  assert.equal(result.tasks.wait_yesterday!.state, "skipped");
});
