/**
 * The client entry point, shaped like kafkajs's `Kafka` class.
 *
 * @module
 */

import { type Clock, systemClock } from "../internal/clock.ts";
import { Admin } from "./admin.ts";
import { acquireBroker, Broker, releaseBroker } from "./broker/_broker.ts";
import { Consumer, type ConsumerConfig } from "./consumer.ts";
import { KafkaJSNonRetriableError } from "./errors.ts";
import {
  createLogger,
  type logCreator,
  type Logger,
  type LogLevel,
} from "./loggers.ts";
import { Producer, type ProducerConfig } from "./producer.ts";

/**
 * Options for {@linkcode Kafka}.
 *
 * @example On disk, fsync on a timer
 * ```ts
 * import { Kafka, type KafkaOptions } from "./mod.ts";
 * const logDir = await Deno.makeTempDir();
 * const options: KafkaOptions = { clientId: "app", logDir, flushIntervalMs: 100 };
 * const admin = new Kafka(options).admin();
 * await admin.connect();
 * await admin.disconnect();
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export interface KafkaOptions {
  /**
   * Client id, the prefix of consumer member ids.
   * @default {"kafka-deno"}
   */
  clientId?: string;
  /**
   * Directory of the on-disk log. Without it the broker lives in memory for
   * the lifetime of this `Kafka` object.
   * @default {undefined}
   */
  logDir?: string;
  /**
   * Time source for timestamps, heartbeats, session timeouts and linger.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Background fsync interval in milliseconds. 0 fsyncs each batch before
   * `send` resolves (nothing acknowledged is lost on a crash); a positive
   * interval acknowledges after the write reaches the OS and fsyncs on a
   * timer, trading up to that window of data for throughput.
   * @default {0}
   */
  flushIntervalMs?: number;
  /**
   * Accepted for kafkajs compatibility and ignored: the broker is embedded.
   * @default {[]}
   */
  brokers?: string[];
  /**
   * Partitions of a topic created automatically (a send or subscribe to an
   * unknown topic) or with `numPartitions: -1`: the broker's
   * `num.partitions`.
   * @default {1}
   */
  numPartitions?: number;
  /**
   * Level of the client's log (kafkajs's `logLevel`); the
   * `KAFKAJS_LOG_LEVEL` environment variable wins when readable.
   * @default {logLevel.INFO}
   */
  logLevel?: LogLevel;
  /**
   * Writer of log entries (kafkajs's `logCreator`); the default prints one
   * JSON line per entry on the console.
   * @default {consoleLogCreator}
   */
  logCreator?: logCreator;
}

/** Shared by a client object: gets and releases the broker. */
export class Connection {
  readonly clientId: string;
  readonly clock: Clock;
  /** Partitions of an automatically created topic. */
  readonly numPartitions: number;
  /** The root logger; clients take namespaces of it. */
  readonly logger: Logger;
  #options: KafkaOptions;
  #memory: Promise<Broker> | undefined;

  /** Makes a connection factory for `options`. */
  constructor(options: KafkaOptions) {
    this.#options = options;
    this.clientId = options.clientId ?? "kafka-deno";
    this.clock = options.clock ?? systemClock;
    this.numPartitions = options.numPartitions ?? 1;
    this.logger = createLogger({
      level: options.logLevel,
      creator: options.logCreator,
      now: () => this.clock.now(),
    });
    if (
      !Number.isInteger(this.numPartitions) || this.numPartitions < 1 ||
      this.numPartitions > 10_000
    ) {
      throw new KafkaJSNonRetriableError(
        `Kafka numPartitions must be an integer from 1 to 10000: ${
          JSON.stringify(options.numPartitions)
        }`,
      );
    }
  }

  /** Opens (or shares) the broker. */
  acquire(): Promise<Broker> {
    const { logDir, flushIntervalMs } = this.#options;
    if (logDir !== undefined) {
      return acquireBroker({
        logDir,
        clock: this.clock,
        flushIntervalMs,
        onWarning: (message) => this.logger.namespace("Broker").warn(message),
      });
    }
    return this.#memory ??= Broker.open({ clock: this.clock });
  }

  /** Releases a broker taken with {@linkcode acquire}. */
  async release(): Promise<void> {
    if (this.#options.logDir !== undefined) {
      await releaseBroker(this.#options.logDir);
    }
  }
}

/**
 * A client of the embedded broker. Make producers, consumers and admins
 * from it; with `logDir` they share one on-disk broker per directory, which
 * closes when the last of them disconnects.
 *
 * @example Produce and consume
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * const kafka = new Kafka({ clientId: "app" });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "greetings", numPartitions: 2 }] });
 * const producer = kafka.producer();
 * await producer.connect();
 * const [meta] = await producer.send({ topic: "greetings", messages: [{ key: "k", value: "hello" }] });
 * assert.equal(meta!.baseOffset, "0");
 * assert.equal((await admin.fetchTopicOffsets("greetings")).length, 2);
 * await producer.disconnect();
 * await admin.disconnect();
 * ```
 */
export class Kafka {
  #connection: Connection;

  /** Makes a client; nothing is opened until a client connects. */
  constructor(options: KafkaOptions = {}) {
    this.#connection = new Connection(options);
  }

  /**
   * A producer.
   *
   * @example Send a message
   * ```ts
   * import assert from "node:assert/strict";
   * import { Kafka } from "./mod.ts";
   * const kafka = new Kafka({});
   * const admin = kafka.admin();
   * await admin.connect();
   * await admin.createTopics({ topics: [{ topic: "t" }] });
   * await admin.disconnect();
   * const producer = kafka.producer();
   * await producer.connect();
   * assert.equal((await producer.send({ topic: "t", messages: [{ value: "v" }] }))[0]!.baseOffset, "0");
   * await producer.disconnect();
   * ```
   */
  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.#connection, config);
  }

  /**
   * A consumer in group `config.groupId`.
   *
   * @example Make a consumer
   * ```ts
   * import { Kafka } from "./mod.ts";
   * const consumer = new Kafka({}).consumer({ groupId: "g" });
   * await consumer.connect();
   * await consumer.disconnect();
   * ```
   */
  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.#connection, config);
  }

  /**
   * An admin client.
   *
   * @example List topics
   * ```ts
   * import assert from "node:assert/strict";
   * import { Kafka } from "./mod.ts";
   * const admin = new Kafka({}).admin();
   * await admin.connect();
   * assert.deepEqual(await admin.listTopics(), []);
   * await admin.disconnect();
   * ```
   */
  admin(): Admin {
    return new Admin(this.#connection);
  }

  /**
   * The client's root logger, as kafkajs's `kafka.logger()`.
   *
   * @example Log through the configured creator
   * ```ts
   * import assert from "node:assert/strict";
   * import { Kafka, type LogEntry, logLevel } from "./mod.ts";
   * const entries: LogEntry[] = [];
   * const kafka = new Kafka({ logLevel: logLevel.WARN, logCreator: () => (e) => void entries.push(e) });
   * kafka.logger().info("not shown");
   * kafka.logger().error("shown", { code: 7 });
   * assert.deepEqual(entries.map((e) => [e.label, e.log.message, e.log.code]), [["ERROR", "shown", 7]]);
   * ```
   */
  logger(): Logger {
    return this.#connection.logger;
  }
}
