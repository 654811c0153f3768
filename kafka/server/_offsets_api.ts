// Committed offsets over the wire: OffsetCommit from a group member (its id
// and generation checked by the coordinator) or from a client outside any
// group (generation -1), OffsetFetch for the next offset to read.

import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { errorCodeFor } from "./_error_code.ts";

interface CommitTopic {
  name: string;
  partitions: {
    partitionIndex: number;
    committedOffset: number;
    committedMetadata: string | null;
  }[];
}

/** Answers OffsetCommit; a rejected commit fails every partition alike. */
export async function handleOffsetCommit(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker } = ctx.server;
  const topics = req.topics as CommitTopic[];
  const generationId = req.generationIdOrMemberEpoch as number;
  const memberId = req.memberId as string;
  const codes = new Map<string, number>();
  const key = (t: string, p: number) => `${p}:${t}`;
  const valid: {
    topic: string;
    partition: number;
    offset: number;
    metadata: string | null;
  }[] = [];
  for (const t of topics) {
    for (const p of t.partitions) {
      try {
        broker.partition(t.name, p.partitionIndex);
        valid.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          metadata: p.committedMetadata,
        });
      } catch (error) {
        codes.set(key(t.name, p.partitionIndex), errorCodeFor(error));
      }
    }
  }
  let commitCode = 0;
  if (valid.length > 0) {
    try {
      await broker.coordinator.commit(
        req.groupId as string,
        generationId >= 0 && memberId ? { memberId, generationId } : undefined,
        valid,
      );
    } catch (error) {
      commitCode = errorCodeFor(error);
    }
  }
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: codes.get(key(t.name, p.partitionIndex)) ?? commitCode,
      })),
    })),
  };
}

/** Answers OffsetFetch: -1 for partitions without a committed offset. */
export function handleOffsetFetch(ctx: RequestContext, req: Struct): Struct {
  const { broker } = ctx.server;
  const groupId = req.groupId as string;
  let asked = req.topics as
    | { name: string; partitionIndexes: number[] }[]
    | null;
  if (asked === null) {
    // Every topic the group has an offset in.
    asked = broker.topicNames().map((name) => ({
      name,
      partitionIndexes: broker.topic(name).partitions.map((_, i) => i)
        .filter((i) => broker.coordinator.committed(groupId, name, i)),
    })).filter((t) => t.partitionIndexes.length > 0);
  }
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    topics: asked.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const c = broker.coordinator.committed(groupId, t.name, p);
        return {
          partitionIndex: p,
          committedOffset: c?.offset ?? -1,
          committedLeaderEpoch: -1,
          metadata: c?.metadata ?? "",
          errorCode: 0,
        };
      }),
    })),
  };
}
