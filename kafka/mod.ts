/**
 * Mini-Kafka: a durable commit log with topics, partitions, consumer groups
 * and stream windows, behind kafkajs's API over an embedded broker — in
 * memory without `logDir`, on disk with one.
 *
 * @example Produce, then consume as a group
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, logLevel } from "./mod.ts";
 * const kafka = new Kafka({ clientId: "demo", logLevel: logLevel.WARN });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "events", numPartitions: 2 }] });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "events", messages: [{ key: "a", value: "1" }, { key: "b", value: "2" }] });
 * const consumer = kafka.consumer({ groupId: "readers" });
 * await consumer.connect();
 * await consumer.subscribe({ topics: ["events"], fromBeginning: true });
 * let n = 0;
 * const done = Promise.withResolvers<void>();
 * await consumer.run({ eachMessage: async () => { if (++n === 2) done.resolve(); } });
 * await done.promise;
 * await consumer.disconnect();
 * await producer.disconnect();
 * await admin.disconnect();
 * assert.equal(n, 2);
 * ```
 *
 * ## How it works
 *
 * Each partition is a directory of segment files named by their first
 * offset. A send groups its messages per partition (murmur2 of the key),
 * encodes each group as one Kafka v2 record batch with a CRC-32C (records
 * optionally gzipped), appends it to the active segment and fsyncs before
 * acknowledging. One broker owns a log directory (an OS lock on
 * `<logDir>/.lock`, taken on its real path); a second opener is refused. A
 * clean close writes `.kafka_cleanshutdown` with every log end offset; on
 * open, the active segment is scanned batch by batch (CRC and contiguous
 * offsets), and only after a crash is a bad tail with no good batch after it
 * cut off, with a warning. Anything else that is damaged stays on disk: a
 * read returns the good batches before it, and one that starts there throws
 * CORRUPT_MESSAGE naming the file, byte position and lost offsets, so the
 * consumer can seek past; later batches are found again by a byte-wise
 * search for the next whole batch with a valid CRC. Offsets are never handed
 * out twice. Consumers read batches from a position found through the
 * sparse offset index (a batch's last offset → its position, as Kafka
 * writes it), and the batch an index entry names is checked before it is
 * trusted; a wrong entry rebuilds the segment's indexes. Topics have ids
 * (`partition.metadata`); deleting one commits in `topics.json`, renames its
 * directories to `…-delete` and removes them, and the next open removes any
 * leftovers, so old records never reappear under a new topic. The group
 * coordinator waits for all members to (re)join, runs the assignor, bumps the
 * generation and fences stale members; members that stop heartbeating for
 * `sessionTimeout` on the injected clock are removed. Retention drops whole
 * old segments, compaction rewrites them keeping the latest value per key,
 * and `windows.ts` aggregates records into event-time windows.
 *
 * **Exactly once.** An idempotent producer asks the broker for a producer
 * id (InitProducerId) and stamps every batch with it, its epoch and the
 * sequence number of its first record, counted per partition. The broker
 * remembers the last five batches of each producer on each partition: a
 * batch equal to one of them is a retry and gets the first write's offsets
 * back without being written again; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER.
 * A transactional producer's `transactionalId` maps to one producer id whose
 * epoch goes up each time a producer takes it over, so an older producer
 * with the same id is fenced (INVALID_PRODUCER_EPOCH) and what it left open
 * is aborted. `transaction.send` first registers each new partition with
 * the transaction (AddPartitionsToTxn, which also records the partition's
 * end offset as where the transaction may start), `sendOffsets` adds a
 * group (AddOffsetsToTxn) and stages its offsets (TxnOffsetCommit), and
 * `commit`/`abort` (EndTxn) records PrepareCommit/PrepareAbort, appends a
 * control batch — the transaction marker — to every partition, applies or
 * drops the staged offsets, and records CompleteCommit/CompleteAbort in
 * `<logDir>/__transaction_state.json`. A `read_committed` consumer (the
 * default) reads up to the last stable offset, the start of the oldest open
 * transaction, and passes over batches of aborted transactions, which the
 * broker lists as `{ producerId, firstOffset, lastOffset }`; markers are
 * never records. So a consume-transform-produce loop that sends its output
 * and its input offsets in one transaction either does both or neither: each
 * input record's output is read once. After a crash, prepared transactions
 * are completed and open ones aborted when the broker opens.
 *
 * ```
 * InitProducerId ─▶ send (pid, epoch, seq) ─▶ AddPartitionsToTxn ─▶ batches ─┐
 *        sendOffsets ─▶ AddOffsetsToTxn ─▶ TxnOffsetCommit (staged)          │
 *        commit/abort ─▶ Prepare ─▶ markers in every partition ─▶ Complete ◀─┘
 * consumer (read_committed): … records … │LSO (open txn) ; aborted ranges skipped
 * ```
 *
 * ```
 * producer ─▶ partitioner ─▶ [batch|batch|batch] 00000000000000000000.log ─▶ roll ─▶ 00000000000000004096.log
 *                                   │ .index / .timeindex (sparse)                     │
 * consumer group ◀─ coordinator (join, sync, heartbeat, generation) ◀─ committed offsets (__consumer_offsets/)
 * ```
 *
 * `serveKafka` puts the same broker behind Kafka's wire protocol, so kafkajs,
 * kcat and other real clients reach it over TCP. Requests are decoded by
 * walking a schema transcribed from Kafka's message definitions, handled
 * against the broker, and answered in order per connection; a producer's
 * batches are stored as sent and fetches return stored batches untouched:
 *
 * ```
 * socket ─▶ _connection.ts (int32 size frames, in-order answers) ─▶ _framing.ts header
 *   ─▶ _schema.ts decode (per-version fields) ─▶ _produce_api.ts: CRC check per batch
 *   ─▶ Broker.appendBatches ─▶ PartitionLog: offsets assigned, segment write, fsync ─▶ answer
 * ```
 *
 * Files, by folder as kafkajs lays them out:
 * - `protocol/`: `record_batch.ts` (the batch format, transaction
 *   markers), `_varint.ts`, `_crc32c.ts`, `murmur2.ts` (the Java
 *   partitioner's hash), `_error_codes.ts` (Kafka's error codes);
 *   `_primitives.ts` (fixed, compact and nullable encodings), `_schema.ts`
 *   (schemas as data, one encoder and decoder), `_framing.ts` (request and
 *   response headers), `_consumer_protocol.ts` (group subscriptions and
 *   assignments) and one schema file per API family: `_api_versions.ts`,
 *   `_metadata.ts`, `_produce.ts`, `_fetch.ts` (Fetch, ListOffsets),
 *   `_group.ts` (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
 *   LeaveGroup), `_offsets.ts` (OffsetCommit, OffsetFetch), `_admin.ts`,
 *   `_transactions.ts` (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn,
 *   TxnOffsetCommit, EndTxn).
 * - `server/`: `serve.ts` (`serveKafka`), `cli.ts` (`deno task
 *   kafka:serve`), `_connection.ts` (one client's frames), `_apis.ts` (the
 *   API table, ApiVersions), `_context.ts`, `_error_code.ts`, and the
 *   handlers `_metadata_api.ts`, `_produce_api.ts`, `_fetch_api.ts`,
 *   `_group_api.ts`, `_offsets_api.ts`, `_admin_api.ts`,
 *   `_transactions_api.ts`.
 * - `log/`: `_partition_log.ts` (segments, recovery, retention, compaction),
 *   `log_reader.ts` (read segments without a broker), `_store.ts` (files of a
 *   log directory), `_scan.ts` (batch scanning, index search, the search
 *   for the next good batch after damage), `_segment.ts` (a segment's
 *   indexes and damage), `_dir_lock.ts` (one owner per log directory:
 *   `<logDir>/.lock`), `_partition_dir.ts` (topic ids in
 *   `partition.metadata`, `-delete` renames).
 * - `broker/`: `_broker.ts` (topics and partitions of one broker),
 *   `_group_coordinator.ts` (joins, generations, committed offsets),
 *   `_group_files.ts` (group ids and their offsets files),
 *   `_transactions.ts` (producer ids, sequence checks, transactions),
 *   `_topic_configs.ts` (Kafka's topic configs kept without effect on the log).
 * - top level, the kafkajs-shaped client: `kafka.ts`, `producer.ts`,
 *   `_producer_eos.ts` (producer id, sequences, transaction state),
 *   `_topic_partition.ts` (the string key of a topic's partition),
 *   `partitioners.ts` (Default, Legacy), `consumer.ts` with one concern per
 *   file — `_consumer_membership.ts` (join, heartbeat, leave),
 *   `_consumer_fetcher.ts` (positions, pauses, seeks, reads),
 *   `_consumer_offsets.ts` (resolved and committed offsets, auto-commit),
 *   `_consumer_runner.ts` (the loop, retries, crash and restart) —
 *   `admin.ts`, `assignors.ts` (AssignerProtocol, assigners), `loggers.ts`
 *   (logLevel, logCreator), `_instrumentation.ts` (events),
 *   `compression.ts` (CompressionCodecs), `windows.ts`
 *   (stream windows), `errors.ts` (kafkajs's error classes).
 * - `ui.ts`: the live view (`kafkaUiHandler`): topics, groups, messages.
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
export { Kafka, type KafkaOptions } from "./kafka.ts";
export {
  type KafkaServer,
  serveKafka,
  type ServeKafkaOptions,
} from "./server/serve.ts";
export {
  KafkaError,
  type KafkaErrorOptions,
  KafkaJSAggregateError,
  KafkaJSAlterPartitionReassignmentsError,
  KafkaJSBrokerNotFound,
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSCreateTopicError,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSError,
  KafkaJSFetcherRebalanceError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSInvalidLongError,
  KafkaJSInvalidVarIntError,
  KafkaJSInvariantViolation,
  KafkaJSLockTimeout,
  KafkaJSMemberIdRequired,
  KafkaJSMetadataNotLoaded,
  KafkaJSNoBrokerAvailableError,
  KafkaJSNonRetriableError,
  KafkaJSNotImplemented,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSPartialMessageError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSStaleTopicMetadataAssignment,
  KafkaJSTimeout,
  KafkaJSTopicMetadataNotLoaded,
  KafkaJSUnsupportedMagicByteInMessageSet,
} from "./errors.ts";
export {
  type Bytes,
  type Message,
  Producer,
  type ProducerBatch,
  type ProducerConfig,
  type ProducerEvents,
  type ProducerRecord,
  type RecordMetadata,
  type Transaction,
} from "./producer.ts";
export {
  DefaultPartitioner,
  legacyMurmur2,
  LegacyPartitioner,
  type Partitioner,
  type PartitionerArgs,
  Partitioners,
} from "./partitioners.ts";
export {
  consoleLogCreator,
  type logCreator,
  type LogEntry,
  type Logger,
  type LogLevel,
  logLevel,
} from "./loggers.ts";
export type {
  InstrumentationEvent,
  InstrumentationListener,
} from "./_instrumentation.ts";
export {
  type AssignerContext,
  type AssignerFactory,
  type Batch,
  Consumer,
  type ConsumerConfig,
  type ConsumerEvent,
  type ConsumerEvents,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type EachMessagePayload,
  type KafkaMessage,
  type OffsetsByTopicPartition,
  type TopicPartitionOffset,
} from "./consumer.ts";
export {
  Admin,
  type AdminEvents,
  type CommittedPartitionOffset,
  ConfigResourceTypes,
  ConfigSource,
  type DescribeConfigResponse,
  type GroupDescriptionKafkajs,
  type ITopicConfig,
  type PartitionOffsets,
} from "./admin.ts";
export {
  type AssignerMember,
  AssignerProtocol,
  type AssignInput,
  type Assignment,
  cooperativeSticky,
  fromKafkajsAssigner,
  type KafkajsAssigner,
  type KafkajsAssignerFactory,
  kafkajsRoundRobin,
  type PartitionAssigner,
  PartitionAssigners,
  range,
  roundRobin,
  type SyncAssigner,
} from "./assignors.ts";
export { type Codec, CompressionCodecs } from "./compression.ts";
export { murmur2, partitionForKey } from "./protocol/murmur2.ts";
export {
  listPartitions,
  type LogRecord,
  type PartitionLogLayout,
  partitionLogLayoutSync,
  readPartitionLog,
  readPartitionLogBatches,
  type ReadPartitionLogOptions,
} from "./log/log_reader.ts";
export {
  type BatchProducer,
  CompressionTypes,
  type DecodedRecord,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordBatchHeader,
  type RecordHeaders,
  type RecordInput,
} from "./protocol/record_batch.ts";
export {
  hopping,
  session,
  sliding,
  tumbling,
  WindowedAggregator,
  type WindowedAggregatorOptions,
  type WindowResult,
  type WindowSpec,
  windowTopic,
  type WindowTopicOptions,
} from "./windows.ts";
export type {
  GroupDescription,
  GroupState,
} from "./broker/_group_coordinator.ts";
export type { ConfigEntry } from "./broker/_broker.ts";
export type { CleanupResult } from "./log/_partition_log.ts";
export { kafkaUiHandler, type KafkaUiOptions } from "./ui.ts";
