import assert from "node:assert/strict";
import {
  ConfigError,
  parseBenchmarkArgs,
} from "../../examples/benchmark_config.ts";

Deno.test("parseBenchmarkArgs() defaults to the recorded week replayed at three scales", () => {
  const config = parseBenchmarkArgs([], 2);
  assert.deepEqual(config, {
    source: { kind: "replay" },
    scales: [0, 100_000, 1_000_000],
    workers: [1, 2],
    partitions: 4,
    minMag: 4,
    outDir: "out",
    faults: true,
    keepLog: false,
    repeat: 3,
    kafka: "embedded",
  });
  const many = parseBenchmarkArgs([], 8);
  assert.ok(many !== "help");
  assert.deepEqual(many.workers, [1, 2, 8]);
});

Deno.test("parseBenchmarkArgs() reads sources, scales and workers", () => {
  const config = parseBenchmarkArgs([
    "--file",
    "x.geojson",
    "--scales=week,1_000",
    "--workers",
    "1,4",
    "--no-faults",
  ], 2);
  assert.ok(config !== "help");
  assert.deepEqual(config.source, { kind: "file", path: "x.geojson" });
  assert.deepEqual(config.scales, [0, 1000]);
  assert.deepEqual(config.workers, [1, 4]);
  assert.equal(config.faults, false);
  assert.ok(parseBenchmarkArgs(["--live"]) !== "help");
  assert.equal(parseBenchmarkArgs(["--help"]), "help");
});

Deno.test("parseBenchmarkArgs() rejects bad flags with a message naming them", () => {
  assert.throws(() => parseBenchmarkArgs(["--nope"]), ConfigError);
  assert.throws(
    () => parseBenchmarkArgs(["--scales", "10,-3"]),
    /--scales takes positive integers: "-3"/,
  );
  assert.throws(
    () => parseBenchmarkArgs(["--workers", "two"]),
    /--workers takes positive integers: "two"/,
  );
  assert.throws(
    () => parseBenchmarkArgs(["--live", "--file", "a"]),
    /cannot be used together/,
  );
  assert.throws(
    () => parseBenchmarkArgs(["--partitions", "2,3"]),
    /--partitions takes an integer: "2,3"/,
  );
  assert.throws(
    () => parseBenchmarkArgs(["--min-mag", "big"]),
    /--min-mag takes a number: "big"/,
  );
  assert.throws(
    () => parseBenchmarkArgs(["--repeat=0"]),
    /--repeat must be at least 1: "0"/,
  );
});
