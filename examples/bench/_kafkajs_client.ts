// The benchmark's kafkajs client, run in its own process so the broker's
// CPU time can be told apart from the client's. Produces N 100-byte records
// in sends of 1,000 (acks -1), or consumes them with eachBatch; prints the
// seconds taken as JSON.
// Usage: _kafkajs_client.ts PORT produce|consume N

import { Kafka, logLevel } from "kafkajs";

const [port, mode, count] = Deno.args;
const n = Number(count);
const kafka = new Kafka({
  brokers: [`127.0.0.1:${port}`],
  clientId: "bench",
  logLevel: logLevel.NOTHING,
});
const value = "x".repeat(100);
if (mode === "produce") {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 1000 }, () => ({ value }));
  const t0 = performance.now();
  for (let sent = 0; sent < n; sent += 1000) {
    await producer.send({ topic: "bench-kafkajs", acks: -1, messages });
  }
  console.log(JSON.stringify({ sec: (performance.now() - t0) / 1000 }));
  await producer.disconnect();
} else {
  const consumer = kafka.consumer({
    groupId: "bench",
    maxBytesPerPartition: 4 << 20,
    heartbeatInterval: 1000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ["bench-kafkajs"], fromBeginning: true });
  let got = 0;
  const done = Promise.withResolvers<void>();
  let t0 = 0;
  await consumer.run({
    eachBatch: ({ batch }) => {
      if (t0 === 0) t0 = performance.now();
      got += batch.messages.length;
      if (got >= n) done.resolve();
      return Promise.resolve();
    },
  });
  await done.promise;
  console.log(JSON.stringify({ sec: (performance.now() - t0) / 1000 }));
  await consumer.disconnect();
}
