/**
 * The consumer, shaped like kafkajs's: joins its group through the
 * broker's coordinator, fetches from the partitions it is assigned at its
 * positions, calls `eachMessage` or `eachBatch`, and commits the next
 * offset to read (after every batch, by interval or threshold, or by
 * `commitOffsets`). Heartbeats are sent from the fetch loop, as in kafkajs,
 * so a consumer stuck in its handler stops heartbeating and is removed after
 * `sessionTimeout`; its uncommitted records then go to the next owner
 * (at-least-once).
 *
 * ```
 * join ─▶ assignment ─▶ positions (committed | earliest | latest)
 *   ▲                      │
 *   │ rebalance            ▼
 *   └──── heartbeat ◀── fetch ─▶ eachMessage/eachBatch ─▶ resolve ─▶ commit
 * ```
 *
 * One concern per file: `_consumer_membership.ts` (join, heartbeat, leave),
 * `_consumer_fetcher.ts` (positions, pauses, seeks, reads),
 * `_consumer_offsets.ts` (resolved and committed offsets, auto-commit),
 * `_consumer_runner.ts` (the loop, retries, crash and restart).
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import {
  type Assignment,
  fromKafkajsAssigner,
  type KafkajsAssigner,
  type PartitionAssigner,
  PartitionAssigners,
} from "./assignors.ts";
import type { Broker } from "./broker/_broker.ts";
import { type GroupDescriptionKafkajs, toKafkajsGroup } from "./admin.ts";
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from "./errors.ts";
import type { Connection } from "./kafka.ts";
import type { Logger } from "./loggers.ts";
import {
  Instrumentation,
  type InstrumentationEvent,
  type InstrumentationListener,
} from "./_instrumentation.ts";
import { Fetcher } from "./_consumer_fetcher.ts";
import { Membership } from "./_consumer_membership.ts";
import {
  ConsumerOffsets,
  type OffsetsByTopicPartition,
  tpKey,
} from "./_consumer_offsets.ts";
import { Runner } from "./_consumer_runner.ts";

export type { OffsetsByTopicPartition } from "./_consumer_offsets.ts";

/**
 * Options for {@linkcode Consumer}, as in kafkajs.
 *
 * @example A group with a short session
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type ConsumerConfig } from "./mod.ts";
 * const config: ConsumerConfig = { groupId: "g", sessionTimeout: 10_000, heartbeatInterval: 1_000 };
 * assert.equal(typeof new Kafka({}).consumer(config).run, "function");
 * ```
 */
export interface ConsumerConfig {
  /** Consumer group id. */
  groupId: string;
  /**
   * Milliseconds without heartbeat before the coordinator removes a member.
   * @default {30000}
   */
  sessionTimeout?: number;
  /**
   * Milliseconds the group waits for members to rejoin in a rebalance.
   * @default {60000}
   */
  rebalanceTimeout?: number;
  /**
   * Milliseconds between heartbeats; must be below `sessionTimeout`.
   * @default {3000}
   */
  heartbeatInterval?: number;
  /**
   * Assigners in order of preference: kafkajs-style factories called with
   * `{ cluster, groupId, logger }`, or assigner objects.
   * @default {[PartitionAssigners.roundRobin]}
   */
  partitionAssigners?: (PartitionAssigner | AssignerFactory)[];
  /**
   * Bytes fetched per partition per round. A round reads at most 256 KiB
   * of a partition (whole stored batches, at least one) even when this is
   * larger, so a batch's messages stay few enough to die young in V8's
   * heap; a larger value lets a single larger stored batch through whole.
   * @default {1048576}
   */
  maxBytesPerPartition?: number;
  /**
   * Bytes fetched per round over all partitions.
   * @default {10485760}
   */
  maxBytes?: number;
  /**
   * Longest wait for new data before looping (and heartbeating).
   * @default {5000}
   */
  maxWaitTimeInMs?: number;
  /**
   * Create a subscribed topic that does not exist (with the broker's default
   * partition count), as kafkajs and Kafka do; false refuses it.
   * @default {true}
   */
  allowAutoTopicCreation?: boolean;
  /**
   * Read records of open and aborted transactions too (isolation level
   * read_uncommitted). By default a consumer reads up to the last stable
   * offset and never sees aborted records.
   * @default {false}
   */
  readUncommitted?: boolean;
  /**
   * kafkajs's retry settings for a failing fetch round or handler, and
   * `restartOnFailure`, asked whether to restart after a crash.
   * @default {{ retries: 5, initialRetryTime: 300, maxRetryTime: 30000, factor: 0.2, multiplier: 2 }}
   */
  retry?: {
    retries?: number;
    initialRetryTime?: number;
    maxRetryTime?: number;
    factor?: number;
    multiplier?: number;
    restartOnFailure?: (error: Error) => Promise<boolean>;
  };
  /** Accepted for kafkajs compatibility; the broker answers at once. */
  minBytes?: number;
  /** Accepted for kafkajs compatibility; metadata is always current. */
  metadataMaxAge?: number;
  /** Accepted for kafkajs compatibility; there is no network. */
  maxInFlightRequests?: number | null;
  /** Accepted for kafkajs compatibility; there is one broker. */
  rackId?: string;
}

/**
 * What an assigner factory is given, as kafkajs documents: `cluster` answers
 * `findTopicPartitionMetadata(topic)`.
 *
 * @example Partitions of a topic
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AssignerContext } from "./mod.ts";
 * const partitionsOf = ({ cluster }: AssignerContext, topic: string) =>
 *   cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
 * assert.equal(typeof partitionsOf, "function");
 * ```
 */
export interface AssignerContext {
  /** The cluster's metadata. */
  cluster: {
    findTopicPartitionMetadata(
      topic: string,
    ): {
      partitionId: number;
      leader: number;
      replicas: number[];
      isr: number[];
    }[];
  };
  /** The consumer's group id. */
  groupId: string;
  /** The consumer's logger. */
  logger: Logger;
}

/**
 * A kafkajs assigner factory (or a factory of this module's assigners).
 *
 * @example Wrap an assigner object
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AssignerFactory, PartitionAssigners } from "./mod.ts";
 * const factory: AssignerFactory = () => PartitionAssigners.range;
 * assert.equal(typeof factory, "function");
 * ```
 */
export type AssignerFactory = (context: AssignerContext) => unknown;

/**
 * A consumed message, as in kafkajs (keys and values are Buffers).
 *
 * @example Decode a JSON value
 * ```ts
 * import assert from "node:assert/strict";
 * import { Buffer } from "node:buffer";
 * import type { KafkaMessage } from "./mod.ts";
 * const parse = (message: KafkaMessage): unknown =>
 *   message.value === null ? null : JSON.parse(message.value.toString());
 * const m: KafkaMessage = {
 *   key: null, value: Buffer.from('{"a":1}'), timestamp: "0", offset: "0", headers: {}, attributes: 0, size: 7,
 * };
 * assert.deepEqual(parse(m), { a: 1 });
 * ```
 */
export interface KafkaMessage {
  /** Key, or null. */
  key: Buffer | null;
  /** Value, or null. */
  value: Buffer | null;
  /** Timestamp in epoch ms, as a string. */
  timestamp: string;
  /** Offset, as a string. */
  offset: string;
  /** Header values; a repeated key holds an array, in order; null stays null. */
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  /** Record attributes (0). */
  attributes: number;
  /** Bytes of key and value. */
  size: number;
}

/**
 * Argument of `eachMessage`.
 *
 * @example Describe a message
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EachMessagePayload } from "./mod.ts";
 * const show = ({ topic, partition, message }: EachMessagePayload) =>
 *   `${topic}[${partition}]@${message.offset}`;
 * assert.equal(typeof show, "function");
 * ```
 */
export interface EachMessagePayload {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** The message. */
  message: KafkaMessage;
  /** Sends a heartbeat if one is due. */
  heartbeat(): Promise<void>;
  /** Pauses this partition; returns a function that resumes it. */
  pause(): () => void;
}

/**
 * A fetched batch of one partition, as kafkajs's `Batch`.
 *
 * @example Offsets of a batch
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Batch } from "./mod.ts";
 * const describe = (batch: Batch) => `${batch.topic}/${batch.partition} ${batch.firstOffset()}..${batch.lastOffset()}`;
 * assert.equal(typeof describe, "function");
 * ```
 */
export interface Batch {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** High watermark when fetched. */
  highWatermark: string;
  /** Messages in offset order (no transaction markers, no aborted records). */
  messages: KafkaMessage[];
  /** Whether there are no messages. */
  isEmpty(): boolean;
  /** Offset of the first message, or null. */
  firstOffset(): string | null;
  /** Offset of the last record read, transaction markers included. */
  lastOffset(): string;
  /** High watermark minus one minus the last offset. */
  offsetLag(): string;
  /** High watermark minus one minus the first offset. */
  offsetLagLow(): string;
}

/**
 * Argument of `eachBatch`.
 *
 * @example Resolve offsets one by one
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EachBatchPayload } from "./mod.ts";
 * async function handle({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
 *   for (const m of batch.messages) {
 *     if (!isRunning() || isStale()) break;
 *     resolveOffset(m.offset);
 *     await heartbeat();
 *   }
 * }
 * assert.equal(typeof handle, "function");
 * ```
 */
export interface EachBatchPayload {
  /** The batch. */
  batch: Batch;
  /** Marks `offset` as processed (the next to read is offset + 1). */
  resolveOffset(offset: string): void;
  /** Sends a heartbeat if one is due. */
  heartbeat(): Promise<void>;
  /** Pauses this partition; returns a function that resumes it. */
  pause(): () => void;
  /**
   * Commits `offsets` when given, else the resolved offsets if the
   * auto-commit interval or threshold says so.
   */
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
  /** Resolved offsets not yet committed. */
  uncommittedOffsets(): OffsetsByTopicPartition;
  /** Whether the consumer is still running. */
  isRunning(): boolean;
  /** Whether this batch is stale (a seek, a rebalance, a stop). */
  isStale(): boolean;
}

/**
 * Options for {@linkcode Consumer.run}.
 *
 * @example Commit every 100 messages
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConsumerRunConfig } from "./mod.ts";
 * const run: ConsumerRunConfig = {
 *   autoCommitThreshold: 100,
 *   eachMessage: async ({ message }) => void message.offset,
 * };
 * assert.equal(run.autoCommit ?? true, true);
 * ```
 */
export interface ConsumerRunConfig {
  /** Called once per message. */
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  /** Called once per fetched batch. */
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  /**
   * Commit resolved offsets automatically (after every batch, and by the
   * interval and threshold within one).
   * @default {true}
   */
  autoCommit?: boolean;
  /**
   * Also commit within a batch at most this often (ms).
   * @default {null}
   */
  autoCommitInterval?: number | null;
  /**
   * Also commit within a batch once this many messages are resolved.
   * @default {null}
   */
  autoCommitThreshold?: number | null;
  /**
   * Resolve the batch's last offset when `eachBatch` returns.
   * @default {true}
   */
  eachBatchAutoResolve?: boolean;
  /**
   * Partitions processed at the same time.
   * @default {1}
   */
  partitionsConsumedConcurrently?: number;
}

/**
 * A topic-partition offset in kafkajs form.
 *
 * @example An offset to commit
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TopicPartitionOffset } from "./mod.ts";
 * const next: TopicPartitionOffset = { topic: "t", partition: 0, offset: "42" };
 * assert.equal(next.offset, "42");
 * ```
 */
export interface TopicPartitionOffset {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** Offset as a string. */
  offset: string;
}

/**
 * Event names, as in kafkajs. REQUEST, REQUEST_TIMEOUT and
 * REQUEST_QUEUE_SIZE are accepted and never emitted: there is no network.
 *
 * @example Event names
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * assert.equal(new Kafka({}).consumer({ groupId: "g" }).events.CRASH, "consumer.crash");
 * ```
 */
export interface ConsumerEvents {
  /** `{ groupId, memberId, groupGenerationId }` */
  readonly HEARTBEAT: "consumer.heartbeat";
  /** `{ groupId, memberId, groupGenerationId, topics: [{ topic, partitions: [{ partition, offset }] }] }` */
  readonly COMMIT_OFFSETS: "consumer.commit_offsets";
  /** `{ groupId, memberId, leaderId, isLeader, memberAssignment, groupProtocol, duration }` */
  readonly GROUP_JOIN: "consumer.group_join";
  /** `{ numberOfBatches, duration, nodeId }` */
  readonly FETCH: "consumer.fetch";
  /** `{ nodeId }` */
  readonly FETCH_START: "consumer.fetch_start";
  /** `{ topic, partition, highWatermark, offsetLag, offsetLagLow, batchSize, firstOffset, lastOffset }` */
  readonly START_BATCH_PROCESS: "consumer.start_batch_process";
  /** START_BATCH_PROCESS's payload and `duration`. */
  readonly END_BATCH_PROCESS: "consumer.end_batch_process";
  /** The consumer connected. */
  readonly CONNECT: "consumer.connect";
  /** The consumer disconnected. */
  readonly DISCONNECT: "consumer.disconnect";
  /** The consumer stopped. */
  readonly STOP: "consumer.stop";
  /** `{ error, groupId, restart }` */
  readonly CRASH: "consumer.crash";
  /** `{ groupId, memberId }` */
  readonly REBALANCING: "consumer.rebalancing";
  /** `{ groupId, generationId, memberId, assignedTopics, topicsSubscribed, topicsNotSubscribed }` */
  readonly RECEIVED_UNSUBSCRIBED_TOPICS:
    "consumer.received_unsubscribed_topics";
  /** Never emitted (no network). */
  readonly REQUEST: "consumer.network.request";
  /** Never emitted (no network). */
  readonly REQUEST_TIMEOUT: "consumer.network.request_timeout";
  /** Never emitted (no network). */
  readonly REQUEST_QUEUE_SIZE: "consumer.network.request_queue_size";
}

const EVENTS: ConsumerEvents = {
  HEARTBEAT: "consumer.heartbeat",
  COMMIT_OFFSETS: "consumer.commit_offsets",
  GROUP_JOIN: "consumer.group_join",
  FETCH: "consumer.fetch",
  FETCH_START: "consumer.fetch_start",
  START_BATCH_PROCESS: "consumer.start_batch_process",
  END_BATCH_PROCESS: "consumer.end_batch_process",
  CONNECT: "consumer.connect",
  DISCONNECT: "consumer.disconnect",
  STOP: "consumer.stop",
  CRASH: "consumer.crash",
  REBALANCING: "consumer.rebalancing",
  RECEIVED_UNSUBSCRIBED_TOPICS: "consumer.received_unsubscribed_topics",
  REQUEST: "consumer.network.request",
  REQUEST_TIMEOUT: "consumer.network.request_timeout",
  REQUEST_QUEUE_SIZE: "consumer.network.request_queue_size",
};

/**
 * An event delivered to consumer listeners.
 *
 * @example Log group joins
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConsumerEvent, Kafka } from "./mod.ts";
 * const consumer = new Kafka({}).consumer({ groupId: "g" });
 * const off = consumer.on(consumer.events.GROUP_JOIN, (e: ConsumerEvent) => assert.ok(e.payload.memberId));
 * off();
 * ```
 */
export type ConsumerEvent = InstrumentationEvent;

const NOT_RUNNING =
  "Consumer group was not initialized, consumer#run must be called first";

function checkTopicPartitions(
  what: "pause" | "resume",
  topics: { topic: string; partitions?: number[] }[],
): void {
  if (!Array.isArray(topics)) {
    throw new KafkaJSNonRetriableError(
      `Topic partitions to ${what} must be an array: ${typeof topics}`,
    );
  }
  for (const tp of topics) {
    if (!tp || !tp.topic) {
      throw new KafkaJSNonRetriableError(
        `Invalid topic ${JSON.stringify(tp?.topic ?? tp)}`,
      );
    }
    if (
      tp.partitions !== undefined &&
      (!Array.isArray(tp.partitions) ||
        tp.partitions.some((p) => !Number.isInteger(p)))
    ) {
      throw new KafkaJSNonRetriableError(
        `Array of valid partitions required to ${what} specific partitions instead of ${
          JSON.stringify(tp.partitions)
        }`,
      );
    }
  }
}

/** Parses an offset the way kafkajs's `Long.fromValue` accepts one. */
function offsetOf(offset: unknown): number {
  const n = typeof offset === "number" ? offset : Number(offset);
  if (
    (typeof offset !== "string" && typeof offset !== "number") ||
    (typeof offset === "string" && offset.trim() === "") ||
    !Number.isSafeInteger(n)
  ) {
    throw new KafkaJSNonRetriableError(
      `Invalid offset, expected a long received ${JSON.stringify(offset)}`,
    );
  }
  return n;
}

/**
 * A group member reading topics of the embedded broker.
 *
 * @example Consume what was produced
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * const kafka = new Kafka({ logLevel: 0 });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "t", messages: [{ value: "a" }, { value: "b" }] });
 * const consumer = kafka.consumer({ groupId: "g" });
 * await consumer.connect();
 * await consumer.subscribe({ topics: ["t"], fromBeginning: true });
 * const seen: string[] = [];
 * const done = Promise.withResolvers<void>();
 * await consumer.run({
 *   eachMessage: async ({ message }) => {
 *     seen.push(message.value!.toString());
 *     if (seen.length === 2) done.resolve();
 *   },
 * });
 * await done.promise;
 * assert.deepEqual(seen, ["a", "b"]);
 * await consumer.disconnect();
 * await producer.disconnect();
 * ```
 */
export class Consumer {
  /** Event names for {@linkcode Consumer.on}. */
  readonly events: ConsumerEvents = EVENTS;
  #conn: Connection;
  #config: ConsumerConfig;
  #groupId: string;
  #logger: Logger;
  #instrumentation: Instrumentation;
  #membership: Membership;
  #fetcher: Fetcher;
  #offsets: ConsumerOffsets;
  #broker: Broker | undefined;
  #topics = new Map<string, { fromBeginning: boolean }>();
  #runner: Runner | undefined;

  /** Use {@linkcode Kafka.consumer}. */
  constructor(conn: Connection, config: ConsumerConfig) {
    if (typeof config?.groupId !== "string" || config.groupId.length === 0) {
      throw new KafkaJSNonRetriableError(
        `Consumer groupId must be a non-empty string: ${
          JSON.stringify(config?.groupId)
        }`,
      );
    }
    const sessionTimeout = config.sessionTimeout ?? 30_000;
    const heartbeatInterval = config.heartbeatInterval ?? 3_000;
    if (heartbeatInterval >= sessionTimeout) {
      throw new KafkaJSNonRetriableError(
        `Consumer heartbeatInterval (${heartbeatInterval}) must be lower than sessionTimeout (${sessionTimeout})`,
      );
    }
    this.#conn = conn;
    this.#config = config;
    this.#groupId = config.groupId;
    this.#logger = conn.logger.namespace("Consumer");
    this.#instrumentation = new Instrumentation(
      "consumer",
      EVENTS as unknown as Record<string, string>,
      this.#logger,
      conn.clock,
    );
    const context: AssignerContext = {
      cluster: {
        findTopicPartitionMetadata: (topic) => {
          const b = this.#broker;
          if (!b || !b.hasTopic(topic)) return [];
          return b.topic(topic).partitions.map((_, partitionId) => ({
            partitionId,
            leader: 0,
            replicas: [0],
            isr: [0],
          }));
        },
      },
      groupId: config.groupId,
      logger: this.#logger,
    };
    const assigners = (config.partitionAssigners ??
      [PartitionAssigners.roundRobin]).map((a) =>
        toPartitionAssigner(
          typeof a === "function" ? (a as AssignerFactory)(context) : a,
        )
      );
    if (assigners.length === 0) {
      throw new KafkaJSNonRetriableError(
        "Consumer needs at least one partition assigner: []",
      );
    }
    this.#membership = new Membership(
      {
        groupId: config.groupId,
        clientId: conn.clientId,
        sessionTimeout,
        rebalanceTimeout: config.rebalanceTimeout ?? 60_000,
        heartbeatInterval,
        assigners,
      },
      conn.clock,
      this.#instrumentation,
      EVENTS,
    );
    this.#fetcher = new Fetcher(
      config.maxBytesPerPartition ?? 1 << 20,
      config.maxBytes ?? 10 << 20,
      config.readUncommitted ?? false,
      (t) => this.#fromBeginning(t),
    );
    this.#offsets = new ConsumerOffsets(
      config.groupId,
      this.#instrumentation,
      EVENTS.COMMIT_OFFSETS,
    );
  }

  /**
   * Listens to an event (a name from {@linkcode Consumer.events}); returns
   * a function that removes the listener. A listener's errors and
   * rejections are logged and never reach the consumer; an unknown name is
   * refused.
   */
  on(eventName: string, listener: InstrumentationListener): () => void {
    return this.#instrumentation.on(eventName, listener);
  }

  /** The consumer's logger (namespace `Consumer`). */
  logger(): Logger {
    return this.#logger;
  }

  /** Opens the broker. */
  async connect(): Promise<void> {
    if (!this.#broker) this.#broker = await this.#conn.acquire();
    this.#instrumentation.emit(EVENTS.CONNECT);
  }

  #b(): Broker {
    if (!this.#broker || this.#broker.closed) {
      throw new KafkaJSConnectionError(
        "The consumer is disconnected: call connect() first",
      );
    }
    return this.#broker;
  }

  /**
   * Subscribes to topics (names or regular expressions). A regular
   * expression matches the topics that exist now, as in kafkajs; a missing
   * topic is created unless `allowAutoTopicCreation` is false.
   * `fromBeginning` decides where to start when the group has no committed
   * offset.
   */
  async subscribe(
    options: {
      topics?: (string | RegExp)[];
      topic?: string | RegExp;
      fromBeginning?: boolean;
    },
  ): Promise<void> {
    await Promise.resolve();
    const b = this.#b();
    if (this.#runner) {
      throw new KafkaJSNonRetriableError(
        "Cannot subscribe to topic while consumer is running: stop() first",
      );
    }
    if (options?.topic === undefined && options?.topics === undefined) {
      throw new KafkaJSNonRetriableError(
        'Missing required argument "topics": none given',
      );
    }
    if (options.topics !== undefined && !Array.isArray(options.topics)) {
      throw new KafkaJSNonRetriableError(
        `Argument "topics" must be an array: ${typeof options.topics}`,
      );
    }
    const subscriptions = options.topics ?? [options.topic!];
    for (const s of subscriptions) {
      if (typeof s !== "string" && !(s instanceof RegExp)) {
        throw new KafkaJSNonRetriableError(
          `Invalid topic ${
            String(s)
          } (${typeof s}), the topic name has to be a String or a RegExp`,
        );
      }
    }
    const names: string[] = [];
    for (const s of subscriptions) {
      if (s instanceof RegExp) {
        const matched = b.topicNames().filter((n) => s.test(n));
        this.#logger.debug("Subscription based on RegExp", {
          groupId: this.#groupId,
          topicRegExp: s.toString(),
          matchedTopics: matched,
        });
        names.push(...matched);
      } else names.push(s);
    }
    for (const t of names) {
      if (!b.hasTopic(t)) {
        if (this.#config.allowAutoTopicCreation === false) b.topic(t);
        await b.createTopic(t, this.#conn.numPartitions);
      }
    }
    for (const t of names) {
      this.#topics.set(t, { fromBeginning: options.fromBeginning ?? false });
    }
  }

  #subscribedTopics(): string[] {
    const b = this.#b();
    return [...this.#topics.keys()].filter((t) => b.hasTopic(t)).sort();
  }

  #fromBeginning(topic: string): boolean {
    return this.#topics.get(topic)?.fromBeginning ?? false;
  }

  /**
   * Starts consuming: resolves once the consumer has joined its group, then
   * runs the fetch loop in the background.
   */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    await Promise.resolve();
    this.#b();
    if (this.#runner) {
      this.#logger.warn(
        "consumer#run was called, but the consumer is already running",
        { groupId: this.#groupId },
      );
      return;
    }
    if (!config.eachMessage && !config.eachBatch) {
      throw new KafkaJSNonRetriableError(
        "Consumer run needs eachMessage or eachBatch: neither given",
      );
    }
    if (this.#topics.size === 0) {
      throw new KafkaJSNonRetriableError(
        "Consumer has no subscription: call subscribe() first",
      );
    }
    this.#offsets.policy = {
      autoCommit: config.autoCommit ?? true,
      interval: config.autoCommitInterval ?? null,
      threshold: config.autoCommitThreshold ?? null,
    };
    const retry = this.#config.retry ?? {};
    const runner = new Runner({
      groupId: this.#groupId,
      clock: this.#conn.clock,
      logger: this.#logger,
      events: this.#instrumentation,
      names: EVENTS as unknown as Record<string, string>,
      membership: this.#membership,
      fetcher: this.#fetcher,
      offsets: this.#offsets,
      retry: {
        retries: retry.retries ?? 5,
        initialRetryTime: retry.initialRetryTime ?? 300,
        maxRetryTime: retry.maxRetryTime ?? 30_000,
        factor: retry.factor ?? 0.2,
        multiplier: retry.multiplier ?? 2,
        restartOnFailure: retry.restartOnFailure,
      },
      maxWaitTimeInMs: this.#config.maxWaitTimeInMs ?? 5_000,
      broker: () => this.#b(),
      subscribedTopics: () => this.#subscribedTopics(),
      fromBeginning: (t) => this.#fromBeginning(t),
    }, {
      eachMessage: config.eachMessage,
      eachBatch: config.eachBatch,
      eachBatchAutoResolve: config.eachBatchAutoResolve ?? true,
      concurrency: config.partitionsConsumedConcurrently ?? 1,
    });
    this.#runner = runner;
    await runner.start();
  }

  #running(): Runner {
    if (!this.#runner) throw new KafkaJSNonRetriableError(NOT_RUNNING);
    return this.#runner;
  }

  /**
   * Commits offsets (the next offset to read) for this group, ignoring the
   * auto-commit settings. Only after `run()`, as in kafkajs.
   */
  async commitOffsets(
    offsets: (TopicPartitionOffset & { metadata?: string | null })[],
  ): Promise<void> {
    const list = offsets.map((o) => {
      if (!o?.topic) {
        throw new KafkaJSNonRetriableError(`Invalid topic ${o?.topic}`);
      }
      if (!Number.isInteger(o.partition)) {
        throw new KafkaJSNonRetriableError(
          `Invalid partition, expected a number received ${o.partition}`,
        );
      }
      const offset = offsetOf(o.offset);
      if (offset < 0) {
        throw new KafkaJSNonRetriableError(
          `Offset must not be a negative number: ${o.offset}`,
        );
      }
      if (
        o.metadata !== undefined && o.metadata !== null &&
        typeof o.metadata !== "string"
      ) {
        throw new KafkaJSNonRetriableError(
          `Invalid offset metadata, expected string or null, received ${o.metadata}`,
        );
      }
      return {
        topic: o.topic,
        partition: o.partition,
        offset,
        metadata: o.metadata ?? null,
      };
    });
    this.#running();
    const b = this.#b();
    for (const o of list) b.partition(o.topic, o.partition);
    const m = this.#membership;
    const member = m.memberId !== undefined && m.generationId >= 0
      ? { memberId: m.memberId, generationId: m.generationId }
      : undefined;
    await b.coordinator.commit(this.#groupId, member, list);
    for (const o of list) {
      this.#offsets.markCommitted(tpKey(o.topic, o.partition), o.offset);
    }
  }

  /**
   * Moves the position of a partition (offset, or -2 earliest, -1 latest)
   * before the next fetch; the rest of a batch being processed for it is
   * skipped. With autoCommit the offset sought is committed, as in kafkajs.
   * Only after `run()`.
   */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    if (!Number.isInteger(partition)) {
      throw new KafkaJSNonRetriableError(
        `Invalid partition, expected a number received ${partition}`,
      );
    }
    const n = offsetOf(offset);
    if (n < -2) {
      throw new KafkaJSNonRetriableError(
        `Offset must not be a negative number: ${offset}`,
      );
    }
    const runner = this.#running();
    this.#b().partition(topic, partition);
    this.#fetcher.seeks.set(tpKey(topic, partition), n);
    runner.wake();
  }

  /** Stops fetching from topics or some of their partitions. */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    checkTopicPartitions("pause", topics);
    this.#running();
    this.#fetcher.pause(topics);
  }

  /**
   * Resumes paused topics or partitions; resuming one partition of a paused
   * topic resumes that partition only.
   */
  resume(topics: { topic: string; partitions?: number[] }[]): void {
    checkTopicPartitions("resume", topics);
    const runner = this.#running();
    this.#fetcher.resume(topics);
    runner.wake();
  }

  /** Paused topic-partitions among those assigned ([] before `run()`). */
  paused(): { topic: string; partitions: number[] }[] {
    if (!this.#runner) return [];
    return this.#fetcher.paused(this.#membership.assignment);
  }

  /** Current assignment (topic → partitions). */
  assignment(): Assignment {
    return Object.fromEntries(
      [...this.#membership.assignment].map(([t, ps]) => [t, [...ps]]),
    );
  }

  /**
   * Describes this consumer's group, as kafkajs's `consumer.describeGroup()`
   * (the shape of `admin.describeGroups`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Kafka } from "./mod.ts";
   * const consumer = new Kafka({}).consumer({ groupId: "g" });
   * await consumer.connect();
   * assert.equal((await consumer.describeGroup()).state, "Dead"); // never joined
   * await consumer.disconnect();
   * ```
   */
  async describeGroup(): Promise<GroupDescriptionKafkajs> {
    return await Promise.resolve(
      toKafkajsGroup(this.#b().coordinator.describe(this.#groupId)),
    );
  }

  /** Member id in the group, once joined. */
  get memberId(): string | undefined {
    return this.#membership.memberId;
  }

  /**
   * Stops the loop after the message in progress, commits resolved offsets
   * and leaves the group.
   */
  async stop(): Promise<void> {
    const runner = this.#runner;
    if (!runner) return;
    this.#runner = undefined;
    await runner.stop();
    this.#instrumentation.emit(EVENTS.STOP);
    this.#logger.info("Stopped", { groupId: this.#groupId });
  }

  /** Stops and releases the broker. */
  async disconnect(): Promise<void> {
    await this.stop();
    if (!this.#broker) return;
    this.#broker = undefined;
    await this.#conn.release();
    this.#instrumentation.emit(EVENTS.DISCONNECT);
  }
}

/** A kafkajs assigner (with `protocol()`) or this module's assignor object. */
function toPartitionAssigner(a: unknown): PartitionAssigner {
  const x = a as PartitionAssigner & { protocol?: unknown };
  if (x && typeof x.protocol === "function") {
    return fromKafkajsAssigner(a as KafkajsAssigner);
  }
  if (!x || typeof x.name !== "string" || typeof x.assign !== "function") {
    throw new KafkaJSNonRetriableError(
      `Partition assigner must have a name and an assign function: ${
        JSON.stringify(a)
      }`,
    );
  }
  return x;
}
