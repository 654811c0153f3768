// Conformance with the public API of kafka (the names and shapes the README and
// kafka/mod.ts document), used as an outside user would.
import assert from "node:assert/strict";
import {
  Kafka,
  KafkaError,
  type KafkaMessage,
  murmur2,
  PartitionAssigners,
} from "../../kafka/mod.ts";
import { kafka as kafkaNs } from "../../mod.ts";

function waitFor(
  pred: () => boolean,
  what: string,
  ms = 5_000,
): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - start > ms) {
        return reject(new Error(`Timed out: ${what}`));
      }
      setTimeout(tick, 5);
    };
    tick();
  });
}

Deno.test("Kafka is reachable from the root kafka namespace", () => {
  assert.equal(kafkaNs.Kafka, Kafka);
  assert.equal(kafkaNs.murmur2, murmur2);
  assert.equal(kafkaNs.KafkaError, KafkaError);
});

Deno.test("murmur2() returns Java's Utils.murmur2 values and drives the default partitioner", async () => {
  // Vectors from Kafka's UtilsTest.
  assert.equal(murmur2(new TextEncoder().encode("21")), -973932308);
  assert.equal(murmur2(new TextEncoder().encode("foobar")), -790332482);
  assert.equal(
    murmur2(new TextEncoder().encode("a-little-bit-long-string")),
    -985981536,
  );
  assert.equal(
    murmur2(new TextEncoder().encode("a-little-bit-longer-string")),
    -1486304829,
  );
  assert.equal(
    murmur2(
      new TextEncoder().encode(
        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
      ),
    ),
    -58897971,
  );
  assert.equal(murmur2(Uint8Array.of(0x61, 0x62, 0x63)), 479470107);

  const kafka = new Kafka({ clientId: "contract" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "keyed", numPartitions: 7 }] });
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (const key of ["21", "foobar", "Alaska", "Taiwan", "x"]) {
      const [meta] = await producer.send({
        topic: "keyed",
        messages: [{ key, value: "v" }],
      });
      const expected = (murmur2(new TextEncoder().encode(key)) & 0x7fffffff) %
        7;
      assert.equal(meta!.partition, expected, key);
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});

Deno.test("Producer.send() returns [{ topicName, partition, baseOffset }] and persists to logDir", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    {
      const kafka = new Kafka({ clientId: "contract", logDir });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: "events", numPartitions: 2 }],
      });
      const producer = kafka.producer();
      await producer.connect();
      const r1 = await producer.send({
        topic: "events",
        messages: [
          {
            key: "k",
            value: "one",
            headers: { h: "1" },
            partition: 1,
            timestamp: "1700000000000",
          },
          { value: "two", partition: 1 },
        ],
      });
      assert.equal(r1.length, 1);
      assert.equal(r1[0]!.topicName, "events");
      assert.equal(r1[0]!.partition, 1);
      assert.equal(String(r1[0]!.baseOffset), "0");
      const r2 = await producer.send({
        topic: "events",
        messages: [{ value: "three", partition: 1 }],
      });
      assert.equal(String(r2[0]!.baseOffset), "2");
      const rb = await producer.sendBatch({
        topicMessages: [
          { topic: "events", messages: [{ value: "four", partition: 0 }] },
        ],
      });
      assert.equal(rb[0]!.topicName, "events");
      assert.equal(rb[0]!.partition, 0);
      await producer.disconnect();
      await admin.disconnect();
    }
    // A new client over the same logDir sees the data.
    const kafka = new Kafka({ clientId: "contract2", logDir });
    const admin = kafka.admin();
    await admin.connect();
    try {
      assert.deepEqual(await admin.listTopics(), ["events"]);
      const offsets = await admin.fetchTopicOffsets("events");
      const byPartition = offsets.sort((a, b) => a.partition - b.partition);
      assert.deepEqual(
        byPartition.map((o) => [o.partition, o.low, o.high]),
        [[0, "0", "1"], [1, "0", "3"]],
      );
    } finally {
      await admin.disconnect();
    }
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Consumer.run({ eachMessage }) reads a topic as a group and commits offsets", async () => {
  const kafka = new Kafka({ clientId: "contract" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "t",
    messages: Array.from({ length: 30 }, (_, i) => ({
      key: `k${i}`,
      value: `v${i}`,
      headers: { n: String(i) },
    })),
  });
  const consumer = kafka.consumer({
    groupId: "g",
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    partitionAssigners: [PartitionAssigners.roundRobin],
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ["t"], fromBeginning: true });
  const seen: KafkaMessage[] = [];
  try {
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic, partition, message }) => {
        assert.equal(topic, "t");
        assert.ok(partition >= 0 && partition < 3);
        seen.push(message);
        await Promise.resolve();
      },
    });
    await waitFor(() => seen.length === 30, "30 messages");
    const values = seen.map((m) => new TextDecoder().decode(m.value!)).sort();
    assert.deepEqual(
      values,
      Array.from({ length: 30 }, (_, i) => `v${i}`).sort(),
    );
    const m7 = seen.find((m) => new TextDecoder().decode(m.value!) === "v7")!;
    assert.equal(new TextDecoder().decode(m7.key!), "k7");
    assert.equal(
      new TextDecoder().decode(m7.headers!.n as Uint8Array),
      "7",
    );
    assert.equal(typeof seen[0]!.offset, "string");
    const { groups } = await admin.describeGroups(["g"]);
    assert.equal(groups[0]!.groupId, "g");
    assert.equal(groups[0]!.state, "Stable");
    assert.equal(groups[0]!.members.length, 1);
    await consumer.stop();
    const committed = await admin.fetchOffsets({ groupId: "g", topics: ["t"] });
    assert.equal(committed[0]!.topic, "t");
    const total = committed[0]!.partitions.reduce(
      (s, p) => s + Number(p.offset),
      0,
    );
    assert.equal(total, 30);
    assert.ok(committed[0]!.partitions.every((p) => p.lag === "0"));
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});

Deno.test("Consumer.run({ eachBatch }) resolves offsets; seek rewinds; pause and resume", async () => {
  const kafka = new Kafka({ clientId: "contract" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "b", numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "b",
    messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i}` })),
  });
  const consumer = kafka.consumer({ groupId: "gb" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["b"], fromBeginning: true });
  const got: string[] = [];
  try {
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        assert.equal(batch.topic, "b");
        assert.equal(batch.partition, 0);
        for (const m of batch.messages) {
          got.push(new TextDecoder().decode(m.value!));
          resolveOffset(m.offset);
        }
        await heartbeat();
      },
    });
    await waitFor(() => got.length === 5, "5 messages");
    consumer.pause([{ topic: "b" }]);
    await producer.send({ topic: "b", messages: [{ value: "m5" }] });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 5, "paused partitions are not fetched");
    consumer.resume([{ topic: "b" }]);
    await waitFor(() => got.length === 6, "resumed message");
    consumer.seek({ topic: "b", partition: 0, offset: "1" });
    await waitFor(() => got.length === 11, "re-read after seek");
    assert.deepEqual(got, [
      "m0",
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
    ]);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});

Deno.test("Admin.deleteTopics() removes a topic; a bad name is a KafkaError naming it", async () => {
  const kafka = new Kafka({ clientId: "contract" });
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(
      await admin.createTopics({ topics: [{ topic: "a" }, { topic: "b" }] }),
      true,
    );
    assert.deepEqual(await admin.listTopics(), ["a", "b"]);
    await admin.deleteTopics({ topics: ["a"] });
    assert.deepEqual(await admin.listTopics(), ["b"]);
    await assert.rejects(
      () => admin.createTopics({ topics: [{ topic: "../etc" }] }),
      (e: unknown) => {
        assert.ok(e instanceof KafkaError);
        assert.equal(e.name, "KafkaJSProtocolError");
        assert.match(e.message, /\.\.\/etc/);
        return true;
      },
    );
  } finally {
    await admin.disconnect();
  }
});

Deno.test("Consumer messages carry Buffers and string offsets as kafkajs; commitOffsets() with autoCommit off", async () => {
  const kafka = new Kafka({ clientId: "contract" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "c", numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  const [meta] = await producer.send({
    topic: "c",
    messages: [{ key: "k", value: "hello" }, { key: "k", value: "world" }],
  });
  assert.equal(meta!.baseOffset, "0");
  const consumer = kafka.consumer({ groupId: "manual" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["c"], fromBeginning: true });
  const got: string[] = [];
  try {
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        got.push(`${message.key!.toString()}=${message.value!.toString()}`);
        if (message.offset === "0") {
          await consumer.commitOffsets([
            { topic: "c", partition: 0, offset: "1" },
          ]);
        }
      },
    });
    await waitFor(() => got.length === 2, "2 messages");
    assert.deepEqual(got, ["k=hello", "k=world"]);
    const [committed] = await admin.fetchOffsets({
      groupId: "manual",
      topics: ["c"],
    });
    assert.equal(committed!.partitions[0]!.offset, "1");
    assert.equal(committed!.partitions[0]!.lag, "1");
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});

Deno.test("Kafka rejects bad topics, partitions and values with KafkaError", async () => {
  const kafka = new Kafka({ clientId: "contract" });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const bad of [".", "..", "a/b", "x".repeat(250)]) {
      await assert.rejects(
        () => admin.createTopics({ topics: [{ topic: bad }] }),
        KafkaError,
        bad,
      );
    }
    await assert.rejects(
      () => producer.send({ topic: "nope", messages: [{ value: "v" }] }),
      (e: unknown) => e instanceof KafkaError && /nope/.test(e.message),
    );
    await admin.createTopics({ topics: [{ topic: "two", numPartitions: 2 }] });
    await assert.rejects(
      () =>
        producer.send({
          topic: "two",
          messages: [{ value: "v", partition: 5 }],
        }),
      (e: unknown) => e instanceof KafkaError && /5/.test(e.message),
    );
    await assert.rejects(
      () =>
        producer.send({
          topic: "two",
          messages: [{ value: 42 as unknown as string }],
        }),
      KafkaError,
    );
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});

Deno.test("WindowedAggregator counts tumbling windows and drops late records", () => {
  const agg = new kafkaNs.WindowedAggregator<number, number>({
    window: kafkaNs.tumbling(60_000),
    graceMs: 0,
    initial: () => 0,
    aggregate: (acc, v) => acc + v,
  });
  assert.deepEqual(agg.process("k", 1_000, 1), []);
  assert.deepEqual(agg.process("k", 30_000, 2), []);
  const closed = agg.process("k", 60_500, 5);
  assert.deepEqual(
    closed.map((w) => [w.key, w.start, w.end, w.value, w.final]),
    [["k", 0, 60_000, 3, true]],
  );
  agg.process("k", 10_000, 100);
  assert.equal(agg.lateRecords, 1);
  assert.deepEqual(
    agg.flush().map((w) => [w.start, w.value]),
    [[60_000, 5]],
  );
});
