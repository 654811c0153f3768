/**
 * The producer: turns kafkajs messages into records, picks partitions,
 * groups each send's records per partition into batches and appends them
 * (one write and one fsync per partition per send). With `lingerMs`, sends
 * are gathered in a per-partition accumulator and flushed when `batchSize`
 * bytes are waiting or the linger time has passed.
 *
 * An idempotent producer (`idempotent: true`) gets a producer id at
 * connect and numbers its records per partition, so the broker drops a
 * retried batch it already has; a transactional one (`transactionalId`)
 * sends through `producer.transaction()`, whose records consumers see only
 * once it commits (`_producer_eos.ts`, `broker/_transactions.ts`).
 *
 * @module
 */

import type { Broker } from "./broker/_broker.ts";
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
} from "./errors.ts";
import type { Connection } from "./kafka.ts";
import type { Logger } from "./loggers.ts";
import { DefaultPartitioner, type Partitioner } from "./partitioners.ts";
import {
  CompressionTypes,
  encodeRecordBatch,
  type RecordInput,
} from "./protocol/record_batch.ts";
import { type Codec, codecFor, compressBatch } from "./compression.ts";
import {
  Instrumentation,
  type InstrumentationListener,
} from "./_instrumentation.ts";
import { EosManager } from "./_producer_eos.ts";

export {
  DefaultPartitioner,
  LegacyPartitioner,
  type Partitioner,
  type PartitionerArgs,
  Partitioners,
} from "./partitioners.ts";

/**
 * Bytes or text; null for none.
 *
 * @example Keys and values
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Bytes } from "./mod.ts";
 * const values: Bytes[] = ["text", new Uint8Array([1, 2]), null];
 * assert.equal(values.length, 3);
 * ```
 */
export type Bytes = string | Uint8Array | null;

/**
 * A message to send, as in kafkajs.
 *
 * @example A keyed message with a header
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Message } from "./mod.ts";
 * const m: Message = { key: "Alaska", value: "{\"mag\":4.2}", headers: { source: "usgs" }, timestamp: Date.now() };
 * assert.equal(m.key, "Alaska");
 * ```
 */
export interface Message {
  /**
   * Key; keyed messages go to `murmur2(key)` partitions. A number is sent
   * as `String(key)`, as kafkajs does.
   */
  key?: Bytes | number;
  /** Value; null is a tombstone in compacted topics. */
  value: Bytes;
  /**
   * Header values: a string or bytes, null, or an array of them (the header
   * repeats, in order, as kafkajs sends it).
   */
  headers?: Record<
    string,
    | string
    | Uint8Array
    | null
    | (string | Uint8Array | null)[]
    | undefined
  >;
  /** Explicit partition; wins over the partitioner. */
  partition?: number;
  /** Timestamp in epoch ms (number or string); defaults to the clock. */
  timestamp?: string | number;
}

/**
 * Arguments of {@linkcode Producer.send}.
 *
 * @example A send request
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProducerRecord } from "./mod.ts";
 * const record: ProducerRecord = { topic: "events", messages: [{ value: "a" }, { value: "b" }] };
 * assert.equal(record.messages.length, 2);
 * ```
 */
export interface ProducerRecord {
  /** Topic name. */
  topic: string;
  /** Messages to append. */
  messages: Message[];
  /**
   * -1 (all) or 1 wait for the write to be durable and return its offsets;
   * 0 returns `[]`, as kafkajs (the write still happens). An idempotent
   * producer needs -1.
   * @default {-1}
   */
  acks?: number;
  /** Accepted for kafkajs compatibility. */
  timeout?: number;
  /**
   * Codec for this send's batches: `CompressionTypes.None` or
   * `CompressionTypes.GZIP` (others are rejected).
   * @default {CompressionTypes.None}
   */
  compression?: number;
}

/**
 * Arguments of {@linkcode Producer.sendBatch}.
 *
 * @example Two topics in one call
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProducerBatch } from "./mod.ts";
 * const batch: ProducerBatch = {
 *   topicMessages: [{ topic: "a", messages: [{ value: "1" }] }, { topic: "b", messages: [{ value: "2" }] }],
 * };
 * assert.equal(batch.topicMessages.length, 2);
 * ```
 */
export interface ProducerBatch {
  /** Messages per topic. */
  topicMessages: { topic: string; messages: Message[] }[];
  /** As {@linkcode ProducerRecord.acks}. */
  acks?: number;
  /** Accepted for kafkajs compatibility. */
  timeout?: number;
  /** As {@linkcode ProducerRecord.compression}. */
  compression?: number;
}

/**
 * Per-partition result of a send, as in kafkajs.
 *
 * @example Read the base offset of a send
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type RecordMetadata } from "./mod.ts";
 * const producer = new Kafka({}).producer();
 * await producer.connect();
 * const [meta]: RecordMetadata[] = await producer.send({ topic: "t", messages: [{ value: "x" }] });
 * assert.equal(meta!.baseOffset, "0");
 * await producer.disconnect();
 * ```
 */
export interface RecordMetadata {
  /** Topic name. */
  topicName: string;
  /** Partition written. */
  partition: number;
  /** Always 0 (errors throw). */
  errorCode: number;
  /** Offset of this send's first record in the partition. */
  baseOffset: string;
  /** "-1": timestamps are the producer's (CreateTime). */
  logAppendTime: string;
  /** First offset still in the partition. */
  logStartOffset: string;
}

/**
 * Options for {@linkcode Producer}.
 *
 * @example Linger up to 5 ms
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type ProducerConfig } from "./mod.ts";
 * const config: ProducerConfig = { lingerMs: 5, batchSize: 64 * 1024 };
 * assert.equal(typeof new Kafka({}).producer(config).send, "function");
 * ```
 */
export interface ProducerConfig {
  /**
   * Partitioner factory.
   * @default {Partitioners.DefaultPartitioner}
   */
  createPartitioner?: () => Partitioner;
  /**
   * Create an unknown topic on send (with the broker's default partition
   * count, `KafkaOptions.numPartitions`), as Kafka's
   * `auto.create.topics.enable` does; false refuses it with
   * UNKNOWN_TOPIC_OR_PARTITION.
   * @default {true}
   */
  allowAutoTopicCreation?: boolean;
  /**
   * Milliseconds to gather messages before writing; 0 writes each send at
   * once. Idempotent and transactional sends never linger.
   * @default {0}
   */
  lingerMs?: number;
  /**
   * With `lingerMs`, flush a partition's accumulator once this many bytes
   * wait.
   * @default {16384}
   */
  batchSize?: number;
  /**
   * Exactly-once writes per partition: a producer id at connect and
   * sequence numbers in each batch, so the broker drops a duplicate retry.
   * Needs `acks: -1`.
   * @default {false}
   */
  idempotent?: boolean;
  /** Enables `producer.transaction()`; fences older producers with the same id. */
  transactionalId?: string;
  /**
   * Milliseconds a transaction may stay open before the broker aborts it.
   * @default {60000}
   */
  transactionTimeout?: number;
  /** kafkajs's retry settings; an idempotent producer needs retries. */
  retry?: {
    retries?: number;
    initialRetryTime?: number;
    maxRetryTime?: number;
  };
  /** Accepted for kafkajs compatibility; there is no network. */
  maxInFlightRequests?: number | null;
  /** Accepted for kafkajs compatibility; metadata is always current. */
  metadataMaxAge?: number;
}

/**
 * A transaction, as `producer.transaction()` returns it: `send` and
 * `sendBatch` as the producer's, `sendOffsets`, then `commit` or `abort`.
 *
 * @example Commit or abort
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type Transaction } from "./mod.ts";
 * const producer = new Kafka({}).producer({ transactionalId: "tx", idempotent: true, maxInFlightRequests: 1 });
 * await producer.connect();
 * const transaction: Transaction = await producer.transaction();
 * await transaction.send({ topic: "t", messages: [{ value: "x" }] });
 * await transaction.commit();
 * assert.equal(transaction.isActive(), false);
 * await producer.disconnect();
 * ```
 */
export interface Transaction {
  /** Sends inside the transaction. */
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  /** Sends to several topics inside the transaction. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  /** Commits a consumer group's offsets with the transaction. */
  sendOffsets(
    offsets: {
      consumerGroupId: string;
      topics: {
        topic: string;
        partitions: { partition: number; offset: string }[];
      }[];
    },
  ): Promise<void>;
  /** Makes the transaction's records and offsets visible. */
  commit(): Promise<void>;
  /** Drops the transaction's records and offsets. */
  abort(): Promise<void>;
  /** Whether it can still be used. */
  isActive(): boolean;
}

/**
 * Producer event names, as in kafkajs. REQUEST, REQUEST_TIMEOUT and
 * REQUEST_QUEUE_SIZE are accepted and never emitted: there is no network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * assert.equal(new Kafka({}).producer().events.CONNECT, "producer.connect");
 * ```
 */
export interface ProducerEvents {
  /** The producer connected. */
  readonly CONNECT: "producer.connect";
  /** The producer disconnected. */
  readonly DISCONNECT: "producer.disconnect";
  /** Never emitted (no network). */
  readonly REQUEST: "producer.network.request";
  /** Never emitted (no network). */
  readonly REQUEST_TIMEOUT: "producer.network.request_timeout";
  /** Never emitted (no network). */
  readonly REQUEST_QUEUE_SIZE: "producer.network.request_queue_size";
}

const EVENTS: ProducerEvents = {
  CONNECT: "producer.connect",
  DISCONNECT: "producer.disconnect",
  REQUEST: "producer.network.request",
  REQUEST_TIMEOUT: "producer.network.request_timeout",
  REQUEST_QUEUE_SIZE: "producer.network.request_queue_size",
};

const encoder = new TextEncoder();

/**
 * UTF-8 encodes strings into large shared blocks with `encodeInto`, so a
 * send of many string messages makes a few allocations instead of one per
 * message. Blocks are never overwritten, so the views stay valid.
 */
class Arena {
  #buf = new Uint8Array(0);
  #pos = 0;

  bytes(s: string): Uint8Array {
    const max = s.length * 3;
    if (this.#pos + max > this.#buf.length) {
      this.#buf = new Uint8Array(Math.max(1 << 22, max));
      this.#pos = 0;
    }
    const start = this.#pos;
    this.#pos += encoder.encodeInto(s, this.#buf.subarray(start)).written;
    return this.#buf.subarray(start, this.#pos);
  }
}

function bytesOf(
  arena: Arena,
  v: unknown,
  what: string,
  i: number,
): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return arena.bytes(v);
  if (v instanceof Uint8Array) return v;
  // kafkajs writes any other key as String(key).
  if (what === "key" && (typeof v === "number" || typeof v === "bigint")) {
    return arena.bytes(String(v));
  }
  throw new KafkaJSProtocolError(
    `Message ${what} at messages[${i}] must be a string, Uint8Array or null: ${
      typeof v === "object" ? Object.prototype.toString.call(v) : typeof v
    } ${String(v).slice(0, 40)}`,
    { type: "INVALID_RECORD" },
  );
}

interface Pending {
  records: RecordInput[];
  bytes: number;
  waiters: {
    count: number;
    resolve: (base: number) => void;
    reject: (e: unknown) => void;
  }[];
  timer?: AbortController;
}

interface Plan {
  topic: string;
  partition: number;
  records: RecordInput[];
  /** The topic's codec: its compression.type, else the send's. */
  compression: number;
  /** When the topic's message.timestamp.type is LogAppendTime. */
  logAppendTime?: number;
}

/**
 * Sends messages to topics of the embedded broker.
 *
 * @example Send to an explicit partition
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 3 }] });
 * await admin.disconnect();
 * const producer = kafka.producer();
 * await producer.connect();
 * const [meta] = await producer.send({ topic: "t", messages: [{ value: "x", partition: 2 }] });
 * assert.deepEqual([meta!.partition, meta!.baseOffset], [2, "0"]);
 * await producer.disconnect();
 * ```
 */
export class Producer {
  /** Event names for {@linkcode Producer.on}. */
  readonly events: ProducerEvents = EVENTS;
  #conn: Connection;
  #config: ProducerConfig;
  #partitioner: Partitioner;
  #broker: Broker | undefined;
  #pending = new Map<string, Pending>();
  #inflight = new Set<Promise<unknown>>();
  #arena = new Arena();
  #logger: Logger;
  #instrumentation: Instrumentation;
  #idempotent: EosManager | undefined;
  #transactional: EosManager | undefined;

  /** Use {@linkcode Kafka.producer}. */
  constructor(conn: Connection, config: ProducerConfig) {
    this.#conn = conn;
    this.#config = config;
    this.#logger = conn.logger.namespace("Producer");
    this.#instrumentation = new Instrumentation(
      "producer",
      EVENTS as unknown as Record<string, string>,
      this.#logger,
      conn.clock,
    );
    if (config.idempotent) {
      if (config.retry?.retries !== undefined && config.retry.retries < 1) {
        throw new KafkaJSNonRetriableError(
          `Idempotent producer must allow retries to protect against transient errors: retries ${config.retry.retries}`,
        );
      }
      this.#idempotent = new EosManager(
        undefined,
        config.transactionTimeout ?? 60_000,
      );
    }
    this.#partitioner = (config.createPartitioner ?? DefaultPartitioner)();
  }

  /**
   * Listens to an event (a name from {@linkcode Producer.events}); returns
   * a function that removes the listener.
   */
  on(eventName: string, listener: InstrumentationListener): () => void {
    return this.#instrumentation.on(eventName, listener);
  }

  /** The producer's logger (namespace `Producer`). */
  logger(): Logger {
    return this.#logger;
  }

  /** Whether the producer is idempotent. */
  isIdempotent(): boolean {
    return this.#config.idempotent ?? false;
  }

  /** Opens the broker (idempotent); an idempotent producer gets its id. */
  async connect(): Promise<void> {
    if (!this.#broker) this.#broker = await this.#conn.acquire();
    this.#instrumentation.emit(EVENTS.CONNECT);
    if (this.#idempotent && !this.#idempotent.initialized) {
      await this.#idempotent.init(this.#broker);
    }
  }

  /** Flushes lingering messages and releases the broker. */
  async disconnect(): Promise<void> {
    if (!this.#broker) return;
    for (const key of [...this.#pending.keys()]) this.#flushKey(key);
    await Promise.allSettled([...this.#inflight]);
    this.#broker = undefined;
    await this.#conn.release();
    this.#instrumentation.emit(EVENTS.DISCONNECT);
  }

  #requireBroker(): Broker {
    if (!this.#broker || this.#broker.closed) {
      throw new KafkaJSConnectionError(
        "The producer is disconnected: call connect() first",
      );
    }
    return this.#broker;
  }

  /**
   * Appends `messages` to `topic`. Messages for one partition become one
   * batch (split only above `max.message.bytes`); resolves after the batches
   * are durable, with one entry per partition written.
   */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return await this.sendBatch({
      topicMessages: [{ topic: record?.topic, messages: record?.messages }],
      acks: record?.acks,
      compression: record?.compression,
    });
  }

  /** Sends to several topics at once. */
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return await this.#send(batch, this.#idempotent);
  }

  /**
   * Begins a transaction (needs `transactionalId`); only what is sent
   * through the returned object belongs to it.
   */
  async transaction(): Promise<Transaction> {
    const id = this.#config.transactionalId;
    if (!id) {
      throw new KafkaJSNonRetriableError(
        "Must provide transactional id for transactional producer: transactionalId is not set",
      );
    }
    const broker = this.#requireBroker();
    const eos = this.#transactional ??= new EosManager(
      id,
      this.#config.transactionTimeout ?? 60_000,
    );
    if (eos.inTransaction) {
      throw new KafkaJSNonRetriableError(
        "There is already an ongoing transaction for this producer. Please end the transaction before beginning another.",
      );
    }
    if (!eos.initialized) await eos.init(broker);
    eos.begin();
    let ended = false;
    const isActive = () => eos.inTransaction && !ended;
    const guard =
      <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
      (...a: A): Promise<R> => {
        if (!isActive()) {
          return Promise.reject(
            new KafkaJSNonRetriableError(
              "Cannot continue to use transaction once ended",
            ),
          );
        }
        return fn(...a);
      };
    return {
      send: guard((record: ProducerRecord) =>
        this.#send({
          topicMessages: [{ topic: record?.topic, messages: record?.messages }],
          acks: record?.acks,
          compression: record?.compression,
        }, eos)
      ),
      sendBatch: guard((batch: ProducerBatch) => this.#send(batch, eos)),
      sendOffsets: guard(({ consumerGroupId, topics }) =>
        eos.sendOffsets(this.#requireBroker(), consumerGroupId, topics)
      ),
      commit: guard(async () => {
        await eos.end(this.#requireBroker(), true);
        ended = true;
      }),
      abort: guard(async () => {
        await eos.end(this.#requireBroker(), false);
        ended = true;
      }),
      isActive,
    };
  }

  async #send(
    batch: ProducerBatch,
    eos: EosManager | undefined,
  ): Promise<RecordMetadata[]> {
    const acks = batch?.acks ?? -1;
    const topicMessages = batch?.topicMessages ?? [];
    if (topicMessages.some((t) => !t?.topic)) {
      throw new KafkaJSNonRetriableError(
        `Invalid topic: ${
          JSON.stringify(topicMessages.find((t) => !t?.topic)?.topic)
        }`,
      );
    }
    if (eos && acks !== -1) {
      throw new KafkaJSNonRetriableError(
        `Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees: acks ${acks}`,
      );
    }
    for (const { topic, messages } of topicMessages) {
      if (!Array.isArray(messages)) {
        throw new KafkaJSNonRetriableError(
          `Invalid messages array [${messages}] for topic "${topic}"`,
        );
      }
      const i = messages.findIndex((m) => m?.value === undefined);
      if (i >= 0) {
        throw new KafkaJSNonRetriableError(
          `Invalid message without value for topic "${topic}": messages[${i}] ${
            JSON.stringify(messages[i])
          }`,
        );
      }
    }
    const broker = this.#requireBroker();
    const compression = batch.compression ?? CompressionTypes.None;
    if (
      compression !== CompressionTypes.None &&
      compression !== CompressionTypes.GZIP && !codecFor(compression)
    ) {
      throw new KafkaJSProtocolError(
        `Compression codec is not supported: ${compression} (use None or GZIP, or register one in CompressionCodecs)`,
        { type: "UNSUPPORTED_COMPRESSION_TYPE" },
      );
    }
    // Messages for one topic in several entries go together, as in kafkajs.
    const merged = new Map<string, Message[]>();
    for (const { topic, messages } of topicMessages) {
      const list = merged.get(topic);
      if (list) list.push(...messages);
      else merged.set(topic, [...messages]);
    }
    const plans: Plan[] = [];
    for (const [topic, messages] of merged) {
      plans.push(
        ...await this.#plan(broker, topic, messages, compression, acks),
      );
    }
    if (eos?.transactional) await eos.addPartitions(broker, plans);
    const linger = eos ? 0 : this.#config.lingerMs ?? 0;
    const results = await Promise.all(plans.map(async (plan) => {
      const { topic, partition, records, compression } = plan;
      let baseOffset: number;
      const plugin = compression === CompressionTypes.None ||
          compression === CompressionTypes.GZIP
        ? undefined
        : codecFor(compression);
      if (plugin) {
        baseOffset = await this.#track(
          this.#appendCompressed(broker, plan, plugin, eos),
        );
      } else if (linger > 0) {
        baseOffset = await this.#accumulate(
          topic,
          partition,
          records,
          linger,
          compression,
        );
      } else {
        // Sequence numbers are taken in plan order, synchronously, so the
        // batches of concurrent sends reach the broker in sequence.
        const producer = eos?.next(topic, partition, records.length);
        try {
          baseOffset = (await this.#track(
            broker.append(
              topic,
              partition,
              split(records),
              compression,
              producer,
            ),
          )).baseOffset;
        } catch (e) {
          if (producer) eos!.failed(topic, partition, producer);
          throw e;
        }
      }
      return {
        topicName: topic,
        partition,
        errorCode: 0,
        baseOffset: String(baseOffset),
        logAppendTime: String(plan.logAppendTime ?? -1),
        logStartOffset: String(
          broker.partition(topic, partition).logStartOffset,
        ),
      };
    }));
    // As kafkajs: with acks 0 nothing is reported back.
    return acks === 0 ? [] : results;
  }

  /**
   * A send with a codec from `CompressionCodecs`: batches are encoded, their
   * records compressed by the codec (asynchronously, as kafkajs's codecs
   * are), and the stored batches appended as they are.
   */
  async #appendCompressed(
    broker: Broker,
    plan: Plan,
    codec: Codec,
    eos: EosManager | undefined,
  ): Promise<number> {
    const { topic, partition, records, compression } = plan;
    const producer = eos?.next(topic, partition, records.length);
    try {
      const batches: Uint8Array[] = [];
      let done = 0;
      for (const group of split(records)) {
        const raw = encodeRecordBatch(
          0,
          group,
          CompressionTypes.None,
          producer &&
            { ...producer, baseSequence: producer.baseSequence + done },
        );
        batches.push(await compressBatch(raw, compression, codec));
        done += group.length;
      }
      if (producer) {
        const duplicate = broker.transactions.checkAppend(
          topic,
          partition,
          producer,
          records.length,
        );
        if (duplicate) return duplicate.baseOffset;
      }
      const { baseOffset, lastOffset } = await broker.appendBatches(
        topic,
        partition,
        batches,
      );
      if (producer) {
        broker.transactions.recordAppend(
          topic,
          partition,
          producer,
          baseOffset,
          lastOffset,
        );
      }
      return baseOffset;
    } catch (e) {
      if (producer) eos!.failed(topic, partition, producer);
      throw e;
    }
  }

  /** Records per partition for one topic's messages. */
  async #plan(
    broker: Broker,
    topic: string,
    messages: Message[],
    sendCompression: number,
    acks: number,
  ): Promise<Plan[]> {
    if (
      !broker.hasTopic(topic) && this.#config.allowAutoTopicCreation !== false
    ) {
      await broker.createTopic(topic, this.#conn.numPartitions);
    }
    const t = broker.topic(topic);
    // Topic configs that mean something with one broker.
    const minInsync = Number(t.overrides["min.insync.replicas"] ?? 1);
    if (acks === -1 && minInsync > 1) {
      throw new KafkaJSProtocolError(
        `Not enough in-sync replicas for ${topic}: 1 broker, min.insync.replicas ${minInsync}`,
        { type: "NOT_ENOUGH_REPLICAS" },
      );
    }
    const codec = t.overrides["compression.type"];
    const compression = codec === "gzip"
      ? CompressionTypes.GZIP
      : codec === "uncompressed"
      ? CompressionTypes.None
      : sendCompression;
    const logAppendTime =
      t.overrides["message.timestamp.type"] === "LogAppendTime"
        ? this.#conn.clock.now()
        : undefined;
    const numPartitions = t.partitions.length;
    const maxRecord = t.config.maxMessageBytes - 61;
    const meta = t.partitions.map((_, partitionId) => ({
      partitionId,
      leader: 0,
    }));
    const now = this.#conn.clock.now();
    const arena = this.#arena;
    const byPartition = new Map<number, RecordInput[]>();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const value = bytesOf(arena, m.value, "value", i);
      const key = bytesOf(arena, m.key, "key", i);
      let headers: [string, Uint8Array | null][] | undefined;
      let size = 24 + (key?.length ?? 0) + (value?.length ?? 0);
      if (m.headers) {
        headers = [];
        for (const [hk, hv] of Object.entries(m.headers)) {
          if (hv === undefined) continue;
          for (const one of Array.isArray(hv) ? hv : [hv]) {
            const b = bytesOf(arena, one, `header ${hk}`, i);
            headers.push([hk, b]);
            size += hk.length * 3 + (b?.length ?? 0) + 10;
          }
        }
      }
      if (size > maxRecord) {
        throw new KafkaJSProtocolError(
          `Message is larger than max.message.bytes: about ${size} bytes > ${t.config.maxMessageBytes} at messages[${i}] for topic ${topic}`,
          { type: "MESSAGE_TOO_LARGE" },
        );
      }
      let partition = m.partition;
      if (partition === undefined || partition === null) {
        partition = this.#partitioner({
          topic,
          partitionMetadata: meta,
          message: m,
          keyBytes: key ?? undefined,
        });
      }
      if (
        !Number.isInteger(partition) || partition < 0 ||
        partition >= numPartitions
      ) {
        throw new KafkaJSProtocolError(
          `Partition is out of range: ${topic} has ${numPartitions} partitions, got ${partition}`,
          { type: "UNKNOWN_TOPIC_OR_PARTITION" },
        );
      }
      const ts = logAppendTime ??
        (m.timestamp === undefined ? now : Number(m.timestamp));
      if (!Number.isFinite(ts)) {
        throw new KafkaJSNonRetriableError(
          `Message timestamp must be epoch milliseconds: ${
            JSON.stringify(m.timestamp)
          } at messages[${i}]`,
        );
      }
      let list = byPartition.get(partition);
      if (!list) byPartition.set(partition, list = []);
      list.push({ key, value, timestamp: ts, headers });
    }
    return [...byPartition].sort((a, b) => a[0] - b[0]).map((
      [partition, records],
    ) => ({ topic, partition, records, compression, logAppendTime }));
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inflight.add(p);
    const done = () => this.#inflight.delete(p);
    p.then(done, done);
    return p;
  }

  #accumulate(
    topic: string,
    partition: number,
    records: RecordInput[],
    linger: number,
    compression: number,
  ): Promise<number> {
    const key = `${topic}\u0000${partition}\u0000${compression}`;
    let p = this.#pending.get(key);
    if (!p) {
      p = { records: [], bytes: 0, waiters: [] };
      this.#pending.set(key, p);
      const timer = new AbortController();
      p.timer = timer;
      this.#conn.clock.sleep(linger, timer.signal).then(
        () => this.#flushKey(key),
        () => {},
      );
    }
    const entry = p;
    const result = new Promise<number>((resolve, reject) => {
      entry.waiters.push({ count: records.length, resolve, reject });
    });
    for (const r of records) {
      entry.records.push(r);
      entry.bytes += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    }
    if (entry.bytes >= (this.#config.batchSize ?? 16384)) this.#flushKey(key);
    return result;
  }

  #flushKey(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    this.#pending.delete(key);
    p.timer?.abort();
    const [topic, partition, compression] = key.split("\u0000") as [
      string,
      string,
      string,
    ];
    const broker = this.#broker;
    const job = (async () => {
      try {
        if (!broker) {
          throw new KafkaJSConnectionError(
            "The producer is disconnected: pending messages dropped",
          );
        }
        const { baseOffset } = await broker.append(
          topic,
          Number(partition),
          split(p.records),
          Number(compression),
        );
        let next = baseOffset;
        for (const w of p.waiters) {
          w.resolve(next);
          next += w.count;
        }
      } catch (e) {
        for (const w of p.waiters) w.reject(e);
      }
    })();
    this.#track(job);
  }
}

/** Splits records into groups of about 1 MiB so batches stay under limits. */
function split(records: RecordInput[]): RecordInput[][] {
  const groups: RecordInput[][] = [];
  let cur: RecordInput[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (cur.length > 0 && bytes + size > 900_000) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += size;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}
