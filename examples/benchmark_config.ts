/**
 * The benchmark's configuration: typed, with defaults, overridable by flags.
 *
 * @module
 */
import { formatUsage, parseFlags, UsageError } from "../internal/args.ts";

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
  /**
   * How the produce step reaches the log: the embedded broker in this
   * process, or kafkajs over TCP to a `serveKafka` broker on the same log
   * directory (spark's workers read the segment files either way).
   */
  kafka: "embedded" | "server";
}

/** Thrown for a bad flag or value; the benchmark prints it and exits 2. */
export class ConfigError extends UsageError {
  /** Makes a config error with its message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** The benchmark's command line, for the shared parser and `--help`. */
export const BENCHMARK_COMMAND = {
  command: "deno task bench",
  summary:
    "The USGS earthquake pipeline: fetch, validate, produce to kafka, aggregate with spark and a plain loop.",
  flags: {
    live: {
      type: "boolean",
      description: "fetch the last 7 days from the real USGS service",
    },
    file: {
      type: "string",
      placeholder: "PATH",
      description: "read events from a GeoJSON file (.geojson or .geojson.gz)",
    },
    scales: {
      type: "string",
      placeholder: "LIST",
      description:
        'event counts to run at, comma-separated; "week" is the fetched count (default: week,100000,1000000)',
    },
    workers: {
      type: "string",
      placeholder: "LIST",
      description:
        "spark worker counts (default: 1,2, plus the core count when larger)",
    },
    partitions: {
      type: "integer",
      min: 1,
      default: 4,
      description: "partitions of the earthquakes topic",
    },
    "min-mag": {
      type: "number",
      placeholder: "M",
      default: 4,
      description: "magnitude threshold",
    },
    out: {
      type: "string",
      placeholder: "DIR",
      default: "out",
      description: "output directory",
    },
    "no-faults": {
      type: "boolean",
      description: "no injected 429/503 faults in replay mode",
    },
    "keep-log": {
      type: "boolean",
      description: "keep the kafka log under the output directory",
    },
    repeat: {
      type: "integer",
      min: 1,
      default: 3,
      description: "run each aggregation N times, keep the best",
    },
    kafka: {
      type: "string",
      placeholder: "MODE",
      default: "embedded",
      description:
        'produce through the embedded broker ("embedded") or with kafkajs to a serveKafka broker over TCP ("server")',
    },
  },
} as const;

/** The usage text printed with `--help`. */
export const USAGE: string = formatUsage(BENCHMARK_COMMAND);

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
  let v;
  try {
    v = parseFlags(BENCHMARK_COMMAND, args);
  } catch (cause) {
    throw new ConfigError((cause as Error).message, { cause });
  }
  if (v === "help") return "help";
  if (v.live && v.file !== undefined) {
    throw new ConfigError("Flags --live and --file cannot be used together");
  }
  if (v.file === "") throw new ConfigError(`Flag --file needs a path: ""`);
  const source: BenchmarkSource = v.live
    ? { kind: "live" }
    : v.file !== undefined
    ? { kind: "file", path: v.file }
    : { kind: "replay" };
  if (v.kafka !== "embedded" && v.kafka !== "server") {
    throw new ConfigError(
      `Flag --kafka takes "embedded" or "server": "${v.kafka}"`,
    );
  }
  const defaultWorkers = cores > 2 ? [1, 2, cores] : [1, 2];
  return {
    source,
    scales: v.scales === undefined
      ? [0, 100_000, 1_000_000]
      : positiveInts("scales", v.scales, true),
    workers: v.workers === undefined
      ? defaultWorkers
      : positiveInts("workers", v.workers, false),
    partitions: v.partitions,
    minMag: v["min-mag"],
    outDir: v.out,
    faults: !v["no-faults"],
    keepLog: Boolean(v["keep-log"]),
    repeat: v.repeat,
    kafka: v.kafka,
  };
}
