// Shared helpers for the kafka tests.
import { Kafka, type KafkaOptions, logLevel } from "../../kafka/mod.ts";

/** A Kafka with `topic` created; returns the admin too. */
export async function setup(
  topic: string,
  numPartitions: number,
  options: KafkaOptions = {},
  configEntries: { name: string; value: string }[] = [],
) {
  const kafka = new Kafka({ logLevel: logLevel.NOTHING, ...options });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions, configEntries }],
  });
  const producer = kafka.producer();
  await producer.connect();
  return { kafka, admin, producer };
}

/** Resolves when `predicate` holds, polling every few ms (real time). */
export async function until(
  predicate: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}
