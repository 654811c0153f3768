/**
 * The module's one error class.
 *
 * @module
 */

/**
 * Options for {@linkcode KafkaError}.
 *
 * @example Make an error with a Kafka type
 * ```ts
 * import { KafkaError, type KafkaErrorOptions } from "./mod.ts";
 * const options: KafkaErrorOptions = { type: "UNKNOWN_TOPIC_OR_PARTITION" };
 * console.log(new KafkaError("Topic does not exist: \"x\"", options).type);
 * ```
 */
export interface KafkaErrorOptions {
  /**
   * The underlying error, if any.
   * @default {undefined}
   */
  cause?: unknown;
  /**
   * Kafka's error name for the condition (`"UNKNOWN_TOPIC_OR_PARTITION"`,
   * `"REBALANCE_IN_PROGRESS"`, `"ILLEGAL_GENERATION"`, …), when there is one.
   * @default {undefined}
   */
  type?: string;
  /**
   * Whether retrying the operation may succeed.
   * @default {false}
   */
  retriable?: boolean;
}

/**
 * Every failure the kafka module reports: bad names, unknown topics,
 * partitions out of range, oversized messages, corrupt segments, stale group
 * generations. `type` carries Kafka's error name when one applies.
 *
 * @example Catch an unknown topic
 * ```ts
 * import { Kafka, KafkaError } from "./mod.ts";
 * const producer = new Kafka({}).producer();
 * await producer.connect();
 * try {
 *   await producer.send({ topic: "missing", messages: [{ value: "x" }] });
 * } catch (error) {
 *   console.log(error instanceof KafkaError, (error as KafkaError).type);
 * }
 * await producer.disconnect();
 * ```
 */
export class KafkaError extends Error {
  /** Kafka's error name, when one applies. */
  readonly type: string | undefined;
  /** Whether retrying may succeed. */
  readonly retriable: boolean;

  /** Makes an error with a message and optional cause and Kafka type. */
  constructor(message: string, options: KafkaErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "KafkaError";
    this.type = options.type;
    this.retriable = options.retriable ?? false;
  }
}
