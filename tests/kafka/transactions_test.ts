// The broker's idempotence and transactions (broker/_transactions.ts), as
// the wire server and the producer call them.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ManualClock } from "../../internal/clock.ts";
import { KafkaJSProtocolError } from "../../kafka/mod.ts";
import { Broker } from "../../kafka/broker/_broker.ts";
import type { ReadIsolation } from "../../kafka/log/_partition_log.ts";
import type { RecordInput } from "../../kafka/protocol/record_batch.ts";
import { readPartitionLog } from "../../kafka/log/log_reader.ts";

const te = new TextEncoder();
const td = new TextDecoder();
const recs = (...values: string[]): RecordInput[] =>
  values.map((v) => ({ key: null, value: te.encode(v), timestamp: 1 }));

/** Values a read_committed (or read_uncommitted) reader sees from offset 0. */
function read(broker: Broker, topic: string, committed = true): string[] {
  const log = broker.partition(topic, 0);
  const out: string[] = [];
  let offset = 0;
  while (offset < log.logEndOffset) {
    const isolation: ReadIsolation = {
      maxOffset: committed
        ? broker.transactions.lastStableOffset(topic, 0, log.logEndOffset)
        : Infinity,
      skip: committed ? broker.transactions.abortedFilter(topic, 0) : undefined,
      next: offset,
    };
    const got = log.read(offset, 1 << 20, undefined, undefined, isolation);
    for (const r of got) out.push(td.decode(r.value!));
    const next = Math.max(isolation.next, (got.at(-1)?.offset ?? -1) + 1);
    if (next === offset) break; // stopped at the last stable offset
    offset = next;
  }
  return out;
}

const rejectsWith = (type: string) => (e: unknown) =>
  e instanceof KafkaJSProtocolError && e.type === type;

Deno.test("TransactionCoordinator.checkAppend() drops a duplicate retry and refuses gaps and old epochs", async () => {
  const broker = await Broker.open({});
  try {
    await broker.createTopic("t", 1);
    const { producerId, producerEpoch } = await broker.transactions
      .initProducerId({});
    const other = await broker.transactions.initProducerId({});
    assert.notEqual(other.producerId, producerId);
    assert.equal(producerEpoch, 0);
    const p = (baseSequence: number, epoch = producerEpoch) => ({
      producerId,
      producerEpoch: epoch,
      baseSequence,
    });
    assert.deepEqual(await broker.append("t", 0, [recs("a", "b")], 0, p(0)), {
      baseOffset: 0,
      lastOffset: 1,
    });
    assert.deepEqual(await broker.append("t", 0, [recs("c")], 0, p(2)), {
      baseOffset: 2,
      lastOffset: 2,
    });
    // The retry of the first batch: same offsets, nothing written.
    assert.deepEqual(await broker.append("t", 0, [recs("a", "b")], 0, p(0)), {
      baseOffset: 0,
      lastOffset: 1,
    });
    assert.equal(broker.partition("t", 0).logEndOffset, 3);
    await assert.rejects(
      () => broker.append("t", 0, [recs("x")], 0, p(7)),
      rejectsWith("OUT_OF_ORDER_SEQUENCE_NUMBER"),
    );
    // A new epoch starts at 0; then the old one is fenced.
    await broker.append("t", 0, [recs("d")], 0, p(0, 1));
    await assert.rejects(
      () => broker.append("t", 0, [recs("y")], 0, p(3, 0)),
      rejectsWith("INVALID_PRODUCER_EPOCH"),
    );
    assert.deepEqual(read(broker, "t"), ["a", "b", "c", "d"]);
    // The batch header carries the producer's fields.
    const [first] = broker.fetch("t", 0, 0, 100);
    assert.equal(first!.offset, 0);
  } finally {
    await broker.close();
  }
});

Deno.test("TransactionCoordinator commits and aborts: markers, last stable offset, aborted batches skipped", async () => {
  const broker = await Broker.open({});
  const txn = broker.transactions;
  try {
    await broker.createTopic("t", 1);
    await broker.append("t", 0, [recs("plain")]);
    const { producerId, producerEpoch } = await txn.initProducerId({
      transactionalId: "tx",
    });
    const ids = { transactionalId: "tx", producerId, producerEpoch };
    const p = (baseSequence: number) => ({
      producerId,
      producerEpoch,
      baseSequence,
      transactional: true,
    });
    // Writing before AddPartitionsToTxn is refused.
    await assert.rejects(
      () => broker.append("t", 0, [recs("early")], 0, p(0)),
      rejectsWith("INVALID_TXN_STATE"),
    );
    await txn.addPartitionsToTxn({
      ...ids,
      topics: [{ topic: "t", partitions: [0] }],
    });
    await broker.append("t", 0, [recs("t1", "t2")], 0, p(0));
    assert.equal(txn.lastStableOffset("t", 0, 3), 1);
    assert.deepEqual(read(broker, "t"), ["plain"]);
    assert.deepEqual(read(broker, "t", false), ["plain", "t1", "t2"]);
    await txn.endTxn({ ...ids, commit: true });
    // The marker took offset 3; the transaction is visible.
    assert.equal(broker.partition("t", 0).logEndOffset, 4);
    assert.equal(txn.lastStableOffset("t", 0, 4), 4);
    assert.deepEqual(read(broker, "t"), ["plain", "t1", "t2"]);
    // A second transaction aborts.
    await txn.addPartitionsToTxn({
      ...ids,
      topics: [{ topic: "t", partitions: [0] }],
    });
    await broker.append("t", 0, [recs("gone")], 0, p(2));
    await txn.endTxn({ ...ids, commit: false });
    await broker.append("t", 0, [recs("after")]);
    assert.deepEqual(read(broker, "t"), ["plain", "t1", "t2", "after"]);
    assert.deepEqual(read(broker, "t", false), [
      "plain",
      "t1",
      "t2",
      "gone",
      "after",
    ]);
    assert.deepEqual(txn.abortedTransactions("t", 0, 0), [
      { producerId, firstOffset: 4, lastOffset: 5 },
    ]);
    // Ending an ended transaction the same way again is a retry; the other
    // way round is refused.
    await txn.endTxn({ ...ids, commit: false });
    await assert.rejects(
      () => txn.endTxn({ ...ids, commit: true }),
      rejectsWith("INVALID_TXN_STATE"),
    );
  } finally {
    await broker.close();
  }
});

Deno.test("TransactionCoordinator.initProducerId() fences the previous producer and aborts what it left open", async () => {
  const broker = await Broker.open({});
  const txn = broker.transactions;
  try {
    await broker.createTopic("t", 1);
    const old = await txn.initProducerId({ transactionalId: "tx" });
    const oldIds = { transactionalId: "tx", ...old };
    await txn.addPartitionsToTxn({
      ...oldIds,
      topics: [{ topic: "t", partitions: [0] }],
    });
    await broker.append("t", 0, [recs("zombie")], 0, {
      ...old,
      baseSequence: 0,
      transactional: true,
    });
    const next = await txn.initProducerId({ transactionalId: "tx" });
    assert.equal(next.producerId, old.producerId);
    assert.equal(next.producerEpoch, old.producerEpoch + 1);
    assert.equal(txn.describe("tx")!.state, "Empty");
    await assert.rejects(
      () =>
        txn.addPartitionsToTxn({
          ...oldIds,
          topics: [{ topic: "t", partitions: [0] }],
        }),
      rejectsWith("INVALID_PRODUCER_EPOCH"),
    );
    await assert.rejects(
      () =>
        broker.append("t", 0, [recs("late")], 0, {
          ...old,
          baseSequence: 1,
          transactional: true,
        }),
      rejectsWith("INVALID_PRODUCER_EPOCH"),
    );
    assert.deepEqual(read(broker, "t"), []);
    await assert.rejects(
      () =>
        txn.initProducerId({ transactionalId: "tx", transactionTimeoutMs: 0 }),
      rejectsWith("INVALID_TRANSACTION_TIMEOUT"),
    );
    await assert.rejects(
      () =>
        txn.endTxn({
          transactionalId: "nobody",
          producerId: 1,
          producerEpoch: 0,
          commit: true,
        }),
      rejectsWith("INVALID_PRODUCER_ID_MAPPING"),
    );
  } finally {
    await broker.close();
  }
});

Deno.test("TransactionCoordinator.txnOffsetCommit() offsets reach the group only when the transaction commits", async () => {
  const broker = await Broker.open({});
  const txn = broker.transactions;
  try {
    await broker.createTopic("in", 2);
    const ids = {
      transactionalId: "tx",
      ...(await txn.initProducerId({ transactionalId: "tx" })),
    };
    const topics = [{
      topic: "in",
      partitions: [{ partition: 1, offset: "5" }],
    }];
    await assert.rejects(
      () => txn.txnOffsetCommit({ ...ids, groupId: "g", topics }),
      rejectsWith("INVALID_TXN_STATE"),
    );
    await txn.addOffsetsToTxn({ ...ids, groupId: "g" });
    await txn.txnOffsetCommit({ ...ids, groupId: "g", topics });
    assert.equal(broker.coordinator.committed("g", "in", 1), undefined);
    await txn.endTxn({ ...ids, commit: false });
    assert.equal(broker.coordinator.committed("g", "in", 1), undefined);
    await txn.addOffsetsToTxn({ ...ids, groupId: "g" });
    await txn.txnOffsetCommit({ ...ids, groupId: "g", topics });
    await txn.endTxn({ ...ids, commit: true });
    assert.equal(broker.coordinator.committed("g", "in", 1)?.offset, 5);
  } finally {
    await broker.close();
  }
});

Deno.test("TransactionCoordinator aborts a transaction left open past its timeout and fences its producer", async () => {
  const clock = new ManualClock();
  const broker = await Broker.open({ clock });
  const txn = broker.transactions;
  try {
    await broker.createTopic("t", 1);
    const ids = {
      transactionalId: "tx",
      ...(await txn.initProducerId({
        transactionalId: "tx",
        transactionTimeoutMs: 1000,
      })),
    };
    await txn.addPartitionsToTxn({
      ...ids,
      topics: [{ topic: "t", partitions: [0] }],
    });
    await broker.append("t", 0, [recs("slow")], 0, {
      producerId: ids.producerId,
      producerEpoch: ids.producerEpoch,
      baseSequence: 0,
      transactional: true,
    });
    await clock.advance(999);
    assert.equal(txn.describe("tx")!.state, "Ongoing");
    await clock.advance(1);
    for (
      let i = 0;
      i < 20 && txn.describe("tx")!.state !== "CompleteAbort";
      i++
    ) {
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal(txn.describe("tx")!.state, "CompleteAbort");
    await assert.rejects(
      () => txn.endTxn({ ...ids, commit: true }),
      rejectsWith("INVALID_PRODUCER_EPOCH"),
    );
    assert.deepEqual(read(broker, "t"), []);
  } finally {
    await broker.close();
  }
});

Deno.test("TransactionCoordinator recovers after SIGKILL: an open transaction is aborted at reopen, a committed one stays", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_txn_" });
  try {
    const script = fileURLToPath(
      new URL("./_crash_transaction.ts", import.meta.url),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", script, logDir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let out = "";
    while (!out.includes("open\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel().catch(() => {});
    assert.match(out, /committed\nopen\n/);

    const broker = await Broker.open({ logDir });
    try {
      const log = broker.partition("t", 0);
      assert.equal(
        broker.transactions.lastStableOffset("t", 0, log.logEndOffset),
        log.logEndOffset,
      );
      assert.deepEqual(read(broker, "t"), ["c1", "c2"]);
      assert.deepEqual(read(broker, "t", false), ["c1", "c2", "o1"]);
      assert.equal(broker.transactions.describe("tx")!.state, "CompleteAbort");
    } finally {
      await broker.close();
    }
    // Markers are not records to a direct reader either.
    const values: string[] = [];
    for await (const r of readPartitionLog(logDir, "t", 0)) {
      values.push(td.decode(r.value!));
    }
    assert.deepEqual(values, ["c1", "c2", "o1"]);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
