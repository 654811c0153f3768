// Mini-Airflow demo: a DAG waits on a FileSensor for a data drop, then
// parses the USGS earthquake feed, branches on what it finds, and writes its
// run report (graph, grid, Gantt) to out/.
//
//   deno task demo:airflow
//
// The "upstream system" here is a timer that drops the file after a moment.

import { parseCommandLine } from "../internal/args.ts";
import { readRecordedWeek } from "./usgs_events.ts";
import {
  DAG,
  FileSensor,
  LocalExecutor,
  renderRunReport,
  TriggerRule,
} from "../airflow/mod.ts";

interface Feature {
  properties: { mag: number | null; place: string | null };
}

parseCommandLine({
  command: "deno task demo:airflow",
  summary:
    "A DAG waits on a FileSensor for the feed, counts M > 4 events by region and writes its run report.",
  flags: {},
});

const base = "out/demo_airflow";
const landing = `${base}/landing`;
await Deno.remove(base, { recursive: true }).catch(() => {});
await Deno.mkdir(landing, { recursive: true });

const dag = new DAG("usgs_daily", {
  description: "Count strong earthquakes by region once the feed lands",
  defaultArgs: { retries: 2, retryDelay: 200 },
  params: { minMag: 4 },
});

const wait = dag.add(
  new FileSensor({
    taskId: "wait_for_feed",
    filepath: `${landing}/*.geojson`,
    pokeInterval: 250,
    timeout: 30_000,
    mode: "reschedule",
  }),
);
const extract = dag.task("extract", async () => {
  const name = [...Deno.readDirSync(landing)].find((e) =>
    e.name.endsWith(".geojson")
  )!.name;
  const feed = JSON.parse(await Deno.readTextFile(`${landing}/${name}`));
  const features = feed.features as Feature[];
  const rows = features.map((f) => ({
    mag: f.properties.mag ?? 0,
    region: (f.properties.place ?? "").split(",").pop()!.trim() || "(unknown)",
  }));
  await Deno.writeTextFile(`${base}/rows.json`, JSON.stringify(rows));
  return { file: name, events: rows.length };
});
const check = dag.branch("any_strong_quakes", async (ctx) => {
  const rows = JSON.parse(await Deno.readTextFile(`${base}/rows.json`)) as {
    mag: number;
  }[];
  return rows.some((r) => r.mag > Number(ctx.params.minMag))
    ? "top_regions"
    : "quiet_week";
});
const top = dag.task("top_regions", async (ctx) => {
  const rows = JSON.parse(await Deno.readTextFile(`${base}/rows.json`)) as {
    mag: number;
    region: string;
  }[];
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.mag > Number(ctx.params.minMag)) {
      counts.set(r.region, (counts.get(r.region) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 5);
});
const quiet = dag.task("quiet_week", () => []);
const publish = dag.task("publish", async (ctx) => {
  const summary = {
    feed: ctx.xcom.pull("extract"),
    top: ctx.xcom.pull("top_regions") ?? ctx.xcom.pull("quiet_week"),
  };
  await Deno.writeTextFile(
    `${base}/summary.json`,
    JSON.stringify(summary, null, 2),
  );
  return summary.top;
}, { triggerRule: TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS });
wait.then(extract).then(check).then([top, quiet]);
dag.chain([top, quiet], publish);

// The data drop arrives 1.5 s after the run starts.
const drop = setTimeout(async () => {
  const features = await readRecordedWeek();
  const text = JSON.stringify({ type: "FeatureCollection", features });
  await Deno.writeTextFile(`${landing}/all_week.geojson.tmp`, text);
  await Deno.rename(
    `${landing}/all_week.geojson.tmp`,
    `${landing}/all_week.geojson`,
  );
  console.log(`  [${elapsed()}] (the feed file landed)`);
}, 1_500);

const t0 = performance.now();
const elapsed = () =>
  `${((performance.now() - t0) / 1000).toFixed(2)} s`.padStart(7);
console.log(`Running DAG ${dag.dagId}: ${dag.topologicalOrder().join(" -> ")}`);
const run = await dag.test({
  executor: new LocalExecutor({ parallelism: 4 }),
  stateDir: `${base}/state`,
  onTransition: (taskId, state, tryNumber) => {
    if (state === "scheduled") return;
    console.log(
      `  [${elapsed()}] ${taskId.padEnd(18)} ${state}${
        tryNumber > 1 ? ` (try ${tryNumber})` : ""
      }`,
    );
  },
});
clearTimeout(drop);

console.log(`\nRun ${run.runId}: ${run.state}`);
console.log("Top regions, M > 4:", run.tasks.publish?.xcom);
const report = "out/airflow_demo_report.html";
await Deno.writeTextFile(
  report,
  renderRunReport(dag, run, { title: "USGS daily DAG" }),
);
console.log(`Run report: ${report} (state in ${base}/state)`);
if (run.state !== "success") Deno.exit(1);
