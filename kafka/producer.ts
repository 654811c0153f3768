/**
 * The producer: turns kafkajs messages into records, picks partitions,
 * groups each send's records per partition into batches and appends them
 * (one write and one fsync per partition per send). With `lingerMs`, sends
 * are gathered in a per-partition accumulator and flushed when `batchSize`
 * bytes are waiting or the linger time has passed.
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
import { murmur2 } from "./protocol/murmur2.ts";
import { CompressionTypes, type RecordInput } from "./protocol/record_batch.ts";

/**
 * Bytes or text; null for none.
 *
 * @example Keys and values
 * ```ts
 * import type { Bytes } from "./mod.ts";
 * const values: Bytes[] = ["text", new Uint8Array([1, 2]), null];
 * console.log(values.length); // 3
 * ```
 */
export type Bytes = string | Uint8Array | null;

/**
 * A message to send, as in kafkajs.
 *
 * @example A keyed message with a header
 * ```ts
 * import type { Message } from "./mod.ts";
 * const m: Message = { key: "Alaska", value: "{\"mag\":4.2}", headers: { source: "usgs" }, timestamp: Date.now() };
 * console.log(m.key);
 * ```
 */
export interface Message {
  /** Key; keyed messages go to `murmur2(key)` partitions. */
  key?: Bytes;
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
 * import type { ProducerRecord } from "./mod.ts";
 * const record: ProducerRecord = { topic: "events", messages: [{ value: "a" }, { value: "b" }] };
 * console.log(record.messages.length); // 2
 * ```
 */
export interface ProducerRecord {
  /** Topic name. */
  topic: string;
  /** Messages to append. */
  messages: Message[];
  /** Accepted for kafkajs compatibility; every send waits for durability. */
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
 * Per-partition result of a send, as in kafkajs.
 *
 * @example Read the base offset of a send
 * ```ts
 * import { Kafka, type RecordMetadata } from "./mod.ts";
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t" }] });
 * const producer = kafka.producer();
 * await producer.connect();
 * const [meta]: RecordMetadata[] = await producer.send({ topic: "t", messages: [{ value: "x" }] });
 * console.log(meta!.baseOffset); // "0"
 * await producer.disconnect();
 * await admin.disconnect();
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
 * What a partitioner sees.
 *
 * @example Inspect what a partitioner gets
 * ```ts
 * import type { PartitionerArgs } from "./mod.ts";
 * const args: PartitionerArgs = {
 *   topic: "t",
 *   partitionMetadata: [{ partitionId: 0, leader: 0 }],
 *   message: { key: "k", value: "v" },
 * };
 * console.log(args.partitionMetadata.length); // 1
 * ```
 */
export interface PartitionerArgs {
  /** Topic name. */
  topic: string;
  /** The topic's partitions. */
  partitionMetadata: { partitionId: number; leader: number }[];
  /** The message (key already as given). */
  message: Message;
  /** The key as UTF-8 bytes, when the producer has already encoded it. */
  keyBytes?: Uint8Array;
}

/**
 * A partitioner: returns the partition for a message.
 *
 * @example Always the first partition
 * ```ts
 * import { Kafka, type Partitioner } from "./mod.ts";
 * const first: Partitioner = ({ partitionMetadata }) => partitionMetadata[0]!.partitionId;
 * const producer = new Kafka({}).producer({ createPartitioner: () => first });
 * console.log(typeof producer.send); // function
 * ```
 */
export type Partitioner = (args: PartitionerArgs) => number;

/**
 * Java's default partitioner: keyed messages go to
 * `(murmur2(key) & 0x7fffffff) % numPartitions`; messages without a key are
 * spread round-robin over the partitions (per topic, per producer).
 *
 * @example Choose a partition
 * ```ts
 * import { DefaultPartitioner } from "./producer.ts";
 * const partition = DefaultPartitioner();
 * const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 0 }));
 * console.log(partition({ topic: "t", partitionMetadata, message: { key: "21", value: null } })); // 0
 * ```
 */
export function DefaultPartitioner(): Partitioner {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message, keyBytes }) => {
    const n = partitionMetadata.length;
    if (message.key !== undefined && message.key !== null) {
      return (murmur2(keyBytes ?? toBytes(message.key)) & 0x7fffffff) % n;
    }
    const c = counters.get(topic) ?? 0;
    counters.set(topic, c + 1);
    return partitionMetadata[c % n]!.partitionId;
  };
}

/**
 * Partitioner factories by kafkajs name. `DefaultPartitioner` and
 * `JavaCompatiblePartitioner` are the same Java-compatible murmur2 choice.
 *
 * @example Pass a partitioner
 * ```ts
 * import { Kafka, Partitioners } from "./mod.ts";
 * const producer = new Kafka({}).producer({ createPartitioner: Partitioners.DefaultPartitioner });
 * console.log(typeof producer.send); // function
 * ```
 */
export const Partitioners: {
  readonly DefaultPartitioner: () => Partitioner;
  readonly JavaCompatiblePartitioner: () => Partitioner;
} = {
  DefaultPartitioner,
  JavaCompatiblePartitioner: DefaultPartitioner,
};

/**
 * Options for {@linkcode Producer}.
 *
 * @example Linger up to 5 ms
 * ```ts
 * import { Kafka, type ProducerConfig } from "./mod.ts";
 * const config: ProducerConfig = { lingerMs: 5, batchSize: 64 * 1024 };
 * console.log(typeof new Kafka({}).producer(config).send); // function
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
   * once.
   * @default {0}
   */
  lingerMs?: number;
  /**
   * With `lingerMs`, flush a partition's accumulator once this many bytes
   * wait.
   * @default {16384}
   */
  batchSize?: number;
}

const encoder = new TextEncoder();

function toBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === "string" ? encoder.encode(v) : v;
}

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

/**
 * Sends messages to topics of the embedded broker.
 *
 * @example Send to an explicit partition
 * ```ts
 * import { Kafka } from "./mod.ts";
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 3 }] });
 * await admin.disconnect();
 * const producer = kafka.producer();
 * await producer.connect();
 * const [meta] = await producer.send({ topic: "t", messages: [{ value: "x", partition: 2 }] });
 * console.log(meta!.partition, meta!.baseOffset); // 2 "0"
 * await producer.disconnect();
 * ```
 */
export class Producer {
  #conn: Connection;
  #config: ProducerConfig;
  #partitioner: Partitioner;
  #broker: Broker | undefined;
  #pending = new Map<string, Pending>();
  #inflight = new Set<Promise<unknown>>();
  #arena = new Arena();

  /** Use {@linkcode Kafka.producer}. */
  constructor(conn: Connection, config: ProducerConfig) {
    this.#conn = conn;
    this.#config = config;
    this.#partitioner = (config.createPartitioner ?? DefaultPartitioner)();
  }

  /** Opens the broker (idempotent). */
  async connect(): Promise<void> {
    if (!this.#broker) this.#broker = await this.#conn.acquire();
  }

  /** Flushes lingering messages and releases the broker. */
  async disconnect(): Promise<void> {
    if (!this.#broker) return;
    for (const key of [...this.#pending.keys()]) this.#flushKey(key);
    await Promise.allSettled([...this.#inflight]);
    this.#broker = undefined;
    await this.#conn.release();
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
      topicMessages: [record],
      compression: record.compression,
    });
  }

  /** Sends to several topics at once. */
  async sendBatch(
    batch: {
      topicMessages: { topic: string; messages: Message[] }[];
      acks?: number;
      compression?: number;
    },
  ): Promise<RecordMetadata[]> {
    const broker = this.#requireBroker();
    const compression = batch.compression ?? CompressionTypes.None;
    if (
      compression !== CompressionTypes.None &&
      compression !== CompressionTypes.GZIP
    ) {
      throw new KafkaJSProtocolError(
        `Compression codec is not supported: ${compression} (use None or GZIP)`,
        { type: "UNSUPPORTED_COMPRESSION_TYPE" },
      );
    }
    const now = this.#conn.clock.now();
    const arena = this.#arena;
    const plans: {
      topic: string;
      partition: number;
      records: RecordInput[];
    }[] = [];
    for (const { topic, messages } of batch.topicMessages) {
      if (!Array.isArray(messages)) {
        throw new KafkaJSNonRetriableError(
          `Messages must be an array: ${typeof messages} for topic ${topic}`,
        );
      }
      if (
        !broker.hasTopic(topic) && this.#config.allowAutoTopicCreation !== false
      ) {
        await broker.createTopic(topic, this.#conn.numPartitions);
      }
      const t = broker.topic(topic);
      const numPartitions = t.partitions.length;
      const maxRecord = t.config.maxMessageBytes - 61;
      const meta = t.partitions.map((_, partitionId) => ({
        partitionId,
        leader: 0,
      }));
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
        const ts = m.timestamp === undefined ? now : Number(m.timestamp);
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
      for (
        const [partition, records] of [...byPartition].sort((a, b) =>
          a[0] - b[0]
        )
      ) {
        plans.push({ topic, partition, records });
      }
    }
    const linger = this.#config.lingerMs ?? 0;
    const results = await Promise.all(
      plans.map(async ({ topic, partition, records }) => {
        const baseOffset = linger > 0
          ? await this.#accumulate(
            topic,
            partition,
            records,
            linger,
            compression,
          )
          : await this.#track(
            broker.append(topic, partition, split(records), compression),
          )
            .then((r) => r.baseOffset);
        return {
          topicName: topic,
          partition,
          errorCode: 0,
          baseOffset: String(baseOffset),
          logAppendTime: "-1",
          logStartOffset: String(
            broker.partition(topic, partition).logStartOffset,
          ),
        };
      }),
    );
    return results;
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
          throw new KafkaJSNonRetriableError(
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
