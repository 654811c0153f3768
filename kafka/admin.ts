/**
 * The admin client: topics, offsets and groups, shaped like kafkajs's admin.
 *
 * @module
 */

import {
  type Broker,
  type ConfigEntry,
  parseOffset,
} from "./broker/_broker.ts";
import {
  KafkaJSConnectionError,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
} from "./errors.ts";
import type { GroupDescription } from "./broker/_group_coordinator.ts";
import type { Connection } from "./kafka.ts";
import type { LogRecord } from "./log/log_reader.ts";
import type { CleanupResult } from "./log/_partition_log.ts";

/**
 * A topic to create.
 *
 * @example A compacted topic
 * ```ts
 * import type { ITopicConfig } from "./mod.ts";
 * const topic: ITopicConfig = {
 *   topic: "users",
 *   numPartitions: 3,
 *   configEntries: [{ name: "cleanup.policy", value: "compact" }],
 * };
 * console.log(topic.numPartitions); // 3
 * ```
 */
export interface ITopicConfig {
  /** Topic name (`[a-zA-Z0-9._-]`, at most 249 characters). */
  topic: string;
  /**
   * Number of partitions; kafkajs's -1 means the broker default
   * (`KafkaOptions.numPartitions`, 1 unless set).
   */
  numPartitions?: number;
  /** Accepted for kafkajs compatibility; there is one broker. */
  replicationFactor?: number;
  /**
   * Topic configs by Kafka name: `cleanup.policy`, `retention.ms`,
   * `retention.bytes`, `segment.bytes`, `segment.ms`, `max.message.bytes`,
   * `delete.retention.ms`, `index.interval.bytes`.
   */
  configEntries?: ConfigEntry[];
}

/**
 * Offsets of one partition of a topic.
 *
 * @example Records in a topic
 * ```ts
 * import type { PartitionOffsets } from "./mod.ts";
 * const count = (os: PartitionOffsets[]) => os.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
 * console.log(count([{ partition: 0, offset: "10", high: "10", low: "4" }])); // 6
 * ```
 */
export interface PartitionOffsets {
  /** Partition number. */
  partition: number;
  /** The high watermark (kafkajs's `offset` field). */
  offset: string;
  /** Next offset to be written. */
  high: string;
  /** First offset still stored. */
  low: string;
}

/**
 * A group's committed offset for one partition, with lag.
 *
 * @example Total lag of a group
 * ```ts
 * import type { CommittedPartitionOffset } from "./mod.ts";
 * const lag = (ps: CommittedPartitionOffset[]) => ps.reduce((n, p) => n + Number(p.lag), 0);
 * console.log(lag([{ partition: 0, offset: "5", metadata: null, high: "7", lag: "2" }])); // 2
 * ```
 */
export interface CommittedPartitionOffset {
  /** Partition number. */
  partition: number;
  /** Committed next offset, or "-1" when none. */
  offset: string;
  /** Commit metadata. */
  metadata: string | null;
  /** High watermark of the partition. */
  high: string;
  /** Records not yet consumed: high minus committed (or minus low when none). */
  lag: string;
}

/** OFFSET_OUT_OF_RANGE becomes kafkajs's error naming the partition. */
function withTopicPartition(
  e: unknown,
  topic: string,
  partition: number,
): unknown {
  if (e instanceof KafkaJSProtocolError && e.type === "OFFSET_OUT_OF_RANGE") {
    return new KafkaJSOffsetOutOfRange(e.message, { topic, partition });
  }
  return e;
}

/**
 * Administers the embedded broker.
 *
 * @example Create a topic and read its offsets
 * ```ts
 * import { Kafka } from "./mod.ts";
 * const admin = new Kafka({}).admin();
 * await admin.connect();
 * console.log(await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] })); // true
 * console.log(await admin.fetchTopicOffsets("t"));
 * await admin.disconnect();
 * ```
 */
export class Admin {
  #conn: Connection;
  #broker: Broker | undefined;

  /** Use {@linkcode Kafka.admin}. */
  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** Opens the broker. */
  async connect(): Promise<void> {
    if (!this.#broker) this.#broker = await this.#conn.acquire();
  }

  /** Releases the broker. */
  async disconnect(): Promise<void> {
    if (!this.#broker) return;
    this.#broker = undefined;
    await this.#conn.release();
  }

  #b(): Broker {
    if (!this.#broker || this.#broker.closed) {
      throw new KafkaJSConnectionError(
        "The admin is disconnected: call connect() first",
      );
    }
    return this.#broker;
  }

  /**
   * Creates topics; true when at least one was created, false when all
   * existed already.
   */
  async createTopics(
    options: {
      topics: ITopicConfig[];
      validateOnly?: boolean;
      waitForLeaders?: boolean;
      timeout?: number;
    },
  ): Promise<boolean> {
    const b = this.#b();
    let created = false;
    for (const t of options.topics) {
      const n = t.numPartitions === undefined || t.numPartitions === -1
        ? this.#conn.numPartitions
        : t.numPartitions;
      if (options.validateOnly) continue;
      if (await b.createTopic(t.topic, n, t.configEntries ?? [])) {
        created = true;
      }
    }
    return created;
  }

  /** Topic names, sorted. */
  async listTopics(): Promise<string[]> {
    return await Promise.resolve(this.#b().topicNames());
  }

  /** Deletes topics with their data and committed offsets. */
  async deleteTopics(
    options: { topics: string[]; timeout?: number },
  ): Promise<void> {
    const b = this.#b();
    for (const t of options.topics) b.topic(t);
    for (const t of options.topics) await b.deleteTopic(t);
  }

  /** Partition metadata, kafkajs style (one broker, id 0). */
  async fetchTopicMetadata(options: { topics?: string[] } = {}): Promise<{
    topics: {
      name: string;
      partitions: {
        partitionId: number;
        leader: number;
        replicas: number[];
        isr: number[];
      }[];
    }[];
  }> {
    const b = this.#b();
    const names = options.topics ?? b.topicNames();
    return await Promise.resolve({
      topics: names.map((name) => ({
        name,
        partitions: b.topic(name).partitions.map((_, partitionId) => ({
          partitionId,
          leader: 0,
          replicas: [0],
          isr: [0],
        })),
      })),
    });
  }

  /** Low and high offsets of every partition of `topic`. */
  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const t = this.#b().topic(topic);
    return await Promise.resolve(t.partitions.map((log, partition) => ({
      partition,
      offset: String(log.logEndOffset),
      high: String(log.logEndOffset),
      low: String(log.logStartOffset),
    })));
  }

  /** Per partition, the first offset with a timestamp >= `timestamp`. */
  async fetchTopicOffsetsByTimestamp(
    topic: string,
    timestamp: number,
  ): Promise<{ partition: number; offset: string }[]> {
    const t = this.#b().topic(topic);
    return await Promise.resolve(t.partitions.map((log, partition) => ({
      partition,
      offset: String(log.offsetForTimestamp(timestamp)),
    })));
  }

  /**
   * A group's committed offsets per topic (all topics it committed when
   * `topics` is omitted), with the lag to each high watermark.
   */
  async fetchOffsets(
    options: { groupId: string; topics?: string[] },
  ): Promise<{ topic: string; partitions: CommittedPartitionOffset[] }[]> {
    const b = this.#b();
    const topics = options.topics ??
      b.topicNames().filter((t) =>
        b.topic(t).partitions.some((_, p) =>
          b.coordinator.committed(options.groupId, t, p) !== undefined
        )
      );
    return await Promise.resolve(topics.map((topic) => ({
      topic,
      partitions: b.topic(topic).partitions.map((log, partition) => {
        const c = b.coordinator.committed(options.groupId, topic, partition);
        const high = log.logEndOffset;
        return {
          partition,
          offset: c ? String(c.offset) : "-1",
          metadata: c?.metadata ?? null,
          high: String(high),
          lag: String(
            high -
              Math.max(c?.offset ?? log.logStartOffset, log.logStartOffset),
          ),
        };
      }),
    })));
  }

  /**
   * Sets a group's committed offsets (the group must have no active
   * members), as kafkajs's `setOffsets`.
   */
  async setOffsets(
    options: {
      groupId: string;
      topic: string;
      partitions: { partition: number; offset: string }[];
    },
  ): Promise<void> {
    const b = this.#b();
    for (const p of options.partitions) {
      b.partition(options.topic, p.partition);
      parseOffset(p.offset, `Offset for ${options.topic}-${p.partition}`, -2);
    }
    await b.coordinator.commit(
      options.groupId,
      undefined,
      options.partitions.map((p) => ({
        topic: options.topic,
        partition: p.partition,
        offset: Number(p.offset),
      })),
    );
  }

  /** Resets a group's offsets on `topic` to the earliest or latest. */
  async resetOffsets(
    options: { groupId: string; topic: string; earliest?: boolean },
  ): Promise<void> {
    const t = this.#b().topic(options.topic);
    await this.setOffsets({
      groupId: options.groupId,
      topic: options.topic,
      partitions: t.partitions.map((log, partition) => ({
        partition,
        offset: String(
          options.earliest ? log.logStartOffset : log.logEndOffset,
        ),
      })),
    });
  }

  /**
   * Adds partitions to topics (counts only grow), as kafkajs's
   * `createPartitions`; consumer groups reading them rebalance.
   *
   * @example Grow a topic from 1 to 3 partitions
   * ```ts
   * import { Kafka } from "./mod.ts";
   * const admin = new Kafka({}).admin();
   * await admin.connect();
   * await admin.createTopics({ topics: [{ topic: "t" }] });
   * await admin.createPartitions({ topicPartitions: [{ topic: "t", count: 3 }] });
   * console.log((await admin.fetchTopicOffsets("t")).length); // 3
   * await admin.disconnect();
   * ```
   */
  async createPartitions(
    options: { topicPartitions: { topic: string; count: number }[] },
  ): Promise<boolean> {
    const b = this.#b();
    for (const { topic, count } of options.topicPartitions) {
      await b.addPartitions(topic, count);
    }
    return true;
  }

  /** Describes groups: state, protocol, generation and member assignments. */
  async describeGroups(
    groupIds: string[],
  ): Promise<{ groups: GroupDescription[] }> {
    const b = this.#b();
    return await Promise.resolve({
      groups: groupIds.map((id) => b.coordinator.describe(id)),
    });
  }

  /** Known groups. */
  async listGroups(): Promise<
    { groups: { groupId: string; protocolType: string }[] }
  > {
    const b = this.#b();
    return await Promise.resolve({
      groups: b.coordinator.groupIds().map((groupId) => ({
        groupId,
        protocolType: "consumer",
      })),
    });
  }

  /**
   * Reads records of one partition from `offset` (Kafka's Fetch request):
   * up to about `maxBytes` of whole batches, empty at the log end.
   *
   * @example Read the first records of a partition
   * ```ts
   * import { Kafka } from "./mod.ts";
   * const kafka = new Kafka({});
   * const admin = kafka.admin();
   * await admin.connect();
   * await admin.createTopics({ topics: [{ topic: "t" }] });
   * const producer = kafka.producer();
   * await producer.connect();
   * await producer.send({ topic: "t", messages: [{ value: "a" }, { value: "b" }] });
   * const records = await admin.fetchRecords({ topic: "t", partition: 0, offset: "1" });
   * console.log(records.map((r) => r.offset)); // [1]
   * await producer.disconnect();
   * await admin.disconnect();
   * ```
   */
  async fetchRecords(
    options: {
      topic: string;
      partition: number;
      offset: string;
      maxBytes?: number;
    },
  ): Promise<LogRecord[]> {
    try {
      return await Promise.resolve(
        this.#b().fetch(
          options.topic,
          options.partition,
          parseOffset(options.offset, "Fetch offset"),
          options.maxBytes ?? 1 << 20,
        ),
      );
    } catch (e) {
      throw withTopicPartition(e, options.topic, options.partition);
    }
  }

  /**
   * Runs the log cleaner now: retention by time and size, then compaction
   * of `cleanup.policy=compact` topics. (It also runs after each segment
   * roll.)
   */
  async cleanLogs(): Promise<CleanupResult> {
    return await this.#b().cleanup();
  }
}
