// PySpark's documented behaviour as the spec: the `>>>` examples of
// python/pyspark/core/rdd.py (apache/spark), ported one by one. Python
// lambdas become arrow functions, tuples become arrays, dicts become Maps;
// where PySpark sorts the output in the example, so do we. The context
// mirrors the doctests' `local[4]`: 4 default partitions.
import assert from "node:assert/strict";
import { ManualClock } from "../../internal/clock.ts";
import { compareKeys } from "../../spark/_keys.ts";
import { type RDD, SparkContext, SparkError } from "../../spark/mod.ts";

const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort(compareKeys);
const add = (a: number, b: number) => a + b;

function context(): SparkContext {
  return new SparkContext({ parallelism: 2, defaultPartitions: 4 });
}

Deno.test("RDD doctests: narrow transformations", async (t) => {
  await using sc = context();
  await t.step("map", async () => {
    const rdd = sc.parallelize(["b", "a", "c"]);
    assert.deepEqual(sorted(await rdd.map((x) => [x, 1]).collect()), [
      ["a", 1],
      ["b", 1],
      ["c", 1],
    ]);
  });
  await t.step("flatMap", async () => {
    const rdd = sc.parallelize([2, 3, 4]);
    assert.deepEqual(
      sorted(
        await rdd.flatMap((x) => Array.from({ length: x - 1 }, (_, i) => i + 1))
          .collect(),
      ),
      [1, 1, 1, 2, 2, 3],
    );
    assert.deepEqual(
      sorted(await rdd.flatMap((x) => [[x, x], [x, x]]).collect()),
      [[2, 2], [2, 2], [3, 3], [3, 3], [4, 4], [4, 4]],
    );
  });
  await t.step("mapPartitions", async () => {
    const rdd = sc.parallelize([1, 2, 3, 4], 2);
    const out = await rdd.mapPartitions(function* (it) {
      let s = 0;
      for (const x of it) s += x;
      yield s;
    }).collect();
    assert.deepEqual(out, [3, 7]);
  });
  await t.step("mapPartitionsWithIndex", async () => {
    const rdd = sc.parallelize([1, 2, 3, 4], 4);
    assert.equal(
      await rdd.mapPartitionsWithIndex(function* (i) {
        yield i;
      }).sum(),
      6,
    );
  });
  await t.step("getNumPartitions", () => {
    assert.equal(sc.parallelize([1, 2, 3, 4], 2).getNumPartitions(), 2);
  });
  await t.step("filter", async () => {
    const rdd = sc.parallelize([1, 2, 3, 4, 5]);
    assert.deepEqual(await rdd.filter((x) => x % 2 === 0).collect(), [2, 4]);
  });
  await t.step("distinct", async () => {
    assert.deepEqual(
      sorted(await sc.parallelize([1, 1, 2, 3]).distinct().collect()),
      [1, 2, 3],
    );
  });
  await t.step("sample", async () => {
    const rdd = sc.parallelize([...Array(100).keys()], 4);
    const n = await rdd.sample(false, 0.1, 81).count();
    assert.ok(6 <= n && n <= 14, `sample count ${n}`);
  });
  await t.step("union", async () => {
    const rdd = sc.parallelize([1, 1, 2, 3]);
    assert.deepEqual(
      await rdd.union(rdd).collect(),
      [1, 1, 2, 3, 1, 1, 2, 3],
    );
  });
  await t.step("intersection", async () => {
    const rdd1 = sc.parallelize([1, 10, 2, 3, 4, 5]);
    const rdd2 = sc.parallelize([1, 6, 2, 3, 7, 8]);
    assert.deepEqual(sorted(await rdd1.intersection(rdd2).collect()), [
      1,
      2,
      3,
    ]);
  });
  await t.step("glom", async () => {
    const rdd = sc.parallelize([1, 2, 3, 4], 2);
    assert.deepEqual(sorted(await rdd.glom().collect()), [[1, 2], [3, 4]]);
  });
  await t.step("repartition", async () => {
    const rdd = sc.parallelize([1, 2, 3, 4, 5, 6, 7], 4);
    assert.deepEqual(sorted(await rdd.glom().collect()), [
      [1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    assert.equal((await rdd.repartition(2).glom().collect()).length, 2);
    assert.equal((await rdd.repartition(10).glom().collect()).length, 10);
  });
  await t.step("coalesce", async () => {
    assert.deepEqual(
      await sc.parallelize([1, 2, 3, 4, 5], 3).glom().collect(),
      [[1], [2, 3], [4, 5]],
    );
    assert.deepEqual(
      await sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect(),
      [[1, 2, 3, 4, 5]],
    );
  });
  await t.step("keyBy then cogroup", async () => {
    const rdd1 = sc.parallelize([0, 1, 2]).keyBy((x) => x * x);
    const rdd2 = sc.parallelize([0, 1, 2, 3, 4].map((i) => [i, i])) as RDD<
      [number, number]
    >;
    assert.deepEqual(sorted(await rdd1.cogroup(rdd2).collect()), [
      [0, [[0], [0]]],
      [1, [[1], [1]]],
      [2, [[], [2]]],
      [3, [[], [3]]],
      [4, [[2], [4]]],
    ]);
  });
  await t.step("zipWithIndex", async () => {
    const r = await sc.parallelize(["a", "b", "c", "d"], 3).zipWithIndex();
    assert.deepEqual(await r.collect(), [
      ["a", 0],
      ["b", 1],
      ["c", 2],
      ["d", 3],
    ]);
  });
  await t.step("pipelined maps", async () => {
    const rdd = sc.parallelize([1, 2, 3, 4]);
    assert.deepEqual(
      await rdd.map((x) => 2 * x).cache().map((x) => 2 * x).collect(),
      [4, 8, 12, 16],
    );
    assert.deepEqual(
      await rdd.map((x) => 2 * x).map((x) => 2 * x).collect(),
      [4, 8, 12, 16],
    );
    assert.equal(await rdd.map((x) => 2 * x).reduce(add), 20);
    assert.equal(await rdd.flatMap((x) => [x, x]).reduce(add), 20);
  });
  await t.step("cache, persist, unpersist", () => {
    const rdd = sc.range(5);
    assert.equal(rdd.isCached, false);
    assert.equal(rdd.cache(), rdd);
    assert.equal(rdd.isCached, true);
    rdd.unpersist();
    assert.equal(rdd.isCached, false);
    assert.equal(rdd.persist().isCached, true);
    assert.equal(rdd.context, sc);
    assert.match(rdd.toDebugString(), /ParallelCollectionRDD/);
  });
});

Deno.test("RDD doctests: actions", async (t) => {
  await using sc = context();
  await t.step("collect", async () => {
    assert.deepEqual(await sc.range(5).collect(), [0, 1, 2, 3, 4]);
    assert.deepEqual(await sc.parallelize(["x", "y", "z"]).collect(), [
      "x",
      "y",
      "z",
    ]);
  });
  await t.step("foreach and foreachPartition run", async () => {
    await sc.parallelize([1, 2, 3, 4, 5]).foreach((x) => x);
    await sc.parallelize([1, 2, 3, 4, 5]).foreachPartition((it) => [...it]);
  });
  await t.step("reduce", async () => {
    assert.equal(await sc.parallelize([1, 2, 3, 4, 5]).reduce(add), 15);
    assert.equal(
      await sc.parallelize(Array(10).fill(2)).map(() => 1).cache().reduce(add),
      10,
    );
    await assert.rejects(
      () => sc.parallelize<number>([]).reduce(add),
      (e) => e instanceof SparkError && /empty/.test(e.message),
    );
  });
  await t.step("fold and aggregate", async () => {
    assert.equal(await sc.parallelize([1, 2, 3, 4, 5]).fold(0, add), 15);
    const seqOp = (x: [number, number], y: number): [number, number] => [
      x[0] + y,
      x[1] + 1,
    ];
    const combOp = (
      x: [number, number],
      y: [number, number],
    ): [number, number] => [x[0] + y[0], x[1] + y[1]];
    assert.deepEqual(
      await sc.parallelize([1, 2, 3, 4]).aggregate([0, 0], seqOp, combOp),
      [10, 4],
    );
    assert.deepEqual(
      await sc.parallelize<number>([]).aggregate([0, 0], seqOp, combOp),
      [0, 0],
    );
  });
  await t.step("max and min, with a key", async () => {
    const rdd = sc.parallelize([1.0, 5.0, 43.0, 10.0]);
    assert.equal(await rdd.max(), 43);
    assert.equal(await rdd.max((x) => String(x)), 5);
    const rdd2 = sc.parallelize([2.0, 5.0, 43.0, 10.0]);
    assert.equal(await rdd2.min(), 2);
    assert.equal(await rdd2.min((x) => String(x)), 10);
  });
  await t.step("sum, count, mean", async () => {
    assert.equal(await sc.parallelize([1.0, 2.0, 3.0]).sum(), 6);
    assert.equal(await sc.parallelize([2, 3, 4]).count(), 3);
    assert.equal(await sc.parallelize([1, 2, 3]).mean(), 2);
  });
  await t.step("countByValue", async () => {
    const m = await sc.parallelize([1, 2, 1, 2, 2], 2).countByValue();
    assert.deepEqual(sorted(m.entries()), [[1, 2], [2, 3]]);
  });
  await t.step("top", async () => {
    assert.deepEqual(await sc.parallelize([10, 4, 2, 12, 3]).top(1), [12]);
    assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6], 2).top(2), [6, 5]);
    assert.deepEqual(
      await sc.parallelize([10, 4, 2, 12, 3]).top(3, (x) => String(x)),
      [4, 3, 2],
    );
  });
  await t.step("takeOrdered", async () => {
    const xs = [10, 1, 2, 9, 3, 4, 5, 6, 7];
    assert.deepEqual(
      await sc.parallelize(xs).takeOrdered(6),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      await sc.parallelize(xs, 2).takeOrdered(6, (x) => -x),
      [10, 9, 7, 6, 5, 4],
    );
    assert.deepEqual(await sc.emptyRDD<number>().takeOrdered(3), []);
  });
  await t.step("take", async () => {
    assert.deepEqual(
      await sc.parallelize([2, 3, 4, 5, 6]).cache().take(2),
      [2, 3],
    );
    assert.deepEqual(
      await sc.parallelize([2, 3, 4, 5, 6]).take(10),
      [2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      await sc.parallelize([...Array(100).keys()], 100).filter((x) => x > 90)
        .take(3),
      [91, 92, 93],
    );
  });
  await t.step("first and isEmpty", async () => {
    assert.equal(await sc.parallelize([2, 3, 4]).first(), 2);
    await assert.rejects(
      () => sc.parallelize([]).first(),
      (e) => e instanceof SparkError && /empty/.test(e.message),
    );
    assert.equal(await sc.parallelize([]).isEmpty(), true);
    assert.equal(await sc.parallelize([1]).isEmpty(), false);
  });
  await t.step("toLocalIterator", async () => {
    const out: number[] = [];
    for await (
      const x of sc.parallelize([...Array(10).keys()]).toLocalIterator()
    ) {
      out.push(x);
    }
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

Deno.test("RDD doctests: pair RDDs", async (t) => {
  await using sc = context();
  const abA = () =>
    sc.parallelize([["a", 1], ["b", 1], ["a", 1]] as [string, number][]);
  const tmp: [string, number][] = [
    ["a", 1],
    ["b", 2],
    ["1", 3],
    ["d", 4],
    ["2", 5],
  ];
  await t.step("sortByKey", async () => {
    const want = [["1", 3], ["2", 5], ["a", 1], ["b", 2], ["d", 4]];
    assert.deepEqual(await sc.parallelize(tmp).sortByKey().first(), ["1", 3]);
    assert.deepEqual(
      await sc.parallelize(tmp).sortByKey(true, 1).collect(),
      want,
    );
    assert.deepEqual(
      await sc.parallelize(tmp).sortByKey(true, 2).collect(),
      want,
    );
    const tmp2: [string, number][] = [
      ["Mary", 1],
      ["had", 2],
      ["a", 3],
      ["little", 4],
      ["lamb", 5],
      ["whose", 6],
      ["fleece", 7],
      ["was", 8],
      ["white", 9],
    ];
    assert.deepEqual(
      await sc.parallelize(tmp2).sortByKey(true, 3, (k) => k.toLowerCase())
        .collect(),
      [
        ["a", 3],
        ["fleece", 7],
        ["had", 2],
        ["lamb", 5],
        ["little", 4],
        ["Mary", 1],
        ["was", 8],
        ["white", 9],
        ["whose", 6],
      ],
    );
  });
  await t.step("sortBy", async () => {
    assert.deepEqual(await sc.parallelize(tmp).sortBy((x) => x[0]).collect(), [
      ["1", 3],
      ["2", 5],
      ["a", 1],
      ["b", 2],
      ["d", 4],
    ]);
    assert.deepEqual(
      await sc.parallelize(tmp).sortBy((x) => x[1]).collect(),
      tmp,
    );
  });
  await t.step("collectAsMap, keys, values", async () => {
    const pairs = sc.parallelize([[1, 2], [3, 4]] as [number, number][]);
    const m = await pairs.collectAsMap();
    assert.equal(m.get(1), 2);
    assert.equal(m.get(3), 4);
    assert.deepEqual(await pairs.keys().collect(), [1, 3]);
    assert.deepEqual(await pairs.values().collect(), [2, 4]);
  });
  await t.step("reduceByKey, countByKey, foldByKey", async () => {
    assert.deepEqual(sorted(await abA().reduceByKey(add).collect()), [
      ["a", 2],
      ["b", 1],
    ]);
    assert.deepEqual(sorted((await abA().countByKey()).entries()), [
      ["a", 2],
      ["b", 1],
    ]);
    assert.deepEqual(sorted(await abA().foldByKey(0, add).collect()), [
      ["a", 2],
      ["b", 1],
    ]);
  });
  await t.step("joins", async () => {
    const rdd1 = sc.parallelize([["a", 1], ["b", 4]] as [string, number][]);
    const rdd2 = sc.parallelize([["a", 2], ["a", 3]] as [string, number][]);
    assert.deepEqual(sorted(await rdd1.join(rdd2).collect()), [
      ["a", [1, 2]],
      ["a", [1, 3]],
    ]);
    const rdd3 = sc.parallelize([["a", 2]] as [string, number][]);
    assert.deepEqual(sorted(await rdd1.leftOuterJoin(rdd3).collect()), [
      ["a", [1, 2]],
      ["b", [4, null]],
    ]);
    assert.deepEqual(sorted(await rdd3.rightOuterJoin(rdd1).collect()), [
      ["a", [2, 1]],
      ["b", [null, 4]],
    ]);
    const rdd4 = sc.parallelize([["a", 2], ["c", 8]] as [string, number][]);
    assert.deepEqual(sorted(await rdd1.fullOuterJoin(rdd4).collect()), [
      ["a", [1, 2]],
      ["b", [4, null]],
      ["c", [null, 8]],
    ]);
  });
  await t.step("partitionBy", async () => {
    const pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map((
      x,
    ) => [x, x]) as RDD<
      [number, number]
    >;
    const sets = await pairs.partitionBy(2).glom().collect();
    const first = new Set(sets[0]!.map(([k]) => k));
    assert.equal(sets[1]!.filter(([k]) => first.has(k)).length, 0);
  });
  await t.step("combineByKey and aggregateByKey", async () => {
    const rdd = sc.parallelize([["a", 1], ["b", 1], ["a", 2]] as [
      string,
      number,
    ][]);
    assert.deepEqual(
      sorted(
        await rdd.combineByKey(
          (a) => [a],
          (a, b) => [...a, b],
          (a, b) => [...a, ...b],
        ).collect(),
      ),
      [["a", [1, 2]], ["b", [1]]],
    );
    assert.deepEqual(
      sorted(
        await rdd.aggregateByKey(
          [0, 0] as [number, number],
          (x, y): [number, number] => [x[0] + y, x[1] + 1],
          (x, y): [number, number] => [x[0] + y[0], x[1] + y[1]],
        ).collect(),
      ),
      [["a", [3, 2]], ["b", [1, 1]]],
    );
  });
  await t.step("groupByKey", async () => {
    assert.deepEqual(
      sorted(await abA().groupByKey().mapValues((v) => v.length).collect()),
      [["a", 2], ["b", 1]],
    );
    assert.deepEqual(sorted(await abA().groupByKey().collect()), [
      ["a", [1, 1]],
      ["b", [1]],
    ]);
  });
  await t.step("flatMapValues and mapValues", async () => {
    const rdd = sc.parallelize([["a", ["x", "y", "z"]], ["b", ["p", "r"]]] as [
      string,
      string[],
    ][]);
    assert.deepEqual(await rdd.flatMapValues((x) => x).collect(), [
      ["a", "x"],
      ["a", "y"],
      ["a", "z"],
      ["b", "p"],
      ["b", "r"],
    ]);
    const fruit = sc.parallelize([
      ["a", ["apple", "banana", "lemon"]],
      ["b", ["grapes"]],
    ] as [string, string[]][]);
    assert.deepEqual(await fruit.mapValues((x) => x.length).collect(), [
      ["a", 3],
      ["b", 1],
    ]);
  });
  await t.step("cogroup", async () => {
    const rdd1 = sc.parallelize([["a", 1], ["b", 4]] as [string, number][]);
    const rdd2 = sc.parallelize([["a", 2]] as [string, number][]);
    assert.deepEqual(sorted(await rdd1.cogroup(rdd2).collect()), [
      ["a", [[1], [2]]],
      ["b", [[4], []]],
    ]);
  });
  await t.step("subtractByKey and subtract", async () => {
    const rdd1 = sc.parallelize([["a", 1], ["b", 4], ["b", 5], ["a", 2]] as [
      string,
      number,
    ][]);
    const rdd2 = sc.parallelize([["a", 3], ["c", null]] as [
      string,
      number | null,
    ][]);
    assert.deepEqual(sorted(await rdd1.subtractByKey(rdd2).collect()), [
      ["b", 4],
      ["b", 5],
    ]);
    const rdd3 = sc.parallelize([["a", 1], ["b", 4], ["b", 5], ["a", 3]] as [
      string,
      number | null,
    ][]);
    assert.deepEqual(sorted(await rdd3.subtract(rdd2).collect()), [
      ["a", 1],
      ["b", 4],
      ["b", 5],
    ]);
  });
  await t.step("lookup", async () => {
    const l = [...Array(1000).keys()];
    const rdd = sc.parallelize(l.map((x) => [x, x]) as [number, number][], 10);
    assert.deepEqual(await rdd.lookup(42), [42]);
    const byKey = rdd.sortByKey();
    assert.deepEqual(await byKey.lookup(42), [42]);
    assert.deepEqual(await byKey.lookup(1024), []);
    const rdd2 = sc.parallelize([[["a", "b"], "c"]] as [string[], string][])
      .groupByKey();
    assert.deepEqual((await rdd2.lookup(["a", "b"]))[0], ["c"]);
  });
});

Deno.test("RDD arguments: partition functions are honoured and kept", async () => {
  await using sc = context();
  const pairs = sc.parallelize(
    [0, 1, 2, 3, 4, 5, 6, 7].map((x) => [x, x * 10]) as [number, number][],
    3,
  );
  const byParity = (k: number) => k % 2;
  // PySpark's repartitionAndSortWithinPartitions doctest partitioner.
  const parts = await pairs.partitionBy(2, byParity).glom().collect();
  assert.deepEqual(parts.map((p) => sorted(p.map(([k]) => k))), [
    [0, 2, 4, 6],
    [1, 3, 5, 7],
  ]);
  const grouped = await pairs.groupByKey(2, byParity).glom().collect();
  assert.deepEqual(grouped[0]!.map(([k]) => k % 2), [0, 0, 0, 0]);
  const reduced = await pairs.reduceByKey(add, 2, byParity).glom().collect();
  assert.deepEqual(reduced[1]!.map(([k]) => k % 2), [1, 1, 1, 1]);
  // A negative result wraps like Python's modulo.
  const neg = await pairs.partitionBy(3, (k) => -k).glom().collect();
  assert.deepEqual(sorted(neg[0]!.map(([k]) => k)), [0, 3, 6]);
  // The partitioner is kept: the same function again does not shuffle.
  const partitioned = pairs.partitionBy(2, byParity);
  await partitioned.reduceByKey(add, 2, byParity).collect();
  assert.equal(shuffleStages(sc), 1);
  // A partition function that returns no integer fails the job clearly.
  await assert.rejects(
    () => pairs.partitionBy(2, () => 0.5).collect(),
    (e) => e instanceof SparkError && /integer/.test(e.message),
  );
});

function shuffleStages(sc: SparkContext): number {
  return sc.lastJob!.stages.filter((s) => s.kind === "ShuffleMapStage").length;
}

Deno.test("RDD arguments: preservesPartitioning keeps the partitioner", async () => {
  await using sc = context();
  const pairs = sc.parallelize([["a", 1], ["b", 2], ["a", 3]] as [
    string,
    number,
  ][]).partitionBy(2);
  // PySpark's positional boolean.
  await pairs.mapPartitions((it) => it, true).reduceByKey(add).collect();
  assert.equal(shuffleStages(sc), 1);
  // The options object, with an env.
  const scaled = pairs.map(
    ([k, v], env) => [k, v * env.k] as [string, number],
    { env: { k: 10 }, preservesPartitioning: true },
  );
  assert.deepEqual(sorted(await scaled.reduceByKey(add).collect()), [
    ["a", 40],
    ["b", 20],
  ]);
  assert.equal(shuffleStages(sc), 0); // partitionBy's output is reused
  // Without it the partitioner is dropped, so reduceByKey shuffles again.
  await pairs.mapPartitions((it) => it).reduceByKey(add).collect();
  assert.equal(shuffleStages(sc), 1);
  // A plain env still works.
  assert.deepEqual(
    await sc.parallelize([1, 2]).map((x, env) => x + env.k, { k: 1 }).collect(),
    [2, 3],
  );
});

Deno.test("RDD.union() of co-partitioned RDDs keeps the partitioner", async () => {
  await using sc = context();
  const a = sc.parallelize([["a", 1], ["b", 2]] as [string, number][])
    .partitionBy(3);
  const b = sc.parallelize([["a", 10], ["c", 5]] as [string, number][])
    .partitionBy(3);
  const u = a.union(b);
  assert.equal(u.numPartitions, 3);
  assert.deepEqual(sorted(await u.reduceByKey(add).collect()), [
    ["a", 11],
    ["b", 2],
    ["c", 5],
  ]);
  assert.equal(shuffleStages(sc), 2);
  assert.equal(a.union(sc.parallelize([["x", 1]])).numPartitions, 3 + 4);
});

Deno.test("RDD.lookup() on a partitioned RDD runs one task", async () => {
  await using sc = context();
  const rdd = sc.parallelize(
    [...Array(100).keys()].map((x) => [x, x]) as [number, number][],
    10,
  );
  for (
    const partitioned of [
      rdd.partitionBy(5),
      rdd.partitionBy(5, (k) => k * 7),
      rdd.sortByKey(true, 5),
      rdd.sortByKey(false, 5).mapValues((v) => v + 1),
    ]
  ) {
    const found = await partitioned.lookup(42);
    assert.equal(found.length, 1);
    const last = sc.lastJob!.stages.at(-1)!;
    assert.equal(last.kind, "ResultStage");
    assert.equal(last.tasks, 1);
  }
});

Deno.test("RDD.sortByKey() samples its range bounds when called", async () => {
  const kinds: string[] = [];
  let sampled!: () => void;
  const done = new Promise<void>((r) => sampled = r);
  await using sc = new SparkContext({
    parallelism: 2,
    onProgress: (e) => {
      kinds.push(e.kind);
      if (e.kind === "SampleStage" && e.done === e.total) sampled();
    },
  });
  const sortedRdd = sc.parallelize([[3, "c"], [1, "a"], [2, "b"]] as [
    number,
    string,
  ][], 3).sortByKey(true, 2);
  await done; // no action has run
  assert.deepEqual(kinds.filter((k) => k !== "SampleStage"), []);
  assert.deepEqual(await sortedRdd.keys().collect(), [1, 2, 3]);
  assert.ok(!sc.lastJob!.stages.some((s) => s.kind === "SampleStage"));
});

Deno.test("RDD.persist() refuses storage levels it cannot honour", async () => {
  await using sc = context();
  assert.throws(
    () => sc.range(3).persist("MEMORY_AND_DISK"),
    (e) => e instanceof SparkError && /MEMORY_AND_DISK/.test(e.message),
  );
  const out: number[] = [];
  for await (const x of sc.range(10, undefined, 1, 4).toLocalIterator(true)) {
    out.push(x);
  }
  assert.deepEqual(out, [...Array(10).keys()]);
});

Deno.test("RDD.toDebugString() uses Spark's layout", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  const words = sc.parallelize(["a b", "b"], 2)
    .flatMap((l) => l.split(" "))
    .map((w) => [w, 1] as [string, number])
    .cache();
  const counts = words.reduceByKey(add);
  const joined = counts.join(
    sc.parallelize([["a", 0]] as [string, number][], 3),
  );
  const s = joined.toDebugString().replace(/\[\d+\]/g, "[#]");
  assert.equal(
    s,
    [
      "(3) MapPartitionsRDD[#] at join []",
      " |  CoGroupedRDD[#] at cogroup []",
      " +-(2) ShuffledRDD[#] at reduceByKey []",
      " |  +-(2) MapPartitionsRDD[#] at map [Memory Deserialized 1x Replicated]",
      " |     |  MapPartitionsRDD[#] at flatMap []",
      " |     |  ParallelCollectionRDD[#] at parallelize []",
      " +-(3) ParallelCollectionRDD[#] at parallelize []",
    ].join("\n"),
  );
  await joined.collect();
});

Deno.test("RDD doctests: the rest of rdd.py", async (t) => {
  await using sc = context();
  await t.step("randomSplit", async () => {
    const rdd = sc.parallelize([...Array(500).keys()], 1);
    const [rdd1, rdd2] = rdd.randomSplit([2, 3], 17);
    const all = [...await rdd1!.collect(), ...await rdd2!.collect()];
    assert.equal(all.length, 500);
    assert.deepEqual(sorted(all), [...Array(500).keys()]);
    const n1 = await rdd1!.count(), n2 = await rdd2!.count();
    assert.ok(150 < n1 && n1 < 250 && 250 < n2 && n2 < 350, `${n1} ${n2}`);
  });
  await t.step("takeSample", async () => {
    const rdd = sc.parallelize([...Array(10).keys()]);
    assert.equal((await rdd.takeSample(true, 20, 1)).length, 20);
    assert.equal((await rdd.takeSample(false, 5, 2)).length, 5);
    const all = await rdd.takeSample(false, 15, 3);
    assert.deepEqual(sorted(all), [...Array(10).keys()]);
    await assert.rejects(
      () => sc.range(0, 10).takeSample(false, Number.MAX_SAFE_INTEGER),
      (e) => e instanceof SparkError && /greater than/.test(e.message),
    );
  });
  await t.step("repartitionAndSortWithinPartitions", async () => {
    const rdd = sc.parallelize(
      [[0, 5], [3, 8], [2, 6], [0, 8], [3, 8], [1, 3]] as [number, number][],
    );
    const rdd2 = rdd.repartitionAndSortWithinPartitions(2, (x) => x % 2, true);
    assert.deepEqual(await rdd2.glom().collect(), [
      [[0, 5], [0, 8], [2, 6]],
      [[1, 3], [3, 8], [3, 8]],
    ]);
  });
  await t.step("cartesian", async () => {
    const rdd = sc.parallelize([1, 2]);
    assert.deepEqual(sorted(await rdd.cartesian(rdd).collect()), [
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
  });
  await t.step("groupBy", async () => {
    const rdd = sc.parallelize([1, 1, 2, 3, 5, 8]);
    const result = await rdd.groupBy((x) => x % 2).collect();
    assert.deepEqual(sorted(result.map(([k, v]) => [k, sorted(v)])), [
      [0, [2, 8]],
      [1, [1, 1, 3, 5]],
    ]);
  });
  await t.step("pipe", async () => {
    assert.deepEqual(
      await sc.parallelize(["1", "2", "", "3"]).pipe("cat").collect(),
      ["1", "2", "", "3"],
    );
    assert.deepEqual(
      await sc.parallelize(["a b"], 1).pipe(["sh", "-c", 'tr " " "\\n"'])
        .collect(),
      ["a", "b"],
    );
    await assert.rejects(
      () => sc.parallelize(["x"], 1).pipe("sh -c 'exit 3'", {}, true).collect(),
      (e) => e instanceof SparkError && /exited with code 3/.test(e.message),
    );
  });
  await t.step("treeReduce and treeAggregate", async () => {
    const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
    for (const depth of [1, 2, 5, 10]) {
      assert.equal(await rdd.treeReduce(add, depth), -5);
      assert.equal(await rdd.treeAggregate(0, add, add, depth), -5);
    }
    assert.equal(await rdd.treeReduce(add), -5);
    assert.equal(await rdd.treeAggregate(0, add, add), -5);
    await assert.rejects(() => rdd.treeReduce(add, 0), SparkError);
    const many = sc.range(0, 1000, 1, 64);
    assert.equal(await many.treeAggregate(0, add, add, 3), 499500);
  });
  await t.step("stats, histogram, variance, stdev", async () => {
    const s = await sc.parallelize([1, 2, 3]).stats();
    assert.deepEqual([s.count(), s.mean(), s.sum()], [3, 2, 6]);
    const rdd = sc.parallelize([...Array(51).keys()]);
    assert.deepEqual(await rdd.histogram(2), [[0, 25, 50], [25, 26]]);
    assert.deepEqual(await rdd.histogram([0, 5, 25, 50]), [
      [0, 5, 25, 50],
      [5, 20, 26],
    ]);
    assert.deepEqual(await rdd.histogram([0, 15, 30, 45, 60]), [
      [0, 15, 30, 45, 60],
      [15, 15, 15, 6],
    ]);
    const strs = sc.parallelize(["ab", "ac", "b", "bd", "ef"]);
    assert.deepEqual(await strs.histogram(["a", "b", "c"]), [
      ["a", "b", "c"],
      [2, 2],
    ]);
    await assert.rejects(() => rdd.histogram([5, 1]), SparkError);
    const v = await sc.parallelize([1, 2, 3]).variance();
    assert.ok(Math.abs(v - 0.6666666666666666) < 1e-12);
    const d = await sc.parallelize([1, 2, 3]).stdev();
    assert.ok(Math.abs(d - 0.816496580927726) < 1e-12);
    assert.equal(await sc.parallelize([1, 2, 3]).sampleStdev(), 1);
    assert.equal(await sc.parallelize([1, 2, 3]).sampleVariance(), 1);
  });
  await t.step("zip and zipWithUniqueId", async () => {
    const rdd1 = sc.parallelize([0, 1, 2, 3, 4]);
    const rdd2 = sc.parallelize([1000, 1001, 1002, 1003, 1004]);
    assert.deepEqual(await rdd1.zip(rdd2).collect(), [
      [0, 1000],
      [1, 1001],
      [2, 1002],
      [3, 1003],
      [4, 1004],
    ]);
    await assert.rejects(
      () => rdd1.zip(sc.parallelize([1, 2, 3, 4, 5, 6])).collect(),
      (e) =>
        e instanceof SparkError && /same number of elements/.test(e.message),
    );
    assert.throws(() => rdd1.zip(sc.parallelize([1], 1)), SparkError);
    assert.deepEqual(
      await sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId()
        .collect(),
      [["a", 0], ["b", 1], ["c", 4], ["d", 2], ["e", 5]],
    );
  });
  await t.step("reduceByKeyLocally", async () => {
    const rdd = sc.parallelize([["a", 1], ["b", 1], ["a", 1]] as [
      string,
      number,
    ][]);
    assert.deepEqual(sorted((await rdd.reduceByKeyLocally(add)).entries()), [
      ["a", 2],
      ["b", 1],
    ]);
  });
  await t.step("groupWith", async () => {
    const mk = (d: [string, number][]) => sc.parallelize(d);
    const out = await mk([["a", 5], ["b", 6]]).groupWith(
      mk([["a", 1], ["b", 4]]),
      mk([["a", 2]]),
      mk([["b", 42]]),
    ).collect();
    assert.deepEqual(sorted(out), [
      ["a", [[5], [1], [2], []]],
      ["b", [[6], [4], [], [42]]],
    ]);
  });
  await t.step("sampleByKey", async () => {
    const rdd = sc.parallelize(["a", "b"]).cartesian(
      sc.parallelize([...Array(1000).keys()]),
    );
    const sample = new Map(
      await rdd.sampleByKey(false, { a: 0.2, b: 0.1 }, 2).groupByKey()
        .collect(),
    );
    const a = sample.get("a")!, b = sample.get("b")!;
    assert.ok(100 < a.length && a.length < 300, `${a.length}`);
    assert.ok(50 < b.length && b.length < 150, `${b.length}`);
    assert.ok(Math.max(...a) <= 999 && Math.min(...a) >= 0);
  });
  await t.step(
    "countApprox, sumApprox, meanApprox, countApproxDistinct",
    async () => {
      // A manual clock: the timeouts never pass on a slow machine.
      await using sc = new SparkContext({
        parallelism: 2,
        clock: new ManualClock(),
      });
      const rdd = sc.parallelize([...Array(1000).keys()], 10);
      assert.equal(await rdd.countApprox(10_000, 1.0), 1000);
      const r = 499500;
      assert.ok(Math.abs((await rdd.sumApprox(10_000)).mean - r) / r < 0.05);
      const m = 499.5;
      assert.ok(Math.abs((await rdd.meanApprox(10_000)).mean - m) / m < 0.05);
      const n = await rdd.map((x) => String(x)).countApproxDistinct();
      assert.ok(900 < n && n < 1100, `${n}`);
      const n20 = await sc.parallelize(
        [...Array(1000).keys()].map((i) => i % 20),
      )
        .countApproxDistinct();
      assert.ok(16 < n20 && n20 < 24, `${n20}`);
      await assert.rejects(() => rdd.countApproxDistinct(0.00001), SparkError);
    },
  );
  await t.step("name, setName, checkpoint, localCheckpoint", async () => {
    const rdd = sc.parallelize([1, 2]);
    assert.equal(rdd.name(), null);
    assert.equal(rdd.setName("I am an RDD").name(), "I am an RDD");
    assert.match(String(rdd), /^I am an RDD ParallelCollectionRDD\[\d+\]/);
    const local = sc.range(5);
    assert.equal(local.isLocallyCheckpointed(), false);
    local.localCheckpoint();
    assert.equal(local.isLocallyCheckpointed(), true);
    assert.throws(() => sc.range(5).checkpoint(), /setCheckpointDir/);
    const dir = await Deno.makeTempDir();
    try {
      sc.setCheckpointDir(dir);
      const r = sc.range(5).map((x) => x + 1);
      assert.equal(r.isCheckpointed(), false);
      r.checkpoint();
      assert.equal(r.getCheckpointFile(), null);
      assert.equal(await r.count(), 5);
      assert.equal(r.isCheckpointed(), true);
      assert.ok(r.getCheckpointFile()!.startsWith(dir));
      // The lineage is cut: the data now comes from the files.
      assert.match(
        r.toDebugString(),
        /^\(4\) MapPartitionsRDD\[\d+\] at map \[\]$/,
      );
      assert.deepEqual(await r.collect(), [1, 2, 3, 4, 5]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("SparkContext doctests and accumulators", async () => {
  await using sc = context();
  assert.equal(sc.defaultParallelism, 2);
  assert.equal(sc.defaultMinPartitions, 2);
  const denoJson = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  assert.equal(sc.version, denoJson.version);
  assert.match(sc.applicationId, /^local-\d+$/);
  assert.ok(Math.abs(sc.startTime - Date.now()) < 60_000);
  assert.equal(sc.getConf().get("spark.master"), "local[2]");
  assert.throws(() => sc.setLogLevel("LOUD"), /LOUD/);
  sc.setLogLevel("info");
  // An accumulator counts each successful task once, even with retries.
  const dir = await Deno.makeTempDir();
  try {
    const acc = sc.accumulator(0);
    await sc.range(0, 10, 1, 2).mapPartitionsWithIndex((i, rows, env) => {
      let n = 0;
      for (const x of rows) {
        env.acc.add(x);
        n++;
      }
      if (i === 1) {
        try {
          Deno.statSync(`${env.dir}/failed`);
        } catch {
          Deno.writeTextFileSync(`${env.dir}/failed`, "");
          throw new Error("first attempt fails after adding");
        }
      }
      return [n];
    }, { acc, dir }).collect();
    assert.equal(acc.value, 45);
    await assert.rejects(
      () => sc.range(1).map((_, env) => env.acc.value, { acc }).collect(),
      /cannot be read inside a task/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
