import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FAILED_REPORT,
  type FailureReport,
  runBenchmark,
} from "../../examples/usgs_benchmark.ts";
import type { BenchmarkConfig } from "../../examples/benchmark_config.ts";
import type { BenchmarkReport } from "../../examples/benchmark_report.ts";

function config(
  outDir: string,
  overrides: Partial<BenchmarkConfig> = {},
): BenchmarkConfig {
  return {
    source: { kind: "replay" },
    scales: [0],
    workers: [1],
    partitions: 4,
    minMag: 4,
    outDir,
    faults: true,
    keepLog: false,
    repeat: 1,
    kafka: "embedded",
    ...overrides,
  };
}

Deno.test("runBenchmark() replays the recorded week through faults and finds the known top regions", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const report = await runBenchmark(
      config(outDir, { scales: [0, 3_000], workers: [1, 2] }),
      (l) => lines.push(l),
    );
    assert.equal(report.events_fetched, 1707);
    assert.ok(report.fetch.retries >= 1, "the injected faults were retried");
    assert.deepEqual(report.top_regions.slice(0, 5), [
      { region: "Taiwan", count: 20 },
      { region: "Indonesia", count: 11 },
      { region: "Chile", count: 8 },
      { region: "Alaska", count: 7 },
      { region: "Greenland", count: 5 },
    ]);
    assert.deepEqual(
      report.runs.map((r) => [r.scale, r.events, r.workers, r.agree]),
      [
        ["week", 1707, 1, true],
        ["week", 1707, 2, true],
        ["resampled", 3000, 1, true],
        ["resampled", 3000, 2, true],
      ],
    );
    assert.equal(report.validation.success, true);
    assert.equal(report.dag.state, "success");
    assert.deepEqual(report.dag.tasks.map((t) => t.taskId).sort(), [
      "aggregate_baseline",
      "aggregate_spark",
      "fetch_events",
      "produce_to_kafka",
      "report",
      "validate_events",
    ]);
    assert.ok(
      lines.some((l) => /aggregate_spark: running/.test(l)),
      "progress shows each task",
    );
    const written = JSON.parse(
      await Deno.readTextFile(join(outDir, "usgs_benchmark.json")),
    ) as BenchmarkReport;
    assert.equal(written.events_fetched, 1707);
    for (const run of written.runs) {
      for (
        const key of [
          "scale",
          "events",
          "baseline_ms",
          "spark_ms",
          "workers",
          "partitions",
          "speedup",
        ]
      ) {
        assert.ok(key in run, `run has ${key}`);
      }
    }
    const html = await Deno.readTextFile(join(outDir, "usgs_benchmark.html"));
    assert.match(html, />Taiwan<\/text>/);
    await assert.rejects(
      Deno.stat(join(outDir, "kafka")),
      Deno.errors.NotFound,
    );
    // What the live views read: the DAG run's state and the validation result.
    const names = async (dir: string) =>
      (await Array.fromAsync(Deno.readDir(join(outDir, dir)))).map((e) =>
        e.name
      );
    assert.ok(
      (await names("airflow")).some((n) =>
        n.startsWith(
          `usgs_benchmark@${encodeURIComponent(report.dag.run_id)}`,
        ) &&
        n.endsWith(".json")
      ),
      "the DAG run's state is under out/airflow/",
    );
    assert.ok(
      (await names("spark-events")).length >= 2,
      "each spark application's event log is under out/spark-events/",
    );
    const results = await names("quality");
    assert.equal(results.length, 1);
    assert.match(results[0]!, /^usgs_raw_events-[0-9T-]+Z\.json$/);
    // Spark's event logs, closed (no .inprogress left), for the spark view.
    const logs = await names("spark-events");
    assert.ok(
      logs.length > 0 && logs.every((n) => /^local-\d+(-\d+)?$/.test(n)),
      `spark event logs: ${logs}`,
    );
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("runBenchmark() reads a GeoJSON file and fails the gate on bad events, keeping the last good report", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const lastGood = '{"dag":{"state":"success"}}\n';
    await Deno.writeTextFile(join(outDir, "usgs_benchmark.json"), lastGood);
    const file = join(outDir, "bad.geojson");
    const feature = (id: string, mag: number) => ({
      type: "Feature",
      id,
      properties: {
        mag,
        place: "1km N of Somewhere, Chile",
        time: 1517900000000,
        type: "earthquake",
      },
      geometry: { type: "Point", coordinates: [-70, -30, 10] },
    });
    // Magnitude 42 is out of physical range: the quality gate stops the DAG.
    await Deno.writeTextFile(
      file,
      JSON.stringify({ features: [feature("us1", 5), feature("us2", 42)] }),
    );
    await assert.rejects(
      runBenchmark(
        config(outDir, { source: { kind: "file", path: file } }),
        () => {},
      ),
      /DAG run failed in validate_events/,
    );
    assert.equal(
      await Deno.readTextFile(join(outDir, "usgs_benchmark.json")),
      lastGood,
    );
    const failure = JSON.parse(
      await Deno.readTextFile(join(outDir, FAILED_REPORT)),
    ) as FailureReport;
    assert.equal(failure.dag.state, "failed");
    assert.equal(failure.validation.success, false);
    assert.equal(failure.failed_tasks.length, 1);
    assert.equal(failure.failed_tasks[0]!.task_id, "validate_events");
    assert.match(
      failure.failed_tasks[0]!.error,
      /expect_column_values_to_be_between|failed/i,
    );
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("usgs_benchmark exits non-zero with a message on a bad flag or file", async () => {
  const script =
    new URL("../../examples/usgs_benchmark.ts", import.meta.url).pathname;
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-net=127.0.0.1",
        "--allow-env",
        script,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const badFlag = await run("--scales=0");
  assert.equal(badFlag.code, 2);
  assert.equal(
    badFlag.stderr,
    'Flag --scales takes positive integers: "0" (see deno task bench --help)\n',
  );
  const outDir = await Deno.makeTempDir();
  try {
    const missing = await run(
      "--file",
      join(outDir, "nope.geojson"),
      "--out",
      outDir,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read GeoJSON file: .*nope\.geojson/);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});
