// Every demo and benchmark script, run as a user runs it: `--help` prints a
// usage line and its flags and exits 0; a bad flag or value is one line on
// stderr and exit 2, never a stack trace.
import assert from "node:assert/strict";
import { type DenoOutput, runDeno } from "../_deno.ts";

const SCRIPTS: Record<string, string> = {
  "demo:spark": "examples/demo_spark.ts",
  "demo:airflow": "examples/demo_airflow.ts",
  "demo:kafka": "examples/demo_kafka.ts",
  "demo:http": "examples/demo_http.ts",
  "demo:quality": "examples/demo_quality.ts",
  "bench:spark": "examples/bench/spark_bench.ts",
  "bench:spark-ab": "examples/bench/spark_ab_bench.ts",
  "bench:spark-events": "examples/bench/spark_event_log_bench.ts",
  "bench:airflow": "examples/bench/airflow_bench.ts",
  "bench:kafka": "examples/bench/kafka_bench.ts",
  "bench:http": "examples/bench/http_bench.ts",
  "bench:quality": "examples/bench/quality_bench.ts",
  "bench:ui": "examples/bench/ui_bench.ts",
  "bench:airflow-ui": "examples/bench/airflow_ui_bench.ts",
  "ui": "examples/ui.ts",
  "bench": "examples/usgs_benchmark.ts",
};

const root = new URL("../../", import.meta.url);

function run(task: string, ...args: string[]): Promise<DenoOutput> {
  const script = new URL(SCRIPTS[task]!, root).pathname;
  // Fewer permissions than the tasks get: parsing must come before any work.
  return runDeno(["run", "--allow-read", "--allow-env", script, ...args]);
}

/** Runs `jobs` two at a time (the machine has two cores). */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) {
    results.push(...await Promise.all(jobs.slice(i, i + 2).map((j) => j())));
  }
  return results;
}

function assertOneLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
  assert.doesNotMatch(stderr, /Uncaught|\bat file:|TypeError/);
}

Deno.test("every demo:* and bench:* script prints its usage for --help and exits 0", async () => {
  const tasks = Object.keys(SCRIPTS);
  const results = await inPairs(tasks.map((t) => () => run(t, "--help")));
  results.forEach((r, i) => {
    const task = tasks[i]!;
    assert.equal(r.code, 0, `${task}: ${r.stderr}`);
    assert.match(
      r.stdout,
      new RegExp(`^Usage: deno task ${task} \\[options\\]`),
    );
    assert.match(r.stdout, /\n {2}--help +print this text and exit/);
    assert.equal(r.stderr, "");
  });
});

Deno.test("every demo:* and bench:* script refuses an unknown flag in one line with exit 2", async () => {
  const tasks = Object.keys(SCRIPTS);
  const results = await inPairs(tasks.map((t) => () => run(t, "--bogus")));
  results.forEach((r, i) => {
    assert.equal(r.code, 2, tasks[i]);
    assertOneLine(
      r.stderr,
      new RegExp(
        `^Unknown flag: --bogus \\(see deno task ${tasks[i]} --help\\)\\n$`,
      ),
    );
  });
});

Deno.test("demo and bench scripts refuse bad values in one line with exit 2", async () => {
  const cases: [string, string, RegExp][] = [
    ["demo:spark", "--rows=abc", /^Flag --rows takes an integer: "abc"/],
    ["demo:spark", "--rows=-1", /^Flag --rows must be at least 1: "-1"/],
    ["bench:kafka", "--records=abc", /^Flag --records takes an integer: "abc"/],
    ["bench:quality", "--rows=-1", /^Flag --rows must be at least 1000: "-1"/],
    ["bench:spark", "--reps=1.5", /^Flag --reps takes an integer: "1.5"/],
    ["bench:http", "--seconds=soon", /^Flag --seconds takes a number: "soon"/],
    ["demo:http", "--live=yes", /^Flag --live takes no value/],
    ["bench", "--repeat=0", /^Flag --repeat must be at least 1: "0"/],
    ["bench:spark-ab", "--rounds=2", /^Flag --before is required/],
    [
      "bench:spark-ab",
      "--before=/nonexistent",
      /^Flag --before names no checkout with spark\/mod\.ts: "\/nonexistent"/,
    ],
  ];
  const results = await inPairs(
    cases.map(([task, arg]) => () => run(task, arg)),
  );
  results.forEach((r, i) => {
    assert.equal(r.code, 2, cases[i]![1]);
    assertOneLine(r.stderr, cases[i]![2]);
  });
});

Deno.test("a leading -- is dropped, as `deno task demo:http -- --live` passes it through", async () => {
  const r = await run("demo:http", "--", "--help");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: deno task demo:http/);
  assert.match(r.stdout, /--live +ask earthquake\.usgs\.gov/);
});
