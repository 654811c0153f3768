// deno-lint-ignore-file require-await -- the pages write async handlers that do not await
// kafkajs's "Producing Messages" and "Transactions" pages (docs/Producing.md,
// docs/Transactions.md of kafkajs 2.2.4): their calls, with only the import
// changed, and what the pages say about them.
import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import {
  CompressionCodecs,
  CompressionTypes,
  Kafka,
  KafkaJSProtocolError,
  type KafkaMessage,
  logLevel,
  murmur2,
  Partitioners,
} from "../../kafka/mod.ts";
import { readBatchHeader } from "../../kafka/protocol/record_batch.ts";
import { until } from "./_helpers.ts";

function docsKafka(logDir?: string) {
  return new Kafka({
    clientId: "my-app",
    brokers: ["kafka1:9092", "kafka2:9092"],
    logLevel: logLevel.NOTHING,
    logDir,
  });
}

/** Everything a read_committed (or read_uncommitted) group sees on `topic`. */
async function consumeAll(
  kafka: Kafka,
  topic: string,
  expected: number,
  readUncommitted = false,
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${crypto.randomUUID()}`,
    readUncommitted,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) =>
      void seen.push(message.value!.toString()),
  });
  await until(() => seen.length >= expected, `${expected} messages`);
  await new Promise((r) => setTimeout(r, 20));
  await consumer.disconnect();
  return seen;
}

Deno.test("Producing: send, with a defined partition, headers and the send signature's acks", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "topic-name", numPartitions: 2 }],
  });
  const producer = kafka.producer();
  await producer.connect();
  const sent = await producer.send({
    topic: "topic-name",
    messages: [
      { key: "key1", value: "hello world" },
      { key: "key2", value: "hey hey!" },
    ],
  });
  // Keyed messages go to murmur2(key) partitions, as Java's producer.
  for (const { partition } of sent) {
    assert.ok(
      ["key1", "key2"].some((k) =>
        ((murmur2(new TextEncoder().encode(k)) & 0x7fffffff) % 2) === partition
      ),
    );
  }
  const explicit = await producer.send({
    topic: "topic-name",
    messages: [
      { key: "key1", value: "hello world", partition: 0 },
      { key: "key2", value: "hey hey!", partition: 1 },
    ],
  });
  assert.deepEqual(explicit.map((r) => r.partition), [0, 1]);
  await producer.send({
    topic: "topic-name",
    messages: [{
      key: "key1",
      value: "hello world",
      headers: {
        "correlation-id": "2bfb68bb-893a-423b-a7fa-7b568cad5b67",
        "system-id": "my-system",
      },
    }],
  });
  // acks: 0 asks for no acknowledgement: nothing comes back.
  assert.deepEqual(
    await producer.send({
      topic: "topic-name",
      messages: [{ value: "fire and forget" }],
      acks: 0,
      timeout: 30000,
      compression: CompressionTypes.None,
    }),
    [],
  );
  const high = (await admin.fetchTopicOffsets("topic-name"))
    .reduce((n, p) => n + Number(p.high), 0);
  assert.equal(high, 6);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Producing: allowAutoTopicCreation defaults to true; false refuses an unknown topic", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "fresh", messages: [{ value: "x" }] });
  const strict = kafka.producer({
    allowAutoTopicCreation: false,
    transactionTimeout: 30000,
  });
  await strict.connect();
  await assert.rejects(
    () => strict.send({ topic: "missing", messages: [{ value: "x" }] }),
    (e: unknown) =>
      e instanceof KafkaJSProtocolError &&
      e.type === "UNKNOWN_TOPIC_OR_PARTITION",
  );
  const admin = kafka.admin();
  await admin.connect();
  assert.deepEqual(await admin.listTopics(), ["fresh"]);
  await admin.disconnect();
  await strict.disconnect();
  await producer.disconnect();
});

Deno.test("Producing: sendBatch to multiple topics", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  const topicMessages = [
    {
      topic: "topic-a",
      messages: [{ key: "key", value: "hello topic-a" }],
    },
    {
      topic: "topic-b",
      messages: [{ key: "key", value: "hello topic-b" }],
    },
    {
      topic: "topic-c",
      messages: [
        {
          key: "key",
          value: "hello topic-c",
          headers: {
            "correlation-id": "2bfb68bb-893a-423b-a7fa-7b568cad5b67",
          },
        },
      ],
    },
  ];
  const result = await producer.sendBatch({ topicMessages });
  assert.deepEqual(result.map((r) => [r.topicName, r.baseOffset]), [
    ["topic-a", "0"],
    ["topic-b", "0"],
    ["topic-c", "0"],
  ]);
  assert.deepEqual(await consumeAll(kafka, "topic-c", 1), ["hello topic-c"]);
  await producer.disconnect();
});

Deno.test("Producing: a custom partitioner gets topic, partitionMetadata and message", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "topic-name", numPartitions: 3 }],
  });
  const calls: unknown[] = [];
  const MyPartitioner = () => {
    return ({ topic, partitionMetadata, message }: {
      topic: string;
      partitionMetadata: { partitionId: number; leader: number }[];
      message: { key?: unknown };
    }) => {
      // select a partition based on some logic
      // return the partition number
      calls.push({ topic, partitionMetadata, key: message.key });
      return 0;
    };
  };
  const producer = kafka.producer({ createPartitioner: MyPartitioner });
  await producer.connect();
  const [meta] = await producer.send({
    topic: "topic-name",
    messages: [{ key: "k", value: "v" }],
  });
  assert.equal(meta!.partition, 0);
  assert.deepEqual(calls, [{
    topic: "topic-name",
    partitionMetadata: [
      { partitionId: 0, leader: 0 },
      { partitionId: 1, leader: 0 },
      { partitionId: 2, leader: 0 },
    ],
    key: "k",
  }]);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Producing: LegacyPartitioner keeps the pre-2.0 placement; DefaultPartitioner is Java's", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 7 }] });
  const legacy = kafka.producer({
    createPartitioner: Partitioners.LegacyPartitioner,
  });
  const java = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await legacy.connect();
  await java.connect();
  // kafkajs's legacy murmur2 test vectors for these keys.
  const vectors: Record<string, number> = {
    "0": 272173970,
    "2187": -2081355488,
    "78125": -677491393,
    "10000000": -1778616326,
  };
  for (const [key, hash] of Object.entries(vectors)) {
    const [l] = await legacy.send({
      topic: "t",
      messages: [{ key, value: "x" }],
    });
    const [j] = await java.send({
      topic: "t",
      messages: [{ key, value: "x" }],
    });
    assert.equal(l!.partition, (hash & 0x7fffffff) % 7, `legacy ${key}`);
    assert.equal(
      j!.partition,
      (murmur2(new TextEncoder().encode(key)) & 0x7fffffff) % 7,
      `java ${key}`,
    );
  }
  assert.equal(
    Partitioners.JavaCompatiblePartitioner,
    Partitioners.DefaultPartitioner,
  );
  await legacy.disconnect();
  await java.disconnect();
  await admin.disconnect();
});

Deno.test("Producing: a numeric key is sent as String(key), as kafkajs", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 5 }] });
  const producer = kafka.producer();
  await producer.connect();
  const [asNumber] = await producer.send({
    topic: "t",
    messages: [{ key: 42, value: "n" }],
  });
  const [asString] = await producer.send({
    topic: "t",
    messages: [{ key: "42", value: "s" }],
  });
  assert.equal(asNumber!.partition, asString!.partition);
  const consumer = kafka.consumer({ groupId: "g" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["t"], fromBeginning: true });
  const got = Promise.withResolvers<KafkaMessage>();
  await consumer.run({
    eachMessage: async ({ message }) => got.resolve(message),
  });
  assert.equal((await got.promise).key!.toString(), "42");
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Producing: GZIP compression, which consumers decompress", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "topic-name",
    compression: CompressionTypes.GZIP,
    messages: [
      { key: "key1", value: "hello world" },
      { key: "key2", value: "hey hey!" },
    ],
  });
  assert.deepEqual(await consumeAll(kafka, "topic-name", 2), [
    "hello world",
    "hey hey!",
  ]);
  await producer.disconnect();
});

Deno.test("Producing: a codec registered in CompressionCodecs compresses sends and consumers decompress them", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_codec_" });
  // "Any other codec can be easily implemented using existing libraries":
  // deflate from node:zlib stands in for a snappy library here.
  const someCompressFunction = (b: Uint8Array) =>
    Promise.resolve(deflateRawSync(b));
  const someDecompressFunction = (b: Uint8Array) =>
    Promise.resolve(inflateRawSync(b));
  const MyCustomSnappyCodec = {
    async compress(encoder: { buffer: Buffer }) {
      return someCompressFunction(encoder.buffer);
    },

    async decompress(buffer: Buffer) {
      return someDecompressFunction(buffer);
    },
  };
  try {
    const kafka = docsKafka(logDir);
    const producer = kafka.producer();
    await producer.connect();
    await assert.rejects(
      () =>
        producer.send({
          topic: "topic-name",
          compression: CompressionTypes.Snappy,
          messages: [{ value: "x" }],
        }),
      /Compression codec is not supported: 2/,
    );
    CompressionCodecs[CompressionTypes.Snappy] = () => MyCustomSnappyCodec;
    await producer.send({
      topic: "topic-name",
      compression: CompressionTypes.Snappy,
      messages: [
        { key: "key1", value: "hello world ".repeat(50) },
        { key: "key2", value: "hey hey!" },
      ],
    });
    const bytes = await Deno.readFile(
      join(logDir, "topic-name-0", "00000000000000000000.log"),
    );
    const header = readBatchHeader(bytes, 0)!;
    assert.equal(header.attributes & 7, CompressionTypes.Snappy);
    assert.ok(header.batchLength + 12 < 600, "stored compressed");
    assert.deepEqual(await consumeAll(kafka, "topic-name", 2), [
      "hello world ".repeat(50),
      "hey hey!",
    ]);
    await producer.disconnect();
  } finally {
    delete CompressionCodecs[CompressionTypes.Snappy];
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Producing: idempotent: true puts a producer id, epoch and sequences in the batch header; acks must be -1", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_idempotent_" });
  try {
    const kafka = docsKafka(logDir);
    assert.throws(
      () => kafka.producer({ idempotent: true, retry: { retries: 0 } }),
      /Idempotent producer must allow retries/,
    );
    const producer = kafka.producer({ idempotent: true });
    assert.equal(producer.isIdempotent(), true);
    await producer.connect();
    await producer.send({
      topic: "t",
      messages: [{ value: "a" }, { value: "b" }],
    });
    await producer.send({ topic: "t", messages: [{ value: "c" }] });
    await assert.rejects(
      () => producer.send({ topic: "t", messages: [{ value: "x" }], acks: 1 }),
      /Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees/,
    );
    await producer.disconnect();
    const bytes = await Deno.readFile(
      join(logDir, "t-0", "00000000000000000000.log"),
    );
    const first = readBatchHeader(bytes, 0)!;
    const second = readBatchHeader(bytes, first.batchLength + 12)!;
    assert.ok(first.producerId >= 0);
    assert.deepEqual(
      [
        first.producerEpoch,
        first.baseSequence,
        second.producerId,
        second.baseSequence,
      ],
      [0, 0, first.producerId, 2],
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Transactions: send then commit, or abort; a read_committed consumer sees only what was committed", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer({
    transactionalId: "my-transactional-producer",
    maxInFlightRequests: 1,
    idempotent: true,
  });
  await producer.connect();
  const topic = "topic-name";
  const committed = await producer.transaction();
  try {
    await committed.send({
      topic,
      messages: [{ value: "one" }, { value: "two" }],
    });
    await committed.commit();
  } catch (e) {
    await committed.abort();
    throw e;
  }
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ value: "rolled back" }] });
  await aborted.abort();
  const plain = kafka.producer();
  await plain.connect();
  await plain.send({ topic, messages: [{ value: "three" }] });
  assert.deepEqual(await consumeAll(kafka, topic, 3), ["one", "two", "three"]);
  // readUncommitted: true sees the aborted record; nobody sees markers.
  assert.deepEqual(await consumeAll(kafka, topic, 4, true), [
    "one",
    "two",
    "rolled back",
    "three",
  ]);
  assert.equal(committed.isActive(), false);
  await assert.rejects(
    () => committed.send({ topic, messages: [{ value: "late" }] }),
    /Cannot continue to use transaction once ended/,
  );
  await plain.disconnect();
  await producer.disconnect();
});

Deno.test("Transactions: an open transaction holds read_committed consumers at its first offset until it commits", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer({
    transactionalId: "tx",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const transaction = await producer.transaction();
  await transaction.send({ topic: "t", messages: [{ value: "pending" }] });
  await assert.rejects(
    () => producer.transaction(),
    /There is already an ongoing transaction for this producer/,
  );
  const consumer = kafka.consumer({ groupId: "g" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["t"], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) =>
      void seen.push(message.value!.toString()),
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(seen, []);
  await transaction.commit();
  await until(() => seen.length === 1, "the committed record");
  assert.deepEqual(seen, ["pending"]);
  await consumer.disconnect();
  await producer.disconnect();
  const other = kafka.producer();
  await other.connect();
  await assert.rejects(
    () => other.transaction(),
    /Must provide transactional id/,
  );
  await other.disconnect();
});

Deno.test("Transactions: sendOffsets commits the consumer's offsets only with the transaction (consume-transform-produce, exactly once)", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  const input = kafka.producer();
  await input.connect();
  await input.send({
    topic: "in",
    messages: Array.from({ length: 6 }, (_, i) => ({ value: `${i}` })),
  });
  const producer = kafka.producer({
    transactionalId: "app-in-0",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const consumerGroupId = "transformers";
  const consumer = kafka.consumer({
    groupId: consumerGroupId,
    retry: { initialRetryTime: 1 },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ["in"], fromBeginning: true });
  const attempts: string[] = [];
  let failedOnce = false;
  let offsetsSeenMidway = "";
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      attempts.push(message.offset);
      const transaction = await producer.transaction();
      try {
        await transaction.send({
          topic: "out",
          messages: [{ value: `x${message.value!.toString()}` }],
        });
        await transaction.sendOffsets({
          consumerGroupId,
          topics: [{
            topic,
            partitions: [{
              partition,
              offset: String(Number(message.offset) + 1),
            }],
          }],
        });
        if (message.offset === "3" && !failedOnce) {
          failedOnce = true;
          const [o] = await admin.fetchOffsets({
            groupId: consumerGroupId,
            topics: ["in"],
          });
          offsetsSeenMidway = o!.partitions[0]!.offset;
          throw new Error("transform failed");
        }
        await transaction.commit();
      } catch (e) {
        await transaction.abort();
        throw e; // the consumer retries the message
      }
    },
  });
  await until(() => attempts.length === 7, "six messages, one retried");
  await consumer.disconnect();
  assert.deepEqual(attempts, ["0", "1", "2", "3", "3", "4", "5"]);
  // The offsets sent with a transaction are committed only by its commit.
  assert.equal(offsetsSeenMidway, "3");
  const [offsets] = await admin.fetchOffsets({
    groupId: consumerGroupId,
    topics: ["in"],
  });
  assert.equal(offsets!.partitions[0]!.offset, "6");
  // The aborted attempt's output is never read: each output exactly once.
  assert.deepEqual(await consumeAll(kafka, "out", 6), [
    "x0",
    "x1",
    "x2",
    "x3",
    "x4",
    "x5",
  ]);
  await producer.disconnect();
  await input.disconnect();
  await admin.disconnect();
});

Deno.test("Transactions: a second producer with the same transactionalId fences the first", async () => {
  const kafka = docsKafka();
  const zombie = kafka.producer({
    transactionalId: "shared",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await zombie.connect();
  const old = await zombie.transaction();
  await old.send({ topic: "t", messages: [{ value: "zombie" }] });
  const fresh = kafka.producer({
    transactionalId: "shared",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await fresh.connect();
  const current = await fresh.transaction();
  await current.send({ topic: "t", messages: [{ value: "current" }] });
  await current.commit();
  await assert.rejects(
    () => old.commit(),
    (e: unknown) =>
      e instanceof KafkaJSProtocolError &&
      e.type === "INVALID_PRODUCER_EPOCH" && e.code === 47,
  );
  assert.deepEqual(await consumeAll(kafka, "t", 1), ["current"]);
  await zombie.disconnect();
  await fresh.disconnect();
});
