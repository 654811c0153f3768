/**
 * The broker's group coordinator, as in Kafka: members join, the group
 * waits until every known member has (re)joined, then a new generation
 * starts with an assignment from the chosen assignor. Heartbeats keep a
 * member alive; one silent for `sessionTimeout` (on the injected clock) is
 * removed and the group rebalances. Committed offsets are kept per group and
 * written durably by the broker.
 *
 * ```
 *  Empty ──join──▶ PreparingRebalance ──all members joined──▶ Stable
 *    ▲                   ▲                                     │
 *    └──last leaves──────┴──── join / leave / session timeout ─┘
 * ```
 *
 * @module
 */

import type { Clock } from "../../internal/clock.ts";
import type { Assignment, PartitionAssigner } from "../assignors.ts";
import {
  type KafkaError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
} from "../errors.ts";
import { validateGroupId } from "./_group_files.ts";

/**
 * Kafka's group states.
 *
 * @example Check for a stable group
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GroupState } from "../mod.ts";
 * const settled = (s: GroupState) => s === "Stable" || s === "Empty";
 * assert.equal(settled("PreparingRebalance"), false);
 * ```
 */
export type GroupState =
  | "Empty"
  | "PreparingRebalance"
  | "CompletingRebalance"
  | "Stable"
  | "Dead";

/** A join request from a consumer. */
export interface JoinRequest {
  /** Group to join. */
  groupId: string;
  /** Id from an earlier generation, or undefined for a new member. */
  memberId?: string;
  /** Client id, used as the member id prefix. */
  clientId: string;
  /** Milliseconds without heartbeat before the member is removed. */
  sessionTimeout: number;
  /** Milliseconds the group waits for members to rejoin. */
  rebalanceTimeout: number;
  /** Subscribed topics. */
  topics: string[];
  /** Supported assignors, preferred first. */
  assigners: PartitionAssigner[];
  /** Partitions owned now (cooperative rebalancing). */
  ownedPartitions: Assignment;
  /** Called when a rebalance starts and this member must rejoin. */
  onRebalance: () => void;
  /** Aborting gives up the join and removes the member. */
  signal?: AbortSignal;
}

/** What a member learns when a generation starts. */
export interface JoinResult {
  /** The member's id. */
  memberId: string;
  /** The new generation. */
  generationId: number;
  /** The leader's member id. */
  leaderId: string;
  /** Chosen assignor name. */
  protocol: string;
  /** The member's partitions. */
  assignment: Assignment;
}

/** A committed offset (next offset to read). */
export interface CommittedOffset {
  /** Next offset to read. */
  offset: number;
  /** Free-form metadata. */
  metadata: string | null;
}

/**
 * Description of a group, as admin `describeGroups` reports it.
 *
 * @example Describe a group
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GroupDescription, Kafka } from "../mod.ts";
 * const admin = new Kafka({}).admin();
 * await admin.connect();
 * const [g]: GroupDescription[] = (await admin.describeGroups(["nobody"])).groups;
 * assert.equal(g!.state, "Dead");
 * await admin.disconnect();
 * ```
 */
export interface GroupDescription {
  /** Group id. */
  groupId: string;
  /** Kafka state name. */
  state: GroupState;
  /** Always `"consumer"`. */
  protocolType: string;
  /** Chosen assignor name, or "" before the first generation. */
  protocol: string;
  /** Current generation. */
  generationId: number;
  /** Leader member id, or "". */
  leader: string;
  /** Members with their assignments. */
  members: {
    memberId: string;
    clientId: string;
    clientHost: string;
    assignment: Assignment;
    /** Subscribed topics. */
    topics?: string[];
    /** Protocol metadata of the chosen assignor, when it has some. */
    metadata?: Uint8Array;
  }[];
}

interface Member {
  /** Protocol metadata of the chosen assignor (kafkajs assigners). */
  metadata?: Uint8Array;
  memberId: string;
  clientId: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  topics: string[];
  assigners: PartitionAssigner[];
  owned: Assignment;
  ownedGeneration: number;
  lastHeartbeat: number;
  assignment: Assignment;
  pending?: { resolve: (r: JoinResult) => void; reject: (e: unknown) => void };
  onRebalance: () => void;
}

interface Group {
  id: string;
  state: GroupState;
  generationId: number;
  protocol: string;
  leaderId: string;
  members: Map<string, Member>;
  rebalanceDeadline: number;
  offsets: Map<string, Map<number, CommittedOffset>>;
}

/** Options for {@linkcode GroupCoordinator}. */
export interface GroupCoordinatorOptions {
  /** Time source for heartbeats and timeouts. */
  clock: Clock;
  /** Partition count of a topic, or undefined when it does not exist. */
  partitionsFor: (topic: string) => number | undefined;
  /** Writes a group's committed offsets durably. */
  persist: (
    groupId: string,
    offsets: Record<string, Record<string, CommittedOffset>>,
  ) => Promise<void>;
  /** Offsets loaded at startup, by group. */
  initialOffsets?: Map<string, Record<string, Record<string, CommittedOffset>>>;
}

/** Coordinates consumer groups inside one broker. */
export class GroupCoordinator {
  #clock: Clock;
  #groups = new Map<string, Group>();
  #partitionsFor: (topic: string) => number | undefined;
  #persist: GroupCoordinatorOptions["persist"];
  #persistChain = new Map<string, Promise<void>>();
  #reaping = false;
  #sleepUntil = Infinity;
  #abort: AbortController | undefined;
  #closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.#clock = options.clock;
    this.#partitionsFor = options.partitionsFor;
    this.#persist = options.persist;
    for (const [groupId, offsets] of options.initialOffsets ?? []) {
      const g = this.#group(groupId);
      for (const [topic, parts] of Object.entries(offsets)) {
        const m = new Map<number, CommittedOffset>();
        for (const [p, o] of Object.entries(parts)) m.set(Number(p), o);
        g.offsets.set(topic, m);
      }
    }
  }

  #group(groupId: string): Group {
    let g = this.#groups.get(groupId);
    if (!g) {
      g = {
        id: groupId,
        state: "Empty",
        generationId: 0,
        protocol: "",
        leaderId: "",
        members: new Map(),
        rebalanceDeadline: Infinity,
        offsets: new Map(),
      };
      this.#groups.set(groupId, g);
    }
    return g;
  }

  #unknownMember(groupId: string, memberId: string): KafkaError {
    return new KafkaJSProtocolError(
      `Member is not known in group: ${memberId} in ${groupId}`,
      { type: "UNKNOWN_MEMBER_ID" },
    );
  }

  /** Joins (or rejoins) a group; resolves when the next generation starts. */
  join(req: JoinRequest): Promise<JoinResult> {
    if (this.#closed) {
      return Promise.reject(
        new KafkaJSNonRetriableError("Broker is closed: join refused"),
      );
    }
    const g = this.#group(req.groupId);
    if (req.memberId !== undefined && !g.members.has(req.memberId)) {
      return Promise.reject(this.#unknownMember(req.groupId, req.memberId));
    }
    const memberId = req.memberId ?? `${req.clientId}-${crypto.randomUUID()}`;
    const now = this.#clock.monotonic();
    const prev = g.members.get(memberId);
    const member: Member = {
      memberId,
      clientId: req.clientId,
      sessionTimeout: req.sessionTimeout,
      rebalanceTimeout: req.rebalanceTimeout,
      topics: [...req.topics],
      assigners: req.assigners,
      owned: req.ownedPartitions,
      ownedGeneration: prev ? g.generationId : -1,
      lastHeartbeat: now,
      assignment: prev?.assignment ?? {},
      onRebalance: req.onRebalance,
    };
    prev?.pending?.reject(
      new KafkaJSNonRetriableError(
        `Member rejoined before its join completed: ${memberId}`,
      ),
    );
    const result = new Promise<JoinResult>((resolve, reject) => {
      member.pending = { resolve, reject };
    });
    g.members.set(memberId, member);
    req.signal?.addEventListener("abort", () => {
      if (g.members.get(memberId) === member && member.pending) {
        this.#remove(g, memberId, true);
      }
    }, { once: true });
    this.#startRebalance(g);
    this.#maybeComplete(g);
    this.#ensureReaper();
    return result;
  }

  #startRebalance(g: Group): void {
    if (g.state === "PreparingRebalance") return;
    g.state = "PreparingRebalance";
    let timeout = 0;
    for (const m of g.members.values()) {
      timeout = Math.max(timeout, m.rebalanceTimeout);
    }
    g.rebalanceDeadline = this.#clock.monotonic() + timeout;
    this.#reschedule(g.rebalanceDeadline);
    for (const m of g.members.values()) if (!m.pending) m.onRebalance();
  }

  #maybeComplete(g: Group, force = false): void {
    if (g.state !== "PreparingRebalance") return;
    const members = [...g.members.values()];
    if (!force && members.some((m) => !m.pending)) return;
    for (const m of members) {
      if (!m.pending) this.#remove(g, m.memberId, false);
    }
    const joined = [...g.members.values()];
    g.generationId++;
    g.rebalanceDeadline = Infinity;
    if (joined.length === 0) {
      g.state = "Empty";
      g.protocol = "";
      g.leaderId = "";
      return;
    }
    if (!g.members.has(g.leaderId)) g.leaderId = joined[0]!.memberId;
    const leader = g.members.get(g.leaderId)!;
    const chosen = leader.assigners.find((a) =>
      joined.every((m) => m.assigners.some((b) => b.name === a.name))
    );
    if (!chosen) {
      const error = new KafkaJSProtocolError(
        `Group members share no assignor: ${g.id} has ${
          joined.map((m) => m.assigners.map((a) => a.name).join("|")).join(", ")
        }`,
        { type: "INCONSISTENT_GROUP_PROTOCOL" },
      );
      for (const m of joined) {
        m.pending!.reject(error);
        g.members.delete(m.memberId);
      }
      g.state = "Empty";
      return;
    }
    const partitionsPerTopic: Record<string, number> = {};
    for (const m of joined) {
      for (const t of m.topics) {
        const n = this.#partitionsFor(t);
        if (n !== undefined) partitionsPerTopic[t] = n;
      }
    }
    let result:
      | Record<string, Assignment>
      | Promise<Record<string, Assignment>>;
    try {
      result = chosen.assign({
        members: joined.map((m) => ({
          memberId: m.memberId,
          topics: m.topics,
          ownedPartitions: m.owned,
          generation: m.ownedGeneration,
          // The member's own metadata for the chosen protocol (kafkajs).
          metadata: m.assigners.find((a) => a.name === chosen.name)
            ?.protocolMetadata?.(m.topics),
        })),
        partitionsPerTopic,
      });
    } catch (cause) {
      this.#assignFailed(g, joined, chosen.name, cause);
      return;
    }
    if (!(result instanceof Promise)) {
      this.#finish(g, joined, chosen.name, result);
      return;
    }
    // A kafkajs assigner runs asynchronously, as the leader's SyncGroup
    // would: the group waits in CompletingRebalance; a rebalance started
    // meanwhile makes this result stale.
    g.state = "CompletingRebalance";
    const generation = g.generationId;
    const current = () =>
      g.generationId === generation && g.state === "CompletingRebalance";
    result.then(
      (r) => {
        if (current()) this.#finish(g, joined, chosen.name, r);
      },
      (cause) => {
        if (current()) this.#assignFailed(g, joined, chosen.name, cause);
      },
    );
  }

  #assignFailed(
    g: Group,
    joined: Member[],
    name: string,
    cause: unknown,
  ): void {
    const error = new KafkaJSNonRetriableError(`Assignor failed: ${name}`, {
      cause,
    });
    for (const m of joined) m.pending?.reject(error);
    g.members.clear();
    g.state = "Empty";
  }

  #finish(
    g: Group,
    joined: Member[],
    protocol: string,
    result: Record<string, Assignment>,
  ): void {
    g.protocol = protocol;
    g.state = "Stable";
    const now = this.#clock.monotonic();
    for (const m of joined) {
      if (g.members.get(m.memberId) !== m || !m.pending) continue;
      m.assignment = result[m.memberId] ?? {};
      m.metadata = m.assigners.find((a) => a.name === protocol)
        ?.protocolMetadata?.(m.topics);
      m.lastHeartbeat = now;
      const pending = m.pending;
      m.pending = undefined;
      pending.resolve({
        memberId: m.memberId,
        generationId: g.generationId,
        leaderId: g.leaderId,
        protocol: g.protocol,
        assignment: m.assignment,
      });
    }
  }

  /**
   * Records a heartbeat. Throws REBALANCE_IN_PROGRESS when the member must
   * rejoin, UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION when it was fenced.
   */
  heartbeat(groupId: string, memberId: string, generationId: number): void {
    const g = this.#groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) throw this.#unknownMember(groupId, memberId);
    m.lastHeartbeat = this.#clock.monotonic();
    if (g.state === "PreparingRebalance") {
      throw new KafkaJSProtocolError(`Group is rebalancing: ${groupId}`, {
        type: "REBALANCE_IN_PROGRESS",
      });
    }
    if (generationId !== g.generationId) {
      throw new KafkaJSProtocolError(
        `Generation is not current: ${generationId}, group ${groupId} is at ${g.generationId}`,
        { type: "ILLEGAL_GENERATION" },
      );
    }
  }

  /** Removes a member (consumer leaving); the rest rebalance. */
  leave(groupId: string, memberId: string): void {
    const g = this.#groups.get(groupId);
    if (!g || !g.members.has(memberId)) return;
    this.#remove(g, memberId, true);
  }

  #remove(g: Group, memberId: string, rebalance: boolean): void {
    const m = g.members.get(memberId);
    if (!m) return;
    g.members.delete(memberId);
    m.pending?.reject(this.#unknownMember(g.id, memberId));
    if (!rebalance) return;
    if (g.members.size === 0) {
      g.state = "Empty";
      g.generationId++;
      g.protocol = "";
      g.leaderId = "";
      g.rebalanceDeadline = Infinity;
      if (this.#noMembers()) this.#abort?.abort();
      return;
    }
    this.#startRebalance(g);
    this.#maybeComplete(g);
  }

  #noMembers(): boolean {
    for (const g of this.#groups.values()) if (g.members.size > 0) return false;
    return true;
  }

  /** Members whose session or rebalance deadline has passed are removed. */
  #expire(): void {
    const now = this.#clock.monotonic();
    for (const g of this.#groups.values()) {
      for (const m of [...g.members.values()]) {
        if (!m.pending && now - m.lastHeartbeat >= m.sessionTimeout) {
          this.#remove(g, m.memberId, true);
        }
      }
      if (g.state === "PreparingRebalance" && now >= g.rebalanceDeadline) {
        this.#maybeComplete(g, true);
      }
    }
  }

  #nextDeadline(): number {
    let next = Infinity;
    for (const g of this.#groups.values()) {
      if (g.state === "PreparingRebalance") {
        next = Math.min(next, g.rebalanceDeadline);
      }
      for (const m of g.members.values()) {
        if (!m.pending) {
          next = Math.min(next, m.lastHeartbeat + m.sessionTimeout);
        }
      }
    }
    return next;
  }

  #reschedule(deadline: number): void {
    if (deadline < this.#sleepUntil) this.#abort?.abort();
  }

  #ensureReaper(): void {
    this.#reschedule(this.#nextDeadline());
    if (this.#reaping || this.#closed) return;
    this.#reaping = true;
    void this.#reap();
  }

  async #reap(): Promise<void> {
    try {
      while (!this.#closed && !this.#noMembers()) {
        const deadline = this.#nextDeadline();
        const wait = deadline === Infinity
          ? 60_000
          : Math.max(0, deadline - this.#clock.monotonic());
        this.#sleepUntil = this.#clock.monotonic() + wait;
        const abort = new AbortController();
        this.#abort = abort;
        try {
          await this.#clock.sleep(wait, abort.signal);
        } catch {
          // woken early: deadlines changed
        }
        this.#sleepUntil = Infinity;
        this.#expire();
      }
    } finally {
      this.#reaping = false;
      this.#abort = undefined;
    }
  }

  /** Current generation and state of the member's group, for checks. */
  generation(groupId: string): { generationId: number; state: GroupState } {
    const g = this.#groups.get(groupId);
    return g
      ? { generationId: g.generationId, state: g.state }
      : { generationId: -1, state: "Dead" };
  }

  /**
   * Stores committed offsets durably. A group member must pass its id and
   * generation; without a member id the group must have no members.
   */
  async commit(
    groupId: string,
    member: { memberId: string; generationId: number } | undefined,
    offsets: {
      topic: string;
      partition: number;
      offset: number;
      metadata?: string | null;
    }[],
  ): Promise<void> {
    // Checked before anything changes: a commit either lands or is refused.
    validateGroupId(groupId);
    const g = this.#group(groupId);
    if (member) {
      if (!g.members.has(member.memberId)) {
        throw this.#unknownMember(groupId, member.memberId);
      }
      if (member.generationId !== g.generationId) {
        throw new KafkaJSProtocolError(
          `Commit from a stale generation: ${member.generationId}, group ${groupId} is at ${g.generationId}`,
          { type: "ILLEGAL_GENERATION" },
        );
      }
    } else if (g.members.size > 0) {
      throw new KafkaJSProtocolError(
        `Group has active members, offsets can only be committed by them: ${groupId}`,
        { type: "UNKNOWN_MEMBER_ID" },
      );
    }
    for (const o of offsets) {
      let t = g.offsets.get(o.topic);
      if (!t) g.offsets.set(o.topic, t = new Map());
      t.set(o.partition, { offset: o.offset, metadata: o.metadata ?? null });
    }
    await this.#save(g);
  }

  /**
   * Stores offsets committed by a transaction (TxnOffsetCommit made
   * visible by its commit marker): no member or generation check, as in
   * Kafka.
   */
  async commitFromTransaction(
    groupId: string,
    offsets: {
      topic: string;
      partition: number;
      offset: number;
      metadata?: string | null;
    }[],
  ): Promise<void> {
    const g = this.#group(groupId);
    for (const o of offsets) {
      let t = g.offsets.get(o.topic);
      if (!t) g.offsets.set(o.topic, t = new Map());
      t.set(o.partition, { offset: o.offset, metadata: o.metadata ?? null });
    }
    await this.#save(g);
  }

  #save(g: Group): Promise<void> {
    const snapshot: Record<string, Record<string, CommittedOffset>> = {};
    for (const [t, parts] of g.offsets) {
      snapshot[t] = Object.fromEntries(
        [...parts].map(([p, o]) => [String(p), { ...o }]),
      );
    }
    const prev = this.#persistChain.get(g.id) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.#persist(g.id, snapshot));
    this.#persistChain.set(g.id, next);
    return next;
  }

  /** The committed offset of a partition, if any. */
  committed(
    groupId: string,
    topic: string,
    partition: number,
  ): CommittedOffset | undefined {
    return this.#groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /** Group ids known to the coordinator. */
  groupIds(): string[] {
    return [...this.#groups.keys()];
  }

  /**
   * A topic's partitions changed: groups with a member subscribed to it
   * rebalance, as Kafka consumers do on a metadata change.
   */
  topicChanged(topic: string): void {
    for (const g of this.#groups.values()) {
      if (g.state !== "Stable") continue;
      for (const m of g.members.values()) {
        if (m.topics.includes(topic)) {
          this.#startRebalance(g);
          break;
        }
      }
    }
  }

  /** Drops a topic's offsets from every group. */
  async forgetTopic(topic: string): Promise<void> {
    for (const g of this.#groups.values()) {
      if (g.offsets.delete(topic)) await this.#save(g);
    }
  }

  /** Describes a group; unknown groups are reported as `Dead`. */
  describe(groupId: string): GroupDescription {
    const g = this.#groups.get(groupId);
    if (!g) {
      return {
        groupId,
        state: "Dead",
        protocolType: "",
        protocol: "",
        generationId: -1,
        leader: "",
        members: [],
      };
    }
    return {
      groupId,
      state: g.state,
      protocolType: "consumer",
      protocol: g.protocol,
      generationId: g.generationId,
      leader: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: "/127.0.0.1",
        assignment: structuredClone(m.assignment),
        topics: [...m.topics],
        metadata: m.metadata,
      })),
    };
  }

  /**
   * Deletes a group and its committed offsets (admin DeleteGroups). Throws
   * GROUP_ID_NOT_FOUND for an unknown group, NON_EMPTY_GROUP while it has
   * members.
   */
  async deleteGroup(groupId: string): Promise<void> {
    const g = this.#groups.get(groupId);
    if (!g) {
      throw new KafkaJSProtocolError(`Group does not exist: ${groupId}`, {
        type: "GROUP_ID_NOT_FOUND",
      });
    }
    if (g.members.size > 0) {
      throw new KafkaJSProtocolError(
        `Group has members and cannot be deleted: ${groupId} has ${g.members.size}`,
        { type: "NON_EMPTY_GROUP" },
      );
    }
    g.offsets.clear();
    await this.#save(g);
    this.#groups.delete(groupId);
  }

  /** Stops timers and fails pending joins. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    for (const g of this.#groups.values()) {
      for (const m of g.members.values()) {
        m.pending?.reject(
          new KafkaJSNonRetriableError("Broker is closed: join abandoned"),
        );
      }
      g.members.clear();
    }
    await Promise.all(this.#persistChain.values()).catch(() => {});
  }
}
