// The wire code of a failure: the module's errors carry Kafka's error name
// in `type`; anything else is UNKNOWN_SERVER_ERROR (-1).

import { KafkaError } from "../errors.ts";

const CODES: Record<string, number> = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
};

/** Kafka's code for an error name (-1 for an unknown name). */
export function codeOf(type: string): number {
  return CODES[type] ?? -1;
}

/** Kafka's code for a thrown error. */
export function errorCodeFor(error: unknown): number {
  return error instanceof KafkaError && error.type ? codeOf(error.type) : -1;
}
