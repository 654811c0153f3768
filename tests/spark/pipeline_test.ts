import assert from "node:assert/strict";
import { type RDD, SparkContext } from "../../spark/mod.ts";
import { bag, rand, randomInts } from "./_helpers.ts";

type Step = {
  name: string;
  rdd: (r: RDD<number>) => RDD<number>;
  ref: (xs: number[]) => number[];
  /** Whether the step keeps the reference order meaningful. */
  ordered: boolean;
};

const STEPS: Step[] = [
  {
    name: "map",
    rdd: (r) => r.map((x) => x * 2 - 1),
    ref: (xs) => xs.map((x) => x * 2 - 1),
    ordered: true,
  },
  {
    name: "filter",
    rdd: (r) => r.filter((x, env) => x % env.m !== 0, { m: 3 }),
    ref: (xs) => xs.filter((x) => x % 3 !== 0),
    ordered: true,
  },
  {
    name: "flatMap",
    rdd: (r) => r.flatMap((x) => x > 0 ? [x, -x] : [x]),
    ref: (xs) => xs.flatMap((x) => x > 0 ? [x, -x] : [x]),
    ordered: true,
  },
  {
    name: "distinct",
    rdd: (r) => r.distinct(3),
    ref: (xs) => [...new Set(xs)],
    ordered: false,
  },
  {
    name: "repartition",
    rdd: (r) => r.repartition(4),
    ref: (xs) => xs,
    ordered: false,
  },
  {
    name: "coalesce",
    rdd: (r) => r.coalesce(2),
    ref: (xs) => xs,
    ordered: true,
  },
  {
    name: "sortBy",
    rdd: (r) => r.sortBy((x) => x, true, 3),
    ref: (xs) => [...xs].sort((a, b) => a - b),
    ordered: true,
  },
  {
    name: "union(self)",
    rdd: (r) => r.union(r.map((x) => x + 1000)),
    ref: (xs) => [...xs, ...xs.map((x) => x + 1000)],
    ordered: true,
  },
  {
    name: "reduceByKey round trip",
    rdd: (r) =>
      r.map((x) => [x, 1] as [number, number]).reduceByKey((a, b) => a + b)
        .flatMap(([k, n]) => Array.from({ length: n }, () => k)),
    ref: (xs) => xs,
    ordered: false,
  },
  {
    name: "join with self",
    rdd: (r) => {
      const keyed = r.distinct().map((x) => [x, x] as [number, number]);
      return keyed.join(keyed).map(([k, [a, b]]) => k + a + b);
    },
    ref: (xs) => [...new Set(xs)].map((x) => 3 * x),
    ordered: false,
  },
];

Deno.test("RDD random pipelines of transformations match array references", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const r = rand(99);
  for (let trial = 0; trial < 25; trial++) {
    let data = randomInts(r, Math.floor(r() * 120), 40);
    let rdd = sc.parallelize(data, 1 + Math.floor(r() * 5));
    let ordered = true;
    const names: string[] = [];
    for (let k = 0; k < 1 + Math.floor(r() * 4); k++) {
      const step = STEPS[Math.floor(r() * STEPS.length)]!;
      names.push(step.name);
      rdd = step.rdd(rdd);
      data = step.ref(data);
      // An unordered step makes order meaningless until a sort restores it.
      ordered = step.name === "sortBy" ? true : ordered && step.ordered;
    }
    const got = await rdd.collect();
    if (ordered) assert.deepEqual(got, data, names.join(" > "));
    else assert.deepEqual(bag(got), bag(data), names.join(" > "));
    assert.equal(await rdd.count(), data.length, names.join(" > "));
  }
});
