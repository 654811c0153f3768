// Consumer groups over the wire, run by the broker's group coordinator (the
// one embedded consumers use). Kafka's protocol lets the group leader, a
// client, compute the assignment: JoinGroup returns every member's
// subscription to the leader, and the leader's SyncGroup carries the
// assignment that SyncGroup hands each follower. The coordinator still
// decides membership, generations, fencing and session timeouts; a network
// member joins it with stand-in assignors named after its protocols, and the
// leader's SyncGroup supplies the partitions.
//
//   JoinGroup ─▶ coordinator.join (waits for every member) ─▶ leader gets members
//   SyncGroup(leader, assignments) ─▶ followers' SyncGroup answered
//   Heartbeat ─▶ coordinator.heartbeat (REBALANCE_IN_PROGRESS ⇒ rejoin)

import type { PartitionAssigner } from "../assignors.ts";
import { KafkaError } from "../errors.ts";
import {
  decodeSubscription,
  encodeAssignment,
} from "../protocol/_consumer_protocol.ts";
import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { codeOf, errorCodeFor } from "./_error_code.ts";
import { NODE_ID } from "./_metadata_api.ts";

interface NetworkMember {
  protocols: { name: string; metadata: Uint8Array }[];
}

interface GenerationAssignments {
  generationId: number;
  assignments: Map<string, Uint8Array>;
}

/** Protocol state of network members, next to the coordinator's. */
export class NetworkGroups {
  /** groupId → memberId → member. */
  readonly members = new Map<string, Map<string, NetworkMember>>();
  /** groupId → the leader's assignments for the current generation. */
  readonly synced = new Map<string, GenerationAssignments>();
  #waiters = new Map<string, Set<() => void>>();

  member(groupId: string, memberId: string): NetworkMember | undefined {
    return this.members.get(groupId)?.get(memberId);
  }

  set(groupId: string, memberId: string, m: NetworkMember): void {
    let g = this.members.get(groupId);
    if (!g) this.members.set(groupId, g = new Map());
    g.set(memberId, m);
  }

  forget(groupId: string, memberId: string): void {
    this.members.get(groupId)?.delete(memberId);
  }

  wake(groupId: string): void {
    const ws = this.#waiters.get(groupId);
    this.#waiters.delete(groupId);
    for (const w of ws ?? []) w();
  }

  /** Resolves at the next sync or rebalance of the group, or on abort. */
  wait(groupId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let ws = this.#waiters.get(groupId);
      if (!ws) this.#waiters.set(groupId, ws = new Set());
      const done = () => {
        ws.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      ws.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

function standInAssigner(name: string): PartitionAssigner {
  // The leader assigns over the wire; the coordinator's run assigns nothing.
  return { name, rebalanceProtocol: "eager", assign: () => ({}) };
}

/** Answers FindCoordinator: this broker coordinates every group. */
export function handleFindCoordinator(ctx: RequestContext): Struct {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: NODE_ID,
    host: ctx.conn.host,
    port: ctx.conn.port,
  };
}

/** Answers JoinGroup once the coordinator starts the next generation. */
export async function handleJoinGroup(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker, groups } = ctx.server;
  const groupId = req.groupId as string;
  const fail = (error: unknown) => ({
    throttleTimeMs: 0,
    errorCode: errorCodeFor(error),
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    memberId: (req.memberId as string) ?? "",
    members: [],
  });
  const protocols = req.protocols as { name: string; metadata: Uint8Array }[];
  try {
    if (!groupId) {
      throw new KafkaError('Group id must not be empty: ""', {
        type: "INVALID_GROUP_ID",
      });
    }
    if (protocols.length === 0 || req.protocolType !== "consumer") {
      throw new KafkaError(
        `Group protocol must be "consumer" with at least one assignor: ${
          JSON.stringify(req.protocolType)
        }`,
        { type: "INCONSISTENT_GROUP_PROTOCOL" },
      );
    }
    const sessionTimeout = req.sessionTimeoutMs as number;
    if (!(sessionTimeout > 0)) {
      throw new KafkaError(
        `Session timeout must be positive: ${sessionTimeout}`,
        { type: "INVALID_SESSION_TIMEOUT" },
      );
    }
    const rebalanceTimeout = (req.rebalanceTimeoutMs as number) > 0
      ? req.rebalanceTimeoutMs as number
      : sessionTimeout;
    const sub = decodeSubscription(protocols[0]!.metadata);
    const memberId = (req.memberId as string) || undefined;
    const entry: NetworkMember = {
      protocols: protocols.map((p) => ({
        name: p.name,
        metadata: p.metadata.slice(),
      })),
    };
    const result = await broker.coordinator.join({
      groupId,
      memberId,
      clientId: ctx.conn.clientId || "kafka-client",
      sessionTimeout,
      rebalanceTimeout,
      topics: sub?.topics ?? [],
      assigners: protocols.map((p) => standInAssigner(p.name)),
      ownedPartitions: sub?.ownedPartitions ?? {},
      onRebalance: () => groups.wake(groupId),
      signal: ctx.signal,
    });
    groups.set(groupId, result.memberId, entry);
    groups.wake(groupId);
    const desc = broker.coordinator.describe(groupId);
    const members = result.leaderId === result.memberId
      ? desc.members.flatMap((m) => {
        const p = groups.member(groupId, m.memberId)?.protocols
          .find((x) => x.name === result.protocol);
        return p
          ? [{
            memberId: m.memberId,
            groupInstanceId: null,
            metadata: p.metadata,
          }]
          : [];
      })
      : [];
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: result.generationId,
      protocolType: "consumer",
      protocolName: result.protocol,
      leader: result.leaderId,
      memberId: result.memberId,
      members,
    };
  } catch (error) {
    return fail(error);
  }
}

/** Checks that a member of the current generation is asking. */
function checkMember(
  ctx: RequestContext,
  groupId: string,
  memberId: string,
  generationId: number,
): void {
  const { coordinator } = ctx.server.broker;
  const desc = coordinator.describe(groupId);
  if (!desc.members.some((m) => m.memberId === memberId)) {
    throw new KafkaError(
      `Member is not known in group: ${memberId} in ${groupId}`,
      { type: "UNKNOWN_MEMBER_ID" },
    );
  }
  if (desc.state === "PreparingRebalance") {
    throw new KafkaError(`Group is rebalancing: ${groupId}`, {
      type: "REBALANCE_IN_PROGRESS",
    });
  }
  if (generationId !== desc.generationId) {
    throw new KafkaError(
      `Generation is not current: ${generationId}, group ${groupId} is at ${desc.generationId}`,
      { type: "ILLEGAL_GENERATION" },
    );
  }
}

/** The assignment bytes a member receives in the current generation. */
export function assignmentOf(
  ctx: RequestContext,
  groupId: string,
  memberId: string,
): Uint8Array | undefined {
  const { broker, groups } = ctx.server;
  const { generationId } = broker.coordinator.generation(groupId);
  const synced = groups.synced.get(groupId);
  if (synced?.generationId !== generationId) return undefined;
  return synced.assignments.get(memberId) ?? new Uint8Array(0);
}

/** Answers SyncGroup: the leader hands out, followers wait for it. */
export async function handleSyncGroup(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker, groups } = ctx.server;
  const groupId = req.groupId as string;
  const memberId = req.memberId as string;
  const generationId = req.generationId as number;
  const answer = (errorCode: number, assignment: Uint8Array) => ({
    throttleTimeMs: 0,
    errorCode,
    protocolType: "consumer",
    protocolName: req.protocolName ?? null,
    assignment,
  });
  try {
    checkMember(ctx, groupId, memberId, generationId);
    const desc = broker.coordinator.describe(groupId);
    if (memberId === desc.leader) {
      const assignments = new Map<string, Uint8Array>();
      for (
        const a of req.assignments as {
          memberId: string;
          assignment: Uint8Array;
        }[]
      ) {
        assignments.set(a.memberId, a.assignment.slice());
      }
      groups.synced.set(groupId, { generationId, assignments });
      groups.wake(groupId);
    }
    for (;;) {
      checkMember(ctx, groupId, memberId, generationId);
      const bytes = assignmentOf(ctx, groupId, memberId);
      if (bytes) return answer(0, bytes);
      if (ctx.signal.aborted) throw new KafkaError("Connection closed");
      await groups.wait(groupId, ctx.signal);
    }
  } catch (error) {
    return answer(errorCodeFor(error), new Uint8Array(0));
  }
}

/** Answers Heartbeat through the coordinator. */
export function handleHeartbeat(ctx: RequestContext, req: Struct): Struct {
  try {
    ctx.server.broker.coordinator.heartbeat(
      req.groupId as string,
      req.memberId as string,
      req.generationId as number,
    );
    return { throttleTimeMs: 0, errorCode: 0 };
  } catch (error) {
    return { throttleTimeMs: 0, errorCode: errorCodeFor(error) };
  }
}

/** Answers LeaveGroup (one member before v3, a list from v3). */
export function handleLeaveGroup(
  ctx: RequestContext,
  req: Struct,
  version: number,
): Struct {
  const { broker, groups } = ctx.server;
  const groupId = req.groupId as string;
  const ids = version >= 3
    ? (req.members as { memberId: string }[]).map((m) => m.memberId)
    : [req.memberId as string];
  const members = ids.map((memberId) => {
    const known = broker.coordinator.describe(groupId).members
      .some((m) => m.memberId === memberId);
    if (known) broker.coordinator.leave(groupId, memberId);
    groups.forget(groupId, memberId);
    return {
      memberId,
      groupInstanceId: null,
      errorCode: known ? 0 : codeOf("UNKNOWN_MEMBER_ID"),
    };
  });
  groups.wake(groupId);
  return {
    throttleTimeMs: 0,
    errorCode: version < 3 ? members[0]!.errorCode : 0,
    members,
  };
}

/** The subscription and assignment bytes of a member, for DescribeGroups. */
export function memberBytes(
  ctx: RequestContext,
  groupId: string,
  memberId: string,
  protocol: string,
  assignment: Record<string, number[]>,
): { metadata: Uint8Array; assignment: Uint8Array } {
  const m = ctx.server.groups.member(groupId, memberId);
  const metadata = m?.protocols.find((p) => p.name === protocol)?.metadata ??
    new Uint8Array(0);
  const bytes = assignmentOf(ctx, groupId, memberId) ??
    encodeAssignment(assignment);
  return { metadata, assignment: bytes };
}
