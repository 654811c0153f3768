// A driver that survives bad tasks: runaway loops (timeouts, cancellation),
// executors that run out of memory, errors that point at the user's code,
// result guards on every action, and failures that are not worth a retry.
import assert from "node:assert/strict";
import { ManualClock } from "../../internal/clock.ts";
import { SparkContext, SparkError } from "../../spark/mod.ts";

/** Resolves once a task is running (its timeout sleep is pending). */
async function taskStarted(clock: ManualClock, n = 1): Promise<void> {
  while (clock.pendingSleeps < n) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

const forever = (x: number): number => {
  for (;;) x++;
};

Deno.test("SparkContext taskTimeoutMs stops a runaway task and replaces its executor", async () => {
  const clock = new ManualClock();
  await using sc = new SparkContext({
    parallelism: 2,
    taskTimeoutMs: 5_000,
    clock,
  });
  const job = assert.rejects(
    sc.range(0, 4, 1, 2).map(forever).collect(),
    (e) =>
      e instanceof SparkError && /timed out after 5000 ms/.test(e.message) &&
      /partition \d in stage \d/.test(e.message),
  );
  await taskStarted(clock, 2);
  await clock.advance(5_000);
  await job;
  // Fresh executors took over: the context is still usable.
  assert.equal(await sc.range(0, 100, 1, 4).map((x) => x * 2).count(), 100);
});

Deno.test("SparkContext.cancelJobGroup(), cancelAllJobs() and an AbortSignal stop running jobs", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  sc.setJobGroup("etl", "nightly");
  const grouped = assert.rejects(
    sc.range(0, 2, 1, 2).map(forever).collect(),
    (e) => e instanceof SparkError && /job group "etl"/.test(e.message),
  );
  sc.setJobGroup("other", "");
  const ungrouped = sc.range(0, 1, 1, 1).map((x) => x + 1).collect();
  while (sc.statusTracker().getActiveStageIds().length < 1) {
    await new Promise((r) => setTimeout(r, 5));
  }
  sc.cancelJobGroup("etl");
  await grouped;
  assert.deepEqual(await ungrouped, [1]);
  const [id] = sc.statusTracker().getJobIdsForGroup("etl");
  assert.equal(sc.statusTracker().getJobInfo(id!)?.status, "FAILED");

  const all = assert.rejects(
    sc.range(0, 1, 1, 1).map(forever).count(),
    /cancelAllJobs/,
  );
  await new Promise((r) => setTimeout(r, 20));
  sc.cancelAllJobs();
  await all;

  const controller = new AbortController();
  const aborted = assert.rejects(
    sc.range(0, 1, 1, 1).map(forever).collect({ signal: controller.signal }),
    /AbortSignal/,
  );
  await new Promise((r) => setTimeout(r, 20));
  controller.abort();
  await aborted;
  await assert.rejects(
    () => sc.range(3).count({ signal: AbortSignal.abort() }),
    SparkError,
  );
  assert.equal(await sc.range(0, 10, 1, 4).count(), 10);
});

Deno.test('SparkContext executor "process": a task that exhausts its heap fails the job, not the driver', async () => {
  await using sc = new SparkContext({
    parallelism: 2,
    executor: "process",
    executorMemoryMb: 48,
    maxTaskFailures: 2,
  });
  // Ordinary work runs in the executor processes.
  const counts = await sc.parallelize(["a b", "b"], 2)
    .flatMap((l) => l.split(" "))
    .map((w) => [w, 1] as [string, number])
    .reduceByKey((a, b) => a + b)
    .collectAsMap();
  assert.deepEqual([...counts].sort(), [["a", 1], ["b", 2]]);
  assert.deepEqual(
    await sc.range(0, 3).map((x, env) => x * env.k, { k: 2 }).collect(),
    [0, 2, 4],
  );
  await assert.rejects(
    () =>
      sc.range(0, 1, 1, 1).map(() => {
        const hog: number[][] = [];
        for (;;) hog.push(new Array(1_000_000).fill(1.5));
      }).collect(),
    (e) =>
      e instanceof SparkError && /failed 2 time\(s\)/.test(e.message) &&
      /out of memory/.test(e.message),
  );
  // The driver lives on, and so does the context.
  assert.equal(await sc.range(0, 50, 1, 4).count(), 50);
});

Deno.test("RDD.reduce() and aggregate() ship their driver-side merge like tasks", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const offset = 1;
  for (
    const run of [
      () => sc.range(0, 4).reduce((a, b) => a + b + offset),
      () => sc.range(0, 4).fold(0, (a, b) => a + b + offset),
      () =>
        sc.range(0, 4).aggregate(0, (a, x) => a + x, (a, b) => a + b + offset),
    ]
  ) {
    await assert.rejects(
      run,
      (e) => e instanceof SparkError && /"offset"/.test(e.message),
    );
  }
  // Through env the same merge works on both sides.
  assert.equal(
    await sc.range(0, 4, 1, 2).aggregate(
      0,
      (a, x) => a + x,
      (a, b, env) => a + b + env.offset,
      { offset },
    ),
    6 + 2 * offset, // combOp merges the two partitions into zero
  );
});

Deno.test("RDD actions fail with the task's own error class, message and the user's line", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  const err = await sc.range(0, 3).map((x) => {
    if (x === 2) throw new RangeError(`bad value ${x}`);
    return x;
  }).collect().catch((e) => e);
  assert.ok(err instanceof SparkError);
  assert.match(err.message, /bad value 2/);
  const cause = err.cause as Error;
  assert.ok(cause instanceof RangeError, String(cause));
  assert.equal(cause.message, "bad value 2");
  assert.match(cause.stack!, /robustness_test\.ts:\d+:\d+/);
  assert.doesNotMatch(cause.stack!, /compileShipped|spark-fn:/);
});

/** The 1-based line of this file that holds `marker`. */
function lineOf(marker: string): number {
  const lines = Deno.readTextFileSync(new URL(import.meta.url)).split("\n");
  return lines.findIndex((l) => l.includes(marker) && !l.includes("lineOf(")) +
    1;
}

const rejectsLarge = (x: number): number => {
  if (x > 1) {
    throw new RangeError(`too large: ${x}`); // throws here (named)
  }
  return x;
};

function rejectsOdd(x: number): number {
  if (x % 2 === 1) throw new TypeError(`odd: ${x}`); // throws here (declared)
  return x;
}

Deno.test("a task error's frame is the line that threw, for inline, named and declared functions", async () => {
  await using sc = new SparkContext({ parallelism: 1, maxTaskFailures: 1 });
  const file = new URL(import.meta.url).href;
  const frameOf = async (job: Promise<unknown>) => {
    const err = await job.catch((e) => e);
    assert.ok(err instanceof SparkError, String(err));
    return /\((file:[^)]+):(\d+):\d+\)/.exec((err.cause as Error).stack!);
  };
  const inline = await frameOf(
    sc.range(0, 3).map((x) => {
      const y = x * 10;
      if (y > 10) throw new RangeError(`y is ${y}`); // throws here (inline)
      return y;
    }).collect(),
  );
  assert.deepEqual(
    [inline?.[1], Number(inline?.[2])],
    [file, lineOf("// throws here (inline)")],
  );
  for (
    const [fn, marker] of [
      [rejectsLarge, "// throws here (named)"],
      [rejectsOdd, "// throws here (declared)"],
    ] as const
  ) {
    const frame = await frameOf(sc.range(0, 3).map(fn).collect());
    assert.deepEqual([frame?.[1], Number(frame?.[2])], [file, lineOf(marker)]);
  }
});

Deno.test("Every action that returns data is guarded by maxResultBytes", async () => {
  await using sc = new SparkContext({ parallelism: 2, maxResultBytes: 2_000 });
  const big = sc.range(0, 2_000, 1, 2);
  const pairs = big.map((x) => [x, "v".repeat(10)] as [number, string]);
  for (
    const [name, run] of [
      ["countByValue", () => big.countByValue()],
      ["countByKey", () => pairs.countByKey()],
      ["collectAsMap", () => pairs.collectAsMap()],
      ["reduce", () => big.map((x) => [x]).reduce((a, b) => a.concat(b))],
      ["fold", () => big.map((x) => [x]).fold([], (a, b) => a.concat(b))],
      [
        "aggregate",
        () =>
          big.aggregate(
            [] as number[],
            (a, x) => [...a, x],
            (a, b) => [...a, ...b],
          ),
      ],
    ] as [string, () => Promise<unknown>][]
  ) {
    await assert.rejects(
      run,
      (e) => e instanceof SparkError && /maxResultBytes/.test(e.message),
      name,
    );
  }
  assert.equal(await big.count(), 2_000);
});

Deno.test("SparkContext does not retry errors that cannot succeed on retry", async () => {
  await using sc = new SparkContext({ parallelism: 1, maxTaskFailures: 4 });
  const hidden = 3;
  await assert.rejects(
    () => sc.range(0, 2).map((x) => x + hidden).collect(),
    (e) =>
      e instanceof SparkError && /failed 1 time\(s\)/.test(e.message) &&
      /"hidden"/.test(e.message),
  );
  await assert.rejects(
    () => sc.range(0, 2).map(() => () => 1).collect(),
    (e) =>
      e instanceof SparkError && /failed 1 time\(s\)/.test(e.message) &&
      /cannot be sent to the driver/.test(e.message),
  );
});

Deno.test("RDD.sumApprox() estimates from the partitions done when time is up", async () => {
  const clock = new ManualClock();
  await using sc = new SparkContext({ parallelism: 2, clock });
  // Partition 3 never finishes; the other three do.
  const rdd = sc.range(0, 400, 1, 4).mapPartitionsWithIndex((i, rows) => {
    if (i === 3) { for (;;); }
    return rows;
  });
  const approx = rdd.sumApprox(1_000, 0.95);
  while (
    sc.statusTracker().getJobIdsForGroup().filter((id) =>
      sc.statusTracker().getJobInfo(id)?.status === "SUCCEEDED"
    ).length < 3
  ) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await clock.advance(1_000);
  const r = await approx;
  // Done: 0..299, sum 44,850; scaled to four partitions: 59,800.
  assert.equal(r.mean, 44_850 * 4 / 3);
  assert.ok(r.low < r.mean && r.mean < r.high);
  assert.equal(r.confidence, 0.95);
  // The stuck partition was stopped: the context is free again.
  assert.equal(await sc.range(0, 10, 1, 2).count(), 10);
});
