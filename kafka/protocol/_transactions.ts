// Idempotent and transactional producers.

import { f, message, type MessageSchema } from "./_schema.ts";

/** InitProducerIdRequest (API key 22), versions 0–4. */
export const InitProducerIdRequest: MessageSchema = message(
  "InitProducerIdRequest",
  22,
  0,
  4,
  2,
  [
    f("transactionalId", "string", "0+", { nullable: "0+" }),
    f("transactionTimeoutMs", "int32", "0+"),
    f("producerId", "int64", "3+", { default: -1 }),
    f("producerEpoch", "int16", "3+", { default: -1 }),
  ],
);

/** InitProducerIdResponse (API key 22), versions 0–4. */
export const InitProducerIdResponse: MessageSchema = message(
  "InitProducerIdResponse",
  22,
  0,
  4,
  2,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("errorCode", "int16", "0+"),
    f("producerId", "int64", "0+", { default: -1 }),
    f("producerEpoch", "int16", "0+"),
  ],
);

/** AddPartitionsToTxnRequest (API key 24), versions 0–3. */
export const AddPartitionsToTxnRequest: MessageSchema = message(
  "AddPartitionsToTxnRequest",
  24,
  0,
  3,
  3,
  [
    f("v3AndBelowTransactionalId", "string", "0-3"),
    f("v3AndBelowProducerId", "int64", "0-3"),
    f("v3AndBelowProducerEpoch", "int16", "0-3"),
    f("v3AndBelowTopics", "[]", "0-3", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]int32", "0+"),
      ],
    }),
  ],
);

/** AddPartitionsToTxnResponse (API key 24), versions 0–3. */
export const AddPartitionsToTxnResponse: MessageSchema = message(
  "AddPartitionsToTxnResponse",
  24,
  0,
  3,
  3,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("resultsByTopicV3AndBelow", "[]", "0-3", {
      fields: [
        f("name", "string", "0+"),
        f("resultsByPartition", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("partitionErrorCode", "int16", "0+"),
          ],
        }),
      ],
    }),
  ],
);

/** AddOffsetsToTxnRequest (API key 25), versions 0–3. */
export const AddOffsetsToTxnRequest: MessageSchema = message(
  "AddOffsetsToTxnRequest",
  25,
  0,
  3,
  3,
  [
    f("transactionalId", "string", "0+"),
    f("producerId", "int64", "0+"),
    f("producerEpoch", "int16", "0+"),
    f("groupId", "string", "0+"),
  ],
);

/** AddOffsetsToTxnResponse (API key 25), versions 0–3. */
export const AddOffsetsToTxnResponse: MessageSchema = message(
  "AddOffsetsToTxnResponse",
  25,
  0,
  3,
  3,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("errorCode", "int16", "0+"),
  ],
);

/** EndTxnRequest (API key 26), versions 0–3. */
export const EndTxnRequest: MessageSchema = message(
  "EndTxnRequest",
  26,
  0,
  3,
  3,
  [
    f("transactionalId", "string", "0+"),
    f("producerId", "int64", "0+"),
    f("producerEpoch", "int16", "0+"),
    f("committed", "bool", "0+"),
  ],
);

/** EndTxnResponse (API key 26), versions 0–3. */
export const EndTxnResponse: MessageSchema = message(
  "EndTxnResponse",
  26,
  0,
  3,
  3,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("errorCode", "int16", "0+"),
  ],
);

/** TxnOffsetCommitRequest (API key 28), versions 0–3. */
export const TxnOffsetCommitRequest: MessageSchema = message(
  "TxnOffsetCommitRequest",
  28,
  0,
  3,
  3,
  [
    f("transactionalId", "string", "0+"),
    f("groupId", "string", "0+"),
    f("producerId", "int64", "0+"),
    f("producerEpoch", "int16", "0+"),
    f("generationId", "int32", "3+", { default: -1 }),
    f("memberId", "string", "3+", { default: "" }),
    f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("committedOffset", "int64", "0+"),
            f("committedLeaderEpoch", "int32", "2+", { default: -1 }),
            f("committedMetadata", "string", "0+", { nullable: "0+" }),
          ],
        }),
      ],
    }),
  ],
);

/** TxnOffsetCommitResponse (API key 28), versions 0–3. */
export const TxnOffsetCommitResponse: MessageSchema = message(
  "TxnOffsetCommitResponse",
  28,
  0,
  3,
  3,
  [
    f("throttleTimeMs", "int32", "0+"),
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
