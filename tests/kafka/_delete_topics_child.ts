// Subprocess for the deleteTopics crash test: creates, fills and deletes
// the same topic over and over until the parent kills it with SIGKILL.
import { Kafka } from "../../kafka/mod.ts";

const kafka = new Kafka({ logDir: Deno.args[0]!, logLevel: 0 });
const admin = kafka.admin();
await admin.connect();
const producer = kafka.producer();
await producer.connect();
const enc = new TextEncoder();
for (let gen = 0;; gen++) {
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] });
  await producer.send({
    topic: "t",
    messages: Array.from({ length: 20 }, (_, i) => ({
      partition: i % 2,
      value: `gen-${gen}`,
    })),
  });
  await admin.deleteTopics({ topics: ["t"] });
  await Deno.stdout.write(enc.encode(`${gen}\n`));
}
