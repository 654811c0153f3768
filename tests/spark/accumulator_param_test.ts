// Accumulators of other types than number, with PySpark's AccumulatorParam:
// terms travel from tasks to the driver, which adds each successful task's
// terms once.
import assert from "node:assert/strict";
import {
  type AccumulatorParam,
  SparkContext,
  SparkError,
} from "../../spark/mod.ts";

const vector: AccumulatorParam<number[]> = {
  zero: (v) => v.map(() => 0),
  addInPlace: (a, b) => {
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
    return a;
  },
};

Deno.test("sc.accumulator(value, param) adds vectors from tasks on two workers", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const va = sc.accumulator([1, 2, 3], vector);
  await sc.range(0, 100, 1, 4).foreach(
    (x, env) => env.va.add([1, x, x % 2]),
    { va },
  );
  assert.deepEqual(va.value, [101, 2 + 4950, 3 + 50]);
  // The driver can add too, through the same param.
  va.add([1, 1, 1]);
  assert.deepEqual(va.value, [102, 4953, 54]);
});

Deno.test("a custom accumulator counts a retried task's terms once", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  const dir = await Deno.makeTempDir();
  try {
    const seen = sc.accumulator<string[]>([], {
      zero: () => [],
      addInPlace: (a, b) => [...a, ...b].sort(),
    });
    await sc.parallelize(["b", "a", "c"], 3).mapPartitionsWithIndex(
      (i, rows, env) => {
        for (const s of rows) env.seen.add([s]);
        if (i === 2) {
          try {
            Deno.statSync(`${env.dir}/failed`);
          } catch {
            Deno.writeTextFileSync(`${env.dir}/failed`, "");
            throw new Error("first attempt fails after adding");
          }
        }
        return [];
      },
      { seen, dir },
    ).collect();
    assert.deepEqual(seen.value, ["a", "b", "c"]);
    await assert.rejects(
      () => sc.range(1).map((_, env) => env.seen.value, { seen }).collect(),
      /cannot be read inside a task/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sc.accumulator() refuses a non-number without a param, and a param without its functions", async () => {
  await using sc = new SparkContext({ parallelism: 1 });
  assert.throws(
    () => sc.accumulator("abc" as unknown as number),
    (e) =>
      e instanceof SparkError && /AccumulatorParam: string abc/.test(e.message),
  );
  assert.throws(
    () =>
      sc.accumulator(
        [0],
        { zero: (v: number[]) => v } as unknown as AccumulatorParam<number[]>,
      ),
    (e) =>
      e instanceof SparkError && /zero\(value\) and addInPlace/.test(e.message),
  );
  // A numeric accumulator still refuses a term that is not a number.
  const n = sc.accumulator(0);
  await assert.rejects(
    () =>
      sc.range(0, 2).foreach((_, env) => env.n.add("x" as unknown as number), {
        n,
      }),
    /needs a number: string x/,
  );
  assert.equal(n.value, 0);
});
