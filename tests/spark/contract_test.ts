// Conformance with the public API of spark (the names and shapes the README and
// spark/mod.ts document), used as an outside user would.
import assert from "node:assert/strict";
import { Broadcast, RDD, SparkContext, SparkError } from "../../spark/mod.ts";
import { Kafka } from "../../kafka/mod.ts";
import { spark } from "../../mod.ts";

// Inside shipped functions, `geo` is the namespace of the module registered
// under that name; declared here for the type checker only.
declare const geo: { region(place: string): string };

const byKey = <T>(xs: T[]): T[] =>
  [...xs].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

Deno.test("SparkContext is reachable from the root spark namespace", async () => {
  assert.equal(spark.SparkContext, SparkContext);
  assert.equal(spark.RDD, RDD);
  assert.equal(spark.SparkError, SparkError);
  await using sc = new spark.SparkContext({
    parallelism: 2,
    defaultPartitions: 3,
  });
  const rdd = sc.parallelize([1, 2, 3, 4, 5, 6]);
  assert.equal(rdd.numPartitions, 3);
  assert.equal(await rdd.count(), 6);
});

Deno.test("SparkContext sources: parallelize, range, textFile, csv, broadcast", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    const p = sc.parallelize(["a", "b", "c", "d"], 2);
    assert.ok(p instanceof RDD);
    assert.equal(p.numPartitions, 2);
    assert.deepEqual(await p.collect(), ["a", "b", "c", "d"]);
    assert.deepEqual(await sc.range(5).collect(), [0, 1, 2, 3, 4]);
    assert.deepEqual(await sc.range(2, 8, 2).collect(), [2, 4, 6]);

    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    await Deno.writeTextFile(`${dir}/t.txt`, lines.join("\n") + "\n");
    const text = sc.textFile(`${dir}/t.txt`, 3);
    assert.ok(text.numPartitions >= 3);
    assert.deepEqual(await text.collect(), lines);

    await Deno.writeTextFile(
      `${dir}/q.csv`,
      "place,mag\nTaiwan,4.5\nChile,5.1\nTaiwan,3.0\n",
    );
    const rows = await sc.csv(`${dir}/q.csv`, {
      header: true,
      inferSchema: true,
    }).collect();
    assert.deepEqual(rows, [
      { place: "Taiwan", mag: 4.5 },
      { place: "Chile", mag: 5.1 },
      { place: "Taiwan", mag: 3.0 },
    ]);

    const b = sc.broadcast({ min: 4 });
    assert.ok(b instanceof Broadcast);
    assert.deepEqual(b.value, { min: 4 });
    const big = await sc.parallelize([1, 5, 9, 3]).filter(
      (x, env) => x > env.b.value.min,
      { b },
    ).collect();
    assert.deepEqual(big, [5, 9]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD transformations of the public API work", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const nums = sc.parallelize([1, 2, 3, 4, 5, 6], 3);
  assert.deepEqual(await nums.map((x) => x * 2).collect(), [
    2,
    4,
    6,
    8,
    10,
    12,
  ]);
  assert.deepEqual(await nums.filter((x) => x % 2 === 0).collect(), [2, 4, 6]);
  assert.deepEqual(
    await sc.parallelize(["a b", "c"]).flatMap((s) => s.split(" ")).collect(),
    ["a", "b", "c"],
  );
  assert.deepEqual(
    await nums.mapPartitions((it) => {
      let s = 0;
      for (const x of it) s += x;
      return [s];
    }).collect(),
    [3, 7, 11],
  );
  assert.deepEqual(
    await nums.mapPartitionsWithIndex((i, it) => [...it].map((x) => [i, x]))
      .collect(),
    [[0, 1], [0, 2], [1, 3], [1, 4], [2, 5], [2, 6]],
  );
  assert.deepEqual(
    await sc.parallelize(["ab", "c"]).keyBy((s) => s.length).collect(),
    [[2, "ab"], [1, "c"]],
  );
  assert.deepEqual(
    (await sc.parallelize([3, 1, 3, 2, 1]).distinct().collect()).sort(),
    [1, 2, 3],
  );
  const u = nums.union(sc.parallelize([7, 8], 1));
  assert.equal(u.numPartitions, 4);
  assert.deepEqual(await u.collect(), [1, 2, 3, 4, 5, 6, 7, 8]);
  const s = await sc.range(1000).sample(false, 0.1, 42).collect();
  assert.ok(s.length > 40 && s.length < 200, `sample size ${s.length}`);
  assert.deepEqual(await sc.range(1000).sample(false, 0.1, 42).collect(), s);
  const r = nums.repartition(5);
  assert.equal(r.numPartitions, 5);
  assert.deepEqual((await r.collect()).sort(), [1, 2, 3, 4, 5, 6]);
  const c = nums.coalesce(1);
  assert.equal(c.numPartitions, 1);
  assert.deepEqual(await c.glom().collect(), [[1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(
    await sc.parallelize([5, 1, 4, 2], 2).sortBy((x) => x).collect(),
    [1, 2, 4, 5],
  );
  assert.deepEqual(
    await sc.parallelize([5, 1, 4, 2], 2).sortBy((x) => x, false).collect(),
    [5, 4, 2, 1],
  );
  const cached = nums.map((x) => x + 1).cache();
  assert.ok(cached instanceof RDD);
  assert.equal(await cached.count(), 6);
  assert.deepEqual(await cached.collect(), [2, 3, 4, 5, 6, 7]);
  assert.deepEqual(await nums.glom().collect(), [[1, 2], [3, 4], [5, 6]]);
});

Deno.test("RDD pair transformations of the public API work", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const pairs = sc.parallelize<[string, number]>(
    [["a", 1], ["b", 2], ["a", 3], ["c", 4], ["b", 5]],
    2,
  );
  assert.deepEqual(
    await pairs.mapValues((v) => v * 10).collect(),
    [["a", 10], ["b", 20], ["a", 30], ["c", 40], ["b", 50]],
  );
  assert.deepEqual(
    byKey(await pairs.reduceByKey((a, b) => a + b).collect()),
    [["a", 4], ["b", 7], ["c", 4]],
  );
  assert.deepEqual(
    byKey(await pairs.foldByKey(0, (a, b) => a + b).collect()),
    [["a", 4], ["b", 7], ["c", 4]],
  );
  assert.deepEqual(
    byKey(
      await pairs.aggregateByKey(
        [0, 0] as [number, number],
        (acc, v) => [acc[0] + v, acc[1] + 1] as [number, number],
        (x, y) => [x[0] + y[0], x[1] + y[1]] as [number, number],
      ).collect(),
    ),
    [["a", [4, 2]], ["b", [7, 2]], ["c", [4, 1]]],
  );
  assert.deepEqual(
    byKey(
      await pairs.combineByKey(
        (v) => [v],
        (c, v) => [...c, v],
        (x, y) => [...x, ...y],
      ).mapValues((vs) => vs.sort((p, q) => p - q)).collect(),
    ),
    [["a", [1, 3]], ["b", [2, 5]], ["c", [4]]],
  );
  assert.deepEqual(
    byKey(
      await pairs.groupByKey().mapValues((vs) => vs.sort((p, q) => p - q))
        .collect(),
    ),
    [["a", [1, 3]], ["b", [2, 5]], ["c", [4]]],
  );
  assert.deepEqual(
    await sc.parallelize<[number, string]>([[3, "c"], [1, "a"], [2, "b"]], 2)
      .sortByKey().collect(),
    [[1, "a"], [2, "b"], [3, "c"]],
  );
  assert.deepEqual(
    await sc.parallelize<[number, string]>([[3, "c"], [1, "a"], [2, "b"]], 2)
      .sortByKey(false).collect(),
    [[3, "c"], [2, "b"], [1, "a"]],
  );
  const left = sc.parallelize<[string, number]>([["a", 1], ["b", 2]]);
  const right = sc.parallelize<[string, string]>([["a", "x"], ["c", "z"]]);
  assert.deepEqual(await left.join(right).collect(), [["a", [1, "x"]]]);
  assert.deepEqual(
    byKey(await left.leftOuterJoin(right).collect()),
    [["a", [1, "x"]], ["b", [2, null]]],
  );
  assert.deepEqual(
    byKey(await left.rightOuterJoin(right).collect()),
    [["a", [1, "x"]], ["c", [null, "z"]]],
  );
  assert.deepEqual(
    byKey(await left.fullOuterJoin(right).collect()),
    [["a", [1, "x"]], ["b", [2, null]], ["c", [null, "z"]]],
  );
  assert.deepEqual(
    byKey(await left.cogroup(right).collect()),
    [["a", [[1], ["x"]]], ["b", [[2], []]], ["c", [[], ["z"]]]],
  );
  assert.deepEqual(await left.keys().collect(), ["a", "b"]);
  assert.deepEqual(await left.values().collect(), [1, 2]);
  const parted = pairs.partitionBy(3);
  assert.equal(parted.numPartitions, 3);
  const glommed = await parted.glom().collect();
  assert.equal(glommed.length, 3);
  // Every key lives in exactly one partition.
  for (const k of ["a", "b", "c"]) {
    assert.equal(glommed.filter((p) => p.some(([x]) => x === k)).length, 1);
  }
});

Deno.test("RDD actions of the public API work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    const nums = sc.parallelize([5, 1, 9, 3, 7], 2);
    assert.deepEqual(await nums.collect(), [5, 1, 9, 3, 7]);
    assert.equal(await nums.count(), 5);
    assert.equal(await nums.reduce((a, b) => a + b), 25);
    assert.equal(await nums.fold(0, (a, b) => a + b), 25);
    assert.deepEqual(
      await nums.aggregate(
        [0, 0] as [number, number],
        (acc, x) => [acc[0] + x, acc[1] + 1] as [number, number],
        (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number],
      ),
      [25, 5],
    );
    assert.deepEqual(await nums.take(2), [5, 1]);
    assert.equal(await nums.first(), 5);
    assert.deepEqual(await nums.top(2), [9, 7]);
    assert.deepEqual(await nums.takeOrdered(2), [1, 3]);
    const pairs = sc.parallelize<[string, number]>([["a", 1], ["b", 2], [
      "a",
      3,
    ]]);
    const cbk = await pairs.countByKey();
    assert.equal(cbk.get("a"), 2);
    assert.equal(cbk.get("b"), 1);
    const cbv = await sc.parallelize(["x", "y", "x"]).countByValue();
    assert.equal(cbv.get("x"), 2);
    assert.equal(cbv.get("y"), 1);
    const m = await sc.parallelize<[string, number]>([["a", 1], ["b", 2]])
      .collectAsMap();
    assert.ok(m instanceof Map);
    assert.equal(m.get("b"), 2);
    // foreach runs in workers: observe its effect through files.
    await nums.foreach(
      (x, env) => Deno.writeTextFileSync(`${env.dir}/f${x}`, String(x)),
      { dir },
    );
    const written = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(written, ["f1", "f3", "f5", "f7", "f9"]);
    await nums.saveAsTextFile(`${dir}/out`);
    const parts = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name)
      .sort();
    assert.deepEqual(parts, ["_SUCCESS", "part-00000", "part-00001"]);
    const back = [
      ...await sc.textFile(`${dir}/out/part-00000`).collect(),
      ...await sc.textFile(`${dir}/out/part-00001`).collect(),
    ];
    assert.deepEqual(back, ["5", "1", "9", "3", "7"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD.toDebugString() shows the lineage and stages", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const rdd = sc.parallelize<[string, number]>([["a", 1]], 2)
    .reduceByKey((a, b) => a + b)
    .map(([k, v]) => `${k}=${v}`);
  const s = rdd.toDebugString();
  assert.equal(typeof s, "string");
  assert.ok(s.split("\n").length >= 2, s);
  assert.match(s, /reduceByKey|shuffle|Shuffle/i);
  assert.match(s, /parallelize/i);
});

Deno.test("RDD.map() capturing a local variable fails naming the identifier", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  const secretLimit = 3;
  await assert.rejects(
    () => sc.range(10).map((x) => x + secretLimit).collect(),
    (e: unknown) => {
      assert.ok(e instanceof SparkError);
      assert.equal(e.name, "SparkError");
      assert.match(e.message, /secretLimit/);
      return true;
    },
  );
  // The explicit env channel works for the same value.
  assert.deepEqual(
    await sc.range(3).map((x, env) => x + env.secretLimit, { secretLimit })
      .collect(),
    [3, 4, 5],
  );
});

Deno.test("SparkContext.close() releases workers and can be called explicitly", async () => {
  const sc = new SparkContext({ parallelism: 2 });
  assert.equal(await sc.parallelize([1, 2]).count(), 2);
  sc.close();
  assert.throws(() => sc.parallelize([1]), SparkError);
});

Deno.test("SparkContext({ modules }) exposes helpers; fromTopic() reads a kafka log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/geo.ts`,
      `export function region(place: string): string {
  return place.slice(place.lastIndexOf(",") + 1).trim();
}
`,
    );
    const logDir = `${dir}/log`;
    const k = new Kafka({ clientId: "spark-contract", logDir });
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: "quakes", numPartitions: 2 }],
    });
    const producer = k.producer();
    await producer.connect();
    await producer.send({
      topic: "quakes",
      messages: ["1km N of A, Taiwan", "2km S of B, Chile", "C, Taiwan"].map(
        (place, i) => ({ key: String(i), value: JSON.stringify({ place }) }),
      ),
    });
    await producer.disconnect();
    await admin.disconnect();

    await using sc = new SparkContext({
      parallelism: 2,
      modules: { geo: `${dir}/geo.ts` },
    });
    const rdd = sc.fromTopic<{ place: string }>({
      logDir,
      topic: "quakes",
      decode: "json",
    });
    assert.equal(rdd.numPartitions, 2);
    const counts = await rdd
      .map((r) => [geo.region(r.value.place), 1] as [string, number])
      .reduceByKey((a, b) => a + b)
      .collectAsMap();
    assert.equal(counts.get("Taiwan"), 2);
    assert.equal(counts.get("Chile"), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext guards bad input and collect(); toLocalIterator() streams; csv modes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({
      parallelism: 2,
      maxTaskFailures: 2,
      maxResultBytes: 1_000,
    });
    assert.throws(() => sc.parallelize([1], 0), SparkError);
    assert.throws(() => sc.textFile(`${dir}/missing.txt`), /missing\.txt/);
    assert.equal(await sc.textFile(dir).count(), 0); // an empty directory
    assert.throws(
      () => sc.range(3).map(42 as unknown as (x: number) => number),
      SparkError,
    );
    await assert.rejects(
      () => sc.range(10_000).map((x) => `value ${x}`).collect(),
      (e: unknown) =>
        e instanceof SparkError && /maxResultBytes/.test(e.message),
    );
    const seen: number[] = [];
    for await (const x of sc.range(0, 6, 1, 3).toLocalIterator()) seen.push(x);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);

    await Deno.writeTextFile(
      `${dir}/m.csv`,
      "place,mag\nTaiwan,4.5\nChile,oops\n",
    );
    const schema = { place: "string", mag: "number" };
    const permissive = await sc.csv(`${dir}/m.csv`, {
      header: true,
      schema,
      mode: "PERMISSIVE",
    }).collect() as Record<string, unknown>[];
    assert.equal(permissive.length, 2);
    assert.equal(permissive[1]!.mag, null);
    assert.equal(permissive[1]!._corrupt_record, "Chile,oops");
    assert.deepEqual(
      await sc.csv(`${dir}/m.csv`, {
        header: true,
        schema,
        mode: "DROPMALFORMED",
      })
        .collect(),
      [{ place: "Taiwan", mag: 4.5 }],
    );
    await assert.rejects(
      () =>
        sc.csv(`${dir}/m.csv`, { header: true, schema, mode: "FAILFAST" })
          .collect(),
      SparkError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spark/mod.ts names every file of the module in its doc", async () => {
  const dir = new URL("../../spark/", import.meta.url);
  const doc = await Deno.readTextFile(new URL("mod.ts", dir));
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.endsWith(".ts")
  );
  assert.ok(files.length > 20);
  for (const f of files) assert.ok(doc.includes(`\`${f}\``), f);
});
