/**
 * kafkajs's error classes, with kafkajs's names, fields and `retriable`
 * values, so code written for kafkajs catches the same things here:
 *
 * ```
 * KafkaJSError (retriable unless said otherwise; also exported as KafkaError)
 *  ├─ KafkaJSNonRetriableError ── bad input, NumberOfRetriesExceeded, Timeout, …
 *  ├─ KafkaJSProtocolError ─────── a Kafka error: `type` and `code` (OffsetOutOfRange, …)
 *  ├─ KafkaJSConnectionError ───── a client used while disconnected
 *  └─ KafkaJSMetadataNotLoaded ─── TopicMetadataNotLoaded
 * ```
 *
 * Every error this module throws is one of these. A protocol error takes
 * its `code` and `retriable` from Kafka's table (`protocol/_error_codes.ts`),
 * so a wire server can answer with `error.code`.
 *
 * @module
 */

import { errorCodeOfType } from "./protocol/_error_codes.ts";

/**
 * Options of the module's error constructors.
 *
 * @example An unknown topic, as a protocol error
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSProtocolError, type KafkaErrorOptions } from "./mod.ts";
 * const options: KafkaErrorOptions = { type: "UNKNOWN_TOPIC_OR_PARTITION" };
 * const e = new KafkaJSProtocolError('Topic does not exist: "x"', options);
 * assert.deepEqual([e.code, e.retriable], [3, true]);
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
   * `"REBALANCE_IN_PROGRESS"`, …); it also sets `code` and the default of
   * `retriable` from Kafka's table.
   * @default {undefined}
   */
  type?: string;
  /**
   * Whether retrying the operation may succeed.
   * @default {true, or the table's value for `type`}
   */
  retriable?: boolean;
}

/** A message, or a kafkajs-style `{ message, type?, code?, retriable? }`. */
type ErrorInput = string | {
  message: string;
  type?: string;
  code?: number;
  retriable?: boolean;
  helpUrl?: string;
  stack?: string;
};

function messageOf(e: ErrorInput): string {
  return typeof e === "string" ? e : e.message;
}

/**
 * kafkajs's base error, and the module's error class (also exported as
 * `KafkaError`). `retriable` says whether trying again may succeed (true by
 * default, as in kafkajs); `type` and `code` name the Kafka error when one
 * applies.
 *
 * @example Catch any error of the module
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, KafkaJSError } from "./mod.ts";
 * const producer = new Kafka({}).producer();
 * await assert.rejects(
 *   producer.send({ topic: "t", messages: [{ value: "x" }] }),
 *   (e) => e instanceof KafkaJSError && e.retriable,
 * );
 * ```
 */
export class KafkaJSError extends Error {
  /** Whether retrying may succeed. */
  readonly retriable: boolean;
  /** A page explaining the error, when kafkajs has one. */
  helpUrl: string | undefined;
  /** Kafka's error name, when one applies. */
  readonly type: string | undefined;
  /** Kafka's error code, when one applies. */
  readonly code: number | undefined;

  /** Makes an error from a message (or a kafkajs error description). */
  constructor(e: ErrorInput, options: KafkaErrorOptions = {}) {
    super(messageOf(e), { cause: options.cause });
    this.name = "KafkaJSError";
    const type = options.type ?? (typeof e === "string" ? undefined : e.type);
    const row = type === undefined ? undefined : errorCodeOfType(type);
    this.type = type;
    this.code = typeof e === "string" ? row?.code : e.code ?? row?.code;
    this.retriable = options.retriable ??
      (typeof e === "string" ? undefined : e.retriable) ?? row?.retriable ??
      true;
    this.helpUrl = typeof e === "string" ? undefined : e.helpUrl;
  }
}

/**
 * The module's name for {@linkcode KafkaJSError}: every error it throws is
 * an instance.
 *
 * @example Catch an unknown topic
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, KafkaError } from "./mod.ts";
 * const producer = new Kafka({}).producer({ allowAutoTopicCreation: false });
 * await producer.connect();
 * await assert.rejects(
 *   producer.send({ topic: "missing", messages: [{ value: "x" }] }),
 *   (e) => e instanceof KafkaError && e.type === "UNKNOWN_TOPIC_OR_PARTITION",
 * );
 * await producer.disconnect();
 * ```
 */
export const KafkaError: typeof KafkaJSError = KafkaJSError;
/** The type of {@linkcode KafkaError}: a {@linkcode KafkaJSError}. */
export type KafkaError = KafkaJSError;

/**
 * An error that retrying cannot fix: bad input, a wrong state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSNonRetriableError } from "./mod.ts";
 * assert.equal(new KafkaJSNonRetriableError("Bad input: 1").retriable, false);
 * ```
 */
export class KafkaJSNonRetriableError extends KafkaJSError {
  /** Makes a non-retriable error. */
  constructor(e: ErrorInput, options: { cause?: unknown; type?: string } = {}) {
    super(e, { ...options, retriable: false });
    this.name = "KafkaJSNonRetriableError";
  }
}

/**
 * A Kafka protocol error: `type` is Kafka's name, `code` its wire code and
 * `retriable` kafkajs's flag for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSProtocolError } from "./mod.ts";
 * const e = new KafkaJSProtocolError("Group is rebalancing: g", { type: "REBALANCE_IN_PROGRESS" });
 * assert.deepEqual([e.name, e.code, e.retriable], ["KafkaJSProtocolError", 27, false]);
 * ```
 */
export class KafkaJSProtocolError extends KafkaJSError {
  /** Kafka's error name (`"UNKNOWN"` when none was given). */
  declare readonly type: string;
  /** Kafka's error code (-1 when none was given). */
  declare readonly code: number;

  /** Makes a protocol error of Kafka type `options.type`. */
  constructor(e: ErrorInput, options: KafkaErrorOptions = {}) {
    super(e, options);
    this.name = "KafkaJSProtocolError";
    (this as { type: string }).type ??= "UNKNOWN";
    (this as { code: number }).code ??= -1;
  }
}

/**
 * OFFSET_OUT_OF_RANGE for a partition, with its `topic` and `partition`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSOffsetOutOfRange } from "./mod.ts";
 * const e = new KafkaJSOffsetOutOfRange("Offset is out of range: 9", { topic: "t", partition: 0 });
 * assert.deepEqual([e.type, e.code, e.topic], ["OFFSET_OUT_OF_RANGE", 1, "t"]);
 * ```
 */
export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number;

  /** Makes the error for `topic`/`partition`. */
  constructor(
    e: ErrorInput,
    { topic, partition, cause }: {
      topic: string;
      partition: number;
      cause?: unknown;
    },
  ) {
    super(e, { type: "OFFSET_OUT_OF_RANGE", cause });
    this.topic = topic;
    this.partition = partition;
    this.name = "KafkaJSOffsetOutOfRange";
  }
}

/**
 * MEMBER_ID_REQUIRED, with the `memberId` the broker assigned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSMemberIdRequired } from "./mod.ts";
 * assert.equal(new KafkaJSMemberIdRequired("Rejoin with id: m-1", { memberId: "m-1" }).code, 79);
 * ```
 */
export class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  /** The member id to rejoin with. */
  readonly memberId: string;

  /** Makes the error. */
  constructor(e: ErrorInput, { memberId }: { memberId: string }) {
    super(e, { type: "MEMBER_ID_REQUIRED" });
    this.memberId = memberId;
    this.name = "KafkaJSMemberIdRequired";
  }
}

/**
 * An operation failed after all its retries: `cause` is the last error,
 * `retryCount` and `retryTime` where the retries stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSNumberOfRetriesExceeded } from "./mod.ts";
 * const cause = new Error("Handler failed: boom");
 * const e = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 9600 });
 * assert.deepEqual([e.message, e.cause === cause, e.retriable], ["Handler failed: boom", true, false]);
 * ```
 */
export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  /** Retries made. */
  readonly retryCount: number;
  /** The last wait in milliseconds. */
  readonly retryTime: number;

  /** Wraps the last error `e`. */
  constructor(
    e: Error,
    { retryCount, retryTime }: { retryCount: number; retryTime: number },
  ) {
    super(e, { cause: e });
    this.retryCount = retryCount;
    this.retryTime = retryTime;
    this.name = "KafkaJSNumberOfRetriesExceeded";
    this.stack = `${this.name}\n  Caused by: ${e.stack}`;
  }
}

/**
 * A connection failed, or a client was used while disconnected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, KafkaJSConnectionError } from "./mod.ts";
 * const producer = new Kafka({}).producer();
 * await assert.rejects(producer.send({ topic: "t", messages: [] }), KafkaJSConnectionError);
 * ```
 */
export class KafkaJSConnectionError extends KafkaJSError {
  /** The broker, `host:port`, when known. */
  readonly broker: string | undefined;

  /** Makes the error. */
  constructor(
    e: ErrorInput,
    options: { broker?: string; code?: string; cause?: unknown } = {},
  ) {
    super(e, { cause: options.cause });
    this.broker = options.broker;
    if (options.code !== undefined) {
      (this as { code: unknown }).code = options.code;
    }
    this.name = "KafkaJSConnectionError";
  }
}

/**
 * The broker closed the connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSConnectionClosedError } from "./mod.ts";
 * const e = new KafkaJSConnectionClosedError("Closed connection", { host: "127.0.0.1", port: 9092 });
 * assert.equal(e.broker, "127.0.0.1:9092");
 * ```
 */
export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  /** Host. */
  readonly host: string | undefined;
  /** Port. */
  readonly port: number | undefined;

  /** Makes the error. */
  constructor(
    e: ErrorInput,
    { host, port }: { host?: string; port?: number } = {},
  ) {
    super(e, { broker: `${host}:${port}` });
    this.host = host;
    this.port = port;
    this.name = "KafkaJSConnectionClosedError";
  }
}

/**
 * A request got no answer in time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSRequestTimeoutError } from "./mod.ts";
 * assert.equal(new KafkaJSRequestTimeoutError("Request timed out").retriable, true);
 * ```
 */
export class KafkaJSRequestTimeoutError extends KafkaJSError {
  /** Details kafkajs attaches (broker, correlationId, createdAt, …). */
  readonly details: Record<string, unknown>;

  /** Makes the error. */
  constructor(e: ErrorInput, details: Record<string, unknown> = {}) {
    super(e);
    this.details = details;
    Object.assign(this, details);
    this.name = "KafkaJSRequestTimeoutError";
  }
}

/**
 * Metadata was needed before it was loaded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSMetadataNotLoaded } from "./mod.ts";
 * assert.equal(new KafkaJSMetadataNotLoaded("Metadata not loaded").name, "KafkaJSMetadataNotLoaded");
 * ```
 */
export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: KafkaErrorOptions = {}) {
    super(e, options);
    this.name = "KafkaJSMetadataNotLoaded";
  }
}

/**
 * A topic's metadata is not known (yet).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSTopicMetadataNotLoaded } from "./mod.ts";
 * assert.equal(new KafkaJSTopicMetadataNotLoaded("No metadata: t", { topic: "t" }).topic, "t");
 * ```
 */
export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  /** Topic. */
  readonly topic: string | undefined;

  /** Makes the error. */
  constructor(e: ErrorInput, { topic }: { topic?: string } = {}) {
    super(e);
    this.topic = topic;
    this.name = "KafkaJSTopicMetadataNotLoaded";
  }
}

/**
 * An assignment named partitions the topic does not have (yet).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSStaleTopicMetadataAssignment } from "./mod.ts";
 * const e = new KafkaJSStaleTopicMetadataAssignment("Topic has been updated", { topic: "t", unknownPartitions: [3] });
 * assert.deepEqual(e.unknownPartitions, [3]);
 * ```
 */
export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  /** Topic. */
  readonly topic: string | undefined;
  /** Partitions missing from the metadata. */
  readonly unknownPartitions: number[] | undefined;

  /** Makes the error. */
  constructor(
    e: ErrorInput,
    { topic, unknownPartitions }: {
      topic?: string;
      unknownPartitions?: number[];
    } = {},
  ) {
    super(e);
    this.topic = topic;
    this.unknownPartitions = unknownPartitions;
    this.name = "KafkaJSStaleTopicMetadataAssignment";
  }
}

/**
 * Some groups could not be deleted: `groups` lists each with its error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSDeleteGroupsError } from "./mod.ts";
 * assert.deepEqual(new KafkaJSDeleteGroupsError("Error in DeleteGroups", []).groups, []);
 * ```
 */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  /** Each failed group: `{ groupId, errorCode, error }`. */
  readonly groups: {
    groupId: string;
    errorCode: number;
    error: KafkaJSError;
  }[];

  /** Makes the error. */
  constructor(
    e: ErrorInput,
    groups: { groupId: string; errorCode: number; error: KafkaJSError }[] = [],
  ) {
    super(e);
    this.groups = groups;
    this.name = "KafkaJSDeleteGroupsError";
  }
}

/**
 * The server lacks an API the client needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSServerDoesNotSupportApiKey } from "./mod.ts";
 * assert.equal(new KafkaJSServerDoesNotSupportApiKey("No API: 99", { apiKey: 99 }).apiKey, 99);
 * ```
 */
export class KafkaJSServerDoesNotSupportApiKey
  extends KafkaJSNonRetriableError {
  /** The API key. */
  readonly apiKey: number | undefined;
  /** The API name. */
  readonly apiName: string | undefined;

  /** Makes the error. */
  constructor(
    e: ErrorInput,
    { apiKey, apiName }: { apiKey?: number; apiName?: string } = {},
  ) {
    super(e);
    this.apiKey = apiKey;
    this.apiName = apiName;
    this.name = "KafkaJSServerDoesNotSupportApiKey";
  }
}

/**
 * No broker with the id asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSBrokerNotFound } from "./mod.ts";
 * assert.equal(new KafkaJSBrokerNotFound("Broker 7 not found").name, "KafkaJSBrokerNotFound");
 * ```
 */
export class KafkaJSBrokerNotFound extends KafkaJSError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSBrokerNotFound";
  }
}

/**
 * A message was cut short.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSPartialMessageError } from "./mod.ts";
 * assert.equal(new KafkaJSPartialMessageError("Partial message").retriable, false);
 * ```
 */
export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSPartialMessageError";
  }
}

/**
 * SASL authentication failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSSASLAuthenticationError } from "./mod.ts";
 * assert.equal(new KafkaJSSASLAuthenticationError("SASL failed").retriable, false);
 * ```
 */
export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSSASLAuthenticationError";
  }
}

/**
 * No coordinator for the group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSGroupCoordinatorNotFound } from "./mod.ts";
 * assert.equal(new KafkaJSGroupCoordinatorNotFound("No coordinator").retriable, false);
 * ```
 */
export class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSGroupCoordinatorNotFound";
  }
}

/**
 * A feature that is not implemented (an unsupported compression codec
 * without a registered codec, for one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSNotImplemented } from "./mod.ts";
 * assert.equal(new KafkaJSNotImplemented("Snappy compression not implemented").retriable, false);
 * ```
 */
export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSNotImplemented";
  }
}

/**
 * An operation took longer than allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSTimeout } from "./mod.ts";
 * assert.equal(new KafkaJSTimeout("Timed out").retriable, false);
 * ```
 */
export class KafkaJSTimeout extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSTimeout";
  }
}

/**
 * A lock was not acquired in time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSLockTimeout, KafkaJSTimeout } from "./mod.ts";
 * assert.ok(new KafkaJSLockTimeout("Lock timeout") instanceof KafkaJSTimeout);
 * ```
 */
export class KafkaJSLockTimeout extends KafkaJSTimeout {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSLockTimeout";
  }
}

/**
 * A message set with a magic byte the client cannot read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSUnsupportedMagicByteInMessageSet } from "./mod.ts";
 * assert.equal(new KafkaJSUnsupportedMagicByteInMessageSet("Magic byte 3").retriable, false);
 * ```
 */
export class KafkaJSUnsupportedMagicByteInMessageSet
  extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSUnsupportedMagicByteInMessageSet";
  }
}

/**
 * A varint that does not decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSInvalidVarIntError } from "./mod.ts";
 * assert.equal(new KafkaJSInvalidVarIntError("Bad varint").retriable, false);
 * ```
 */
export class KafkaJSInvalidVarIntError extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSInvalidVarIntError";
  }
}

/**
 * A 64-bit integer that does not decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSInvalidLongError } from "./mod.ts";
 * assert.equal(new KafkaJSInvalidLongError("Bad long").retriable, false);
 * ```
 */
export class KafkaJSInvalidLongError extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput, options: { cause?: unknown } = {}) {
    super(e, options);
    this.name = "KafkaJSInvalidLongError";
  }
}

/**
 * Deleting records failed for some partitions; retriable when every
 * partition's error is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSDeleteTopicRecordsError, KafkaJSProtocolError } from "./mod.ts";
 * const error = new KafkaJSProtocolError("Offset out of range: 99", { type: "OFFSET_OUT_OF_RANGE" });
 * const e = new KafkaJSDeleteTopicRecordsError({ partitions: [{ partition: 0, offset: "99", error }] });
 * assert.equal(e.retriable, false);
 * ```
 */
export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  /** The partitions asked for, each with its error when it failed. */
  readonly partitions: {
    partition: number;
    offset: string;
    error?: KafkaJSError;
  }[];

  /** Makes the error from the partitions' outcomes. */
  constructor(
    { partitions }: {
      partitions: { partition: number; offset: string; error?: KafkaJSError }[];
    },
  ) {
    super("Error while deleting records", {
      retriable: partitions.filter((p) => p.error != null).every((p) =>
        p.error!.retriable === true
      ),
    });
    this.name = "KafkaJSDeleteTopicRecordsError";
    this.partitions = partitions;
  }
}

/**
 * An internal invariant broke: a bug in this module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSInvariantViolation } from "./mod.ts";
 * assert.match(new KafkaJSInvariantViolation("offsets went backwards").message, /^Invariant violated/);
 * ```
 */
export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  /** Makes the error. */
  constructor(e: ErrorInput) {
    super(
      `Invariant violated: ${
        messageOf(e)
      }. This is likely a bug and should be reported.`,
    );
    this.name = "KafkaJSInvariantViolation";
  }
}

/**
 * A topic could not be created.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSCreateTopicError } from "./mod.ts";
 * const e = new KafkaJSCreateTopicError({ message: "Bad config", type: "INVALID_CONFIG" }, "t");
 * assert.deepEqual([e.topic, e.code], ["t", 40]);
 * ```
 */
export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  /** Topic. */
  readonly topic: string;

  /** Makes the error. */
  constructor(e: ErrorInput, topicName: string) {
    super(e);
    this.topic = topicName;
    this.name = "KafkaJSCreateTopicError";
  }
}

/**
 * A partition reassignment failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSAlterPartitionReassignmentsError } from "./mod.ts";
 * const e = new KafkaJSAlterPartitionReassignmentsError({ message: "No", type: "INVALID_REPLICA_ASSIGNMENT" }, "t", 0);
 * assert.equal(e.partition, 0);
 * ```
 */
export class KafkaJSAlterPartitionReassignmentsError
  extends KafkaJSProtocolError {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number | undefined;

  /** Makes the error. */
  constructor(e: ErrorInput, topicName: string, partition?: number) {
    super(e);
    this.topic = topicName;
    this.partition = partition;
    this.name = "KafkaJSAlterPartitionReassignmentsError";
  }
}

/**
 * Several errors at once (not a KafkaJSError, as in kafkajs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSAggregateError } from "./mod.ts";
 * assert.equal(new KafkaJSAggregateError("Two failed", [new Error("a"), new Error("b")]).errors.length, 2);
 * ```
 */
export class KafkaJSAggregateError extends Error {
  /** The errors. */
  readonly errors: unknown[];

  /** Makes the error. */
  constructor(message: string, errors: unknown[]) {
    super(message);
    this.errors = errors;
    this.name = "KafkaJSAggregateError";
  }
}

/**
 * A fetch was cut short by a rebalance (not a KafkaJSError, as in kafkajs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSFetcherRebalanceError } from "./mod.ts";
 * assert.ok(new KafkaJSFetcherRebalanceError() instanceof Error);
 * ```
 */
export class KafkaJSFetcherRebalanceError extends Error {}

/**
 * No broker could be reached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaJSNoBrokerAvailableError } from "./mod.ts";
 * assert.equal(new KafkaJSNoBrokerAvailableError().message, "No broker available");
 * ```
 */
export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  /** Makes the error. */
  constructor() {
    super("No broker available");
    this.name = "KafkaJSNoBrokerAvailableError";
  }
}
