// Fetch and ListOffsets: reading record batches back and finding offsets by
// time or position.

import { f, message, type MessageSchema } from "./_schema.ts";

/** FetchRequest (API key 1), versions 4–12. */
export const FetchRequest: MessageSchema = message(
  "FetchRequest",
  1,
  4,
  12,
  12,
  [
    f("clusterId", "string", "12+", { nullable: "12+", tag: 0, default: null }),
    f("replicaId", "int32", "0-14", { default: -1 }),
    f("maxWaitMs", "int32", "0+"),
    f("minBytes", "int32", "0+"),
    f("maxBytes", "int32", "3+", { default: 2147483647 }),
    f("isolationLevel", "int8", "4+", { default: 0 }),
    f("sessionId", "int32", "7+", { default: 0 }),
    f("sessionEpoch", "int32", "7+", { default: -1 }),
    f("topics", "[]", "0+", {
      fields: [
        f("topic", "string", "0-12"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partition", "int32", "0+"),
            f("currentLeaderEpoch", "int32", "9+", { default: -1 }),
            f("fetchOffset", "int64", "0+"),
            f("lastFetchedEpoch", "int32", "12+", { default: -1 }),
            f("logStartOffset", "int64", "5+", { default: -1 }),
            f("partitionMaxBytes", "int32", "0+"),
          ],
        }),
      ],
    }),
    f("forgottenTopicsData", "[]", "7+", {
      fields: [
        f("topic", "string", "7-12"),
        f("partitions", "[]int32", "7+"),
      ],
    }),
    f("rackId", "string", "11+", { default: "" }),
  ],
);

/** FetchResponse (API key 1), versions 4–12. */
export const FetchResponse: MessageSchema = message(
  "FetchResponse",
  1,
  4,
  12,
  12,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("errorCode", "int16", "7+"),
    f("sessionId", "int32", "7+", { default: 0 }),
    f("responses", "[]", "0+", {
      fields: [
        f("topic", "string", "0-12"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("errorCode", "int16", "0+"),
            f("highWatermark", "int64", "0+"),
            f("lastStableOffset", "int64", "4+", { default: -1 }),
            f("logStartOffset", "int64", "5+", { default: -1 }),
            f("divergingEpoch", "{}", "12+", {
              tag: 0,
              fields: [
                f("epoch", "int32", "12+", { default: -1 }),
                f("endOffset", "int64", "12+", { default: -1 }),
              ],
            }),
            f("currentLeader", "{}", "12+", {
              tag: 1,
              fields: [
                f("leaderId", "int32", "12+", { default: -1 }),
                f("leaderEpoch", "int32", "12+", { default: -1 }),
              ],
            }),
            f("snapshotId", "{}", "12+", {
              tag: 2,
              fields: [
                f("endOffset", "int64", "0+", { default: -1 }),
                f("epoch", "int32", "0+", { default: -1 }),
              ],
            }),
            f("abortedTransactions", "[]", "4+", {
              nullable: "4+",
              fields: [
                f("producerId", "int64", "4+"),
                f("firstOffset", "int64", "4+"),
              ],
            }),
            f("preferredReadReplica", "int32", "11+", { default: -1 }),
            f("records", "records", "0+", { nullable: "0+" }),
          ],
        }),
      ],
    }),
  ],
);

/** ListOffsetsRequest (API key 2), versions 1–5. */
export const ListOffsetsRequest: MessageSchema = message(
  "ListOffsetsRequest",
  2,
  1,
  5,
  6,
  [
    f("replicaId", "int32", "0+"),
    f("isolationLevel", "int8", "2+"),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("currentLeaderEpoch", "int32", "4+", { default: -1 }),
            f("timestamp", "int64", "0+"),
          ],
        }),
      ],
    }),
  ],
);

/** ListOffsetsResponse (API key 2), versions 1–5. */
export const ListOffsetsResponse: MessageSchema = message(
  "ListOffsetsResponse",
  2,
  1,
  5,
  6,
  [
    f("throttleTimeMs", "int32", "2+"),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("errorCode", "int16", "0+"),
            f("timestamp", "int64", "1+", { default: -1 }),
            f("offset", "int64", "1+", { default: -1 }),
            f("leaderEpoch", "int32", "4+", { default: -1 }),
          ],
        }),
      ],
    }),
  ],
);
