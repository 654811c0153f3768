/**
 * The http module at work: fetch last week's earthquakes through a flaky
 * server and count M > 4 events by region.
 *
 * Offline (default): the recorded 2018-02-07 week is served by
 * `createUsgsServer` on 127.0.0.1 with a dropped connection, 503s, a cut body
 * and a 429 with `Retry-After`; the client retries through all of them and
 * gets every one of the 1,707 events. With `--live` it asks the real USGS
 * service for the last seven days instead.
 *
 * Run: `deno task demo:http` or `deno task demo:http -- --live`.
 *
 * @module
 */

import { describeFailure, parseCommandLine } from "../internal/args.ts";
import {
  createUsgsServer,
  HttpError,
  UsgsClient,
  type UsgsFeature,
  type UsgsServer,
} from "../http/mod.ts";
import {
  countByRegion,
  readRecordedWeek,
  toQuakeEvent,
} from "./usgs_events.ts";

const values = parseCommandLine({
  command: "deno task demo:http",
  summary:
    "Fetches a week of earthquakes through injected faults and counts M > 4 by region.",
  flags: {
    live: {
      type: "boolean",
      description: "ask earthquake.usgs.gov for the last seven days instead",
    },
  },
});

let server: UsgsServer | undefined;
let usgs: UsgsClient;
let source: AsyncIterable<UsgsFeature>;
const onRetry = (
  { attempt, delay, error, retryAfter }: {
    attempt: number;
    delay: number;
    error: unknown;
    retryAfter: boolean;
  },
) => {
  const why = error instanceof HttpError
    ? `HTTP ${error.status}`
    : error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
  console.log(
    `  attempt ${attempt} failed (${why}), retrying in ${delay} ms${
      retryAfter ? " as Retry-After asked" : ""
    }`,
  );
};

if (values.live) {
  usgs = new UsgsClient({
    pageSize: 5_000,
    rateLimit: { capacity: 2, refillPerSecond: 1 },
    onRetry,
  });
  console.log("Asking earthquake.usgs.gov for the last seven days…");
  source = usgs.lastWeek();
} else {
  const week = await readRecordedWeek();
  server = await createUsgsServer({
    events: week,
    faults: {
      schedule: {
        2: "drop",
        3: "503",
        5: "truncate",
        6: { kind: "429", retryAfter: 1 },
      },
    },
  });
  usgs = new UsgsClient({ baseUrl: server.url, pageSize: 400, onRetry });
  console.log(`Serving the recorded week (1,707 events) at ${server.url}`);
  // The feed was generated at 2018-02-07T01:49:14Z: replay its week.
  source = usgs.lastWeek({ endtime: 1517968154000 });
}

const features: UsgsFeature[] = [];
const t0 = performance.now();
try {
  for await (const feature of source) {
    features.push(feature);
    if (features.length % 500 === 0) {
      console.log(`  ${features.length} events…`);
    }
  }
} catch (error) {
  // A network failure is the user's environment, not a bug: one line, its cause.
  console.error(`demo:http failed: ${describeFailure(error)}`);
  await server?.close();
  Deno.exit(1);
}
const seconds = ((performance.now() - t0) / 1000).toFixed(2);
console.log(
  `Got ${features.length} events in ${seconds} s ` +
    `(${usgs.stats.counts} counts, ${usgs.stats.pages} pages, ` +
    `${usgs.stats.splits} window splits, ${usgs.stats.duplicates} duplicates dropped)`,
);
if (server) {
  console.log(
    `Server saw ${server.stats.requests} requests; faults injected: ${
      Object.entries(server.stats.faults).filter(([, n]) => n > 0)
        .map(([kind, n]) => `${n}× ${kind}`).join(", ")
    }`,
  );
  await server.close();
}
console.log("M > 4 events by region:");
for (
  const { region, count } of countByRegion(features.map(toQuakeEvent)).slice(
    0,
    5,
  )
) {
  console.log(`  ${region.padEnd(20)} ${count}`);
}
