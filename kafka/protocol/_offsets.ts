// Committed offsets of consumer groups.

import { f, message, type MessageSchema } from "./_schema.ts";

/** OffsetCommitRequest (API key 8), versions 2–8. */
export const OffsetCommitRequest: MessageSchema = message(
  "OffsetCommitRequest",
  8,
  2,
  8,
  8,
  [
    f("groupId", "string", "0+"),
    f("generationIdOrMemberEpoch", "int32", "1+", { default: -1 }),
    f("memberId", "string", "1+"),
    f("groupInstanceId", "string", "7+", { nullable: "7+", default: null }),
    f("retentionTimeMs", "int64", "2-4", { default: -1 }),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("committedOffset", "int64", "0+"),
            f("committedLeaderEpoch", "int32", "6+", { default: -1 }),
            f("committedMetadata", "string", "0+", { nullable: "0+" }),
          ],
        }),
      ],
    }),
  ],
);

/** OffsetCommitResponse (API key 8), versions 2–8. */
export const OffsetCommitResponse: MessageSchema = message(
  "OffsetCommitResponse",
  8,
  2,
  8,
  8,
  [
    f("throttleTimeMs", "int32", "3+"),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("errorCode", "int16", "0+"),
          ],
        }),
      ],
    }),
  ],
);

/** OffsetFetchRequest (API key 9), versions 1–7. */
export const OffsetFetchRequest: MessageSchema = message(
  "OffsetFetchRequest",
  9,
  1,
  7,
  6,
  [
    f("groupId", "string", "0-7"),
    f("topics", "[]", "0-7", {
      nullable: "2-7",
      fields: [
        f("name", "string", "0-7"),
        f("partitionIndexes", "[]int32", "0-7"),
      ],
    }),
    f("requireStable", "bool", "7+", { default: false }),
  ],
);

/** OffsetFetchResponse (API key 9), versions 1–7. */
export const OffsetFetchResponse: MessageSchema = message(
  "OffsetFetchResponse",
  9,
  1,
  7,
  6,
  [
    f("throttleTimeMs", "int32", "3+"),
    f("topics", "[]", "0-7", {
      fields: [
        f("name", "string", "0-7"),
        f("partitions", "[]", "0-7", {
          fields: [
            f("partitionIndex", "int32", "0-7"),
            f("committedOffset", "int64", "0-7"),
            f("committedLeaderEpoch", "int32", "5-7", { default: -1 }),
            f("metadata", "string", "0-7", { nullable: "0-7" }),
            f("errorCode", "int16", "0-7"),
          ],
        }),
      ],
    }),
    f("errorCode", "int16", "2-7", { default: 0 }),
  ],
);
