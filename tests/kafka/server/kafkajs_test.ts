// kafkajs 2.2.4 from npm against serveKafka: admin, keyed production placed
// by the Java partitioner, and consumer groups whose members run in separate
// `deno` processes.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AssignerProtocol, Kafka, logLevel } from "kafkajs";
import { partitionForKey, serveKafka } from "../../../kafka/mod.ts";
import { collectLines, until } from "./_helpers.ts";

const client = (port: number) =>
  new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: "kafkajs-test",
    logLevel: logLevel.NOTHING,
  });

Deno.test("serveKafka serves kafkajs admin: create, list, describe, grow, delete topics", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const admin = client(server.port).admin();
  await admin.connect();
  try {
    assert.equal(
      await admin.createTopics({
        topics: [{ topic: "events", numPartitions: 3 }, { topic: "other" }],
      }),
      true,
    );
    assert.equal(
      await admin.createTopics({ topics: [{ topic: "events" }] }),
      false,
    );
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: "../x" }] }),
      /Topic creation errors/,
    );
    assert.deepEqual((await admin.listTopics()).sort(), ["events", "other"]);
    const meta = await admin.fetchTopicMetadata({ topics: ["events"] });
    assert.equal(meta.topics[0]!.partitions.length, 3);
    await admin.createPartitions({
      topicPartitions: [{ topic: "events", count: 5 }],
    });
    assert.equal((await admin.fetchTopicOffsets("events")).length, 5);
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: "events", configNames: ["cleanup.policy"] }],
      includeSynonyms: false,
    });
    assert.equal(
      configs.resources[0]!.configEntries[0]!.configValue,
      "delete",
    );
    // ListOffsets by time: the first offset at or after a timestamp.
    const producer = client(server.port).producer();
    await producer.connect();
    await producer.send({
      topic: "other",
      messages: [1000, 2000, 3000].map((t) => ({
        value: `at-${t}`,
        timestamp: String(t),
      })),
    });
    await producer.disconnect();
    assert.deepEqual(
      await admin.fetchTopicOffsetsByTimestamp("other", 1500),
      [{ partition: 0, offset: "1" }],
    );
    assert.deepEqual(
      (await admin.fetchTopicOffsets("other")).map((p) => [p.low, p.high]),
      [["0", "3"]],
    );
    await admin.deleteTopics({ topics: ["other"] });
    assert.deepEqual(await admin.listTopics(), ["events"]);
  } finally {
    await admin.disconnect();
  }
});

interface ConsumerEvent {
  assignment?: number[];
  partition?: number;
  offset?: number;
  key?: string;
  value?: string;
}

function spawnConsumer(port: number, group: string, topic: string) {
  const script = fileURLToPath(
    new URL("./_kafkajs_consumer.ts", import.meta.url),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      script,
      String(port),
      group,
      topic,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  const reading = collectLines(child.stdout, lines);
  const events = () => lines.map((l) => JSON.parse(l) as ConsumerEvent);
  return {
    child,
    events,
    messages: () => events().filter((e) => e.value !== undefined),
    assignment: () =>
      events().filter((e) => e.assignment).at(-1)?.assignment ?? null,
    async stop(signal: Deno.Signal) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      await child.status;
      await reading;
    },
  };
}

Deno.test("kafkajs consumers in two processes share a group, commit, and rebalance on death and leave", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const kafka = client(server.port);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  const consumers: ReturnType<typeof spawnConsumer>[] = [];
  try {
    await admin.createTopics({
      topics: [{ topic: "shared", numPartitions: 4 }],
    });
    const a = spawnConsumer(server.port, "sharers", "shared");
    const b = spawnConsumer(server.port, "sharers", "shared");
    consumers.push(a, b);
    const split = () => {
      const x = a.assignment() ?? [];
      const y = b.assignment() ?? [];
      return x.length > 0 && y.length > 0 &&
        [...x, ...y].sort().join() === "0,1,2,3";
    };
    await until(split, "two members splitting four partitions", 20_000);

    const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
    await producer.send({
      topic: "shared",
      acks: -1,
      messages: sent.map((v, i) => ({ key: `key-${i}`, value: v })),
    });
    const received = () => [...a.messages(), ...b.messages()];
    await until(() => received().length >= 100, "100 messages", 20_000);
    // Every message exactly once, on the partition Java's partitioner picks.
    assert.deepEqual(received().map((m) => m.value).sort(), [...sent].sort());
    for (const m of received()) {
      assert.equal(m.partition, partitionForKey(m.key!, 4), m.key);
    }
    assert.ok(a.messages().length > 0 && b.messages().length > 0);
    // The members committed everything they read.
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: "sharers", topics: ["shared"] }))[0]!
        .partitions.reduce((n, p) => n + Number(p.offset), 0);
    let total = 0;
    for (let i = 0; i < 200 && total < 100; i++) {
      total = await committed();
      if (total < 100) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(total, 100);

    // A member killed with SIGKILL: after its session times out the other
    // takes every partition and reads only what is new.
    await b.stop("SIGKILL");
    await until(
      () => a.assignment()?.length === 4,
      "the survivor taking all partitions",
      20_000,
    );
    const before = a.messages().length;
    await producer.send({
      topic: "shared",
      messages: Array.from({ length: 20 }, (_, i) => ({ value: `late${i}` })),
    });
    await until(
      () => a.messages().length >= before + 20,
      "20 new messages",
      20_000,
    );
    assert.deepEqual(
      a.messages().slice(before).map((m) => m.value).sort(),
      Array.from({ length: 20 }, (_, i) => `late${i}`).sort(),
    );

    // A member that leaves (SIGTERM: kafkajs sends LeaveGroup) hands its
    // partitions over at once.
    const c = spawnConsumer(server.port, "sharers", "shared");
    consumers.push(c);
    await until(
      () => (c.assignment()?.length ?? 0) > 0 && a.assignment()?.length !== 4,
      "a third member joining",
      20_000,
    );
    await a.stop("SIGTERM");
    await until(
      () => c.assignment()?.length === 4,
      "the newcomer taking all partitions",
      20_000,
    );
    assert.equal(
      c.messages().length,
      0,
      "committed offsets start the newcomer after what was read",
    );
    const described = await admin.describeGroups(["sharers"]);
    assert.equal(described.groups[0]!.members.length, 1);
    const handed = AssignerProtocol.MemberAssignment.decode(
      described.groups[0]!.members[0]!.memberAssignment,
    );
    assert.deepEqual(handed?.assignment.shared?.sort(), [0, 1, 2, 3]);
  } finally {
    for (const c of consumers) await c.stop("SIGKILL");
    await producer.disconnect();
    await admin.disconnect();
  }
});

Deno.test("kafkajs transactions through serveKafka: aborted messages never reach a read_committed consumer", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const kafka = client(server.port);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({
    transactionalId: "txn-test",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId: "committed-readers",
    readUncommitted: false,
    sessionTimeout: 2000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
  });
  try {
    await admin.createTopics({ topics: [{ topic: "txns", numPartitions: 2 }] });
    const send = async (values: string[], commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({
        topic: "txns",
        messages: values.map((value, i) => ({ key: `k${i}`, value })),
      });
      if (commit) {
        await txn.sendOffsets({
          consumerGroupId: "upstream",
          topics: [{
            topic: "txns",
            partitions: [{ partition: 0, offset: "7" }],
          }],
        });
        await txn.commit();
      } else await txn.abort();
    };
    await send(["keep-1", "keep-2"], true);
    await send(["drop-1", "drop-2", "drop-3"], false);
    await send(["keep-3"], true);

    await consumer.connect();
    await consumer.subscribe({ topics: ["txns"], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message.value!.toString());
        return Promise.resolve();
      },
    });
    await until(() => seen.length >= 3, "committed messages", 20_000);
    // Give an aborted message a chance to show up after the last good one.
    const end = await admin.fetchTopicOffsets("txns");
    assert.ok(
      end.reduce((n, p) => n + Number(p.high), 0) > 6,
      "markers written",
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen.sort(), ["keep-1", "keep-2", "keep-3"]);
    // Offsets sent with a committed transaction are the group's.
    const offsets = await admin.fetchOffsets({
      groupId: "upstream",
      topics: ["txns"],
    });
    assert.equal(
      offsets[0]!.partitions.find((p) => p.partition === 0)!.offset,
      "7",
    );
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});
