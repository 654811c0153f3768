/**
 * The admin client: topics, offsets and groups, shaped like kafkajs's admin.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { AssignerProtocol } from "./assignors.ts";
import {
  type Broker,
  type ConfigEntry,
  parseOffset,
  parseTopicConfig,
  validateTopicName,
} from "./broker/_broker.ts";
import {
  KafkaJSConnectionError,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSNonRetriableError,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
} from "./errors.ts";
import type {
  GroupDescription,
  GroupState,
} from "./broker/_group_coordinator.ts";
import {
  Instrumentation,
  type InstrumentationListener,
} from "./_instrumentation.ts";
import type { Logger } from "./loggers.ts";
import {
  DEFAULT_TOPIC_CONFIG,
  type TopicConfig,
} from "./log/_partition_log.ts";
import type { Connection } from "./kafka.ts";
import type { LogRecord } from "./log/log_reader.ts";
import type { CleanupResult } from "./log/_partition_log.ts";

/**
 * A topic to create.
 *
 * @example A compacted topic
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ITopicConfig } from "./mod.ts";
 * const topic: ITopicConfig = {
 *   topic: "users",
 *   numPartitions: 3,
 *   configEntries: [{ name: "cleanup.policy", value: "compact" }],
 * };
 * assert.equal(topic.numPartitions, 3);
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
 * import assert from "node:assert/strict";
 * import type { PartitionOffsets } from "./mod.ts";
 * const count = (os: PartitionOffsets[]) => os.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
 * assert.equal(count([{ partition: 0, offset: "10", high: "10", low: "4" }]), 6);
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
 * import assert from "node:assert/strict";
 * import type { CommittedPartitionOffset } from "./mod.ts";
 * const lag = (ps: CommittedPartitionOffset[]) => ps.reduce((n, p) => n + Number(p.lag), 0);
 * assert.equal(lag([{ partition: 0, offset: "5", metadata: null, high: "7", lag: "2" }]), 2);
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

/** Kafka's committed-offset sentinels, as kafkajs's resetOffsets stores them. */
const EARLIEST = -2;
const LATEST = -1;

/**
 * Admin event names, as in kafkajs. REQUEST, REQUEST_TIMEOUT and
 * REQUEST_QUEUE_SIZE are accepted and never emitted: there is no network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * assert.equal(new Kafka({}).admin().events.CONNECT, "admin.connect");
 * ```
 */
export interface AdminEvents {
  /** The admin connected. */
  readonly CONNECT: "admin.connect";
  /** The admin disconnected. */
  readonly DISCONNECT: "admin.disconnect";
  /** Never emitted (no network). */
  readonly REQUEST: "admin.network.request";
  /** Never emitted (no network). */
  readonly REQUEST_TIMEOUT: "admin.network.request_timeout";
  /** Never emitted (no network). */
  readonly REQUEST_QUEUE_SIZE: "admin.network.request_queue_size";
}

const EVENTS: AdminEvents = {
  CONNECT: "admin.connect",
  DISCONNECT: "admin.disconnect",
  REQUEST: "admin.network.request",
  REQUEST_TIMEOUT: "admin.network.request_timeout",
  REQUEST_QUEUE_SIZE: "admin.network.request_queue_size",
};

/**
 * kafkajs's config resource types (Kafka's ConfigResource.Type).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigResourceTypes } from "./mod.ts";
 * assert.equal(ConfigResourceTypes.TOPIC, 2);
 * ```
 */
export const ConfigResourceTypes: {
  readonly UNKNOWN: 0;
  readonly TOPIC: 2;
  readonly BROKER: 4;
  readonly BROKER_LOGGER: 8;
} = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 };

/**
 * kafkajs's config sources (where a config value comes from).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigSource } from "./mod.ts";
 * assert.equal(ConfigSource.TOPIC_CONFIG, 1);
 * ```
 */
export const ConfigSource: {
  readonly UNKNOWN: 0;
  readonly TOPIC_CONFIG: 1;
  readonly DYNAMIC_BROKER_CONFIG: 2;
  readonly DYNAMIC_DEFAULT_BROKER_CONFIG: 3;
  readonly STATIC_BROKER_CONFIG: 4;
  readonly DEFAULT_CONFIG: 5;
  readonly DYNAMIC_BROKER_LOGGER_CONFIG: 6;
} = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
};

/**
 * What `describeConfigs` resolves to, as in kafkajs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DescribeConfigResponse } from "./mod.ts";
 * const r: DescribeConfigResponse = { resources: [], throttleTime: 0 };
 * assert.equal(r.throttleTime, 0);
 * ```
 */
export interface DescribeConfigResponse {
  /** One per resource asked for. */
  resources: {
    configEntries: {
      configName: string;
      configValue: string;
      isDefault: boolean;
      configSource: number;
      isSensitive: boolean;
      readOnly: boolean;
      configSynonyms?: unknown[];
    }[];
    errorCode: number;
    errorMessage: string | null;
    resourceName: string;
    resourceType: number;
  }[];
  /** Always 0. */
  throttleTime: number;
}

const APPLIED: [string, keyof TopicConfig][] = [
  ["cleanup.policy", "cleanupPolicy"],
  ["delete.retention.ms", "deleteRetentionMs"],
  ["index.interval.bytes", "indexIntervalBytes"],
  ["max.message.bytes", "maxMessageBytes"],
  ["retention.bytes", "retentionBytes"],
  ["retention.ms", "retentionMs"],
  ["segment.bytes", "segmentBytes"],
  ["segment.ms", "segmentMs"],
];

function topicConfigEntries(
  config: TopicConfig,
  overrides: Record<string, string>,
): DescribeConfigResponse["resources"][number]["configEntries"] {
  const entries = new Map<string, { value: string; set: boolean }>();
  for (const [name, field] of APPLIED) {
    entries.set(name, {
      value: String(config[field] ?? DEFAULT_TOPIC_CONFIG[field]),
      set: name in overrides,
    });
  }
  for (const [name, value] of Object.entries(overrides)) {
    entries.set(name, { value, set: true });
  }
  return [...entries].sort(([a], [b]) => a < b ? -1 : 1).map((
    [configName, { value, set }],
  ) => ({
    configName,
    configValue: value,
    isDefault: !set,
    configSource: set ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
    readOnly: false,
  }));
}

/**
 * A group as kafkajs's `describeGroups` reports it (with this module's
 * `generationId`, `leader` and decoded `assignment` besides).
 *
 * @example Decode a member's assignment
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssignerProtocol, type GroupDescriptionKafkajs } from "./mod.ts";
 * const assigned = (g: GroupDescriptionKafkajs) =>
 *   g.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment);
 * assert.equal(typeof assigned, "function");
 * ```
 */
export interface GroupDescriptionKafkajs {
  /** 0. */
  errorCode: number;
  /** Group id. */
  groupId: string;
  /** Members with their encoded metadata and assignment. */
  members: {
    clientHost: string;
    clientId: string;
    memberId: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
    assignment: Record<string, number[]>;
  }[];
  /** The assigner chosen (kafkajs's name, e.g. `RoundRobinAssigner`). */
  protocol: string;
  /** `"consumer"`, or "" for an unknown group. */
  protocolType: string;
  /** Kafka's state name. */
  state: GroupState;
  /** Current generation. */
  generationId: number;
  /** Leader's member id, or "". */
  leader: string;
}

/** A coordinator description in kafkajs's shape. */
export function toKafkajsGroup(d: GroupDescription): GroupDescriptionKafkajs {
  return {
    errorCode: 0,
    groupId: d.groupId,
    members: d.members.map((m) => ({
      clientHost: m.clientHost,
      clientId: m.clientId,
      memberId: m.memberId,
      memberMetadata: m.metadata
        ? Buffer.from(m.metadata)
        : AssignerProtocol.MemberMetadata.encode({
          version: 0,
          topics: m.topics ?? Object.keys(m.assignment),
        }),
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: m.assignment,
      }),
      assignment: m.assignment,
    })),
    protocol: d.protocol,
    protocolType: d.protocolType,
    state: d.state,
    generationId: d.generationId,
    leader: d.leader,
  };
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
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * const admin = new Kafka({}).admin();
 * await admin.connect();
 * assert.equal(await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] }), true);
 * assert.equal((await admin.fetchTopicOffsets("t")).length, 2);
 * await admin.disconnect();
 * ```
 */
export class Admin {
  /** Event names for {@linkcode Admin.on}. */
  readonly events: AdminEvents = EVENTS;
  #conn: Connection;
  #broker: Broker | undefined;
  #logger: Logger;
  #instrumentation: Instrumentation;

  /** Use {@linkcode Kafka.admin}. */
  constructor(conn: Connection) {
    this.#conn = conn;
    this.#logger = conn.logger.namespace("Admin");
    this.#instrumentation = new Instrumentation(
      "admin",
      EVENTS as unknown as Record<string, string>,
      this.#logger,
      conn.clock,
    );
  }

  /**
   * Listens to an event (a name from {@linkcode Admin.events}); returns a
   * function that removes the listener.
   */
  on(eventName: string, listener: InstrumentationListener): () => void {
    return this.#instrumentation.on(eventName, listener);
  }

  /** The admin's logger (namespace `Admin`). */
  logger(): Logger {
    return this.#logger;
  }

  /** Opens the broker. */
  async connect(): Promise<void> {
    if (!this.#broker) this.#broker = await this.#conn.acquire();
    this.#instrumentation.emit(EVENTS.CONNECT);
  }

  /** Releases the broker. */
  async disconnect(): Promise<void> {
    if (!this.#broker) return;
    this.#broker = undefined;
    await this.#conn.release();
    this.#instrumentation.emit(EVENTS.DISCONNECT);
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
    if (!Array.isArray(options?.topics)) {
      throw new KafkaJSNonRetriableError(
        `Invalid topics array ${JSON.stringify(options?.topics)}`,
      );
    }
    let created = false;
    for (const t of options.topics) {
      const n = t.numPartitions === undefined || t.numPartitions === -1
        ? this.#conn.numPartitions
        : t.numPartitions;
      if (options.validateOnly) {
        // Checked as a create would check it; nothing is created.
        validateTopicName(t.topic);
        if (!Number.isInteger(n) || n < 1 || n > 10_000) {
          throw new KafkaJSProtocolError(
            `Number of partitions must be an integer from 1 to 10000: ${n}`,
            { type: "INVALID_PARTITIONS" },
          );
        }
        parseTopicConfig(t.configEntries ?? []);
        created ||= !b.hasTopic(t.topic);
        continue;
      }
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
    options: { groupId: string; topics?: string[]; resolveOffsets?: boolean },
  ): Promise<{ topic: string; partitions: CommittedPartitionOffset[] }[]> {
    const b = this.#b();
    if (!options?.groupId) {
      throw new KafkaJSNonRetriableError(
        `Invalid groupId ${JSON.stringify(options?.groupId)}`,
      );
    }
    if (options.resolveOffsets) {
      // kafkajs: the sentinels resetOffsets left become real offsets.
      for (const topic of options.topics ?? b.topicNames()) {
        const partitions = b.topic(topic).partitions.flatMap(
          (log, partition) => {
            const c = b.coordinator.committed(
              options.groupId,
              topic,
              partition,
            );
            if (c?.offset === EARLIEST) {
              return [{ partition, offset: String(log.logStartOffset) }];
            }
            if (c?.offset === LATEST) {
              return [{ partition, offset: String(log.logEndOffset) }];
            }
            return [];
          },
        );
        if (partitions.length > 0) {
          await this.setOffsets({
            groupId: options.groupId,
            topic,
            partitions,
          });
        }
      }
    }
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
              (c === undefined || c.offset === EARLIEST
                ? log.logStartOffset
                : c.offset === LATEST
                ? high
                : Math.max(c.offset, log.logStartOffset)),
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

  /**
   * Resets a group's offsets on `topic` to the earliest or latest (latest
   * by default), as kafkajs does: it stores Kafka's sentinels `-2`
   * (earliest) and `-1` (latest), which a consumer resolves when it starts
   * and `fetchOffsets({ resolveOffsets: true })` resolves at once.
   */
  async resetOffsets(
    options: { groupId: string; topic: string; earliest?: boolean },
  ): Promise<void> {
    if (!options?.groupId) {
      throw new KafkaJSNonRetriableError(
        `Invalid groupId ${JSON.stringify(options?.groupId)}`,
      );
    }
    if (!options.topic) {
      throw new KafkaJSNonRetriableError(
        `Invalid topic ${JSON.stringify(options.topic)}`,
      );
    }
    const t = this.#b().topic(options.topic);
    await this.setOffsets({
      groupId: options.groupId,
      topic: options.topic,
      partitions: t.partitions.map((_, partition) => ({
        partition,
        offset: String(options.earliest ? EARLIEST : LATEST),
      })),
    });
  }

  /**
   * Adds partitions to topics (counts only grow), as kafkajs's
   * `createPartitions`; consumer groups reading them rebalance.
   *
   * @example Grow a topic from 1 to 3 partitions
   * ```ts
   * import assert from "node:assert/strict";
   * import { Kafka } from "./mod.ts";
   * const admin = new Kafka({}).admin();
   * await admin.connect();
   * await admin.createTopics({ topics: [{ topic: "t" }] });
   * await admin.createPartitions({ topicPartitions: [{ topic: "t", count: 3 }] });
   * assert.equal((await admin.fetchTopicOffsets("t")).length, 3);
   * await admin.disconnect();
   * ```
   */
  async createPartitions(
    options: {
      topicPartitions: {
        topic: string;
        count: number;
        assignments?: number[][];
      }[];
      validateOnly?: boolean;
      timeout?: number;
    },
  ): Promise<boolean> {
    const b = this.#b();
    if (!Array.isArray(options?.topicPartitions)) {
      throw new KafkaJSNonRetriableError(
        `Invalid topic partitions array ${
          JSON.stringify(options?.topicPartitions)
        }`,
      );
    }
    // Everything is checked before anything grows.
    for (const { topic, count } of options.topicPartitions) {
      const current = b.topic(topic).partitions.length;
      if (!Number.isInteger(count) || count <= current || count > 10_000) {
        throw new KafkaJSProtocolError(
          `Partition count must be an integer above the current ${current} and at most 10000: ${count} for ${topic}`,
          { type: "INVALID_PARTITIONS" },
        );
      }
    }
    if (options.validateOnly) return true;
    for (const { topic, count } of options.topicPartitions) {
      await b.addPartitions(topic, count);
    }
    return true;
  }

  /**
   * Describes groups in kafkajs's shape: `errorCode`, `protocol` (the
   * assigner's name, `RoundRobinAssigner` by default), `protocolType`,
   * `state`, and members with `memberMetadata` and `memberAssignment`
   * Buffers (decode them with `AssignerProtocol`). `generationId`,
   * `leader` and each member's decoded `assignment` come too.
   */
  async describeGroups(
    groupIds: string[],
  ): Promise<{ groups: GroupDescriptionKafkajs[] }> {
    const b = this.#b();
    return await Promise.resolve({
      groups: groupIds.map((id) => toKafkajsGroup(b.coordinator.describe(id))),
    });
  }

  /**
   * Deletes groups with no members and their committed offsets. Resolves
   * to `[{ groupId, errorCode: 0 }]`; when some cannot be deleted, throws
   * KafkaJSDeleteGroupsError listing them with their errors.
   */
  async deleteGroups(
    groupIds: string[],
  ): Promise<{ groupId: string; errorCode: number }[]> {
    const b = this.#b();
    if (!Array.isArray(groupIds)) {
      throw new KafkaJSNonRetriableError(
        `Invalid groupIds array ${JSON.stringify(groupIds)}`,
      );
    }
    const deleted: { groupId: string; errorCode: number }[] = [];
    const failed: {
      groupId: string;
      errorCode: number;
      error: KafkaJSProtocolError;
    }[] = [];
    for (const groupId of groupIds) {
      try {
        await b.coordinator.deleteGroup(groupId);
        deleted.push({ groupId, errorCode: 0 });
      } catch (e) {
        if (!(e instanceof KafkaJSProtocolError)) throw e;
        failed.push({ groupId, errorCode: e.code, error: e });
      }
    }
    if (failed.length > 0) {
      throw new KafkaJSDeleteGroupsError(
        `Error in DeleteGroups: ${failed.map((f) => f.groupId).join(", ")}`,
        failed,
      );
    }
    return deleted;
  }

  /**
   * Deletes the records of partitions before the given offsets (Kafka's
   * DeleteRecords); `-1` deletes everything up to the high watermark. The
   * partitions' low offsets move there for good.
   */
  async deleteTopicRecords(
    options: {
      topic: string;
      partitions: { partition: number; offset: string }[];
    },
  ): Promise<void> {
    const b = this.#b();
    if (!options?.topic) {
      throw new KafkaJSNonRetriableError(
        `Invalid topic ${JSON.stringify(options?.topic)}`,
      );
    }
    b.topic(options.topic);
    const targets = (options.partitions ?? []).map(({ partition, offset }) => {
      const log = b.partition(options.topic, partition);
      const n = parseOffset(
        offset,
        `Offset for ${options.topic}-${partition}`,
        -1,
      );
      return {
        partition,
        offset,
        log,
        target: n === -1 ? log.logEndOffset : n,
      };
    });
    const errors = targets.map(({ log, target, offset }) =>
      target < log.logStartOffset || target > log.logEndOffset
        ? new KafkaJSProtocolError(
          `Offset to delete records before is out of range: ${offset} not in [${log.logStartOffset}, ${log.logEndOffset}]`,
          { type: "OFFSET_OUT_OF_RANGE" },
        )
        : undefined
    );
    if (errors.some((e) => e)) {
      throw new KafkaJSDeleteTopicRecordsError({
        partitions: targets.map(({ partition, offset }, i) => ({
          partition,
          offset,
          error: errors[i],
        })),
      });
    }
    for (const { log, target } of targets) {
      await log.deleteRecordsBefore(target);
    }
  }

  /**
   * The cluster: one broker (node 0), its own controller, and the cluster
   * id, as kafkajs's `describeCluster()`.
   */
  async describeCluster(): Promise<{
    brokers: { nodeId: number; host: string; port: number }[];
    controller: number;
    clusterId: string;
  }> {
    const b = this.#b();
    return await Promise.resolve({
      brokers: [{ nodeId: 0, host: "localhost", port: 9092 }],
      controller: 0,
      clusterId: b.clusterId,
    });
  }

  /**
   * Topic configs (`ConfigResourceTypes.TOPIC`), as kafkajs's
   * `describeConfigs`: every config the broker knows for the topic, or the
   * `configNames` asked for, with `isDefault` and `configSource`.
   */
  async describeConfigs(
    options: {
      resources: { type: number; name: string; configNames?: string[] }[];
      includeSynonyms?: boolean;
    },
  ): Promise<DescribeConfigResponse> {
    const b = this.#b();
    const resources = (options?.resources ?? []).map((r) => {
      if (r.type !== ConfigResourceTypes.TOPIC) {
        throw new KafkaJSProtocolError(
          `Config resource type is not supported: ${r.type} (only TOPIC, 2)`,
          { type: "INVALID_REQUEST" },
        );
      }
      const t = b.topic(r.name);
      const all = topicConfigEntries(t.config, t.overrides);
      const wanted = r.configNames && r.configNames.length > 0
        ? all.filter((e) => r.configNames!.includes(e.configName))
        : all;
      return {
        configEntries: wanted.map((e) => ({
          ...e,
          ...(options.includeSynonyms ? { configSynonyms: [] } : {}),
        })),
        errorCode: 0,
        errorMessage: null,
        resourceName: r.name,
        resourceType: r.type,
      };
    });
    return await Promise.resolve({ resources, throttleTime: 0 });
  }

  /**
   * Replaces topic configs (Kafka's AlterConfigs: the given entries become
   * the topic's overrides; the rest return to their defaults).
   */
  async alterConfigs(
    options: {
      resources: {
        type: number;
        name: string;
        configEntries: { name: string; value: string }[];
      }[];
      validateOnly?: boolean;
    },
  ): Promise<{
    resources: {
      errorCode: number;
      errorMessage: string | null;
      resourceName: string;
      resourceType: number;
    }[];
    throttleTime: number;
  }> {
    const b = this.#b();
    const resources = options?.resources ?? [];
    for (const r of resources) {
      if (r.type !== ConfigResourceTypes.TOPIC) {
        throw new KafkaJSProtocolError(
          `Config resource type is not supported: ${r.type} (only TOPIC, 2)`,
          { type: "INVALID_REQUEST" },
        );
      }
      b.topic(r.name);
      parseTopicConfig(r.configEntries ?? []);
    }
    if (!options.validateOnly) {
      for (const r of resources) {
        await b.alterTopicConfig(r.name, r.configEntries ?? []);
      }
    }
    return {
      resources: resources.map((r) => ({
        errorCode: 0,
        errorMessage: null,
        resourceName: r.name,
        resourceType: r.type,
      })),
      throttleTime: 0,
    };
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
   * import assert from "node:assert/strict";
   * import { Kafka } from "./mod.ts";
   * const kafka = new Kafka({});
   * const admin = kafka.admin();
   * await admin.connect();
   * await admin.createTopics({ topics: [{ topic: "t" }] });
   * const producer = kafka.producer();
   * await producer.connect();
   * await producer.send({ topic: "t", messages: [{ value: "a" }, { value: "b" }] });
   * const records = await admin.fetchRecords({ topic: "t", partition: 0, offset: "1" });
   * assert.deepEqual(records.map((r) => r.offset), [1]);
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
