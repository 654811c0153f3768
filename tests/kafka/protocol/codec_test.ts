// The protocol schemas against bytes no one here produced: the request and
// response fixtures of kafkajs 2.2.4's own test suite (requests from its
// encoders, responses recorded from Kafka brokers), each decoded by our
// schema and encoded again to the same bytes.

import assert from "node:assert/strict";
import { Reader, Writer } from "../../../kafka/protocol/_primitives.ts";
import {
  decodeMessage,
  encodeMessage,
  type MessageSchema,
} from "../../../kafka/protocol/_schema.ts";
import { APIS } from "../../../kafka/server/_apis.ts";

const dir = new URL("./fixtures/", import.meta.url);

/** kafkajs's folder names for the APIs, by key. */
const KAFKAJS_NAMES: Record<string, number> = {
  produce: 0,
  fetch: 1,
  listOffsets: 2,
  metadata: 3,
  offsetCommit: 8,
  offsetFetch: 9,
  findCoordinator: 10,
  joinGroup: 11,
  heartbeat: 12,
  leaveGroup: 13,
  syncGroup: 14,
  describeGroups: 15,
  listGroups: 16,
  apiVersions: 18,
  createTopics: 19,
  deleteTopics: 20,
  deleteRecords: 21,
  initProducerId: 22,
  addPartitionsToTxn: 24,
  addOffsetsToTxn: 25,
  endTxn: 26,
  txnOffsetCommit: 28,
  describeConfigs: 32,
  createPartitions: 37,
};

function roundTrip(schema: MessageSchema, version: number, bytes: Uint8Array) {
  const r = new Reader(bytes);
  const value = decodeMessage(r, schema, version);
  assert.equal(r.remaining, 0, `${schema.name} v${version} left bytes`);
  const w = new Writer();
  encodeMessage(w, schema, version, value);
  assert.deepEqual(w.bytesWritten(), bytes);
  return value;
}

const cases: { file: string; schema: MessageSchema; version: number }[] = [];
for (
  const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)
) {
  const m = /^(\w+?)_v(\d+)_(request|response)(\w*)\.json$/.exec(e.name);
  if (!m) continue;
  const api = APIS.get(KAFKAJS_NAMES[m[1]!] ?? -1);
  const version = Number(m[2]);
  if (!api) continue;
  const schema = m[3] === "request" ? api.request : api.response;
  if (version < schema.minVersion || version > schema.maxVersion) continue;
  // A broker's v1 ApiVersions answer that lacks its throttle time is a
  // known broker bug kafkajs tolerates; it is not a v1 message.
  if (m[4] === "_missing_throttle_time") continue;
  cases.push({ file: e.name, schema, version });
}

Deno.test("protocol schemas decode and re-encode kafkajs's fixtures byte for byte", () => {
  assert.ok(cases.length > 60, `only ${cases.length} fixtures apply`);
  const failures: string[] = [];
  for (const c of cases) {
    const json = JSON.parse(Deno.readTextFileSync(new URL(c.file, dir)));
    try {
      roundTrip(c.schema, c.version, new Uint8Array(json.data));
    } catch (error) {
      failures.push(`${c.file}: ${(error as Error).message.slice(0, 200)}`);
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("protocol schemas round-trip flexible versions with compact fields and tagged fields", () => {
  const fetch = APIS.get(1)!.response;
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{
      topic: "t",
      partitions: [{
        partitionIndex: 0,
        errorCode: 0,
        highWatermark: 5,
        lastStableOffset: 5,
        logStartOffset: 0,
        divergingEpoch: null,
        currentLeader: { leaderId: 0, leaderEpoch: 3 },
        snapshotId: null,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records: new Uint8Array(70_000).fill(7),
      }],
    }],
  };
  const w = new Writer();
  encodeMessage(w, fetch, 12, body);
  const bytes = w.bytesWritten();
  const r = new Reader(bytes);
  const back = decodeMessage(r, fetch, 12);
  assert.equal(r.remaining, 0);
  assert.deepEqual(back, body);
  // Version 11 has no tagged fields: the leader is not sent.
  const w11 = new Writer();
  encodeMessage(w11, fetch, 11, body);
  const old = decodeMessage(new Reader(w11.bytesWritten()), fetch, 11);
  assert.equal(old.responses[0].partitions[0].currentLeader, null);
});
