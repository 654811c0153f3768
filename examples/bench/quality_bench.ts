/**
 * Quality benchmark: 1M rows × 10 expectations through `validate()` against
 * a plain loop doing the same checks, in the same run; the same suite over a
 * stream; over a spark RDD read from a CSV file inside the workers (1 and 2
 * workers, several partitions) against a single-threaded read+parse+validate
 * of the same file; the USGS suite on the recorded week. The CSV is written
 * once to `out/quality_bench_<rows>.csv`.
 *
 * Run: `deno task bench:quality` (add `--rows=N`, `--runs=N`). Times are the
 * best of the runs; the array path and the plain loop run interleaved.
 */

import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";
import { SparkContext } from "../../spark/mod.ts";
import {
  ExpectationSuite,
  validate,
  type ValidationResult,
} from "../../quality/mod.ts";
// The same CSV parser spark's workers use, for the single-threaded baseline.
import {
  type CsvSpec,
  makeRowBuilder,
  parseCsvBatch,
} from "../../spark/_csv.ts";
import { readSplitLines } from "../../spark/_text_reader.ts";
import { readUsgsWeek, usgsEventSuite } from "../demo_quality.ts";

const values = parseCommandLine({
  command: "deno task bench:quality",
  summary:
    "validate() against a plain loop over arrays, streams and spark RDDs of a CSV.",
  flags: {
    rows: {
      type: "integer",
      min: 1000,
      default: 1_000_000,
      description: "synthetic event rows",
    },
    runs: {
      type: "integer",
      min: 1,
      default: 9,
      description: "timed runs of each path; the best counts",
    },
  },
});
const N = values.rows;
const RUNS = values.runs;

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

progress(`making ${N.toLocaleString("en")} rows`);
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
  runs = RUNS,
): Promise<[number, number]> {
  a();
  await b();
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    a();
    ta.push(performance.now() - t);
    t = performance.now();
    await b();
    tb.push(performance.now() - t);
  }
  return [Math.min(...ta), Math.min(...tb)];
}
progress(`validate(array) against the plain loop, ${RUNS} runs each`);
const [tLoop, tValidate] = await paired(
  () => plainLoop(rows),
  () => validate(rows, s),
);
progress("validate(async iterable)");
const tStream = await time(() => validate(stream(rows), s), Math.min(RUNS, 3));
const tStreamOnly = await time(async () => {
  let n = 0;
  for await (const _ of stream(rows)) n++;
  return n;
}, Math.min(RUNS, 3));

// The catalogue: every column map expectation over the same rows at once,
// then each aggregate that keeps values alone, against a one-expectation
// floor (the loop and result around any suite), as a cost per row.
const CATALOGUE_RUNS = Math.min(RUNS, 3);
function allMaps(): ExpectationSuite {
  return new ExpectationSuite("all-maps")
    .expectColumnValuesToNotBeNull("id")
    .expectColumnValuesToBeNull("mag", { mostly: 0 })
    .expectColumnValuesToBeBetween("mag", -1, 10)
    .expectColumnValuesToBeInSet("type", TYPES)
    .expectColumnValuesToNotBeInSet("type", ["sonic boom"])
    .expectColumnValuesToMatchRegex("id", "^[a-z]{2}\\d+$")
    .expectColumnValuesToNotMatchRegex("place", "^\\s")
    .expectColumnValuesToMatchRegexList("id", ["^us", "^ak"])
    .expect("expect_column_values_to_not_match_regex_list", {
      column: "place",
      regex_list: ["^x", "^y"],
    })
    .expectColumnValuesToBeOfType("depth", "float")
    .expectColumnValuesToBeInTypeList("type", ["str"])
    .expectColumnValueLengthsToBeBetween("place", 1, 200)
    .expectColumnValueLengthsToEqual("type", 10, { mostly: 0 })
    .expectColumnValuesToBeUnique("id")
    .expectColumnValuesToBeIncreasing("time")
    .expectColumnValuesToBeDecreasing("time", { mostly: 0 })
    .expect("expect_column_values_to_match_like_pattern", {
      column: "id",
      like_pattern: "us%",
    })
    .expect("expect_column_values_to_not_match_like_pattern", {
      column: "place",
      like_pattern: "x%",
    })
    .expect("expect_column_value_z_scores_to_be_less_than", {
      column: "depth",
      threshold: 3,
      double_sided: true,
    })
    .expect("expect_column_pair_values_to_be_in_set", {
      column_A: "type",
      column_B: "type",
      value_pairs_set: TYPES.map((t) => [t, t]),
    })
    .expect("expect_multicolumn_sum_to_equal", {
      column_list: ["depth", "depth"],
      sum_total: 0,
      mostly: 0,
    });
}
const AGGREGATES: [string, Record<string, unknown>][] = [
  ["expect_column_mean_to_be_between", { column: "mag" }],
  ["expect_column_stdev_to_be_between", { column: "mag" }],
  ["expect_column_median_to_be_between", { column: "mag" }],
  ["expect_column_quantile_values_to_be_between", {
    column: "mag",
    quantile_ranges: {
      quantiles: [0.05, 0.5, 0.95],
      value_ranges: [[null, null], [null, null], [null, null]],
    },
  }],
  ["expect_column_most_common_value_to_be_in_set", {
    column: "type",
    value_set: TYPES,
  }],
  ["expect_column_unique_value_count_to_be_between", { column: "type" }],
  ["expect_column_value_z_scores_to_be_less_than", {
    column: "depth",
    threshold: 3,
    double_sided: true,
  }],
];
progress(
  `all map expectations; each value-keeping aggregate, ${CATALOGUE_RUNS} runs`,
);
const maps = allMaps();
const tAllMaps = await time(() => validate(rows, maps), CATALOGUE_RUNS);
const floorSuite = new ExpectationSuite("floor").expectTableRowCountToBeBetween(
  {
    minValue: 0,
  },
);
const tFloor = await time(() => validate(rows, floorSuite), CATALOGUE_RUNS);
const tAggregates: [string, number][] = [];
for (const [type, kwargs] of AGGREGATES) {
  const one = new ExpectationSuite("one").expect(type, kwargs);
  tAggregates.push([
    type,
    await time(() => validate(rows, one), CATALOGUE_RUNS),
  ]);
}

// RDD: the rows originate in the workers. Each task reads its own byte range
// of a CSV file and validates it there; only the small partial states come
// back to be merged. The fair single-threaded baseline reads and parses the
// same file in this thread with the same CSV parser, then validates (or runs
// the plain loop).
const CSV_PATH = `out/quality_bench_${N}.csv`;
const SCHEMA =
  "id STRING, mag DOUBLE, place STRING, time BIGINT, depth DOUBLE, type STRING";
const CSV_SPEC: CsvSpec = {
  columns: ["id", "mag", "place", "time", "depth", "type"],
  types: ["string", "number", "string", "integer", "number", "string"],
  delimiter: ",",
  header: true,
  mode: "PERMISSIVE",
};

// A null magnitude is an empty field (spark's csv() reads it back as null);
// places hold a comma, so they are quoted.
async function writeCsv(path: string): Promise<number> {
  await Deno.mkdir("out", { recursive: true });
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const enc = new TextEncoder();
  let bytes = 0;
  try {
    let chunk = "id,mag,place,time,depth,type\n";
    for (const r of rows) {
      chunk += `${r.id},${
        r.mag ?? ""
      },"${r.place}",${r.time},${r.depth},${r.type}\n`;
      if (chunk.length > 1 << 20) {
        bytes += await file.write(enc.encode(chunk));
        chunk = "";
      }
    }
    bytes += await file.write(enc.encode(chunk));
  } finally {
    file.close();
  }
  return bytes;
}

// Single-threaded read + parse with spark's own CSV line parser.
function readParse(path: string): Row[] {
  const build = makeRowBuilder(CSV_SPEC);
  const counters = { malformedRows: 0 };
  const out: Row[] = [];
  let first = true;
  for (const batch of readSplitLines(path, 0, Deno.statSync(path).size)) {
    const parsed = parseCsvBatch(batch, CSV_SPEC, build, first, counters);
    first = false;
    for (const r of parsed) out.push(r as unknown as Row);
  }
  if (counters.malformedRows > 0) throw new Error("Malformed benchmark CSV");
  return out;
}

progress(`writing ${CSV_PATH}`);
const csvBytes = await writeCsv(CSV_PATH);
const sameAsArray = (r: ValidationResult): boolean =>
  JSON.stringify({ ...r, meta: 0 }) === JSON.stringify({ ...check, meta: 0 });
if (!sameAsArray(await validate(readParse(CSV_PATH), s))) {
  throw new Error("Rows read back from the CSV validate differently");
}
const FILE_RUNS = Math.min(RUNS, 5);
progress(`one-thread read+parse(+validate) of the CSV, ${FILE_RUNS} runs`);
const tParseOnly = await time(() => readParse(CSV_PATH).length, FILE_RUNS);
const [tFileLoop, tFileValidate] = await paired(
  () => plainLoop(readParse(CSV_PATH)),
  () => validate(readParse(CSV_PATH), s),
  FILE_RUNS,
);

interface RddTiming {
  workers: number;
  partitions: number;
  ms: number;
}
async function rddCsvRuns(workers: number): Promise<RddTiming[]> {
  const sc = new SparkContext({ parallelism: workers });
  const out: RddTiming[] = [];
  try {
    for (const partitions of [2, 4, 8]) {
      const rdd = () =>
        sc.csv(CSV_PATH, {
          header: true,
          schema: SCHEMA,
          minPartitions: partitions,
        });
      progress(
        `validate(sc.csv(...)), ${partitions} partitions, ${workers} worker(s)`,
      );
      if (!sameAsArray(await validate(rdd(), s))) {
        throw new Error("RDD result differs from the array result");
      }
      const actual = rdd().getNumPartitions();
      if (out.some((t) => t.partitions === actual)) continue;
      out.push({
        workers,
        partitions: actual,
        ms: await time(() => validate(rdd(), s), FILE_RUNS),
      });
    }
  } finally {
    await sc.close();
  }
  return out;
}
const rddTimes = [...await rddCsvRuns(1), ...await rddCsvRuns(2)];

// The same RDD job without validation: count rows per partition in the
// workers, to separate spark's read+parse from the checks.
async function rddCountOnly(
  workers: number,
  partitions: number,
): Promise<number> {
  const sc = new SparkContext({ parallelism: workers });
  try {
    const rdd = () =>
      sc.csv(CSV_PATH, {
        header: true,
        schema: SCHEMA,
        minPartitions: partitions,
      })
        .mapPartitions((it) => {
          let n = 0;
          for (const _ of it) n++;
          return [n];
        });
    return await time(() => rdd().collect(), FILE_RUNS);
  } finally {
    await sc.close();
  }
}
// Control for the machine: a CPU-only job (no data, no clones) on 1 and 2
// workers. Without a speedup here, no spark job can show one in this run.
async function cpuOnly(workers: number): Promise<number> {
  const sc = new SparkContext({ parallelism: workers });
  try {
    return await time(
      () =>
        sc.range(0, 4, 1, 4).map((i) => {
          let x = 0;
          for (let k = 0; k < 2e7; k++) x = (x + k * i) % 1000003;
          return x;
        }).collect(),
      FILE_RUNS,
    );
  } finally {
    await sc.close();
  }
}
progress("control: CPU-only job on 1 and 2 workers; row counts without checks");
const tCpu1 = await cpuOnly(1);
const tCpu2 = await cpuOnly(2);
const tCount1 = await rddCountOnly(1, 2);
const tCount2 = await rddCountOnly(2, 2);

progress("the USGS suite on the recorded week");
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
  `\nRDD over a CSV file: ${(csvBytes / 1e6).toFixed(0)} MB, ${
    N.toLocaleString("en")
  } rows + header; every time below includes reading and parsing the file; best of ${FILE_RUNS}\n`,
);
console.log(
  "| path | time | per row | vs single-threaded read+parse+validate |",
);
console.log("|---|---|---|---|");
const vsFile = (ms: number) => `${(tFileValidate / ms).toFixed(2)}x`;
console.log(
  `| read+parse only, one thread (spark's CSV parser) | ${fmt(tParseOnly)} | ${
    perRow(tParseOnly)
  } | |`,
);
console.log(
  `| read+parse + plain loop, one thread | ${fmt(tFileLoop)} | ${
    perRow(tFileLoop)
  } | ${vsFile(tFileLoop)} |`,
);
console.log(
  `| read+parse + validate(array), one thread (baseline) | ${
    fmt(tFileValidate)
  } | ${perRow(tFileValidate)} | 1.00x |`,
);
for (const r of rddTimes) {
  console.log(
    `| validate(sc.csv(...)), ${r.partitions} partitions on ${r.workers} worker${
      r.workers > 1 ? "s" : ""
    } | ${fmt(r.ms)} | ${perRow(r.ms)} | ${vsFile(r.ms)} |`,
  );
}
console.log(
  `| sc.csv(...) row count only, no checks, 1 worker | ${fmt(tCount1)} | ${
    perRow(tCount1)
  } | |`,
);
console.log(
  `| sc.csv(...) row count only, no checks, 2 workers | ${fmt(tCount2)} | ${
    perRow(tCount2)
  } | |`,
);
console.log(
  `| control: CPU-only spark job, 4 tasks, 1 worker → 2 workers | ${
    fmt(tCpu1)
  } → ${fmt(tCpu2)} | | ${(tCpu1 / tCpu2).toFixed(2)}x speedup |`,
);
console.log(
  `| USGS week (${week.length} rows × ${usgs.expectations.length} expectations) | ${
    tUsgs.toFixed(1)
  } ms | | |`,
);
console.log(
  `\ntarget validate(array) ≤ 2.5x plain loop: ${
    tValidate / tLoop <= 2.5 ? "met" : "missed"
  }`,
);
console.log(
  `\nthe catalogue: ${maps.expectations.length} map expectations at once, and each aggregate alone over ${
    N.toLocaleString("en")
  } rows, best of ${CATALOGUE_RUNS}\n`,
);
console.log(
  "| suite | time | per row | above the one-expectation floor, per row |",
);
console.log("|---|---|---|---|");
console.log(
  `| one table expectation (floor) | ${fmt(tFloor)} | ${perRow(tFloor)} | |`,
);
console.log(
  `| ${maps.expectations.length} map expectations | ${fmt(tAllMaps)} | ${
    perRow(tAllMaps)
  } | ${perRow(tAllMaps - tFloor)} |`,
);
for (const [type, t] of tAggregates) {
  console.log(`| ${type} | ${fmt(t)} | ${perRow(t)} | ${perRow(t - tFloor)} |`);
}
