/**
 * The embedded broker: topics made of partition logs, topic metadata in
 * `topics.json`, committed offsets in `__consumer_offsets/`, the group
 * coordinator, and wake-ups for consumers waiting on new data. One broker
 * serves every client of a log directory in the process (shared and
 * reference-counted); without a log directory it lives in memory for the
 * lifetime of its {@linkcode Kafka} instance.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";
import { DirLock, realLogDir } from "../log/_dir_lock.ts";
import { offsetsFileName, validateGroupId } from "./_group_files.ts";
import {
  isPartitionDir,
  moveAside,
  newTopicId,
  readTopicId,
  removeDeleted,
  writeTopicId,
} from "../log/_partition_dir.ts";
import { type Clock, systemClock } from "../../internal/clock.ts";
import {
  type CommittedOffset,
  GroupCoordinator,
} from "./_group_coordinator.ts";
import {
  type CleanupResult,
  DEFAULT_TOPIC_CONFIG,
  PartitionLog,
  type TopicConfig,
} from "../log/_partition_log.ts";
import {
  controlRecord,
  type DecodedRecord,
  readBatchHeader,
  type RecordInput,
  TRANSACTIONAL_FLAG,
} from "../protocol/record_batch.ts";
import {
  checkStoredTopicConfig,
  isStoredTopicConfig,
} from "./_topic_configs.ts";
import {
  type AppendProducer,
  TransactionCoordinator,
  type TransactionStateFile,
} from "./_transactions.ts";
import { syncDir, writeFileAtomic } from "../log/_store.ts";

/**
 * A topic's config entry in kafkajs form.
 *
 * @example Keep a topic for one day
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConfigEntry } from "../mod.ts";
 * const entry: ConfigEntry = { name: "retention.ms", value: String(24 * 3600_000) };
 * assert.equal(entry.value, "86400000");
 * ```
 */
export interface ConfigEntry {
  /** Kafka config name, e.g. `"cleanup.policy"`. */
  name: string;
  /** Its value as a string. */
  value: string;
}

/** Kafka config names this broker understands, mapped to fields. */
const CONFIG_NAMES: Record<string, keyof TopicConfig> = {
  "cleanup.policy": "cleanupPolicy",
  "retention.ms": "retentionMs",
  "retention.bytes": "retentionBytes",
  "segment.bytes": "segmentBytes",
  "segment.ms": "segmentMs",
  "max.message.bytes": "maxMessageBytes",
  "delete.retention.ms": "deleteRetentionMs",
  "index.interval.bytes": "indexIntervalBytes",
};

/** Producer ids and transactions, beside `topics.json`. */
const TRANSACTION_STATE_FILE = "__transaction_state.json";

/** Checks a topic name against Kafka's rule. */
export function validateTopicName(name: unknown): string {
  if (
    typeof name !== "string" || name.length === 0 || name.length > 249 ||
    !/^[a-zA-Z0-9._-]+$/.test(name) || name === "." || name === ".."
  ) {
    throw new KafkaJSProtocolError(
      `Topic name must match [a-zA-Z0-9._-]+, 1 to 249 characters, not "." or "..": ${
        JSON.stringify(name)
      }`,
      { type: "INVALID_TOPIC_EXCEPTION" },
    );
  }
  return name;
}

/**
 * Parses an offset a caller gave as a string (or number): a whole decimal
 * number of at least `min` (-2 and -1 are Kafka's earliest and latest
 * sentinels where they are allowed). Anything else is a KafkaError naming
 * `what` and the value.
 */
export function parseOffset(value: unknown, what: string, min = 0): number {
  const text = typeof value === "number" ? String(value) : value;
  const n = typeof text === "string" && /^-?\d+$/.test(text)
    ? Number(text)
    : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new KafkaJSNonRetriableError(
      `${what} must be a whole number of at least ${min}: ${
        JSON.stringify(value)
      }`,
      { type: "OFFSET_OUT_OF_RANGE" },
    );
  }
  return n;
}

/** Parses kafkajs `configEntries` into a full topic config. */
export function parseTopicConfig(entries: readonly ConfigEntry[] = []): {
  config: TopicConfig;
  overrides: Record<string, string>;
} {
  const config: TopicConfig = { ...DEFAULT_TOPIC_CONFIG };
  const overrides: Record<string, string> = {};
  for (const { name, value } of entries) {
    const field = CONFIG_NAMES[name];
    if (!field && isStoredTopicConfig(name)) {
      // A Kafka config without effect on this log: kept as given.
      overrides[name] = checkStoredTopicConfig(name, value);
      continue;
    }
    if (!field) {
      throw new KafkaJSProtocolError(
        `Topic config is not supported: ${JSON.stringify(name)}`,
        { type: "INVALID_CONFIG" },
      );
    }
    if (field === "cleanupPolicy") {
      const v = String(value).split(",").map((s) => s.trim()).sort().join(",");
      if (v !== "delete" && v !== "compact" && v !== "compact,delete") {
        throw new KafkaJSProtocolError(
          `cleanup.policy must be delete, compact or both: ${
            JSON.stringify(value)
          }`,
          { type: "INVALID_CONFIG" },
        );
      }
      config.cleanupPolicy = v;
    } else {
      const n = Number(value);
      if (!Number.isInteger(n) || (n < -1)) {
        throw new KafkaJSProtocolError(
          `Topic config ${name} must be an integer >= -1: ${
            JSON.stringify(value)
          }`,
          { type: "INVALID_CONFIG" },
        );
      }
      config[field] = n;
    }
    overrides[name] = String(value);
  }
  if (config.segmentBytes < 64) {
    throw new KafkaJSProtocolError(
      `segment.bytes must be at least 64: ${config.segmentBytes}`,
      { type: "INVALID_CONFIG" },
    );
  }
  return { config, overrides };
}

interface Topic {
  name: string;
  /** Kafka's topic id, also in each partition's `partition.metadata`. */
  id: string;
  config: TopicConfig;
  overrides: Record<string, string>;
  partitions: PartitionLog[];
}

/** Options for {@linkcode Broker.open}. */
export interface BrokerOptions {
  /** Log directory; undefined keeps everything in memory. */
  logDir?: string;
  /** Time source. */
  clock?: Clock;
  /** Background fsync interval; 0 fsyncs before every acknowledgement. */
  flushIntervalMs?: number;
  /**
   * Receives what log recovery cut or found damaged.
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
}

/**
 * Written when a broker closes cleanly, removed once it opens again (as
 * Kafka's file of that name): its absence at open means a crash, so a torn
 * tail may be cut. Holds each partition's log end offset, which is never
 * handed out again.
 */
const CLEAN_SHUTDOWN = ".kafka_cleanshutdown";

/** Topics, partitions, groups and data wake-ups of one log directory. */
export class Broker {
  readonly logDir: string | undefined;
  readonly clock: Clock;
  readonly coordinator: GroupCoordinator;
  /** Producer ids, sequence checks and transactions (see `_transactions.ts`). */
  readonly transactions: TransactionCoordinator;
  /** This broker's cluster id (22 base64url characters, as Kafka's). */
  readonly clusterId: string = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  ).replaceAll("+", "-").replaceAll("/", "_").slice(0, 22);
  #flushInterval: number;
  #topics = new Map<string, Topic>();
  #waiters = new Set<() => void>();
  #metaChain: Promise<void> = Promise.resolve();
  #closed = false;
  #flusher: AbortController | undefined;
  #flushLoop: Promise<void> | undefined;
  #lock: DirLock | undefined;
  #onWarning: (message: string) => void;

  private constructor(
    options: BrokerOptions,
    lock: DirLock | undefined,
    initialOffsets: Map<
      string,
      Record<string, Record<string, CommittedOffset>>
    >,
    transactionState?: TransactionStateFile,
  ) {
    this.#lock = lock;
    this.#onWarning = options.onWarning ?? ((m) => console.warn(m));
    this.logDir = lock?.dir;
    this.clock = options.clock ?? systemClock;
    this.#flushInterval = options.flushIntervalMs ?? 0;
    this.coordinator = new GroupCoordinator({
      clock: this.clock,
      partitionsFor: (t) => this.#topics.get(t)?.partitions.length,
      persist: (groupId, offsets) => this.#persistOffsets(groupId, offsets),
      initialOffsets,
    });
    const dir = this.logDir;
    this.transactions = new TransactionCoordinator({
      clock: this.clock,
      initial: transactionState,
      logEndOffset: (t, p) => this.partition(t, p).logEndOffset,
      logStartOffset: (t, p) =>
        this.#topics.get(t)?.partitions[p]?.logStartOffset,
      writeMarker: (t, p, marker) => this.#writeMarker(t, p, marker),
      commitOffsets: (groupId, topics) =>
        this.coordinator.commitFromTransaction(
          groupId,
          topics.flatMap(({ topic, partitions }) =>
            partitions.map((p) => ({
              topic,
              partition: p.partition,
              offset: Number(p.offset),
              metadata: p.metadata ?? null,
            }))
          ),
        ),
      persist: dir
        ? (state) =>
          writeFileAtomic(
            join(dir, TRANSACTION_STATE_FILE),
            new TextEncoder().encode(JSON.stringify(state)),
          )
        : undefined,
    });
  }

  async #writeMarker(
    topic: string,
    partition: number,
    marker: { producerId: number; producerEpoch: number; commit: boolean },
  ): Promise<number> {
    const log = this.partition(topic, partition);
    const { baseOffset, durable } = log.append(
      [[controlRecord(marker.commit, this.clock.now())]],
      0,
      { ...marker, baseSequence: -1, transactional: true },
      true,
    );
    await durable;
    this.#wake();
    return baseOffset;
  }

  /**
   * Opens a broker, recovering topics and offsets from `logDir`, which it
   * owns (locks) until {@linkcode close}: a second broker on the same
   * directory, in this process or another, is refused.
   */
  static async open(options: BrokerOptions): Promise<Broker> {
    const lock = options.logDir !== undefined
      ? DirLock.acquire(options.logDir)
      : undefined;
    try {
      return await Broker.#open(options, lock);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  static async #open(
    options: BrokerOptions,
    lock: DirLock | undefined,
  ): Promise<Broker> {
    const offsets = new Map<
      string,
      Record<string, Record<string, CommittedOffset>>
    >();
    const dir = lock?.dir;
    if (dir) {
      await Deno.mkdir(join(dir, "__consumer_offsets"), { recursive: true });
      for await (const e of Deno.readDir(join(dir, "__consumer_offsets"))) {
        if (!e.isFile || !e.name.endsWith(".json")) continue;
        try {
          const data = JSON.parse(
            await Deno.readTextFile(join(dir, "__consumer_offsets", e.name)),
          );
          offsets.set(data.groupId, data.offsets);
        } catch (cause) {
          // One damaged file must not keep every topic offline.
          (options.onWarning ?? console.warn)(
            `Committed offsets file is unreadable, its group starts without commits: ${
              join(dir, "__consumer_offsets", e.name)
            } (${cause instanceof Error ? cause.message : String(cause)})`,
          );
        }
      }
    }
    let transactionState: TransactionStateFile | undefined;
    if (dir) {
      const file = join(dir, TRANSACTION_STATE_FILE);
      try {
        transactionState = JSON.parse(await Deno.readTextFile(file));
      } catch (cause) {
        if (!(cause instanceof Deno.errors.NotFound)) {
          throw new KafkaJSNonRetriableError(
            `Transaction state file is unreadable: ${file}`,
            { cause },
          );
        }
      }
    }
    const broker = new Broker(options, lock, offsets, transactionState);
    if (dir) {
      const cleanEnds = await broker.#readCleanShutdown(dir);
      await broker.#loadTopics(dir, cleanEnds);
      // Commits of a topic deleted by an interrupted deleteTopics go too.
      const gone = new Set<string>();
      for (const byTopic of offsets.values()) {
        for (const t of Object.keys(byTopic)) {
          if (!broker.#topics.has(t)) gone.add(t);
        }
      }
      for (const t of gone) await broker.coordinator.forgetTopic(t);
      // From here on the log changes: until the next clean close, an open
      // is a recovery from a crash.
      if (cleanEnds) {
        await Deno.remove(join(dir, CLEAN_SHUTDOWN));
        syncDir(dir);
      }
    }
    await broker.transactions.recover();
    if (dir && broker.#flushInterval > 0) broker.#startFlusher();
    return broker;
  }

  /** Log end offsets from the clean-shutdown marker; undefined after a crash. */
  async #readCleanShutdown(
    dir: string,
  ): Promise<Map<string, number> | undefined> {
    const path = join(dir, CLEAN_SHUTDOWN);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) return undefined;
      throw new KafkaJSProtocolError(
        `Clean-shutdown marker is unreadable: ${path}`,
        {
          cause,
          type: "KAFKA_STORAGE_ERROR",
        },
      );
    }
    const ends = new Map<string, number>();
    try {
      const data = JSON.parse(text);
      for (const [k, v] of Object.entries(data.logEndOffsets ?? {})) {
        if (Number.isSafeInteger(v) && (v as number) >= 0) {
          ends.set(k, v as number);
        }
      }
    } catch {
      this.#onWarning(
        `Clean-shutdown marker is damaged, recovering as after a crash: ${path}`,
      );
      return undefined;
    }
    return ends;
  }

  #openLog(
    dir: string | undefined,
    config: TopicConfig,
    cleanShutdownEnd?: number,
  ): Promise<PartitionLog> {
    return PartitionLog.open({
      dir,
      config,
      clock: this.clock,
      flushIntervalMs: this.#flushInterval,
      cleanShutdownEnd,
      onWarning: this.#onWarning,
    });
  }

  async #loadTopics(
    dir: string,
    cleanEnds: Map<string, number> | undefined,
  ): Promise<void> {
    let meta: {
      topics: Record<
        string,
        { id?: string; partitions: number; config: Record<string, string> }
      >;
    } = {
      topics: {},
    };
    let listed = true;
    try {
      meta = JSON.parse(await Deno.readTextFile(join(dir, "topics.json")));
    } catch (cause) {
      if (!(cause instanceof Deno.errors.NotFound)) {
        throw new KafkaJSNonRetriableError(
          `Topic metadata is unreadable: ${join(dir, "topics.json")}`,
          {
            cause,
          },
        );
      }
      listed = false;
    }
    // Partition directories: with topics.json, those it does not list are
    // left over from deleted topics; without it, they are the topics.
    for await (const e of Deno.readDir(dir)) {
      const m = /^(.+)-(\d+)$/.exec(e.name);
      if (!e.isDirectory || !m || !isPartitionDir(join(dir, e.name))) continue;
      if (!listed) {
        const t = meta.topics[m[1]!] ??= { partitions: 0, config: {} };
        t.partitions = Math.max(t.partitions, Number(m[2]) + 1);
      } else if (!(Number(m[2]) < (meta.topics[m[1]!]?.partitions ?? 0))) {
        moveAside(join(dir, e.name));
      }
    }
    await removeDeleted(dir);
    let assigned = false;
    for (const [name, t] of Object.entries(meta.topics)) {
      const { config, overrides } = parseTopicConfig(
        Object.entries(t.config).map(([n, v]) => ({ name: n, value: v })),
      );
      // A log written before topic ids gets one, and keeps its data.
      const adopt = t.id === undefined;
      const topic: Topic = {
        name,
        id: t.id ?? newTopicId(),
        config,
        overrides,
        partitions: [],
      };
      assigned ||= adopt;
      for (let p = 0; p < t.partitions; p++) {
        const partName = `${name}-${p}`;
        // A partition the marker does not list was not closed cleanly.
        const cleanEnd = cleanEnds
          ? (cleanEnds.get(partName) ?? -1)
          : undefined;
        topic.partitions.push(
          await this.#openPartition(
            topic,
            p,
            adopt,
            cleanEnd === -1 ? undefined : cleanEnd,
          ),
        );
      }
      this.#topics.set(name, topic);
    }
    if (assigned) await this.#saveMeta();
  }

  /**
   * Opens partition `p` of `topic`. On disk, a directory holding another
   * topic id (data of a deleted topic of the same name) is moved aside and
   * removed, unless `adopt` (a log from before topic ids) takes it over.
   */
  async #openPartition(
    topic: Topic,
    p: number,
    adopt: boolean,
    cleanShutdownEnd?: number,
  ): Promise<PartitionLog> {
    const dir = this.logDir
      ? join(this.logDir, `${topic.name}-${p}`)
      : undefined;
    if (dir) {
      const onDisk = readTopicId(dir);
      const exists = isPartitionDir(dir);
      if (exists && onDisk !== topic.id && !(adopt && onDisk === undefined)) {
        const aside = moveAside(dir);
        this.#onWarning(
          `Partition directory ${dir} held topic id ${
            onDisk ?? "(none)"
          }, not ${topic.id} of topic ${topic.name}: removed`,
        );
        await Deno.remove(aside, { recursive: true }).catch(() => {});
        cleanShutdownEnd = undefined;
      }
      if (readTopicId(dir) !== topic.id) await writeTopicId(dir, topic.id);
    }
    return await this.#openLog(dir, topic.config, cleanShutdownEnd);
  }

  #startFlusher(): void {
    const abort = new AbortController();
    this.#flusher = abort;
    this.#flushLoop = (async () => {
      while (!abort.signal.aborted) {
        try {
          await this.clock.sleep(this.#flushInterval, abort.signal);
        } catch {
          return;
        }
        await this.flush().catch(() => {});
      }
    })();
  }

  /** Fsyncs every partition. */
  async flush(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const t of this.#topics.values()) {
      for (const p of t.partitions) all.push(p.flush());
    }
    await Promise.all(all);
  }

  #saveMeta(): Promise<void> {
    const dir = this.logDir;
    if (!dir) return Promise.resolve();
    const topics: Record<string, unknown> = {};
    for (const t of this.#topics.values()) {
      topics[t.name] = {
        id: t.id,
        partitions: t.partitions.length,
        config: t.overrides,
      };
    }
    const bytes = new TextEncoder().encode(JSON.stringify({ topics }, null, 2));
    this.#metaChain = this.#metaChain.catch(() => {}).then(() =>
      writeFileAtomic(join(dir, "topics.json"), bytes)
    );
    return this.#metaChain;
  }

  async #persistOffsets(
    groupId: string,
    offsets: Record<string, Record<string, CommittedOffset>>,
  ): Promise<void> {
    validateGroupId(groupId);
    if (!this.logDir) return;
    const file = join(
      this.logDir,
      "__consumer_offsets",
      await offsetsFileName(groupId),
    );
    try {
      await writeFileAtomic(
        file,
        new TextEncoder().encode(JSON.stringify({ groupId, offsets })),
      );
    } catch (cause) {
      throw new KafkaJSProtocolError(
        `Committed offsets of group ${
          JSON.stringify(groupId.slice(0, 100))
        } cannot be saved: ${file}`,
        { cause, type: "KAFKA_STORAGE_ERROR" },
      );
    }
  }

  #check(): void {
    if (this.#closed) {
      throw new KafkaJSNonRetriableError("Broker is closed: reconnect first");
    }
  }

  /** Creates a topic; false when it already exists. */
  async createTopic(
    name: string,
    numPartitions: number,
    configEntries: readonly ConfigEntry[] = [],
  ): Promise<boolean> {
    this.#check();
    validateTopicName(name);
    if (
      !Number.isInteger(numPartitions) || numPartitions < 1 ||
      numPartitions > 10_000
    ) {
      throw new KafkaJSProtocolError(
        `Number of partitions must be an integer from 1 to 10000: ${numPartitions}`,
        { type: "INVALID_PARTITIONS" },
      );
    }
    if (this.#topics.has(name)) return false;
    const { config, overrides } = parseTopicConfig(configEntries);
    const topic: Topic = {
      name,
      id: newTopicId(),
      config,
      overrides,
      partitions: [],
    };
    this.#topics.set(name, topic);
    for (let p = 0; p < numPartitions; p++) {
      topic.partitions.push(await this.#openPartition(topic, p, false));
    }
    await this.#saveMeta();
    return true;
  }

  /**
   * Grows a topic to `count` partitions (never shrinks, as in Kafka); groups
   * reading it rebalance.
   */
  /**
   * Replaces a topic's config overrides (Kafka's AlterConfigs): the log
   * settings change in place for every partition; `topics.json` is
   * rewritten.
   */
  async alterTopicConfig(
    name: string,
    entries: readonly ConfigEntry[],
  ): Promise<void> {
    this.#check();
    const t = this.topic(name);
    const { config, overrides } = parseTopicConfig(entries);
    Object.assign(t.config, config);
    t.overrides = overrides;
    await this.#saveMeta();
  }

  async addPartitions(name: string, count: number): Promise<void> {
    this.#check();
    const t = this.topic(name);
    if (
      !Number.isInteger(count) || count <= t.partitions.length || count > 10_000
    ) {
      throw new KafkaJSProtocolError(
        `Partition count must be an integer above the current ${t.partitions.length} and at most 10000: ${count}`,
        { type: "INVALID_PARTITIONS" },
      );
    }
    for (let p = t.partitions.length; p < count; p++) {
      t.partitions.push(await this.#openPartition(t, p, false));
    }
    await this.#saveMeta();
    this.coordinator.topicChanged(name);
  }

  /** Deletes a topic, its files and its committed offsets. */
  async deleteTopic(name: string): Promise<void> {
    this.#check();
    const t = this.topic(name);
    this.#topics.delete(name);
    // topics.json is the commit point; a crash after it leaves directories
    // that the next open removes (they are not listed, and their topic id
    // belongs to no topic), so the data never reappears.
    await this.#saveMeta();
    await this.coordinator.forgetTopic(name);
    const aside: string[] = [];
    for (let i = 0; i < t.partitions.length; i++) {
      const p = t.partitions[i]!;
      if (!this.logDir) {
        await p.delete();
        continue;
      }
      await p.close();
      try {
        aside.push(moveAside(join(this.logDir, `${name}-${i}`)));
      } catch (cause) {
        if (!(cause instanceof Deno.errors.NotFound)) {
          throw new KafkaJSProtocolError(
            `Partition directory cannot be removed: ${
              join(this.logDir, `${name}-${i}`)
            }`,
            { cause, type: "KAFKA_STORAGE_ERROR" },
          );
        }
      }
    }
    for (const dir of aside) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
    this.transactions.forgetTopic(name);
    this.coordinator.topicChanged(name);
    this.#wake();
  }

  /** Topic names, sorted. */
  topicNames(): string[] {
    return [...this.#topics.keys()].sort();
  }

  /** A topic's state; throws UNKNOWN_TOPIC_OR_PARTITION. */
  topic(name: string): Topic {
    const t = this.#topics.get(name);
    if (!t) {
      validateTopicName(name);
      throw new KafkaJSProtocolError(
        `Topic does not exist: ${JSON.stringify(name)}`,
        { type: "UNKNOWN_TOPIC_OR_PARTITION" },
      );
    }
    return t;
  }

  /** A topic's id (Kafka's base64 UUID); throws for an unknown topic. */
  topicId(name: string): string {
    return this.topic(name).id;
  }

  /** Whether a topic exists. */
  hasTopic(name: string): boolean {
    return this.#topics.has(name);
  }

  /** A partition's log; throws for an unknown topic or partition. */
  partition(topic: string, partition: number): PartitionLog {
    const t = this.topic(topic);
    const log = Number.isInteger(partition)
      ? t.partitions[partition]
      : undefined;
    if (!log) {
      throw new KafkaJSProtocolError(
        `Partition is out of range: ${topic} has ${t.partitions.length} partitions, got ${partition}`,
        { type: "UNKNOWN_TOPIC_OR_PARTITION" },
      );
    }
    return log;
  }

  /**
   * Appends batches to a partition; resolves with the base offset once the
   * bytes are durable under the flush policy.
   */
  async append(
    topic: string,
    partition: number,
    groups: readonly (readonly RecordInput[])[],
    compression = 0,
    producer?: AppendProducer,
  ): Promise<{ baseOffset: number; lastOffset: number }> {
    this.#check();
    const log = this.partition(topic, partition);
    if (this.topic(topic).config.cleanupPolicy.startsWith("compact")) {
      for (const g of groups) {
        for (const r of g) {
          if (r.key === null) {
            throw new KafkaJSProtocolError(
              `Compacted topic cannot accept a message without a key: ${topic}`,
              { type: "INVALID_RECORD" },
            );
          }
        }
      }
    }
    if (producer) {
      let count = 0;
      for (const g of groups) count += g.length;
      // A retry of a batch already written gets its offsets back.
      const duplicate = this.transactions.checkAppend(
        topic,
        partition,
        producer,
        count,
      );
      if (duplicate) return duplicate;
    }
    const { baseOffset, lastOffset, durable } = log.append(
      groups,
      compression,
      producer,
    );
    if (producer && lastOffset >= baseOffset) {
      this.transactions.recordAppend(
        topic,
        partition,
        producer,
        baseOffset,
        lastOffset,
      );
    }
    await durable;
    this.#wake();
    return { baseOffset, lastOffset };
  }

  /** Records from `offset` in a partition, up to about `maxBytes`. */
  fetch(
    topic: string,
    partition: number,
    offset: number,
    maxBytes: number,
  ): DecodedRecord[] {
    this.#check();
    const log = this.partition(topic, partition);
    return log.read(parseOffset(offset, "Fetch offset"), maxBytes);
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /** Resolves at the next append (or delete), or when `signal` aborts. */
  waitForData(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        this.#waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Runs retention and compaction on every partition. */
  async cleanup(): Promise<CleanupResult> {
    this.#check();
    const total: CleanupResult = { deletedSegments: 0, compactedRecords: 0 };
    for (const t of this.#topics.values()) {
      for (const p of t.partitions) {
        const r = await p.cleanup();
        total.deletedSegments += r.deletedSegments;
        total.compactedRecords += r.compactedRecords;
      }
    }
    return total;
  }

  // For the wire protocol (kafka/server/): producers' batches stored as
  // bytes, fetches answered with stored batches.

  /**
   * Appends v2 batches (CRC already checked) to a partition; resolves once
   * they are durable under the flush policy.
   */
  async appendBatches(
    topic: string,
    partition: number,
    batches: readonly Uint8Array[],
  ): Promise<{ baseOffset: number; lastOffset: number }> {
    this.#check();
    const log = this.partition(topic, partition);
    let baseOffset = -1;
    let lastOffset = -1;
    const durable: Promise<void>[] = [];
    for (const bytes of batches) {
      // An idempotent or transactional batch passes the sequence checks; a
      // retry of one already written gets its first offsets back.
      const h = readBatchHeader(bytes, 0)!;
      const producer: AppendProducer | undefined = h.producerId >= 0
        ? {
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence,
          transactional: (h.attributes & TRANSACTIONAL_FLAG) !== 0,
        }
        : undefined;
      const duplicate = producer &&
        this.transactions.checkAppend(
          topic,
          partition,
          producer,
          h.recordCount,
        );
      let written: { baseOffset: number; lastOffset: number } | undefined =
        duplicate;
      if (!written) {
        const w = log.appendBatches([bytes]);
        durable.push(w.durable);
        if (producer) {
          this.transactions.recordAppend(
            topic,
            partition,
            producer,
            w.baseOffset,
            w.lastOffset,
          );
        }
        written = w;
      }
      if (baseOffset < 0) baseOffset = written.baseOffset;
      lastOffset = written.lastOffset;
    }
    await Promise.all(durable);
    this.#wake();
    return { baseOffset, lastOffset };
  }

  /** Whether the broker was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops timers, fsyncs and closes every file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flusher?.abort();
    await this.#flushLoop;
    await this.transactions.close();
    await this.coordinator.close();
    this.#wake();
    await this.#metaChain.catch(() => {});
    try {
      const ends: Record<string, number> = {};
      for (const t of this.#topics.values()) {
        for (let i = 0; i < t.partitions.length; i++) {
          const p = t.partitions[i]!;
          await p.close();
          ends[`${t.name}-${i}`] = p.logEndOffset;
        }
      }
      if (this.logDir) {
        await writeFileAtomic(
          join(this.logDir, CLEAN_SHUTDOWN),
          JSON.stringify({ version: 0, logEndOffsets: ends }),
        );
      }
    } finally {
      this.#lock?.release();
    }
  }
}

const shared = new Map<string, { broker: Promise<Broker>; refs: number }>();
const closing = new Map<string, Promise<void>>();
const spellings = new Map<string, string>();

/**
 * Gets the process-wide broker of a log directory (opening it on first use)
 * and counts a reference; {@linkcode releaseBroker} closes it at zero.
 */
export function acquireBroker(
  options: BrokerOptions & { logDir: string },
): Promise<Broker> {
  // Every spelling of the directory (relative, through a symlink) shares
  // the one broker that owns it.
  const key = realLogDir(options.logDir);
  spellings.set(resolve(options.logDir), key);
  let entry = shared.get(key);
  if (!entry) {
    const prior = closing.get(key) ?? Promise.resolve();
    entry = { broker: prior.then(() => Broker.open(options)), refs: 0 };
    shared.set(key, entry);
    entry.broker.catch(() => shared.delete(key));
  }
  entry.refs++;
  return entry.broker;
}

/** Drops a reference taken by {@linkcode acquireBroker}. */
export async function releaseBroker(logDir: string): Promise<void> {
  const key = spellings.get(resolve(logDir)) ?? resolve(logDir);
  const entry = shared.get(key);
  if (!entry) return;
  entry.refs--;
  if (entry.refs > 0) return;
  shared.delete(key);
  const done = entry.broker.then((b) => b.close(), () => {});
  closing.set(key, done);
  try {
    await done;
  } finally {
    if (closing.get(key) === done) closing.delete(key);
  }
}
