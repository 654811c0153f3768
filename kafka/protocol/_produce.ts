// Produce: record batches for partitions, acknowledged per acks.

import { f, message, type MessageSchema } from "./_schema.ts";

/** ProduceRequest (API key 0), versions 3–9. */
export const ProduceRequest: MessageSchema = message(
  "ProduceRequest",
  0,
  3,
  9,
  9,
  [
    f("transactionalId", "string", "3+", { nullable: "3+", default: null }),
    f("acks", "int16", "0+"),
    f("timeoutMs", "int32", "0+"),
    f("topicData", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitionData", "[]", "0+", {
          fields: [
            f("index", "int32", "0+"),
            f("records", "records", "0+", { nullable: "0+" }),
          ],
        }),
      ],
    }),
  ],
);

/** ProduceResponse (API key 0), versions 3–9. */
export const ProduceResponse: MessageSchema = message(
  "ProduceResponse",
  0,
  3,
  9,
  9,
  [
    f("responses", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitionResponses", "[]", "0+", {
          fields: [
            f("index", "int32", "0+"),
            f("errorCode", "int16", "0+"),
            f("baseOffset", "int64", "0+"),
            f("logAppendTimeMs", "int64", "2+", { default: -1 }),
            f("logStartOffset", "int64", "5+", { default: -1 }),
            f("recordErrors", "[]", "8+", {
              fields: [
                f("batchIndex", "int32", "8+"),
                f("batchIndexErrorMessage", "string", "8+", {
                  nullable: "8+",
                  default: null,
                }),
              ],
            }),
            f("errorMessage", "string", "8+", {
              nullable: "8+",
              default: null,
            }),
          ],
        }),
      ],
    }),
    f("throttleTimeMs", "int32", "1+", { default: 0 }),
  ],
);
