// deno-lint-ignore-file require-await -- the pages write async handlers that do not await
// kafkajs's "Consuming Messages" and "Instrumentation Events" pages
// (docs/Consuming.md, docs/InstrumentationEvents.md of kafkajs 2.2.4): their
// calls, with only the import changed, and what the pages say about them.
import assert from "node:assert/strict";
import { Kafka, type LogEntry, logLevel } from "../../kafka/mod.ts";
import { until } from "./_helpers.ts";

/** The client the pages start from (Getting Started's config). */
function docsKafka(logCreator?: () => (e: LogEntry) => void) {
  return new Kafka({
    clientId: "my-app",
    brokers: ["kafka1:9092", "kafka2:9092"],
    logLevel: logCreator ? logLevel.ERROR : logLevel.NOTHING,
    logCreator,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("Consuming: subscribe to topics, several at once, fromBeginning, as the page shows", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  // Messages already in topic-D (fromBeginning) and topic-A (latest).
  await producer.send({ topic: "topic-D", messages: [{ value: "old-d" }] });
  await producer.send({ topic: "topic-A", messages: [{ value: "old-a" }] });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"] });
  // You can subscribe to multiple topics at once
  await consumer.subscribe({ topics: ["topic-B", "topic-C"] });
  // It's possible to start from the beginning of the topic
  await consumer.subscribe({ topics: ["topic-D"], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      seen.push(`${topic}:${message.value!.toString()}`);
    },
  });
  for (const topic of ["topic-A", "topic-B", "topic-C"]) {
    await producer.send({ topic, messages: [{ value: "new" }] });
  }
  await until(() => seen.length === 4, "four messages");
  assert.deepEqual(seen.sort(), [
    "topic-A:new",
    "topic-B:new",
    "topic-C:new",
    "topic-D:old-d",
  ]);
  await consumer.disconnect();
  await producer.disconnect();
});

Deno.test("Consuming: a regular expression subscribes to the topics that exist at subscribe time only", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "topic-EU-1" }, { topic: "topic-us-2" }, {
      topic: "other",
    }],
  });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: [/topic-(eu|us)-.*/i] });
  await admin.createTopics({ topics: [{ topic: "topic-eu-later" }] });
  const topics = new Set<string>();
  await consumer.run({
    eachMessage: async ({ topic }) => void topics.add(topic),
  });
  assert.deepEqual(consumer.assignment(), {
    "topic-EU-1": [0],
    "topic-us-2": [0],
  });
  const producer = kafka.producer();
  await producer.connect();
  for (const topic of ["topic-EU-1", "topic-us-2", "topic-eu-later", "other"]) {
    await producer.send({ topic, messages: [{ value: "x" }] });
  }
  await until(() => topics.size === 2, "two topics");
  await sleep(20);
  assert.deepEqual([...topics].sort(), ["topic-EU-1", "topic-us-2"]);
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consuming: eachMessage gets topic, partition, message, heartbeat and pause", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "topic-A",
    messages: [{ key: "k", value: "v", headers: { h: "1" } }],
  });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  const got = Promise.withResolvers<unknown>();
  await consumer.run({
    eachMessage: async ({ topic, partition, message, heartbeat, pause }) => {
      await heartbeat();
      got.resolve({
        topic,
        partition,
        pause: typeof pause,
        key: message.key!.toString(),
        value: message.value!.toString(),
        headers: Object.keys(message.headers),
      });
    },
  });
  assert.deepEqual(await got.promise, {
    topic: "topic-A",
    partition: 0,
    pause: "function",
    key: "k",
    value: "v",
    headers: ["h"],
  });
  await consumer.disconnect();
  await producer.disconnect();
});

Deno.test("Consuming: eachBatch with resolveOffset, heartbeat, isRunning and isStale; eachBatchAutoResolve false commits only what was resolved", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "topic-A",
    messages: Array.from(
      { length: 10 },
      (_, i) => ({ key: `k${i}`, value: `v${i}` }),
    ),
  });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  const processed: string[] = [];
  const done = Promise.withResolvers<void>();
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (
      {
        batch,
        resolveOffset,
        heartbeat,
        isRunning,
        isStale,
        uncommittedOffsets,
        commitOffsetsIfNecessary,
        pause,
      },
    ) => {
      assert.equal(typeof pause, "function");
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        processed.push(message.value!.toString());
        if (processed.length === 6) break; // stop in the middle of the batch
        resolveOffset(message.offset);
        await heartbeat();
      }
      assert.deepEqual(uncommittedOffsets().topics, [{
        topic: "topic-A",
        partitions: [{ partition: "0", offset: "5" }],
      }]);
      await commitOffsetsIfNecessary();
      done.resolve();
    },
  });
  await done.promise;
  await consumer.stop();
  // "All resolved offsets will be automatically committed after the function is executed."
  const [offsets] = await admin.fetchOffsets({
    groupId: "my-group",
    topics: ["topic-A"],
  });
  assert.equal(offsets!.partitions[0]!.offset, "5");
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consuming: partitionsConsumedConcurrently calls eachMessage up to 3 times at once, in order per partition", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "topic-A", numPartitions: 4 }],
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "topic-A",
    messages: Array.from(
      { length: 40 },
      (_, i) => ({ value: `${i}`, partition: i % 4 }),
    ),
  });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  let inFlight = 0;
  let most = 0;
  const order = new Map<number, number[]>();
  consumer.run({
    partitionsConsumedConcurrently: 3, // Default: 1
    eachMessage: async ({ partition, message }) => {
      // This will be called up to 3 times concurrently
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(1);
      (order.get(partition) ?? order.set(partition, []).get(partition)!).push(
        Number(message.offset),
      );
      inFlight--;
    },
  });
  await until(() => [...order.values()].flat().length === 40, "40 messages");
  assert.equal(most, 3);
  for (const offsets of order.values()) {
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
  }
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consuming: manual commitOffsets with autoCommit disabled, only after run()", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "topic-A", numPartitions: 2 }, { topic: "topic-B" }],
  });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A", "topic-B"] });
  await assert.rejects(
    () =>
      consumer.commitOffsets([{ topic: "topic-A", partition: 0, offset: "1" }]),
    /consumer#run must be called first/,
  );
  consumer.run({
    autoCommit: false,
    eachMessage: async () => {
      // Process the message somehow
    },
  });
  await until(() => consumer.memberId !== undefined, "joined");
  await consumer.commitOffsets([
    { topic: "topic-A", partition: 0, offset: "1" },
    { topic: "topic-A", partition: 1, offset: "3" },
    { topic: "topic-B", partition: 0, offset: "2" },
  ]);
  const offsets = await admin.fetchOffsets({
    groupId: "my-group",
    topics: ["topic-A", "topic-B"],
  });
  assert.deepEqual(
    offsets.map((
      { topic, partitions },
    ) => [topic, partitions.map((p) => p.offset)]),
    [["topic-A", ["1", "3"]], ["topic-B", ["2"]]],
  );
  await consumer.disconnect();
  await admin.disconnect();
});

Deno.test("Consuming: pause and resume a topic, resume one partition of it, pause() from eachMessage, paused()", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "jobs", numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["jobs"] });
  // "Calling resume or pause while the consumer is not running will throw an error."
  assert.throws(
    () => consumer.pause([{ topic: "jobs" }]),
    /consumer#run must be called first/,
  );
  assert.throws(
    () => consumer.resume([{ topic: "jobs" }]),
    /consumer#run must be called first/,
  );
  const seen: [number, string][] = [];
  let resumeThisPartition: (() => void) | undefined;
  await consumer.run({
    eachMessage: async ({ partition, message, pause }) => {
      seen.push([partition, message.value!.toString()]);
      if (message.value!.toString() === "throttled") {
        resumeThisPartition = pause();
      }
    },
  });
  consumer.pause([{ topic: "jobs" }]);
  assert.deepEqual(consumer.paused(), [{ topic: "jobs", partitions: [0, 1] }]);
  await producer.send({
    topic: "jobs",
    messages: [{ value: "a0", partition: 0 }, { value: "a1", partition: 1 }],
  });
  await sleep(20);
  assert.deepEqual(seen, []);
  // Resuming one partition of a paused topic resumes that partition only.
  consumer.resume([{ topic: "jobs", partitions: [0] }]);
  await until(() => seen.length === 1, "partition 0");
  await sleep(20);
  assert.deepEqual(seen, [[0, "a0"]]);
  assert.deepEqual(consumer.paused(), [{ topic: "jobs", partitions: [1] }]);
  consumer.resume([{ topic: "jobs" }]);
  await until(() => seen.length === 2, "partition 1");
  // pause() from eachMessage pauses its own partition and returns its resume.
  await producer.send({
    topic: "jobs",
    messages: [{ value: "throttled", partition: 0 }, {
      value: "later",
      partition: 0,
    }],
  });
  await until(
    () => resumeThisPartition !== undefined,
    "paused from the handler",
  );
  await sleep(20);
  assert.deepEqual(seen.at(-1), [0, "throttled"]);
  assert.deepEqual(consumer.paused(), [{ topic: "jobs", partitions: [0] }]);
  resumeThisPartition!();
  await until(() => seen.at(-1)?.[1] === "later", "resumed");
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Consuming: seek after run (number or string offset) moves the position; with autoCommit it commits the offset sought", async () => {
  const kafka = docsKafka();
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "example",
    messages: Array.from({ length: 20 }, (_, i) => ({ value: `${i}` })),
  });
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["example"] });
  const seen: number[] = [];
  // you don't need to await consumer#run
  consumer.run({
    eachMessage: async ({ message }) => void seen.push(Number(message.offset)),
  });
  await until(() => consumer.memberId !== undefined, "joined");
  consumer.seek({
    topic: "example",
    partition: 0,
    offset: 12 as unknown as string,
  });
  await until(() => seen.length === 8, "from 12");
  assert.deepEqual(seen, [12, 13, 14, 15, 16, 17, 18, 19]);
  await consumer.stop();

  const manual = kafka.consumer({ groupId: "manual" });
  await manual.connect();
  await manual.subscribe({ topics: ["example"] });
  manual.run({ autoCommit: false, eachMessage: async () => {} });
  await until(() => manual.memberId !== undefined, "joined");
  // This will now only resolve the previous offset, not commit it
  manual.seek({ topic: "example", partition: 0, offset: "5" });
  await sleep(20);
  const [committed] = await admin.fetchOffsets({
    groupId: "manual",
    topics: ["example"],
  });
  assert.equal(committed!.partitions[0]!.offset, "-1");
  await manual.disconnect();
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("Instrumentation: consumer events carry kafkajs's payloads; listeners are removed by the returned function", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "topic-A",
    messages: [{ value: "a" }, { value: "b" }],
  });
  const consumer = kafka.consumer({
    groupId: "my-group",
    heartbeatInterval: 1,
  });
  const events = new Map<string, Record<string, unknown>[]>();
  for (const name of Object.values(consumer.events)) {
    consumer.on(name, (e) => {
      assert.deepEqual(Object.keys(e).sort(), [
        "id",
        "payload",
        "timestamp",
        "type",
      ]);
      assert.equal(e.type, name);
      (events.get(name) ?? events.set(name, []).get(name)!).push(e.payload);
    });
  }
  const { HEARTBEAT } = consumer.events;
  let heartbeats = 0;
  const removeListener = consumer.on(HEARTBEAT, (e) => {
    assert.equal(typeof e.timestamp, "number");
    heartbeats++;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      await sleep(2);
    },
  });
  await until(
    () => (events.get(consumer.events.COMMIT_OFFSETS)?.length ?? 0) > 0,
    "a commit",
  );
  await until(() => heartbeats > 0, "a heartbeat");
  removeListener();
  const seenBefore = heartbeats;
  await consumer.disconnect();
  assert.equal(heartbeats, seenBefore);
  const keys = (name: string) => Object.keys(events.get(name)![0]!).sort();
  const e = consumer.events;
  assert.deepEqual(events.get(e.CONNECT), [{}]);
  assert.deepEqual(keys(e.GROUP_JOIN), [
    "duration",
    "groupId",
    "groupProtocol",
    "isLeader",
    "leaderId",
    "memberAssignment",
    "memberId",
  ]);
  assert.deepEqual(events.get(e.GROUP_JOIN)![0]!.memberAssignment, {
    "topic-A": [0],
  });
  assert.deepEqual(keys(e.FETCH_START), ["nodeId"]);
  assert.deepEqual(keys(e.FETCH), ["duration", "nodeId", "numberOfBatches"]);
  const batchKeys = [
    "batchSize",
    "firstOffset",
    "highWatermark",
    "lastOffset",
    "offsetLag",
    "offsetLagLow",
    "partition",
    "topic",
  ];
  assert.deepEqual(keys(e.START_BATCH_PROCESS), batchKeys);
  assert.deepEqual(
    keys(e.END_BATCH_PROCESS),
    [...batchKeys, "duration"].sort(),
  );
  assert.deepEqual(
    { ...events.get(e.START_BATCH_PROCESS)![0]! },
    {
      topic: "topic-A",
      partition: 0,
      highWatermark: "2",
      offsetLag: "0",
      offsetLagLow: "1",
      batchSize: 2,
      firstOffset: "0",
      lastOffset: "1",
    },
  );
  assert.deepEqual(keys(e.HEARTBEAT), [
    "groupGenerationId",
    "groupId",
    "memberId",
  ]);
  const commit = events.get(e.COMMIT_OFFSETS)!.at(-1)!;
  assert.deepEqual(Object.keys(commit).sort(), [
    "groupGenerationId",
    "groupId",
    "memberId",
    "topics",
  ]);
  assert.deepEqual(commit.topics, [{
    topic: "topic-A",
    partitions: [{ partition: "0", offset: "2" }],
  }]);
  assert.deepEqual(events.get(e.STOP), [{}]);
  assert.deepEqual(events.get(e.DISCONNECT), [{}]);
  await producer.disconnect();
});

Deno.test("Instrumentation: a listener's error or rejection is logged and never reaches the consumer; unknown names are refused", async () => {
  const logs: LogEntry[] = [];
  const kafka = docsKafka(() => (entry) => void logs.push(entry));
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "topic-A", messages: [{ value: "a" }] });
  const consumer = kafka.consumer({ groupId: "my-group" });
  assert.throws(
    () => consumer.on("consumer.nope", () => {}),
    /Event name should be one of consumer.events.HEARTBEAT, .*consumer.events.CRASH/,
  );
  consumer.on(consumer.events.GROUP_JOIN, () => {
    throw new Error("listener threw");
  });
  consumer.on(consumer.events.START_BATCH_PROCESS, async () => {
    await Promise.resolve();
    throw new Error("listener rejected");
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  const got = Promise.withResolvers<string>();
  await consumer.run({
    eachMessage: async ({ message }) => got.resolve(message.value!.toString()),
  });
  assert.equal(await got.promise, "a");
  await until(() => logs.length >= 2, "two logged listener failures");
  assert.deepEqual(
    logs.map((l) => [l.namespace, l.label, l.log.message, l.log.eventName])
      .sort(),
    [
      [
        "Consumer",
        "ERROR",
        "Failed to execute listener: listener rejected",
        consumer.events.START_BATCH_PROCESS,
      ],
      [
        "Consumer",
        "ERROR",
        "Failed to execute listener: listener threw",
        consumer.events.GROUP_JOIN,
      ],
    ],
  );
  await consumer.disconnect();
  await producer.disconnect();
});

Deno.test("Instrumentation: CRASH after the retries, with restart: true, then the consumer restarts; restartOnFailure can refuse", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "topic-A", messages: [{ value: "poison" }] });
  let calls = 0;
  const asked: Error[] = [];
  let restart = true;
  const consumer = kafka.consumer({
    groupId: "my-group",
    retry: {
      retries: 1,
      initialRetryTime: 1,
      restartOnFailure: async (e) => {
        asked.push(e);
        return await Promise.resolve(restart);
      },
    },
  });
  const crashes: Record<string, unknown>[] = [];
  consumer.on(consumer.events.CRASH, (e) => void crashes.push(e.payload));
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      calls++;
      if (calls === 4) restart = false;
      throw new Error("cannot process");
    },
  });
  // Two attempts (one retry), crash, restart, two attempts, crash for good.
  await until(() => crashes.length === 2, "two crashes");
  await sleep(20);
  assert.equal(calls, 4);
  assert.deepEqual(crashes.map((c) => c.restart), [true, false]);
  const error = crashes[0]!.error as Error & {
    retryCount: number;
    cause: Error;
  };
  assert.equal(error.name, "KafkaJSNumberOfRetriesExceeded");
  assert.equal(error.retryCount, 1);
  assert.equal(error.cause.message, "cannot process");
  assert.equal(crashes[0]!.groupId, "my-group");
  assert.equal(asked.length, 2);
  assert.equal(asked[0], error);
  await consumer.disconnect();
  await producer.disconnect();
});

Deno.test("Instrumentation: a non-retriable error crashes at once without a restart", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "topic-A", messages: [{ value: "x" }] });
  const consumer = kafka.consumer({ groupId: "my-group" });
  const crashed = Promise.withResolvers<Record<string, unknown>>();
  consumer.on(consumer.events.CRASH, (e) => crashed.resolve(e.payload));
  await consumer.connect();
  await consumer.subscribe({ topics: ["topic-A"], fromBeginning: true });
  let calls = 0;
  await consumer.run({
    eachMessage: async () => {
      calls++;
      // A TypeError is one of kafkajs's unrecoverable errors.
      (null as unknown as { x: number }).x;
      await Promise.resolve();
    },
  });
  const { error, restart } = await crashed.promise;
  assert.equal((error as Error).name, "KafkaJSNonRetriableError");
  assert.equal(((error as Error).cause as Error).name, "TypeError");
  assert.equal(restart, false);
  assert.equal(calls, 1);
  await consumer.disconnect();
  await producer.disconnect();
});

Deno.test("Consumer yields to the event loop between fetch rounds: timers fire while a backlog drains", async () => {
  const kafka = docsKafka();
  const producer = kafka.producer();
  await producer.connect();
  const value = "x".repeat(100);
  for (let i = 0; i < 20; i++) {
    await producer.send({
      topic: "backlog",
      messages: Array.from({ length: 50 }, () => ({ value })),
    });
  }
  const consumer = kafka.consumer({ groupId: "my-group" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["backlog"], fromBeginning: true });
  let rounds = 0;
  let timerFired = false;
  const starved = Promise.withResolvers<string>();
  // An eachBatch that resolves nothing: the same backlog comes back forever.
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async () => {
      // Without a macrotask between rounds, the timer below never fires.
      if (++rounds === 3000 && !timerFired) {
        starved.resolve("starved");
        void consumer.stop();
      }
      await Promise.resolve();
    },
  });
  const timer = new Promise<string>((resolve) =>
    setTimeout(() => {
      timerFired = true;
      resolve("timer");
    }, 5)
  );
  assert.equal(await Promise.race([timer, starved.promise]), "timer");
  await consumer.disconnect();
  await producer.disconnect();
});
