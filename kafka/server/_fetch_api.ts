// Fetch and ListOffsets. A fetch answers with stored batches as they are on
// disk, bounded by each partition's `partitionMaxBytes` and the request's
// `maxBytes` (the first batch found is always sent whole, as Kafka does so a
// large batch cannot stall a consumer). With fewer than `minBytes` ready it
// waits, up to `maxWaitMs` on the broker's clock, for an append to wake it.

import { readBatchHeader } from "../protocol/record_batch.ts";
import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { errorCodeFor } from "./_error_code.ts";

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

function collect(
  ctx: RequestContext,
  topics: { topic: string; partitions: FetchPartition[] }[],
  maxBytes: number,
  readCommitted: boolean,
): { responses: Struct[]; bytes: number } {
  const { broker } = ctx.server;
  let bytes = 0;
  const responses = topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      try {
        const log = broker.partition(t.topic, p.partition);
        const hw = log.logEndOffset;
        const lso = broker.transactions.lastStableOffset(
          t.topic,
          p.partition,
          hw,
        );
        const limit = Math.min(p.partitionMaxBytes, maxBytes - bytes);
        const batches = limit > 0 || bytes === 0
          ? log.readBatches(
            p.fetchOffset,
            Math.max(limit, 1),
            readCommitted ? lso : Infinity,
          )
          : [];
        let next = p.fetchOffset;
        for (const b of batches) {
          bytes += b.length;
          next = readBatchHeader(b, 0)!.baseOffset +
            readBatchHeader(b, 0)!.lastOffsetDelta + 1;
        }
        // A read_committed client drops the batches of these producers'
        // aborted transactions itself, as Kafka's clients do.
        const aborted = readCommitted
          ? broker.transactions
            .abortedTransactions(t.topic, p.partition, p.fetchOffset, next)
            .map((a) => ({
              producerId: a.producerId,
              firstOffset: a.firstOffset,
            }))
          : null;
        return {
          partitionIndex: p.partition,
          errorCode: 0,
          highWatermark: hw,
          lastStableOffset: lso,
          logStartOffset: log.logStartOffset,
          abortedTransactions: aborted,
          preferredReadReplica: -1,
          records: batches,
        };
      } catch (error) {
        return {
          partitionIndex: p.partition,
          errorCode: errorCodeFor(error),
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: null,
        };
      }
    }),
  }));
  return { responses, bytes };
}

/** Answers a Fetch request, long-polling for `minBytes`. */
export async function handleFetch(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker } = ctx.server;
  const topics = req.topics as {
    topic: string;
    partitions: FetchPartition[];
  }[];
  const maxBytes = req.maxBytes as number;
  const deadline = broker.clock.monotonic() + (req.maxWaitMs as number);
  const readCommitted = req.isolationLevel === 1;
  let result = collect(ctx, topics, maxBytes, readCommitted);
  while (
    result.bytes < Math.max(1, req.minBytes as number) &&
    broker.clock.monotonic() < deadline && !ctx.signal.aborted &&
    !broker.closed
  ) {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const timer = broker.clock
      .sleep(deadline - broker.clock.monotonic(), stop.signal)
      .catch(() => {});
    await Promise.race([broker.waitForData(stop.signal), timer]);
    stop.abort();
    ctx.signal.removeEventListener("abort", onAbort);
    result = collect(ctx, topics, maxBytes, readCommitted);
  }
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: result.responses,
  };
}

/** Answers a ListOffsets request: -1 latest, -2 earliest, else by time. */
export function handleListOffsets(ctx: RequestContext, req: Struct): Struct {
  const { broker } = ctx.server;
  const topics = req.topics as {
    name: string;
    partitions: { partitionIndex: number; timestamp: number }[];
  }[];
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        try {
          const log = broker.partition(t.name, p.partitionIndex);
          let offset: number;
          let timestamp = -1;
          if (p.timestamp === -1) {
            // read_committed clients see the end as the last stable offset.
            offset = req.isolationLevel === 1
              ? broker.transactions.lastStableOffset(
                t.name,
                p.partitionIndex,
                log.logEndOffset,
              )
              : log.logEndOffset;
          } else if (p.timestamp === -2) offset = log.logStartOffset;
          else {
            offset = log.offsetForTimestamp(p.timestamp);
            // No record at or after the time: Kafka answers -1. Otherwise
            // the answer carries the found record's own timestamp.
            if (offset === log.logEndOffset) offset = -1;
            else {
              timestamp = log.read(offset, 1).find((r) => r.offset === offset)
                ?.timestamp ?? p.timestamp;
            }
          }
          return {
            partitionIndex: p.partitionIndex,
            errorCode: 0,
            timestamp,
            offset,
            leaderEpoch: 0,
          };
        } catch (error) {
          return {
            partitionIndex: p.partitionIndex,
            errorCode: errorCodeFor(error),
            timestamp: -1,
            offset: -1,
            leaderEpoch: -1,
          };
        }
      }),
    })),
  };
}
