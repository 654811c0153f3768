/**
 * The USGS earthquake benchmark, the project's main job (`deno task bench`).
 *
 * An airflow DAG orchestrates the whole pipeline, made only of the project's
 * own modules:
 *
 * ```text
 * fetch_events ─► validate_events ─► produce_to_kafka ─┬─► aggregate_baseline ─┬─► report
 *  (http client,    (quality suite     (topic            └─► aggregate_spark ────┘   (table, JSON,
 *   USGS server)     as a gate)         earthquakes,          (workers read the        HTML)
 *                                       keyed by region)       log partitions)
 * ```
 *
 * By default the recorded week (1,707 events) is served by the project's
 * USGS-compatible server on 127.0.0.1, with a few injected 429 and 503
 * faults, so the real client, pagination and retries run with no network.
 * `--live` asks the real USGS service for the last 7 days; `--file PATH`
 * reads a GeoJSON file. The fetched events are then resampled into larger,
 * deterministic replicas (`--scales`), and at each scale the same kafka log is
 * aggregated by a plain single-threaded loop and by spark on 1, 2 (and more)
 * workers.
 *
 * Outputs: a table in the terminal, `out/usgs_benchmark.json` and
 * `out/usgs_benchmark.html`. A run that fails leaves those (the last good
 * report) alone and writes `out/usgs_benchmark_failed.json` instead: which
 * task failed and why, and the DAG run.
 *
 * @module
 */

import { join } from "node:path";
import { describeFailure } from "../internal/args.ts";
import { DAG, SequentialExecutor, type TaskState } from "../airflow/mod.ts";
import { createUsgsServer, UsgsClient } from "../http/mod.ts";
import {
  Kafka,
  listPartitions,
  readPartitionLogBatches,
  serveKafka,
} from "../kafka/mod.ts";
import { Checkpoint, type ValidationResult } from "../quality/mod.ts";
import { SparkContext, type TopicRecord } from "../spark/mod.ts";
import {
  type BenchmarkConfig,
  ConfigError,
  parseBenchmarkArgs,
  USAGE,
} from "./benchmark_config.ts";
import {
  type BenchmarkReport,
  type BenchmarkRun,
  formatRunsTable,
  jsonForPeople,
  renderBenchmarkHtml,
  type TaskSpan,
  type ValidationLine,
} from "./benchmark_report.ts";
import { featureToRow, usgsEventSuite } from "./demo_quality.ts";
import {
  type QuakeEvent,
  rankRegions,
  readFeatureCollection,
  readRecordedWeek,
  regionOf,
  replicate,
  toQuakeEvent,
  type UsgsFeature,
} from "./usgs_events.ts";

/** The module spark's workers know as `usgs` (registered on each context). */
declare const usgs: typeof import("./usgs_events.ts");

/** The topic the pipeline produces to. */
export const TOPIC = "earthquakes";

/** Where the recorded week ends: the feed's generation time. */
const RECORDED_WEEK_END = 1517968154000;

/** How many messages go into one `send` (one record batch per partition). */
const SEND_CHUNK = 5_000;

/** Prints one progress line, with the time since the run started. */
export type ProgressLog = (line: string) => void;

interface ScaleLog {
  label: string;
  events: number;
  logDir: string;
}

interface FetchOutcome {
  features: UsgsFeature[];
  requests: number;
  retries: number;
  ms: number;
  description: string;
}

/** Gets the events from the configured source. */
async function fetchEvents(
  config: BenchmarkConfig,
  log: ProgressLog,
): Promise<FetchOutcome> {
  const started = performance.now();
  if (config.source.kind === "file") {
    const features = await readFeatureCollection(config.source.path);
    return {
      features,
      requests: 0,
      retries: 0,
      ms: performance.now() - started,
      description: `file ${config.source.path}`,
    };
  }
  let retries = 0;
  const onRetry = () => {
    retries++;
  };
  if (config.source.kind === "live") {
    const client = new UsgsClient({ pageSize: 5_000, onRetry });
    const features = await Array.fromAsync(client.lastWeek());
    return {
      features,
      requests: client.stats.counts + client.stats.pages,
      retries,
      ms: performance.now() - started,
      description: "live USGS FDSN event service, last 7 days",
    };
  }
  const recorded = await readRecordedWeek();
  await using server = await createUsgsServer({
    events: recorded,
    faults: config.faults
      ? { schedule: { 2: { kind: "429", retryAfter: 1 }, 4: "503", 6: "503" } }
      : undefined,
  });
  const client = new UsgsClient({
    baseUrl: server.url,
    pageSize: 500,
    retry: { limit: 5, delay: 50 },
    onRetry,
  });
  const features = await Array.fromAsync(
    client.lastWeek({ endtime: RECORDED_WEEK_END }),
  );
  log(
    `fetched ${features.length} events in ${server.stats.requests} requests ` +
      `(${retries} retried after injected faults) from ${server.url}`,
  );
  return {
    features,
    requests: server.stats.requests,
    retries,
    ms: performance.now() - started,
    description:
      "replay of the recorded USGS week of 2018-02-07 through a local USGS-compatible server",
  };
}

/** What the produce step needs of a client: the project's `Kafka` or kafkajs's. */
interface ProducingClient {
  admin(): {
    connect(): Promise<void>;
    createTopics(
      options: { topics: { topic: string; numPartitions: number }[] },
    ): Promise<boolean>;
    disconnect(): Promise<void>;
  };
  producer(): {
    connect(): Promise<void>;
    send(record: {
      topic: string;
      acks?: number;
      messages: { key: string; value: string; timestamp: string }[];
    }): Promise<unknown>;
    disconnect(): Promise<void>;
  };
}

/** Produces `events` to a fresh log in `logDir`, keyed by region. */
async function produce(
  logDir: string,
  events: Iterable<QuakeEvent>,
  partitions: number,
  mode: BenchmarkConfig["kafka"] = "embedded",
): Promise<number> {
  await Deno.remove(logDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(logDir, { recursive: true });
  if (mode === "embedded") {
    const kafka = new Kafka({ clientId: "usgs-benchmark", logDir });
    return await sendAll(kafka, events, partitions);
  }
  // Over Kafka's wire protocol: a `serveKafka` broker owns the log directory
  // while kafkajs (a real Kafka client, so the same code would run against a
  // Kafka cluster; the project's `Kafka` class only talks to an embedded
  // broker) sends to it over TCP. Both hash keys with murmur2, so the
  // partitions hold what the embedded run writes. The broker closes before
  // spark's workers read the segment files.
  const { Kafka: KafkaJS, logLevel } = await import("kafkajs");
  await using server = await serveKafka({ logDir, port: 0 });
  const kafka = new KafkaJS({
    brokers: [`127.0.0.1:${server.port}`],
    clientId: "usgs-benchmark",
    logLevel: logLevel.NOTHING,
  });
  return await sendAll(kafka, events, partitions);
}

/** Creates the topic and sends `events` in chunks of `SEND_CHUNK`. */
async function sendAll(
  kafka: ProducingClient,
  events: Iterable<QuakeEvent>,
  partitions: number,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: partitions }],
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  let sent = 0;
  try {
    let chunk: { key: string; value: string; timestamp: string }[] = [];
    const flush = async () => {
      await producer.send({ topic: TOPIC, acks: -1, messages: chunk });
      sent += chunk.length;
      chunk = [];
    };
    for (const event of events) {
      chunk.push({
        key: regionOf(event.place),
        value: JSON.stringify(event),
        timestamp: String(event.time),
      });
      if (chunk.length === SEND_CHUNK) await flush();
    }
    if (chunk.length > 0) await flush();
  } finally {
    await producer.disconnect();
  }
  return sent;
}

/** The baseline: one thread reads every partition of the log in turn and counts. */
export async function countWithLoop(
  logDir: string,
  minMag: number,
): Promise<Map<string, number>> {
  const decoder = new TextDecoder();
  const counts = new Map<string, number>();
  for (const partition of await listPartitions(logDir, TOPIC)) {
    for await (
      const records of readPartitionLogBatches(logDir, TOPIC, partition)
    ) {
      for (const record of records) {
        if (record.value === null) continue;
        const event = JSON.parse(decoder.decode(record.value)) as QuakeEvent;
        if (event.mag !== null && event.mag > minMag) {
          const region = regionOf(event.place);
          counts.set(region, (counts.get(region) ?? 0) + 1);
        }
      }
    }
  }
  return counts;
}

/**
 * The spark job: workers read the topic's partitions from the log (cut into
 * at least `minPartitions` offset ranges) and count, combining map-side.
 */
export async function countWithSpark(
  sc: SparkContext,
  logDir: string,
  minMag: number,
  minPartitions?: number,
): Promise<{ counts: Map<string, number>; partitions: number }> {
  const records = sc.fromTopic<QuakeEvent>({
    logDir,
    topic: TOPIC,
    decode: "json",
    minPartitions,
  });
  const pairs = await records
    .filter(
      (r: TopicRecord<QuakeEvent>, env) =>
        r.value.mag !== null && r.value.mag > env.minMag,
      { minMag },
    )
    .map((r: TopicRecord<QuakeEvent>) =>
      [usgs.regionOf(r.value.place), 1] as [string, number]
    )
    .reduceByKey((a: number, b: number) => a + b)
    .collect();
  return { counts: new Map(pairs), partitions: records.numPartitions };
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function describeObserved(result: ValidationResult["results"][number]): string {
  const r = result.result ?? {};
  if (result.exception_info?.raised_exception) {
    return `error: ${result.exception_info.exception_message}`;
  }
  if (r.observed_value !== undefined) return jsonForPeople(r.observed_value);
  if (r.unexpected_count !== undefined) {
    return `${r.unexpected_count} unexpected of ${r.element_count ?? "?"}` +
      (r.partial_unexpected_list?.length
        ? `, e.g. ${jsonForPeople(r.partial_unexpected_list.slice(0, 3))}`
        : "");
  }
  return "";
}

/** The file a failed run writes instead of the report, in the output directory. */
export const FAILED_REPORT = "usgs_benchmark_failed.json";

/** What a failed run writes: which tasks failed and why, and the DAG run. */
export interface FailureReport {
  /** When the run ended, ISO 8601. */
  generated_at: string;
  /** Where the events came from. */
  source: string;
  /** Each failed task with its error. */
  failed_tasks: { task_id: string; error: string }[];
  /** The raw-event validation, as far as it got. */
  validation: BenchmarkReport["validation"];
  /** The DAG run with every task's state. */
  dag: BenchmarkReport["dag"];
}

/** Runs the whole benchmark and returns its report (also written to `config.outDir`). */
export async function runBenchmark(
  config: BenchmarkConfig,
  out: ProgressLog = console.log,
): Promise<BenchmarkReport> {
  const runStarted = performance.now();
  const stamp = () =>
    `[${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)}s]`;
  const log: ProgressLog = (line) => out(`${stamp()}   ${line}`);
  await Deno.mkdir(config.outDir, { recursive: true });
  const kafkaRoot = join(config.outDir, "kafka");
  const state: {
    fetched?: FetchOutcome;
    events?: QuakeEvent[];
    validation?: ValidationResult;
    scales: ScaleLog[];
    baseline: Map<string, { ms: number; counts: Map<string, number> }>;
    runs: BenchmarkRun[];
    topRegions: { region: string; count: number }[];
  } = { scales: [], baseline: new Map(), runs: [], topRegions: [] };

  const dag = new DAG("usgs_benchmark", { defaultArgs: { retries: 0 } });

  const fetchTask = dag.task("fetch_events", async () => {
    let fetched: FetchOutcome;
    try {
      fetched = await fetchEvents(config, log);
    } catch (error) {
      // The task's error keeps only a message: fold the causes (a DNS
      // failure under a RetryError) into it so the report says why.
      throw new Error(describeFailure(error), { cause: error });
    }
    if (fetched.features.length === 0) {
      throw new Error(`No events from ${fetched.description}`);
    }
    state.fetched = fetched;
    state.events = fetched.features.map(toQuakeEvent);
    return {
      events: fetched.features.length,
      requests: fetched.requests,
      retries: fetched.retries,
    };
  });

  const validateTask = dag.task("validate_events", async () => {
    const rows = state.fetched!.features.map(featureToRow);
    // Each run's result joins the history the quality view lists
    // (out/quality/); out/usgs_validation.json is the latest one.
    const resultsDir = join(config.outDir, "quality");
    await Deno.mkdir(resultsDir, { recursive: true });
    const resultId = `usgs_raw_events-${
      new Date().toISOString().replace(/[:.]/g, "-")
    }`;
    const resultPath = join(resultsDir, `${resultId}.json`);
    const checkpoint = new Checkpoint({
      name: "usgs_raw_events",
      suite: usgsEventSuite(),
      resultPath,
      dataDocsPath: join(config.outDir, "usgs_validation.html"),
      action: "fail",
      resultFormat: "SUMMARY",
    });
    let outcome;
    try {
      outcome = await checkpoint.run(rows);
    } finally {
      await Deno.copyFile(
        resultPath,
        join(config.outDir, "usgs_validation.json"),
      ).catch(() => {});
    }
    state.validation = outcome.validation_result;
    const s = outcome.validation_result.statistics;
    log(
      `validation: ${s.successful_expectations}/${s.evaluated_expectations} expectations met`,
    );
    return { success: outcome.success, ...s };
  });

  const produceTask = dag.task("produce_to_kafka", async () => {
    const events = state.events!;
    const scales = [
      ...new Set(config.scales.map((s) => s === 0 ? events.length : s)),
    ];
    for (const n of scales) {
      const label = n === events.length ? "week" : "resampled";
      const logDir = join(kafkaRoot, `scale-${n}`);
      const started = performance.now();
      const sent = await produce(
        logDir,
        replicate(events, n),
        config.partitions,
        config.kafka,
      );
      const ms = performance.now() - started;
      log(
        `produced ${
          sent.toLocaleString("en-US")
        } events to ${TOPIC} (${config.partitions} partitions${
          config.kafka === "server" ? ", kafkajs over TCP to serveKafka" : ""
        }) in ` +
          `${ms.toFixed(0)} ms (${
            Math.round(sent / (ms / 1000)).toLocaleString("en-US")
          } records/s)`,
      );
      state.scales.push({ label, events: sent, logDir });
    }
    return state.scales.map((s) => s.events);
  });

  // The baseline runs first (higher weight) so spark's timings compare as they come.
  const baselineTask = dag.task("aggregate_baseline", async () => {
    for (const scale of state.scales) {
      let ms = Infinity;
      let counts = new Map<string, number>();
      for (let i = 0; i < config.repeat; i++) {
        const started = performance.now();
        counts = await countWithLoop(scale.logDir, config.minMag);
        ms = Math.min(ms, performance.now() - started);
      }
      state.baseline.set(scale.logDir, { ms, counts });
      log(
        `baseline: ${scale.events.toLocaleString("en-US")} events in ${
          ms.toFixed(0)
        } ms`,
      );
    }
  }, { priorityWeight: 10 });

  // Four splits per worker of the largest pool: the region-keyed topic is
  // skewed, and offset-range splits even it out (as Spark's Kafka source does).
  const sparkPartitions = Math.max(
    config.partitions,
    4 * Math.max(...config.workers),
  );
  const sparkTask = dag.task("aggregate_spark", async () => {
    for (const scale of state.scales) {
      const baseline = state.baseline.get(scale.logDir)!;
      for (const workers of config.workers) {
        const started = performance.now();
        // Each context is one application in the event log the spark
        // view reads (out/spark-events/).
        await using sc = new SparkContext({
          parallelism: workers,
          modules: { usgs: new URL("./usgs_events.ts", import.meta.url).href },
          // Spark's event log, for the spark view of `deno task ui`.
          eventLogDir: join(config.outDir, "spark-events"),
          appName: `aggregate_spark ${scale.label}, ${workers} worker(s)`,
        });
        // A trivial job brings every worker up, so start-up is measured on its own.
        await sc.parallelize(
          Array.from({ length: workers }, (_, i) => i),
          workers,
        ).count();
        const startupMs = performance.now() - started;
        let jobMs = Infinity;
        let result = { counts: new Map<string, number>(), partitions: 0 };
        for (let i = 0; i < config.repeat; i++) {
          const jobStarted = performance.now();
          result = await countWithSpark(
            sc,
            scale.logDir,
            config.minMag,
            sparkPartitions,
          );
          jobMs = Math.min(jobMs, performance.now() - jobStarted);
        }
        const { counts, partitions } = result;
        // Start-up counts once, as it would for a one-off job.
        const ms = startupMs + jobMs;
        const run: BenchmarkRun = {
          scale: scale.label,
          events: scale.events,
          baseline_ms: baseline.ms,
          spark_ms: ms,
          spark_startup_ms: startupMs,
          workers,
          partitions,
          speedup: baseline.ms / ms,
          agree: sameCounts(counts, baseline.counts),
        };
        state.runs.push(run);
        log(
          `spark: ${
            scale.events.toLocaleString("en-US")
          } events on ${workers} worker(s) in ${ms.toFixed(0)} ms ` +
            `(start-up ${startupMs.toFixed(0)} ms), ${
              run.speedup.toFixed(2)
            }x the baseline`,
        );
        if (!run.agree) {
          throw new Error(
            `Spark and the baseline disagree at ${scale.events} events`,
          );
        }
      }
    }
  });

  const reportTask = dag.task("report", () => {
    const week = state.scales[0]!;
    state.topRegions = rankRegions(state.baseline.get(week.logDir)!.counts);
    return state.topRegions.slice(0, 5);
  });

  fetchTask.then(validateTask).then(produceTask).then([
    baselineTask,
    sparkTask,
  ]);
  baselineTask.then(reportTask);
  sparkTask.then(reportTask);

  const logTask = (taskId: string, taskState: TaskState) => {
    if (
      taskState === "running" || taskState === "success" ||
      taskState === "failed" || taskState === "upstream_failed"
    ) {
      out(`${stamp()} ${taskId}: ${taskState}`);
    }
  };
  const dagRun = await runDag(dag, join(config.outDir, "airflow"), logTask);
  if (!config.keepLog) {
    await Deno.remove(kafkaRoot, { recursive: true }).catch(() => {});
  }

  const notes: string[] = [];
  const weekRuns = state.runs.filter((r) => r.scale === "week");
  if (weekRuns.length > 0) {
    const startup = Math.max(...weekRuns.map((r) => r.spark_startup_ms));
    notes.push(
      `At the real week's ${
        weekRuns[0]!.events.toLocaleString("en-US")
      } events the work takes a few milliseconds; ` +
        `spark's time is dominated by starting its workers (up to ${
          startup.toFixed(0)
        } ms), so the baseline wins there.`,
    );
  }
  notes.push(
    "The baseline and spark read the same kafka log: the baseline reads its partitions one after another on the " +
      "main thread; spark's workers read offset ranges of them in parallel and send back per-region counts " +
      "(map-side combine). Times are the best of " + config.repeat +
      " runs; spark's include starting its workers once.",
  );
  notes.push(
    `The topic is keyed by region, so its ${config.partitions} partitions are uneven (California's many small ` +
      `events land in one); spark cuts large partitions into offset ranges of about equal size (at least ` +
      `${sparkPartitions} splits), as Spark's Kafka source does with minPartitions, so the workers get equal shares.`,
  );
  const validation = state.validation;
  const report: BenchmarkReport = {
    generated_at: new Date().toISOString(),
    source: state.fetched?.description ?? String(config.source.kind),
    events_fetched: state.fetched?.features.length ?? 0,
    fetch: {
      requests: state.fetched?.requests ?? 0,
      retries: state.fetched?.retries ?? 0,
      ms: state.fetched?.ms ?? 0,
    },
    top_regions: state.topRegions,
    runs: state.runs,
    validation: {
      success: validation?.success ?? false,
      evaluated: validation?.statistics.evaluated_expectations ?? 0,
      successful: validation?.statistics.successful_expectations ?? 0,
      lines: (validation?.results ?? []).map((r): ValidationLine => ({
        expectation: r.expectation_config.expectation_type,
        column: String(
          r.expectation_config.kwargs.column ??
            r.expectation_config.kwargs.column_list ?? "",
        ),
        success: r.success,
        observed: describeObserved(r),
      })),
    },
    dag: dagRun,
    machine: {
      cores: navigator.hardwareConcurrency,
      deno: Deno.version.deno,
      os: `${Deno.build.os} ${Deno.build.arch}`,
    },
    notes,
  };
  const failedPath = join(config.outDir, FAILED_REPORT);
  if (dagRun.state !== "success") {
    // The last good report stays; the failure gets its own file.
    const failed = dagRun.tasks.filter((t) => t.state === "failed");
    const where = failed.map((t) => t.taskId).join(", ") || "an upstream task";
    const why = failed.find((t) => t.error)?.error ?? "see the log above";
    const failure: FailureReport = {
      generated_at: report.generated_at,
      source: report.source,
      failed_tasks: failed.map((t) => ({
        task_id: t.taskId,
        error: t.error ?? "",
      })),
      validation: report.validation,
      dag: dagRun,
    };
    await Deno.writeTextFile(
      failedPath,
      JSON.stringify(failure, null, 2) + "\n",
    );
    throw new Error(`DAG run failed in ${where}: ${why}`);
  }
  await Deno.writeTextFile(
    join(config.outDir, "usgs_benchmark.json"),
    JSON.stringify(report, null, 2) + "\n",
  );
  await Deno.writeTextFile(
    join(config.outDir, "usgs_benchmark.html"),
    renderBenchmarkHtml(report),
  );
  await Deno.remove(failedPath).catch(() => {});
  return report;
}

async function runDag(
  dag: DAG,
  stateDir: string,
  onTransition: (taskId: string, state: TaskState) => void,
): Promise<BenchmarkReport["dag"]> {
  // The run's state goes where the airflow view reads it (out/airflow/).
  const run = await dag.test({
    executor: new SequentialExecutor(),
    stateDir,
    onTransition,
  });
  // Topological order, with each task's upstream ids, so the report can draw
  // the DAG's branches; the Gantt chart shows the times.
  const tasks: TaskSpan[] = dag.topologicalOrder().map((taskId) => {
    const t = run.tasks[taskId]!;
    return {
      taskId,
      state: t.state,
      tryNumber: t.tryNumber,
      start: t.startDate ?? 0,
      end: t.endDate ?? 0,
      upstream: dag.getTask(taskId).upstreamIds,
      ...(t.error ? { error: t.error } : {}),
    };
  });
  return { dag_id: dag.dagId, run_id: run.runId, state: run.state, tasks };
}

async function main(): Promise<number> {
  let config: BenchmarkConfig;
  try {
    const parsed = parseBenchmarkArgs(Deno.args);
    if (parsed === "help") {
      console.log(USAGE);
      return 0;
    }
    config = parsed;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message} (see deno task bench --help)`);
      return 2;
    }
    throw error;
  }
  try {
    const report = await runBenchmark(config);
    console.log(`\nTop regions (magnitude > ${config.minMag}):`);
    for (const r of report.top_regions.slice(0, 5)) {
      console.log(`  ${r.region.padEnd(24)} ${r.count}`);
    }
    console.log(`\n${formatRunsTable(report.runs)}\n`);
    for (const note of report.notes) console.log(`note: ${note}`);
    console.log(
      `\nWrote ${join(config.outDir, "usgs_benchmark.json")} and ${
        join(config.outDir, "usgs_benchmark.html")
      }`,
    );
    return 0;
  } catch (error) {
    console.error(`usgs_benchmark failed: ${describeFailure(error)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
