// A consumer's group membership: joining (and rejoining on a rebalance)
// through the broker's coordinator, the generation and assignment it got,
// heartbeats by `heartbeatInterval`, and leaving. Group errors from the
// coordinator (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID)
// mean "rejoin", as kafkajs's runner treats them.

import type { Clock } from "../internal/clock.ts";
import type { Assignment, PartitionAssigner } from "./assignors.ts";
import type { Broker } from "./broker/_broker.ts";
import type { JoinResult } from "./broker/_group_coordinator.ts";
import { KafkaJSError } from "./errors.ts";
import type { Instrumentation } from "./_instrumentation.ts";

/** The membership settings from the consumer's config. */
export interface MembershipConfig {
  groupId: string;
  clientId: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  assigners: PartitionAssigner[];
}

/** Whether an error only means the member must rejoin. */
export function isRebalancing(e: unknown): boolean {
  return e instanceof KafkaJSError &&
    (e.type === "REBALANCE_IN_PROGRESS" ||
      e.type === "NOT_COORDINATOR_FOR_GROUP" ||
      e.type === "ILLEGAL_GENERATION" || e.type === "UNKNOWN_MEMBER_ID");
}

/** One consumer's place in its group. */
export class Membership {
  memberId: string | undefined;
  generationId = -1;
  leaderId = "";
  protocol = "";
  assignment = new Map<string, number[]>();
  /** Set when the coordinator starts a rebalance this member must join. */
  rejoin = false;
  lastHeartbeat = 0;

  constructor(
    readonly config: MembershipConfig,
    readonly clock: Clock,
    readonly events: Instrumentation,
    readonly names: { HEARTBEAT: string },
  ) {}

  get joined(): boolean {
    return this.memberId !== undefined && this.generationId >= 0;
  }

  /** Whether the chosen assignor rebalances cooperatively. */
  cooperative(): boolean {
    return this.config.assigners.find((a) => a.name === this.protocol)
      ?.rebalanceProtocol === "cooperative";
  }

  /** Joins (or rejoins) and waits for the next generation. */
  async join(
    broker: Broker,
    topics: string[],
    signal: AbortSignal,
    wake: () => void,
  ): Promise<JoinResult> {
    const owned: Assignment = {};
    if (this.cooperative() && this.memberId !== undefined) {
      for (const [t, ps] of this.assignment) owned[t] = [...ps];
    }
    this.rejoin = false;
    const c = this.config;
    const result = await broker.coordinator.join({
      groupId: c.groupId,
      memberId: this.memberId,
      clientId: c.clientId,
      sessionTimeout: c.sessionTimeout,
      rebalanceTimeout: c.rebalanceTimeout,
      topics,
      assigners: c.assigners,
      ownedPartitions: owned,
      signal,
      onRebalance: () => {
        this.rejoin = true;
        wake();
      },
    });
    this.memberId = result.memberId;
    this.generationId = result.generationId;
    this.leaderId = result.leaderId;
    this.protocol = result.protocol;
    this.assignment = new Map(
      Object.entries(result.assignment).map(([t, ps]) => [t, [...ps]]),
    );
    this.lastHeartbeat = this.clock.monotonic();
    return result;
  }

  /**
   * Heartbeats when `heartbeatInterval` has passed since the last one (or
   * always with `force`); a group error marks the member for a rejoin.
   */
  heartbeat(
    broker: Broker,
    force = false,
    now: number = this.clock.monotonic(),
  ): void {
    if (this.memberId === undefined) return;
    if (!force && now - this.lastHeartbeat < this.config.heartbeatInterval) {
      return;
    }
    this.lastHeartbeat = now;
    try {
      broker.coordinator.heartbeat(
        this.config.groupId,
        this.memberId,
        this.generationId,
      );
    } catch (e) {
      if (!isRebalancing(e)) throw e;
      this.onGroupError(e as KafkaJSError);
      return;
    }
    if (this.events.has(this.names.HEARTBEAT)) {
      this.events.emit(this.names.HEARTBEAT, {
        groupId: this.config.groupId,
        memberId: this.memberId,
        groupGenerationId: this.generationId,
      });
    }
  }

  /** A group error: rejoin, forgetting the member id when it is unknown. */
  onGroupError(e: KafkaJSError): void {
    if (e.type === "UNKNOWN_MEMBER_ID") this.memberId = undefined;
    if (e.type !== "REBALANCE_IN_PROGRESS") this.generationId = -1;
    this.rejoin = true;
  }

  /** Leaves the group (the others rebalance). */
  leave(broker: Broker | undefined): void {
    if (this.memberId !== undefined && broker && !broker.closed) {
      broker.coordinator.leave(this.config.groupId, this.memberId);
    }
    this.memberId = undefined;
    this.generationId = -1;
    this.assignment.clear();
  }
}
