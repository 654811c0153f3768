/**
 * The Kafka view's page times on a large topic (`deno task bench:ui`): a
 * 1,000,000-record, 4-partition topic of earthquake-like JSON events on disk,
 * served by `kafkaUiHandler({ logDir })` behind `Deno.serve` on 127.0.0.1 and
 * fetched over HTTP. Each page's median time (after a warm-up) is set
 * against the target of 200 ms and against two floors measured in the same
 * run: a static page of the same size from the same server (what HTTP
 * costs), and reading the same messages with `readPartitionLog` (what the
 * log costs).
 *
 * @module
 */

import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";
import { Kafka, kafkaUiHandler, readPartitionLog } from "../../kafka/mod.ts";

const flags = parseCommandLine({
  command: "deno task bench:ui",
  summary:
    "Times the Kafka view's pages on a large on-disk topic against same-run floors.",
  flags: {
    records: {
      type: "integer",
      min: 1000,
      default: 1_000_000,
      description: "records in the topic",
    },
    partitions: {
      type: "integer",
      min: 1,
      max: 64,
      default: 4,
      description: "partitions of the topic",
    },
    reps: {
      type: "integer",
      min: 3,
      default: 21,
      description: "timed fetches of each page; the median counts",
    },
  },
});

const T0 = Date.UTC(2018, 0, 31);
const REGIONS = [
  "California",
  "Alaska",
  "Chile",
  "Taiwan",
  "Indonesia",
  "Japan",
];

const logDir = await Deno.makeTempDir({ prefix: "ui_bench_" });
try {
  progress(
    `producing ${
      flags.records.toLocaleString("en-US")
    } records to ${flags.partitions} partitions in ${logDir}`,
  );
  const kafka = new Kafka({ clientId: "ui-bench", logDir });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "earthquakes", numPartitions: flags.partitions }],
  });
  const producer = kafka.producer();
  await producer.connect();
  const chunk = 5_000;
  for (let sent = 0; sent < flags.records; sent += chunk) {
    const n = Math.min(chunk, flags.records - sent);
    await producer.send({
      topic: "earthquakes",
      messages: Array.from({ length: n }, (_, k) => {
        const i = sent + k;
        const region = REGIONS[i % REGIONS.length]!;
        return {
          key: region,
          value: JSON.stringify({
            id: `us${i}`,
            mag: (i % 70) / 10,
            place: `${i % 90}km NNW of Somewhere, ${region}`,
            time: T0 + i * 600,
            depth: (i % 300) / 3,
          }),
          timestamp: String(T0 + i * 600),
        };
      }),
    });
  }
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets("earthquakes");
  await admin.setOffsets({
    groupId: "counts",
    topic: "earthquakes",
    partitions: offsets.map((o) => ({
      partition: o.partition,
      offset: String(Math.floor(Number(o.high) / 2)),
    })),
  });
  await admin.disconnect();

  const high = Number(offsets[offsets.length - 1]!.high);
  const mid = Math.floor(high / 2);
  const last = offsets.length - 1;
  // A timestamp in the middle of the last partition's records.
  let midTimestamp = T0;
  for await (
    const r of readPartitionLog(logDir, "earthquakes", last, {
      fromOffset: mid,
    })
  ) {
    midTimestamp = r.timestamp;
    break;
  }

  const handler = kafkaUiHandler({ logDir, basePath: "/kafka" });
  let staticBody = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === "/static"
        ? new Response(staticBody, {
          headers: { "content-type": "text/html; charset=utf-8" },
        })
        : handler(req),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;

  const median = async (fn: () => Promise<unknown>): Promise<number> => {
    await fn();
    const times: number[] = [];
    for (let i = 0; i < flags.reps; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  };
  const fetchPage = async (path: string): Promise<string> => {
    const res = await fetch(`${base}${path}`);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    return body;
  };

  const pages: [string, string][] = [
    ["index (topics and groups)", "/kafka/"],
    ["topic (partitions, configs)", "/kafka/topics/earthquakes"],
    [
      "50 messages from the middle offset, JSON",
      `/kafka/topics/earthquakes?partition=${last}&offset=${mid}&limit=50&format=json`,
    ],
    [
      "50 messages from a timestamp",
      `/kafka/topics/earthquakes?partition=${last}&timestamp=${midTimestamp}&limit=50`,
    ],
    [
      "50 messages at the log end, hex",
      `/kafka/topics/earthquakes?partition=${last}&offset=${
        high - 50
      }&limit=50&format=hex`,
    ],
    ["group (committed offsets, lag)", "/kafka/groups/counts"],
    ["API: topics as JSON", "/kafka/api/topics"],
  ];
  const rows: string[] = [];
  for (const [name, path] of pages) {
    progress(`timing ${name}`);
    const body = await fetchPage(path);
    staticBody = "x".repeat(body.length);
    const ms = await median(() => fetchPage(path));
    const floor = await median(() => fetchPage("/static"));
    rows.push(
      `| ${name} | ${ms.toFixed(1)} ms | ${
        (body.length / 1024).toFixed(1)
      } KiB | ${floor.toFixed(2)} ms | ${(ms / 200).toFixed(3)}x |`,
    );
  }
  progress("timing readPartitionLog of the same 50 messages");
  const direct = await median(async () => {
    let n = 0;
    for await (
      const _ of readPartitionLog(logDir, "earthquakes", last, {
        fromOffset: mid,
        toOffset: mid + 50,
      })
    ) n++;
    return n;
  });
  await server.shutdown();

  const size = offsets.length;
  console.log(
    `\nKafka view on a ${
      flags.records.toLocaleString("en-US")
    }-record, ${size}-partition topic ` +
      `(median of ${flags.reps} fetches over HTTP on 127.0.0.1; target 200 ms a page)\n`,
  );
  console.log(
    "| page | time | size | static page of that size | of the 200 ms target |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
  console.log(
    `\nreadPartitionLog of the same 50 messages from the middle offset, no HTTP: ${
      direct.toFixed(2)
    } ms`,
  );
} finally {
  await Deno.remove(logDir, { recursive: true });
}
