/**
 * Spark benchmarks (`deno task bench:spark`). Ratios are measured in one run
 * against baselines measured in the same run; nothing here is a test.
 *
 * 1. CPU-bound map on 2 workers vs the same job on 1.
 * 2. Count by region where mag > 4 over a 1M-row earthquake CSV: spark (1 and
 *    2 workers) vs a hand-written single-threaded loop, DuckDB (1 and 2
 *    threads) and arquero.
 * 3. Peak memory (RSS high-water mark, measured in a child process) of that
 *    job on the 1M file and on a 4x larger file.
 *
 * Flags: `--rows=N` (default 1000000), `--reps=N` (default 3),
 * `--no-arquero`, `--no-memory`.
 *
 * DuckDB, arquero and d3-dsv are this benchmark's own dependencies, in
 * `examples/bench/deno.json` (the task runs with `--config` on it), so the
 * tests and the main job never download them.
 *
 * @module
 */

import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";
import { SparkContext } from "../../spark/mod.ts";
import { ensureQuakeCsv } from "./spark_data.ts";
import { countByRegion, cpuBoundMap } from "./spark_jobs.ts";

const args = {
  values: parseCommandLine({
    command: "deno task bench:spark",
    summary:
      "CPU speedup on 2 workers; count by region over a CSV against loops, DuckDB and arquero; peak memory.",
    flags: {
      rows: {
        type: "integer",
        min: 1000,
        default: 1_000_000,
        description: "rows of the earthquake CSV made in out/bench/",
      },
      reps: {
        type: "integer",
        min: 1,
        default: 3,
        description: "timed runs of each job; the median counts",
      },
      "no-arquero": { type: "boolean", description: "skip arquero (slow)" },
      "no-memory": {
        type: "boolean",
        description: "skip the peak-memory runs (they write a 4x CSV)",
      },
      "child-memory": {
        type: "string",
        placeholder: "PATH",
        description: "(internal) run the job once on PATH and print peak RSS",
      },
    },
  }),
};

const OUT = new URL("../../out/bench/", import.meta.url).pathname;

if (args.values["child-memory"] !== undefined) {
  // Child mode: run the job once and report the process's peak RSS.
  // (RSS covers the whole process, workers included; sampled every 5 ms.)
  const sc = new SparkContext({ parallelism: 2 });
  const before = Deno.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 5);
  const counts = await countByRegion(sc, args.values["child-memory"]);
  clearInterval(timer);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  sc.close();
  console.log(JSON.stringify({ peakRss: peak, before, regions: counts.size }));
  Deno.exit(0);
}

/**
 * The usual single-threaded loop: parse every row into all its fields with
 * d3-dsv's `csvParseRows` (chunk by chunk, so memory stays bounded).
 */
async function handLoopFullParse(path: string): Promise<Map<string, number>> {
  const { csvParseRows } = await import("d3-dsv");
  const counts = new Map<string, number>();
  const file = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  const decoder = new TextDecoder();
  let carry = "";
  let header = true;
  const rows = (text: string): void => {
    for (const f of csvParseRows(text)) {
      if (header) {
        header = false;
        continue;
      }
      const mag = f[4] === "" ? NaN : Number(f[4]);
      if (!(mag > 4)) continue;
      const place = f[13]!;
      const region = place.slice(place.lastIndexOf(",") + 1).trim();
      counts.set(region, (counts.get(region) ?? 0) + 1);
    }
  };
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    const text = carry + decoder.decode(buf.subarray(0, n), { stream: true });
    const cut = text.lastIndexOf("\n");
    carry = text.slice(cut + 1);
    rows(text.slice(0, cut + 1));
  }
  if (carry !== "") rows(carry);
  file.close();
  return counts;
}

/** A careful single-threaded loop: chunked reads, one pass, no objects. */
async function handLoop(path: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const file = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  const decoder = new TextDecoder();
  let carry = "";
  let header = true;
  const line = (l: string): void => {
    if (header) {
      header = false;
      return;
    }
    // Fields 4 (mag) and 13 (place); place is quoted when it has a comma.
    let i = 0;
    let mag = NaN;
    for (let f = 0; f < 13; f++) {
      const d = l.indexOf(",", i);
      if (f === 4) mag = +l.slice(i, d);
      i = d + 1;
      if (f === 4 && !(mag > 4)) return;
    }
    let place: string;
    if (l.charCodeAt(i) === 34) place = l.slice(i + 1, l.indexOf('"', i + 1));
    else place = l.slice(i, l.indexOf(",", i));
    const region = place.slice(place.lastIndexOf(",") + 1).trim();
    counts.set(region, (counts.get(region) ?? 0) + 1);
  };
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    const text = carry + decoder.decode(buf.subarray(0, n), { stream: true });
    const lines = text.split("\n");
    carry = lines.pop()!;
    for (const l of lines) if (l !== "") line(l);
  }
  if (carry !== "") line(carry);
  file.close();
  return counts;
}

async function duckdb(
  path: string,
  threads: number,
  reps: number,
): Promise<[number, Map<string, number>]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(":memory:", {
    threads: String(threads),
  });
  const con = await inst.connect();
  let result = new Map<string, number>();
  const ms = await timeIt(reps, async () => {
    const reader = await con.runAndReadAll(
      `SELECT trim(regexp_extract(place, '[^,]*$')) AS region, count(*)::INTEGER AS n
       FROM read_csv('${path}', header = true) WHERE mag > 4 GROUP BY region`,
    );
    result = new Map(
      reader.getRows().map((r: unknown[]) => [String(r[0]), Number(r[1])]),
    );
  });
  con.closeSync();
  inst.closeSync();
  return [ms, result];
}

async function arquero(path: string): Promise<[number, Map<string, number>]> {
  const aq = await import("arquero");
  let result = new Map<string, number>();
  const ms = await timeIt(1, async () => {
    const table = aq.fromCSV(await Deno.readTextFile(path));
    const counted = table
      .filter((d: { mag: number }) => d.mag > 4)
      .derive({
        region: aq.escape((d: { place: string }) =>
          d.place.slice(d.place.lastIndexOf(",") + 1).trim()
        ),
      })
      .groupby("region")
      .count();
    result = new Map(
      (counted.objects() as { region: string; count: number }[]).map((
        o,
      ) => [String(o.region), Number(o.count)]),
    );
  });
  return [ms, result];
}

/** Median wall time of `reps` runs after one warm-up run. */
async function timeIt(
  reps: number,
  fn: () => Promise<unknown>,
): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function same(
  a: Map<string, number>,
  b: Map<string, number>,
  what: string,
): void {
  const x = JSON.stringify([...a].sort()), y = JSON.stringify([...b].sort());
  if (x !== y) throw new Error(`Results differ: ${what}`);
}

const rows = args.values.rows;
const reps = args.values.reps;
console.log(
  `spark benchmarks: ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`,
);

// 1. CPU-bound map. Runs on 1 and 2 workers alternate, so noise from other
// work on the machine hits both alike; medians are reported. Pools made one
// after another in a process run at different speeds, so the contexts are
// made twice, in opposite orders, and the rounds of both passes count.
const cpu: Record<number, number> = {};
progress(
  "CPU-bound map on 1 and 2 workers and 2 process executors (warm-up, then alternating runs, in two creation orders)",
);
{
  const times: number[][] = [[], [], []];
  const rounds = Math.ceil(Math.max(reps, 5) / 2);
  for (const order of [[0, 1, 2], [2, 1, 0]]) {
    // The third context runs the same job on two `deno` process executors:
    // its cost over the Worker pool is the IPC (V8 serialization over pipes).
    const make = [
      () => new SparkContext({ parallelism: 1 }),
      () => new SparkContext({ parallelism: 2 }),
      () => new SparkContext({ parallelism: 2, executor: "process" }),
    ];
    const contexts: SparkContext[] = [];
    for (const i of order) contexts[i] = make[i]!();
    try {
      // V8 first runs the hot loop as on-stack-replaced code, which is
      // faster than the steady-state code it settles on after a few hundred
      // calls; warm every pool well past that point so they compare alike.
      for (const i of order) {
        for (let k = 0; k < 8; k++) await cpuBoundMap(contexts[i]!);
      }
      for (let r = 0; r < rounds; r++) {
        progress(
          `CPU-bound map: pass ${order[0] === 0 ? 1 : 2} of 2, round ${
            r + 1
          } of ${rounds} (1 worker, 2 workers, 2 processes)`,
        );
        for (const i of [0, 1, 2]) {
          const t = performance.now();
          await cpuBoundMap(contexts[i]!);
          times[i]!.push(performance.now() - t);
        }
      }
    } finally {
      for (const sc of contexts) sc.close();
    }
  }
  for (const i of [0, 1, 2]) {
    const ts = times[i]!.sort((a, b) => a - b);
    cpu[i + 1] = ts[Math.floor(ts.length / 2)]!;
  }
}
console.log(`\nCPU-bound map (400 elements x 100,000 Math.sin, 8 partitions)`);
console.log(`  1 worker : ${cpu[1]!.toFixed(0)} ms`);
console.log(
  `  2 workers: ${cpu[2]!.toFixed(0)} ms  -> speedup ${
    (cpu[1]! / cpu[2]!).toFixed(2)
  }x`,
);
console.log(
  `  2 process executors: ${cpu[3]!.toFixed(0)} ms  -> ${
    (cpu[3]! / cpu[2]!).toFixed(2)
  }x the 2-worker time`,
);

// 2. Count by region.
progress(`making (once) ${OUT}quakes_${rows}.csv`);
const path = await ensureQuakeCsv(`${OUT}quakes_${rows}.csv`, rows);
const size = (await Deno.stat(path)).size;
console.log(
  `\nCount by region where mag > 4: ${rows.toLocaleString()} rows, ${
    (size / 1e6).toFixed(0)
  } MB`,
);
const hand = new Map<string, number>();
progress("hand loop and d3-dsv loop, 1 thread");
const handMs = await timeIt(reps, async () => {
  const m = await handLoop(path);
  hand.clear();
  for (const [k, v] of m) hand.set(k, v);
});
const fullMs = await timeIt(reps, async () => {
  same(await handLoopFullParse(path), hand, "full-parse hand loop");
});
const results: [string, number][] = [
  ["hand loop, 2 fields, 1 thread", handMs],
  ["d3-dsv loop, full rows, 1 thread", fullMs],
];
for (const par of [1, 2]) {
  progress(`spark, ${par} worker(s)`);
  const sc = new SparkContext({ parallelism: par });
  let got = new Map<string, number>();
  const ms = await timeIt(reps, async () => {
    got = await countByRegion(sc, path);
  });
  sc.close();
  same(got, hand, `spark ${par}`);
  results.push([`spark, ${par} worker${par > 1 ? "s" : ""}`, ms]);
}
for (const threads of [1, 2]) {
  progress(`DuckDB, ${threads} thread(s)`);
  const [ms, got] = await duckdb(path, threads, reps);
  same(got, hand, `duckdb ${threads}`);
  results.push([`DuckDB, ${threads} thread${threads > 1 ? "s" : ""}`, ms]);
}
if (!args.values["no-arquero"]) {
  progress("arquero (reads the whole file; about 6 s)");
  const [ms, got] = await arquero(path);
  same(got, hand, "arquero");
  results.push(["arquero (fromCSV + groupby)", ms]);
}
const by = new Map(results);
for (const [name, ms] of results) {
  console.log(
    `  ${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms  ${
      (ms / fullMs).toFixed(2)
    }x full-row loop`,
  );
}
const spark2 = by.get("spark, 2 workers")!;
console.log(
  `  spark 2 workers / DuckDB 2 threads: ${
    (spark2 / by.get("DuckDB, 2 threads")!).toFixed(2)
  }x (target <= 0.8)`,
);
console.log(
  `  spark 2 workers / full-row hand loop: ${
    (spark2 / fullMs).toFixed(2)
  }x (target <= 0.6)`,
);
console.log(
  `  spark 2 workers / 2-field hand loop: ${(spark2 / handMs).toFixed(2)}x`,
);
if (by.has("arquero (fromCSV + groupby)")) {
  console.log(
    `  arquero / spark 2 workers:          ${
      (by.get("arquero (fromCSV + groupby)")! / spark2).toFixed(1)
    }x (target >= 5)`,
  );
}
const top = [...hand].sort((a, b) => b[1] - a[1]).slice(0, 5);
console.log(`  top regions: ${top.map(([r, n]) => `${r} ${n}`).join(", ")}`);

// 3. Peak memory, 1x vs 4x, each in a fresh process.
if (!args.values["no-memory"]) {
  progress(`peak memory: making (once) the ${rows * 4}-row CSV`);
  const big = await ensureQuakeCsv(`${OUT}quakes_${rows * 4}.csv`, rows * 4);
  console.log(`\nPeak RSS of the spark job (2 workers, child process)`);
  for (const [label, file] of [["1x", path], ["4x", big]] as const) {
    progress(`peak memory: ${label} file in a child process`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        new URL(import.meta.url).pathname,
        `--child-memory=${file}`,
      ],
      stdout: "piped",
    }).output();
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    const mb = (await Deno.stat(file)).size / 1e6;
    console.log(
      `  ${label} (${mb.toFixed(0)} MB file): peak RSS ${
        (r.peakRss / 1e6).toFixed(0)
      } MB`,
    );
  }
}
