// Produce over the wire with an idempotent producer's batches: a retried
// batch is acknowledged with its first offsets and not written twice, a gap
// in sequence numbers is refused.

import assert from "node:assert/strict";
import { serveKafka } from "../../../kafka/mod.ts";
import {
  decodeResponse,
  encodeRequest,
} from "../../../kafka/protocol/_framing.ts";
import {
  ProduceRequest,
  ProduceResponse,
} from "../../../kafka/protocol/_produce.ts";
import { MetadataRequest } from "../../../kafka/protocol/_metadata.ts";
import {
  ListOffsetsRequest,
  ListOffsetsResponse,
} from "../../../kafka/protocol/_fetch.ts";
import { encodeRecordBatch } from "../../../kafka/protocol/record_batch.ts";
import { RawClient } from "./_helpers.ts";

Deno.test("serveKafka Produce dedupes an idempotent retry and refuses a sequence gap", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const c = await RawClient.connect(server.port);
  try {
    let id = 0;
    const produce = async (baseSequence: number, n: number) => {
      const records = Array.from({ length: n }, (_, i) => ({
        key: null,
        value: new TextEncoder().encode(`r${baseSequence + i}`),
        timestamp: 1,
      }));
      const batch = encodeRecordBatch(0, records, 0, {
        producerId: 42,
        producerEpoch: 0,
        baseSequence,
      });
      await c.write(encodeRequest(ProduceRequest, 7, ++id, "raw", {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{
          name: "idem",
          partitionData: [{ index: 0, records: batch }],
        }],
      }));
      const body = decodeResponse((await c.frame())!, ProduceResponse, 7).body;
      return body.responses[0].partitionResponses[0];
    };
    await c.write(encodeRequest(MetadataRequest, 4, ++id, "raw", {
      topics: [{ name: "idem" }],
      allowAutoTopicCreation: true,
    }));
    await c.frame();
    const first = await produce(0, 3);
    assert.deepEqual([first.errorCode, first.baseOffset], [0, 0]);
    const second = await produce(3, 2);
    assert.deepEqual([second.errorCode, second.baseOffset], [0, 3]);
    // The same batch again (a retry after a lost answer): same offsets.
    const retry = await produce(3, 2);
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 3]);
    // A batch that skips sequence numbers: OUT_OF_ORDER_SEQUENCE_NUMBER.
    const gap = await produce(9, 1);
    assert.equal(gap.errorCode, 45);
    const next = await produce(5, 1);
    assert.deepEqual([next.errorCode, next.baseOffset], [0, 5]);
  } finally {
    c.close();
  }
});

Deno.test("serveKafka Produce with acks 0 sends no answer; an oversized batch is MESSAGE_TOO_LARGE", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const c = await RawClient.connect(server.port);
  try {
    await c.write(encodeRequest(MetadataRequest, 4, 1, "raw", {
      topics: [{ name: "quiet" }],
      allowAutoTopicCreation: true,
    }));
    await c.frame();
    const send = (id: number, acks: number, value: Uint8Array) =>
      encodeRequest(ProduceRequest, 7, id, "raw", {
        transactionalId: null,
        acks,
        timeoutMs: 1000,
        topicData: [{
          name: "quiet",
          partitionData: [{
            index: 0,
            records: encodeRecordBatch(0, [{ key: null, value, timestamp: 1 }]),
          }],
        }],
      });
    // acks 0: the next answer on the connection is the next request's.
    await c.write(send(2, 0, new Uint8Array([1])));
    const big = await (async () => {
      await c.write(send(3, 1, new Uint8Array(2 * 1024 * 1024)));
      return decodeResponse((await c.frame())!, ProduceResponse, 7);
    })();
    assert.equal(big.correlationId, 3);
    assert.equal(big.body.responses[0].partitionResponses[0].errorCode, 10);
    await c.write(send(4, 1, new Uint8Array([2])));
    const after = decodeResponse((await c.frame())!, ProduceResponse, 7);
    assert.equal(after.correlationId, 4);
    // The acks-0 record went in first, the oversized one not at all.
    assert.equal(after.body.responses[0].partitionResponses[0].baseOffset, 1);
  } finally {
    c.close();
  }
});

Deno.test("serveKafka ListOffsets answers -1, -2 and a time with the found record's timestamp", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const c = await RawClient.connect(server.port);
  try {
    await c.write(encodeRequest(MetadataRequest, 4, 1, "raw", {
      topics: [{ name: "times" }],
      allowAutoTopicCreation: true,
    }));
    await c.frame();
    const records = encodeRecordBatch(
      0,
      [1000, 2000, 3000].map((timestamp) => ({
        key: null,
        value: null,
        timestamp,
      })),
    );
    await c.write(encodeRequest(ProduceRequest, 7, 2, "raw", {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: "times", partitionData: [{ index: 0, records }] }],
    }));
    await c.frame();
    const ask = async (id: number, timestamp: number) => {
      await c.write(encodeRequest(ListOffsetsRequest, 5, id, "raw", {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{
          name: "times",
          partitions: [{
            partitionIndex: 0,
            currentLeaderEpoch: -1,
            timestamp,
          }],
        }],
      }));
      const p = decodeResponse((await c.frame())!, ListOffsetsResponse, 5).body
        .topics[0].partitions[0];
      return [p.errorCode, p.offset, p.timestamp];
    };
    assert.deepEqual(await ask(3, -1), [0, 3, -1]);
    assert.deepEqual(await ask(4, -2), [0, 0, -1]);
    assert.deepEqual(await ask(5, 1500), [0, 1, 2000]);
    assert.deepEqual(await ask(6, 9999), [0, -1, -1]);
  } finally {
    c.close();
  }
});
