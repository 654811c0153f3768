// DeleteRecords over the wire: kafkajs 2.2.4's admin.deleteTopicRecords
// moves the log start for good (new consumers, ListOffsets, a restart), a
// bad offset comes back as kafkajs's error, and the flexible v2 answers
// carry Kafka's codes for unknown partitions, -1 and offsets below the start.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { serveKafka } from "../../../kafka/mod.ts";
import {
  ApiVersionsRequest,
  ApiVersionsResponse,
} from "../../../kafka/protocol/_api_versions.ts";
import {
  DeleteRecordsRequest,
  DeleteRecordsResponse,
} from "../../../kafka/protocol/_admin.ts";
import {
  decodeResponse,
  encodeRequest,
} from "../../../kafka/protocol/_framing.ts";
import { RawClient, until } from "./_helpers.ts";

const client = (port: number) =>
  new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: "kafkajs-delete-records",
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });

async function segmentFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".log")) n++;
  return n;
}

/** The values a new group reads from the beginning of `topic`. */
async function readAll(
  kafka: Kafka,
  topic: string,
  groupId: string,
  expected: number,
): Promise<{ offset: string; value: string }[]> {
  const consumer = kafka.consumer({ groupId });
  const got: { offset: string; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ offset: message.offset, value: String(message.value) });
        await Promise.resolve();
      },
    });
    await until(() => got.length >= expected, `${expected} messages`, 15_000);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

Deno.test("serveKafka answers kafkajs deleteTopicRecords: records before the offset are gone, for good", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_delete_records_" });
  try {
    let server = await serveKafka({ logDir, port: 0, log: () => {} });
    let kafka = client(server.port);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{
          topic: "events",
          numPartitions: 1,
          configEntries: [{ name: "segment.bytes", value: "200" }],
        }],
      });
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 10; i++) {
        await producer.send({
          topic: "events",
          messages: [{ value: `m${i}` }],
        });
      }
      await producer.disconnect();
      const partitionDir = join(logDir, "events-0");
      const segmentsBefore = await segmentFiles(partitionDir);
      assert.ok(segmentsBefore > 2, `only ${segmentsBefore} segments`);

      // kafkajs looks the partition leaders up in the metadata it already
      // holds (against Kafka as well): the topic must be known to it first.
      await admin.fetchTopicMetadata({ topics: ["events"] });
      await admin.deleteTopicRecords({
        topic: "events",
        partitions: [{ partition: 0, offset: "6" }],
      });
      assert.deepEqual(
        (await admin.fetchTopicOffsets("events")).map((p) => [p.low, p.high]),
        [["6", "10"]],
      );
      assert.ok(await segmentFiles(partitionDir) < segmentsBefore);
      assert.deepEqual(await readAll(kafka, "events", "after-delete", 4), [
        { offset: "6", value: "m6" },
        { offset: "7", value: "m7" },
        { offset: "8", value: "m8" },
        { offset: "9", value: "m9" },
      ]);

      // Beyond the high watermark: OFFSET_OUT_OF_RANGE, nothing deleted.
      const error = await admin.deleteTopicRecords({
        topic: "events",
        partitions: [{ partition: 0, offset: "11" }],
      }).then(() => undefined, (e) => e);
      // kafkajs's retrier wraps the per-partition error it does not retry.
      assert.equal(error?.name, "KafkaJSNonRetriableError");
      assert.equal(error.cause.name, "KafkaJSDeleteTopicRecordsError");
      assert.equal(
        error.cause.partitions[0].error.type,
        "OFFSET_OUT_OF_RANGE",
      );
      assert.equal(error.cause.partitions[0].offset, "11");
      assert.equal((await admin.fetchTopicOffsets("events"))[0]!.low, "6");
    } finally {
      await admin.disconnect();
      await server.close();
    }

    // The log start survives a restart.
    server = await serveKafka({ logDir, port: 0, log: () => {} });
    kafka = client(server.port);
    const again = kafka.admin();
    await again.connect();
    try {
      assert.deepEqual(
        (await again.fetchTopicOffsets("events")).map((p) => [p.low, p.high]),
        [["6", "10"]],
      );
      // -1: everything up to the high watermark.
      await again.deleteTopicRecords({
        topic: "events",
        partitions: [{ partition: 0, offset: "-1" }],
      });
      assert.equal((await again.fetchTopicOffsets("events"))[0]!.low, "10");
    } finally {
      await again.disconnect();
      await server.close();
    }
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("serveKafka answers DeleteRecords v2 with Kafka's codes per partition", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const kafka = client(server.port);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "t",
    messages: ["a", "b", "c", "d"].map((value) => ({ value })),
  });
  await producer.disconnect();
  const raw = await RawClient.connect(server.port);
  try {
    const call = async (
      id: number,
      topics: {
        name: string;
        partitions: { partitionIndex: number; offset: number }[];
      }[],
    ) => {
      await raw.write(
        encodeRequest(DeleteRecordsRequest, 2, id, "raw", {
          topics,
          timeoutMs: 1000,
        }),
      );
      const frame = await raw.frame();
      assert.ok(frame, "connection closed");
      const { correlationId, body } = decodeResponse(
        frame,
        DeleteRecordsResponse,
        2,
      );
      assert.equal(correlationId, id);
      return body.topics.map((t: Record<string, unknown>) => [
        t.name,
        (t.partitions as Record<string, unknown>[]).map((p) => [
          p.partitionIndex,
          p.lowWatermark,
          p.errorCode,
        ]),
      ]);
    };
    await raw.write(encodeRequest(ApiVersionsRequest, 2, 0, "raw", {}));
    const versions = decodeResponse(
      await raw.frame() ?? new Uint8Array(),
      ApiVersionsResponse,
      2,
    ).body;
    assert.deepEqual(
      versions.apiKeys.find((k: Record<string, number>) => k.apiKey === 21),
      { apiKey: 21, minVersion: 0, maxVersion: 2 },
    );
    // 0 = NONE, 1 = OFFSET_OUT_OF_RANGE, 3 = UNKNOWN_TOPIC_OR_PARTITION.
    assert.deepEqual(
      await call(1, [
        { name: "t", partitions: [{ partitionIndex: 0, offset: 2 }] },
        { name: "missing", partitions: [{ partitionIndex: 0, offset: 1 }] },
      ]),
      [["t", [[0, 2, 0]]], ["missing", [[0, -1, 3]]]],
    );
    assert.deepEqual(
      await call(2, [{
        name: "t",
        partitions: [
          { partitionIndex: 0, offset: 1 }, // below the start: no change
          { partitionIndex: 5, offset: 1 },
        ],
      }]),
      [["t", [[0, 2, 0], [5, -1, 3]]]],
    );
    assert.deepEqual(
      await call(3, [{
        name: "t",
        partitions: [{ partitionIndex: 0, offset: -2 }],
      }]),
      [["t", [[0, -1, 1]]]],
    );
    assert.deepEqual(
      await call(4, [{
        name: "t",
        partitions: [{ partitionIndex: 0, offset: -1 }],
      }]),
      [["t", [[0, 4, 0]]]],
    );
  } finally {
    raw.close();
  }
});
