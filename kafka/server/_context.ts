// What a request handler sees: the broker, the server's settings and the
// connection the request came on.

import type { Broker } from "../broker/_broker.ts";
import type { MessageSchema, Struct } from "../protocol/_schema.ts";
import type { NetworkGroups } from "./_group_api.ts";

/** Settings and state shared by every connection of one server. */
export interface ServerState {
  broker: Broker;
  /** Stable per log directory (random per run in memory). */
  clusterId: string;
  /** Partitions of an auto-created topic. */
  numPartitions: number;
  /** Whether Metadata may create a topic it is asked about. */
  autoCreateTopics: boolean;
  /** Group protocol state of network members. */
  groups: NetworkGroups;
  /** Log lines (bad frames, handler failures). */
  log: (line: string) => void;
}

/** The connection a request arrived on. */
export interface ConnectionInfo {
  /** Client id from the latest request header. */
  clientId: string;
  /** Peer address, as Kafka shows it (`/127.0.0.1`). */
  clientHost: string;
  /** The address the client connected to: advertised back in Metadata. */
  host: string;
  port: number;
}

/** One request's context. */
export interface RequestContext {
  server: ServerState;
  conn: ConnectionInfo;
  /** Aborted when the connection or the server closes. */
  signal: AbortSignal;
}

/** Answers a decoded request; null sends no response (Produce acks 0). */
export type Handler = (
  ctx: RequestContext,
  request: Struct,
  version: number,
) => Struct | null | Promise<Struct | null>;

/** One API this broker speaks. */
export interface Api {
  request: MessageSchema;
  response: MessageSchema;
  handle: Handler;
}
