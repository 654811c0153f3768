/**
 * kafkajs's logging: numeric levels (`logLevel`), a log creator that turns
 * a level into a log function, and namespaced loggers (`Consumer`,
 * `Producer`, `Admin`) that `kafka.logger()`, `producer.logger()`,
 * `consumer.logger()` and `admin.logger()` return.
 *
 * An entry is `{ namespace, level, label, log: { timestamp, logger:
 * "kafkajs", message, ...extra } }`; the default creator prints it as one
 * JSON line on the console. The level is INFO unless `logLevel` or the
 * `KAFKAJS_LOG_LEVEL` environment variable (when readable) says otherwise.
 *
 * @module
 */

/**
 * Log levels, as kafkajs numbers them.
 *
 * @example Errors only
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, logLevel } from "./mod.ts";
 * const kafka = new Kafka({ logLevel: logLevel.ERROR });
 * assert.equal(logLevel.ERROR, 1);
 * assert.equal(typeof kafka.logger().error, "function");
 * ```
 */
export const logLevel: {
  readonly NOTHING: 0;
  readonly ERROR: 1;
  readonly WARN: 2;
  readonly INFO: 4;
  readonly DEBUG: 5;
} = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 };

/** A level value of {@linkcode logLevel}. */
export type LogLevel = (typeof logLevel)[keyof typeof logLevel];

/**
 * One log entry, as a log function receives it.
 *
 * @example Format an entry
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LogEntry } from "./mod.ts";
 * const line = ({ namespace, label, log }: LogEntry) => `${label} [${namespace}] ${log.message}`;
 * const entry: LogEntry = {
 *   namespace: "Consumer", level: 4, label: "INFO",
 *   log: { timestamp: "2024-01-01T00:00:00.000Z", logger: "kafkajs", message: "Starting" },
 * };
 * assert.equal(line(entry), "INFO [Consumer] Starting");
 * ```
 */
export interface LogEntry {
  /** Component that logged: `"Consumer"`, `"Producer"`, `"Admin"`, … */
  namespace: string;
  /** Numeric level. */
  level: LogLevel;
  /** Level name: `"ERROR"`, `"WARN"`, `"INFO"` or `"DEBUG"`. */
  label: string;
  /** The message with its extra fields. */
  log: {
    readonly timestamp: string;
    readonly message: string;
    readonly logger?: string;
    [key: string]: unknown;
  };
}

/**
 * A log creator: given the client's level, returns the function that
 * writes entries (kafkajs's `logCreator` option).
 *
 * @example Collect entries in memory
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type LogEntry, type logCreator } from "./mod.ts";
 * const entries: LogEntry[] = [];
 * const memory: logCreator = () => (entry) => void entries.push(entry);
 * new Kafka({ logCreator: memory }).logger().info("hello", { n: 1 });
 * assert.deepEqual([entries[0]!.label, entries[0]!.log.message, entries[0]!.log.n], ["INFO", "hello", 1]);
 * ```
 */
export type logCreator = (level: LogLevel) => (entry: LogEntry) => void;

/**
 * A namespaced logger, as kafkajs's `Logger`.
 *
 * @example Log from a consumer's namespace
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type LogEntry } from "./mod.ts";
 * const seen: LogEntry[] = [];
 * const consumer = new Kafka({ logCreator: () => (e) => void seen.push(e) }).consumer({ groupId: "g" });
 * consumer.logger().warn("careful");
 * assert.deepEqual([seen[0]!.namespace, seen[0]!.label], ["Consumer", "WARN"]);
 * ```
 */
export interface Logger {
  /** Logs at INFO. */
  info(message: string, extra?: object): void;
  /** Logs at ERROR. */
  error(message: string, extra?: object): void;
  /** Logs at WARN. */
  warn(message: string, extra?: object): void;
  /** Logs at DEBUG. */
  debug(message: string, extra?: object): void;
  /** A logger for a sub-component, optionally with its own level. */
  namespace(namespace: string, level?: LogLevel): Logger;
  /** Changes the level of this logger's tree. */
  setLogLevel(level: LogLevel): void;
}

const LABELS: Record<number, string> = {
  1: "ERROR",
  2: "WARN",
  4: "INFO",
  5: "DEBUG",
};

function envLevel(): LogLevel | undefined {
  let name: string | undefined;
  try {
    name = Deno.env.get("KAFKAJS_LOG_LEVEL");
  } catch {
    return undefined; // no --allow-env: the option decides
  }
  const level = (logLevel as Record<string, LogLevel>)[
    (name ?? "").toUpperCase()
  ];
  return level;
}

/**
 * kafkajs's console creator: one JSON line per entry, on `console.error`,
 * `warn`, `info` or `log` by level.
 *
 * @example Use it explicitly
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleLogCreator, Kafka } from "./mod.ts";
 * const kafka = new Kafka({ logCreator: consoleLogCreator });
 * assert.equal(typeof kafka.logger().info, "function");
 * ```
 */
export function consoleLogCreator(): (entry: LogEntry) => void {
  return ({ namespace, level, label, log }) => {
    const prefix = namespace ? `[${namespace}] ` : "";
    const line = JSON.stringify({
      level: label,
      ...log,
      message: `${prefix}${log.message}`,
    });
    if (level === logLevel.ERROR) console.error(line);
    else if (level === logLevel.WARN) console.warn(line);
    else if (level === logLevel.INFO) console.info(line);
    else console.log(line);
  };
}

/**
 * Makes the root logger of a client: `level` (INFO by default, overridden
 * by `KAFKAJS_LOG_LEVEL`) and the entries' writer from `creator`.
 */
export function createLogger(
  options: {
    level?: LogLevel;
    creator?: logCreator;
    now?: () => number;
  } = {},
): Logger {
  let rootLevel: LogLevel = envLevel() ?? options.level ?? logLevel.INFO;
  const write = (options.creator ?? consoleLogCreator)(rootLevel);
  const now = options.now ?? Date.now;
  const make = (namespace: string, own: LogLevel | undefined): Logger => {
    const at = (level: LogLevel) => (message: string, extra: object = {}) => {
      if (level > (own ?? rootLevel)) return;
      write({
        namespace,
        level,
        label: LABELS[level]!,
        log: {
          timestamp: new Date(now()).toISOString(),
          logger: "kafkajs",
          message,
          ...extra,
        },
      });
    };
    return {
      info: at(logLevel.INFO),
      error: at(logLevel.ERROR),
      warn: at(logLevel.WARN),
      debug: at(logLevel.DEBUG),
      namespace: (ns: string, level?: LogLevel) =>
        make(ns, envLevel() ?? level),
      setLogLevel: (level: LogLevel) => {
        rootLevel = level;
      },
    };
  };
  return make("", undefined);
}
