import assert from "node:assert/strict";
import { SparkContext, SparkError } from "../../spark/mod.ts";
import { Kafka } from "../../kafka/mod.ts";
import { bag, rand } from "./_helpers.ts";

async function writeTopic(
  logDir: string,
  topic: string,
  partitions: number,
  messages: { key: string; value: string }[],
): Promise<void> {
  const kafka = new Kafka({ logDir });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += 100) {
    await producer.send({ topic, messages: messages.slice(i, i + 100) });
  }
  await producer.disconnect();
}

Deno.test("SparkContext.fromTopic() reads every record of every partition from disk", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    const r = rand(7);
    const messages = Array.from({ length: 500 }, (_, i) => {
      const key = `k${Math.floor(r() * 9)}`;
      return {
        key,
        value: JSON.stringify({ i, key, mag: Math.round(r() * 70) / 10 }),
      };
    });
    await writeTopic(logDir, "quakes", 3, messages);
    await using sc = new SparkContext({ parallelism: 2 });
    const rdd = sc.fromTopic<{ i: number; key: string; mag: number }>({
      logDir,
      topic: "quakes",
      decode: "json",
    });
    assert.equal(rdd.numPartitions, 3);
    const all = await rdd.collect();
    assert.deepEqual(
      bag(all.map((x) => [x.key, x.value])),
      bag(messages.map((m) => [m.key, JSON.parse(m.value)])),
    );
    // Records of a partition come in offset order; a key stays in one partition.
    const parts = await rdd.glom().collect();
    const home = new Map<string, number>();
    parts.forEach((p, i) => {
      p.forEach((rec, j) => {
        assert.equal(rec.partition, i);
        assert.equal(rec.topic, "quakes");
        assert.equal(Number(rec.offset), j);
        assert.ok(!home.has(rec.key!) || home.get(rec.key!) === i);
        home.set(rec.key!, i);
      });
    });
    // An aggregation over the topic matches a plain loop.
    const ref = new Map<string, number>();
    for (const m of messages) {
      const v = JSON.parse(m.value);
      if (v.mag > 4) ref.set(m.key, (ref.get(m.key) ?? 0) + 1);
    }
    const counted = await rdd.filter((x, env) => x.value.mag > env.min, {
      min: 4,
    })
      .map((x) => [x.key, 1] as [string | null, number])
      .reduceByKey((a, b) => a + b)
      .collectAsMap();
    assert.deepEqual(new Map([...counted].sort()), new Map([...ref].sort()));
    // Other decodings.
    const strings = await sc.fromTopic({ logDir, topic: "quakes" }).map((x) =>
      typeof x.value
    ).distinct().collect();
    assert.deepEqual(strings, ["string"]);
    const bytes = await sc.fromTopic({
      logDir,
      topic: "quakes",
      decode: "bytes",
    }).first();
    assert.ok(bytes.value instanceof Uint8Array);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("SparkContext.fromTopic() rejects a missing topic, a bad name and a bad decoding", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 1 });
    assert.throws(
      () => sc.fromTopic({ logDir, topic: "nope" }),
      /Topic has no partitions in log directory: "nope"/,
    );
    assert.throws(
      () => sc.fromTopic({ logDir, topic: "../etc" }),
      /Topic name must match \[a-zA-Z0-9._-\]\+: "..\/etc"/,
    );
    assert.throws(
      () => sc.fromTopic({ logDir: `${logDir}/missing`, topic: "t" }),
      (e) =>
        e instanceof SparkError &&
        /Log directory cannot be read/.test(e.message),
    );
    await writeTopic(logDir, "t", 1, [{ key: "a", value: "1" }]);
    assert.throws(
      () => sc.fromTopic({ logDir, topic: "t", decode: "xml" as "json" }),
      /decode must be json, string or bytes: "xml"/,
    );
    assert.deepEqual(
      await sc.fromTopic({ logDir, topic: "t" }).map((x) => x.value).collect(),
      ["1"],
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("SparkContext.fromTopic() cuts a skewed topic into offset ranges with minPartitions", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    const pad = "x".repeat(200);
    // Nearly every record has one key, so one topic partition holds them all.
    const messages = Array.from({ length: 4_000 }, (_, i) => ({
      key: i % 50 === 0 ? `rare${i % 7}` : "hot",
      value: JSON.stringify({ i, pad }),
    }));
    await writeTopic(logDir, "skewed", 2, messages);
    await using sc = new SparkContext({ parallelism: 2 });
    const whole = sc.fromTopic({ logDir, topic: "skewed", decode: "json" });
    assert.equal(whole.numPartitions, 2);
    const rdd = sc.fromTopic<{ i: number }>({
      logDir,
      topic: "skewed",
      decode: "json",
      minPartitions: 8,
    });
    assert.ok(rdd.numPartitions >= 8, `got ${rdd.numPartitions} splits`);
    const parts = await rdd.glom().collect();
    // Splits are balanced: none holds more than about twice its share.
    const largest = Math.max(...parts.map((p) => p.length));
    assert.ok(largest <= (2 * messages.length) / 8, `largest split ${largest}`);
    // Every record exactly once; each topic partition's offsets complete and in order.
    const seen = new Map<number, number[]>();
    for (const part of parts) {
      for (const rec of part) {
        const list = seen.get(rec.partition) ?? [];
        list.push(Number(rec.offset));
        seen.set(rec.partition, list);
      }
    }
    let total = 0;
    for (const offsets of seen.values()) {
      assert.deepEqual(offsets, offsets.map((_, i) => i));
      total += offsets.length;
    }
    assert.equal(total, messages.length);
    assert.deepEqual(
      (await rdd.map((r) => r.value.i).collect()).sort((a, b) => a - b),
      messages.map((_, i) => i),
    );
    assert.throws(
      () => sc.fromTopic({ logDir, topic: "skewed", minPartitions: 0 }),
      /minPartitions must be an integer >= 1: 0/,
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("SparkContext.fromTopic() decodes ASCII, multibyte and null values alike", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    const ascii = ["a", "bb", "", '{"x":1}'].map((v) => ({
      key: "k",
      value: v,
    }));
    const multibyte = ["héllo", "日本", "a", "🌋 Taiwan"].map((v) => ({
      key: "ключ",
      value: v,
    }));
    await writeTopic(logDir, "text", 1, ascii);
    await writeTopic(logDir, "mixed", 1, multibyte);
    const kafka = new Kafka({ logDir });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "text",
      messages: [{ key: null, value: null }, { key: "z", value: "after-null" }],
    });
    await producer.disconnect();
    await using sc = new SparkContext({ parallelism: 1 });
    const text = await sc.fromTopic<string | null>({ logDir, topic: "text" })
      .map((r) => [r.key, r.value]).collect();
    assert.deepEqual(text, [
      ["k", "a"],
      ["k", "bb"],
      ["k", ""],
      ["k", '{"x":1}'],
      [null, null],
      ["z", "after-null"],
    ]);
    const mixed = await sc.fromTopic<string>({ logDir, topic: "mixed" }).map((
      r,
    ) => [r.key, r.value]).collect();
    assert.deepEqual(mixed, multibyte.map((m) => [m.key, m.value]));
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("SparkContext.fromTopic() decodes keys that look alike to its key table", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    // Same length and end bytes, different middles; empty, long and multibyte keys.
    const keys = [
      "abc",
      "axc",
      "abc",
      "a\u00e9c",
      "",
      "k".repeat(40),
      "axc",
      "abc",
    ];
    await writeTopic(
      logDir,
      "keys",
      1,
      keys.map((key, i) => ({ key, value: String(i) })),
    );
    await using sc = new SparkContext({ parallelism: 1 });
    const got = await sc.fromTopic({ logDir, topic: "keys" }).map((r) => r.key)
      .collect();
    assert.deepEqual(got, keys);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("SparkContext.fromTopic() skips transaction markers (control batches)", async () => {
  const logDir = await Deno.makeTempDir();
  try {
    const kafka = new Kafka({ logDir });
    const producer = kafka.producer({
      transactionalId: "spark-tx",
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({
      topic: "tx",
      messages: [{ key: "a", value: "one" }, { key: "a", value: "two" }],
    });
    await tx.commit();
    await producer.disconnect();
    await using sc = new SparkContext({ parallelism: 1 });
    const values = await sc.fromTopic({ logDir, topic: "tx" })
      .map((r) => r.value).collect();
    assert.deepEqual(values, ["one", "two"]);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
