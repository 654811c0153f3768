import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../internal/clock.ts";
import { Kafka, KafkaError, listPartitions } from "../../kafka/mod.ts";

Deno.test("Admin.createTopics() validates names, partitions and configs", async () => {
  const admin = new Kafka({}).admin();
  await admin.connect();
  assert.equal(
    await admin.createTopics({
      topics: [{ topic: "ok.name_1-x", numPartitions: 3 }],
    }),
    true,
  );
  assert.equal(
    await admin.createTopics({
      topics: [{ topic: "ok.name_1-x", numPartitions: 3 }],
    }),
    false,
  );
  for (const bad of ["", ".", "..", "a/b", "a b", "x".repeat(250)]) {
    await assert.rejects(
      () => admin.createTopics({ topics: [{ topic: bad }] }),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "INVALID_TOPIC_EXCEPTION" &&
        e.message.endsWith(JSON.stringify(bad)),
      `name ${JSON.stringify(bad).slice(0, 20)}`,
    );
  }
  assert.equal(
    await admin.createTopics({ topics: [{ topic: "x".repeat(249) }] }),
    true,
  );
  await assert.rejects(
    () => admin.createTopics({ topics: [{ topic: "p", numPartitions: 0 }] }),
    /Number of partitions must be an integer from 1 to 10000: 0/,
  );
  await assert.rejects(
    () =>
      admin.createTopics({
        topics: [{
          topic: "c",
          configEntries: [{ name: "cleanup.policy", value: "shred" }],
        }],
      }),
    /cleanup.policy must be delete, compact or both: "shred"/,
  );
  await assert.rejects(
    () =>
      admin.createTopics({
        topics: [{
          topic: "c",
          configEntries: [{ name: "flux.capacitor", value: "1" }],
        }],
      }),
    /Topic config is not supported: "flux.capacitor"/,
  );
  await assert.rejects(
    () =>
      admin.createTopics({
        topics: [{
          topic: "c",
          configEntries: [{ name: "retention.ms", value: "soon" }],
        }],
      }),
    /retention.ms must be an integer >= -1: "soon"/,
  );
  assert.deepEqual(await admin.listTopics(), ["ok.name_1-x", "x".repeat(249)]);
  await admin.disconnect();
});

Deno.test("Admin topics and configs persist in logDir and deleteTopics removes them", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_admin_" });
  try {
    let admin = new Kafka({ logDir }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: "keep",
          numPartitions: 3,
          configEntries: [{ name: "cleanup.policy", value: "compact" }],
        },
        { topic: "drop", numPartitions: 2 },
      ],
    });
    await admin.disconnect();
    admin = new Kafka({ logDir }).admin();
    await admin.connect();
    assert.deepEqual(await admin.listTopics(), ["drop", "keep"]);
    assert.deepEqual(await listPartitions(logDir, "keep"), [0, 1, 2]);
    const producer = new Kafka({ logDir }).producer();
    await producer.connect();
    await assert.rejects(
      () => producer.send({ topic: "keep", messages: [{ value: "no key" }] }),
      /Compacted topic cannot accept a message without a key: keep/,
    );
    await producer.disconnect();
    await admin.deleteTopics({ topics: ["drop"] });
    assert.deepEqual(await admin.listTopics(), ["keep"]);
    await assert.rejects(
      () => Deno.stat(join(logDir, "drop-0")),
      Deno.errors.NotFound,
    );
    await assert.rejects(
      () => admin.deleteTopics({ topics: ["drop"] }),
      /Topic does not exist: "drop"/,
    );
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Admin offsets: fetchTopicOffsets, ByTimestamp, setOffsets, resetOffsets, fetchOffsets lag", async () => {
  const clock = new ManualClock({ start: 1_000 });
  const kafka = new Kafka({ clock });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 5; i++) {
    await producer.send({
      topic: "t",
      messages: [{ partition: 0, value: `${i}` }, {
        partition: 1,
        value: `${i}`,
        timestamp: 10_000 + i,
      }],
    });
    await clock.advance(1_000);
  }
  assert.deepEqual(await admin.fetchTopicOffsets("t"), [
    { partition: 0, offset: "5", high: "5", low: "0" },
    { partition: 1, offset: "5", high: "5", low: "0" },
  ]);
  assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp("t", 3_000), [
    { partition: 0, offset: "2" },
    { partition: 1, offset: "0" },
  ]);
  assert.deepEqual(
    (await admin.fetchOffsets({ groupId: "g", topics: ["t"] }))[0]!.partitions
      .map((p) => [p.offset, p.lag]),
    [["-1", "5"], ["-1", "5"]],
  );
  await admin.setOffsets({
    groupId: "g",
    topic: "t",
    partitions: [{ partition: 0, offset: "3" }],
  });
  assert.deepEqual(
    (await admin.fetchOffsets({ groupId: "g" }))[0]!.partitions.map((
      p,
    ) => [p.offset, p.lag]),
    [["3", "2"], ["-1", "5"]],
  );
  await admin.resetOffsets({ groupId: "g", topic: "t" });
  assert.deepEqual(
    (await admin.fetchOffsets({ groupId: "g", topics: ["t"] }))[0]!.partitions
      .map((p) => p.lag),
    ["0", "0"],
  );
  const { groups } = await admin.describeGroups(["g", "unknown"]);
  assert.equal(groups[0]!.state, "Empty");
  assert.equal(groups[1]!.state, "Dead");
  assert.deepEqual((await admin.listGroups()).groups, [{
    groupId: "g",
    protocolType: "consumer",
  }]);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Admin.cleanLogs() applies retention.bytes to a topic", async () => {
  const kafka = new Kafka({});
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{
      topic: "r",
      configEntries: [{ name: "segment.bytes", value: "1000" }, {
        name: "retention.bytes",
        value: "1500",
      }],
    }],
  });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 20; i++) {
    await producer.send({
      topic: "r",
      messages: Array.from({ length: 5 }, () => ({ value: "x".repeat(30) })),
    });
  }
  await admin.cleanLogs();
  const [o] = await admin.fetchTopicOffsets("r");
  assert.equal(o!.high, "100");
  assert.ok(Number(o!.low) > 0, `low ${o!.low}`);
  const consumer = kafka.consumer({ groupId: "late" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["r"], fromBeginning: true });
  const offsets: number[] = [];
  await consumer.run({
    eachMessage: ({ message }) => {
      offsets.push(Number(message.offset));
      return Promise.resolve();
    },
  });
  while (offsets.at(-1) !== 99) await new Promise((r) => setTimeout(r, 2));
  assert.equal(
    offsets[0],
    Number(o!.low),
    "reading from the beginning starts at the log start offset",
  );
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Admin.fetchRecords() reports a corrupt segment with its path and position", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_corrupt_" });
  try {
    let kafka = new Kafka({ logDir });
    let admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{
        topic: "t",
        configEntries: [{ name: "segment.bytes", value: "1000" }],
      }],
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 10; i++) {
      await producer.send({
        topic: "t",
        messages: Array.from({ length: 5 }, () => ({ value: "y".repeat(30) })),
      });
    }
    await producer.disconnect();
    await admin.disconnect();
    const first = join(logDir, "t-0", "00000000000000000000.log");
    const bytes = await Deno.readFile(first);
    bytes[80]! ^= 0xff;
    await Deno.writeFile(first, bytes);
    kafka = new Kafka({ logDir });
    admin = kafka.admin();
    await admin.connect();
    await assert.rejects(
      () => admin.fetchRecords({ topic: "t", partition: 0, offset: "0" }),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "CORRUPT_MESSAGE" &&
        e.message.startsWith(
          `Segment is corrupt: ${first} at byte 0: CRC-32C mismatch`,
        ),
    );
    const later = await admin.fetchRecords({
      topic: "t",
      partition: 0,
      offset: "45",
    });
    assert.equal(later[0]!.offset, 45, "other segments stay readable");
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Admin.createPartitions() grows a topic and its readers rebalance onto the new partitions", async () => {
  const kafka = new Kafka({});
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1 }] });
  const consumer = kafka.consumer({ groupId: "g" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["t"], fromBeginning: true });
  const seen: number[] = [];
  await consumer.run({
    eachMessage: ({ partition }) => {
      seen.push(partition);
      return Promise.resolve();
    },
  });
  while (consumer.assignment().t?.length !== 1) {
    await new Promise((r) => setTimeout(r, 2));
  }
  await admin.createPartitions({ topicPartitions: [{ topic: "t", count: 3 }] });
  while (consumer.assignment().t?.length !== 3) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "t",
    messages: [0, 1, 2].map((partition) => ({ partition, value: "x" })),
  });
  while (seen.length < 3) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(seen.sort(), [0, 1, 2]);
  await assert.rejects(
    () =>
      admin.createPartitions({ topicPartitions: [{ topic: "t", count: 2 }] }),
    /Partition count must be an integer above the current 3 and at most 10000: 2/,
  );
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});
