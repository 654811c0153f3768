// Where a consumer group's committed offsets live on disk: one JSON file
// per group under `<logDir>/__consumer_offsets/`, named so that any group id
// Kafka accepts gives a valid and distinct file name.

import { KafkaJSNonRetriableError } from "../errors.ts";

/** Kafka's limit on a group id: a protocol STRING, 32767 bytes of UTF-8. */
const MAX_GROUP_ID_BYTES = 32767;

/** Checks a consumer group id: a string of at most 32767 UTF-8 bytes. */
export function validateGroupId(groupId: unknown): string {
  if (
    typeof groupId !== "string" ||
    new TextEncoder().encode(groupId).length > MAX_GROUP_ID_BYTES
  ) {
    throw new KafkaJSNonRetriableError(
      `Group id must be a string of at most ${MAX_GROUP_ID_BYTES} UTF-8 bytes: ${
        typeof groupId === "string"
          ? `${groupId.length} characters`
          : JSON.stringify(groupId)
      }`,
      { type: "INVALID_GROUP_ID" },
    );
  }
  return groupId;
}

/**
 * The file of a group's committed offsets: the escaped id when it is short,
 * else a prefix of it and a SHA-256 of the whole id, so any group id makes
 * a valid, distinct file name. (Escaped ids never contain `~`.)
 */
export async function offsetsFileName(groupId: string): Promise<string> {
  const safe = encodeURIComponent(groupId).replaceAll(".", "%2E")
    .replaceAll("~", "%7E");
  if (safe.length <= 200) return `${safe}.json`;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(groupId)),
  );
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return `${safe.slice(0, 100)}~${hex}.json`;
}
