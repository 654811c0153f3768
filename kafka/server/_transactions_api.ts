// Idempotent and transactional producers over the wire, run by the broker's
// transaction coordinator (broker/_transactions.ts): producer ids and
// epochs, the partitions and groups of a transaction, offsets committed with
// it, and its end, which writes the commit or abort markers.

import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { errorCodeFor, errorCodeOf } from "./_error_code.ts";

/** Answers InitProducerId. */
export async function handleInitProducerId(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  try {
    const { producerId, producerEpoch } = await ctx.server.broker.transactions
      .initProducerId({
        transactionalId: req.transactionalId,
        transactionTimeoutMs: req.transactionTimeoutMs,
      });
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch };
  } catch (error) {
    return {
      throttleTimeMs: 0,
      errorCode: errorCodeFor(error),
      producerId: -1,
      producerEpoch: -1,
    };
  }
}

/** Answers AddPartitionsToTxn (v0–v3: one transaction per request). */
export async function handleAddPartitionsToTxn(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const topics = req.v3AndBelowTopics as {
    name: string;
    partitions: number[];
  }[];
  const errorCode = await errorCodeOf(() =>
    ctx.server.broker.transactions.addPartitionsToTxn({
      transactionalId: req.v3AndBelowTransactionalId,
      producerId: req.v3AndBelowProducerId,
      producerEpoch: req.v3AndBelowProducerEpoch,
      topics: topics.map((t) => ({ topic: t.name, partitions: t.partitions })),
    })
  );
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: errorCode,
      })),
    })),
  };
}

/** Answers AddOffsetsToTxn. */
export async function handleAddOffsetsToTxn(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const errorCode = await errorCodeOf(() =>
    ctx.server.broker.transactions.addOffsetsToTxn({
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      groupId: req.groupId,
    })
  );
  return { throttleTimeMs: 0, errorCode };
}

/** Answers TxnOffsetCommit: offsets that apply when the transaction commits. */
export async function handleTxnOffsetCommit(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const topics = req.topics as {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedMetadata: string | null;
    }[];
  }[];
  const errorCode = await errorCodeOf(() =>
    ctx.server.broker.transactions.txnOffsetCommit({
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      groupId: req.groupId,
      topics: topics.map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: String(p.committedOffset),
          metadata: p.committedMetadata,
        })),
      })),
    })
  );
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
      })),
    })),
  };
}

/** Answers EndTxn: commit or abort. */
export async function handleEndTxn(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const errorCode = await errorCodeOf(() =>
    ctx.server.broker.transactions.endTxn({
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      commit: req.committed,
    })
  );
  return { throttleTimeMs: 0, errorCode };
}
