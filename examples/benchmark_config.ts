/**
 * The benchmark's configuration: typed, with defaults, overridable by flags.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** Where the benchmark's events come from. */
export type BenchmarkSource =
  | { kind: "replay" }
  | { kind: "live" }
  | { kind: "file"; path: string };

/** Everything a benchmark run needs to know. */
export interface BenchmarkConfig {
  /** Recorded week through a local USGS server (default), the live service, or a file. */
  source: BenchmarkSource;
  /** Event counts to run at; the fetched events are resampled to each. */
  scales: number[];
  /** Worker counts for spark at each scale. */
  workers: number[];
  /** Partitions of the `earthquakes` topic (and so of the spark job). */
  partitions: number;
  /** Magnitude above which an event counts. */
  minMag: number;
  /** Where JSON, HTML and the kafka log go. */
  outDir: string;
  /** Inject 429 and 503 faults into the replay server. */
  faults: boolean;
  /** Keep the kafka log in `outDir` after the run. */
  keepLog: boolean;
  /** Times each aggregation runs; the best time counts. */
  repeat: number;
}

/** Thrown for a bad flag or value; the benchmark prints it and exits non-zero. */
export class ConfigError extends Error {
  /** Makes a config error with its message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** The usage text printed with `--help` and after a bad flag. */
export const USAGE = `Usage: deno task bench [options]

  --live              fetch the last 7 days from the real USGS service
  --file PATH         read events from a GeoJSON file (.geojson or .geojson.gz)
  --scales LIST       event counts to run at, comma-separated; "week" is the
                      fetched count (default: week,100000,1000000)
  --workers LIST      spark worker counts (default: 1,2, plus the core count
                      when it is larger)
  --partitions N      partitions of the earthquakes topic (default: 4)
  --min-mag M         magnitude threshold (default: 4)
  --out DIR           output directory (default: out)
  --no-faults         no injected 429/503 faults in replay mode
  --keep-log          keep the kafka log under the output directory
  --repeat N          run each aggregation N times, keep the best (default: 3)
  --help              this text`;

function positiveInts(
  flag: string,
  text: string,
  allowWeek: boolean,
): number[] {
  const values = text.split(",").map((part) => part.trim()).filter(Boolean);
  if (values.length === 0) {
    throw new ConfigError(`Flag --${flag} needs at least one value: "${text}"`);
  }
  return values.map((part) => {
    if (allowWeek && part === "week") return 0;
    const n = Number(part.replaceAll("_", ""));
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new ConfigError(
        `Flag --${flag} takes positive integers: "${part}"`,
      );
    }
    return n;
  });
}

/**
 * Parses command-line flags into a config. Scale 0 stands for "the fetched
 * week", resolved once the events are in.
 */
export function parseBenchmarkArgs(
  args: string[],
  cores = navigator.hardwareConcurrency,
): BenchmarkConfig | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        live: { type: "boolean" },
        file: { type: "string" },
        scales: { type: "string" },
        workers: { type: "string" },
        partitions: { type: "string" },
        "min-mag": { type: "string" },
        out: { type: "string" },
        "no-faults": { type: "boolean" },
        "keep-log": { type: "boolean" },
        repeat: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (cause) {
    throw new ConfigError(`Bad command line: ${(cause as Error).message}`, {
      cause,
    });
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (v.live && v.file !== undefined) {
    throw new ConfigError("Flags --live and --file cannot be used together");
  }
  if (v.file === "") throw new ConfigError(`Flag --file needs a path: ""`);
  const source: BenchmarkSource = v.live
    ? { kind: "live" }
    : v.file !== undefined
    ? { kind: "file", path: v.file }
    : { kind: "replay" };
  const defaultWorkers = cores > 2 ? [1, 2, cores] : [1, 2];
  const partitions = v.partitions === undefined
    ? 4
    : positiveInts("partitions", v.partitions, false);
  if (Array.isArray(partitions) && partitions.length !== 1) {
    throw new ConfigError(
      `Flag --partitions takes one integer: "${v.partitions}"`,
    );
  }
  const repeat = v.repeat === undefined
    ? [3]
    : positiveInts("repeat", v.repeat, false);
  if (repeat.length !== 1) {
    throw new ConfigError(`Flag --repeat takes one integer: "${v.repeat}"`);
  }
  const minMag = v["min-mag"] === undefined ? 4 : Number(v["min-mag"]);
  if (!Number.isFinite(minMag)) {
    throw new ConfigError(`Flag --min-mag takes a number: "${v["min-mag"]}"`);
  }
  return {
    source,
    scales: v.scales === undefined
      ? [0, 100_000, 1_000_000]
      : positiveInts("scales", v.scales, true),
    workers: v.workers === undefined
      ? defaultWorkers
      : positiveInts("workers", v.workers, false),
    partitions: Array.isArray(partitions) ? partitions[0]! : partitions,
    minMag,
    outDir: v.out ?? "out",
    faults: !v["no-faults"],
    keepLog: Boolean(v["keep-log"]),
    repeat: repeat[0]!,
  };
}
