import assert from "node:assert/strict";
import { SparkContext, SparkError } from "../../spark/mod.ts";

Deno.test("RDD.map() fails a job that captures a local variable, naming it", async () => {
  await using sc = new SparkContext({ parallelism: 1, maxTaskFailures: 4 });
  const threshold = 3;
  const err = await assert.rejects(
    () => sc.range(10).filter((x) => x > threshold).collect(),
    SparkError,
  ) as unknown;
  void err;
  try {
    await sc.range(10).filter((x) => x > threshold).collect();
    assert.fail("expected a failure");
  } catch (e) {
    assert.ok(e instanceof SparkError);
    assert.match(e.message, /free identifier: "threshold"/);
    assert.match(e.message, /env/);
    assert.match(e.message, /addModule/);
    assert.match(e.message, /failed 1 time/, "capture errors are not retried");
  }
});

Deno.test("RDD.map() passes env and broadcasts to shipped functions", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const table = sc.broadcast(new Map([[1, "one"], [2, "two"]]));
  const out = await sc.parallelize([1, 2, 3], 3)
    .map((x, env) => `${env.prefix}${env.table.value.get(x) ?? "?"}`, {
      prefix: "#",
      table,
    })
    .collect();
  assert.deepEqual(out, ["#one", "#two", "#?"]);
  assert.deepEqual(
    await sc.parallelize([[1, 2]] as [number, number][]).reduceByKey(
      (a, b, env) => a + b + env.k,
      1,
      null,
      { k: 1 },
    )
      .collect(),
    [[1, 2]],
  );
  // Standard globals pass through.
  assert.deepEqual(
    await sc.parallelize(['{"a":1}']).map((s) => Math.max(JSON.parse(s).a, 0.5))
      .collect(),
    [1],
  );
});

Deno.test("SparkContext.addModule() exposes a module namespace to shipped functions", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/dq.ts`;
  await Deno.writeTextFile(
    file,
    `export function evaluatePartition(rows: Iterable<{ v: number | null }>, suite: { col: string }) {
  let n = 0, nulls = 0;
  for (const r of rows) { n++; if (r.v === null) nulls++; }
  return { col: suite.col, n, nulls };
}
export const version = 3;`,
  );
  try {
    await using sc = new SparkContext({
      parallelism: 2,
      modules: { fromCtor: new URL(`file://${file}`).href },
    });
    const rows = [{ v: 1 }, { v: null }, { v: 3 }, { v: null }, { v: 5 }];
    const rdd = sc.parallelize(rows, 2);
    rdd.context.addModule("__dq", new URL(`file://${file}`));
    const suite = { col: "v" };
    const parts = await rdd.mapPartitions(
      // @ts-ignore: __dq is the registered module
      (rows, env) => [__dq.evaluatePartition(rows, env.suite)],
      { suite },
    ).collect();
    assert.deepEqual(parts, [{ col: "v", n: 2, nulls: 1 }, {
      col: "v",
      n: 3,
      nulls: 1,
    }]);
    // @ts-ignore: fromCtor is the registered module
    assert.deepEqual(await sc.range(1).map(() => fromCtor.version).collect(), [
      3,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD.mapPartitions() accepts promises, async iterables and generators", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const rdd = sc.range(6, undefined, 1, 2);
  assert.deepEqual(
    await rdd.mapPartitions(async (rows) => {
      await new Promise((r) => setTimeout(r, 1));
      return [...rows].map((x) => x * 2);
    }).collect(),
    [0, 2, 4, 6, 8, 10],
  );
  assert.deepEqual(
    await rdd.mapPartitions(async function* (rows) {
      for (const x of rows) yield x + 1;
    }).map((x) => -x).collect(),
    [-1, -2, -3, -4, -5, -6],
  );
  // An async stage followed by another mapPartitions sees all rows.
  assert.deepEqual(
    await rdd.mapPartitions(async function* (rows) {
      yield* rows;
    }).mapPartitions((rows) => [[...rows].length]).collect(),
    [3, 3],
  );
  const bad = rdd.mapPartitions(() => 42 as unknown as number[]);
  await assert.rejects(() => bad.collect(), /must return an iterable/);
});

Deno.test("RDD.map() refuses native, bound and non-function arguments up front", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  const rdd = sc.range(3);
  assert.throws(
    () => rdd.map(Math.sqrt),
    (e) => e instanceof SparkError && /native or bound/.test(e.message),
  );
  const bound = ((x: number) => x).bind(null);
  assert.throws(
    () => rdd.map(bound),
    /native or bound function to a worker: bound/,
  );
  assert.throws(
    () => rdd.map(5 as unknown as (x: number) => number),
    /map expects a function: got number 5/,
  );
  assert.throws(
    () => rdd.filter(null as unknown as (x: number) => boolean),
    /got null/,
  );
  assert.throws(
    () => rdd.map(class Foo {} as unknown as (x: number) => number),
    /not a class/,
  );
  await assert.rejects(
    () => rdd.reduce("x" as unknown as (a: number, b: number) => number),
    SparkError,
  );
  // Method shorthand and named function expressions ship fine.
  const obj = {
    double(x: number) {
      return x * 2;
    },
  };
  assert.deepEqual(await rdd.map(obj.double).collect(), [0, 2, 4]);
  assert.deepEqual(
    await rdd.map(function inc(x) {
      return x + 1;
    }).collect(),
    [1, 2, 3],
  );
});

Deno.test("SparkContext.addModule() rejects bad names and specifiers", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  assert.throws(
    () => sc.addModule("not-an-ident", "./x.ts"),
    /JavaScript identifier: "not-an-ident"/,
  );
  assert.throws(
    () => sc.addModule("ok", 5 as unknown as string),
    /string or URL/,
  );
  assert.throws(
    () => new SparkContext({ parallelism: 1, modules: { "1x": "./a.ts" } }),
    SparkError,
  );
});

Deno.test("Broadcast.destroy() makes later use a clear error", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const b = sc.broadcast([1, 2, 3]);
  assert.deepEqual(
    await sc.range(2).map((x, env) => env.b.value[x], { b }).collect(),
    [1, 2],
  );
  b.destroy();
  assert.equal(b.destroyed, true);
  assert.throws(() => b.value, /Broadcast was destroyed: \d+/);
  assert.throws(
    () => sc.range(2).map((x, env) => env.b.value[x], { b }),
    /Broadcast was destroyed/,
  );
  // A new broadcast still reaches workers that had the old one.
  const c = sc.broadcast({ k: 5 });
  assert.deepEqual(
    await sc.range(2).map((x, env) => x + env.c.value.k, { c }).collect(),
    [5, 6],
  );
});

Deno.test("SparkContext.addModule() reports a module that cannot be imported", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  sc.addModule("missing", "./definitely_missing_module.ts");
  await assert.rejects(
    // @ts-ignore: `missing` is the registered module
    () => sc.range(2).map((x) => missing.f(x)).collect(),
    /failed 1 time\(s\), last error: Module "missing" cannot be imported in a worker: file:\/\/.*definitely_missing_module.ts/,
  );
  // Functions that do not mention it are unaffected.
  assert.deepEqual(await sc.range(2).collect(), [0, 1]);
});
