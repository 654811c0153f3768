import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../internal/clock.ts";
import { Kafka, listPartitions, partitionForKey } from "../../kafka/mod.ts";
import { setup, until } from "./_helpers.ts";

Deno.test("readPartitionLog() reads partitions from Workers while the broker is closed", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_worker_" });
  try {
    const { admin, producer } = await setup("t", 3, { logDir });
    await producer.send({
      topic: "t",
      messages: Array.from(
        { length: 900 },
        (_, i) => ({ key: `k${i}`, value: "v".repeat(i % 50) }),
      ),
    });
    await producer.disconnect();
    await admin.disconnect();
    const expected = new Map<number, { count: number; bytes: number }>();
    for (let i = 0; i < 900; i++) {
      const p = partitionForKey(`k${i}`, 3);
      const e = expected.get(p) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += i % 50;
      expected.set(p, e);
    }
    const partitions = await listPartitions(logDir, "t");
    const results = await Promise.all(
      partitions.map((partition) =>
        new Promise<
          { partition: number; count: number; bytes: number; first: number }
        >((resolve, reject) => {
          const w = new Worker(
            new URL("./_reader_worker.ts", import.meta.url),
            { type: "module" },
          );
          w.onmessage = (e) => {
            w.terminate();
            resolve(e.data);
          };
          w.onerror = (e) => {
            w.terminate();
            reject(e);
          };
          w.postMessage({ logDir, topic: "t", partition });
        })
      ),
    );
    for (const r of results) {
      assert.equal(r.first, 0);
      assert.deepEqual(
        { count: r.count, bytes: r.bytes },
        expected.get(r.partition),
      );
    }
    assert.equal(results.reduce((n, r) => n + r.count, 0), 900);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Kafka with flushIntervalMs acknowledges before fsync and flushes on the clock", async () => {
  const clock = new ManualClock({ start: 0 });
  const logDir = await Deno.makeTempDir({ prefix: "kafka_flush_" });
  try {
    const { admin, producer } = await setup("t", 1, {
      logDir,
      clock,
      flushIntervalMs: 1000,
    });
    const [meta] = await producer.send({
      topic: "t",
      messages: [{ value: "a" }],
    });
    assert.equal(meta!.baseOffset, "0");
    await clock.advance(1000); // the background flush runs
    await producer.send({ topic: "t", messages: [{ value: "b" }] });
    await producer.disconnect();
    await admin.disconnect(); // closing flushes the rest
    const size =
      (await Deno.stat(join(logDir, "t-0", "00000000000000000000.log"))).size;
    assert.ok(size > 120, `two batches on disk: ${size}`);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Kafka without logDir keeps data in memory across client disconnects", async () => {
  const kafka = new Kafka({});
  const { admin, producer } = await (async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "t" }] });
    const producer = kafka.producer();
    await producer.connect();
    return { admin, producer };
  })();
  await producer.send({ topic: "t", messages: [{ value: "kept" }] });
  await producer.disconnect();
  await admin.disconnect();
  const again = kafka.admin();
  await again.connect();
  assert.deepEqual(await again.listTopics(), ["t"]);
  const [r] = await again.fetchRecords({
    topic: "t",
    partition: 0,
    offset: "0",
  });
  assert.equal(new TextDecoder().decode(r!.value!), "kept");
  await again.disconnect();
});

Deno.test("Consumer autoCommitThreshold commits every n messages; regex subscriptions match topics", async () => {
  const { kafka, admin, producer } = await setup("logs.app", 1);
  await admin.createTopics({
    topics: [{ topic: "logs.db" }, { topic: "other" }],
  });
  for (const topic of ["logs.app", "logs.db", "other"]) {
    await producer.send({
      topic,
      messages: Array.from(
        { length: 10 },
        (_, i) => ({ value: `${topic}-${i}` }),
      ),
    });
  }
  const c = kafka.consumer({ groupId: "g" });
  const commits: number[] = [];
  c.on(
    c.events.COMMIT_OFFSETS,
    (e) => commits.push((e.payload.topics as unknown[]).length),
  );
  await c.connect();
  await c.subscribe({ topics: [/^logs\./], fromBeginning: true });
  const seen: string[] = [];
  await c.run({
    autoCommitThreshold: 4,
    autoCommitInterval: 60_000,
    eachMessage: ({ message }) => {
      seen.push(message.value!.toString());
      return Promise.resolve();
    },
  });
  await until(() => seen.length === 20, "20 messages");
  assert.ok(seen.every((v) => v.startsWith("logs.")));
  assert.deepEqual(c.assignment(), { "logs.app": [0], "logs.db": [0] });
  await until(() => commits.length >= 4, "threshold commits");
  await c.disconnect();
  const offsets = await admin.fetchOffsets({
    groupId: "g",
    topics: ["logs.app", "logs.db"],
  });
  assert.deepEqual(offsets.map((t) => t.partitions[0]!.offset), ["10", "10"]);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("PartitionLog rolls the active segment after segment.ms", async () => {
  const clock = new ManualClock({ start: 0 });
  const logDir = await Deno.makeTempDir({ prefix: "kafka_roll_" });
  try {
    const { admin, producer } = await setup("t", 1, { logDir, clock }, [{
      name: "segment.ms",
      value: "60000",
    }]);
    await producer.send({ topic: "t", messages: [{ value: "a" }] });
    await clock.advance(30_000);
    await producer.send({ topic: "t", messages: [{ value: "b" }] });
    await clock.advance(30_000);
    await producer.send({ topic: "t", messages: [{ value: "c" }] });
    await producer.disconnect();
    await admin.disconnect();
    const logs = [...Deno.readDirSync(join(logDir, "t-0"))].map((e) => e.name)
      .filter((n) => n.endsWith(".log")).sort();
    assert.deepEqual(logs, [
      "00000000000000000000.log",
      "00000000000000000002.log",
    ]);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
