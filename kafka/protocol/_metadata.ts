// Metadata: brokers, topics and partition leaders (auto-creating topics
// when the request allows it).

import { f, message, type MessageSchema } from "./_schema.ts";

/** MetadataRequest (API key 3), versions 0–9. */
export const MetadataRequest: MessageSchema = message(
  "MetadataRequest",
  3,
  0,
  9,
  9,
  [
    f("topics", "[]", "0+", {
      nullable: "1+",
      fields: [
        f("name", "string", "0+"),
      ],
    }),
    f("allowAutoTopicCreation", "bool", "4+", { default: true }),
    f("includeClusterAuthorizedOperations", "bool", "8-10"),
    f("includeTopicAuthorizedOperations", "bool", "8+"),
  ],
);

/** MetadataResponse (API key 3), versions 0–9. */
export const MetadataResponse: MessageSchema = message(
  "MetadataResponse",
  3,
  0,
  9,
  9,
  [
    f("throttleTimeMs", "int32", "3+"),
    f("brokers", "[]", "0+", {
      fields: [
        f("nodeId", "int32", "0+"),
        f("host", "string", "0+"),
        f("port", "int32", "0+"),
        f("rack", "string", "1+", { nullable: "1+", default: null }),
      ],
    }),
    f("clusterId", "string", "2+", { nullable: "2+", default: null }),
    f("controllerId", "int32", "1+", { default: -1 }),
    f("topics", "[]", "0+", {
      fields: [
        f("errorCode", "int16", "0+"),
        f("name", "string", "0+"),
        f("isInternal", "bool", "1+", { default: false }),
        f("partitions", "[]", "0+", {
          fields: [
            f("errorCode", "int16", "0+"),
            f("partitionIndex", "int32", "0+"),
            f("leaderId", "int32", "0+"),
            f("leaderEpoch", "int32", "7+", { default: -1 }),
            f("replicaNodes", "[]int32", "0+"),
            f("isrNodes", "[]int32", "0+"),
            f("offlineReplicas", "[]int32", "5+"),
          ],
        }),
        f("topicAuthorizedOperations", "int32", "8+", { default: -2147483648 }),
      ],
    }),
    f("clusterAuthorizedOperations", "int32", "8-10", { default: -2147483648 }),
  ],
);
