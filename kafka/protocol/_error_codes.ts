// Kafka's protocol error codes (https://kafka.apache.org/protocol#protocol_error_codes)
// with the `retriable` flag kafkajs 2.2.4 gives each (src/protocol/error.js).
// kafkajs departs from Kafka's table in a few places on purpose (it retries
// CONCURRENT_TRANSACTIONS, it does not retry REBALANCE_IN_PROGRESS: a rejoin
// is needed instead); the flags follow kafkajs so code that reads
// `error.retriable` behaves the same here.

/** One row of the table: Kafka's error name, its wire code, kafkajs's flag. */
export interface ErrorCode {
  /** Kafka's error name, e.g. `"UNKNOWN_TOPIC_OR_PARTITION"`. */
  type: string;
  /** The code on the wire. */
  code: number;
  /** Whether kafkajs retries an operation that failed with it. */
  retriable: boolean;
}

// [type, code, retriable], in code order.
const ROWS: [string, number, boolean][] = [
  ["UNKNOWN", -1, false],
  ["OFFSET_OUT_OF_RANGE", 1, false],
  ["CORRUPT_MESSAGE", 2, true],
  ["UNKNOWN_TOPIC_OR_PARTITION", 3, true],
  ["INVALID_FETCH_SIZE", 4, false],
  ["LEADER_NOT_AVAILABLE", 5, true],
  ["NOT_LEADER_FOR_PARTITION", 6, true],
  ["REQUEST_TIMED_OUT", 7, true],
  ["BROKER_NOT_AVAILABLE", 8, false],
  ["REPLICA_NOT_AVAILABLE", 9, true],
  ["MESSAGE_TOO_LARGE", 10, false],
  ["STALE_CONTROLLER_EPOCH", 11, false],
  ["OFFSET_METADATA_TOO_LARGE", 12, false],
  ["NETWORK_EXCEPTION", 13, true],
  ["GROUP_LOAD_IN_PROGRESS", 14, true],
  ["GROUP_COORDINATOR_NOT_AVAILABLE", 15, true],
  ["NOT_COORDINATOR_FOR_GROUP", 16, true],
  ["INVALID_TOPIC_EXCEPTION", 17, false],
  ["RECORD_LIST_TOO_LARGE", 18, false],
  ["NOT_ENOUGH_REPLICAS", 19, true],
  ["NOT_ENOUGH_REPLICAS_AFTER_APPEND", 20, true],
  ["INVALID_REQUIRED_ACKS", 21, false],
  ["ILLEGAL_GENERATION", 22, false],
  ["INCONSISTENT_GROUP_PROTOCOL", 23, false],
  ["INVALID_GROUP_ID", 24, false],
  ["UNKNOWN_MEMBER_ID", 25, false],
  ["INVALID_SESSION_TIMEOUT", 26, false],
  ["REBALANCE_IN_PROGRESS", 27, false],
  ["INVALID_COMMIT_OFFSET_SIZE", 28, false],
  ["TOPIC_AUTHORIZATION_FAILED", 29, false],
  ["GROUP_AUTHORIZATION_FAILED", 30, false],
  ["CLUSTER_AUTHORIZATION_FAILED", 31, false],
  ["INVALID_TIMESTAMP", 32, false],
  ["UNSUPPORTED_SASL_MECHANISM", 33, false],
  ["ILLEGAL_SASL_STATE", 34, false],
  ["UNSUPPORTED_VERSION", 35, false],
  ["TOPIC_ALREADY_EXISTS", 36, false],
  ["INVALID_PARTITIONS", 37, false],
  ["INVALID_REPLICATION_FACTOR", 38, false],
  ["INVALID_REPLICA_ASSIGNMENT", 39, false],
  ["INVALID_CONFIG", 40, false],
  ["NOT_CONTROLLER", 41, true],
  ["INVALID_REQUEST", 42, false],
  ["UNSUPPORTED_FOR_MESSAGE_FORMAT", 43, false],
  ["POLICY_VIOLATION", 44, false],
  ["OUT_OF_ORDER_SEQUENCE_NUMBER", 45, false],
  ["DUPLICATE_SEQUENCE_NUMBER", 46, false],
  ["INVALID_PRODUCER_EPOCH", 47, false],
  ["INVALID_TXN_STATE", 48, false],
  ["INVALID_PRODUCER_ID_MAPPING", 49, false],
  ["INVALID_TRANSACTION_TIMEOUT", 50, false],
  ["CONCURRENT_TRANSACTIONS", 51, true],
  ["TRANSACTION_COORDINATOR_FENCED", 52, false],
  ["TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 53, false],
  ["SECURITY_DISABLED", 54, false],
  ["OPERATION_NOT_ATTEMPTED", 55, false],
  ["KAFKA_STORAGE_ERROR", 56, true],
  ["LOG_DIR_NOT_FOUND", 57, false],
  ["SASL_AUTHENTICATION_FAILED", 58, false],
  ["UNKNOWN_PRODUCER_ID", 59, false],
  ["REASSIGNMENT_IN_PROGRESS", 60, false],
  ["DELEGATION_TOKEN_AUTH_DISABLED", 61, false],
  ["DELEGATION_TOKEN_NOT_FOUND", 62, false],
  ["DELEGATION_TOKEN_OWNER_MISMATCH", 63, false],
  ["DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", 64, false],
  ["DELEGATION_TOKEN_AUTHORIZATION_FAILED", 65, false],
  ["DELEGATION_TOKEN_EXPIRED", 66, false],
  ["INVALID_PRINCIPAL_TYPE", 67, false],
  ["NON_EMPTY_GROUP", 68, false],
  ["GROUP_ID_NOT_FOUND", 69, false],
  ["FETCH_SESSION_ID_NOT_FOUND", 70, true],
  ["INVALID_FETCH_SESSION_EPOCH", 71, true],
  ["LISTENER_NOT_FOUND", 72, true],
  ["TOPIC_DELETION_DISABLED", 73, false],
  ["FENCED_LEADER_EPOCH", 74, true],
  ["UNKNOWN_LEADER_EPOCH", 75, true],
  ["UNSUPPORTED_COMPRESSION_TYPE", 76, false],
  ["STALE_BROKER_EPOCH", 77, false],
  ["OFFSET_NOT_AVAILABLE", 78, true],
  ["MEMBER_ID_REQUIRED", 79, false],
  ["PREFERRED_LEADER_NOT_AVAILABLE", 80, true],
  ["GROUP_MAX_SIZE_REACHED", 81, false],
  ["FENCED_INSTANCE_ID", 82, false],
  ["ELIGIBLE_LEADERS_NOT_AVAILABLE", 83, true],
  ["ELECTION_NOT_NEEDED", 84, true],
  ["NO_REASSIGNMENT_IN_PROGRESS", 85, false],
  ["GROUP_SUBSCRIBED_TO_TOPIC", 86, false],
  ["INVALID_RECORD", 87, false],
  ["UNSTABLE_OFFSET_COMMIT", 88, true],
];

const BY_TYPE = new Map<string, ErrorCode>();
const BY_CODE = new Map<number, ErrorCode>();
for (const [type, code, retriable] of ROWS) {
  const row = { type, code, retriable };
  BY_TYPE.set(type, row);
  BY_CODE.set(code, row);
}

/** The row of a Kafka error name, or undefined for a name Kafka lacks. */
export function errorCodeOfType(type: string): ErrorCode | undefined {
  return BY_TYPE.get(type);
}

/**
 * The row of a wire code; an unknown code gets kafkajs's
 * `KAFKAJS_UNKNOWN_ERROR_CODE` (-99, not retriable).
 */
export function errorCodeOf(code: number): ErrorCode {
  return BY_CODE.get(code) ??
    { type: "KAFKAJS_UNKNOWN_ERROR_CODE", code: -99, retriable: false };
}

/** Every row, in code order. */
export const ERROR_CODES: readonly ErrorCode[] = [...BY_TYPE.values()];
