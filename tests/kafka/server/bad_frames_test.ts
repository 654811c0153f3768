// Frames no client should send, sent on purpose: each is answered with
// Kafka's error code or closes only its own connection with a log line,
// while another client goes on being served and the log keeps its records.

import assert from "node:assert/strict";
import { join } from "node:path";
import { seededRandom } from "../../../internal/random.ts";
import { serveKafka } from "../../../kafka/mod.ts";
import {
  ApiVersionsRequest,
  ApiVersionsResponse,
} from "../../../kafka/protocol/_api_versions.ts";
import { FetchRequest, FetchResponse } from "../../../kafka/protocol/_fetch.ts";
import {
  decodeResponse,
  encodeRequest,
} from "../../../kafka/protocol/_framing.ts";
import {
  MetadataRequest,
  MetadataResponse,
} from "../../../kafka/protocol/_metadata.ts";
import {
  ProduceRequest,
  ProduceResponse,
} from "../../../kafka/protocol/_produce.ts";
import {
  decodeRecordBatch,
  encodeRecordBatch,
} from "../../../kafka/protocol/record_batch.ts";
import type { Struct } from "../../../kafka/protocol/_schema.ts";
import { RawClient } from "./_helpers.ts";

const te = new TextEncoder();

function batch(values: string[]): Uint8Array {
  return encodeRecordBatch(
    0,
    values.map((v) => ({ key: null, value: te.encode(v), timestamp: 1000 })),
  );
}

function produce(
  correlationId: number,
  topic: string,
  records: Uint8Array,
): Uint8Array {
  return encodeRequest(ProduceRequest, 7, correlationId, "raw", {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
}

function fetch(
  correlationId: number,
  topic: string,
  offset: number,
  maxWaitMs: number,
): Uint8Array {
  return encodeRequest(FetchRequest, 11, correlationId, "raw", {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{
      topic,
      partitions: [{
        partition: 0,
        fetchOffset: offset,
        partitionMaxBytes: 1 << 20,
      }],
    }],
    forgottenTopicsData: [],
    rackId: "",
  });
}

const apiVersions = (id: number) =>
  encodeRequest(ApiVersionsRequest, 2, id, "raw", {});

async function call(
  c: RawClient,
  frame: Uint8Array,
  schema: typeof ProduceResponse,
  version: number,
): Promise<Struct> {
  await c.write(frame);
  const body = await c.frame();
  assert.ok(body, "connection closed");
  return decodeResponse(body, schema, version).body;
}

async function stillServes(c: RawClient, id: number): Promise<void> {
  const body = await call(c, apiVersions(id), ApiVersionsResponse, 2);
  assert.equal(body.errorCode, 0);
  assert.ok(body.apiKeys.length >= 10);
}

Deno.test("serveKafka answers or closes bad frames and keeps serving others", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_bad_frames_" });
  const logs: string[] = [];
  const server = await serveKafka({
    logDir,
    port: 0,
    log: (l) => logs.push(l),
  });
  const healthy = await RawClient.connect(server.port);
  try {
    const created = await call(
      healthy,
      encodeRequest(MetadataRequest, 4, 1, "raw", {
        topics: [{ name: "good" }],
        allowAutoTopicCreation: true,
      }),
      MetadataResponse,
      4,
    );
    assert.equal(created.topics[0].errorCode, 0);
    const stored = await call(
      healthy,
      produce(2, "good", batch(["a", "b", "c"])),
      ProduceResponse,
      7,
    );
    assert.equal(stored.responses[0].partitionResponses[0].errorCode, 0);

    // Random bytes behind a plausible size: answered as an unknown API or
    // closed as malformed, never a crash.
    const random = seededRandom(7);
    const junk = new Uint8Array(4 + 60);
    new DataView(junk.buffer).setInt32(0, 60);
    for (let i = 4; i < junk.length; i++) junk[i] = Math.floor(random() * 256);
    let bad = await RawClient.connect(server.port);
    await bad.write(junk);
    const junkAnswer = await bad.frame();
    if (junkAnswer) {
      assert.ok([35, 42].includes(RawClient.errorOnly(junkAnswer).errorCode));
    }
    bad.close();
    await stillServes(healthy, 3);

    // A 2 GiB length prefix closes the connection.
    bad = await RawClient.connect(server.port);
    await bad.write(new Uint8Array([0x80, 0, 0, 0, 0, 18, 0, 0]));
    assert.equal(await bad.frame(), null);
    assert.ok(
      logs.some((l) => /frame size -2147483648/.test(l)),
      logs.join("\n"),
    );
    await stillServes(healthy, 4);

    // A request whose body ends early: three topics promised, none sent.
    const truncated = encodeRequest(MetadataRequest, 1, 5, "raw", {
      topics: [],
    });
    new DataView(truncated.buffer).setInt32(truncated.length - 4, 3);
    bad = await RawClient.connect(server.port);
    await bad.write(truncated);
    assert.equal(await bad.frame(), null);
    assert.ok(logs.some((l) => /malformed/.test(l)), logs.join("\n"));
    // A frame cut off mid-way by a client that goes away.
    bad = await RawClient.connect(server.port);
    await bad.write(produce(6, "good", batch(["lost"])).subarray(0, 30));
    bad.close();
    await stillServes(healthy, 7);

    // An unknown API key and an unknown version are answered, and the
    // connection stays usable.
    const unknown = apiVersions(8);
    new DataView(unknown.buffer).setInt16(4, 999);
    await healthy.write(unknown);
    assert.deepEqual(RawClient.errorOnly((await healthy.frame())!), {
      correlationId: 8,
      errorCode: 42,
    });
    const future = encodeRequest(MetadataRequest, 1, 9, "raw", {
      topics: null,
    });
    new DataView(future.buffer).setInt16(6, 99);
    await healthy.write(future);
    assert.deepEqual(RawClient.errorOnly((await healthy.frame())!), {
      correlationId: 9,
      errorCode: 35,
    });
    // ApiVersions at an unknown version answers in v0 with the ranges.
    const v9 = apiVersions(10);
    new DataView(v9.buffer).setInt16(6, 9);
    await healthy.write(v9);
    const v0 =
      decodeResponse((await healthy.frame())!, ApiVersionsResponse, 0).body;
    assert.equal(v0.errorCode, 35);
    assert.ok(
      v0.apiKeys.some((k: Struct) => k.apiKey === 18 && k.maxVersion === 3),
    );

    // A topic named ../x is refused everywhere and creates nothing.
    const escape = await call(
      healthy,
      encodeRequest(MetadataRequest, 4, 11, "raw", {
        topics: [{ name: "../x" }],
        allowAutoTopicCreation: true,
      }),
      MetadataResponse,
      4,
    );
    assert.equal(escape.topics[0].errorCode, 17);
    const escaped = await call(
      healthy,
      produce(12, "../x", batch(["x"])),
      ProduceResponse,
      7,
    );
    assert.equal(escaped.responses[0].partitionResponses[0].errorCode, 17);
    await assert.rejects(
      Deno.stat(join(logDir, "..", "x-0")),
      Deno.errors.NotFound,
    );

    // A batch whose CRC does not match is CORRUPT_MESSAGE and not stored.
    const corrupt = batch(["evil"]);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const refused = await call(
      healthy,
      produce(13, "good", corrupt),
      ProduceResponse,
      7,
    );
    assert.equal(refused.responses[0].partitionResponses[0].errorCode, 2);

    // The log holds exactly what was acknowledged.
    const read = await call(
      healthy,
      fetch(14, "good", 0, 0),
      FetchResponse,
      11,
    );
    const p = read.responses[0].partitions[0];
    assert.equal(p.highWatermark, 3);
    const { records } = decodeRecordBatch(p.records);
    assert.deepEqual(records.map((r) => new TextDecoder().decode(r.value!)), [
      "a",
      "b",
      "c",
    ]);
  } finally {
    healthy.close();
    await server.close();
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("serveKafka answers pipelined requests in order while a fetch long-polls", async () => {
  await using server = await serveKafka({ port: 0, log: () => {} });
  const c = await RawClient.connect(server.port);
  try {
    await call(
      c,
      encodeRequest(MetadataRequest, 4, 1, "raw", {
        topics: [{ name: "waits" }],
        allowAutoTopicCreation: true,
      }),
      MetadataResponse,
      4,
    );
    const other = await RawClient.connect(server.port);
    // A fetch that waits for data, then two requests behind it on the same
    // connection: their answers must not overtake the fetch's.
    const frames = [
      fetch(2, "waits", 0, 10_000),
      apiVersions(3),
      apiVersions(4),
    ];
    const joined = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      joined.set(f, at);
      at += f.length;
    }
    await c.write(joined);
    // Data arriving from another client wakes the fetch.
    const stored = await call(
      other,
      produce(1, "waits", batch(["wake"])),
      ProduceResponse,
      7,
    );
    assert.equal(stored.responses[0].partitionResponses[0].errorCode, 0);
    other.close();
    const ids: number[] = [];
    let woke: Struct | undefined;
    for (let i = 0; i < 3; i++) {
      const frame = (await c.frame())!;
      const id = new DataView(frame.buffer, frame.byteOffset).getInt32(0);
      ids.push(id);
      if (id === 2) woke = decodeResponse(frame, FetchResponse, 11).body;
    }
    assert.deepEqual(ids, [2, 3, 4]);
    const { records } = decodeRecordBatch(
      woke!.responses[0].partitions[0].records,
    );
    assert.equal(new TextDecoder().decode(records[0]!.value!), "wake");
  } finally {
    c.close();
  }
});
