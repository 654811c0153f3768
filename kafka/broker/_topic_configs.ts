// Kafka's topic configs beyond the ones the log applies (those are mapped
// in _broker.ts): accepted and stored, so `createTopics` and `alterConfigs`
// take what a Kafka cluster takes; a value with a fixed set of choices is
// checked. The names are Kafka's (TopicConfig.java).

import { KafkaJSProtocolError } from "../errors.ts";

const CHOICES: Record<string, readonly string[]> = {
  "compression.type": [
    "uncompressed",
    "zstd",
    "lz4",
    "snappy",
    "gzip",
    "producer",
  ],
  "message.timestamp.type": ["CreateTime", "LogAppendTime"],
  "message.downconversion.enable": ["true", "false"],
  "preallocate": ["true", "false"],
  "unclean.leader.election.enable": ["true", "false"],
  "remote.storage.enable": ["true", "false"],
};

const INTEGERS = new Set([
  "file.delete.delay.ms",
  "flush.messages",
  "flush.ms",
  "local.retention.bytes",
  "local.retention.ms",
  "max.compaction.lag.ms",
  "message.timestamp.after.max.ms",
  "message.timestamp.before.max.ms",
  "message.timestamp.difference.max.ms",
  "min.compaction.lag.ms",
  "min.insync.replicas",
  "segment.index.bytes",
  "segment.jitter.ms",
]);

const FREE = new Set([
  "follower.replication.throttled.replicas",
  "leader.replication.throttled.replicas",
  "message.format.version",
  "min.cleanable.dirty.ratio",
]);

/** Whether `name` is a Kafka topic config stored without effect on the log. */
export function isStoredTopicConfig(name: string): boolean {
  return name in CHOICES || INTEGERS.has(name) || FREE.has(name);
}

/** Checks a stored config's value; returns it as a string. */
export function checkStoredTopicConfig(name: string, value: unknown): string {
  const v = String(value);
  const choices = CHOICES[name];
  const bad = choices
    ? !choices.includes(v)
    : INTEGERS.has(name)
    ? !/^-?\d+$/.test(v) || (name === "min.insync.replicas" && Number(v) < 1)
    : name === "min.cleanable.dirty.ratio"
    ? !(Number(v) >= 0 && Number(v) <= 1)
    : false;
  if (bad) {
    throw new KafkaJSProtocolError(
      `Topic config ${name} has an invalid value: ${JSON.stringify(value)}${
        choices ? ` (one of ${choices.join(", ")})` : ""
      }`,
      { type: "INVALID_CONFIG" },
    );
  }
  return v;
}
