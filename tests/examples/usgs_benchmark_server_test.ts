import assert from "node:assert/strict";
import { runBenchmark } from "../../examples/usgs_benchmark.ts";
import {
  ConfigError,
  parseBenchmarkArgs,
} from "../../examples/benchmark_config.ts";

Deno.test("runBenchmark() with kafka: server produces through serveKafka over TCP and spark reads the same log", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const report = await runBenchmark({
      source: { kind: "replay" },
      scales: [0],
      workers: [1],
      partitions: 4,
      minMag: 4,
      outDir,
      faults: false,
      keepLog: false,
      repeat: 1,
      kafka: "server",
    }, (l) => lines.push(l));
    assert.deepEqual(report.top_regions.slice(0, 3), [
      { region: "Taiwan", count: 20 },
      { region: "Indonesia", count: 11 },
      { region: "Chile", count: 8 },
    ]);
    assert.deepEqual(
      report.runs.map((r) => [r.events, r.agree]),
      [[1707, true]],
    );
    assert.ok(
      lines.some((l) => /produced 1,707 events/.test(l)),
      lines.join("\n"),
    );
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("parseBenchmarkArgs() takes --kafka=embedded|server and refuses other modes", () => {
  const served = parseBenchmarkArgs(["--kafka=server"], 2);
  assert.ok(served !== "help");
  assert.equal(served.kafka, "server");
  assert.throws(
    () => parseBenchmarkArgs(["--kafka=cluster"], 2),
    (e) => e instanceof ConfigError && /--kafka .*"cluster"/.test(e.message),
  );
});
