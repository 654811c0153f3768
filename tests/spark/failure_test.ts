import assert from "node:assert/strict";
import { SparkContext, SparkError } from "../../spark/mod.ts";

Deno.test("SparkContext replaces a crashed worker and retries its task", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    // The first attempt of partition 1 kills its worker with an uncaught
    // error; the retry (in a fresh worker) finds the marker and succeeds.
    const out = await sc.range(8, undefined, 1, 2).mapPartitionsWithIndex(
      (i, rows, env) => {
        const marker = `${env.dir}/crashed-${i}`;
        if (i === 1) {
          try {
            Deno.statSync(marker);
          } catch {
            Deno.writeTextFileSync(marker, "");
            return new Promise<number[]>(() => {
              setTimeout(() => {
                throw new Error("worker dies");
              }, 0);
            });
          }
        }
        return [...rows].map((x) => x * 10);
      },
      { dir },
    ).collect();
    assert.deepEqual(out, [0, 10, 20, 30, 40, 50, 60, 70]);
    // The pool still has two working workers.
    assert.equal(await sc.range(100, undefined, 1, 4).count(), 100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext fails the job after maxTaskFailures worker crashes", async () => {
  await using sc = new SparkContext({ parallelism: 2, maxTaskFailures: 3 });
  try {
    await sc.range(4, undefined, 1, 2).mapPartitionsWithIndex((i, rows) => {
      if (i === 0) {
        return new Promise<number[]>(() => {
          setTimeout(() => {
            throw new Error("always dies");
          }, 0);
        });
      }
      return rows;
    }).collect();
    assert.fail("expected failure");
  } catch (e) {
    assert.ok(e instanceof SparkError);
    assert.match(e.message, /partition 0 in stage \d+ failed 3 time\(s\)/);
    assert.match(e.message, /Worker crashed/);
    assert.match(e.message, /always dies/);
  }
  assert.equal(await sc.range(10).count(), 10, "the context still works");
});

Deno.test("RDD.collect() fails with the partition, stage and original stack of a task error", async () => {
  await using sc = new SparkContext({ parallelism: 2, maxTaskFailures: 2 });
  try {
    await sc.range(10, undefined, 1, 2).map((x) => {
      if (x === 7) throw new RangeError(`bad record ${x}`);
      return x;
    }).collect();
    assert.fail("expected failure");
  } catch (e) {
    assert.ok(e instanceof SparkError);
    assert.match(
      e.message,
      /partition 1 in stage \d+ failed 2 time\(s\), last error: bad record 7/,
    );
    const cause = e.cause as Error;
    assert.equal(cause.name, "RangeError");
    assert.match(cause.stack ?? "", /bad record 7/);
    assert.match(cause.stack ?? "", /at /);
  }
});

Deno.test("RDD.collect() guards the driver with maxResultBytes", async () => {
  await using sc = new SparkContext({
    parallelism: 2,
    maxResultBytes: 200_000,
  });
  const big = sc.range(40_000, undefined, 1, 8).map((x) => `row-${x}`);
  await assert.rejects(
    () => big.collect(),
    (e) =>
      e instanceof SparkError &&
      /more than maxResultBytes \(200000\)/.test(e.message),
  );
  // One partition at a time fits.
  let n = 0;
  for await (const _ of big.toLocalIterator()) n++;
  assert.equal(n, 40_000);
  assert.equal(await big.count(), 40_000);
  // A single partition bigger than the limit fails inside the worker.
  await assert.rejects(
    () => sc.range(80_000, undefined, 1, 1).map((x) => `row-${x}`).collect(),
    /Result of partition 0 is about \d+ bytes/,
  );
});

Deno.test("SparkContext rejects bad arguments before any work starts", async () => {
  assert.throws(
    () => new SparkContext({ parallelism: 0 }),
    /parallelism must be an integer >= 1: 0/,
  );
  assert.throws(
    () => new SparkContext({ parallelism: 1, maxTaskFailures: 1.5 }),
    /maxTaskFailures/,
  );
  await using sc = new SparkContext({ parallelism: 1 });
  assert.throws(
    () => sc.parallelize([1], 0),
    /numSlices must be an integer >= 1: 0/,
  );
  assert.throws(
    () => sc.parallelize(42 as unknown as number[]),
    /needs an iterable: 42/,
  );
  assert.throws(() => sc.range(0, 10, 0), /step must not be 0/);
  assert.throws(() => sc.range(0, 10, 1, -1), /numSlices/);
  assert.throws(
    () => sc.textFile("/definitely/not/here.txt"),
    /Input path does not exist: "\/definitely\/not\/here.txt"/,
  );
  const dir = await Deno.makeTempDir();
  try {
    // An empty directory is an empty input, as in Hadoop; a CSV header or
    // schema cannot come from it.
    assert.equal(await sc.textFile(dir).count(), 0);
    assert.throws(() => sc.csv(dir), /No input files to read a CSV header/);
    assert.equal(
      await sc.csv(dir, { schema: { a: "string" } }).count(),
      0,
    );
  } finally {
    await Deno.remove(dir);
  }
  const rdd = sc.range(3);
  assert.throws(
    () => rdd.repartition(0),
    /numPartitions must be an integer >= 1: 0/,
  );
  assert.throws(() => rdd.sample(false, 2), /fraction/);
  await assert.rejects(() => rdd.take(-1), /integer >= 0: -1/);
  await assert.rejects(
    () => sc.parallelize([] as number[]).reduce((a, b) => a + b),
    /Cannot reduce an empty RDD/,
  );
  await assert.rejects(() => sc.parallelize([]).first(), /RDD is empty/);
  const other = new SparkContext({ parallelism: 1 });
  try {
    assert.throws(() => rdd.union(other.range(2)), /same SparkContext/);
  } finally {
    other.close();
  }
});

Deno.test("SparkContext.close() ends the pool and later jobs fail", async () => {
  const sc = new SparkContext({ parallelism: 2 });
  const rdd = sc.range(5);
  assert.equal(await rdd.count(), 5);
  sc.close();
  await assert.rejects(() => rdd.count(), /SparkContext is closed/);
  assert.throws(() => sc.range(3), /SparkContext is closed/);
  sc.close();
});

Deno.test("SparkContext onProgress reports every task", async () => {
  const events: string[] = [];
  await using sc = new SparkContext({
    parallelism: 2,
    onProgress: (e) => events.push(`${e.kind}:${e.done}/${e.total}`),
  });
  await sc.parallelize([[1, 1]] as [number, number][], 3).reduceByKey(
    (a, b) => a + b,
    2,
  ).collect();
  assert.equal(events.filter((e) => e.startsWith("ShuffleMapStage")).length, 3);
  assert.ok(events.includes("ShuffleMapStage:3/3"));
  assert.ok(events.includes("ResultStage:2/2"));
});

Deno.test("RDD.map() turns Deno.exit() in a shipped function into a task error", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  await assert.rejects(
    () => sc.range(3).map((x) => x === 1 ? Deno.exit(3) : x).collect(),
    /failed 1 time\(s\), last error: Deno.exit\(\) is not allowed in a shipped function: 3/,
  );
  assert.deepEqual(await sc.range(3).collect(), [0, 1, 2]);
});

Deno.test("RDD.map() rejects an env that cannot be sent to a worker", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  await assert.rejects(
    () =>
      sc.range(3).map((x, env) => x + env.n, { n: 1, f: () => 1 }).collect(),
    (e) =>
      e instanceof SparkError && /not structured-cloneable/.test(e.message),
  );
  assert.throws(
    () => sc.broadcast({ f: () => 1 }),
    /Broadcast value must be structured-cloneable/,
  );
});

Deno.test("RDD.cache() recomputes partitions lost with a crashed worker", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    const cached = sc.range(40, undefined, 1, 4).mapPartitionsWithIndex(
      (i, rows, env) => {
        Deno.writeTextFileSync(`${env.dir}/runs`, `${i}\n`, { append: true });
        return [...rows].map((x) => x * 2);
      },
      { dir },
    ).cache();
    const expected = Array.from({ length: 40 }, (_, i) => i * 2);
    assert.deepEqual(await cached.collect(), expected);
    const runs = () =>
      Deno.readTextFileSync(`${dir}/runs`).trim().split("\n").length;
    assert.equal(runs(), 4);
    // Kill both workers once each (a marker per partition makes the retry
    // succeed); every cached partition is gone with them.
    await sc.range(2, undefined, 1, 2).mapPartitionsWithIndex(
      (i, rows, env) => {
        const marker = `${env.dir}/killed-${i}`;
        try {
          Deno.statSync(marker);
        } catch {
          Deno.writeTextFileSync(marker, "");
          return new Promise<number[]>(() => {
            setTimeout(() => {
              throw new Error("worker dies");
            }, 0);
          });
        }
        return rows;
      },
      { dir },
    ).collect();
    assert.deepEqual(await cached.collect(), expected);
    assert.ok(runs() > 4, "lost partitions were recomputed from lineage");
    assert.equal(await cached.count(), 40);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD.saveAsTextFile() commits one attempt per task: a retried task keeps its own error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2, maxTaskFailures: 3 });
    // Partition 1 fails once after writing half its lines, then succeeds.
    await sc.range(6, undefined, 1, 2).mapPartitionsWithIndex(
      function* (i, rows, env) {
        const marker = `${env.dir}/failed-${i}`;
        let n = 0;
        for (const x of rows) {
          if (i === 1 && n++ === 1) {
            try {
              Deno.statSync(marker);
            } catch {
              Deno.writeTextFileSync(marker, "");
              throw new Error("flaky disk");
            }
          }
          yield String(x);
        }
      },
      { dir },
    ).saveAsTextFile(`${dir}/out`);
    assert.deepEqual(
      [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort(),
      ["_SUCCESS", "part-00000", "part-00001"],
    );
    assert.deepEqual(await sc.textFile(`${dir}/out`).collect(), [
      "0",
      "1",
      "2",
      "3",
      "4",
      "5",
    ]);
    // A task that always fails: the job's error is the task's own.
    await assert.rejects(
      () =>
        sc.range(4, undefined, 1, 2).map((x) => {
          if (x === 3) throw new RangeError("bad record 3");
          return x;
        }).saveAsTextFile(`${dir}/never`),
      (e) =>
        e instanceof SparkError && /bad record 3/.test(e.message) &&
        !/exists/i.test(e.message),
    );
    // A killed job's hidden directory is removed by the next write.
    await Deno.mkdir(`${dir}/.again._temporary-dead0000/_temporary`, {
      recursive: true,
    });
    await sc.parallelize(["x"]).saveAsTextFile(`${dir}/again`);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
        n.startsWith(".")
      ),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
