// A consumer's offsets: what the handler resolved (the next offset to read
// per partition), what was committed, and kafkajs's auto-commit policy —
// after every batch, and within one by `autoCommitInterval` (ms since the
// last commit) or `autoCommitThreshold` (messages resolved since it).

import { splitKey, tpKey } from "./_topic_partition.ts";
import type { Broker } from "./broker/_broker.ts";
import type { Instrumentation } from "./_instrumentation.ts";

/** Offsets by topic as kafkajs reports them (partition and offset strings). */
export interface OffsetsByTopicPartition {
  /** Per topic, the next offset to read of each partition. */
  topics: {
    topic: string;
    partitions: { partition: string; offset: string }[];
  }[];
}

export { splitKey, tpKey };

/** The auto-commit settings of `consumer.run()`. */
export interface CommitPolicy {
  autoCommit: boolean;
  interval: number | null;
  threshold: number | null;
}

/** Resolved and committed offsets of one consumer. */
export class ConsumerOffsets {
  #resolved = new Map<string, number>();
  #committed = new Map<string, number>();
  #count = 0;
  #lastCommit = 0;
  policy: CommitPolicy = { autoCommit: true, interval: null, threshold: null };

  constructor(
    readonly groupId: string,
    readonly events: Instrumentation,
    readonly commitEvent: string,
  ) {}

  /** Marks everything before `next` as processed. */
  resolve(k: string, next: number): void {
    this.#resolved.set(k, next);
    this.#count++;
  }

  /** What the group has committed for a partition, as now known. */
  seed(k: string, committed: number | undefined): void {
    this.#committed.set(k, committed ?? -1);
  }

  /** A seek without auto-commit: the partition's position is resolved. */
  set(k: string, next: number): void {
    this.#resolved.set(k, next);
  }

  /** A commit made elsewhere (commitOffsets, a seek) is the known one. */
  markCommitted(k: string, offset: number): void {
    this.#committed.set(k, offset);
    this.#resolved.set(k, offset);
  }

  /** Forgets partitions not in `keep` (revoked ones). */
  retain(keep: (k: string) => boolean): void {
    for (const k of [...this.#resolved.keys()]) {
      if (!keep(k)) this.#resolved.delete(k);
    }
  }

  /** Forgets everything (membership lost). */
  clear(): void {
    this.#resolved.clear();
    this.#count = 0;
  }

  #pending(): { topic: string; partition: number; offset: number }[] {
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const [k, offset] of this.#resolved) {
      if (this.#committed.get(k) === offset) continue;
      const [topic, partition] = splitKey(k);
      out.push({ topic, partition, offset });
    }
    return out;
  }

  /** Resolved offsets not yet committed, by topic. */
  uncommitted(): OffsetsByTopicPartition {
    const byTopic = new Map<string, { partition: string; offset: string }[]>();
    for (const { topic, partition, offset } of this.#pending()) {
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, list = []);
      list.push({ partition: String(partition), offset: String(offset) });
    }
    return {
      topics: [...byTopic].map(([topic, partitions]) => ({
        topic,
        partitions,
      })),
    };
  }

  /** Whether the interval or threshold says a commit is due. */
  due(now: number): boolean {
    const { autoCommit, interval, threshold } = this.policy;
    if (!autoCommit) return false;
    return (threshold !== null && this.#count >= threshold) ||
      (interval !== null && now - this.#lastCommit >= interval);
  }

  /**
   * Commits every resolved offset not yet committed, in the member's
   * generation, and emits COMMIT_OFFSETS in kafkajs's shape.
   */
  async commit(
    broker: Broker,
    member: { memberId: string; generationId: number },
    now: number,
  ): Promise<void> {
    const offsets = this.#pending();
    const payload = this.events.has(this.commitEvent)
      ? this.uncommitted()
      : undefined;
    this.#lastCommit = now;
    this.#count = 0;
    if (offsets.length === 0) return;
    await broker.coordinator.commit(this.groupId, member, offsets);
    for (const o of offsets) {
      this.#committed.set(tpKey(o.topic, o.partition), o.offset);
    }
    if (payload) {
      this.events.emit(this.commitEvent, {
        groupId: this.groupId,
        memberId: member.memberId,
        groupGenerationId: member.generationId,
        topics: payload.topics,
      });
    }
  }

  /** Starts the interval from the join. */
  started(now: number): void {
    this.#lastCommit = now;
  }
}
