// Subprocess for the crash test: produces forever, printing each
// acknowledged high offset, until the parent kills it with SIGKILL.
import { Kafka } from "../../kafka/mod.ts";

const logDir = Deno.args[0]!;
const kafka = new Kafka({ logDir });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [{
    topic: "crash",
    numPartitions: 2,
    configEntries: [{ name: "segment.bytes", value: "20000" }],
  }],
});
const producer = kafka.producer();
await producer.connect();
const enc = new TextEncoder();
for (let round = 0;; round++) {
  const messages = Array.from({ length: 50 }, (_, i) => ({
    key: `k${i % 4}`,
    value: `r${round}-m${i}-${"x".repeat(40)}`,
  }));
  const meta = await producer.send({ topic: "crash", messages });
  const counts = new Map<number, number>();
  for (const m of messages) {
    const p = (await import("../../kafka/protocol/murmur2.ts")).partitionForKey(
      m.key,
      2,
    );
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const acked = meta.map((m) =>
    `${m.partition}:${Number(m.baseOffset) + counts.get(m.partition)!}`
  );
  await Deno.stdout.write(enc.encode(`${round} ${acked.join(" ")}\n`));
}
