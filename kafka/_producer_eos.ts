// A producer's exactly-once state, as kafkajs's eosManager: its producer id
// and epoch from InitProducerId, the next sequence number of each partition
// it writes, and — for a transactional producer — the transaction's state
// (Uninitialized → Ready → Transacting → Committing/Aborting → Ready), the
// partitions already added to it and whether offsets were sent with it.

import { tpKey } from "./_topic_partition.ts";
import type { Broker } from "./broker/_broker.ts";
import type { AppendProducer } from "./broker/_transactions.ts";
import { KafkaJSNonRetriableError } from "./errors.ts";

const INT32_MAX = 2147483647;

type State =
  | "UNINITIALIZED"
  | "READY"
  | "TRANSACTING"
  | "COMMITTING"
  | "ABORTING";

/** Producer id, epoch, sequences and transaction state of one producer. */
export class EosManager {
  producerId = -1;
  producerEpoch = 0;
  #sequences = new Map<string, number>();
  #state: State = "UNINITIALIZED";
  #partitions = new Set<string>();
  #offsetsAdded = false;

  constructor(
    readonly transactionalId: string | undefined,
    readonly transactionTimeout: number,
  ) {}

  get initialized(): boolean {
    return this.producerId !== -1;
  }

  get transactional(): boolean {
    return this.transactionalId !== undefined;
  }

  /** InitProducerId: a new id (or, transactional, the id's next epoch). */
  async init(broker: Broker): Promise<void> {
    this.#legal("initProducerId", ["UNINITIALIZED", "READY"]);
    const { producerId, producerEpoch } = await broker.transactions
      .initProducerId({
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.transactionTimeout,
      });
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.#sequences.clear();
    this.#to("READY");
  }

  #legal(what: string, states: State[]): void {
    if (!states.includes(this.#state)) {
      throw new KafkaJSNonRetriableError(
        `Transaction state exception: Invalid state ${this.#state} for ${what}, legal states: ${
          states.join(", ")
        }`,
      );
    }
  }

  #to(state: State): void {
    this.#state = state;
    if (state === "READY") {
      this.#partitions.clear();
      this.#offsetsAdded = false;
    }
  }

  get inTransaction(): boolean {
    return this.#state === "TRANSACTING";
  }

  begin(): void {
    this.#legal("beginTransaction", ["READY"]);
    this.#to("TRANSACTING");
  }

  /**
   * The header fields of a batch of `count` records for a partition; the
   * sequence moves on at once, and {@linkcode failed} gives it back.
   */
  next(topic: string, partition: number, count: number): AppendProducer {
    const k = tpKey(topic, partition);
    const baseSequence = this.#sequences.get(k) ?? 0;
    let next = baseSequence + count;
    if (next > INT32_MAX) next -= INT32_MAX + 1; // int32, wraps to 0
    this.#sequences.set(k, next);
    return {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence,
      transactional: this.transactional,
    };
  }

  /** A batch was not written: its sequence numbers are free again. */
  failed(topic: string, partition: number, producer: AppendProducer): void {
    this.#sequences.set(tpKey(topic, partition), producer.baseSequence);
  }

  /** AddPartitionsToTxn for the partitions not yet in the transaction. */
  async addPartitions(
    broker: Broker,
    partitions: { topic: string; partition: number }[],
  ): Promise<void> {
    this.#legal("addPartitionsToTransaction", ["TRANSACTING"]);
    const fresh = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      const k = tpKey(topic, partition);
      if (this.#partitions.has(k)) continue;
      (fresh.get(topic) ?? fresh.set(topic, []).get(topic)!).push(partition);
    }
    if (fresh.size === 0) return;
    await broker.transactions.addPartitionsToTxn({
      transactionalId: this.transactionalId!,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      topics: [...fresh].map(([topic, ps]) => ({ topic, partitions: ps })),
    });
    for (const [topic, ps] of fresh) {
      for (const p of ps) this.#partitions.add(tpKey(topic, p));
    }
  }

  /** AddOffsetsToTxn then TxnOffsetCommit, as kafkajs's sendOffsets. */
  async sendOffsets(
    broker: Broker,
    consumerGroupId: string,
    topics: {
      topic: string;
      partitions: {
        partition: number;
        offset: string;
        metadata?: string | null;
      }[];
    }[],
  ): Promise<void> {
    this.#legal("sendOffsets", ["TRANSACTING"]);
    if (!consumerGroupId) {
      throw new KafkaJSNonRetriableError(
        `Missing consumerGroupId: ${JSON.stringify(consumerGroupId)}`,
      );
    }
    if (!Array.isArray(topics)) {
      throw new KafkaJSNonRetriableError(
        `Missing offset topics: ${JSON.stringify(topics)}`,
      );
    }
    const ids = {
      transactionalId: this.transactionalId!,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
    };
    await broker.transactions.addOffsetsToTxn({
      ...ids,
      groupId: consumerGroupId,
    });
    this.#offsetsAdded = true;
    await broker.transactions.txnOffsetCommit({
      ...ids,
      groupId: consumerGroupId,
      topics,
    });
  }

  /** EndTxn, unless the transaction wrote nothing (then nothing to end). */
  async end(broker: Broker, commit: boolean): Promise<void> {
    this.#legal(commit ? "commit" : "abort", ["TRANSACTING"]);
    this.#to(commit ? "COMMITTING" : "ABORTING");
    try {
      if (this.#partitions.size > 0 || this.#offsetsAdded) {
        await broker.transactions.endTxn({
          transactionalId: this.transactionalId!,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
          commit,
        });
      }
    } catch (e) {
      this.#to("TRANSACTING");
      throw e;
    }
    this.#to("READY");
  }
}
