// Consumer group membership: finding the coordinator, joining, syncing
// assignments, heartbeats and leaving.

import { f, message, type MessageSchema } from "./_schema.ts";

/** FindCoordinatorRequest (API key 10), versions 0–3. */
export const FindCoordinatorRequest: MessageSchema = message(
  "FindCoordinatorRequest",
  10,
  0,
  3,
  3,
  [
    f("key", "string", "0-3"),
    f("keyType", "int8", "1+", { default: 0 }),
  ],
);

/** FindCoordinatorResponse (API key 10), versions 0–3. */
export const FindCoordinatorResponse: MessageSchema = message(
  "FindCoordinatorResponse",
  10,
  0,
  3,
  3,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("errorCode", "int16", "0-3"),
    f("errorMessage", "string", "1-3", { nullable: "1-3" }),
    f("nodeId", "int32", "0-3"),
    f("host", "string", "0-3"),
    f("port", "int32", "0-3"),
  ],
);

/** JoinGroupRequest (API key 11), versions 0–7. */
export const JoinGroupRequest: MessageSchema = message(
  "JoinGroupRequest",
  11,
  0,
  7,
  6,
  [
    f("groupId", "string", "0+"),
    f("sessionTimeoutMs", "int32", "0+"),
    f("rebalanceTimeoutMs", "int32", "1+", { default: -1 }),
    f("memberId", "string", "0+"),
    f("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
    f("protocolType", "string", "0+"),
    f("protocols", "[]", "0+", {
      fields: [
        f("name", "string", "0+"),
        f("metadata", "bytes", "0+"),
      ],
    }),
  ],
);

/** JoinGroupResponse (API key 11), versions 0–7. */
export const JoinGroupResponse: MessageSchema = message(
  "JoinGroupResponse",
  11,
  0,
  7,
  6,
  [
    f("throttleTimeMs", "int32", "2+"),
    f("errorCode", "int16", "0+"),
    f("generationId", "int32", "0+", { default: -1 }),
    f("protocolType", "string", "7+", { nullable: "7+", default: null }),
    f("protocolName", "string", "0+", { nullable: "7+" }),
    f("leader", "string", "0+"),
    f("memberId", "string", "0+"),
    f("members", "[]", "0+", {
      fields: [
        f("memberId", "string", "0+"),
        f("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
        f("metadata", "bytes", "0+"),
      ],
    }),
  ],
);

/** SyncGroupRequest (API key 14), versions 0–5. */
export const SyncGroupRequest: MessageSchema = message(
  "SyncGroupRequest",
  14,
  0,
  5,
  4,
  [
    f("groupId", "string", "0+"),
    f("generationId", "int32", "0+"),
    f("memberId", "string", "0+"),
    f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
    f("protocolType", "string", "5+", { nullable: "5+", default: null }),
    f("protocolName", "string", "5+", { nullable: "5+", default: null }),
    f("assignments", "[]", "0+", {
      fields: [
        f("memberId", "string", "0+"),
        f("assignment", "bytes", "0+"),
      ],
    }),
  ],
);

/** SyncGroupResponse (API key 14), versions 0–5. */
export const SyncGroupResponse: MessageSchema = message(
  "SyncGroupResponse",
  14,
  0,
  5,
  4,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("errorCode", "int16", "0+"),
    f("protocolType", "string", "5+", { nullable: "5+", default: null }),
    f("protocolName", "string", "5+", { nullable: "5+", default: null }),
    f("assignment", "bytes", "0+"),
  ],
);

/** HeartbeatRequest (API key 12), versions 0–4. */
export const HeartbeatRequest: MessageSchema = message(
  "HeartbeatRequest",
  12,
  0,
  4,
  4,
  [
    f("groupId", "string", "0+"),
    f("generationId", "int32", "0+"),
    f("memberId", "string", "0+"),
    f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
  ],
);

/** HeartbeatResponse (API key 12), versions 0–4. */
export const HeartbeatResponse: MessageSchema = message(
  "HeartbeatResponse",
  12,
  0,
  4,
  4,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("errorCode", "int16", "0+"),
  ],
);

/** LeaveGroupRequest (API key 13), versions 0–4. */
export const LeaveGroupRequest: MessageSchema = message(
  "LeaveGroupRequest",
  13,
  0,
  4,
  4,
  [
    f("groupId", "string", "0+"),
    f("memberId", "string", "0-2"),
    f("members", "[]", "3+", {
      fields: [
        f("memberId", "string", "3+"),
        f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
      ],
    }),
  ],
);

/** LeaveGroupResponse (API key 13), versions 0–4. */
export const LeaveGroupResponse: MessageSchema = message(
  "LeaveGroupResponse",
  13,
  0,
  4,
  4,
  [
    f("throttleTimeMs", "int32", "1+"),
    f("errorCode", "int16", "0+"),
    f("members", "[]", "3+", {
      fields: [
        f("memberId", "string", "3+"),
        f("groupInstanceId", "string", "3+", { nullable: "3+" }),
        f("errorCode", "int16", "3+"),
      ],
    }),
  ],
);
