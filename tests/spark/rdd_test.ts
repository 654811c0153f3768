import assert from "node:assert/strict";
import { SparkContext } from "../../spark/mod.ts";
import {
  bag,
  groupRef,
  keyOf,
  PARTITIONS,
  rand,
  randomInts,
  randomPairs,
} from "./_helpers.ts";

type Pair = [unknown, number];

Deno.test("RDD narrow transformations match Array methods on random data", async (t) => {
  await using sc = new SparkContext({ parallelism: 2 });
  const r = rand(1);
  for (const n of PARTITIONS) {
    const data = randomInts(r, Math.floor(r() * 300));
    const rdd = sc.parallelize(data, n);
    await t.step(`RDD.map() with ${n} partitions`, async () => {
      assert.deepEqual(
        await rdd.map((x) => x * 3 + 1).collect(),
        data.map((x) => x * 3 + 1),
      );
    });
    await t.step(`RDD.filter() with ${n} partitions`, async () => {
      assert.deepEqual(
        await rdd.filter((x, env) => x > env.min, { min: 5 }).collect(),
        data.filter((x) => x > 5),
      );
    });
    await t.step(`RDD.flatMap() with ${n} partitions`, async () => {
      assert.deepEqual(
        await rdd.flatMap((x) => x % 2 === 0 ? [x, x] : []).collect(),
        data.flatMap((x) => x % 2 === 0 ? [x, x] : []),
      );
    });
    await t.step(`RDD.glom() with ${n} partitions`, async () => {
      const parts = await rdd.glom().collect();
      assert.equal(parts.length, n);
      assert.deepEqual(parts.flat(), data);
    });
    await t.step(
      `RDD.mapPartitionsWithIndex() with ${n} partitions`,
      async () => {
        const tagged = await rdd.mapPartitionsWithIndex((i, rows) =>
          [...rows].map((x) => [i, x])
        ).collect();
        const parts = await rdd.glom().collect();
        assert.deepEqual(tagged, parts.flatMap((p, i) => p.map((x) => [i, x])));
      },
    );
    await t.step(`RDD.mapPartitions() with ${n} partitions`, async () => {
      const sums = await rdd.mapPartitions(function* (rows, env) {
        let s = 0;
        for (const x of rows) s += x;
        yield s * env.k;
      }, { k: 2 }).collect();
      assert.equal(sums.length, n);
      assert.equal(
        sums.reduce((a, b) => a + b, 0),
        2 * data.reduce((a, b) => a + b, 0),
      );
    });
    await t.step(`RDD.keyBy() with ${n} partitions`, async () => {
      assert.deepEqual(
        await rdd.keyBy((x) => x % 3).collect(),
        data.map((x) => [x % 3, x]),
      );
    });
    await t.step(`RDD.distinct() with ${n} partitions`, async () => {
      assert.deepEqual(
        bag(await rdd.distinct().collect()),
        bag([...new Set(data)]),
      );
    });
    await t.step(`RDD.union() with ${n} partitions`, async () => {
      const other = randomInts(r, 50);
      const u = rdd.union(sc.parallelize(other, 2));
      assert.equal(u.numPartitions, n + 2);
      assert.deepEqual(await u.collect(), [...data, ...other]);
    });
    await t.step(`RDD.sample() with ${n} partitions`, async () => {
      assert.deepEqual(await rdd.sample(false, 1, 3).collect(), data);
      assert.deepEqual(await rdd.sample(false, 0, 3).collect(), []);
      const a = await rdd.sample(true, 0.5, 9).collect();
      assert.deepEqual(await rdd.sample(true, 0.5, 9).collect(), a);
      for (const x of a) assert.ok(data.includes(x));
    });
    await t.step(`RDD.repartition() with ${n} partitions`, async () => {
      const re = rdd.repartition(5);
      assert.equal(re.numPartitions, 5);
      const parts = await re.glom().collect();
      assert.deepEqual(bag(parts.flat()), bag(data));
      const sizes = parts.map((p) => p.length);
      assert.ok(
        Math.max(...sizes) - Math.min(...sizes) <= n,
        `unbalanced: ${sizes}`,
      );
    });
    await t.step(`RDD.coalesce() with ${n} partitions`, async () => {
      const c = rdd.coalesce(2);
      assert.equal(c.numPartitions, Math.min(2, n));
      assert.deepEqual(await c.collect(), data);
    });
    await t.step(`RDD.sortBy() with ${n} partitions`, async () => {
      assert.deepEqual(
        await rdd.sortBy((x) => x).collect(),
        [...data].sort((a, b) => a - b),
      );
      assert.deepEqual(
        await rdd.sortBy((x) => x, false, 3).collect(),
        [...data].sort((a, b) => b - a),
      );
    });
    await t.step(`RDD.cache() with ${n} partitions`, async () => {
      const c = rdd.map((x) => x + 1).cache();
      assert.deepEqual(await c.collect(), data.map((x) => x + 1));
      assert.deepEqual(await c.collect(), data.map((x) => x + 1));
      assert.equal(await c.count(), data.length);
    });
  }
});

Deno.test("RDD actions match plain-JS references on random data", async (t) => {
  await using sc = new SparkContext({ parallelism: 2 });
  const r = rand(2);
  for (const n of PARTITIONS) {
    const data = randomInts(r, 1 + Math.floor(r() * 300));
    const rdd = sc.parallelize(data, n);
    await t.step(`RDD.count() and collect() with ${n} partitions`, async () => {
      assert.equal(await rdd.count(), data.length);
      assert.deepEqual(await rdd.collect(), data);
    });
    await t.step(
      `RDD.reduce(), fold() and aggregate() with ${n} partitions`,
      async () => {
        const sum = data.reduce((a, b) => a + b, 0);
        assert.equal(await rdd.reduce((a, b) => a + b), sum);
        assert.equal(await rdd.fold(0, (a, b) => a + b), sum);
        assert.deepEqual(
          await rdd.aggregate(
            { n: 0, s: 0 },
            (a, x) => ({ n: a.n + 1, s: a.s + x }),
            (a, b) => ({ n: a.n + b.n, s: a.s + b.s }),
          ),
          { n: data.length, s: sum },
        );
        assert.equal(
          await rdd.reduce((a, b) => Math.max(a, b)),
          Math.max(...data),
        );
      },
    );
    await t.step(`RDD.take() and first() with ${n} partitions`, async () => {
      for (const k of [0, 1, 5, data.length, data.length + 3]) {
        assert.deepEqual(await rdd.take(k), data.slice(0, k));
      }
      assert.equal(await rdd.first(), data[0]);
      assert.equal(await rdd.isEmpty(), false);
    });
    await t.step(
      `RDD.top() and takeOrdered() with ${n} partitions`,
      async () => {
        const asc = [...data].sort((a, b) => a - b);
        assert.deepEqual(await rdd.top(4), [...asc].reverse().slice(0, 4));
        assert.deepEqual(await rdd.takeOrdered(4), asc.slice(0, 4));
        const byAbs = await rdd.takeOrdered(
          3,
          (x, env) => Math.abs(x - env.c),
          { c: 0 },
        );
        assert.deepEqual(
          byAbs.map(Math.abs),
          data.map(Math.abs).sort((a, b) => a - b).slice(0, 3),
        );
      },
    );
    await t.step(`RDD.countByValue() with ${n} partitions`, async () => {
      const ref = new Map<number, number>();
      for (const x of data) ref.set(x, (ref.get(x) ?? 0) + 1);
      assert.deepEqual(
        [...(await rdd.countByValue())].sort((a, b) => a[0] - b[0]),
        [...ref].sort((a, b) => a[0] - b[0]),
      );
    });
    await t.step(`RDD.toLocalIterator() with ${n} partitions`, async () => {
      const out: number[] = [];
      for await (const x of rdd.toLocalIterator()) out.push(x);
      assert.deepEqual(out, data);
    });
  }
});

Deno.test("RDD pair transformations match plain-JS references on random data", async (t) => {
  await using sc = new SparkContext({ parallelism: 2 });
  const r = rand(3);
  for (const n of PARTITIONS) {
    const pairs = randomPairs(r, Math.floor(r() * 400));
    const rdd = sc.parallelize(pairs, n);
    const groups = groupRef(pairs);
    const sumRef = [...groups.values()].map((
      [k, vs],
    ) => [k, vs.reduce((a, b) => a + b, 0)]);
    await t.step(`RDD.reduceByKey() with ${n} partitions`, async () => {
      assert.deepEqual(
        bag(await rdd.reduceByKey((a, b) => a + b).collect()),
        bag(sumRef),
      );
      assert.deepEqual(
        bag(await rdd.reduceByKey((a, b) => a + b, 5).collect()),
        bag(sumRef),
      );
    });
    await t.step(`RDD.foldByKey() with ${n} partitions`, async () => {
      assert.deepEqual(
        bag(await rdd.foldByKey(100, (a, b) => a + b, 1).collect()).length,
        groups.size,
      );
      const res = await rdd.foldByKey(0, (a, b) => a + b).collect();
      assert.deepEqual(bag(res), bag(sumRef));
    });
    await t.step(`RDD.aggregateByKey() with ${n} partitions`, async () => {
      const res = await rdd.aggregateByKey(
        [] as number[],
        (acc, v) => [...acc, v],
        (a, b) => [...a, ...b],
      ).mapValues((vs) => vs.sort((a, b) => a - b)).collect();
      assert.deepEqual(
        bag(res),
        bag(
          [...groups.values()].map(([k, vs]) => [
            k,
            [...vs].sort((a, b) => a - b),
          ]),
        ),
      );
    });
    await t.step(`RDD.combineByKey() with ${n} partitions`, async () => {
      const res = await rdd.combineByKey(
        (v) => ({ c: 1, s: v }),
        (acc, v) => ({ c: acc.c + 1, s: acc.s + v }),
        (a, b) => ({ c: a.c + b.c, s: a.s + b.s }),
        3,
      ).collect();
      assert.deepEqual(
        bag(res),
        bag(
          [...groups.values()].map((
            [k, vs],
          ) => [k, { c: vs.length, s: vs.reduce((a, b) => a + b, 0) }]),
        ),
      );
    });
    await t.step(`RDD.groupByKey() with ${n} partitions`, async () => {
      const res = await rdd.groupByKey().mapValues((vs) =>
        vs.sort((a, b) => a - b)
      ).collect();
      assert.deepEqual(
        bag(res),
        bag(
          [...groups.values()].map(([k, vs]) => [
            k,
            [...vs].sort((a, b) => a - b),
          ]),
        ),
      );
    });
    await t.step(
      `RDD.mapValues(), flatMapValues(), keys(), values() with ${n} partitions`,
      async () => {
        assert.deepEqual(
          await rdd.mapValues((v) => v * 2).collect(),
          pairs.map(([k, v]) => [k, v * 2]),
        );
        assert.deepEqual(
          await rdd.flatMapValues((v) => v % 2 ? [v] : [v, -v]).collect(),
          pairs.flatMap(([k, v]) => (v % 2 ? [v] : [v, -v]).map((w) => [k, w])),
        );
        assert.deepEqual(await rdd.keys().collect(), pairs.map((p) => p[0]));
        assert.deepEqual(await rdd.values().collect(), pairs.map((p) => p[1]));
      },
    );
    await t.step(
      `RDD.countByKey() and collectAsMap() with ${n} partitions`,
      async () => {
        const counts = await rdd.countByKey();
        assert.equal(counts.size, groups.size);
        for (const [k, c] of counts) {
          assert.equal(c, groups.get(keyOf(k))![1].length);
        }
        const numeric = sc.parallelize(
          [[1, "a"], [2, "b"], [1, "c"]] as [number, string][],
          n,
        );
        assert.deepEqual(
          await numeric.collectAsMap(),
          new Map([[1, "c"], [2, "b"]]),
        );
      },
    );
    await t.step(
      `RDD.sortByKey() is globally ordered with ${n} partitions`,
      async () => {
        const numeric = pairs.map(([, v], i) =>
          [v * 1000 + i, i] as [number, number]
        );
        const s = sc.parallelize(numeric, n);
        for (const asc of [true, false]) {
          const sorted = s.sortByKey(asc, 4);
          const parts = await sorted.glom().collect();
          const flat = parts.flat();
          const ref = [...numeric].sort((a, b) =>
            asc ? a[0] - b[0] : b[0] - a[0]
          );
          assert.deepEqual(flat, ref);
          if (numeric.length > 100) {
            assert.ok(
              parts.filter((p) => p.length > 0).length > 1,
              "range partitioning spreads keys",
            );
          }
        }
      },
    );
    await t.step(
      `RDD.partitionBy() co-locates keys with ${n} partitions`,
      async () => {
        const parts = await rdd.partitionBy(4).glom().collect();
        assert.equal(parts.length, 4);
        const where = new Map<string, number>();
        parts.forEach((p, i) => {
          for (const [k] of p) {
            const e = keyOf(k);
            assert.ok(
              !where.has(e) || where.get(e) === i,
              `key ${e} in two partitions`,
            );
            where.set(e, i);
          }
        });
        assert.deepEqual(bag(parts.flat()), bag(pairs));
      },
    );
    await t.step(`RDD.join() family with ${n} partitions`, async () => {
      const right = randomPairs(r, 60).map(([k, v]) =>
        [k, `w${v}`] as [unknown, string]
      );
      const other = sc.parallelize(right, 2);
      const rg = groupRef(right);
      const inner: unknown[] = [],
        left: unknown[] = [],
        rightOuter: unknown[] = [],
        full: unknown[] = [];
      for (const [e, [k, vs]] of groups) {
        const ws = rg.get(e)?.[1] ?? [];
        for (const v of vs) {
          if (ws.length === 0) {
            left.push([k, [v, null]]);
            full.push([k, [v, null]]);
          }
          for (const w of ws) {
            inner.push([k, [v, w]]);
            left.push([k, [v, w]]);
            rightOuter.push([k, [v, w]]);
            full.push([k, [v, w]]);
          }
        }
      }
      for (const [e, [k, ws]] of rg) {
        if (groups.has(e)) {
          continue;
        }
        for (const w of ws) {
          rightOuter.push([k, [null, w]]);
          full.push([k, [null, w]]);
        }
      }
      assert.deepEqual(bag(await rdd.join(other).collect()), bag(inner));
      assert.deepEqual(
        bag(await rdd.leftOuterJoin(other).collect()),
        bag(left),
      );
      assert.deepEqual(
        bag(await rdd.rightOuterJoin(other, 3).collect()),
        bag(rightOuter),
      );
      assert.deepEqual(
        bag(await rdd.fullOuterJoin(other).collect()),
        bag(full),
      );
      const cg = await rdd.cogroup(other).collect();
      const keys = new Set([...groups.keys(), ...rg.keys()]);
      assert.equal(cg.length, keys.size);
      for (const [k, [vs, ws]] of cg) {
        assert.deepEqual(bag(vs), bag(groups.get(keyOf(k))?.[1] ?? []));
        assert.deepEqual(bag(ws), bag(rg.get(keyOf(k))?.[1] ?? []));
      }
    });
    await t.step(
      `RDD.distinct() on tuples by value with ${n} partitions`,
      async () => {
        const keys = await rdd.keys().distinct().collect();
        assert.equal(keys.length, groups.size);
      },
    );
  }
});

Deno.test("RDD.reduceByKey() skips the shuffle when the partitioner already matches", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const pairs: Pair[] = Array.from({ length: 500 }, (_, i) => [i % 17, i]);
  const parted = sc.parallelize(pairs, 3).partitionBy(4);
  const reduced = parted.reduceByKey((a, b) => a + b, 4);
  const res = await reduced.collect();
  assert.equal(res.length, 17);
  const shuffleStages = sc.lastJob!.stages.filter((s) =>
    s.kind === "ShuffleMapStage"
  );
  assert.equal(shuffleStages.length, 1, "only partitionBy shuffles");
  // A join of two RDDs with the same partitioner is narrow too.
  const other = sc.parallelize(pairs.slice(0, 50), 2).partitionBy(4);
  await reduced.join(other).count();
  assert.equal(
    sc.lastJob!.stages.filter((s) => s.kind === "ShuffleMapStage").length,
    1,
    "the first shuffle's output is reused; only `other` shuffles",
  );
  await reduced.join(other).count();
  assert.equal(
    sc.lastJob!.stages.filter((s) => s.kind === "ShuffleMapStage").length,
    0,
  );
  // A different partition count does shuffle.
  await parted.reduceByKey((a, b) => a + b, 3).count();
  assert.equal(
    sc.lastJob!.stages.filter((s) => s.kind === "ShuffleMapStage").length,
    1,
  );
});

Deno.test("RDD.reduceByKey() combines on the map side before the shuffle", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  // 10,000 records over 3 keys: with map-side combine each map task sends
  // at most 3 records, so a per-record reduce function runs on few values
  // on the reduce side. Count the merge calls through the reduce result.
  const rdd = sc.range(10_000, undefined, 1, 4).map((x) =>
    [x % 3, 1] as [number, number]
  );
  const counted = rdd.combineByKey(
    (v) => ({ n: v, merges: 0 }),
    (c, v) => ({ n: c.n + v, merges: c.merges }),
    (a, b) => ({ n: a.n + b.n, merges: a.merges + b.merges + 1 }),
    2,
  );
  const res = new Map(await counted.collect());
  for (const k of [0, 1, 2]) {
    const c = res.get(k)!;
    assert.ok(c.n === 3333 || c.n === 3334);
    // 4 map tasks -> at most 3 combiner merges per key on the reduce side.
    assert.ok(c.merges <= 3, `merges ${c.merges}`);
  }
});

Deno.test("RDD.toDebugString() indents each stage", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  const rdd = sc.parallelize(["a b", "b"], 2)
    .flatMap((l) => l.split(" "))
    .map((w) => [w, 1] as [string, number])
    .reduceByKey((a, b) => a + b)
    .sortByKey();
  const s = rdd.toDebugString();
  assert.match(s, /^\(2\) ShuffledRDD\[\d+\] at sortByKey/);
  assert.match(s, /\n \+-\(2\) ShuffledRDD\[\d+\] at reduceByKey/);
  assert.match(s, /\n {4}\+-\(2\) MapPartitionsRDD\[\d+\] at map/);
  assert.match(s, /\n {7}\| {2}ParallelCollectionRDD\[\d+\] at parallelize/);
  assert.deepEqual(await rdd.collect(), [["a", 1], ["b", 2]]);
});

Deno.test("RDD lineage of thousands of transformations runs without recursion limits", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  let rdd = sc.range(10, undefined, 1, 2);
  for (let i = 0; i < 3000; i++) rdd = rdd.map((x) => x + 1);
  assert.deepEqual(
    await rdd.collect(),
    Array.from({ length: 10 }, (_, i) => i + 3000),
  );
  assert.equal(rdd.toDebugString().split("\n").length > 3000, true);
  let shuffled = sc.parallelize([[1, 1]] as [number, number][], 1);
  for (let i = 0; i < 60; i++) {
    shuffled = shuffled.reduceByKey((a, b) => a + b, 1 + (i % 2));
  }
  assert.deepEqual(await shuffled.collect(), [[1, 1]]);
});

Deno.test("RDD.cache() keeps partitions in the worker that computed them", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const dir = await Deno.makeTempDir();
  try {
    // Each computation of a partition appends a line to a file: a cached RDD
    // computes each partition once across jobs.
    const rdd = sc.range(20, undefined, 1, 4).mapPartitionsWithIndex(
      (i, rows, env) => {
        Deno.writeTextFileSync(`${env.dir}/runs`, `${i}\n`, { append: true });
        return rows;
      },
      { dir },
    ).cache();
    assert.equal(await rdd.count(), 20);
    assert.equal(await rdd.reduce((a, b) => a + b), 190);
    assert.deepEqual(await rdd.take(3), [0, 1, 2]);
    const runs = (await Deno.readTextFile(`${dir}/runs`)).trim().split("\n");
    assert.deepEqual(runs.sort(), ["0", "1", "2", "3"]);
    rdd.unpersist();
    assert.equal(await rdd.count(), 20);
    const after = (await Deno.readTextFile(`${dir}/runs`)).trim().split("\n");
    assert.equal(after.length, 8);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext.range() matches a plain loop", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const cases: [number, number | undefined, number, number][] = [
    [10, undefined, 1, 3],
    [5, 50, 7, 4],
    [10, 0, -3, 2],
    [0, 0, 1, 2],
    [3, 1, 1, 2],
  ];
  for (const [a, b, step, n] of cases) {
    const ref: number[] = [];
    const [s, e] = b === undefined ? [0, a] : [a, b];
    for (let v = s; step > 0 ? v < e : v > e; v += step) ref.push(v);
    assert.deepEqual(
      await sc.range(a, b, step, n).collect(),
      ref,
      `${a} ${b} ${step}`,
    );
  }
});

Deno.test("RDD.foreach() runs in the workers", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const dir = await Deno.makeTempDir();
  try {
    await sc.range(6, undefined, 1, 3).foreach(async (x, env) => {
      await Deno.writeTextFile(`${env.dir}/${x}`, String(x * x));
    }, { dir });
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["0", "1", "2", "3", "4", "5"]);
    assert.equal(await Deno.readTextFile(`${dir}/5`), "25");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD set operations and numeric actions match plain-JS references", async (t) => {
  await using sc = new SparkContext({ parallelism: 2 });
  const r = rand(4);
  for (const n of PARTITIONS) {
    const a = randomInts(r, 1 + Math.floor(r() * 200), 30);
    const b = randomInts(r, Math.floor(r() * 100), 30);
    const ra = sc.parallelize(a, n), rb = sc.parallelize(b, 2);
    await t.step(
      `RDD.intersection(), subtract() with ${n} partitions`,
      async () => {
        const inB = new Set(b);
        assert.deepEqual(
          bag(await ra.intersection(rb).collect()),
          bag([...new Set(a.filter((x) => inB.has(x)))]),
        );
        assert.deepEqual(
          bag(await ra.subtract(rb).collect()),
          bag(a.filter((x) => !inB.has(x))),
        );
      },
    );
    await t.step(
      `RDD.sum(), min(), max(), mean() with ${n} partitions`,
      async () => {
        const sum = a.reduce((x, y) => x + y, 0);
        assert.equal(await ra.sum(), sum);
        assert.equal(await ra.min(), Math.min(...a));
        assert.equal(await ra.max(), Math.max(...a));
        assert.ok(Math.abs((await ra.mean()) - sum / a.length) < 1e-9);
      },
    );
    await t.step(`RDD.zipWithIndex() with ${n} partitions`, async () => {
      assert.deepEqual(
        await (await ra.zipWithIndex()).collect(),
        a.map((x, i) => [x, i]),
      );
    });
    await t.step(
      `RDD.subtractByKey() and lookup() with ${n} partitions`,
      async () => {
        const pairs = randomPairs(r, 100);
        const other = randomPairs(r, 20);
        const rp = sc.parallelize(pairs, n);
        const drop = new Set(other.map(([k]) => keyOf(k)));
        assert.deepEqual(
          bag(await rp.subtractByKey(sc.parallelize(other, 2)).collect()),
          bag(pairs.filter(([k]) => !drop.has(keyOf(k)))),
        );
        const key = pairs[0]![0];
        assert.deepEqual(
          bag(await rp.lookup(key)),
          bag(pairs.filter(([k]) => keyOf(k) === keyOf(key)).map((p) => p[1])),
        );
      },
    );
  }
  assert.equal(await sc.parallelize([] as number[]).sum(), 0);
  assert.ok(Number.isNaN(await sc.parallelize([] as number[]).mean()));
  await assert.rejects(
    () => sc.parallelize([] as number[]).max(),
    /RDD is empty/,
  );
});

Deno.test("RDD.foreachPartition() gets each partition's rows once", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const dir = await Deno.makeTempDir();
  try {
    await sc.range(30, undefined, 1, 3).foreachPartition((rows, env) => {
      const xs = [...rows];
      Deno.writeTextFileSync(`${env.dir}/${xs[0]}`, xs.join(","));
    }, { dir });
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort((x, y) =>
      +x - +y
    );
    assert.deepEqual(names, ["0", "10", "20"]);
    assert.equal(
      await Deno.readTextFile(`${dir}/10`),
      "10,11,12,13,14,15,16,17,18,19",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD.sortByKey() range partitions spread uniform keys evenly", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const r = rand(11);
  const pairs = Array.from(
    { length: 20_000 },
    () => [Math.floor(r() * 1e6), null] as [number, null],
  );
  const parts = await sc.parallelize(pairs, 5).sortByKey(true, 4).glom()
    .collect();
  assert.equal(parts.length, 4);
  for (const p of parts) {
    assert.ok(
      p.length > 20_000 * 0.15 && p.length < 20_000 * 0.35,
      `partition of ${p.length}`,
    );
  }
  // Boundaries are ordered: every key in a partition is <= every key after it.
  for (let i = 1; i < parts.length; i++) {
    assert.ok(parts[i - 1]!.at(-1)![0] <= parts[i]![0]![0]);
  }
});

Deno.test("SparkContext.union() and emptyRDD() behave like their RDD forms", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const e = sc.emptyRDD<number>();
  assert.equal(e.numPartitions, 0);
  assert.deepEqual(await e.collect(), []);
  assert.equal(await e.count(), 0);
  assert.equal(await e.isEmpty(), true);
  assert.deepEqual(
    await e.map((x) => [x, 1] as [number, number]).reduceByKey((a, b) => a + b)
      .collect(),
    [],
  );
  const u = sc.union([
    sc.range(3, undefined, 1, 2),
    e,
    sc.parallelize([7, 8], 3),
  ]);
  assert.equal(u.numPartitions, 5);
  assert.deepEqual(await u.collect(), [0, 1, 2, 7, 8]);
  assert.throws(() => sc.union([]), /non-empty array of RDDs/);
});
