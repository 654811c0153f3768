// Subprocess for the transaction recovery test: commits one transaction,
// leaves a second open, says so and waits for SIGKILL.
import { Broker } from "../../kafka/broker/_broker.ts";

const logDir = Deno.args[0]!;
const te = new TextEncoder();
const broker = await Broker.open({ logDir });
await broker.createTopic("t", 1);
const txn = broker.transactions;
const { producerId, producerEpoch } = await txn.initProducerId({
  transactionalId: "tx",
});
const ids = { transactionalId: "tx", producerId, producerEpoch };
const topics = [{ topic: "t", partitions: [0] }];
const records = (...vs: string[]) =>
  vs.map((v) => ({ key: null, value: te.encode(v), timestamp: 1 }));
const producer = (baseSequence: number) => ({
  producerId,
  producerEpoch,
  baseSequence,
  transactional: true,
});
await txn.addPartitionsToTxn({ ...ids, topics });
await broker.append("t", 0, [records("c1", "c2")], 0, producer(0));
await txn.endTxn({ ...ids, commit: true });
await Deno.stdout.write(te.encode("committed\n"));
await txn.addPartitionsToTxn({ ...ids, topics });
await broker.append("t", 0, [records("o1")], 0, producer(2));
await Deno.stdout.write(te.encode("open\n"));
await new Promise(() => {}); // wait to be killed
