// kafkajs's error classes: the same names, hierarchy and `retriable` values
// as the real kafkajs 2.2.4 package, and the module's own failures are them.
import assert from "node:assert/strict";
import kafkajs from "npm:kafkajs@2.2.4";
import kafkajsProtocolErrors from "npm:kafkajs@2.2.4/src/protocol/error.js";
import * as mod from "../../kafka/mod.ts";
import {
  Kafka,
  KafkaError,
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
} from "../../kafka/mod.ts";
import { ERROR_CODES } from "../../kafka/protocol/_error_codes.ts";
import { setup } from "./_helpers.ts";

type Ctor = new (...args: unknown[]) => Error & { retriable?: boolean };
const theirs = kafkajs as unknown as Record<string, Ctor>;
const ours = mod as unknown as Record<string, Ctor>;
const names = Object.keys(theirs).filter((k) => k.startsWith("KafkaJS"));

// Arguments each constructor needs, as kafkajs's sources call them.
function argsFor(name: string): unknown[] {
  switch (name) {
    case "KafkaJSOffsetOutOfRange":
      return [{
        message: "m",
        type: "OFFSET_OUT_OF_RANGE",
        code: 1,
        retriable: false,
      }, {
        topic: "t",
        partition: 0,
      }];
    case "KafkaJSMemberIdRequired":
      return [{
        message: "m",
        type: "MEMBER_ID_REQUIRED",
        code: 79,
        retriable: false,
      }, { memberId: "x" }];
    case "KafkaJSNumberOfRetriesExceeded":
      return [new Error("m"), { retryCount: 1, retryTime: 2 }];
    case "KafkaJSDeleteTopicRecordsError":
      return [{ partitions: [] }];
    case "KafkaJSProtocolError":
    case "KafkaJSCreateTopicError":
    case "KafkaJSAlterPartitionReassignmentsError":
      return [{ message: "m", type: "UNKNOWN", code: -1, retriable: false }];
    case "KafkaJSAggregateError":
      return ["m", []];
    case "KafkaJSNoBrokerAvailableError":
      return [];
    default:
      return ["m"];
  }
}

Deno.test("KafkaJS* error classes exist with kafkajs's names, bases and retriable values", () => {
  assert.ok(names.length >= 30);
  for (const name of names) {
    const ctor = ours[name];
    assert.ok(ctor, `missing export ${name}`);
    const a = new theirs[name]!(...argsFor(name));
    const b = new ctor(...argsFor(name));
    assert.equal(b.retriable, a.retriable, `${name}.retriable`);
    assert.equal(b instanceof Error, true);
    // Same place in the hierarchy.
    for (const base of ["KafkaJSError", "KafkaJSNonRetriableError"]) {
      assert.equal(
        b instanceof ours[base]!,
        a instanceof theirs[base]!,
        `${name} instanceof ${base}`,
      );
    }
  }
});

Deno.test("KafkaJSProtocolError takes Kafka's code and kafkajs's retriable from its type", () => {
  const table = (kafkajsProtocolErrors as {
    errorCodes: { type: string; code: number; retriable: boolean }[];
  }).errorCodes;
  assert.deepEqual(
    ERROR_CODES.map(({ type, code, retriable }) => ({ type, code, retriable })),
    table.map(({ type, code, retriable }) => ({ type, code, retriable })),
  );
  for (const { type, code, retriable } of table) {
    const e = new KafkaJSProtocolError(`Failed: ${type}`, { type });
    assert.deepEqual([e.type, e.code, e.retriable], [type, code, retriable]);
  }
  // The example: unknown topic is retriable, code 3.
  const unknown = new KafkaJSProtocolError("x", {
    type: "UNKNOWN_TOPIC_OR_PARTITION",
  });
  assert.deepEqual([unknown.code, unknown.retriable], [3, true]);
});

Deno.test("KafkaError is KafkaJSError: catching either catches every module error", () => {
  assert.equal(KafkaError, KafkaJSError);
  const e = new KafkaError("Broken: x");
  assert.ok(e instanceof KafkaJSError);
  assert.equal(e.retriable, true);
});

Deno.test("KafkaJSNumberOfRetriesExceeded keeps the cause's message and stack", () => {
  const cause = new Error("Handler failed: boom");
  const e = new KafkaJSNumberOfRetriesExceeded(cause, {
    retryCount: 5,
    retryTime: 100,
  });
  assert.equal(e.name, "KafkaJSNumberOfRetriesExceeded");
  assert.equal(e.message, "Handler failed: boom");
  assert.equal(e.cause, cause);
  assert.equal(e.retriable, false);
  assert.match(e.stack!, /Caused by: Error: Handler failed: boom/);
});

Deno.test("Module failures are kafkajs's classes: protocol errors for Kafka conditions, non-retriable for bad input", async () => {
  const { admin, producer } = await setup("t", 1);
  try {
    await assert.rejects(
      () => admin.fetchRecords({ topic: "missing", partition: 0, offset: "0" }),
      (e: unknown) =>
        e instanceof KafkaJSProtocolError &&
        e.type === "UNKNOWN_TOPIC_OR_PARTITION" && e.code === 3 &&
        e.retriable === true,
    );
    await assert.rejects(
      () => producer.send({ topic: "t", messages: [{ value: 5 as never }] }),
      (e: unknown) =>
        e instanceof KafkaJSProtocolError && e.type === "INVALID_RECORD" &&
        e.retriable === false,
    );
    await assert.rejects(
      () => admin.fetchRecords({ topic: "t", partition: 0, offset: "7" }),
      (e: unknown) =>
        e instanceof KafkaJSOffsetOutOfRange && e.topic === "t" &&
        e.partition === 0 && e.code === 1,
    );
    assert.throws(
      () => new Kafka({}).consumer({ groupId: "" }),
      (e: unknown) =>
        e instanceof KafkaJSNonRetriableError && /groupId/.test(e.message),
    );
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  const idle = new Kafka({}).producer();
  await assert.rejects(
    () => idle.send({ topic: "t", messages: [{ value: "x" }] }),
    KafkaJSConnectionError,
  );
});
