// Subprocess for the consumer crash test: consumes with a commit after every
// message, printing each processed offset, until killed with SIGKILL.
import { Kafka, logLevel } from "../../kafka/mod.ts";

const logDir = Deno.args[0]!;
// Offsets go to stdout: keep the log off it.
const kafka = new Kafka({ logDir, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: "crashers" });
await consumer.connect();
await consumer.subscribe({ topics: ["work"], fromBeginning: true });
const enc = new TextEncoder();
await consumer.run({
  autoCommitThreshold: 1,
  eachMessage: async ({ message }) => {
    await Deno.stdout.write(enc.encode(`${message.offset}\n`));
  },
});
