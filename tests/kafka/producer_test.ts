import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../internal/clock.ts";
import {
  CompressionTypes,
  Kafka,
  KafkaError,
  partitionForKey,
  readPartitionLog,
} from "../../kafka/mod.ts";
import { readBatchHeader } from "../../kafka/protocol/record_batch.ts";
import { setup } from "./_helpers.ts";

Deno.test("Producer.send() puts keyed messages on murmur2 partitions and returns base offsets", async () => {
  const { admin, producer } = await setup("t", 4);
  const keys = ["21", "foobar", "a", "Alaska", "Chile"];
  const result = await producer.send({
    topic: "t",
    messages: keys.map((key) => ({ key, value: `v-${key}` })),
  });
  const expected = new Map<number, number>();
  for (const k of keys) {
    expected.set(
      partitionForKey(k, 4),
      (expected.get(partitionForKey(k, 4)) ?? 0) + 1,
    );
  }
  assert.deepEqual(result.map((r) => r.partition), [...expected.keys()].sort());
  for (const r of result) {
    assert.equal(r.topicName, "t");
    assert.equal(r.baseOffset, "0");
    assert.equal(r.errorCode, 0);
  }
  const again = await producer.send({
    topic: "t",
    messages: [{ key: "21", value: "x" }],
  });
  assert.deepEqual(again.map((r) => [r.partition, r.baseOffset]), [[
    partitionForKey("21", 4),
    String(expected.get(partitionForKey("21", 4))),
  ]]);
  const offsets = await admin.fetchTopicOffsets("t");
  assert.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 6);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Producer.send() writes one batch per partition per send, fsynced to disk", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_prod_" });
  try {
    const { admin, producer } = await setup("t", 1, { logDir });
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      value: new Uint8Array(100).fill(i & 0xff),
      headers: { n: String(i) },
    }));
    await producer.send({ topic: "t", messages });
    const bytes = await Deno.readFile(
      join(logDir, "t-0", "00000000000000000000.log"),
    );
    const header = readBatchHeader(bytes, 0)!;
    assert.equal(header.recordCount, 1000);
    assert.equal(header.batchLength + 12, bytes.length, "exactly one batch");
    let i = 0;
    for await (const r of readPartitionLog(logDir, "t", 0)) {
      assert.equal(r.value![0], i & 0xff);
      assert.equal(
        new TextDecoder().decode(r.headers.n as Uint8Array),
        String(i),
      );
      i++;
    }
    assert.equal(i, 1000);
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Producer with lingerMs gathers sends into one batch until the linger passes", async () => {
  const clock = new ManualClock({ start: 5000 });
  const logDir = await Deno.makeTempDir({ prefix: "kafka_linger_" });
  try {
    const kafka = new Kafka({ logDir, clock });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "t" }] });
    const producer = kafka.producer({ lingerMs: 100, batchSize: 1 << 20 });
    await producer.connect();
    let done = 0;
    const first = producer.send({
      topic: "t",
      messages: [{ value: "a" }, { value: "b" }],
    }).then((r) => (done++, r));
    const second = producer.send({ topic: "t", messages: [{ value: "c" }] })
      .then((r) => (done++, r));
    await clock.advance(99);
    assert.equal(done, 0, "still lingering");
    assert.equal((await admin.fetchTopicOffsets("t"))[0]!.high, "0");
    await clock.advance(1);
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1[0]!.baseOffset, "0");
    assert.equal(r2[0]!.baseOffset, "2");
    const bytes = await Deno.readFile(
      join(logDir, "t-0", "00000000000000000000.log"),
    );
    assert.equal(readBatchHeader(bytes, 0)!.recordCount, 3);
    // batchSize reached: flushed without waiting for the linger.
    const small = kafka.producer({ lingerMs: 10_000, batchSize: 10 });
    await small.connect();
    const [r3] = await small.send({
      topic: "t",
      messages: [{ value: "0123456789abc" }],
    });
    assert.equal(r3!.baseOffset, "3");
    await small.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Producer.sendBatch() writes to several topics", async () => {
  const { kafka, admin, producer } = await setup("a", 1);
  await admin.createTopics({ topics: [{ topic: "b", numPartitions: 2 }] });
  const res = await producer.sendBatch({
    topicMessages: [
      { topic: "a", messages: [{ value: "1" }] },
      {
        topic: "b",
        messages: [{ value: "2", partition: 1 }, { value: "3", partition: 1 }],
      },
    ],
  });
  assert.deepEqual(res.map((r) => [r.topicName, r.partition, r.baseOffset]), [[
    "a",
    0,
    "0",
  ], ["b", 1, "0"]]);
  const auto = kafka.producer();
  await auto.connect();
  await auto.send({ topic: "created", messages: [{ value: "x" }] });
  assert.deepEqual(await admin.listTopics(), ["a", "b", "created"]);
  await auto.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Producer.send() rejects bad input with KafkaError", async () => {
  const { kafka, admin, producer } = await setup("t", 2, {}, [{
    name: "max.message.bytes",
    value: "1000",
  }]);
  const is = (type: string | undefined, re: RegExp) => (e: unknown) =>
    e instanceof KafkaError && e.name.startsWith("KafkaJS") &&
    (type === undefined || e.type === type) && re.test(e.message);
  const strict = kafka.producer({ allowAutoTopicCreation: false });
  await strict.connect();
  await assert.rejects(
    () => strict.send({ topic: "nope", messages: [{ value: "x" }] }),
    is("UNKNOWN_TOPIC_OR_PARTITION", /^Topic does not exist: "nope"$/),
  );
  await strict.disconnect();
  await assert.rejects(
    () => producer.send({ topic: "../etc", messages: [{ value: "x" }] }),
    is(
      "INVALID_TOPIC_EXCEPTION",
      /Topic name must match \[a-zA-Z0-9._-\]\+.*: "\.\.\/etc"/,
    ),
  );
  await assert.rejects(
    () =>
      producer.send({ topic: "t", messages: [{ value: "x", partition: 2 }] }),
    is(
      "UNKNOWN_TOPIC_OR_PARTITION",
      /Partition is out of range: t has 2 partitions, got 2/,
    ),
  );
  await assert.rejects(
    () =>
      producer.send({
        topic: "t",
        messages: [{ value: 42 as unknown as string }],
      }),
    is(
      "INVALID_RECORD",
      /Message value at messages\[0\] must be a string, Uint8Array or null: number 42/,
    ),
  );
  await assert.rejects(
    () =>
      producer.send({
        topic: "t",
        messages: [{ value: "ok" }, { value: "x".repeat(2000) }],
      }),
    is("MESSAGE_TOO_LARGE", /max\.message\.bytes.*> 1000 at messages\[1\]/),
  );
  assert.deepEqual((await admin.fetchTopicOffsets("t")).map((o) => o.high), [
    "0",
    "0",
  ], "nothing written");
  const disconnected = kafka.producer();
  await assert.rejects(
    () => disconnected.send({ topic: "t", messages: [] }),
    is(undefined, /disconnected/),
  );
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Producer.send() with GZIP stores compressed batches that consumers and log_reader read", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_gzip_" });
  try {
    const { kafka, admin, producer } = await setup("t", 1, { logDir });
    const messages = Array.from(
      { length: 500 },
      (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({ i, text: "aftershock ".repeat(10) }),
      }),
    );
    await producer.send({
      topic: "t",
      compression: CompressionTypes.GZIP,
      messages,
    });
    await assert.rejects(
      () =>
        producer.send({
          topic: "t",
          compression: CompressionTypes.LZ4,
          messages,
        }),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "UNSUPPORTED_COMPRESSION_TYPE" &&
        /: 3 /.test(e.message),
    );
    const file = await Deno.readFile(
      join(logDir, "t-0", "00000000000000000000.log"),
    );
    assert.equal(readBatchHeader(file, 0)!.attributes & 7, 1);
    assert.ok(
      file.length < 500 * 100 / 4,
      `compressed to ${file.length} bytes`,
    );
    let n = 0;
    for await (
      const r of readPartitionLog(logDir, "t", 0, { fromOffset: 250 })
    ) {
      assert.equal(JSON.parse(new TextDecoder().decode(r.value!)).i, r.offset);
      n++;
    }
    assert.equal(n, 250);
    const consumer = kafka.consumer({ groupId: "g" });
    await consumer.connect();
    await consumer.subscribe({ topics: ["t"], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        values.push(message.value!.toString());
        return Promise.resolve();
      },
    });
    while (values.length < 500) await new Promise((r) => setTimeout(r, 2));
    assert.equal(JSON.parse(values[499]!).i, 499);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
