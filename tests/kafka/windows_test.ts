import assert from "node:assert/strict";
import {
  hopping,
  Kafka,
  KafkaError,
  session,
  sliding,
  tumbling,
  WindowedAggregator,
  type WindowResult,
  type WindowSpec,
  windowTopic,
} from "../../kafka/mod.ts";

function counter(
  window: WindowSpec,
  graceMs = 0,
  emit: "close" | "update" = "close",
) {
  return new WindowedAggregator<string, number>({
    window,
    graceMs,
    emit,
    initial: () => 0,
    aggregate: (n) => n + 1,
  });
}

const brief = (rs: WindowResult<number>[]) =>
  rs.map((r) => [r.key, r.start, r.end, r.value, r.final]);

Deno.test("WindowedAggregator tumbling windows close at end and drop late records", () => {
  const agg = counter(tumbling(10));
  assert.deepEqual(agg.process("a", 1, "x"), []);
  assert.deepEqual(agg.process("a", 5, "x"), []);
  assert.deepEqual(brief(agg.process("a", 12, "x")), [["a", 0, 10, 2, true]]);
  assert.deepEqual(agg.process("a", 9, "x"), [], "window [0,10) is closed");
  assert.equal(agg.lateRecords, 1);
  assert.deepEqual(brief(agg.process("b", 25, "x")), [["a", 10, 20, 1, true]]);
  assert.deepEqual(brief(agg.flush()), [["b", 20, 30, 1, true]]);
  assert.equal(agg.openWindows, 0);
});

Deno.test("WindowedAggregator grace period admits out-of-order records", () => {
  const agg = counter(tumbling(10), 5);
  agg.process("a", 1, "x");
  agg.process("a", 5, "x");
  agg.process("a", 12, "x");
  assert.deepEqual(agg.process("a", 9, "x"), [], "within grace: counted");
  assert.equal(agg.lateRecords, 0);
  assert.deepEqual(brief(agg.process("a", 25, "x")), [["a", 0, 10, 3, true], [
    "a",
    10,
    20,
    1,
    true,
  ]]);
  agg.process("a", 14, "x"); // [10,20) closed at 25
  assert.equal(agg.lateRecords, 1);
});

Deno.test("WindowedAggregator hopping windows count a record in every window it falls in", () => {
  const agg = counter(hopping(10, 5));
  agg.process("a", 7, "x"); // [0,10) [5,15)
  const closed = agg.process("a", 12, "x"); // joins [5,15) [10,20)
  assert.deepEqual(brief(closed), [["a", 0, 10, 1, true]]);
  const rest = brief(agg.flush());
  assert.deepEqual(rest, [["a", 5, 15, 2, true], ["a", 10, 20, 1, true]]);
  assert.throws(
    () => hopping(10, 20),
    /Window advance must not exceed its size: 20 > 10/,
  );
});

Deno.test("WindowedAggregator sliding windows end at each record", () => {
  const agg = counter(sliding(10));
  agg.process("a", 10, "x"); // [0,10] = 1
  const first = agg.process("a", 15, "x"); // opens [5,15] = 2
  assert.deepEqual(brief(first), [["a", 0, 10, 1, true]]);
  assert.deepEqual(brief(agg.process("a", 30, "x")), [["a", 5, 15, 2, true]]);
  assert.deepEqual(
    agg.process("a", 22, "x"),
    [],
    "updates open [20,30]; its own [12,22] is closed",
  );
  assert.equal(agg.lateRecords, 0);
  agg.process("a", 5, "x");
  assert.equal(agg.lateRecords, 1);
  assert.deepEqual(brief(agg.flush()), [["a", 20, 30, 2, true]]);
});

Deno.test("WindowedAggregator session windows merge across a bridging record", () => {
  const agg = counter(session(10), 10);
  agg.process("a", 0, "x");
  agg.process("a", 5, "x"); // [0,5]
  agg.process("a", 22, "x"); // [22,22]: gap 17 > 10
  assert.equal(agg.openWindows, 2);
  agg.process("a", 14, "x"); // bridges: [0,22]
  assert.equal(agg.openWindows, 1);
  agg.process("a", 40, "x"); // [40,40]; [0,22] closes at 22+10+10 < stream time
  assert.deepEqual(brief(agg.process("a", 50, "x")), [["a", 0, 22, 4, true]]);
  agg.process("a", 1, "x");
  assert.equal(agg.lateRecords, 1);
  assert.deepEqual(brief(agg.flush()), [["a", 40, 50, 2, true]]);
});

Deno.test("WindowedAggregator emit update reports each change, per key", () => {
  const agg = counter(tumbling(10), 0, "update");
  assert.deepEqual(brief(agg.process("a", 1, "x")), [["a", 0, 10, 1, false]]);
  assert.deepEqual(brief(agg.process("b", 2, "x")), [["b", 0, 10, 1, false]]);
  assert.deepEqual(brief(agg.process("a", 3, "x")), [["a", 0, 10, 2, false]]);
  assert.deepEqual(brief(agg.process("a", 11, "x")), [["a", 10, 20, 1, false]]);
  assert.deepEqual(agg.process("a", 4, "x"), []);
  assert.equal(agg.lateRecords, 1);
});

Deno.test("WindowedAggregator aggregates values, not only counts", () => {
  const sum = new WindowedAggregator<number, { n: number; max: number }>({
    window: tumbling(60_000),
    initial: () => ({ n: 0, max: -Infinity }),
    aggregate: (acc, v) => ({ n: acc.n + 1, max: Math.max(acc.max, v) }),
  });
  sum.process("Alaska", 1_000, 4.2);
  sum.process("Alaska", 2_000, 5.1);
  sum.process("Chile", 3_000, 4.5);
  assert.deepEqual(sum.flush().map((r) => [r.key, r.value]), [["Alaska", {
    n: 2,
    max: 5.1,
  }], ["Chile", { n: 1, max: 4.5 }]]);
});

Deno.test("WindowedAggregator rejects bad window settings", () => {
  assert.throws(
    () => tumbling(0),
    (e: unknown) =>
      e instanceof KafkaError &&
      /Window size must be a positive number of milliseconds: 0/.test(
        e.message,
      ),
  );
  assert.throws(
    () => session(-1),
    /Session gap must be a positive number of milliseconds: -1/,
  );
  assert.throws(
    () => counter(tumbling(10), -5),
    /Grace period must be >= 0 milliseconds: -5/,
  );
  assert.throws(
    () => counter(tumbling(10)).process("a", NaN, "x"),
    /Record timestamp must be a finite number: NaN/,
  );
});

Deno.test("windowTopic() keeps stream time per partition", async () => {
  const kafka = new Kafka({});
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "ev", numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  // Partition 0 runs far ahead in event time; partition 1 must not see its records as late.
  await producer.send({
    topic: "ev",
    messages: [
      { key: "x", partition: 0, value: "1", timestamp: 500_000 },
      { key: "y", partition: 1, value: "1", timestamp: 1_000 },
      { key: "y", partition: 1, value: "1", timestamp: 50_000 },
      { key: "y", partition: 1, value: "1", timestamp: 65_000 },
      { key: "y", partition: 1, value: "1", timestamp: 10_000 }, // late in its own partition
    ],
  });
  const { results, lateRecords } = await windowTopic(kafka, {
    topic: "ev",
    window: tumbling(60_000),
    initial: () => 0,
    aggregate: (n) => n + 1,
  });
  assert.deepEqual(results.map((r) => [r.key, r.start, r.value]), [
    ["y", 0, 2],
    ["y", 60_000, 1],
    ["x", 480_000, 1],
  ]);
  assert.equal(lateRecords, 1);
  await producer.disconnect();
  await admin.disconnect();
});

Deno.test("WindowedAggregator sliding windows keep keys apart", () => {
  const agg = counter(sliding(10), 100);
  agg.process("a", 10, "x");
  agg.process("b", 12, "x");
  agg.process("a", 15, "x"); // a: [0,10]=1, [5,15]=2; b's window untouched
  assert.deepEqual(brief(agg.flush()), [
    ["a", 0, 10, 1, true],
    ["b", 2, 12, 1, true],
    ["a", 5, 15, 2, true],
  ]);
});
