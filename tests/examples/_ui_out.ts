import { join } from "node:path";
import { Kafka } from "../../kafka/mod.ts";
import { ExpectationSuite, validate } from "../../quality/mod.ts";

/** An out/ as `deno task bench --keep-log` leaves it: a kafka log per scale and a validation result. */
export async function makeOut(): Promise<string> {
  const out = await Deno.makeTempDir();
  for (const scale of ["scale-1707", "scale-100000"]) {
    const kafka = new Kafka({ logDir: join(out, "kafka", scale) });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: "earthquakes", numPartitions: 2 }],
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "earthquakes",
      messages: Array.from({ length: 40 }, (_, i) => ({
        key: ["Chile", "Alaska", "Taiwan"][i % 3]!,
        value: JSON.stringify({ id: `us${i}`, mag: 3 + (i % 20) / 10 }),
        timestamp: String(Date.UTC(2018, 1, 1) + i * 1000),
      })),
    });
    await producer.disconnect();
    // A consumer group part of the way through: 15 of 40 read, lag 25.
    await admin.setOffsets({
      groupId: "quake-readers",
      topic: "earthquakes",
      partitions: [{ partition: 0, offset: "5" }, {
        partition: 1,
        offset: "10",
      }],
    });
    await admin.disconnect();
  }
  await Deno.mkdir(join(out, "quality"));
  const suite = new ExpectationSuite("usgs").expectColumnToExist("mag");
  await Deno.writeTextFile(
    join(out, "quality", "usgs_raw_events-1.json"),
    JSON.stringify(await validate([{ mag: 1 }], suite)),
  );
  return out;
}
