// A kafkajs consumer in its own process, for the group tests: prints one
// JSON line per assignment and per message; SIGTERM leaves the group.
// Usage: _kafkajs_consumer.ts PORT GROUP TOPIC

import { Kafka, logLevel } from "kafkajs";

const [port, groupId, topic] = Deno.args;
const kafka = new Kafka({
  brokers: [`127.0.0.1:${port}`],
  clientId: `consumer-${Deno.pid}`,
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({
  groupId: groupId!,
  sessionTimeout: 2000,
  rebalanceTimeout: 2000,
  heartbeatInterval: 100,
  maxWaitTimeInMs: 100,
});
const print = (x: unknown) => console.log(JSON.stringify(x));
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  print({
    member: e.payload.memberId,
    assignment: e.payload.memberAssignment[topic!] ?? [],
  });
});
await consumer.connect();
await consumer.subscribe({ topics: [topic!], fromBeginning: true });
await consumer.run({
  eachMessage: ({ partition, message }) => {
    print({
      partition,
      offset: Number(message.offset),
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? null,
    });
    return Promise.resolve();
  },
});
Deno.addSignalListener("SIGTERM", async () => {
  await consumer.disconnect();
  Deno.exit(0);
});
