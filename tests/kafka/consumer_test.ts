import assert from "node:assert/strict";
import { ManualClock } from "../../internal/clock.ts";
import {
  type Consumer,
  type ConsumerEvent,
  KafkaError,
  PartitionAssigners,
} from "../../kafka/mod.ts";
import { setup, until } from "./_helpers.ts";

type Seen = {
  topic: string;
  partition: number;
  offset: number;
  value: string;
  by: string;
};

function collector(consumer: Consumer, name: string, seen: Seen[]) {
  return consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      seen.push({
        topic,
        partition,
        offset: Number(message.offset),
        value: message.value!.toString(),
        by: name,
      });
      return Promise.resolve();
    },
  });
}

Deno.test("Consumer.run() splits partitions across a group and delivers each message once", async () => {
  const { kafka, admin, producer } = await setup("orders", 4);
  const a = kafka.consumer({ groupId: "g" });
  const b = kafka.consumer({ groupId: "g" });
  const seen: Seen[] = [];
  for (const [c, name] of [[a, "a"], [b, "b"]] as const) {
    await c.connect();
    await c.subscribe({ topics: ["orders"], fromBeginning: true });
    await collector(c, name, seen);
  }
  await until(
    () =>
      a.assignment().orders?.length === 2 &&
      b.assignment().orders?.length === 2,
    "balance",
  );
  const messages = Array.from(
    { length: 200 },
    (_, i) => ({ key: `k${i % 17}`, value: `m${i}` }),
  );
  await producer.send({ topic: "orders", messages });
  await until(() => seen.length >= 200, "200 messages");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(seen.length, 200);
  assert.deepEqual(new Set(seen.map((s) => s.value)).size, 200);
  for (let p = 0; p < 4; p++) {
    assert.equal(
      new Set(seen.filter((s) => s.partition === p).map((s) => s.by)).size,
      1,
      `partition ${p} has one reader`,
    );
    const offsets = seen.filter((s) => s.partition === p).map((s) => s.offset);
    assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), "in order");
  }
  const { groups } = await admin.describeGroups(["g"]);
  assert.equal(groups[0]!.state, "Stable");
  assert.deepEqual(await a.describeGroup(), groups[0]);
  assert.equal(groups[0]!.members.length, 2);
  // kafkajs's default assigner, by its protocol name.
  assert.equal(groups[0]!.protocol, "RoundRobinAssigner");
  await a.disconnect();
  await b.disconnect();
  const after = await admin.fetchOffsets({ groupId: "g", topics: ["orders"] });
  assert.deepEqual(after[0]!.partitions.map((p) => p.lag), [
    "0",
    "0",
    "0",
    "0",
  ]);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer rebalances on join and leave with new generations", async () => {
  const { kafka, admin, producer } = await setup("t", 4);
  const joins: { who: string; gen: number; parts: number[] }[] = [];
  const make = async (who: string) => {
    const c = kafka.consumer({ groupId: "g" });
    c.on(
      c.events.GROUP_JOIN,
      (e: ConsumerEvent) =>
        joins.push({
          who,
          gen: -1,
          parts: (e.payload.memberAssignment as Record<string, number[]>).t ??
            [],
        }),
    );
    await c.connect();
    await c.subscribe({ topics: ["t"] });
    await c.run({ eachMessage: async () => {} });
    return c;
  };
  const a = await make("a");
  await until(() => a.assignment().t?.length === 4, "a owns all");
  const gen1 = (await admin.describeGroups(["g"])).groups[0]!.generationId;
  const b = await make("b");
  await until(
    () => a.assignment().t?.length === 2 && b.assignment().t?.length === 2,
    "split",
  );
  const gen2 = (await admin.describeGroups(["g"])).groups[0]!.generationId;
  assert.ok(gen2 > gen1);
  assert.deepEqual([...a.assignment().t!, ...b.assignment().t!].sort(), [
    0,
    1,
    2,
    3,
  ]);
  await b.disconnect();
  await until(() => a.assignment().t?.length === 4, "a owns all again");
  assert.ok((await admin.describeGroups(["g"])).groups[0]!.generationId > gen2);
  await a.disconnect();
  assert.equal((await admin.describeGroups(["g"])).groups[0]!.state, "Empty");
  assert.ok(joins.filter((j) => j.who === "a").length >= 3);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer that stops heartbeating is removed after sessionTimeout and its records go to the survivor", async () => {
  const clock = new ManualClock({ start: 1_000_000 });
  const { kafka, admin, producer } = await setup("jobs", 2, { clock });
  const config = {
    groupId: "g",
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  };
  const a = kafka.consumer(config);
  const b = kafka.consumer(config);
  const release = Promise.withResolvers<void>();
  const seenA: string[] = [];
  const seenB: string[] = [];
  await a.connect();
  await a.subscribe({ topics: ["jobs"], fromBeginning: true });
  await a.run({
    eachMessage: async ({ message }) => {
      seenA.push(message.value!.toString());
      await release.promise; // stuck: no heartbeats, no commits
    },
  });
  await until(() => a.assignment().jobs?.length === 2, "a joined");
  await b.connect();
  await b.subscribe({ topics: ["jobs"], fromBeginning: true });
  await b.run({
    eachMessage: ({ message }) => {
      seenB.push(message.value!.toString());
      return Promise.resolve();
    },
  });
  await until(
    () =>
      a.assignment().jobs?.length === 1 && b.assignment().jobs?.length === 1,
    "split",
  );
  const aPartition = a.assignment().jobs![0]!;
  await producer.send({
    topic: "jobs",
    messages: [0, 1, 2].flatMap((i) => [
      { partition: 0, value: `p0-${i}` },
      { partition: 1, value: `p1-${i}` },
    ]),
  });
  await until(
    () => seenA.length === 1 && seenB.length === 3,
    "a stuck on its first record",
  );
  // 9 s: both still members (b heartbeats; a's session has not expired).
  for (let i = 0; i < 9; i++) await clock.advance(1_000);
  assert.equal(
    (await admin.describeGroups(["g"])).groups[0]!.members.length,
    2,
  );
  for (let i = 0; i < 3; i++) await clock.advance(1_000);
  await until(() => b.assignment().jobs?.length === 2, "b took over");
  const desc = (await admin.describeGroups(["g"])).groups[0]!;
  assert.equal(desc.members.length, 1);
  assert.equal(desc.members[0]!.memberId, b.memberId);
  await until(() => seenB.length === 6, "b re-reads a's uncommitted records");
  assert.deepEqual(
    seenB.filter((v) => v.startsWith(`p${aPartition}-`)),
    [0, 1, 2].map((i) => `p${aPartition}-${i}`),
  );
  assert.equal(
    seenA[0],
    `p${aPartition}-0`,
    "the record a never finished is delivered again",
  );
  // a stops as soon as its handler returns: fenced, it commits nothing.
  const stopping = a.stop();
  release.resolve();
  await stopping;
  await b.stop();
  await a.disconnect();
  const offsets = await admin.fetchOffsets({ groupId: "g", topics: ["jobs"] });
  assert.deepEqual(offsets[0]!.partitions.map((p) => p.offset), ["3", "3"]);
  await b.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer commits durably and a new consumer resumes after the committed offset", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_commit_" });
  try {
    let { kafka, admin, producer } = await setup("t", 2, { logDir });
    await producer.send({
      topic: "t",
      messages: Array.from({ length: 50 }, (_, i) => ({ value: `a${i}` })),
    });
    const seen: Seen[] = [];
    const c1 = kafka.consumer({ groupId: "g" });
    await c1.connect();
    await c1.subscribe({ topics: ["t"], fromBeginning: true });
    await collector(c1, "c1", seen);
    await until(() => seen.length === 50, "first 50");
    await c1.disconnect();
    await producer.disconnect();
    await admin.disconnect(); // broker closes: offsets must come back from disk

    ({ kafka, admin, producer } = await setup("t", 2, { logDir }));
    const committed = await admin.fetchOffsets({ groupId: "g", topics: ["t"] });
    assert.deepEqual(
      committed[0]!.partitions.map((p) => Number(p.offset)).reduce((a, b) =>
        a + b
      ),
      50,
    );
    await producer.send({
      topic: "t",
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `b${i}` })),
    });
    const seen2: Seen[] = [];
    const c2 = kafka.consumer({ groupId: "g" });
    await c2.connect();
    await c2.subscribe({ topics: ["t"], fromBeginning: true });
    await collector(c2, "c2", seen2);
    await until(() => seen2.length === 10, "next 10");
    assert.ok(seen2.every((s) => s.value.startsWith("b")));
    await c2.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Consumer.subscribe() without fromBeginning starts at the end", async () => {
  const { kafka, admin, producer } = await setup("t", 1);
  await producer.send({ topic: "t", messages: [{ value: "old" }] });
  const c = kafka.consumer({ groupId: "g" });
  const seen: Seen[] = [];
  await c.connect();
  await c.subscribe({ topics: ["t"] });
  await collector(c, "c", seen);
  await until(() => c.assignment().t?.length === 1, "joined");
  await producer.send({ topic: "t", messages: [{ value: "new" }] });
  await until(() => seen.length === 1, "new message");
  assert.equal(seen[0]!.value, "new");
  assert.equal(seen[0]!.offset, 1);
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer.seek(), pause() and resume() move and hold positions", async () => {
  const { kafka, admin, producer } = await setup("t", 2);
  await producer.send({
    topic: "t",
    messages: Array.from({ length: 10 }, (_, i) => [
      { partition: 0, value: `p0-${i}` },
      { partition: 1, value: `p1-${i}` },
    ]).flat(),
  });
  const c = kafka.consumer({ groupId: "g" });
  const seen: Seen[] = [];
  await c.connect();
  await c.subscribe({ topics: ["t"], fromBeginning: true });
  // As kafkajs: pause and seek only once run() has started; they take
  // effect before the first fetch.
  assert.throws(
    () => c.pause([{ topic: "t" }]),
    /consumer#run must be called first/,
  );
  assert.throws(
    () => c.seek({ topic: "t", partition: 0, offset: "7" }),
    /consumer#run must be called first/,
  );
  assert.deepEqual(c.paused(), []);
  await collector(c, "c", seen);
  c.pause([{ topic: "t", partitions: [1] }]);
  c.seek({ topic: "t", partition: 0, offset: "7" });
  await until(() => seen.length === 3, "p0 from 7");
  assert.deepEqual(seen.map((s) => s.value), ["p0-7", "p0-8", "p0-9"]);
  assert.deepEqual(c.paused(), [{ topic: "t", partitions: [1] }]);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(seen.length, 3, "paused partition not fetched");
  c.seek({ topic: "t", partition: 0, offset: "2" });
  await until(() => seen.length === 11, "p0 from 2 again");
  assert.equal(seen[3]!.value, "p0-2");
  c.resume([{ topic: "t" }]);
  await until(() => seen.length === 21, "p1 after resume");
  assert.equal(seen.filter((s) => s.partition === 1).length, 10);
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer.run() eachBatch with resolveOffset and manual commitOffsets", async () => {
  const { kafka, admin, producer } = await setup("t", 1);
  await producer.send({
    topic: "t",
    messages: Array.from({ length: 20 }, (_, i) => ({ value: `v${i}` })),
  });
  const c = kafka.consumer({ groupId: "g" });
  await c.connect();
  await c.subscribe({ topics: ["t"], fromBeginning: true });
  const batches: {
    first: string | null;
    last: string;
    high: string;
    n: number;
  }[] = [];
  await c.run({
    autoCommit: false,
    eachBatch: async (
      { batch, resolveOffset, heartbeat, isRunning, isStale },
    ) => {
      batches.push({
        first: batch.firstOffset(),
        last: batch.lastOffset(),
        high: batch.highWatermark,
        n: batch.messages.length,
      });
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) break;
        resolveOffset(m.offset);
        await heartbeat();
      }
    },
  });
  await until(() => batches.length === 1, "one batch");
  assert.deepEqual(batches[0], { first: "0", last: "19", high: "20", n: 20 });
  assert.deepEqual(
    (await admin.fetchOffsets({ groupId: "g", topics: ["t"] }))[0]!
      .partitions[0]!.offset,
    "-1",
  );
  await c.commitOffsets([{ topic: "t", partition: 0, offset: "12" }]);
  const fetched = await admin.fetchOffsets({ groupId: "g", topics: ["t"] });
  assert.equal(fetched[0]!.partitions[0]!.offset, "12");
  assert.equal(fetched[0]!.partitions[0]!.lag, "8");
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer retries a failing eachMessage and then delivers it", async () => {
  const { kafka, admin, producer } = await setup("t", 1);
  await producer.send({
    topic: "t",
    messages: [{ value: "a" }, { value: "b" }],
  });
  const c = kafka.consumer({
    groupId: "g",
    retry: { initialRetryTime: 1, retries: 3 },
  });
  await c.connect();
  await c.subscribe({ topics: ["t"], fromBeginning: true });
  const calls: string[] = [];
  let failures = 0;
  await c.run({
    eachMessage: async ({ message }) => {
      await Promise.resolve();
      calls.push(message.value!.toString());
      if (message.value!.toString() === "b" && failures++ < 2) {
        throw new Error("transient");
      }
    },
  });
  await until(() => calls.filter((v) => v === "b").length === 3, "b retried");
  assert.deepEqual(
    calls,
    ["a", "b", "b", "b"],
    "a was resolved and not redelivered",
  );
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer with cooperative-sticky keeps owned partitions through a rebalance", async () => {
  const { kafka, admin, producer } = await setup("t", 6);
  const opts = {
    groupId: "g",
    partitionAssigners: [PartitionAssigners.cooperativeSticky],
  };
  const a = kafka.consumer(opts);
  await a.connect();
  await a.subscribe({ topics: ["t"] });
  await a.run({ eachMessage: async () => {} });
  await until(() => a.assignment().t?.length === 6, "a owns all");
  const b = kafka.consumer(opts);
  await b.connect();
  await b.subscribe({ topics: ["t"] });
  await b.run({ eachMessage: async () => {} });
  await until(
    () => a.assignment().t?.length === 3 && b.assignment().t?.length === 3,
    "balanced",
  );
  const desc = (await admin.describeGroups(["g"])).groups[0]!;
  assert.equal(desc.protocol, "cooperative-sticky");
  assert.ok(
    desc.generationId >= 3,
    "revocation then assignment take two rebalances",
  );
  await a.disconnect();
  await b.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer reports bad input with KafkaError", async () => {
  const { kafka, admin, producer } = await setup("t", 1);
  assert.throws(
    () => kafka.consumer({ groupId: "" }),
    /groupId must be a non-empty string: ""/,
  );
  const c = kafka.consumer({ groupId: "g", allowAutoTopicCreation: false });
  await assert.rejects(() => c.subscribe({ topics: ["t"] }), /disconnected/);
  await c.connect();
  await assert.rejects(
    () => c.subscribe({ topics: ["missing"] }),
    (e: unknown) =>
      e instanceof KafkaError && e.type === "UNKNOWN_TOPIC_OR_PARTITION" &&
      /"missing"/.test(e.message),
  );
  await assert.rejects(
    () => c.run({ eachMessage: async () => {} }),
    /no subscription/,
  );
  await c.subscribe({ topics: ["t"] });
  await assert.rejects(() => c.run({}), /eachMessage or eachBatch/);
  assert.throws(
    () => c.seek({ topic: "t", partition: 0, offset: "abc" }),
    /Invalid offset, expected a long received "abc"/,
  );
  assert.throws(
    () => c.seek({ topic: "t", partition: 0, offset: "0" }),
    /consumer#run must be called first/,
  );
  assert.throws(
    () =>
      kafka.consumer({
        groupId: "h",
        sessionTimeout: 1000,
        heartbeatInterval: 1000,
      }),
    /heartbeatInterval \(1000\) must be lower than sessionTimeout \(1000\)/,
  );
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer.run() processes partitions concurrently with partitionsConsumedConcurrently", async () => {
  const { kafka, admin, producer } = await setup("t", 3);
  await producer.send({
    topic: "t",
    messages: [0, 1, 2].flatMap((p) =>
      [0, 1].map((i) => ({ partition: p, value: `${p}-${i}` }))
    ),
  });
  const c = kafka.consumer({ groupId: "g" });
  await c.connect();
  await c.subscribe({ topics: ["t"], fromBeginning: true });
  let active = 0;
  let maxActive = 0;
  let seen = 0;
  const gate = Promise.withResolvers<void>();
  await c.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (maxActive === 3) gate.resolve();
      await gate.promise;
      active--;
      seen++;
    },
  });
  await until(() => seen === 6, "six messages");
  assert.equal(maxActive, 3, "one handler per partition at once");
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer.stop() gives up a join that waits on a stuck member", async () => {
  const clock = new ManualClock();
  const { kafka, admin, producer } = await setup("t", 2, { clock });
  const release = Promise.withResolvers<void>();
  const a = kafka.consumer({ groupId: "g" });
  await a.connect();
  await a.subscribe({ topics: ["t"], fromBeginning: true });
  let started = false;
  await a.run({
    eachMessage: async () => {
      started = true;
      await release.promise;
    },
  });
  await until(() => a.assignment().t?.length === 2, "a joined");
  await producer.send({ topic: "t", messages: [{ value: "x", partition: 0 }] });
  await until(() => started, "a stuck in its handler");
  const b = kafka.consumer({ groupId: "g" });
  await b.connect();
  await b.subscribe({ topics: ["t"] });
  // run() resolves once b has joined, which waits for a: do not await it.
  const running = b.run({ eachMessage: async () => {} });
  let state = "";
  for (let i = 0; i < 1000 && state !== "PreparingRebalance"; i++) {
    state = (await admin.describeGroups(["g"])).groups[0]!.state;
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.equal(state, "PreparingRebalance", "b waits for a, which is stuck");
  await b.stop(); // returns although the rebalance cannot finish yet
  await running; // and the join b's run() waited on is given up
  release.resolve();
  await a.disconnect();
  await b.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer.run() eachBatch gets whole stored batches, at most 256 KiB a round", async () => {
  const { kafka, admin, producer } = await setup("t", 1);
  const value = "x".repeat(100);
  // One send of 3,000 records (about 330 KB, over a 256 KiB round on its
  // own), then three of 1,500 (about 160 KB each).
  for (const n of [3000, 1500, 1500, 1500]) {
    await producer.send({
      topic: "t",
      messages: Array.from({ length: n }, () => ({ value })),
    });
  }
  const c = kafka.consumer({ groupId: "g" });
  await c.connect();
  await c.subscribe({ topics: ["t"], fromBeginning: true });
  const sizes: number[] = [];
  let next = 0;
  await c.run({
    eachBatch: async ({ batch }) => {
      sizes.push(batch.messages.length);
      for (const m of batch.messages) {
        assert.equal(m.offset, String(next++));
        assert.equal(m.value!.toString(), value);
      }
      await Promise.resolve();
    },
  });
  await until(() => next === 7500, "7,500 messages");
  // The large batch comes whole and alone; then the second 160 KB batch
  // crosses 256 KiB and ends its round.
  assert.deepEqual(sizes, [3000, 3000, 1500]);
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consumer.run() eachMessage heartbeats and auto-commits by interval on the injected clock", async () => {
  const clock = new ManualClock({ start: 1_000_000 });
  const { kafka, admin, producer } = await setup("t", 1, { clock });
  await producer.send({
    topic: "t",
    messages: Array.from({ length: 12 }, (_, i) => ({ value: `m${i}` })),
  });
  const c = kafka.consumer({ groupId: "g", heartbeatInterval: 1_000 });
  await c.connect();
  await c.subscribe({ topics: ["t"], fromBeginning: true });
  let handled = 0;
  const heartbeatsAfter: number[] = [];
  const commits: { after: number; offset: number }[] = [];
  c.on(c.events.HEARTBEAT, () => heartbeatsAfter.push(handled));
  c.on(c.events.COMMIT_OFFSETS, (e) => {
    const topics = e.payload.topics as {
      partitions: { partition: string; offset: string }[];
    }[];
    commits.push({
      after: handled,
      offset: Number(topics[0]!.partitions[0]!.offset),
    });
  });
  await c.run({
    autoCommitInterval: 2_000,
    eachMessage: async () => {
      await clock.advance(600); // each message takes 0.6 s of clock time
      handled++;
    },
  });
  await until(
    () => heartbeatsAfter.includes(12) && commits.at(-1)?.after === 12,
    "the heartbeat and commit after the 12th message",
  );
  // Joined at monotonic 0: a heartbeat once 1 s has passed since the last,
  // so after messages 2, 4, 6, ... (1.2 s each).
  assert.deepEqual(heartbeatsAfter, [2, 4, 6, 8, 10, 12]);
  // A commit once 2 s have passed since the last (2.4 s each), of the offset
  // after the message just handled.
  assert.deepEqual(commits, [
    { after: 4, offset: 4 },
    { after: 8, offset: 8 },
    { after: 12, offset: 12 },
  ]);
  await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});
