// The consumer's run loop, as kafkajs's Runner: join, then fetch rounds —
// heartbeat, FETCH_START, read, FETCH, hand each partition's messages to
// eachMessage or eachBatch (START_BATCH_PROCESS / END_BATCH_PROCESS), commit
// — with a macrotask between rounds so timers, I/O and other consumers run
// however large the backlog. A failed round is retried with kafkajs's
// exponential backoff when the error is retriable; after `retries` it
// becomes KafkaJSNumberOfRetriesExceeded and the consumer crashes: it
// leaves the group, emits CRASH with `restart`, and restarts after the
// retry time unless the error is not retriable or `restartOnFailure` says
// no.
//
//   start ─▶ join ─▶ ┌ heartbeat ─▶ seeks ─▶ fetch ─▶ process ─▶ commit ─▶ yield ┐
//                    └──────────────────────────── loop ◀──────────────────────┘
//             error ─▶ retry (backoff) ─▶ … ─▶ crash ─▶ CRASH { restart } ─▶ start

import { setImmediate } from "node:timers";
import type { Clock } from "../internal/clock.ts";
import type { Broker } from "./broker/_broker.ts";
import {
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from "./errors.ts";
import type { Instrumentation } from "./_instrumentation.ts";
import type { Logger } from "./loggers.ts";
import type { Fetched, Fetcher } from "./_consumer_fetcher.ts";
import type {
  Batch,
  EachBatchPayload,
  EachMessagePayload,
} from "./consumer.ts";
import { isRebalancing, type Membership } from "./_consumer_membership.ts";
import {
  type ConsumerOffsets,
  type OffsetsByTopicPartition,
  splitKey,
  tpKey,
} from "./_consumer_offsets.ts";

/** What `run()` was given. */
export interface RunHandlers {
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachBatchAutoResolve: boolean;
  concurrency: number;
}

/** kafkajs's retry settings, with its defaults filled in. */
export interface RetryConfig {
  retries: number;
  initialRetryTime: number;
  maxRetryTime: number;
  factor: number;
  multiplier: number;
  restartOnFailure?: (error: Error) => Promise<boolean>;
}

/** Errors no retry can fix, as kafkajs's retrier lists them. */
const UNRECOVERABLE = new Set([
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "TypeError",
]);

function isRetriable(e: unknown): boolean {
  const err = e as { retriable?: boolean; name?: string };
  return (err?.retriable !== false) && !UNRECOVERABLE.has(err?.name ?? "");
}

function originalCause(e: unknown): unknown {
  let x = e as { cause?: unknown };
  while (x && typeof x === "object" && x.cause) x = x.cause as typeof x;
  return x;
}

/** Yields to the event loop: a macrotask, so timers and I/O get their turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

class Stale extends Error {}

/** The pieces a runner drives. */
export interface RunnerParts {
  groupId: string;
  clock: Clock;
  logger: Logger;
  events: Instrumentation;
  names: Record<string, string>;
  membership: Membership;
  fetcher: Fetcher;
  offsets: ConsumerOffsets;
  retry: RetryConfig;
  maxWaitTimeInMs: number;
  broker(): Broker;
  subscribedTopics(): string[];
  fromBeginning(topic: string): boolean;
}

/** One `run()` of a consumer, with its restarts. */
export class Runner {
  running = false;
  #p: RunnerParts;
  #h: RunHandlers;
  #loop: Promise<void> | undefined;
  #wait: AbortController | undefined;
  #stopping = new AbortController();
  #restart: AbortController | undefined;
  /** The commit that ended the last batch, while its file is being written. */
  #batchCommit: Promise<void> | undefined;
  /** A batch ended while that commit was under way: commit once more. */
  #batchCommitAgain = false;
  /** What the last batch's commit failed with, thrown by the next round. */
  #batchCommitError: unknown;

  constructor(parts: RunnerParts, handlers: RunHandlers) {
    this.#p = parts;
    this.#h = handlers;
  }

  /** Joins the group and starts the loop; resolves once joined. */
  async start(): Promise<void> {
    const p = this.#p;
    p.logger.info("Starting", { groupId: p.groupId });
    this.running = true;
    this.#stopping = new AbortController();
    try {
      await this.#join();
    } catch (e) {
      if (!this.running) return;
      this.running = false;
      await this.#crash(e);
      return;
    }
    if (!this.running) return;
    this.#loop = this.#run();
  }

  /** Stops after the message in progress, commits and leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    this.#restart?.abort();
    this.#wake();
    this.#stopping.abort(); // gives up a join still waiting on other members
    await this.#loop;
    await this.#leave();
  }

  #wake(): void {
    this.#wait?.abort();
  }

  /** Wakes an idle fetch loop (resume, seek). */
  wake(): void {
    this.#wake();
  }

  async #join(): Promise<void> {
    const p = this.#p;
    const m = p.membership;
    const b = p.broker();
    const cooperative = m.cooperative();
    if (m.memberId !== undefined && m.generationId >= 0) {
      p.events.emit(p.names.REBALANCING!, {
        groupId: p.groupId,
        memberId: m.memberId,
      });
      await this.#commit().catch((e) => {
        if (!isRebalancing(e)) throw e;
      });
    }
    const previous = m.assignment;
    const started = p.clock.monotonic();
    const result = await m.join(
      b,
      p.subscribedTopics(),
      this.#stopping.signal,
      () => this.#wake(),
    );
    if (!this.running) return;
    // Positions of partitions kept (cooperative) stay; others start anew.
    const keep = new Map<string, number>();
    let revoked = false;
    for (const [t, ps] of previous) {
      for (const part of ps) {
        const k = tpKey(t, part);
        const still = m.assignment.get(t)?.includes(part);
        if (still && cooperative) {
          const pos = p.fetcher.positions.get(k);
          if (pos !== undefined) keep.set(k, pos);
        } else if (!still) revoked = true;
      }
    }
    p.fetcher.positions = keep;
    p.offsets.retain((k) => keep.has(k));
    for (const [t, ps] of m.assignment) {
      if (!b.hasTopic(t)) continue;
      for (const part of ps) {
        const k = tpKey(t, part);
        if (keep.has(k)) continue;
        const log = b.partition(t, part);
        const committed = b.coordinator.committed(p.groupId, t, part)?.offset;
        // -2 and -1 are resetOffsets's earliest and latest.
        let pos = committed === -2
          ? log.logStartOffset
          : committed === -1
          ? log.logEndOffset
          : committed ??
            (p.fromBeginning(t) ? log.logStartOffset : log.logEndOffset);
        if (pos < log.logStartOffset || pos > log.logEndOffset) {
          pos = p.fromBeginning(t) ? log.logStartOffset : log.logEndOffset;
        }
        p.fetcher.positions.set(k, pos);
        p.offsets.seed(k, committed);
      }
    }
    p.offsets.started(p.clock.monotonic());
    // Cooperative: a revoked partition needs a follow-up rebalance to move.
    if (cooperative && result.protocol === "cooperative-sticky" && revoked) {
      m.rejoin = true;
    }
    const subscribed = new Set(p.subscribedTopics());
    const assignedTopics = Object.keys(result.assignment);
    const notSubscribed = assignedTopics.filter((t) => !subscribed.has(t));
    if (notSubscribed.length > 0) {
      const payload = {
        groupId: p.groupId,
        generationId: result.generationId,
        memberId: result.memberId,
        assignedTopics,
        topicsSubscribed: [...subscribed],
        topicsNotSubscribed: notSubscribed,
      };
      p.events.emit(p.names.RECEIVED_UNSUBSCRIBED_TOPICS!, payload);
      p.logger.warn("Consumer group received unsubscribed topics", payload);
    }
    const payload = {
      groupId: p.groupId,
      memberId: result.memberId,
      leaderId: result.leaderId,
      isLeader: result.leaderId === result.memberId,
      memberAssignment: result.assignment,
      groupProtocol: result.protocol,
      duration: p.clock.monotonic() - started,
    };
    p.events.emit(p.names.GROUP_JOIN!, payload);
    p.logger.info("Consumer has joined the group", payload);
  }

  #retryTime(previous: number | undefined): number {
    const r = this.#p.retry;
    const jitter = (t: number) =>
      Math.ceil(t - r.factor * t + Math.random() * 2 * r.factor * t);
    if (previous === undefined) return jitter(r.initialRetryTime);
    return Math.min(jitter(previous) * r.multiplier, r.maxRetryTime);
  }

  async #run(): Promise<void> {
    const p = this.#p;
    let retryCount = 0;
    let retryTime: number | undefined;
    // A macrotask before the first fetch: what the caller does right after
    // run() resolves (a seek, a pause) applies to it, as with kafkajs,
    // whose first fetch waits on the network.
    await yieldToEventLoop();
    while (this.running) {
      try {
        if (p.membership.rejoin || !p.membership.joined) {
          await this.#join();
          continue;
        }
        await this.#round();
        retryCount = 0;
        retryTime = undefined;
      } catch (error) {
        if (!this.running) break;
        if (error instanceof Stale) continue;
        if (isRebalancing(error)) {
          p.membership.onGroupError(error as KafkaJSError);
          p.logger.warn("The group is rebalancing, re-joining", {
            groupId: p.groupId,
            memberId: p.membership.memberId,
            error: (error as Error).message,
          });
          continue;
        }
        await this.#commit().catch(() => {});
        const e = error instanceof Error ? error : new Error(String(error));
        if (!isRetriable(e)) {
          await this.#crashFromLoop(
            new KafkaJSNonRetriableError(e, {
              cause: (e as { cause?: unknown }).cause ?? e,
            }),
          );
          return;
        }
        if (retryCount >= p.retry.retries) {
          await this.#crashFromLoop(
            new KafkaJSNumberOfRetriesExceeded(e, {
              retryCount,
              retryTime: retryTime ?? p.retry.initialRetryTime,
            }),
          );
          return;
        }
        retryTime = this.#retryTime(retryTime);
        retryCount++;
        p.logger.debug(
          "Error while scheduling fetch manager, trying again...",
          {
            groupId: p.groupId,
            memberId: p.membership.memberId,
            error: e.message,
            stack: e.stack,
            retryCount,
            retryTime,
          },
        );
        await this.#sleep(retryTime);
      }
    }
  }

  /** One fetch round and the processing of what it read. */
  async #round(): Promise<void> {
    const p = this.#p;
    this.#throwBatchCommitError();
    const b = p.broker();
    p.membership.heartbeat(b);
    if (p.membership.rejoin || !this.running) return;
    await this.#applySeeks(b);
    // Payloads are built only for events someone listens to.
    const timed = p.events.has(p.names.FETCH!);
    const fetchStarted = timed ? p.clock.monotonic() : 0;
    if (p.events.has(p.names.FETCH_START!)) {
      p.events.emit(p.names.FETCH_START!, { nodeId: 0 });
    }
    const fetched = await p.fetcher.fetch(b, p.membership.assignment);
    if (timed) {
      p.events.emit(p.names.FETCH!, {
        numberOfBatches: fetched.length,
        duration: p.clock.monotonic() - fetchStarted,
        nodeId: 0,
      });
    }
    if (fetched.length === 0) {
      p.membership.heartbeat(b);
      await this.#idle();
      return;
    }
    await this.#processAll(fetched);
    // However large the backlog, let timers and I/O run between rounds.
    await yieldToEventLoop();
  }

  async #applySeeks(b: Broker): Promise<void> {
    const p = this.#p;
    for (const [k, offset] of [...p.fetcher.seeks]) {
      p.fetcher.seeks.delete(k);
      const [topic, partition] = splitKey(k);
      if (!p.membership.assignment.get(topic)?.includes(partition)) continue;
      const log = b.partition(topic, partition);
      const target = offset === -2
        ? log.logStartOffset
        : offset === -1
        ? log.logEndOffset
        : offset;
      p.fetcher.positions.set(k, target);
      if (p.offsets.policy.autoCommit && p.membership.memberId !== undefined) {
        // As kafkajs: a seek commits the offset sought, unless autoCommit is off.
        await b.coordinator.commit(p.groupId, {
          memberId: p.membership.memberId,
          generationId: p.membership.generationId,
        }, [{ topic, partition, offset: target }]);
        p.offsets.markCommitted(k, target);
      } else p.offsets.set(k, target);
    }
  }

  async #sleep(ms: number): Promise<void> {
    const abort = new AbortController();
    this.#wait = abort;
    try {
      await this.#p.clock.sleep(ms, abort.signal);
    } catch {
      // woken
    }
  }

  async #idle(): Promise<void> {
    const p = this.#p;
    const clock = p.clock;
    const untilHeartbeat = p.membership.config.heartbeatInterval -
      (clock.monotonic() - p.membership.lastHeartbeat);
    const wait = Math.max(0, Math.min(p.maxWaitTimeInMs, untilHeartbeat));
    const abort = new AbortController();
    this.#wait = abort;
    const sleep = clock.sleep(wait, abort.signal).catch(() => {});
    await Promise.race([sleep, p.broker().waitForData(abort.signal)]);
    abort.abort();
    await sleep;
  }

  async #processAll(batches: Fetched[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (
        next < batches.length && this.running && !this.#p.membership.rejoin
      ) {
        await this.#process(batches[next++]!);
      }
    };
    const n = Math.min(Math.max(1, this.#h.concurrency), batches.length);
    await Promise.all(Array.from({ length: n }, worker));
  }

  #stale(k: string, topic: string, partition: number, gen: number): boolean {
    const m = this.#p.membership;
    return !this.running || m.rejoin || m.generationId !== gen ||
      this.#p.fetcher.seeks.has(k) ||
      this.#p.fetcher.isPaused(topic, partition) ||
      !m.assignment.get(topic)?.includes(partition);
  }

  #resolve(k: string, next: number, gen: number): void {
    const p = this.#p;
    if (gen !== p.membership.generationId || p.fetcher.seeks.has(k)) return;
    const cur = p.fetcher.positions.get(k);
    if (cur === undefined || next < cur) return;
    p.fetcher.positions.set(k, next);
    p.offsets.resolve(k, next);
  }

  async #heartbeat(): Promise<void> {
    const p = this.#p;
    p.membership.heartbeat(p.broker());
    return await Promise.resolve();
  }

  async #commit(): Promise<void> {
    // After the batch commit under way, so commits reach the group in order.
    if (this.#batchCommit) await this.#batchCommit;
    this.#throwBatchCommitError();
    await this.#commitNow();
  }

  async #commitNow(): Promise<void> {
    const p = this.#p;
    const m = p.membership;
    if (!p.offsets.policy.autoCommit || m.memberId === undefined) return;
    if (m.generationId < 0) return;
    await p.offsets.commit(p.broker(), {
      memberId: m.memberId,
      generationId: m.generationId,
    }, p.clock.monotonic());
  }

  async #commitIfNecessary(now?: number): Promise<void> {
    if (this.#p.offsets.due(now ?? this.#p.clock.monotonic())) {
      await this.#commit();
    }
  }

  async #process(f: Fetched): Promise<void> {
    const p = this.#p;
    const { topic, partition, messages, high } = f;
    const k = tpKey(topic, partition);
    const gen = p.membership.generationId;
    const last = f.next - 1;
    const batch: Batch = {
      topic,
      partition,
      highWatermark: String(high),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => String(last),
      offsetLag: () => String(high - 1 - last),
      offsetLagLow: () =>
        messages.length === 0
          ? "0"
          : String(high - 1 - Number(messages[0]!.offset)),
    };
    const watched = p.events.has(p.names.START_BATCH_PROCESS!) ||
      p.events.has(p.names.END_BATCH_PROCESS!);
    const started = watched ? p.clock.monotonic() : 0;
    const payload = watched
      ? {
        topic,
        partition,
        highWatermark: batch.highWatermark,
        offsetLag: batch.offsetLag(),
        offsetLagLow: batch.offsetLagLow(),
        batchSize: messages.length,
        firstOffset: batch.firstOffset(),
        lastOffset: batch.lastOffset(),
      }
      : undefined;
    const end = () => {
      if (!payload) return;
      p.events.emit(p.names.END_BATCH_PROCESS!, {
        ...payload,
        duration: p.clock.monotonic() - started,
      });
    };
    if (payload) p.events.emit(p.names.START_BATCH_PROCESS!, payload);
    if (messages.length === 0) {
      // Only markers or aborted records: move past them all the same.
      this.#resolve(k, f.next, gen);
      await this.#commitIfNecessary();
      end();
      return;
    }
    const pause = () => {
      p.fetcher.pause([{ topic, partitions: [partition] }]);
      return () => {
        p.fetcher.resume([{ topic, partitions: [partition] }]);
        this.#wake();
      };
    };
    const heartbeat = () => this.#heartbeat();
    if (this.#h.eachBatch) {
      const lastMessage = messages.at(-1)!.offset;
      try {
        await this.#h.eachBatch({
          batch,
          resolveOffset: (offset) => {
            // The last message stands for the markers after it too.
            const n = String(offset) === lastMessage ? last : Number(offset);
            this.#resolve(k, n + 1, gen);
          },
          heartbeat,
          pause,
          commitOffsetsIfNecessary: async (offsets) => {
            if (offsets) await this.#commitGiven(offsets);
            else await this.#commitIfNecessary();
          },
          uncommittedOffsets: () => p.offsets.uncommitted(),
          isRunning: () => this.running,
          isStale: () => this.#stale(k, topic, partition, gen),
        });
      } catch (e) {
        this.#logHandlerError(
          "eachBatch",
          e,
          topic,
          partition,
          batch.firstOffset(),
        );
        throw e;
      }
      if (
        this.#h.eachBatchAutoResolve && !this.#stale(k, topic, partition, gen)
      ) {
        this.#resolve(k, last + 1, gen);
      }
    } else {
      const each = this.#h.eachMessage!;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        if (!this.running || p.fetcher.seeks.has(k)) break;
        try {
          await each({ topic, partition, message, heartbeat, pause });
        } catch (e) {
          this.#logHandlerError(
            "eachMessage",
            e,
            topic,
            partition,
            message.offset,
          );
          throw e;
        }
        if (p.membership.generationId !== gen) throw new Stale();
        // The last message stands for the markers after it too.
        this.#resolve(
          k,
          i === messages.length - 1 ? last + 1 : Number(message.offset) + 1,
          gen,
        );
        // One clock read serves both checks (it is an op call per message).
        const now = p.clock.monotonic();
        p.membership.heartbeat(p.broker(), false, now);
        await this.#commitIfNecessary(now);
        if (p.fetcher.isPaused(topic, partition)) break;
      }
    }
    end();
    this.#commitAfterBatch();
    p.membership.heartbeat(p.broker());
  }

  /**
   * As kafkajs: every batch ends with a commit of what was resolved. The
   * commit (a durable file write) runs while the next round is read and
   * processed; batches that end meanwhile share one more commit of the
   * latest offsets, so an fsync per batch does not pace the loop. A failed
   * commit is thrown by the next round, where the loop's retry and rejoin
   * handle it as if it had been awaited.
   */
  #commitAfterBatch(): void {
    this.#throwBatchCommitError();
    if (this.#batchCommit) {
      this.#batchCommitAgain = true;
      return;
    }
    this.#batchCommit = (async () => {
      try {
        do {
          this.#batchCommitAgain = false;
          await this.#commitNow();
        } while (this.#batchCommitAgain);
      } catch (e) {
        this.#batchCommitError = e;
      } finally {
        this.#batchCommit = undefined;
      }
    })();
  }

  #throwBatchCommitError(): void {
    const e = this.#batchCommitError;
    if (e === undefined) return;
    this.#batchCommitError = undefined;
    throw e;
  }

  async #commitGiven(offsets: OffsetsByTopicPartition): Promise<void> {
    const p = this.#p;
    const m = p.membership;
    if (m.memberId === undefined) return;
    const list = offsets.topics.flatMap(({ topic, partitions }) =>
      partitions.map((x) => ({
        topic,
        partition: Number(x.partition),
        offset: Number(x.offset),
      }))
    );
    await p.broker().coordinator.commit(p.groupId, {
      memberId: m.memberId,
      generationId: m.generationId,
    }, list);
    for (const o of list) {
      p.offsets.markCommitted(tpKey(o.topic, o.partition), o.offset);
    }
  }

  #logHandlerError(
    what: string,
    e: unknown,
    topic: string,
    partition: number,
    offset: string | null,
  ): void {
    if (e instanceof KafkaJSError) return;
    this.#p.logger.error(`Error when calling ${what}`, {
      topic,
      partition,
      offset,
      stack: (e as Error)?.stack,
      error: e,
    });
  }

  async #leave(): Promise<void> {
    const p = this.#p;
    let b: Broker | undefined;
    try {
      b = p.broker();
    } catch {
      b = undefined;
    }
    if (b && p.membership.memberId !== undefined) {
      await this.#commit().catch(() => {});
    }
    p.membership.leave(b);
    p.fetcher.positions.clear();
    p.offsets.clear();
  }

  async #crashFromLoop(e: Error): Promise<void> {
    this.running = false;
    await this.#crash(e);
  }

  /** kafkajs's onCrash: leave, decide on a restart, emit CRASH, restart. */
  async #crash(e: unknown): Promise<void> {
    const p = this.#p;
    const error = e instanceof Error ? e : new Error(String(e));
    p.logger.error(`Crash: ${error.name}: ${error.message}`, {
      groupId: p.groupId,
      retryCount: (error as { retryCount?: number }).retryCount,
      stack: error.stack,
    });
    await this.#leave();
    const retriable = error.name === "KafkaJSNumberOfRetriesExceeded" ||
      (originalCause(error) as { retriable?: boolean })?.retriable === true;
    let restart = retriable;
    if (restart && p.retry.restartOnFailure) {
      restart = await Promise.resolve()
        .then(() => p.retry.restartOnFailure!(error))
        .catch((err) => {
          p.logger.error(
            'Caught error when invoking user-provided "restartOnFailure" callback. Defaulting to restarting.',
            {
              error: (err as Error)?.message ?? err,
              cause: error.message,
              groupId: p.groupId,
            },
          );
          return true;
        });
    }
    p.events.emit(p.names.CRASH!, { error, groupId: p.groupId, restart });
    if (!restart) return;
    const retryTime = (error as { retryTime?: number }).retryTime ||
      p.retry.initialRetryTime;
    p.logger.error(`Restarting the consumer in ${retryTime}ms`, {
      retryCount: (error as { retryCount?: number }).retryCount,
      retryTime,
      groupId: p.groupId,
    });
    // The restart waits in the background, as kafkajs's setTimeout does.
    const abort = new AbortController();
    this.#restart = abort;
    p.clock.sleep(retryTime, abort.signal).then(
      () => this.start(),
      () => {}, // stopped meanwhile
    );
  }
}
