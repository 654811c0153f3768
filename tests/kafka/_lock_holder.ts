// Subprocess for the directory-lock test: opens a broker on the log
// directory given as argument, prints "open" (or the error's message and
// exits 2 when refused), then holds it until killed.
import { Kafka, KafkaError } from "../../kafka/mod.ts";

const admin = new Kafka({ logDir: Deno.args[0]! }).admin();
try {
  await admin.connect();
} catch (error) {
  if (!(error instanceof KafkaError)) throw error;
  console.log(`refused: ${error.message}`);
  Deno.exit(2);
}
console.log("open");
await new Promise(() => setInterval(() => {}, 1 << 30));
