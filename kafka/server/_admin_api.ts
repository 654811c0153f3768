// Administration over the wire: topics and partitions through the broker,
// groups through the coordinator, topic configs as Kafka names them. One
// broker holds every replica, so a replication factor other than 1 (or -1,
// "the broker default") is refused, as Kafka refuses one above its broker
// count.

import { parseTopicConfig } from "../broker/_broker.ts";
import { KafkaError, KafkaJSProtocolError } from "../errors.ts";
import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { errorCodeFor } from "./_error_code.ts";
import { memberBytes } from "./_group_api.ts";

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** Answers CreateTopics. */
export async function handleCreateTopics(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker } = ctx.server;
  const topics = req.topics as {
    name: string;
    numPartitions: number;
    replicationFactor: number;
    configs: { name: string; value: string | null }[];
  }[];
  const results = [];
  for (const t of topics) {
    const numPartitions = t.numPartitions === -1
      ? ctx.server.numPartitions
      : t.numPartitions;
    try {
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
        throw new KafkaError(
          `Replication factor must be 1 on a single broker: ${t.replicationFactor}`,
          { type: "INVALID_REPLICATION_FACTOR" },
        );
      }
      const entries = t.configs.map((c) => ({
        name: c.name,
        value: c.value ?? "",
      }));
      if (req.validateOnly) {
        parseTopicConfig(entries);
        if (broker.hasTopic(t.name)) throw exists(t.name);
      } else if (!await broker.createTopic(t.name, numPartitions, entries)) {
        throw exists(t.name);
      }
      results.push({
        name: t.name,
        errorCode: 0,
        errorMessage: null,
        numPartitions,
        replicationFactor: 1,
        configs: null,
      });
    } catch (error) {
      results.push({
        name: t.name,
        errorCode: errorCodeFor(error),
        errorMessage: message(error),
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      });
    }
  }
  return { throttleTimeMs: 0, topics: results };
}

function exists(name: string): KafkaError {
  return new KafkaError(`Topic already exists: ${JSON.stringify(name)}`, {
    type: "TOPIC_ALREADY_EXISTS",
  });
}

/** Answers DeleteTopics. */
export async function handleDeleteTopics(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const responses = [];
  for (const name of req.topicNames as string[]) {
    try {
      await ctx.server.broker.deleteTopic(name);
      responses.push({ name, errorCode: 0 });
    } catch (error) {
      responses.push({ name, errorCode: errorCodeFor(error) });
    }
  }
  return { throttleTimeMs: 0, responses };
}

/** Answers CreatePartitions (grow only, as in Kafka). */
export async function handleCreatePartitions(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker } = ctx.server;
  const results = [];
  for (const t of req.topics as { name: string; count: number }[]) {
    try {
      if (req.validateOnly) {
        const current = broker.topic(t.name).partitions.length;
        if (t.count <= current) {
          throw new KafkaError(
            `Partition count must be above the current ${current}: ${t.count}`,
            { type: "INVALID_PARTITIONS" },
          );
        }
      } else await broker.addPartitions(t.name, t.count);
      results.push({ name: t.name, errorCode: 0, errorMessage: null });
    } catch (error) {
      results.push({
        name: t.name,
        errorCode: errorCodeFor(error),
        errorMessage: message(error),
      });
    }
  }
  return { throttleTimeMs: 0, results };
}

/**
 * Answers DeleteRecords as Kafka does: -1 means the high watermark, an
 * offset below zero or above the high watermark is OFFSET_OUT_OF_RANGE, one
 * at or below the log start changes nothing; each partition's answer carries
 * its log start (the low watermark) afterwards.
 */
export async function handleDeleteRecords(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { broker } = ctx.server;
  const topics = req.topics as {
    name: string;
    partitions: { partitionIndex: number; offset: number }[];
  }[];
  const results = [];
  for (const t of topics) {
    const partitions = [];
    for (const p of t.partitions) {
      try {
        const log = broker.partition(t.name, p.partitionIndex);
        const high = log.logEndOffset;
        const target = p.offset === -1 ? high : p.offset;
        if (target < 0 || target > high) {
          throw new KafkaJSProtocolError(
            `Offset to delete records before is out of range: ${p.offset} not in [0, ${high}] of ${t.name}-${p.partitionIndex}`,
            { type: "OFFSET_OUT_OF_RANGE" },
          );
        }
        await log.deleteRecordsBefore(target);
        partitions.push({
          partitionIndex: p.partitionIndex,
          lowWatermark: log.logStartOffset,
          errorCode: 0,
        });
      } catch (error) {
        partitions.push({
          partitionIndex: p.partitionIndex,
          lowWatermark: -1,
          errorCode: errorCodeFor(error),
        });
      }
    }
    results.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics: results };
}

/** Answers DescribeGroups. */
export function handleDescribeGroups(
  ctx: RequestContext,
  req: Struct,
): Struct {
  const { coordinator } = ctx.server.broker;
  return {
    throttleTimeMs: 0,
    groups: (req.groups as string[]).map((groupId) => {
      const d = coordinator.describe(groupId);
      return {
        errorCode: 0,
        groupId,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocol,
        members: d.members.map((m) => {
          const bytes = memberBytes(
            ctx,
            groupId,
            m.memberId,
            d.protocol,
            m.assignment,
          );
          return {
            memberId: m.memberId,
            groupInstanceId: null,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: bytes.metadata,
            memberAssignment: bytes.assignment,
          };
        }),
        authorizedOperations: -2147483648,
      };
    }),
  };
}

/** Answers ListGroups (v4 filters by state). */
export function handleListGroups(ctx: RequestContext, req: Struct): Struct {
  const { coordinator } = ctx.server.broker;
  const filter = (req.statesFilter as string[] | undefined) ?? [];
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    groups: coordinator.groupIds()
      .map((groupId) => ({
        groupId,
        protocolType: "consumer",
        groupState: coordinator.describe(groupId).state,
      }))
      .filter((g) => filter.length === 0 || filter.includes(g.groupState)),
  };
}

/** Answers DeleteGroups: only groups without members can go. */
export async function handleDeleteGroups(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct> {
  const { coordinator } = ctx.server.broker;
  const results = [];
  for (const groupId of req.groupsNames as string[]) {
    try {
      await coordinator.deleteGroup(groupId);
      results.push({ groupId, errorCode: 0 });
    } catch (error) {
      results.push({ groupId, errorCode: errorCodeFor(error) });
    }
  }
  return { throttleTimeMs: 0, results };
}

/** Kafka's config resource types. */
const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;

/** Answers DescribeConfigs for topics (and an empty broker resource). */
export function handleDescribeConfigs(
  ctx: RequestContext,
  req: Struct,
): Struct {
  const { broker } = ctx.server;
  const resources = req.resources as {
    resourceType: number;
    resourceName: string;
    configurationKeys: string[] | null;
  }[];
  return {
    throttleTimeMs: 0,
    results: resources.map((r) => {
      const base = {
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      };
      if (r.resourceType === BROKER_RESOURCE) {
        return { ...base, errorCode: 0, errorMessage: null, configs: [] };
      }
      try {
        if (r.resourceType !== TOPIC_RESOURCE) {
          throw new KafkaError(
            `Config resource type is not supported: ${r.resourceType}`,
            { type: "INVALID_REQUEST" },
          );
        }
        const topic = broker.topic(r.resourceName);
        const { config } = parseTopicConfig(
          Object.entries(topic.overrides).map(([name, value]) => ({
            name,
            value,
          })),
        );
        const values: Record<string, string> = {
          "cleanup.policy": config.cleanupPolicy,
          "retention.ms": String(config.retentionMs),
          "retention.bytes": String(config.retentionBytes),
          "segment.bytes": String(config.segmentBytes),
          "segment.ms": String(config.segmentMs),
          "max.message.bytes": String(config.maxMessageBytes),
          "delete.retention.ms": String(config.deleteRetentionMs),
          "index.interval.bytes": String(config.indexIntervalBytes),
        };
        const keys = r.configurationKeys ?? Object.keys(values);
        return {
          ...base,
          errorCode: 0,
          errorMessage: null,
          configs: keys.filter((k) => k in values).map((name) => {
            const isDefault = !(name in topic.overrides);
            return {
              name,
              value: values[name]!,
              readOnly: false,
              isDefault,
              // 1 = DYNAMIC_TOPIC_CONFIG, 5 = DEFAULT_CONFIG
              configSource: isDefault ? 5 : 1,
              isSensitive: false,
              synonyms: [],
              configType: 0,
              documentation: null,
            };
          }),
        };
      } catch (error) {
        return {
          ...base,
          errorCode: errorCodeFor(error),
          errorMessage: message(error),
          configs: [],
        };
      }
    }),
  };
}
