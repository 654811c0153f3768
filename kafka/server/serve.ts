/**
 * The broker over Kafka's wire protocol: a TCP server in front of the same
 * log, topics and group coordinator the embedded client uses, so kafkajs,
 * kcat (librdkafka) and other Kafka clients in other processes can produce,
 * consume in groups and administer topics.
 *
 * @module
 */

import { join } from "node:path";
import { type Clock, systemClock } from "../../internal/clock.ts";
import { writeFileAtomic } from "../../internal/atomic_file.ts";
import { Broker } from "../broker/_broker.ts";
import { KafkaError } from "../errors.ts";
import { serveConnection } from "./_connection.ts";
import type { ServerState } from "./_context.ts";
import { NetworkGroups } from "./_group_api.ts";

/**
 * Options for {@linkcode serveKafka}.
 *
 * @example A broker on a free port, in memory
 * ```ts
 * import { serveKafka, type ServeKafkaOptions } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const options: ServeKafkaOptions = { port: 0, numPartitions: 3 };
 * await using server = await serveKafka(options);
 * assert.ok(server.port > 0);
 * ```
 */
export interface ServeKafkaOptions {
  /**
   * Log directory; without one the log lives in memory until `close()`.
   * @default {undefined}
   */
  logDir?: string;
  /**
   * Address to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * Port to listen on; 0 picks a free one.
   * @default {9092}
   */
  port?: number;
  /**
   * Partitions of a topic created by Metadata or CreateTopics without a
   * count (Kafka's `num.partitions`).
   * @default {1}
   */
  numPartitions?: number;
  /**
   * Whether Metadata creates topics clients ask about
   * (`auto.create.topics.enable`).
   * @default {true}
   */
  autoCreateTopics?: boolean;
  /**
   * Background fsync interval; 0 fsyncs every produce before it is
   * acknowledged.
   * @default {0}
   */
  flushIntervalMs?: number;
  /**
   * Largest request frame accepted (`socket.request.max.bytes`); a larger
   * one closes its connection.
   * @default {104857600}
   */
  maxFrameBytes?: number;
  /**
   * Time source for heartbeats, session timeouts and fetch waits.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Where log lines go (bad frames, closed connections).
   * @default {console.error}
   */
  log?: (line: string) => void;
}

/**
 * A running broker; close it with `close()` or `await using`.
 *
 * @example Connect and close
 * ```ts
 * import { serveKafka } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const server = await serveKafka({ port: 0 });
 * const conn = await Deno.connect({ hostname: server.hostname, port: server.port });
 * conn.close();
 * await server.close();
 * assert.equal(server.addr.transport, "tcp");
 * ```
 */
export interface KafkaServer extends AsyncDisposable {
  /** The port it listens on. */
  readonly port: number;
  /** The address it listens on. */
  readonly hostname: string;
  /** The listening address. */
  readonly addr: Deno.NetAddr;
  /** Kafka's cluster id, stable per log directory. */
  readonly clusterId: string;
  /** Stops accepting, closes every connection and the log. */
  close(): Promise<void>;
}

/** Reads `meta.properties`' cluster id, writing a new one the first time. */
async function clusterIdOf(logDir: string | undefined): Promise<string> {
  const fresh = () =>
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
      .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  if (!logDir) return fresh();
  const file = join(logDir, "meta.properties");
  try {
    const text = await Deno.readTextFile(file);
    const id = /^cluster\.id=(.+)$/m.exec(text)?.[1]?.trim();
    if (id) return id;
  } catch (cause) {
    if (!(cause instanceof Deno.errors.NotFound)) {
      throw new KafkaError(`Broker metadata is unreadable: ${file}`, { cause });
    }
  }
  const id = fresh();
  await Deno.mkdir(logDir, { recursive: true });
  await writeFileAtomic(
    file,
    new TextEncoder().encode(`version=1\nnode.id=0\ncluster.id=${id}\n`),
  );
  return id;
}

/**
 * Starts a broker that speaks Kafka's protocol on `hostname:port`.
 *
 * @example One broker owns a log directory; its cluster id survives restarts
 * ```ts
 * import { serveKafka } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const logDir = await Deno.makeTempDir();
 * const server = await serveKafka({ logDir, port: 0 });
 * await assert.rejects(serveKafka({ logDir, port: 0 }));
 * await server.close();
 * const again = await serveKafka({ logDir, port: 0 });
 * assert.equal(again.clusterId, server.clusterId);
 * await again.close();
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export async function serveKafka(
  options: ServeKafkaOptions = {},
): Promise<KafkaServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const numPartitions = options.numPartitions ?? 1;
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new KafkaError(
      `numPartitions must be a positive integer: ${numPartitions}`,
      { type: "INVALID_PARTITIONS" },
    );
  }
  // Opening the broker takes the directory's lock before anything is read.
  const broker = await Broker.open({
    logDir: options.logDir,
    clock: options.clock ?? systemClock,
    flushIntervalMs: options.flushIntervalMs,
  });
  let clusterId: string;
  try {
    clusterId = await clusterIdOf(options.logDir);
  } catch (error) {
    await broker.close();
    throw error;
  }
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port: options.port ?? 9092 });
  } catch (cause) {
    await broker.close();
    throw new KafkaError(
      `Cannot listen on ${hostname}:${options.port ?? 9092}: ${
        cause instanceof Error ? cause.message : cause
      }`,
      { cause },
    );
  }
  const state: ServerState = {
    broker,
    clusterId,
    numPartitions,
    autoCreateTopics: options.autoCreateTopics ?? true,
    groups: new NetworkGroups(),
    log: options.log ?? ((line) => console.error(line)),
  };
  const maxFrame = options.maxFrameBytes ?? 100 * 1024 * 1024;
  const stop = new AbortController();
  const connections = new Set<Promise<void>>();
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conn.setNoDelay(true);
        const served = serveConnection(conn, state, maxFrame, stop.signal);
        connections.add(served);
        served.finally(() => connections.delete(served));
      }
    } catch (error) {
      if (!stop.signal.aborted) state.log(`Listener failed: ${error}`);
    }
  })();
  const addr = listener.addr;
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      stop.abort();
      listener.close();
      await accepting;
      await Promise.all(connections);
      await broker.close();
    })();
  return {
    port: addr.port,
    hostname: addr.hostname,
    addr,
    clusterId,
    close,
    [Symbol.asyncDispose]: close,
  };
}
