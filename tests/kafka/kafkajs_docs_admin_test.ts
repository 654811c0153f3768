// deno-lint-ignore-file require-await -- the pages write async functions that do not await
// kafkajs's "Admin Client" page and the "Custom partition assigner" section
// of "Consuming Messages" (kafkajs 2.2.4 docs): their calls, with only the
// import changed, and what the pages say about them.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  AssignerProtocol,
  CompressionTypes,
  ConfigResourceTypes,
  Kafka,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSProtocolError,
  logLevel,
  PartitionAssigners,
} from "../../kafka/mod.ts";
import { join } from "node:path";
import { readBatchHeader } from "../../kafka/protocol/record_batch.ts";
import { until } from "./_helpers.ts";

function docsKafka() {
  return new Kafka({
    clientId: "my-app",
    brokers: ["kafka1:9092", "kafka2:9092"],
    logLevel: logLevel.NOTHING,
  });
}

Deno.test("Admin: listTopics, createTopics (true, then false), validateOnly creates nothing, Kafka's topic configs", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  assert.deepEqual(await admin.listTopics(), []);
  assert.equal(
    await admin.createTopics({
      validateOnly: true,
      topics: [{ topic: "topic-1", numPartitions: 3 }],
    }),
    true,
  );
  assert.deepEqual(await admin.listTopics(), []);
  await assert.rejects(
    () =>
      admin.createTopics({
        validateOnly: true,
        topics: [{
          topic: "topic-1",
          configEntries: [{ name: "no.such.config", value: "1" }],
        }],
      }),
    (e: unknown) =>
      e instanceof KafkaJSProtocolError && e.type === "INVALID_CONFIG",
  );
  assert.equal(
    await admin.createTopics({
      waitForLeaders: true,
      timeout: 5000,
      topics: [{
        topic: "topic-1",
        numPartitions: -1, // the broker's num.partitions
        replicationFactor: -1,
        configEntries: [
          { name: "cleanup.policy", value: "compact" },
          { name: "min.insync.replicas", value: "1" },
          { name: "compression.type", value: "producer" },
          { name: "message.timestamp.type", value: "CreateTime" },
        ],
      }, { topic: "topic-2" }],
    }),
    true,
  );
  assert.equal(
    await admin.createTopics({ topics: [{ topic: "topic-1" }] }),
    false,
  );
  await assert.rejects(
    () =>
      admin.createTopics({
        topics: [{
          topic: "topic-3",
          configEntries: [{
            name: "message.timestamp.type",
            value: "Sometimes",
          }],
        }],
      }),
    /message.timestamp.type has an invalid value: "Sometimes"/,
  );
  assert.deepEqual(await admin.listTopics(), ["topic-1", "topic-2"]);
  await admin.disconnect();
});

Deno.test("Admin: topic configs that mean something with one broker apply: min.insync.replicas, compression.type, message.timestamp.type", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_topic_configs_" });
  const kafka = new Kafka({ logDir, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: "safe",
        configEntries: [{ name: "min.insync.replicas", value: "2" }],
      },
      {
        topic: "zipped",
        configEntries: [{ name: "compression.type", value: "gzip" }],
      },
      {
        topic: "stamped",
        configEntries: [{
          name: "message.timestamp.type",
          value: "LogAppendTime",
        }],
      },
    ],
  });
  const producer = kafka.producer();
  await producer.connect();
  await assert.rejects(
    () => producer.send({ topic: "safe", messages: [{ value: "x" }] }),
    (e: unknown) =>
      e instanceof KafkaJSProtocolError && e.type === "NOT_ENOUGH_REPLICAS" &&
      e.retriable,
  );
  assert.equal(
    (await producer.send({
      topic: "safe",
      acks: 1,
      messages: [{ value: "x" }],
    }))[0]!.baseOffset,
    "0",
  );
  await producer.send({
    topic: "zipped",
    messages: [{ value: "y".repeat(1000) }],
  });
  const [zipped] = await admin.fetchRecords({
    topic: "zipped",
    partition: 0,
    offset: "0",
  });
  assert.equal(new TextDecoder().decode(zipped!.value!), "y".repeat(1000));
  // Stored gzipped: the codec is in the stored batch's attributes.
  const file = await Deno.readFile(
    join(logDir, "zipped-0", "00000000000000000000.log"),
  );
  assert.equal(readBatchHeader(file, 0)!.attributes & 7, CompressionTypes.GZIP);
  const before = Date.now();
  const [meta] = await producer.send({
    topic: "stamped",
    messages: [{ value: "z", timestamp: "1000" }],
  });
  assert.ok(Number(meta!.logAppendTime) >= before);
  const [stamped] = await admin.fetchRecords({
    topic: "stamped",
    partition: 0,
    offset: "0",
  });
  assert.equal(stamped!.timestamp, Number(meta!.logAppendTime));
  await producer.disconnect();
  await admin.disconnect();
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("Admin: createPartitions grows a topic; validateOnly does not", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1 }] });
  await admin.createPartitions({
    validateOnly: true,
    timeout: 5000,
    topicPartitions: [{ topic: "t", count: 3 }],
  });
  assert.equal((await admin.fetchTopicOffsets("t")).length, 1);
  await assert.rejects(
    () =>
      admin.createPartitions({
        validateOnly: true,
        topicPartitions: [{ topic: "t", count: 1 }],
      }),
    (e: unknown) =>
      e instanceof KafkaJSProtocolError && e.type === "INVALID_PARTITIONS",
  );
  await admin.createPartitions({ topicPartitions: [{ topic: "t", count: 3 }] });
  assert.equal((await admin.fetchTopicOffsets("t")).length, 3);
  await admin.disconnect();
});

Deno.test("Admin: fetchTopicMetadata, fetchTopicOffsets and fetchTopicOffsetsByTimestamp in kafkajs's shapes", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "t",
    messages: [
      { value: "a", partition: 0, timestamp: "1000" },
      { value: "b", partition: 0, timestamp: "2000" },
    ],
  });
  const { topics } = await admin.fetchTopicMetadata({ topics: ["t"] });
  assert.deepEqual(
    topics[0]!.partitions.map((p) => [p.partitionId, p.leader]),
    [[0, 0], [1, 0]],
  );
  assert.deepEqual(await admin.fetchTopicOffsets("t"), [
    { partition: 0, offset: "2", high: "2", low: "0" },
    { partition: 1, offset: "0", high: "0", low: "0" },
  ]);
  assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp("t", 1500), [
    { partition: 0, offset: "1" },
    { partition: 1, offset: "0" },
  ]);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Admin: resetOffsets stores kafkajs's sentinels; fetchOffsets resolveOffsets resolves them; setOffsets", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  const groupId = "my-consumer-group";
  const topic = "custom-topic";
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [0, 0, 0, 3].map((partition, i) => ({
      value: `${i}`,
      partition,
    })),
  });
  await admin.resetOffsets({ groupId, topic }); // latest by default
  const offsets = (o: { partitions: { offset: string }[] }[]) =>
    o[0]!.partitions.map((p) => p.offset);
  assert.deepEqual(
    offsets(
      await admin.fetchOffsets({
        groupId,
        topics: [topic],
        resolveOffsets: false,
      }),
    ),
    ["-1", "-1", "-1", "-1"],
  );
  await admin.resetOffsets({ groupId, topic, earliest: true });
  assert.deepEqual(
    offsets(await admin.fetchOffsets({ groupId, topics: [topic] })),
    ["-2", "-2", "-2", "-2"],
  );
  await admin.resetOffsets({ groupId, topic });
  assert.deepEqual(
    offsets(
      await admin.fetchOffsets({
        groupId,
        topics: [topic],
        resolveOffsets: true,
      }),
    ),
    ["3", "0", "0", "1"],
  );
  await admin.setOffsets({
    groupId,
    topic,
    partitions: [
      { partition: 0, offset: "35" },
      { partition: 3, offset: "19" },
    ],
  });
  assert.deepEqual(
    offsets(await admin.fetchOffsets({ groupId, topics: [topic] })),
    [
      "35",
      "0",
      "0",
      "19",
    ],
  );
  // A consumer starting on an "earliest" sentinel reads from the start.
  await admin.resetOffsets({ groupId: "readers", topic, earliest: true });
  const consumer = kafka.consumer({ groupId: "readers" });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) =>
      void seen.push(message.value!.toString()),
  });
  await until(() => seen.length === 4, "all four");
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Admin: describeCluster, describeConfigs and alterConfigs in kafkajs's shapes", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "topic-name" }] });
  const cluster = await admin.describeCluster();
  assert.deepEqual(cluster.brokers, [{
    nodeId: 0,
    host: "localhost",
    port: 9092,
  }]);
  assert.equal(cluster.controller, 0);
  assert.match(cluster.clusterId, /^[A-Za-z0-9_-]{22}$/);
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{
      type: ConfigResourceTypes.TOPIC,
      name: "topic-name",
      configNames: ["cleanup.policy"],
    }],
  });
  assert.deepEqual(described, {
    resources: [{
      configEntries: [{
        configName: "cleanup.policy",
        configValue: "delete",
        isDefault: true,
        configSource: 5,
        isSensitive: false,
        readOnly: false,
      }],
      errorCode: 0,
      errorMessage: null,
      resourceName: "topic-name",
      resourceType: 2,
    }],
    throttleTime: 0,
  });
  const all = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: "topic-name" }],
  });
  assert.ok(
    all.resources[0]!.configEntries.some((e) =>
      e.configName === "retention.ms"
    ),
  );
  assert.deepEqual(
    await admin.alterConfigs({
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: "topic-name",
        configEntries: [{ name: "cleanup.policy", value: "compact" }],
      }],
    }),
    {
      resources: [{
        errorCode: 0,
        errorMessage: null,
        resourceName: "topic-name",
        resourceType: 2,
      }],
      throttleTime: 0,
    },
  );
  const after = await admin.describeConfigs({
    resources: [{
      type: ConfigResourceTypes.TOPIC,
      name: "topic-name",
      configNames: ["cleanup.policy"],
    }],
  });
  assert.deepEqual(
    after.resources[0]!.configEntries.map((
      e,
    ) => [e.configValue, e.isDefault, e.configSource]),
    [["compact", false, 1]],
  );
  // The new policy is in force: a keyless message is refused on a compacted topic.
  const producer = kafka.producer();
  await producer.connect();
  await assert.rejects(
    () =>
      producer.send({ topic: "topic-name", messages: [{ value: "no key" }] }),
    /Compacted topic cannot accept a message without a key/,
  );
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Admin: listGroups, describeGroups in kafkajs's shape, deleteGroups", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] });
  const consumer = kafka.consumer({ groupId: "testgroup" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["t"] });
  await consumer.run({ eachMessage: async () => {} });
  assert.deepEqual(await admin.listGroups(), {
    groups: [{ groupId: "testgroup", protocolType: "consumer" }],
  });
  const { groups: [group] } = await admin.describeGroups(["testgroup"]);
  assert.equal(group!.errorCode, 0);
  assert.equal(group!.groupId, "testgroup");
  assert.equal(group!.protocol, "RoundRobinAssigner");
  assert.equal(group!.protocolType, "consumer");
  assert.equal(group!.state, "Stable");
  const [member] = group!.members;
  assert.deepEqual(
    Object.keys(member!).filter((k) => k !== "assignment").sort(),
    [
      "clientHost",
      "clientId",
      "memberAssignment",
      "memberId",
      "memberMetadata",
    ],
  );
  assert.ok(member!.memberAssignment instanceof Buffer);
  const memberMetadata = AssignerProtocol.MemberMetadata.decode(
    member!.memberMetadata,
  );
  const memberAssignment = AssignerProtocol.MemberAssignment.decode(
    member!.memberAssignment,
  );
  assert.deepEqual(memberMetadata.topics, ["t"]);
  assert.deepEqual(memberAssignment!.assignment, { t: [0, 1] });
  assert.equal((await consumer.describeGroup()).protocol, "RoundRobinAssigner");
  // "you can only delete groups with no connected consumers"
  await assert.rejects(
    () => admin.deleteGroups(["testgroup"]),
    (e: unknown) =>
      e instanceof KafkaJSDeleteGroupsError &&
      e.name === "KafkaJSDeleteGroupsError" &&
      e.groups[0]!.groupId === "testgroup" &&
      e.groups[0]!.error instanceof KafkaJSProtocolError,
  );
  await consumer.disconnect();
  assert.deepEqual(await admin.deleteGroups(["testgroup"]), [{
    groupId: "testgroup",
    errorCode: 0,
  }]);
  assert.deepEqual((await admin.listGroups()).groups, []);
  await admin.disconnect();
});

Deno.test("Admin: deleteTopicRecords deletes up to an offset, -1 deletes all; out of range is KafkaJSDeleteTopicRecordsError", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_delete_records_" });
  try {
    let kafka = new Kafka({ logDir, logLevel: logLevel.NOTHING });
    let admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: "custom-topic", numPartitions: 4 }],
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "custom-topic",
      messages: Array.from(
        { length: 40 },
        (_, i) => ({ value: `${i}`, partition: i % 4 === 3 ? 3 : 0 }),
      ),
    });
    await producer.disconnect();
    await admin.deleteTopicRecords({
      topic: "custom-topic",
      partitions: [
        { partition: 0, offset: "20" }, // delete up to and including offset 19
        { partition: 3, offset: "-1" }, // delete all available records on this partition
      ],
    });
    const low = async () =>
      (await admin.fetchTopicOffsets("custom-topic")).map((p) => p.low);
    assert.deepEqual(await low(), ["20", "0", "0", "10"]);
    await assert.rejects(
      () =>
        admin.fetchRecords({
          topic: "custom-topic",
          partition: 0,
          offset: "5",
        }),
      (e: unknown) =>
        e instanceof KafkaJSProtocolError && e.type === "OFFSET_OUT_OF_RANGE",
    );
    const [first] = await admin.fetchRecords({
      topic: "custom-topic",
      partition: 0,
      offset: "20",
    });
    assert.equal(first!.offset, 20);
    await assert.rejects(
      () =>
        admin.deleteTopicRecords({
          topic: "custom-topic",
          partitions: [{ partition: 1, offset: "99" }],
        }),
      (e: unknown) =>
        e instanceof KafkaJSDeleteTopicRecordsError && e.retriable === false &&
        e.partitions[0]!.error?.type === "OFFSET_OUT_OF_RANGE",
    );
    await admin.disconnect();
    // The new start survives a restart.
    kafka = new Kafka({ logDir, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    assert.deepEqual(await low(), ["20", "0", "0", "10"]);
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Custom partition assigner: the factory is called with { cluster }, protocol() and assign() use AssignerProtocol", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "topic-A", numPartitions: 4 }],
  });
  const { MemberMetadata, MemberAssignment } = AssignerProtocol;
  const seen: { members: unknown[]; topics: string[] }[] = [];
  // Every partition to the member whose id sorts first.
  const MyPartitionAssigner = ({ cluster }: {
    cluster: {
      findTopicPartitionMetadata(t: string): { partitionId: number }[];
    };
  }) => ({
    name: "MyPartitionAssigner",
    version: 1,
    async assign(
      { members, topics }: {
        members: { memberId: string; memberMetadata: Buffer }[];
        topics: string[];
      },
    ) {
      seen.push({
        members: members.map((m) => MemberMetadata.decode(m.memberMetadata)),
        topics,
      });
      const [first, ...rest] = members.map((m) => m.memberId).sort();
      const assignment: Record<string, Record<string, number[]>> = {
        [first!]: Object.fromEntries(
          topics.map((
            t,
          ) => [
            t,
            cluster.findTopicPartitionMetadata(t).map((p) => p.partitionId),
          ]),
        ),
      };
      for (const id of rest) assignment[id] = {};
      return Object.keys(assignment).map((memberId) => ({
        memberId,
        memberAssignment: MemberAssignment.encode({
          version: this.version,
          assignment: assignment[memberId]!,
        }),
      }));
    },
    protocol({ topics }: { topics: string[] }) {
      return {
        name: this.name,
        metadata: MemberMetadata.encode({
          version: this.version,
          topics,
        }),
      };
    },
  });
  const { roundRobin } = PartitionAssigners;
  const make = () =>
    kafka.consumer({
      groupId: "my-group",
      partitionAssigners: [
        MyPartitionAssigner,
        roundRobin,
      ],
    });
  const a = make();
  const b = make();
  for (const c of [a, b]) {
    await c.connect();
    await c.subscribe({ topics: ["topic-A"] });
  }
  await a.run({ eachMessage: async () => {} });
  const runningB = b.run({ eachMessage: async () => {} });
  await until(
    () =>
      a.assignment()["topic-A"] !== undefined ||
      b.assignment()["topic-A"] !== undefined,
    "assigned",
  );
  await runningB;
  await until(() => seen.length >= 2, "the second generation");
  const owner = [a, b].sort((x, y) => x.memberId! < y.memberId! ? -1 : 1)[0]!;
  const other = owner === a ? b : a;
  await until(
    () => owner.assignment()["topic-A"]?.length === 4,
    "all to the first",
  );
  assert.deepEqual(other.assignment(), {});
  const last = seen.at(-1)!;
  assert.deepEqual(last.topics, ["topic-A"]);
  assert.deepEqual(last.members, [
    { version: 1, topics: ["topic-A"], userData: Buffer.alloc(0) },
    { version: 1, topics: ["topic-A"], userData: Buffer.alloc(0) },
  ]);
  const desc = (await admin.describeGroups(["my-group"])).groups[0]!;
  assert.equal(desc.protocol, "MyPartitionAssigner");
  await a.disconnect();
  await b.disconnect();
  await admin.disconnect();
});
