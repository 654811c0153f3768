// Administration: topics, partitions, groups, configs and record deletion.

import { f, message, type MessageSchema } from "./_schema.ts";

/** CreateTopicsRequest (API key 19), versions 0–5. */
export const CreateTopicsRequest: MessageSchema = message(
  "CreateTopicsRequest",
  19,
  0,
  5,
  5,
  [
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("numPartitions", "int32", "0+"),
        f("replicationFactor", "int16", "0+"),
        f("assignments", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("brokerIds", "[]int32", "0+"),
          ],
        }),
        f("configs", "[]", "0+", {
          fields: [
            f("name", "string", "0+"),
            f("value", "string", "0+", { nullable: "0+" }),
          ],
        }),
      ],
    }),
    f("timeoutMs", "int32", "0+", { default: 60000 }),
    f("validateOnly", "bool", "1+", { default: false }),
  ],
);

/** CreateTopicsResponse (API key 19), versions 0–5. */
export const CreateTopicsResponse: MessageSchema = message(
  "CreateTopicsResponse",
  19,
  0,
  5,
  5,
  [
    f("throttleTimeMs", "int32", "2+"),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("errorCode", "int16", "0+"),
        f("errorMessage", "string", "1+", { nullable: "0+" }),
        f("topicConfigErrorCode", "int16", "5+", { tag: 0 }),
        f("numPartitions", "int32", "5+", { default: -1 }),
        f("replicationFactor", "int16", "5+", { default: -1 }),
        f("configs", "[]", "5+", {
          nullable: "5+",
          fields: [
            f("name", "string", "5+"),
            f("value", "string", "5+", { nullable: "5+" }),
            f("readOnly", "bool", "5+"),
            f("configSource", "int8", "5+", { default: -1 }),
            f("isSensitive", "bool", "5+"),
          ],
        }),
      ],
    }),
  ],
);

/** DeleteTopicsRequest (API key 20), versions 0–4. */
export const DeleteTopicsRequest: MessageSchema = message(
  "DeleteTopicsRequest",
  20,
  0,
  4,
  4,
  [
    f("topicNames", "[]string", "0-5"),
    f("timeoutMs", "int32", "0+"),
  ],
);

/** DeleteTopicsResponse (API key 20), versions 0–4. */
export const DeleteTopicsResponse: MessageSchema = message(
  "DeleteTopicsResponse",
  20,
  0,
  4,
  4,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("responses", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("errorCode", "int16", "0+"),
      ],
    }),
  ],
);

/** CreatePartitionsRequest (API key 37), versions 0–2. */
export const CreatePartitionsRequest: MessageSchema = message(
  "CreatePartitionsRequest",
  37,
  0,
  2,
  2,
  [
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("count", "int32", "0+"),
        f("assignments", "[]", "0+", {
          nullable: "0+",
          fields: [
            f("brokerIds", "[]int32", "0+"),
          ],
        }),
      ],
    }),
    f("timeoutMs", "int32", "0+"),
    f("validateOnly", "bool", "0+"),
  ],
);

/** CreatePartitionsResponse (API key 37), versions 0–2. */
export const CreatePartitionsResponse: MessageSchema = message(
  "CreatePartitionsResponse",
  37,
  0,
  2,
  2,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("results", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("errorCode", "int16", "0+"),
        f("errorMessage", "string", "0+", { nullable: "0+", default: null }),
      ],
    }),
  ],
);

/** DescribeGroupsRequest (API key 15), versions 0–5. */
export const DescribeGroupsRequest: MessageSchema = message(
  "DescribeGroupsRequest",
  15,
  0,
  5,
  5,
  [
    f("groups", "[]string", "0+"),
    f("includeAuthorizedOperations", "bool", "3+"),
  ],
);

/** DescribeGroupsResponse (API key 15), versions 0–5. */
export const DescribeGroupsResponse: MessageSchema = message(
  "DescribeGroupsResponse",
  15,
  0,
  5,
  5,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("groups", "[]", "0+", {
      fields: [
        f("errorCode", "int16", "0+"),
        f("groupId", "string", "0+"),
        f("groupState", "string", "0+"),
        f("protocolType", "string", "0+"),
        f("protocolData", "string", "0+"),
        f("members", "[]", "0+", {
          fields: [
            f("memberId", "string", "0+"),
            f("groupInstanceId", "string", "4+", {
              nullable: "4+",
              default: null,
            }),
            f("clientId", "string", "0+"),
            f("clientHost", "string", "0+"),
            f("memberMetadata", "bytes", "0+"),
            f("memberAssignment", "bytes", "0+"),
          ],
        }),
        f("authorizedOperations", "int32", "3+", { default: -2147483648 }),
      ],
    }),
  ],
);

/** ListGroupsRequest (API key 16), versions 0–4. */
export const ListGroupsRequest: MessageSchema = message(
  "ListGroupsRequest",
  16,
  0,
  4,
  3,
  [
    f("statesFilter", "[]string", "4+"),
  ],
);

/** ListGroupsResponse (API key 16), versions 0–4. */
export const ListGroupsResponse: MessageSchema = message(
  "ListGroupsResponse",
  16,
  0,
  4,
  3,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("errorCode", "int16", "0+"),
    f("groups", "[]", "0+", {
      fields: [
        f("groupId", "string", "0+"),
        f("protocolType", "string", "0+"),
        f("groupState", "string", "4+"),
      ],
    }),
  ],
);

/** DeleteGroupsRequest (API key 42), versions 0–2. */
export const DeleteGroupsRequest: MessageSchema = message(
  "DeleteGroupsRequest",
  42,
  0,
  2,
  2,
  [
    f("groupsNames", "[]string", "0+"),
  ],
);

/** DeleteGroupsResponse (API key 42), versions 0–2. */
export const DeleteGroupsResponse: MessageSchema = message(
  "DeleteGroupsResponse",
  42,
  0,
  2,
  2,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("results", "[]", "0+", {
      fields: [
        f("groupId", "string", "0+"),
        f("errorCode", "int16", "0+"),
      ],
    }),
  ],
);

/** DescribeConfigsRequest (API key 32), versions 0–4. */
export const DescribeConfigsRequest: MessageSchema = message(
  "DescribeConfigsRequest",
  32,
  0,
  4,
  4,
  [
    f("resources", "[]", "0+", {
      fields: [
        f("resourceType", "int8", "0+"),
        f("resourceName", "string", "0+"),
        f("configurationKeys", "[]string", "0+", { nullable: "0+" }),
      ],
    }),
    f("includeSynonyms", "bool", "1+", { default: false }),
    f("includeDocumentation", "bool", "3+", { default: false }),
  ],
);

/** DescribeConfigsResponse (API key 32), versions 0–4. */
export const DescribeConfigsResponse: MessageSchema = message(
  "DescribeConfigsResponse",
  32,
  0,
  4,
  4,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("results", "[]", "0+", {
      fields: [
        f("errorCode", "int16", "0+"),
        f("errorMessage", "string", "0+", { nullable: "0+" }),
        f("resourceType", "int8", "0+"),
        f("resourceName", "string", "0+"),
        f("configs", "[]", "0+", {
          fields: [
            f("name", "string", "0+"),
            f("value", "string", "0+", { nullable: "0+" }),
            f("readOnly", "bool", "0+"),
            f("isDefault", "bool", "0"),
            f("configSource", "int8", "1+", { default: -1 }),
            f("isSensitive", "bool", "0+"),
            f("synonyms", "[]", "1+", {
              fields: [
                f("name", "string", "1+"),
                f("value", "string", "1+", { nullable: "0+" }),
                f("source", "int8", "1+"),
              ],
            }),
            f("configType", "int8", "3+", { default: 0 }),
            f("documentation", "string", "3+", { nullable: "0+" }),
          ],
        }),
      ],
    }),
  ],
);

/** DeleteRecordsRequest (API key 21), versions 0–2. */
export const DeleteRecordsRequest: MessageSchema = message(
  "DeleteRecordsRequest",
  21,
  0,
  2,
  2,
  [
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("offset", "int64", "0+"),
          ],
        }),
      ],
    }),
    f("timeoutMs", "int32", "0+"),
  ],
);

/** DeleteRecordsResponse (API key 21), versions 0–2. */
export const DeleteRecordsResponse: MessageSchema = message(
  "DeleteRecordsResponse",
  21,
  0,
  2,
  2,
  [
    f("throttleTimeMs", "int32", "0+"),
    f("topics", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("partitions", "[]", "0+", {
          fields: [
            f("partitionIndex", "int32", "0+"),
            f("lowWatermark", "int64", "0+"),
            f("errorCode", "int16", "0+"),
          ],
        }),
      ],
    }),
  ],
);
