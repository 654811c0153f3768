// Demo: the week of USGS earthquakes through the kafka module. A producer
// writes the 1,707 events, keyed by region and stamped with their event time,
// to a 4-partition topic on disk; a consumer group of two splits the
// partitions and counts events in one-minute tumbling windows (one
// aggregator per partition, as a Kafka Streams task has); the results are
// merged into the busiest minutes, and M > 4 events are counted by region.
//
//   deno task demo:kafka

import { parseCommandLine } from "../internal/args.ts";
import { readRecordedWeek, regionOf, type UsgsFeature } from "./usgs_events.ts";
import {
  Kafka,
  type KafkaMessage,
  tumbling,
  WindowedAggregator,
  type WindowResult,
} from "../kafka/mod.ts";

parseCommandLine({
  command: "deno task demo:kafka",
  summary:
    "The recorded week through a 4-partition topic, a consumer group of two and one-minute windows.",
  flags: {},
});

const features = await readRecordedWeek();
features.sort((a, b) => a.properties.time - b.properties.time);
const region = (f: UsgsFeature) => regionOf(f.properties.place);

const logDir = await Deno.makeTempDir({ prefix: "demo_kafka_" });
try {
  const kafka = new Kafka({ clientId: "demo", logDir });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "earthquakes", numPartitions: 4 }],
  });

  const producer = kafka.producer();
  await producer.connect();
  const t0 = performance.now();
  const written = await producer.send({
    topic: "earthquakes",
    messages: features.map((f) => ({
      key: region(f),
      value: JSON.stringify(f),
      timestamp: f.properties.time,
    })),
  });
  console.log(
    `Produced ${features.length} events in ${
      (performance.now() - t0).toFixed(1)
    } ms (one fsynced batch per partition):`,
  );
  for (const o of await admin.fetchTopicOffsets("earthquakes")) {
    console.log(
      `  partition ${o.partition}: offsets ${o.low}..${Number(o.high) - 1}`,
    );
  }
  void written;

  // A consumer group of two; each keeps one window aggregator per partition.
  const results: WindowResult<number>[] = [];
  const strong = new Map<string, number>();
  let consumed = 0;
  let late = 0;
  const allDone = Promise.withResolvers<void>();
  const members: {
    name: string;
    consumer: ReturnType<Kafka["consumer"]>;
    count: number;
  }[] = [];
  for (const name of ["consumer-1", "consumer-2"]) {
    const consumer = kafka.consumer({ groupId: "minute-counts" });
    await consumer.connect();
    await consumer.subscribe({ topics: ["earthquakes"], fromBeginning: true });
    members.push({ name, consumer, count: 0 });
  }
  const aggregators = new Map<
    number,
    WindowedAggregator<KafkaMessage, number>
  >();
  for (const m of members) {
    await m.consumer.run({
      eachMessage: ({ partition, message }) => {
        let agg = aggregators.get(partition);
        if (!agg) {
          agg = new WindowedAggregator({
            window: tumbling(60_000),
            initial: () => 0,
            aggregate: (n) => n + 1,
          });
          aggregators.set(partition, agg);
        }
        results.push(
          ...agg.process(
            message.key!.toString(),
            Number(message.timestamp),
            message,
          ),
        );
        const f: UsgsFeature = JSON.parse(message.value!.toString());
        if ((f.properties.mag ?? 0) > 4) {
          strong.set(region(f), (strong.get(region(f)) ?? 0) + 1);
        }
        m.count++;
        if (++consumed === features.length) allDone.resolve();
        return Promise.resolve();
      },
    });
  }
  await allDone.promise;
  const { groups } = await admin.describeGroups(["minute-counts"]);
  console.log(
    `\nGroup "minute-counts" (${groups[0]!.state}, generation ${
      groups[0]!.generationId
    }, ${groups[0]!.protocol}):`,
  );
  for (const m of members) {
    console.log(
      `  ${m.name}: partitions ${
        JSON.stringify(m.consumer.assignment().earthquakes)
      }, ${m.count} events`,
    );
  }
  for (const agg of aggregators.values()) {
    results.push(...agg.flush());
    late += agg.lateRecords;
  }
  for (const m of members) await m.consumer.disconnect();

  const perMinute = new Map<number, number>();
  for (const r of results) {
    perMinute.set(r.start, (perMinute.get(r.start) ?? 0) + r.value);
  }
  const busiest = [...perMinute].sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 5);
  console.log(
    `\n${perMinute.size} one-minute windows with events, ${late} late records. Busiest minutes (UTC):`,
  );
  for (const [start, n] of busiest) {
    console.log(`  ${new Date(start).toISOString().slice(0, 16)}  ${n} events`);
  }
  console.log(
    "\nM > 4.0 events by region (expected: Taiwan 20, Indonesia 11, Chile 8, Alaska 7, Greenland 5):",
  );
  for (
    const [r, n] of [...strong].sort((a, b) =>
      b[1] - a[1] || a[0].localeCompare(b[0])
    ).slice(0, 5)
  ) {
    console.log(`  ${r.padEnd(12)} ${n}`);
  }
  const committed = await admin.fetchOffsets({
    groupId: "minute-counts",
    topics: ["earthquakes"],
  });
  console.log(
    `\nCommitted lag after the run: ${
      committed[0]!.partitions.map((p) => p.lag).join(", ")
    }`,
  );
  await producer.disconnect();
  await admin.disconnect();
} finally {
  await Deno.remove(logDir, { recursive: true });
}
