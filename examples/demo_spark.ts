/**
 * Mini-Spark demo (`deno task demo:spark`): a large earthquake CSV processed
 * lazily on a worker pool, with a live progress line.
 *
 * 1. Makes (once) a 1M-row CSV in `out/bench/` by resampling the recorded
 *    USGS week.
 * 2. Defines the job — nothing runs yet: transformations only build lineage.
 * 3. Prints the lineage and stages, then runs the action; each worker reads
 *    its own byte range of the file, so the file is never loaded whole.
 *
 * Flags: `--rows=N` (default 1000000), `--workers=N` (default: all cores).
 *
 * @module
 */

import { parseCommandLine } from "../internal/args.ts";
import { SparkContext } from "../spark/mod.ts";
import { ensureQuakeCsv } from "./bench/spark_data.ts";

const values = parseCommandLine({
  command: "deno task demo:spark",
  summary:
    "Counts M > 4 earthquakes by region in a resampled CSV on a worker pool.",
  flags: {
    rows: {
      type: "integer",
      min: 1,
      default: 1_000_000,
      description: "rows of the CSV made in out/bench/",
    },
    workers: {
      type: "integer",
      min: 1,
      description: "worker threads (default: all cores)",
    },
  },
});
const rows = values.rows;
const path =
  new URL(`../out/bench/quakes_${rows}.csv`, import.meta.url).pathname;
console.log(`Preparing ${rows.toLocaleString()} rows in ${path} ...`);
await ensureQuakeCsv(path, rows);

const encoder = new TextEncoder();
const tty = Deno.stdout.isTerminal();
let last = 0;
await using sc = new SparkContext({
  parallelism: values.workers,
  maxSplitBytes: 8 * 1024 * 1024,
  onProgress: (e) => {
    const now = performance.now();
    if (e.done !== e.total && (!tty || now - last < 100)) return;
    last = now;
    const width = 30;
    const filled = Math.round((e.done / e.total) * width);
    const bar = "#".repeat(filled) + ".".repeat(width - filled);
    Deno.stdout.writeSync(
      encoder.encode(
        `\r  job ${e.jobId} stage ${e.stageId} ${
          e.kind.padEnd(15)
        } [${bar}] ${e.done}/${e.total} tasks`,
      ),
    );
    if (e.done === e.total) Deno.stdout.writeSync(encoder.encode("\n"));
  },
});

let t = performance.now();
const quakes = sc.csv<
  { mag: number | null; place: string | null; time: string }
>(path, {
  header: true,
  inferSchema: true,
  columns: ["time", "mag", "place"],
});
const byRegion = quakes
  .filter((q, env) => q.mag !== null && q.mag > env.min, { min: 4 })
  .map((q) => {
    const p = q.place ?? "";
    return [p.slice(p.lastIndexOf(",") + 1).trim(), 1] as [string, number];
  })
  .reduceByKey((a, b) => a + b)
  .sortBy((kv) => kv[1], false);
console.log(
  `Defined the job in ${
    (performance.now() - t).toFixed(1)
  } ms (lazy: nothing has run).\n`,
);
console.log(byRegion.toDebugString() + "\n");

console.log(
  `Running on ${sc.parallelism} workers, ${quakes.numPartitions} byte-range splits:`,
);
t = performance.now();
const top = await byRegion.take(10);
const ms = performance.now() - t;
console.log(`\nTop regions with M > 4 (${ms.toFixed(0)} ms):`);
for (const [region, n] of top) {
  console.log(`  ${region.padEnd(24)} ${String(n).padStart(7)}`);
}
const job = sc.lastJob!;
console.log(`\nStages of the last job:`);
for (const s of job.stages) {
  console.log(
    `  stage ${s.stageId} ${s.kind.padEnd(15)} ${s.tasks} tasks ${
      s.durationMs.toFixed(0).padStart(6)
    } ms`,
  );
}
