import assert from "node:assert/strict";
import { SparkContext } from "../../spark/mod.ts";
import {
  evaluatePartition,
  ExpectationSuite,
  finalizeValidation,
  mergePartialStates,
  QualityError,
  validate,
} from "../../quality/mod.ts";
import { comparable, stream } from "./_helpers.ts";

// Rows with duplicates across partition boundaries, nulls, NaN, mixed types
// and floats whose sums depend on the order of addition.
const ROWS = Array.from({ length: 2000 }, (_, i) => ({
  id: i % 1990,
  mag: i % 13 === 0 ? null : i % 17 === 0 ? NaN : ((i * 7919) % 1000) / 97,
  t: i === 1000 ? 5 : i,
  type: i % 101 === 0 ? "quarry blast" : "earthquake",
  place: i % 250 === 0 ? 42 : `${i % 40}km N of Town, CA`,
  day: i % 333 === 0 ? "2018-02-30" : `2018-02-0${1 + (i % 7)}`,
}));

const SUITE = new ExpectationSuite("identical")
  .expectTableRowCountToBeBetween(1, 5000)
  .expectTableColumnsToMatchOrderedList([
    "id",
    "mag",
    "t",
    "type",
    "place",
    "day",
  ])
  .expectColumnValuesToNotBeNull("mag", { mostly: 0.9 })
  .expectColumnValuesToBeBetween("mag", 0, 9)
  .expectColumnValuesToBeInSet("type", ["earthquake"], { mostly: 0.99 })
  .expectColumnValuesToMatchRegex("place", ", CA$")
  .expectColumnValuesToBeUnique("id")
  .expectCompoundColumnsToBeUnique(["id", "type"])
  .expectColumnValuesToBeIncreasing("t")
  .expectColumnValueLengthsToBeBetween("place", 1, 20)
  .expectColumnValuesToMatchStrftimeFormat("day", "%Y-%m-%d")
  .expectColumnMeanToBeBetween("mag", 0, 10)
  .expectColumnMedianToBeBetween("mag", 0, 10)
  .expectColumnStdevToBeBetween("mag", 0, 10)
  .expectColumnSumToBeBetween("mag", 0, 1e6)
  .expectColumnMinToBeBetween("mag", 0, 1)
  .expectColumnMaxToBeBetween("mag", 9, 11)
  .expectColumnUniqueValueCountToBeBetween("type", 1, 2)
  .expectColumnProportionOfUniqueValuesToBeBetween("id", 0.9, 1)
  .expectColumnValuesToNotBeNull("missing_column")
  .expectColumnMeanToBeBetween("place", 0, 1)
  .expectColumnValuesToBeBetween("mag", { minValue: 5, maxValue: 1 })
  .expectColumnValuesToBeBetween("mag", 0, 5, {
    rowCondition: 'col("type") == "quarry blast"',
  })
  .expectColumnDistinctValuesToEqualSet("type", ["earthquake", "quarry blast"])
  .expectColumnPairValuesAToBeGreaterThanB("t", "id", { orEqual: true });

function* iterate<T>(rows: T[]): Generator<T> {
  yield* rows;
}

Deno.test("validate() gives identical results for array, iterable, async iterable and RDD inputs", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  for (const resultFormat of ["SUMMARY", "COMPLETE"] as const) {
    const array = comparable(await validate(ROWS, SUITE, { resultFormat }));
    assert.deepEqual(
      comparable(await validate(iterate(ROWS), SUITE, { resultFormat })),
      array,
    );
    assert.deepEqual(
      comparable(await validate(stream(ROWS), SUITE, { resultFormat })),
      array,
    );
    for (const partitions of [1, 3, 7]) {
      const rdd = sc.parallelize(ROWS, partitions);
      assert.deepEqual(
        comparable(await validate(rdd, SUITE, { resultFormat })),
        array,
        `${resultFormat} ${partitions}`,
      );
    }
  }
  const result = await validate(ROWS, SUITE);
  // The suite is built to exercise failures, exceptions and passes.
  assert.deepEqual(
    result.results.map((
      r,
    ) => (r.exception_info.raised_exception ? "raised" : r.success)),
    [
      true,
      true,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      "raised",
      "raised",
      "raised",
      false,
      true,
      false,
    ],
  );
  const unique = result.results[6]!.result;
  assert.equal(unique.unexpected_count, 20);
  assert.deepEqual(unique.partial_unexpected_index_list!.slice(10), [
    1990,
    1991,
    1992,
    1993,
    1994,
    1995,
    1996,
    1997,
    1998,
    1999,
  ]);
  assert.deepEqual(result.results[8]!.result.partial_unexpected_index_list, [
    1000,
  ]);
  // Exactly 1% quarry blasts: mostly 0.99 holds at its boundary.
  assert.equal(result.results[4]!.result.unexpected_count, 20);
  assert.equal(
    result.results[20]!.exception_info.exception_message,
    'Column "place" has a non-numeric value for mean: "1km N of Town, CA"',
  );
});

Deno.test("validate() of an RDD with empty partitions matches the array", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const rows = ROWS.slice(0, 3);
  const rdd = sc.parallelize(rows, 6);
  assert.deepEqual(
    comparable(await validate(rdd, SUITE)),
    comparable(await validate(rows, SUITE)),
  );
  const none = sc.parallelize([] as unknown[], 2);
  assert.deepEqual(
    comparable(await validate(none, SUITE)),
    comparable(await validate([], SUITE)),
  );
});

Deno.test("validate() of sc.csv() rows read in the workers matches the array of the same rows", async () => {
  // What the CSV holds: nulls as empty fields, NaN as "NaN", every place a
  // (quoted, comma-holding) string.
  const rows = ROWS.map((r) => ({ ...r, place: String(r.place) }));
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/rows.csv`;
    await Deno.writeTextFile(
      path,
      "id,mag,t,type,place,day\n" +
        rows.map((r) =>
          `${r.id},${r.mag ?? ""},${r.t},${r.type},"${r.place}",${r.day}\n`
        ).join(""),
    );
    await using sc = new SparkContext({ parallelism: 2 });
    const rdd = sc.csv(path, {
      header: true,
      schema:
        "id INT, mag DOUBLE, t INT, type STRING, place STRING, day STRING",
      minPartitions: 5,
    });
    assert.ok(rdd.getNumPartitions() >= 5);
    for (const resultFormat of ["SUMMARY", "COMPLETE"] as const) {
      const fromFile = await validate(rdd, SUITE, { resultFormat });
      assert.equal(sc.lastJob?.counters.malformedRows ?? 0, 0);
      assert.deepEqual(
        comparable(fromFile),
        comparable(await validate(rows, SUITE, { resultFormat })),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validate() rejects rows that are not objects with QualityError, for every input kind", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const suite = new ExpectationSuite("s").expectColumnValuesToNotBeNull("a");
  const bad = [{ a: 1 }, { a: 2 }, 7, { a: 3 }];
  const check = (e: unknown) =>
    e instanceof QualityError &&
    e.message === "Row must be an object: 7 at row 2";
  await assert.rejects(() => validate(bad, suite), check);
  await assert.rejects(() => validate(iterate(bad), suite), check);
  await assert.rejects(() => validate(stream(bad), suite), check);
  await assert.rejects(() => validate(sc.parallelize(bad, 2), suite), check);
  await assert.rejects(
    () => validate([null], suite),
    /Row must be an object: null at row 0/,
  );
  await assert.rejects(
    () => validate([[1, 2]], suite),
    /Row must be an object: \[1,2\] at row 0/,
  );
  await assert.rejects(
    () => validate(["row"], suite),
    /Row must be an object: "row" at row 0/,
  );
  await assert.rejects(
    () => validate(42 as never, suite),
    /^QualityError: Data must be an array, an iterable, an async iterable or an RDD: 42$/,
  );
  await assert.rejects(
    () => validate([], 42 as never),
    /Suite must be an ExpectationSuite or its JSON: 42/,
  );
});

Deno.test("validate() streams: map expectations keep at most 20 samples per expectation", async () => {
  let produced = 0;
  async function* many() {
    for (let i = 0; i < 50_000; i++) {
      produced++;
      yield { v: i % 3 === 0 ? -1 : i };
    }
  }
  const suite = new ExpectationSuite("s").expectColumnValuesToBeBetween(
    "v",
    0,
    null,
  ).expectColumnValuesToNotBeNull("v");
  const result = await validate(many(), suite);
  assert.equal(produced, 50_000);
  assert.equal(result.results[0]!.result.unexpected_count, 16_667);
  assert.equal(result.results[0]!.result.partial_unexpected_list!.length, 20);
  const state = evaluatePartition(
    Array.from({ length: 5000 }, () => ({ v: -1 })),
    suite,
  );
  const kept = state.states[0] as { vals: unknown[] };
  assert.equal(kept.vals.length, 20);
});

Deno.test("validate() stops a stream when the signal aborts", async () => {
  const controller = new AbortController();
  async function* endless() {
    for (let i = 0;; i++) {
      if (i === 10) controller.abort(new Error("stop"));
      yield { v: i };
    }
  }
  await assert.rejects(
    () =>
      validate(endless(), new ExpectationSuite("s"), {
        signal: controller.signal,
      }),
    /stop/,
  );
});

Deno.test("evaluatePartition() states merge in row order into the array result", () => {
  const parts = [ROWS.slice(0, 700), ROWS.slice(700, 701), ROWS.slice(701)];
  const states = parts.map((p) =>
    structuredClone(evaluatePartition(p, SUITE.toJSON(), "COMPLETE"))
  );
  const merged = finalizeValidation(mergePartialStates(states), SUITE, {
    resultFormat: "COMPLETE",
  });
  const whole = finalizeValidation(
    evaluatePartition(ROWS, SUITE, "COMPLETE"),
    SUITE,
    { resultFormat: "COMPLETE" },
  );
  assert.deepEqual(comparable(merged), comparable(whole));
  assert.throws(() => mergePartialStates([]), QualityError);
  assert.throws(
    () =>
      finalizeValidation(
        evaluatePartition([], SUITE),
        new ExpectationSuite("other"),
      ),
    /Partial state does not match suite "other": 25 states for 0 expectations/,
  );
});

Deno.test("validate() rejects an RDD-like object whose context cannot register modules", async () => {
  const fake = {
    context: {},
    mapPartitions: () => ({ collect: () => Promise.resolve([]) }),
  };
  await assert.rejects(
    () => validate(fake as never, new ExpectationSuite("s")),
    /^QualityError: RDD context must have addModule\(name, specifier\): \[\]$/,
  );
});
