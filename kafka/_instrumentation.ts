// kafkajs's instrumentation events: `client.on(client.events.X, listener)`
// with kafkajs's event names and `{ id, type, timestamp, payload }`
// events. As kafkajs documents, a listener never affects the client: its
// errors and rejections are caught and logged; an unknown event name is
// refused.

import type { Clock } from "../internal/clock.ts";
import { KafkaJSNonRetriableError } from "./errors.ts";
import type { Logger } from "./loggers.ts";

/**
 * An instrumentation event, as kafkajs delivers it.
 *
 * @example Log heartbeats
 * ```ts
 * import assert from "node:assert/strict";
 * import { type InstrumentationEvent, Kafka } from "./mod.ts";
 * const consumer = new Kafka({}).consumer({ groupId: "g" });
 * const remove = consumer.on(consumer.events.HEARTBEAT, (e: InstrumentationEvent) => {
 *   assert.equal(typeof e.payload.groupGenerationId, "number");
 * });
 * remove();
 * ```
 */
export interface InstrumentationEvent<T = Record<string, unknown>> {
  /** Event id (increasing over the process). */
  id: number;
  /** Event name, e.g. `"consumer.heartbeat"`. */
  type: string;
  /** Epoch ms on the client's clock. */
  timestamp: number;
  /** Event details. */
  payload: T;
}

/** A listener; its return value (a promise, maybe) is only watched for errors. */
export type InstrumentationListener = (
  event: InstrumentationEvent,
) => unknown;

let nextId = 0;

/** One client's events: listeners by name, kafkajs's checks and logging. */
export class Instrumentation {
  #events: Record<string, string>;
  #names: Set<string>;
  #listeners = new Map<string, Set<InstrumentationListener>>();
  #client: string;
  #logger: Logger;
  #clock: Clock;

  constructor(
    client: "consumer" | "producer" | "admin",
    events: Record<string, string>,
    logger: Logger,
    clock: Clock,
  ) {
    this.#client = client;
    this.#events = events;
    this.#names = new Set(Object.values(events));
    this.#logger = logger;
    this.#clock = clock;
  }

  /** Adds a listener; returns the function that removes it. */
  on(eventName: string, listener: InstrumentationListener): () => void {
    if (!this.#names.has(eventName)) {
      throw new KafkaJSNonRetriableError(
        `Event name should be one of ${
          Object.keys(this.#events).map((k) => `${this.#client}.events.${k}`)
            .join(", ")
        }: ${JSON.stringify(eventName)}`,
      );
    }
    if (typeof listener !== "function") {
      throw new KafkaJSNonRetriableError(
        `Event listener must be a function: ${typeof listener} for ${eventName}`,
      );
    }
    let set = this.#listeners.get(eventName);
    if (!set) this.#listeners.set(eventName, set = new Set());
    // A wrapper per registration, so the same function added twice runs twice.
    const wrapped: InstrumentationListener = (e) => listener(e);
    set.add(wrapped);
    return () => void set.delete(wrapped);
  }

  /** Whether anyone listens to `eventName` (payloads are built only then). */
  has(eventName: string): boolean {
    return (this.#listeners.get(eventName)?.size ?? 0) > 0;
  }

  /** Delivers an event to its listeners; their failures are logged. */
  emit(eventName: string, payload: Record<string, unknown> = {}): void {
    const set = this.#listeners.get(eventName);
    if (!set || set.size === 0) return;
    const event: InstrumentationEvent = {
      id: nextId++,
      type: eventName,
      timestamp: this.#clock.now(),
      payload,
    };
    for (const listener of [...set]) {
      try {
        const result = listener(event);
        if (result instanceof Promise) {
          result.catch((e) => this.#failed(eventName, e));
        }
      } catch (e) {
        this.#failed(eventName, e);
      }
    }
  }

  #failed(eventName: string, e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    this.#logger.error(`Failed to execute listener: ${error.message}`, {
      eventName,
      stack: error.stack,
    });
  }
}
