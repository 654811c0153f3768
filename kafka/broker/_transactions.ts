/**
 * The broker's side of idempotence and transactions, as in Kafka
 * (KIP-98): producer ids and epochs, per-partition sequence checks, the
 * transaction coordinator's state machine, transaction markers, the last
 * stable offset and the aborted-transaction index.
 *
 * ```
 *  InitProducerId ─▶ Empty ──AddPartitions/AddOffsets──▶ Ongoing
 *                      ▲                                   │ EndTxn(commit | abort)
 *                      │                                   ▼
 *               Complete{Commit,Abort} ◀── markers ── Prepare{Commit,Abort}
 * ```
 *
 * - **Idempotence.** Each batch of an idempotent producer carries its
 *   producer id, epoch and the sequence number of its first record. Per
 *   partition and producer the broker keeps the last five batches: a batch
 *   equal to one of them is a retry and gets the original offsets back
 *   without being written again; a gap in sequence numbers is
 *   OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is INVALID_PRODUCER_EPOCH.
 * - **Transactions.** InitProducerId with a `transactionalId` bumps the
 *   epoch, which fences an older producer with the same id and aborts what it
 *   left open. EndTxn first records PrepareCommit/PrepareAbort, then appends
 *   a control batch (marker) to every partition of the transaction, then
 *   applies (commit) or drops (abort) the offsets sent with TxnOffsetCommit,
 *   then records CompleteCommit/CompleteAbort.
 * - **Reading.** The last stable offset of a partition is the first offset
 *   of its oldest open transaction (the high watermark when none is open); a
 *   `read_committed` reader stops there and passes over batches of aborted
 *   transactions, which the aborted index lists as `{ producerId,
 *   firstOffset, lastOffset }` (lastOffset is the abort marker).
 *
 * State (producer ids, open and prepared transactions, pending offsets,
 * aborted ranges) is kept in `<logDir>/__transaction_state.json`, written
 * atomically on each change of a transaction (never per record). On open, a
 * prepared transaction is completed and an open one is aborted: the
 * producer that held it is gone with the process. Sequence state lives in
 * memory: after a restart a producer's first batch starts its history anew.
 *
 * @module
 */

import { splitKey, tpKey } from "../_topic_partition.ts";
import type { Clock } from "../../internal/clock.ts";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";

/** Kafka's `transaction.max.timeout.ms` default: 15 minutes. */
export const MAX_TRANSACTION_TIMEOUT_MS = 900_000;
/** Batches remembered per producer and partition for duplicate detection. */
const DEDUP_WINDOW = 5;
const INT32_MAX = 2147483647;
const MAX_EPOCH = 32767;

/** A producer's fields on an append (from the batch header). */
export interface AppendProducer {
  /** Producer id. */
  producerId: number;
  /** Producer epoch. */
  producerEpoch: number;
  /** Sequence of the batch's first record. */
  baseSequence: number;
  /** Whether the batch is part of a transaction. */
  transactional?: boolean;
}

/** Offsets a duplicate batch was first written at. */
export interface DuplicateAppend {
  /** Offset of its first record. */
  baseOffset: number;
  /** Offset of its last record. */
  lastOffset: number;
}

/** A range of an aborted transaction in one partition. */
export interface AbortedTransaction {
  /** Producer that wrote it. */
  producerId: number;
  /** First offset it may have written (inclusive). */
  firstOffset: number;
  /** Offset of its abort marker. */
  lastOffset: number;
}

/** Kafka's transaction states. */
export type TransactionState =
  | "Empty"
  | "Ongoing"
  | "PrepareCommit"
  | "PrepareAbort"
  | "CompleteCommit"
  | "CompleteAbort";

/** Offsets committed inside a transaction, per topic, as kafkajs sends them. */
export interface TxnOffsetTopics {
  /** Topic. */
  topic: string;
  /** Next offsets to read. */
  partitions: { partition: number; offset: string; metadata?: string | null }[];
}

interface Txn {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionState;
  /** Partition key → log end offset when it joined (a lower bound of its first record). */
  partitions: Map<string, number>;
  groups: Set<string>;
  /** Group → offsets to commit with the transaction. */
  pendingOffsets: Map<string, TxnOffsetTopics[]>;
  timer?: AbortController;
}

interface ProducerEntry {
  epoch: number;
  /** Last batches, oldest first. */
  batches: {
    firstSeq: number;
    lastSeq: number;
    baseOffset: number;
    lastOffset: number;
  }[];
}

/** What the coordinator needs from its broker. */
export interface TransactionCoordinatorOptions {
  /** Time source for transaction timeouts. */
  clock: Clock;
  /** Log end offset of a partition; throws for an unknown one. */
  logEndOffset(topic: string, partition: number): number;
  /** First offset still in a partition, or undefined when it is gone. */
  logStartOffset(topic: string, partition: number): number | undefined;
  /** Appends a transaction marker durably; resolves with its offset. */
  writeMarker(
    topic: string,
    partition: number,
    marker: { producerId: number; producerEpoch: number; commit: boolean },
  ): Promise<number>;
  /** Commits a group's offsets as part of a committed transaction. */
  commitOffsets(groupId: string, topics: TxnOffsetTopics[]): Promise<void>;
  /** Writes the state durably (undefined: in memory, nothing to write). */
  persist?: (state: TransactionStateFile) => Promise<void>;
  /** State read back at open. */
  initial?: TransactionStateFile;
}

/** The JSON of `__transaction_state.json`. */
export interface TransactionStateFile {
  /** Next producer id to hand out. */
  nextProducerId: number;
  /** Transactions by transactional id. */
  transactions: Record<string, {
    producerId: number;
    producerEpoch: number;
    timeoutMs: number;
    state: TransactionState;
    partitions: Record<string, number>;
    groups: string[];
    pendingOffsets: Record<string, TxnOffsetTopics[]>;
  }>;
  /** Aborted ranges by partition key (`topic-partition`). */
  aborted: Record<string, AbortedTransaction[]>;
}

function protocolError(type: string, message: string): KafkaJSProtocolError {
  return new KafkaJSProtocolError(message, { type });
}

/**
 * Producer ids, sequence checks and transactions of one broker. The wire
 * server calls these methods for InitProducerId, AddPartitionsToTxn,
 * AddOffsetsToTxn, TxnOffsetCommit and EndTxn; the broker's `append` calls
 * {@linkcode TransactionCoordinator.checkAppend} and
 * {@linkcode TransactionCoordinator.recordAppend} around every write of an
 * idempotent batch.
 */
export class TransactionCoordinator {
  #o: TransactionCoordinatorOptions;
  #nextProducerId = 1;
  #txns = new Map<string, Txn>();
  #byProducerId = new Map<number, Txn>();
  #producers = new Map<string, Map<number, ProducerEntry>>();
  /** Partition key → producer id → first offset of its open transaction. */
  #open = new Map<string, Map<number, number>>();
  #aborted = new Map<string, AbortedTransaction[]>();
  #persistChain: Promise<void> = Promise.resolve();
  /** Transactional ids with an EndTxn (or abort) in progress. */
  #ending = new Map<string, Promise<void>>();
  #closed = false;

  constructor(options: TransactionCoordinatorOptions) {
    this.#o = options;
    const s = options.initial;
    if (!s) return;
    this.#nextProducerId = s.nextProducerId;
    for (const [id, t] of Object.entries(s.transactions)) {
      const txn: Txn = {
        transactionalId: id,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        timeoutMs: t.timeoutMs,
        state: t.state,
        partitions: new Map(Object.entries(t.partitions)),
        groups: new Set(t.groups),
        pendingOffsets: new Map(Object.entries(t.pendingOffsets)),
      };
      this.#txns.set(id, txn);
      this.#byProducerId.set(txn.producerId, txn);
      if (txn.state !== "Empty" && !txn.state.startsWith("Complete")) {
        for (const [k, first] of txn.partitions) this.#markOpen(k, txn, first);
      }
    }
    for (const [k, list] of Object.entries(s.aborted)) {
      this.#aborted.set(k, list);
    }
  }

  /**
   * Finishes what a crash interrupted: prepared transactions are completed,
   * open ones aborted (their producer is gone). Call once the topics are
   * loaded.
   */
  async recover(): Promise<void> {
    for (const txn of [...this.#txns.values()]) {
      if (txn.state === "PrepareCommit") await this.#complete(txn, true);
      else if (txn.state === "PrepareAbort" || txn.state === "Ongoing") {
        txn.state = "PrepareAbort";
        await this.#complete(txn, false);
      }
    }
  }

  // ─── InitProducerId ───────────────────────────────────────────────────

  /**
   * InitProducerId: a new producer id with epoch 0 for an idempotent
   * producer; for a `transactionalId`, its producer id with the epoch
   * bumped (fencing the previous holder), after aborting or completing the
   * transaction it left.
   */
  async initProducerId(
    request: { transactionalId?: string | null; transactionTimeoutMs?: number },
  ): Promise<{ producerId: number; producerEpoch: number }> {
    this.#checkOpen();
    const id = request.transactionalId;
    if (id === undefined || id === null) {
      const producerId = this.#nextProducerId++;
      await this.#persist();
      return { producerId, producerEpoch: 0 };
    }
    if (typeof id !== "string" || id.length === 0) {
      throw new KafkaJSNonRetriableError(
        `Transactional id must be a non-empty string: ${JSON.stringify(id)}`,
      );
    }
    const timeoutMs = request.transactionTimeoutMs ?? 60_000;
    if (
      !Number.isInteger(timeoutMs) || timeoutMs < 1 ||
      timeoutMs > MAX_TRANSACTION_TIMEOUT_MS
    ) {
      throw protocolError(
        "INVALID_TRANSACTION_TIMEOUT",
        `Transaction timeout must be 1 to ${MAX_TRANSACTION_TIMEOUT_MS} ms: ${timeoutMs}`,
      );
    }
    await this.#ending.get(id);
    let txn = this.#txns.get(id);
    if (txn) {
      if (txn.state === "Ongoing") {
        txn.state = "PrepareAbort";
        await this.#complete(txn, false);
      } else if (txn.state.startsWith("Prepare")) {
        await this.#complete(txn, txn.state === "PrepareCommit");
      }
      if (txn.producerEpoch >= MAX_EPOCH) {
        this.#byProducerId.delete(txn.producerId);
        txn.producerId = this.#nextProducerId++;
        txn.producerEpoch = 0;
        this.#byProducerId.set(txn.producerId, txn);
      } else txn.producerEpoch++;
      txn.timeoutMs = timeoutMs;
      txn.state = "Empty";
    } else {
      txn = {
        transactionalId: id,
        producerId: this.#nextProducerId++,
        producerEpoch: 0,
        timeoutMs,
        state: "Empty",
        partitions: new Map(),
        groups: new Set(),
        pendingOffsets: new Map(),
      };
      this.#txns.set(id, txn);
      this.#byProducerId.set(txn.producerId, txn);
    }
    await this.#persist();
    return { producerId: txn.producerId, producerEpoch: txn.producerEpoch };
  }

  // ─── Transaction requests ─────────────────────────────────────────────

  #txn(
    request: {
      transactionalId: string;
      producerId: number;
      producerEpoch: number;
    },
  ): Txn {
    this.#checkOpen();
    const txn = this.#txns.get(request.transactionalId);
    if (!txn || txn.producerId !== request.producerId) {
      throw protocolError(
        "INVALID_PRODUCER_ID_MAPPING",
        `Producer id is not the one of transactional id: ${request.producerId} for ${
          JSON.stringify(request.transactionalId)
        }`,
      );
    }
    if (request.producerEpoch !== txn.producerEpoch) {
      throw protocolError(
        "INVALID_PRODUCER_EPOCH",
        `Producer epoch is not current: ${request.producerEpoch}, ${
          JSON.stringify(request.transactionalId)
        } is at ${txn.producerEpoch} (a newer producer took over)`,
      );
    }
    if (txn.state.startsWith("Prepare")) {
      throw protocolError(
        "CONCURRENT_TRANSACTIONS",
        `Transaction is being completed: ${
          JSON.stringify(request.transactionalId)
        }`,
      );
    }
    return txn;
  }

  #begin(txn: Txn): void {
    if (txn.state === "Ongoing") return;
    txn.state = "Ongoing";
    txn.partitions.clear();
    txn.groups.clear();
    txn.pendingOffsets.clear();
    // Kafka aborts a transaction its producer leaves open too long and
    // bumps the epoch, so the late producer is fenced.
    const timer = new AbortController();
    txn.timer = timer;
    const epoch = txn.producerEpoch;
    this.#o.clock.sleep(txn.timeoutMs, timer.signal).then(async () => {
      if (txn.state !== "Ongoing" || txn.producerEpoch !== epoch) return;
      txn.state = "PrepareAbort";
      await this.#complete(txn, false);
      txn.producerEpoch = Math.min(MAX_EPOCH, txn.producerEpoch + 1);
      await this.#persist();
    }).catch(() => {});
  }

  /** AddPartitionsToTxn: the partitions the transaction will write. */
  async addPartitionsToTxn(
    request: {
      transactionalId: string;
      producerId: number;
      producerEpoch: number;
      topics: { topic: string; partitions: number[] }[];
    },
  ): Promise<void> {
    const txn = this.#txn(request);
    const added: [string, number][] = [];
    for (const { topic, partitions } of request.topics) {
      for (const p of partitions) {
        // Throws UNKNOWN_TOPIC_OR_PARTITION before anything changes.
        added.push([tpKey(topic, p), this.#o.logEndOffset(topic, p)]);
      }
    }
    this.#begin(txn);
    let changed = false;
    for (const [k, end] of added) {
      if (txn.partitions.has(k)) continue;
      txn.partitions.set(k, end);
      this.#markOpen(k, txn, end);
      changed = true;
    }
    if (changed) await this.#persist();
  }

  /** AddOffsetsToTxn: the group whose offsets the transaction will commit. */
  async addOffsetsToTxn(
    request: {
      transactionalId: string;
      producerId: number;
      producerEpoch: number;
      groupId: string;
    },
  ): Promise<void> {
    const txn = this.#txn(request);
    this.#begin(txn);
    if (!txn.groups.has(request.groupId)) {
      txn.groups.add(request.groupId);
      await this.#persist();
    }
  }

  /**
   * TxnOffsetCommit: offsets committed to the group only if the
   * transaction commits.
   */
  async txnOffsetCommit(
    request: {
      transactionalId: string;
      producerId: number;
      producerEpoch: number;
      groupId: string;
      topics: TxnOffsetTopics[];
    },
  ): Promise<void> {
    const txn = this.#txn(request);
    if (txn.state !== "Ongoing" || !txn.groups.has(request.groupId)) {
      throw protocolError(
        "INVALID_TXN_STATE",
        `Group was not added to the transaction (AddOffsetsToTxn first): ${
          JSON.stringify(request.groupId)
        }`,
      );
    }
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const n = Number(p.offset);
        if (!Number.isInteger(n) || n < 0) {
          throw new KafkaJSNonRetriableError(
            `Offset must be a non-negative integer string: ${
              JSON.stringify(p.offset)
            } for ${t.topic}/${p.partition}`,
          );
        }
        this.#o.logEndOffset(t.topic, p.partition);
      }
    }
    const list = txn.pendingOffsets.get(request.groupId) ?? [];
    list.push(...request.topics);
    txn.pendingOffsets.set(request.groupId, list);
    await this.#persist();
  }

  /**
   * EndTxn: commits or aborts. Writes a marker to every partition of the
   * transaction, then applies or drops its offsets. Ending a transaction
   * that already ended the same way succeeds (a retry).
   */
  async endTxn(
    request: {
      transactionalId: string;
      producerId: number;
      producerEpoch: number;
      commit: boolean;
    },
  ): Promise<void> {
    const txn = this.#txn(request);
    const done = request.commit ? "CompleteCommit" : "CompleteAbort";
    if (txn.state === done) return;
    if (txn.state !== "Ongoing") {
      throw protocolError(
        "INVALID_TXN_STATE",
        `Transaction cannot ${
          request.commit ? "commit" : "abort"
        } from ${txn.state}: ${JSON.stringify(request.transactionalId)}`,
      );
    }
    txn.state = request.commit ? "PrepareCommit" : "PrepareAbort";
    await this.#complete(txn, request.commit);
  }

  async #complete(txn: Txn, commit: boolean): Promise<void> {
    const run = (async () => {
      txn.timer?.abort();
      txn.timer = undefined;
      await this.#persist();
      for (const [k, first] of txn.partitions) {
        const [topic, partition] = splitKey(k);
        let markerOffset: number;
        try {
          markerOffset = await this.#o.writeMarker(topic, partition, {
            producerId: txn.producerId,
            producerEpoch: txn.producerEpoch,
            commit,
          });
        } catch {
          continue; // the topic was deleted meanwhile
        }
        if (!commit) {
          const list = this.#aborted.get(k) ?? [];
          list.push({
            producerId: txn.producerId,
            firstOffset: first,
            lastOffset: markerOffset,
          });
          this.#aborted.set(k, list);
        }
      }
      if (commit) {
        for (const [groupId, topics] of txn.pendingOffsets) {
          await this.#o.commitOffsets(groupId, topics);
        }
      }
      for (const k of txn.partitions.keys()) {
        const open = this.#open.get(k);
        open?.delete(txn.producerId);
        if (open?.size === 0) this.#open.delete(k);
      }
      txn.pendingOffsets.clear();
      txn.groups.clear();
      txn.partitions.clear();
      txn.state = commit ? "CompleteCommit" : "CompleteAbort";
      await this.#persist();
    })();
    this.#ending.set(txn.transactionalId, run.catch(() => {}));
    try {
      await run;
    } finally {
      this.#ending.delete(txn.transactionalId);
    }
  }

  // ─── Appends ──────────────────────────────────────────────────────────

  /**
   * Checks an idempotent or transactional batch before it is written.
   * Returns the original offsets when the batch is a retry of one already
   * written (the caller must not write it again); throws
   * INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER or
   * INVALID_TXN_STATE.
   */
  checkAppend(
    topic: string,
    partition: number,
    producer: AppendProducer,
    recordCount: number,
  ): DuplicateAppend | undefined {
    const { producerId, producerEpoch, baseSequence } = producer;
    if (producer.transactional) {
      const txn = this.#byProducerId.get(producerId);
      if (txn && producerEpoch < txn.producerEpoch) {
        throw protocolError(
          "INVALID_PRODUCER_EPOCH",
          `Producer epoch is not current: ${producerEpoch}, producer ${producerId} is at ${txn.producerEpoch} (fenced)`,
        );
      }
      if (
        !txn || txn.state !== "Ongoing" ||
        !txn.partitions.has(tpKey(topic, partition))
      ) {
        throw protocolError(
          "INVALID_TXN_STATE",
          `Partition is not part of an open transaction of producer ${producerId}: ${topic}/${partition}`,
        );
      }
    }
    const entry = this.#producers.get(tpKey(topic, partition))?.get(
      producerId,
    );
    if (!entry) return undefined; // first batch seen: it starts the history
    if (producerEpoch < entry.epoch) {
      throw protocolError(
        "INVALID_PRODUCER_EPOCH",
        `Producer epoch is not current: ${producerEpoch}, producer ${producerId} wrote epoch ${entry.epoch} to ${topic}/${partition}`,
      );
    }
    if (producerEpoch > entry.epoch) {
      if (baseSequence !== 0) {
        throw protocolError(
          "OUT_OF_ORDER_SEQUENCE_NUMBER",
          `A new epoch must start at sequence 0: got ${baseSequence} from producer ${producerId} epoch ${producerEpoch} on ${topic}/${partition}`,
        );
      }
      return undefined;
    }
    const lastSeq = wrapSequence(baseSequence, recordCount - 1);
    for (const b of entry.batches) {
      if (b.firstSeq === baseSequence && b.lastSeq === lastSeq) {
        return { baseOffset: b.baseOffset, lastOffset: b.lastOffset };
      }
    }
    const expected = wrapSequence(entry.batches.at(-1)!.lastSeq, 1);
    if (baseSequence !== expected) {
      throw protocolError(
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        `Sequence number is out of order: expected ${expected}, got ${baseSequence} from producer ${producerId} on ${topic}/${partition}`,
      );
    }
    return undefined;
  }

  /** Records a batch written after {@linkcode checkAppend} let it through. */
  recordAppend(
    topic: string,
    partition: number,
    producer: AppendProducer,
    baseOffset: number,
    lastOffset: number,
  ): void {
    const k = tpKey(topic, partition);
    let byProducer = this.#producers.get(k);
    if (!byProducer) this.#producers.set(k, byProducer = new Map());
    let entry = byProducer.get(producer.producerId);
    if (!entry || entry.epoch !== producer.producerEpoch) {
      entry = { epoch: producer.producerEpoch, batches: [] };
      byProducer.set(producer.producerId, entry);
    }
    entry.batches.push({
      firstSeq: producer.baseSequence,
      lastSeq: wrapSequence(producer.baseSequence, lastOffset - baseOffset),
      baseOffset,
      lastOffset,
    });
    if (entry.batches.length > DEDUP_WINDOW) entry.batches.shift();
  }

  // ─── Reads ────────────────────────────────────────────────────────────

  #markOpen(k: string, txn: Txn, first: number): void {
    let open = this.#open.get(k);
    if (!open) this.#open.set(k, open = new Map());
    const prev = open.get(txn.producerId);
    open.set(
      txn.producerId,
      prev === undefined ? first : Math.min(prev, first),
    );
  }

  /**
   * The last stable offset: the first offset of the oldest open
   * transaction on the partition, or `highWatermark` when none is open.
   */
  lastStableOffset(
    topic: string,
    partition: number,
    highWatermark: number,
  ): number {
    const open = this.#open.get(tpKey(topic, partition));
    if (!open) return highWatermark;
    let lso = highWatermark;
    for (const first of open.values()) if (first < lso) lso = first;
    return lso;
  }

  /**
   * A test for batches of aborted transactions on a partition, or
   * undefined when it has none (the common case: nothing to test).
   */
  abortedFilter(
    topic: string,
    partition: number,
  ): ((producerId: number, baseOffset: number) => boolean) | undefined {
    const list = this.#aborted.get(tpKey(topic, partition));
    if (!list || list.length === 0) return undefined;
    return (producerId, baseOffset) => {
      for (const a of list) {
        if (
          a.producerId === producerId && baseOffset >= a.firstOffset &&
          baseOffset <= a.lastOffset
        ) return true;
      }
      return false;
    };
  }

  /**
   * Aborted transactions overlapping `[fromOffset, toOffset)`, as a Fetch
   * response lists them (`producerId`, `firstOffset`).
   */
  abortedTransactions(
    topic: string,
    partition: number,
    fromOffset: number,
    toOffset: number = Infinity,
  ): AbortedTransaction[] {
    const list = this.#aborted.get(tpKey(topic, partition)) ?? [];
    return list.filter((a) =>
      a.lastOffset >= fromOffset && a.firstOffset < toOffset
    );
  }

  /** The state of a transactional id, for describing it. */
  describe(transactionalId: string):
    | {
      producerId: number;
      producerEpoch: number;
      state: TransactionState;
      partitions: { topic: string; partition: number }[];
    }
    | undefined {
    const txn = this.#txns.get(transactionalId);
    if (!txn) return undefined;
    return {
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      state: txn.state,
      partitions: [...txn.partitions.keys()].map((k) => {
        const [topic, partition] = splitKey(k);
        return { topic, partition };
      }),
    };
  }

  /** A topic was deleted: forget its producer state and aborted ranges. */
  forgetTopic(topic: string): void {
    const prefix = `${topic}\u0000`;
    for (const m of [this.#producers, this.#open, this.#aborted]) {
      for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
    }
  }

  // ─── State file ───────────────────────────────────────────────────────

  #snapshot(): TransactionStateFile {
    const transactions: TransactionStateFile["transactions"] = {};
    for (const [id, t] of this.#txns) {
      transactions[id] = {
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        timeoutMs: t.timeoutMs,
        state: t.state,
        partitions: Object.fromEntries(t.partitions),
        groups: [...t.groups],
        pendingOffsets: Object.fromEntries(t.pendingOffsets),
      };
    }
    const aborted: Record<string, AbortedTransaction[]> = {};
    for (const [k, list] of this.#aborted) {
      // Ranges wholly before the log start can never be read again.
      const [topic, partition] = splitKey(k);
      const start = this.#o.logStartOffset(topic, partition);
      if (start === undefined) continue;
      const kept = list.filter((a) => a.lastOffset >= start);
      if (kept.length !== list.length) this.#aborted.set(k, kept);
      if (kept.length > 0) aborted[k] = kept;
    }
    return { nextProducerId: this.#nextProducerId, transactions, aborted };
  }

  #persist(): Promise<void> {
    const write = this.#o.persist;
    if (!write) return Promise.resolve();
    const next = this.#persistChain.catch(() => {}).then(() =>
      write(this.#snapshot())
    );
    this.#persistChain = next;
    return next;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new KafkaJSNonRetriableError(
        "Broker is closed: transaction request refused",
      );
    }
  }

  /** Stops timers and waits for state writes. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#txns.values()) t.timer?.abort();
    await Promise.all(this.#ending.values());
    await this.#persistChain.catch(() => {});
  }
}

/** Sequence numbers are int32 and wrap to 0 after the largest. */
function wrapSequence(seq: number, add: number): number {
  const n = seq + add;
  return n > INT32_MAX ? n - INT32_MAX - 1 : n;
}
