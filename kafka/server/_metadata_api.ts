// Metadata: one broker (node 0, at the address the client connected to),
// leader of every partition. Topics a client asks about are created with the
// server's default partition count when the request allows it, as Kafka's
// `auto.create.topics.enable` does.

import { validateTopicName } from "../broker/_broker.ts";
import { KafkaError } from "../errors.ts";
import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { errorCodeFor } from "./_error_code.ts";

/** The single node every partition is led by. */
export const NODE_ID = 0;

function describeTopic(ctx: RequestContext, name: string): Struct {
  const topic = ctx.server.broker.topic(name);
  return {
    errorCode: 0,
    name,
    isInternal: false,
    partitions: topic.partitions.map((_, i) => ({
      errorCode: 0,
      partitionIndex: i,
      leaderId: NODE_ID,
      leaderEpoch: 0,
      replicaNodes: [NODE_ID],
      isrNodes: [NODE_ID],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: -2147483648,
  };
}

/** Answers a Metadata request. */
export async function handleMetadata(
  ctx: RequestContext,
  req: Struct,
  version: number,
): Promise<Struct> {
  const { broker } = ctx.server;
  const asked = req.topics as { name: string }[] | null;
  // v0 asks for every topic with an empty list, later versions with null.
  const names = asked === null || (version === 0 && asked.length === 0)
    ? broker.topicNames()
    : asked.map((t) => t.name);
  const allowCreate = ctx.server.autoCreateTopics &&
    (version < 4 || req.allowAutoTopicCreation !== false);
  const topics: Struct[] = [];
  for (const name of names) {
    try {
      if (!broker.hasTopic(name)) {
        validateTopicName(name);
        if (!allowCreate) {
          throw new KafkaError(
            `Topic does not exist: ${JSON.stringify(name)}`,
            {
              type: "UNKNOWN_TOPIC_OR_PARTITION",
            },
          );
        }
        await broker.createTopic(name, ctx.server.numPartitions);
      }
      topics.push(describeTopic(ctx, name));
    } catch (error) {
      topics.push({ errorCode: errorCodeFor(error), name, partitions: [] });
    }
  }
  return {
    throttleTimeMs: 0,
    brokers: [{
      nodeId: NODE_ID,
      host: ctx.conn.host,
      port: ctx.conn.port,
      rack: null,
    }],
    clusterId: ctx.server.clusterId,
    controllerId: NODE_ID,
    topics,
    clusterAuthorizedOperations: -2147483648,
  };
}
