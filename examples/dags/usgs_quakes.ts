// The USGS pipeline as a DAG file: read the recorded week of earthquakes,
// count M > minMag events by region, branch on whether any were strong,
// publish a summary under out/airflow/usgs/.
//
//   deno task airflow dags test usgs_quakes 2018-02-07
//   deno task airflow scheduler              (runs it daily, no catchup)

import { DAG, EmptyOperator, TriggerRule } from "../../airflow/mod.ts";
import {
  countByRegion,
  readRecordedWeek,
  toQuakeEvent,
} from "../usgs_events.ts";

export const usgsQuakes: DAG = new DAG("usgs_quakes", {
  description: "Count strong earthquakes by region from the recorded week",
  schedule: "@daily",
  startDate: "2018-02-01",
  catchup: false,
  params: { minMag: 4, top: 5 },
  defaultArgs: { retries: 2, retryDelay: 1_000 },
});

const extract = usgsQuakes.task("extract", async (ctx) => {
  const events = (await readRecordedWeek()).map(toQuakeEvent);
  ctx.log.info(`read ${events.length} events`);
  const dir = `out/airflow/usgs/${ctx.runId.replaceAll(":", "-")}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/events.json`, JSON.stringify(events));
  ctx.xcom.push("dir", dir);
  return events.length;
});

const count = usgsQuakes.task("count_by_region", async (ctx) => {
  const dir = ctx.xcom.pull<string>("extract", "dir")!;
  const events = JSON.parse(await Deno.readTextFile(`${dir}/events.json`));
  const ranked = countByRegion(events, Number(ctx.params.minMag));
  ctx.log.info(`${ranked.length} regions above M${ctx.params.minMag}`);
  return ranked.slice(0, Number(ctx.params.top));
});

const anyStrong = usgsQuakes.branch(
  "any_strong_quakes",
  (ctx) =>
    (ctx.xcom.pull<unknown[]>("count_by_region") ?? []).length > 0
      ? "publish"
      : "quiet_day",
);

const publish = usgsQuakes.task("publish", async (ctx) => {
  const dir = ctx.xcom.pull<string>("extract", "dir")!;
  const top = ctx.xcom.pull("count_by_region");
  await Deno.writeTextFile(
    `${dir}/summary.json`,
    JSON.stringify({ runId: ctx.runId, events: ctx.xcom.pull("extract"), top }),
  );
  ctx.log.info(`summary written to ${dir}/summary.json`);
  return top;
});

const quiet = usgsQuakes.add(new EmptyOperator({ taskId: "quiet_day" }));
const done = usgsQuakes.add(
  new EmptyOperator({
    taskId: "done",
    triggerRule: TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
  }),
);

extract.then(count).then(anyStrong).then([publish, quiet]);
usgsQuakes.chain([publish, quiet], done);
