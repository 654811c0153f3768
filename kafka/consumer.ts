/**
 * The consumer: joins its group through the broker's coordinator, fetches
 * from the partitions it is assigned at its positions, calls `eachMessage`
 * or `eachBatch`, and commits the next offset to read (automatically by
 * batch, interval or threshold, or by `commitOffsets`). Heartbeats are sent
 * from the fetch loop, as in kafkajs, so a consumer stuck in its handler
 * stops heartbeating and is removed after `sessionTimeout`; its uncommitted
 * records then go to the next owner (at-least-once).
 *
 * ```
 * join ─▶ assignment ─▶ positions (committed | earliest | latest)
 *   ▲                      │
 *   │ rebalance            ▼
 *   └──── heartbeat ◀── fetch ─▶ eachMessage/eachBatch ─▶ resolve ─▶ commit
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  type Assignment,
  type PartitionAssigner,
  roundRobin,
} from "./assignors.ts";
import type { Broker } from "./broker/_broker.ts";
import type { GroupDescription } from "./broker/_group_coordinator.ts";
import {
  KafkaError,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
} from "./errors.ts";
import type { Connection } from "./kafka.ts";
import { NO_HEADERS, type RecordHeaders } from "./protocol/record_batch.ts";

/**
 * Options for {@linkcode Consumer}, as in kafkajs.
 *
 * @example A group with a short session
 * ```ts
 * import { Kafka, type ConsumerConfig } from "./mod.ts";
 * const config: ConsumerConfig = { groupId: "g", sessionTimeout: 10_000, heartbeatInterval: 1_000 };
 * console.log(typeof new Kafka({}).consumer(config).run); // function
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
   * Milliseconds between heartbeats.
   * @default {3000}
   */
  heartbeatInterval?: number;
  /**
   * Assignors in order of preference (objects or kafkajs-style factories).
   * @default {[PartitionAssigners.roundRobin]}
   */
  partitionAssigners?: (PartitionAssigner | (() => PartitionAssigner))[];
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
   * Handler retries before the consumer crashes.
   * @default {{ retries: 5, initialRetryTime: 300, maxRetryTime: 30000 }}
   */
  retry?: {
    retries?: number;
    initialRetryTime?: number;
    maxRetryTime?: number;
  };
}

/**
 * A consumed message, as in kafkajs (keys and values are Buffers).
 *
 * @example Decode a JSON value
 * ```ts
 * import type { KafkaMessage } from "./mod.ts";
 * function parse(message: KafkaMessage): unknown {
 *   return message.value === null ? null : JSON.parse(message.value.toString());
 * }
 * console.log(typeof parse); // function
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
 * @example Print a message
 * ```ts
 * import type { EachMessagePayload } from "./mod.ts";
 * function show({ topic, partition, message }: EachMessagePayload): string {
 *   return `${topic}[${partition}]@${message.offset}: ${message.value?.toString()}`;
 * }
 * console.log(typeof show); // function
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
 * A fetched batch of one partition.
 *
 * @example Offsets of a batch
 * ```ts
 * import type { Batch } from "./mod.ts";
 * function describe(batch: Batch): string {
 *   return `${batch.topic}/${batch.partition} ${batch.firstOffset()}..${batch.lastOffset()}`;
 * }
 * console.log(typeof describe); // function
 * ```
 */
export interface Batch {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** High watermark when fetched. */
  highWatermark: string;
  /** Messages in offset order. */
  messages: KafkaMessage[];
  /** Whether there are no messages. */
  isEmpty(): boolean;
  /** Offset of the first message. */
  firstOffset(): string | null;
  /** Offset of the last message. */
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
 * import type { EachBatchPayload } from "./mod.ts";
 * async function handle({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload) {
 *   for (const m of batch.messages) {
 *     if (isStale()) break;
 *     resolveOffset(m.offset);
 *     await heartbeat();
 *   }
 * }
 * console.log(typeof handle); // function
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
  /** Commits resolved offsets if the auto-commit policy says so. */
  commitOffsetsIfNecessary(): Promise<void>;
  /** Resolved offsets not yet committed. */
  uncommittedOffsets(): {
    topics: {
      topic: string;
      partitions: { partition: string; offset: string }[];
    }[];
  };
  /** Whether the consumer is still running. */
  isRunning(): boolean;
  /** Whether this batch is stale (rebalance, seek, stop). */
  isStale(): boolean;
}

/**
 * Options for {@linkcode Consumer.run}.
 *
 * @example Commit every 100 messages
 * ```ts
 * import type { ConsumerRunConfig } from "./mod.ts";
 * const run: ConsumerRunConfig = {
 *   autoCommitThreshold: 100,
 *   eachMessage: async ({ message }) => void message.offset,
 * };
 * console.log(run.autoCommit ?? true); // true
 * ```
 */
export interface ConsumerRunConfig {
  /** Called once per message. */
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  /** Called once per fetched batch. */
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  /**
   * Commit resolved offsets automatically.
   * @default {true}
   */
  autoCommit?: boolean;
  /**
   * Commit at most this often (ms); with no interval and no threshold,
   * after every batch.
   * @default {null}
   */
  autoCommitInterval?: number | null;
  /**
   * Commit once this many messages are resolved.
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
 * import type { TopicPartitionOffset } from "./mod.ts";
 * const next: TopicPartitionOffset = { topic: "t", partition: 0, offset: "42" };
 * console.log(next.offset); // "42"
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
 * Event names, as in kafkajs.
 *
 * @example Event names
 * ```ts
 * import { Kafka } from "./mod.ts";
 * console.log(new Kafka({}).consumer({ groupId: "g" }).events.CRASH); // "consumer.crash"
 * ```
 */
export interface ConsumerEvents {
  /** A generation started: payload `{ groupId, memberId, leaderId, isLeader, memberAssignment, groupProtocol, duration }`. */
  readonly GROUP_JOIN: "consumer.group_join";
  /** A heartbeat was sent. */
  readonly HEARTBEAT: "consumer.heartbeat";
  /** Offsets were committed: payload `{ groupId, memberId, topics }`. */
  readonly COMMIT_OFFSETS: "consumer.commit_offsets";
  /** A rebalance began: payload `{ groupId, memberId }`. */
  readonly REBALANCING: "consumer.rebalancing";
  /** The consumer gave up: payload `{ error, groupId }`. */
  readonly CRASH: "consumer.crash";
  /** The consumer stopped. */
  readonly STOP: "consumer.stop";
}

const EVENTS: ConsumerEvents = {
  GROUP_JOIN: "consumer.group_join",
  HEARTBEAT: "consumer.heartbeat",
  COMMIT_OFFSETS: "consumer.commit_offsets",
  REBALANCING: "consumer.rebalancing",
  CRASH: "consumer.crash",
  STOP: "consumer.stop",
};

/**
 * An event delivered to listeners.
 *
 * @example Log group joins
 * ```ts
 * import { type ConsumerEvent, Kafka } from "./mod.ts";
 * const consumer = new Kafka({}).consumer({ groupId: "g" });
 * const off = consumer.on(consumer.events.GROUP_JOIN, (e: ConsumerEvent) => console.log(e.payload.memberId));
 * off();
 * ```
 */
export interface ConsumerEvent {
  /** Event id (increasing). */
  id: number;
  /** Event name. */
  type: string;
  /** Epoch ms on the consumer's clock. */
  timestamp: number;
  /** Event details. */
  payload: Record<string, unknown>;
}

const tpKey = (t: string, p: number) => `${t}\u0000${p}`;

/**
 * Most bytes read from one partition per fetch round. Messages of a round
 * live until its handler returns; at 1 MiB (about 10,000 small messages, 3 MB
 * of objects) they outlive V8's young-generation collections and are copied
 * to the old generation, which costs more than the decoding itself.
 */
const FETCH_SLICE_BYTES = 256 * 1024;

const asBuffer = (u: Uint8Array): Uint8Array =>
  Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function toBuffer(u: Uint8Array | null): Buffer | null {
  if (u === null || u instanceof Buffer) return u;
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

let lastTimestamp = NaN;
let lastTimestampText = "";

/** Builds kafkajs messages straight from decoded fields (one object each). */
function makeMessage(
  offset: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  raw: RecordHeaders,
): KafkaMessage {
  // Each message gets its own headers object, as in kafkajs.
  let headers: KafkaMessage["headers"] = {};
  if (raw !== NO_HEADERS) {
    headers = raw as KafkaMessage["headers"];
    for (const k in raw) {
      const v = raw[k]!;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) v[i] = toBuffer(v[i]!);
      } else raw[k] = toBuffer(v);
    }
  }
  // Records of one batch usually share a timestamp: format it once.
  if (timestamp !== lastTimestamp) {
    lastTimestamp = timestamp;
    lastTimestampText = String(timestamp);
  }
  return {
    key: key === null || key instanceof Buffer ? key : toBuffer(key),
    value: value === null || value instanceof Buffer ? value : toBuffer(value),
    timestamp: lastTimestampText,
    offset: String(offset),
    headers,
    attributes: 0,
    size: (key?.length ?? 0) + (value?.length ?? 0),
  };
}

class Stale extends Error {}

/**
 * A group member reading topics of the embedded broker.
 *
 * @example Consume what was produced
 * ```ts
 * import { Kafka } from "./mod.ts";
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t" }] });
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
 * console.log(seen); // ["a", "b"]
 * await consumer.disconnect();
 * await producer.disconnect();
 * await admin.disconnect();
 * ```
 */
export class Consumer {
  /** Event names for {@linkcode Consumer.on}. */
  readonly events: ConsumerEvents = EVENTS;
  #conn: Connection;
  #groupId: string;
  #sessionTimeout: number;
  #rebalanceTimeout: number;
  #heartbeatInterval: number;
  #assigners: PartitionAssigner[];
  #maxBytesPerPartition: number;
  #maxBytes: number;
  #maxWait: number;
  #retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  #broker: Broker | undefined;
  #subs: { topic: string | RegExp; fromBeginning: boolean }[] = [];
  #memberId: string | undefined;
  #generationId = -1;
  #protocol = "";
  #assignment = new Map<string, number[]>();
  #positions = new Map<string, number>();
  #resolved = new Map<string, number>();
  #committedSent = new Map<string, number>();
  #pausedTopics = new Set<string>();
  #paused = new Set<string>();
  #pendingSeeks = new Map<string, number>();
  #seeked = new Set<string>();
  #rejoin = false;
  #running = false;
  #loop: Promise<void> | undefined;
  #wait: AbortController | undefined;
  #stopping = new AbortController();
  #lastHeartbeat = 0;
  #lastCommit = 0;
  #uncommittedCount = 0;
  #run: ConsumerRunConfig = {};
  #listeners = new Map<string, Set<(e: ConsumerEvent) => void>>();
  #eventId = 0;
  #rotate = 0;

  /** Use {@linkcode Kafka.consumer}. */
  constructor(conn: Connection, config: ConsumerConfig) {
    if (typeof config?.groupId !== "string" || config.groupId.length === 0) {
      throw new KafkaJSNonRetriableError(
        `Consumer groupId must be a non-empty string: ${
          JSON.stringify(config?.groupId)
        }`,
      );
    }
    this.#conn = conn;
    this.#groupId = config.groupId;
    this.#sessionTimeout = config.sessionTimeout ?? 30_000;
    this.#rebalanceTimeout = config.rebalanceTimeout ?? 60_000;
    this.#heartbeatInterval = config.heartbeatInterval ?? 3_000;
    this.#assigners = (config.partitionAssigners ?? [roundRobin]).map((a) =>
      typeof a === "function" ? a() : a
    );
    if (this.#assigners.length === 0) {
      throw new KafkaJSNonRetriableError(
        "Consumer needs at least one partition assigner: []",
      );
    }
    this.#maxBytesPerPartition = config.maxBytesPerPartition ?? 1 << 20;
    this.#maxBytes = config.maxBytes ?? 10 << 20;
    this.#maxWait = config.maxWaitTimeInMs ?? 5_000;
    this.#retry = {
      retries: config.retry?.retries ?? 5,
      initialRetryTime: config.retry?.initialRetryTime ?? 300,
      maxRetryTime: config.retry?.maxRetryTime ?? 30_000,
    };
  }

  /** Listens to an event; returns a function that removes the listener. */
  on(event: string, listener: (event: ConsumerEvent) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, set = new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit(type: string, payload: Record<string, unknown>): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    const e = {
      id: ++this.#eventId,
      type,
      timestamp: this.#conn.clock.now(),
      payload,
    };
    for (const l of set) l(e);
  }

  /** Opens the broker. */
  async connect(): Promise<void> {
    if (!this.#broker) this.#broker = await this.#conn.acquire();
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
   * Subscribes to topics (names or regular expressions). `fromBeginning`
   * decides where to start when the group has no committed offset.
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
    if (this.#running) {
      throw new KafkaJSNonRetriableError(
        "Cannot subscribe while the consumer is running: stop() first",
      );
    }
    const topics = options.topics ??
      (options.topic !== undefined ? [options.topic] : []);
    if (topics.length === 0) {
      throw new KafkaJSNonRetriableError(
        "Subscribe needs a topic or topics: none given",
      );
    }
    for (const t of topics) {
      if (typeof t === "string") b.topic(t);
      this.#subs.push({
        topic: t,
        fromBeginning: options.fromBeginning ?? false,
      });
    }
  }

  #subscribedTopics(): string[] {
    const names = this.#b().topicNames();
    const out = new Set<string>();
    for (const s of this.#subs) {
      if (typeof s.topic === "string") {
        if (names.includes(s.topic)) out.add(s.topic);
      } else {
        for (const n of names) if (s.topic.test(n)) out.add(n);
      }
    }
    return [...out].sort();
  }

  #fromBeginning(topic: string): boolean {
    for (const s of this.#subs) {
      if (
        typeof s.topic === "string" ? s.topic === topic : s.topic.test(topic)
      ) {
        return s.fromBeginning;
      }
    }
    return false;
  }

  /** Starts the fetch loop in the background; resolves once started. */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    await Promise.resolve();
    this.#b();
    if (this.#running) {
      throw new KafkaJSNonRetriableError(
        "Consumer is already running: stop() first",
      );
    }
    if (!config.eachMessage && !config.eachBatch) {
      throw new KafkaJSNonRetriableError(
        "Consumer run needs eachMessage or eachBatch: neither given",
      );
    }
    if (this.#subs.length === 0) {
      throw new KafkaJSNonRetriableError(
        "Consumer has no subscription: call subscribe() first",
      );
    }
    this.#run = config;
    this.#running = true;
    this.#stopping = new AbortController();
    this.#loop = this.#mainLoop();
  }

  #wake(): void {
    this.#wait?.abort();
  }

  async #mainLoop(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        if (this.#memberId === undefined || this.#rejoin) {
          await this.#join();
          continue;
        }
        this.#heartbeatIfDue();
        if (this.#rejoin || !this.#running) continue;
        const batches = this.#fetch();
        if (batches.length === 0) {
          await this.#idle();
          continue;
        }
        await this.#processAll(batches);
        await this.#commitIfNecessary();
        failures = 0;
      } catch (error) {
        if (!this.#running) break;
        if (error instanceof Stale) continue;
        if (error instanceof KafkaError && this.#isGroupError(error)) continue;
        failures++;
        if (failures > this.#retry.retries) {
          this.#emit(EVENTS.CRASH, { error, groupId: this.#groupId });
          this.#running = false;
          break;
        }
        const delay = Math.min(
          this.#retry.maxRetryTime,
          this.#retry.initialRetryTime * 2 ** (failures - 1),
        );
        await this.#sleep(delay);
      }
    }
    await this.#leave();
  }

  #isGroupError(error: KafkaError): boolean {
    switch (error.type) {
      case "REBALANCE_IN_PROGRESS":
        this.#rejoin = true;
        return true;
      case "UNKNOWN_MEMBER_ID":
      case "ILLEGAL_GENERATION":
        this.#fenced();
        return true;
    }
    return false;
  }

  /** Lost membership: forget positions and uncommitted work. */
  #fenced(): void {
    this.#memberId = undefined;
    this.#generationId = -1;
    this.#assignment.clear();
    this.#positions.clear();
    this.#resolved.clear();
    this.#rejoin = true;
  }

  async #sleep(ms: number): Promise<void> {
    const abort = new AbortController();
    this.#wait = abort;
    try {
      await this.#conn.clock.sleep(ms, abort.signal);
    } catch {
      // woken
    }
  }

  async #idle(): Promise<void> {
    const clock = this.#conn.clock;
    const untilHeartbeat = this.#heartbeatInterval -
      (clock.monotonic() - this.#lastHeartbeat);
    const wait = Math.max(0, Math.min(this.#maxWait, untilHeartbeat));
    const abort = new AbortController();
    this.#wait = abort;
    const sleep = clock.sleep(wait, abort.signal).catch(() => {});
    await Promise.race([sleep, this.#b().waitForData(abort.signal)]);
    abort.abort();
    await sleep;
  }

  async #join(): Promise<void> {
    const b = this.#b();
    const cooperative = this.#protocolIsCooperative();
    if (this.#memberId !== undefined) {
      this.#emit(EVENTS.REBALANCING, {
        groupId: this.#groupId,
        memberId: this.#memberId,
      });
      await this.#commitResolved().catch((e) => {
        if (!(e instanceof KafkaError && this.#isGroupError(e))) throw e;
      });
    }
    const owned: Assignment = {};
    if (cooperative && this.#memberId !== undefined) {
      for (const [t, ps] of this.#assignment) owned[t] = [...ps];
    }
    this.#rejoin = false;
    const started = this.#conn.clock.monotonic();
    let result;
    try {
      result = await b.coordinator.join({
        groupId: this.#groupId,
        memberId: this.#memberId,
        clientId: this.#conn.clientId,
        sessionTimeout: this.#sessionTimeout,
        rebalanceTimeout: this.#rebalanceTimeout,
        topics: this.#subscribedTopics(),
        assigners: this.#assigners,
        ownedPartitions: owned,
        signal: this.#stopping.signal,
        onRebalance: () => {
          this.#rejoin = true;
          this.#wake();
        },
      });
    } catch (e) {
      if (e instanceof KafkaError && e.type === "UNKNOWN_MEMBER_ID") {
        this.#fenced();
        return;
      }
      throw e;
    }
    if (!this.#running) {
      this.#memberId = result.memberId;
      return;
    }
    const previous = this.#assignment;
    this.#memberId = result.memberId;
    this.#generationId = result.generationId;
    this.#protocol = result.protocol;
    this.#assignment = new Map(
      Object.entries(result.assignment).map(([t, ps]) => [t, [...ps]]),
    );
    this.#lastHeartbeat = this.#conn.clock.monotonic();
    const keep = new Map<string, number>();
    let revoked = false;
    for (const [t, ps] of previous) {
      for (const p of ps) {
        const k = tpKey(t, p);
        if (this.#assignment.get(t)?.includes(p) && cooperative) {
          const pos = this.#positions.get(k);
          if (pos !== undefined) keep.set(k, pos);
        } else if (!this.#assignment.get(t)?.includes(p)) {
          revoked = true;
        }
      }
    }
    this.#positions = keep;
    for (const k of [...this.#resolved.keys()]) {
      if (!keep.has(k)) this.#resolved.delete(k);
    }
    for (const [t, ps] of this.#assignment) {
      const log = b.topic(t);
      for (const p of ps) {
        const k = tpKey(t, p);
        if (keep.has(k)) continue;
        const seek = this.#pendingSeeks.get(k);
        const committed = b.coordinator.committed(this.#groupId, t, p)?.offset;
        const partition = log.partitions[p]!;
        let pos = seek ?? committed ??
          (this.#fromBeginning(t)
            ? partition.logStartOffset
            : partition.logEndOffset);
        if (pos < partition.logStartOffset || pos > partition.logEndOffset) {
          pos = this.#fromBeginning(t)
            ? partition.logStartOffset
            : partition.logEndOffset;
        }
        this.#positions.set(k, pos);
        if (seek !== undefined) {
          this.#pendingSeeks.delete(k);
          this.#resolved.set(k, seek);
        }
        this.#committedSent.set(k, committed ?? -1);
      }
    }
    // Cooperative: a revoked partition needs a follow-up rebalance to move.
    if (cooperative && result.protocol === "cooperative-sticky" && revoked) {
      this.#rejoin = true;
    }
    this.#emit(EVENTS.GROUP_JOIN, {
      groupId: this.#groupId,
      memberId: result.memberId,
      leaderId: result.leaderId,
      isLeader: result.leaderId === result.memberId,
      memberAssignment: result.assignment,
      groupProtocol: result.protocol,
      duration: this.#conn.clock.monotonic() - started,
    });
  }

  #protocolIsCooperative(): boolean {
    const a = this.#assigners.find((x) => x.name === this.#protocol);
    return a?.rebalanceProtocol === "cooperative";
  }

  #heartbeatIfDue(
    force = false,
    now: number = this.#conn.clock.monotonic(),
  ): void {
    if (!force && now - this.#lastHeartbeat < this.#heartbeatInterval) return;
    if (this.#memberId === undefined) return;
    this.#lastHeartbeat = now;
    try {
      this.#b().coordinator.heartbeat(
        this.#groupId,
        this.#memberId,
        this.#generationId,
      );
      this.#emit(EVENTS.HEARTBEAT, {
        groupId: this.#groupId,
        memberId: this.#memberId,
      });
    } catch (e) {
      if (!(e instanceof KafkaError && this.#isGroupError(e))) throw e;
    }
  }

  #isPaused(topic: string, partition: number): boolean {
    return this.#pausedTopics.has(topic) ||
      this.#paused.has(tpKey(topic, partition));
  }

  #fetch(): {
    topic: string;
    partition: number;
    records: KafkaMessage[];
    high: number;
  }[] {
    const b = this.#b();
    const tps: [string, number][] = [];
    for (const [t, ps] of this.#assignment) {
      for (const p of ps) tps.push([t, p]);
    }
    const out: {
      topic: string;
      partition: number;
      records: KafkaMessage[];
      high: number;
    }[] = [];
    if (tps.length === 0) return out;
    const start = this.#rotate++ % tps.length;
    let bytes = 0;
    for (let i = 0; i < tps.length && bytes < this.#maxBytes; i++) {
      const [t, p] = tps[(start + i) % tps.length]!;
      if (this.#isPaused(t, p) || !b.hasTopic(t)) continue;
      const k = tpKey(t, p);
      const log = b.partition(t, p);
      let pos = this.#positions.get(k)!;
      if (pos < log.logStartOffset || pos > log.logEndOffset) {
        pos = this.#fromBeginning(t) ? log.logStartOffset : log.logEndOffset;
        this.#positions.set(k, pos);
      }
      let records: KafkaMessage[];
      try {
        records = log.read(
          pos,
          Math.min(this.#maxBytesPerPartition, FETCH_SLICE_BYTES),
          asBuffer,
          makeMessage,
        );
      } catch (error) {
        // Damage in one partition does not hold back what other partitions
        // already returned this round; it is met again on the next.
        if (out.length > 0) break;
        throw error;
      }
      if (records.length === 0) continue;
      for (const r of records) {
        bytes += r.size;
      }
      out.push({ topic: t, partition: p, records, high: log.logEndOffset });
    }
    return out;
  }

  async #processAll(
    batches: {
      topic: string;
      partition: number;
      records: KafkaMessage[];
      high: number;
    }[],
  ): Promise<void> {
    const concurrency = Math.max(
      1,
      this.#run.partitionsConsumedConcurrently ?? 1,
    );
    let next = 0;
    const worker = async () => {
      while (next < batches.length && this.#running && !this.#rejoin) {
        await this.#process(batches[next++]!);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, batches.length) }, worker),
    );
  }

  #stale(
    k: string,
    topic: string,
    partition: number,
    generation: number,
  ): boolean {
    return !this.#running || this.#rejoin ||
      this.#generationId !== generation ||
      this.#seeked.has(k) || this.#pausedTopics.has(topic) ||
      this.#paused.has(k) ||
      !this.#assignment.get(topic)?.includes(partition);
  }

  #resolve(k: string, next: number, generation: number): void {
    if (generation !== this.#generationId) return;
    const cur = this.#positions.get(k);
    if (cur === undefined || next < cur) return;
    this.#positions.set(k, next);
    this.#resolved.set(k, next);
    this.#uncommittedCount++;
  }

  async #process(
    fetched: {
      topic: string;
      partition: number;
      records: KafkaMessage[];
      high: number;
    },
  ): Promise<void> {
    const { topic, partition, records, high } = fetched;
    const k = tpKey(topic, partition);
    const generation = this.#generationId;
    this.#seeked.delete(k);
    const heartbeat = () => {
      this.#heartbeatIfDue();
      return Promise.resolve();
    };
    const pause = () => {
      this.pause([{ topic, partitions: [partition] }]);
      return () => this.resume([{ topic, partitions: [partition] }]);
    };
    const messages = records;
    if (this.#run.eachBatch) {
      const batch: Batch = {
        topic,
        partition,
        highWatermark: String(high),
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => messages[0]?.offset ?? null,
        lastOffset: () => messages.at(-1)?.offset ?? String(high - 1),
        offsetLag: () =>
          String(high - 1 - Number(messages.at(-1)?.offset ?? high - 1)),
        offsetLagLow: () =>
          String(high - 1 - Number(messages[0]?.offset ?? high - 1)),
      };
      await this.#run.eachBatch({
        batch,
        resolveOffset: (offset) =>
          this.#resolve(k, Number(offset) + 1, generation),
        heartbeat,
        pause,
        commitOffsetsIfNecessary: () => this.#commitIfNecessary(),
        uncommittedOffsets: () => this.#uncommitted(),
        isRunning: () => this.#running,
        isStale: () => this.#stale(k, topic, partition, generation),
      });
      if (
        (this.#run.eachBatchAutoResolve ?? true) && messages.length > 0 &&
        !this.#stale(k, topic, partition, generation)
      ) {
        this.#resolve(k, Number(messages.at(-1)!.offset) + 1, generation);
      }
      return;
    }
    const each = this.#run.eachMessage!;
    for (const message of messages) {
      if (this.#stale(k, topic, partition, generation)) return;
      await each({ topic, partition, message, heartbeat, pause });
      if (this.#generationId !== generation) throw new Stale();
      this.#resolve(k, Number(message.offset) + 1, generation);
      // One clock read serves both checks (it is an op call per message).
      let now = this.#conn.clock.monotonic();
      if (this.#autoCommitDue(now)) {
        await this.#commitResolved();
        now = this.#conn.clock.monotonic();
      }
      // As kafkajs does: a heartbeat, when due, after every message.
      this.#heartbeatIfDue(false, now);
    }
  }

  #autoCommitDue(now?: number): boolean {
    if (this.#run.autoCommit === false) return false;
    const interval = this.#run.autoCommitInterval ?? null;
    const threshold = this.#run.autoCommitThreshold ?? null;
    if (threshold !== null && this.#uncommittedCount >= threshold) return true;
    if (
      interval !== null &&
      (now ?? this.#conn.clock.monotonic()) - this.#lastCommit >= interval
    ) {
      return true;
    }
    return false;
  }

  async #commitIfNecessary(): Promise<void> {
    if (this.#run.autoCommit === false) return;
    const interval = this.#run.autoCommitInterval ?? null;
    const threshold = this.#run.autoCommitThreshold ?? null;
    if ((interval === null && threshold === null) || this.#autoCommitDue()) {
      await this.#commitResolved();
    }
  }

  #uncommitted(): {
    topics: {
      topic: string;
      partitions: { partition: string; offset: string }[];
    }[];
  } {
    const byTopic = new Map<string, { partition: string; offset: string }[]>();
    for (const [k, offset] of this.#resolved) {
      if (this.#committedSent.get(k) === offset) continue;
      const [topic, p] = k.split("\u0000") as [string, string];
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, list = []);
      list.push({ partition: p, offset: String(offset) });
    }
    return {
      topics: [...byTopic].map(([topic, partitions]) => ({
        topic,
        partitions,
      })),
    };
  }

  async #commitResolved(): Promise<void> {
    if (this.#memberId === undefined || this.#run.autoCommit === false) return;
    const offsets: { topic: string; partition: number; offset: number }[] = [];
    for (const [k, offset] of this.#resolved) {
      if (this.#committedSent.get(k) === offset) continue;
      const [topic, p] = k.split("\u0000") as [string, string];
      offsets.push({ topic, partition: Number(p), offset });
    }
    this.#lastCommit = this.#conn.clock.monotonic();
    this.#uncommittedCount = 0;
    if (offsets.length === 0) return;
    await this.#b().coordinator.commit(
      this.#groupId,
      { memberId: this.#memberId, generationId: this.#generationId },
      offsets,
    );
    for (const o of offsets) {
      this.#committedSent.set(tpKey(o.topic, o.partition), o.offset);
    }
    this.#emit(EVENTS.COMMIT_OFFSETS, {
      groupId: this.#groupId,
      memberId: this.#memberId,
      topics: offsets,
    });
  }

  /**
   * Commits offsets (the next offset to read) for this group. A running
   * member commits in its generation; otherwise the group must be empty.
   */
  async commitOffsets(
    offsets: (TopicPartitionOffset & { metadata?: string | null })[],
  ): Promise<void> {
    const b = this.#b();
    const list = offsets.map((o) => {
      b.partition(o.topic, o.partition);
      const offset = Number(o.offset);
      if (!Number.isInteger(offset) || offset < 0) {
        throw new KafkaJSNonRetriableError(
          `Offset must be a non-negative integer string: ${
            JSON.stringify(o.offset)
          }`,
        );
      }
      return {
        topic: o.topic,
        partition: o.partition,
        offset,
        metadata: o.metadata ?? null,
      };
    });
    const member = this.#memberId !== undefined
      ? { memberId: this.#memberId, generationId: this.#generationId }
      : undefined;
    await b.coordinator.commit(this.#groupId, member, list);
    for (const o of list) {
      const k = tpKey(o.topic, o.partition);
      this.#committedSent.set(k, o.offset);
      this.#resolved.set(k, o.offset);
    }
  }

  /**
   * Moves the position of a partition; the rest of a batch being processed
   * for it is skipped. Before assignment, applies once assigned.
   */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    const b = this.#b();
    const log = b.partition(topic, partition);
    const n = Number(offset);
    if (!Number.isInteger(n) || n < -2) {
      throw new KafkaJSNonRetriableError(
        `Offset must be an integer string: ${JSON.stringify(offset)}`,
      );
    }
    const target = n === -2
      ? log.logStartOffset
      : n === -1
      ? log.logEndOffset
      : n;
    const k = tpKey(topic, partition);
    if (this.#assignment.get(topic)?.includes(partition)) {
      this.#positions.set(k, target);
      this.#resolved.set(k, target);
      this.#seeked.add(k);
      this.#wake();
    } else {
      this.#pendingSeeks.set(k, target);
    }
  }

  /** Stops fetching from topics or some of their partitions. */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) this.#pausedTopics.add(topic);
      else for (const p of partitions) this.#paused.add(tpKey(topic, p));
    }
  }

  /** Resumes paused topics or partitions. */
  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) {
        this.#pausedTopics.delete(topic);
        for (const k of [...this.#paused]) {
          if (k.startsWith(`${topic}\u0000`)) this.#paused.delete(k);
        }
      } else for (const p of partitions) this.#paused.delete(tpKey(topic, p));
    }
    this.#wake();
  }

  /** Paused topic-partitions. */
  paused(): { topic: string; partitions: number[] }[] {
    const out = new Map<string, Set<number>>();
    for (const t of this.#pausedTopics) {
      out.set(t, new Set(this.#assignment.get(t) ?? []));
    }
    for (const k of this.#paused) {
      const [t, p] = k.split("\u0000") as [string, string];
      if (!out.has(t)) out.set(t, new Set());
      out.get(t)!.add(Number(p));
    }
    return [...out].map(([topic, ps]) => ({
      topic,
      partitions: [...ps].sort((a, b) => a - b),
    }));
  }

  /** Current assignment (topic → partitions). */
  assignment(): Assignment {
    return Object.fromEntries(
      [...this.#assignment].map(([t, ps]) => [t, [...ps]]),
    );
  }

  /**
   * Describes this consumer's group (state, protocol, members), as kafkajs's
   * `consumer.describeGroup()`.
   *
   * @example
   * ```ts
   * import { Kafka } from "./mod.ts";
   * const consumer = new Kafka({}).consumer({ groupId: "g" });
   * await consumer.connect();
   * console.log((await consumer.describeGroup()).state); // "Dead" (never joined)
   * await consumer.disconnect();
   * ```
   */
  async describeGroup(): Promise<GroupDescription> {
    return await Promise.resolve(this.#b().coordinator.describe(this.#groupId));
  }

  /** Member id in the group, once joined. */
  get memberId(): string | undefined {
    return this.#memberId;
  }

  async #leave(): Promise<void> {
    const b = this.#broker;
    if (this.#memberId !== undefined && b && !b.closed) {
      await this.#commitResolved().catch(() => {});
      b.coordinator.leave(this.#groupId, this.#memberId);
    }
    this.#memberId = undefined;
    this.#generationId = -1;
    this.#assignment.clear();
    this.#positions.clear();
    this.#resolved.clear();
  }

  /**
   * Stops the loop after the message in progress, commits resolved offsets
   * and leaves the group.
   */
  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.#running = false;
    this.#wake();
    this.#stopping.abort(); // gives up a join still waiting on other members
    await this.#loop;
    this.#loop = undefined;
    this.#emit(EVENTS.STOP, {});
  }

  /** Stops and releases the broker. */
  async disconnect(): Promise<void> {
    await this.stop();
    if (!this.#broker) return;
    this.#broker = undefined;
    await this.#conn.release();
  }
}
