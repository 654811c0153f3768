// Record headers as kafkajs documents them: "a header value can be either a
// string or an array of strings"; repeated keys come back as arrays, in
// order, in the producer, decodeRecordBatch, readPartitionLog and the
// consumer alike; a null value stays null.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  decodeRecordBatch,
  encodeRecordBatch,
  Kafka,
  type KafkaMessage,
  readPartitionLog,
} from "../../kafka/mod.ts";

const te = new TextEncoder();
const text = (v: unknown): unknown =>
  v === null
    ? null
    : Array.isArray(v)
    ? v.map(text)
    : new TextDecoder().decode(v as Uint8Array);
const texts = (h: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, text(v)]));

Deno.test("decodeRecordBatch() keeps every header in order; a repeated key is an array, a null value null", () => {
  const bytes = encodeRecordBatch(0, [{
    key: null,
    value: null,
    timestamp: 0,
    headers: [
      ["tags", te.encode("a")],
      ["one", te.encode("x")],
      ["tags", te.encode("b")],
      ["tags", te.encode("c")],
      ["none", null],
      ["__proto__", te.encode("p")],
    ],
  }]);
  const h = decodeRecordBatch(bytes).records[0]!.headers;
  assert.deepEqual(texts(h), {
    tags: ["a", "b", "c"],
    one: "x",
    none: null,
    ["__proto__"]: "p",
  });
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
});

Deno.test("Producer.send() headers with arrays and null reach readPartitionLog and eachMessage intact", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_headers_" });
  const kafka = new Kafka({ logDir });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: "g" });
  try {
    await producer.connect();
    await producer.send({
      topic: "topic-name",
      messages: [{
        key: "key1",
        value: "hello world",
        headers: {
          "correlation-id": "2bfb68bb-893a-423b-a7fa-7b568cad5b67",
          "system-id": "my-system",
          tags: ["a", "b"],
          trace: null,
        },
      }],
    });
    const expected = {
      "correlation-id": "2bfb68bb-893a-423b-a7fa-7b568cad5b67",
      "system-id": "my-system",
      tags: ["a", "b"],
      trace: null,
    };
    for await (const r of readPartitionLog(logDir, "topic-name", 0)) {
      assert.deepEqual(texts(r.headers), expected);
    }
    await consumer.connect();
    await consumer.subscribe({ topics: ["topic-name"], fromBeginning: true });
    const got = Promise.withResolvers<KafkaMessage>();
    await consumer.run({
      eachMessage: ({ message }) => Promise.resolve(got.resolve(message)),
    });
    const message = await got.promise;
    assert.deepEqual(texts(message.headers), expected);
    const tags = message.headers.tags as Buffer[];
    assert.ok(tags.every((b) => b instanceof Buffer));
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await Deno.remove(logDir, { recursive: true });
  }
});
