/**
 * Quality benchmark: 1M rows × 10 expectations through `validate()` against
 * a plain loop doing the same checks, in the same run; the same suite over a
 * stream and over a spark RDD on 2 workers; the USGS suite on the recorded week.
 *
 * Run: `deno task bench:quality` (add `--rows=N`, `--runs=N`). Times are the
 * best of the runs; the array path and the plain loop run interleaved.
 */

import { parseArgs } from "node:util";
import { SparkContext } from "../../spark/mod.ts";
import { ExpectationSuite, validate } from "../../quality/mod.ts";
import { readUsgsWeek, usgsEventSuite } from "../demo_quality.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "9" },
  },
});
const N = Number(values.rows);
const RUNS = Number(values.runs);

const TYPES = ["earthquake", "quarry blast", "explosion"];

interface Row {
  id: string;
  mag: number | null;
  place: string;
  time: number;
  depth: number;
  type: string;
}

// Deterministic synthetic events; 1 in 1000 magnitudes is null.
function makeRow(i: number): Row {
  return {
    id: "us" + i,
    mag: i % 1000 === 0 ? null : (i % 97) / 10,
    place: `${i % 50}km N of Town ${i % 13}, CA`,
    time: 1517000000000 + i * 1000,
    depth: (i % 300) / 3,
    type: TYPES[i % 3]!,
  };
}

function suite(): ExpectationSuite {
  return new ExpectationSuite("bench")
    .expectColumnValuesToNotBeNull("id")
    .expectColumnValuesToNotBeNull("mag", { mostly: 0.99 })
    .expectColumnValuesToBeBetween("mag", -1, 10)
    .expectColumnValuesToBeBetween("depth", -10, 800)
    .expectColumnValuesToBeInSet("type", TYPES)
    .expectColumnValuesToMatchRegex("id", "^[a-z]{2}\\d+$")
    .expectColumnValueLengthsToBeBetween("place", 1, 200)
    .expectColumnValuesToBeIncreasing("time")
    .expectColumnMeanToBeBetween("mag", 0, 10)
    .expectColumnMaxToBeBetween("depth", 0, 800);
}

// The same ten checks written by hand: counts, a mean and a max.
function plainLoop(
  rows: Row[],
): { failures: number[]; mean: number; max: number } {
  const failures = new Array(8).fill(0);
  const set = new Set(TYPES);
  const re = /^[a-z]{2}\d+$/;
  let sum = 0, n = 0, max = -Infinity, prev = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.id === null || r.id === undefined) failures[0]++;
    if (r.mag === null || r.mag === undefined) failures[1]++;
    else {
      if (!(r.mag >= -1 && r.mag <= 10)) failures[2]++;
      sum += r.mag;
      n++;
    }
    if (!(r.depth >= -10 && r.depth <= 800)) failures[3]++;
    if (!set.has(r.type)) failures[4]++;
    if (!re.test(r.id)) failures[5]++;
    if (!(r.place.length >= 1 && r.place.length <= 200)) failures[6]++;
    if (r.time < prev) failures[7]++;
    prev = r.time;
    if (r.depth > max) max = r.depth;
  }
  return { failures, mean: sum / n, max };
}

async function time(
  fn: () => Promise<unknown> | unknown,
  runs = RUNS,
): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return Math.min(...times);
}

async function* stream(rows: Row[]): AsyncGenerator<Row> {
  for (const row of rows) yield row;
}

const rows = Array.from({ length: N }, (_, i) => makeRow(i));
const s = suite();

// Both sides must agree before timing them.
const check = await validate(rows, s);
const loop = plainLoop(rows);
if (!check.success || loop.failures.some((f, i) => i !== 1 && f > 0)) {
  throw new Error("Benchmark data should pass");
}
if (
  check.results[8]!.result.observed_value !== loop.mean &&
  Math.abs((check.results[8]!.result.observed_value as number) - loop.mean) >
    1e-9
) {
  throw new Error("Means disagree");
}

// Interleaved runs, so background load hits both sides alike; best of N.
async function paired(
  a: () => unknown,
  b: () => Promise<unknown>,
): Promise<[number, number]> {
  a();
  await b();
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    a();
    ta.push(performance.now() - t);
    t = performance.now();
    await b();
    tb.push(performance.now() - t);
  }
  return [Math.min(...ta), Math.min(...tb)];
}
const [tLoop, tValidate] = await paired(
  () => plainLoop(rows),
  () => validate(rows, s),
);
const tStream = await time(() => validate(stream(rows), s), Math.min(RUNS, 3));
const tStreamOnly = await time(async () => {
  let n = 0;
  for await (const _ of stream(rows)) n++;
  return n;
}, Math.min(RUNS, 3));

// RDD: rows are generated inside the workers, validated per partition there,
// and the partial states merged; 1 worker vs 2 workers, same work.
async function rddRun(workers: number): Promise<number> {
  const sc = new SparkContext({ parallelism: workers });
  try {
    const rdd = () =>
      sc.range(0, N, 1, 2).map((i) => ({
        id: "us" + i,
        mag: i % 1000 === 0 ? null : (i % 97) / 10,
        place: `${i % 50}km N of Town ${i % 13}, CA`,
        time: 1517000000000 + i * 1000,
        depth: (i % 300) / 3,
        type: ["earthquake", "quarry blast", "explosion"][i % 3],
      }));
    const rddResult = await validate(rdd(), s);
    if (
      JSON.stringify({ ...rddResult, meta: 0 }) !==
        JSON.stringify({ ...check, meta: 0 })
    ) {
      throw new Error("RDD result differs from the array result");
    }
    return await time(() => validate(rdd(), s), 3);
  } finally {
    await sc.close();
  }
}
const tRdd1 = await rddRun(1);
const tRdd2 = await rddRun(2);

const week = await readUsgsWeek();
const usgs = usgsEventSuite();
const tUsgs = await time(() => validate(week, usgs));

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const perRow = (ms: number) => `${(ms * 1e6 / N).toFixed(0)} ns`;
console.log(
  `\nquality benchmark: ${
    N.toLocaleString("en")
  } rows × 10 expectations, best of ${RUNS} runs (interleaved with the loop)\n`,
);
console.log("| path | time | per row | vs plain loop |");
console.log("|---|---|---|---|");
console.log(
  `| plain loop, same checks (baseline) | ${fmt(tLoop)} | ${
    perRow(tLoop)
  } | 1.00x |`,
);
console.log(
  `| validate(array) | ${fmt(tValidate)} | ${perRow(tValidate)} | ${
    (tValidate / tLoop).toFixed(2)
  }x |`,
);
console.log(
  `| validate(async iterable) | ${fmt(tStream)} | ${perRow(tStream)} | ${
    (tStream / tLoop).toFixed(2)
  }x |`,
);
console.log(
  `| for await over the same stream, no checks | ${fmt(tStreamOnly)} | ${
    perRow(tStreamOnly)
  } | |`,
);
console.log(
  `| RDD, 2 partitions on 1 worker (rows built in the worker) | ${
    fmt(tRdd1)
  } | ${perRow(tRdd1)} | |`,
);
console.log(
  `| RDD, 2 partitions on 2 workers | ${fmt(tRdd2)} | ${perRow(tRdd2)} | ${
    (tRdd1 / tRdd2).toFixed(2)
  }x speedup over 1 worker |`,
);
console.log(
  `| USGS week (${week.length} rows × ${usgs.expectations.length} expectations) | ${
    tUsgs.toFixed(1)
  } ms | | |`,
);
console.log(
  `\ntarget validate(array) ≤ 3x plain loop: ${
    tValidate / tLoop <= 3 ? "met" : "missed"
  }`,
);
