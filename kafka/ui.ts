/**
 * Kafka's live view, as a Kafka UI shows a cluster: topics (partitions, log
 * start offset, high watermark, size, segments, configs), consumer groups
 * (state, members, assignment, committed offsets and lag) and a message
 * browser (N messages from an offset or a timestamp; key and value as text,
 * JSON or hex; headers). {@linkcode kafkaUiHandler} is a
 * `(req: Request) => Promise<Response>` to mount in any `Deno.serve`.
 *
 * It reads either a log directory with no broker (`{ logDir }`: read-only,
 * safe while a benchmark or a broker writes it; committed offsets come from
 * `__consumer_offsets/`, and no member is live) or a running broker
 * (`{ kafka }`: everything through the admin API, members and lag included;
 * add `logDir` for sizes, segments and configs of an on-disk broker).
 *
 * Pages: `/` (topics and groups), `/topics/<topic>` (partitions, configs and
 * the message browser: `?partition=0&offset=100&limit=20&format=json` or
 * `&timestamp=2018-02-01T00:00:00Z`), `/groups/<groupId>`; the same as JSON
 * under `/api/topics`, `/api/topics/<topic>`, `/api/topics/<topic>/messages`,
 * `/api/groups`, `/api/groups/<groupId>`. Paths are relative to `basePath`.
 * Everything shown is escaped; an invalid name is a 400 page, an unknown
 * topic or group a 404 page naming it, a damaged partition an error panel in
 * its row while the rest of the page works. Pages refresh their live parts
 * every 2 s with a small script (no full reload).
 *
 * @example Browse a topic of an on-disk log
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, kafkaUiHandler } from "./mod.ts";
 *
 * const logDir = await Deno.makeTempDir();
 * const kafka = new Kafka({ logDir });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "quakes" }] });
 * await admin.disconnect();
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "quakes", messages: [{ key: "Chile", value: '{"mag":5}' }] });
 * await producer.disconnect();
 *
 * const handler = kafkaUiHandler({ logDir, basePath: "/kafka" });
 * const api = await handler(new Request("http://127.0.0.1/kafka/api/topics/quakes/messages?partition=0&offset=0"));
 * const { messages } = await api.json();
 * assert.deepEqual(messages.map((m: { key: string }) => m.key), ["Chile"]);
 * const page = await handler(new Request("http://127.0.0.1/kafka/topics/quakes?partition=0&offset=0&format=json"));
 * assert.match(await page.text(), /&#34;mag&#34;: 5/);
 * await Deno.remove(logDir, { recursive: true });
 * ```
 *
 * @module
 */

import { join } from "node:path";
import {
  type Kafka,
  type LogRecord,
  partitionLogLayoutSync,
  readPartitionLog,
} from "./mod.ts";
import { basePathOf, pathUnder } from "../internal/base_path.ts";

/** Options for {@linkcode kafkaUiHandler}: a log directory or a broker. */
export type KafkaUiOptions =
  & (
    | {
      /** A log directory, read without a broker. */
      logDir: string;
      kafka?: undefined;
    }
    | {
      /** A running broker, read through its admin API. */
      kafka: Kafka;
      /** The broker's log directory, for sizes, segments and configs. */
      logDir?: string;
    }
  )
  & {
    /**
     * The path prefix the handler is mounted under (`/kafka`): every link
     * starts with it and requests must carry it.
     * @default {""}
     */
    basePath?: string;
  };

const TOPIC_RE = /^[a-zA-Z0-9._-]{1,249}$/;
// Group ids are free text in Kafka; the view takes printable ids of sane length.
const GROUP_RE = /^[\x21-\x7e]{1,255}$/;
const MAX_LIMIT = 500;
const SHOWN_BYTES = 4096;

interface PartitionView {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  sizeBytes: number | null;
  segments: number | null;
  error?: string;
}

interface TopicView {
  name: string;
  partitions: PartitionView[];
  /** Configs set on the topic (others are the broker's defaults), when known. */
  configs: Record<string, string> | null;
}

interface GroupView {
  groupId: string;
  state: string;
  protocol: string;
  generationId: number | null;
  /** Null when read from a log directory: members live only in a broker. */
  members:
    | {
      memberId: string;
      clientId: string;
      clientHost: string;
      assignment: Record<string, number[]>;
    }[]
    | null;
  offsets: {
    topic: string;
    partition: number;
    committed: number;
    highWatermark: number;
    lag: number;
  }[];
  totalLag: number;
}

/** Where the view's facts come from: files or a broker. */
interface Source {
  description: string;
  topics(): Promise<string[]>;
  topic(name: string): Promise<TopicView | undefined>;
  groups(): Promise<string[]>;
  group(id: string): Promise<GroupView | undefined>;
  read(
    topic: string,
    partition: number,
    from: number,
    limit: number,
  ): Promise<LogRecord[]>;
  offsetForTimestamp(
    topic: string,
    partition: number,
    timestamp: number,
  ): Promise<number>;
}

class NotFound extends Error {}
class BadRequest extends Error {}

// ---------------------------------------------------------------- sources

/** Reads `<logDir>` as Kafka lays it out, never writing. */
function diskSource(logDir: string): Source {
  async function meta(): Promise<
    Record<string, { partitions: number; config: Record<string, string> }>
  > {
    try {
      const text = await Deno.readTextFile(join(logDir, "topics.json"));
      const parsed = JSON.parse(text) as { topics?: unknown };
      return (parsed.topics ?? {}) as Record<
        string,
        { partitions: number; config: Record<string, string> }
      >;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return {};
      throw new Error(
        `Topic metadata is unreadable: ${join(logDir, "topics.json")}`,
        { cause: e },
      );
    }
  }
  async function partitionDirs(): Promise<Map<string, number[]>> {
    const found = new Map<string, number[]>();
    try {
      for await (const e of Deno.readDir(logDir)) {
        const m = /^(.+)-(\d+)$/.exec(e.name);
        if (!e.isDirectory || !m || !TOPIC_RE.test(m[1]!)) continue;
        const list = found.get(m[1]!) ?? [];
        list.push(Number(m[2]));
        found.set(m[1]!, list);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return found;
  }
  async function partitionView(
    topic: string,
    partition: number,
  ): Promise<PartitionView> {
    try {
      return {
        partition,
        ...await describePartitionFiles(logDir, topic, partition),
      };
    } catch (e) {
      return {
        partition,
        logStartOffset: 0,
        highWatermark: 0,
        sizeBytes: null,
        segments: null,
        error: messageOf(e),
      };
    }
  }
  async function committedFiles(): Promise<
    {
      groupId: string;
      offsets: Record<string, Record<string, { offset: number }>>;
    }[]
  > {
    const dir = join(logDir, "__consumer_offsets");
    const out = [];
    try {
      for await (const e of Deno.readDir(dir)) {
        if (!e.isFile || !e.name.endsWith(".json")) continue;
        let data;
        try {
          data = JSON.parse(await Deno.readTextFile(join(dir, e.name)));
        } catch (cause) {
          throw new Error(
            `Committed offsets file is unreadable: ${join(dir, e.name)}`,
            { cause },
          );
        }
        if (typeof data?.groupId === "string") out.push(data);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return out;
  }
  const source: Source = {
    description: `log directory ${logDir} (read without a broker)`,
    async topics() {
      const names = new Set([
        ...Object.keys(await meta()),
        ...(await partitionDirs()).keys(),
      ]);
      return [...names].filter((n) => n !== "__consumer_offsets").sort();
    },
    async topic(name) {
      const m = (await meta())[name];
      const dirs = (await partitionDirs()).get(name);
      if (!m && !dirs) return undefined;
      const count = m?.partitions ?? Math.max(...dirs!) + 1;
      const partitions = await Promise.all(
        Array.from({ length: count }, (_, p) => partitionView(name, p)),
      );
      return { name, partitions, configs: m ? { ...m.config } : null };
    },
    async groups() {
      return (await committedFiles()).map((g) => g.groupId).sort();
    },
    async group(id) {
      const file = (await committedFiles()).find((g) => g.groupId === id);
      if (!file) return undefined;
      const offsets: GroupView["offsets"] = [];
      for (const [topic, parts] of Object.entries(file.offsets ?? {})) {
        const view = await source.topic(topic);
        for (const [p, c] of Object.entries(parts)) {
          const part = view?.partitions[Number(p)];
          const high = part?.highWatermark ?? 0;
          const start = part?.logStartOffset ?? 0;
          offsets.push({
            topic,
            partition: Number(p),
            committed: c.offset,
            highWatermark: high,
            lag: Math.max(0, high - Math.max(c.offset, start)),
          });
        }
      }
      offsets.sort((a, b) =>
        a.topic < b.topic
          ? -1
          : a.topic > b.topic
          ? 1
          : a.partition - b.partition
      );
      return {
        groupId: id,
        state: "Empty",
        protocol: "",
        generationId: null,
        members: null,
        offsets,
        totalLag: offsets.reduce((n, o) => n + o.lag, 0),
      };
    },
    async read(topic, partition, from, limit) {
      const out: LogRecord[] = [];
      for await (
        const r of readPartitionLog(logDir, topic, partition, {
          fromOffset: from,
          toOffset: from + limit,
        })
      ) {
        out.push(r);
        if (out.length >= limit) break;
      }
      return out;
    },
    async offsetForTimestamp(topic, partition, timestamp) {
      return await offsetForTimestampOnDisk(
        logDir,
        topic,
        partition,
        timestamp,
      );
    },
  };
  return source;
}

/** Offsets, size and segment count of one partition, from its files alone. */
async function describePartitionFiles(
  logDir: string,
  topic: string,
  partition: number,
): Promise<Omit<PartitionView, "partition">> {
  const layout = partitionLogLayoutSync(logDir, topic, partition);
  let segments = 0;
  for await (const e of Deno.readDir(join(logDir, `${topic}-${partition}`))) {
    if (e.isFile && /^\d{20}\.log$/.test(e.name)) segments++;
  }
  const first = layout.marks[0]?.offset ?? 0;
  const last = layout.marks.at(-1)?.offset ?? 0;
  // The first stored record gives the log start; reading on from the last
  // index mark (one batch or a few KiB) gives the high watermark.
  let logStartOffset = first;
  for await (
    const r of readPartitionLog(logDir, topic, partition, { fromOffset: first })
  ) {
    logStartOffset = r.offset;
    break;
  }
  let highWatermark = logStartOffset;
  for await (
    const r of readPartitionLog(logDir, topic, partition, { fromOffset: last })
  ) {
    highWatermark = r.offset + 1;
  }
  if (highWatermark < logStartOffset) highWatermark = logStartOffset;
  return { logStartOffset, highWatermark, sizeBytes: layout.bytes, segments };
}

/**
 * Kafka's ListOffsets by timestamp without a broker: the first offset whose
 * timestamp is at or after `timestamp`. A binary search over the index marks
 * (the first record at each) finds where to start, then records are scanned;
 * exact when timestamps ascend, as they do for producer-stamped records.
 */
async function offsetForTimestampOnDisk(
  logDir: string,
  topic: string,
  partition: number,
  timestamp: number,
): Promise<number> {
  const marks = partitionLogLayoutSync(logDir, topic, partition).marks;
  const firstAt = async (offset: number): Promise<LogRecord | undefined> => {
    for await (
      const r of readPartitionLog(logDir, topic, partition, {
        fromOffset: offset,
      })
    ) {
      return r;
    }
    return undefined;
  };
  let lo = 0, hi = marks.length - 1, start = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = await firstAt(marks[mid]!.offset);
    if (r !== undefined && r.timestamp < timestamp) {
      start = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  let end = marks[start]?.offset ?? 0;
  for await (
    const r of readPartitionLog(logDir, topic, partition, {
      fromOffset: marks[start]?.offset ?? 0,
    })
  ) {
    if (r.timestamp >= timestamp) return r.offset;
    end = r.offset + 1;
  }
  return end;
}

/** Reads a running broker through its admin API, connecting per request. */
function brokerSource(kafka: Kafka, logDir?: string): Source {
  async function withAdmin<T>(
    fn: (admin: ReturnType<Kafka["admin"]>) => Promise<T>,
  ): Promise<T> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }
  const files = logDir === undefined ? undefined : diskSource(logDir);
  return {
    description: logDir === undefined
      ? "a running broker (admin API)"
      : `a running broker (admin API) on ${logDir}`,
    topics: () => withAdmin((a) => a.listTopics()),
    topic: (name) =>
      withAdmin(async (admin) => {
        if (!(await admin.listTopics()).includes(name)) return undefined;
        const offsets = await admin.fetchTopicOffsets(name);
        const onDisk = await files?.topic(name);
        return {
          name,
          partitions: offsets.map((o) => {
            const disk = onDisk?.partitions[o.partition];
            return {
              partition: o.partition,
              logStartOffset: Number(o.low),
              highWatermark: Number(o.high),
              sizeBytes: disk?.sizeBytes ?? null,
              segments: disk?.segments ?? null,
            };
          }),
          configs: onDisk?.configs ?? null,
        };
      }),
    groups: () =>
      withAdmin(async (a) =>
        (await a.listGroups()).groups.map((g) => g.groupId).sort()
      ),
    group: (id) =>
      withAdmin(async (admin) => {
        const known = (await admin.listGroups()).groups.some((g) =>
          g.groupId === id
        );
        if (!known) return undefined;
        const [group] = (await admin.describeGroups([id])).groups;
        const offsets: GroupView["offsets"] = [];
        for (const t of await admin.fetchOffsets({ groupId: id })) {
          for (const p of t.partitions) {
            offsets.push({
              topic: t.topic,
              partition: p.partition,
              committed: Number(p.offset),
              highWatermark: Number(p.high),
              lag: Number(p.lag),
            });
          }
        }
        return {
          groupId: id,
          state: group?.state ?? "Dead",
          protocol: group?.protocol ?? "",
          generationId: group?.generationId ?? null,
          members: (group?.members ?? []).map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment: m.assignment,
          })),
          offsets,
          totalLag: offsets.reduce((n, o) => n + o.lag, 0),
        };
      }),
    read: (topic, partition, from, limit) =>
      withAdmin(async (admin) => {
        const out: LogRecord[] = [];
        let offset = from;
        while (out.length < limit) {
          const batch = await admin.fetchRecords({
            topic,
            partition,
            offset: String(offset),
            maxBytes: 256 * 1024,
          });
          const fresh = batch.filter((r) => r.offset >= offset);
          if (fresh.length === 0) break;
          for (const r of fresh) {
            if (out.length < limit) out.push(r);
          }
          offset = fresh.at(-1)!.offset + 1;
        }
        return out;
      }),
    offsetForTimestamp: (topic, partition, timestamp) =>
      withAdmin(async (admin) => {
        const all = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
        return Number(all.find((o) => o.partition === partition)?.offset ?? 0);
      }),
  };
}

// ---------------------------------------------------------------- handler

/**
 * Serves the Kafka view of a log directory or a running broker; see the
 * module doc for its pages. Only `GET` and `HEAD` are answered (the view
 * changes nothing); other methods get 405.
 *
 * @example Topics of an in-memory broker as JSON
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, kafkaUiHandler } from "./mod.ts";
 *
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 2 }] });
 * const handler = kafkaUiHandler({ kafka });
 * const res = await handler(new Request("http://127.0.0.1/api/topics"));
 * const topics = await res.json();
 * assert.deepEqual(topics.map((t: { name: string }) => t.name), ["t"]);
 * assert.equal(topics[0].partitions.length, 2);
 * const missing = await handler(new Request("http://127.0.0.1/topics/nope"));
 * assert.equal(missing.status, 404);
 * await missing.body?.cancel();
 * await admin.disconnect();
 * ```
 */
export function kafkaUiHandler(
  options: KafkaUiOptions,
): (req: Request) => Promise<Response> {
  const base = basePathOf(options.basePath, (m) => new TypeError(m));
  const source = options.kafka
    ? brokerSource(options.kafka, options.logDir)
    : diskSource(options.logDir);
  const link = (path: string) => `${base}${path}`;
  return async (req) => {
    const url = new URL(req.url);
    const path = pathUnder(base, url.pathname);
    if (path === null) {
      return page(
        404,
        "Not found",
        `<p>No page at ${esc(url.pathname)}</p>`,
        link,
      );
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method not allowed", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    try {
      return await route(path, url.searchParams, source, link);
    } catch (e) {
      if (e instanceof NotFound) {
        return path.startsWith("/api/")
          ? json({ error: e.message }, 404)
          : page(
            404,
            "Not found",
            `<p class="error">${esc(e.message)}</p>`,
            link,
          );
      }
      if (e instanceof BadRequest) {
        return path.startsWith("/api/")
          ? json({ error: e.message }, 400)
          : page(
            400,
            "Bad request",
            `<p class="error">${esc(e.message)}</p>`,
            link,
          );
      }
      const message = messageOf(e);
      return path.startsWith("/api/") ? json({ error: message }, 500) : page(
        500,
        "Error",
        `<div class="panel error" role="alert"><b>Could not read the log</b><br>${
          esc(message)
        }</div>`,
        link,
      );
    }
  };
}

function segment(text: string, what: "topic" | "group"): string {
  let id: string;
  try {
    id = decodeURIComponent(text);
  } catch {
    throw new BadRequest(`Bad ${what} id in the URL: ${JSON.stringify(text)}`);
  }
  if (what === "topic" && (!TOPIC_RE.test(id) || id === "." || id === "..")) {
    throw new BadRequest(
      `Topic name must match [a-zA-Z0-9._-]+: ${JSON.stringify(id)}`,
    );
  }
  if (what === "group" && !GROUP_RE.test(id)) {
    throw new BadRequest(
      `Group id must be 1-255 printable characters: ${JSON.stringify(id)}`,
    );
  }
  return id;
}

async function route(
  path: string,
  params: URLSearchParams,
  source: Source,
  link: (p: string) => string,
): Promise<Response> {
  if (path === "/" || path === "/index.html") {
    // Each half of the index stands alone: damage in one shows in its panel.
    const [topics, groups] = await Promise.all([
      topicViews(source).catch((e: unknown) => new Error(messageOf(e))),
      groupViews(source).catch((e: unknown) => new Error(messageOf(e))),
    ]);
    return page(200, "Kafka", renderIndex(topics, groups, source, link), link);
  }
  if (path === "/api/topics") return json(await topicViews(source));
  if (path === "/api/groups") return json(await groupViews(source));
  let m = /^\/(api\/)?topics\/([^/]+)(\/messages)?$/.exec(path);
  if (m) {
    const name = segment(m[2]!, "topic");
    const topic = await source.topic(name);
    if (!topic) throw new NotFound(`Topic not found: ${JSON.stringify(name)}`);
    const browse = m[3] !== undefined || params.has("offset") ||
        params.has("timestamp")
      ? await browseMessages(source, topic, params)
      : undefined;
    if (m[1]) return json(m[3] ? browse : topic);
    if (m[3]) throw new NotFound(`No page at ${path}`);
    return page(
      200,
      `Topic ${name}`,
      renderTopic(topic, params, browse, link),
      link,
    );
  }
  m = /^\/(api\/)?groups\/([^/]+)$/.exec(path);
  if (m) {
    const id = segment(m[2]!, "group");
    const group = await source.group(id);
    if (!group) {
      throw new NotFound(`Consumer group not found: ${JSON.stringify(id)}`);
    }
    if (m[1]) return json(group);
    return page(200, `Group ${id}`, renderGroup(group, link), link);
  }
  throw new NotFound(`No page at ${path}`);
}

async function topicViews(source: Source): Promise<TopicView[]> {
  const names = await source.topics();
  const views = await Promise.all(names.map((n) => source.topic(n)));
  return views.filter((v): v is TopicView => v !== undefined);
}

async function groupViews(source: Source): Promise<GroupView[]> {
  const ids = await source.groups();
  const views = await Promise.all(ids.map((id) => source.group(id)));
  return views.filter((v): v is GroupView => v !== undefined);
}

// ---------------------------------------------------------------- messages

type Format = "text" | "json" | "hex";

interface Browse {
  topic: string;
  partition: number;
  /** Where the read started (after resolving a timestamp). */
  fromOffset: number;
  limit: number;
  format: Format;
  messages: {
    offset: number;
    timestamp: number;
    key: string | null;
    value: string | null;
    valueBytes: number;
    headers: Record<string, string>;
  }[];
  /** The offset to continue from, or null at the high watermark. */
  nextOffset: number | null;
}

function intParam(params: URLSearchParams, name: string, fallback: number) {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new BadRequest(
      `Parameter ${name} must be a non-negative integer: ${
        JSON.stringify(raw)
      }`,
    );
  }
  return n;
}

async function browseMessages(
  source: Source,
  topic: TopicView,
  params: URLSearchParams,
): Promise<Browse> {
  const partition = intParam(params, "partition", 0);
  const part = topic.partitions[partition];
  if (!part) {
    throw new NotFound(
      `Partition not found: ${topic.name}-${partition} (the topic has ${topic.partitions.length})`,
    );
  }
  const limit = intParam(params, "limit", 20);
  if (limit < 1 || limit > MAX_LIMIT) {
    throw new BadRequest(
      `Parameter limit must be between 1 and ${MAX_LIMIT}: ${limit}`,
    );
  }
  const format = (params.get("format") || "text") as Format;
  if (!["text", "json", "hex"].includes(format)) {
    throw new BadRequest(
      `Parameter format must be text, json or hex: ${JSON.stringify(format)}`,
    );
  }
  let from: number;
  const ts = params.get("timestamp");
  if (ts !== null && ts !== "" && !params.get("offset")) {
    const t = /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
    if (!Number.isFinite(t)) {
      throw new BadRequest(
        `Parameter timestamp must be epoch milliseconds or an ISO date: ${
          JSON.stringify(ts)
        }`,
      );
    }
    from = await source.offsetForTimestamp(topic.name, partition, t);
  } else {
    from = Math.max(
      intParam(params, "offset", part.logStartOffset),
      part.logStartOffset,
    );
  }
  const records = from >= part.highWatermark
    ? []
    : await source.read(topic.name, partition, from, limit);
  const last = records.at(-1);
  const next = last ? last.offset + 1 : from;
  return {
    topic: topic.name,
    partition,
    fromOffset: from,
    limit,
    format,
    messages: records.map((r) => ({
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key === null
        ? null
        : show(r.key, format === "hex" ? "hex" : "text"),
      value: r.value === null ? null : show(r.value, format),
      valueBytes: r.value?.length ?? 0,
      headers: Object.fromEntries(
        Object.entries(r.headers).map(([k, v]) => [k, showHeader(v)]),
      ),
    })),
    nextOffset: next < part.highWatermark ? next : null,
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

type HeaderValue = Uint8Array | null | readonly (Uint8Array | null)[];

/** A header as text: null as `null`, a repeated header's values joined by ", ". */
function showHeader(value: HeaderValue): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return show(value, "text");
  return value.map((v) => v === null ? "null" : show(v, "text")).join(", ");
}

/** Bytes as text, pretty JSON or a hex dump, cut after 4 KiB. */
function show(bytes: Uint8Array, format: Format): string {
  const cut = bytes.length > SHOWN_BYTES
    ? bytes.subarray(0, SHOWN_BYTES)
    : bytes;
  const more = bytes.length > SHOWN_BYTES
    ? `\n… (${bytes.length.toLocaleString("en-US")} bytes in all)`
    : "";
  if (format === "hex") {
    const lines: string[] = [];
    for (let i = 0; i < cut.length; i += 16) {
      const row = cut.subarray(i, i + 16);
      const hex = [...row].map((b) => b.toString(16).padStart(2, "0")).join(
        " ",
      );
      const ascii = [...row].map((b) =>
        b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."
      ).join("");
      lines.push(
        `${i.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`,
      );
    }
    return lines.join("\n") + more;
  }
  const text = utf8.decode(bytes);
  if (format === "json") {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return `(not JSON) ${utf8.decode(cut)}${more}`;
    }
  }
  return utf8.decode(cut) + more;
}

// ---------------------------------------------------------------- pages

/** Escapes text for HTML text and attribute values. */
function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

function num(n: number | null): string {
  return n === null ? "—" : n.toLocaleString("en-US");
}

function bytes(n: number | null): string {
  if (n === null) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1b2a3a;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
header a{color:#fff}main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem;background:#fff}
th,td{border:1px solid #ddd;padding:.3rem .55rem;text-align:right;vertical-align:top}
th{background:#eef1f4}td.text,th.text{text-align:left}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-width:44rem;font-size:.82rem}
.error{color:#b00020}.panel{border:2px solid #b00020;background:#fff4f4;padding:.6rem;border-radius:4px}
.muted{color:#666}form{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;background:#fff;padding:.7rem;border:1px solid #ddd}
label{display:flex;flex-direction:column;font-size:.85rem}input,select,button{font-size:1rem;padding:.2rem}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #f9a825}
.state{font-weight:bold}.state::before{content:"● "}.state.Stable{color:#2e7d32}.state.Stable::before{content:"✔ "}
.state.Empty::before{content:"○ "}.state.Dead{color:#b00020}.state.Dead::before{content:"✘ "}
.state.PreparingRebalance,.state.CompletingRebalance{color:#9a6700}.state.PreparingRebalance::before,.state.CompletingRebalance::before{content:"↻ "}
`;

// Refreshes the parts marked data-live from the same URL every 2 s, no reload.
const LIVE_SCRIPT = `
setInterval(async () => {
  if (document.hidden) return;
  try {
    const res = await fetch(location.href, { headers: { accept: "text/html" } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const el of document.querySelectorAll("[data-live]")) {
      const fresh = doc.getElementById(el.id);
      if (fresh && fresh.innerHTML !== el.innerHTML) el.innerHTML = fresh.innerHTML;
    }
  } catch { /* the next tick tries again */ }
}, 2000);
`;

function page(
  status: number,
  title: string,
  body: string,
  link: (p: string) => string,
): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Kafka</title><style>${STYLE}</style></head>
<body><header><b>Kafka</b><a href="${
    esc(link("/"))
  }">Topics and groups</a></header>
<main><h1>${esc(title)}</h1>${body}</main>
<script>${LIVE_SCRIPT}</script></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

function errorPanel(what: string, error: Error): string {
  return `<div class="panel error" role="alert"><b>Could not read ${
    esc(what)
  }</b><br>${esc(error.message)}</div>`;
}

function renderIndex(
  topicsOrError: TopicView[] | Error,
  groupsOrError: GroupView[] | Error,
  source: Source,
  link: (p: string) => string,
): string {
  const topics = topicsOrError instanceof Error ? [] : topicsOrError;
  const groups = groupsOrError instanceof Error ? [] : groupsOrError;
  const topicRows = topics.map((t) => {
    const records = t.partitions.reduce(
      (n, p) => n + p.highWatermark - p.logStartOffset,
      0,
    );
    const size = t.partitions.every((p) => p.sizeBytes === null)
      ? null
      : t.partitions.reduce((n, p) => n + (p.sizeBytes ?? 0), 0);
    const segments = t.partitions.every((p) => p.segments === null)
      ? null
      : t.partitions.reduce((n, p) => n + (p.segments ?? 0), 0);
    const errors = t.partitions.filter((p) => p.error).length;
    return `<tr><td class="text"><a href="${
      esc(link(`/topics/${encodeURIComponent(t.name)}`))
    }">${esc(t.name)}</a>${
      errors
        ? ` <span class="error">(${errors} partition(s) unreadable)</span>`
        : ""
    }</td><td>${t.partitions.length}</td><td>${num(records)}</td><td>${
      bytes(size)
    }</td><td>${num(segments)}</td></tr>`;
  }).join("");
  const groupRows = groups.map((g) =>
    `<tr><td class="text"><a href="${
      esc(link(`/groups/${encodeURIComponent(g.groupId)}`))
    }">${esc(g.groupId)}</a></td><td class="text"><span class="state ${
      esc(g.state)
    }">${esc(g.state)}</span></td><td>${
      g.members === null ? "—" : g.members.length
    }</td><td>${num(g.totalLag)}</td></tr>`
  ).join("");
  return `<p class="muted">Reading ${esc(source.description)}.</p>
<h2>Topics</h2><div class="scroll" id="topics" data-live>${
    topicsOrError instanceof Error
      ? errorPanel("the topics", topicsOrError)
      : topics.length === 0
      ? "<p>No topics.</p>"
      : `<table><tr><th class="text">topic</th><th>partitions</th><th>records</th><th>size</th><th>segments</th></tr>${topicRows}</table>`
  }</div>
<h2>Consumer groups</h2><div class="scroll" id="groups" data-live>${
    groupsOrError instanceof Error
      ? errorPanel("the consumer groups", groupsOrError)
      : groups.length === 0
      ? "<p>No consumer group has committed offsets.</p>"
      : `<table><tr><th class="text">group</th><th class="text">state</th><th>members</th><th>total lag</th></tr>${groupRows}</table>`
  }</div>`;
}

function renderTopic(
  topic: TopicView,
  params: URLSearchParams,
  browse: Browse | undefined,
  link: (p: string) => string,
): string {
  const rows = topic.partitions.map((p) =>
    `<tr><td>${p.partition}</td>${
      p.error
        ? `<td colspan="5" class="text"><div class="panel error" role="alert">${
          esc(p.error)
        }</div></td>`
        : `<td>${num(p.logStartOffset)}</td><td>${
          num(p.highWatermark)
        }</td><td>${num(p.highWatermark - p.logStartOffset)}</td><td>${
          bytes(p.sizeBytes)
        }</td><td>${num(p.segments)}</td>`
    }</tr>`
  ).join("");
  const configs = topic.configs === null
    ? `<p class="muted">Configs are read from the log directory's topics.json; this view has none.</p>`
    : Object.keys(topic.configs).length === 0
    ? "<p>No configs set: every config is the broker's default.</p>"
    : `<table><tr><th class="text">config</th><th class="text">value</th></tr>${
      Object.entries(topic.configs).map(([k, v]) =>
        `<tr><td class="text">${esc(k)}</td><td class="text">${
          esc(v)
        }</td></tr>`
      ).join("")
    }</table>`;
  const partition = params.get("partition") ?? "0";
  const format = params.get("format") ?? "text";
  const option = (v: string, label: string, current: string) =>
    `<option value="${esc(v)}"${v === current ? " selected" : ""}>${
      esc(label)
    }</option>`;
  const form = `<form method="get" action="${
    esc(link(`/topics/${encodeURIComponent(topic.name)}`))
  }" aria-label="Browse messages">
<label>partition<select name="partition">${
    topic.partitions.map((p) =>
      option(String(p.partition), String(p.partition), partition)
    ).join("")
  }</select></label>
<label>from offset<input name="offset" inputmode="numeric" size="10" value="${
    esc(params.get("offset") ?? "")
  }"></label>
<label>or from time<input name="timestamp" size="22" placeholder="2018-02-01T00:00:00Z" value="${
    esc(params.get("timestamp") ?? "")
  }"></label>
<label>messages<input name="limit" inputmode="numeric" size="4" value="${
    esc(params.get("limit") ?? "20")
  }"></label>
<label>show as<select name="format">${
    option("text", "text", format) + option("json", "JSON", format) +
    option("hex", "hex", format)
  }</select></label>
<button type="submit">Browse</button></form>`;
  let results = "";
  if (browse) {
    const next = browse.nextOffset === null
      ? ""
      : `<p><a rel="next" href="${
        esc(link(
          `/topics/${
            encodeURIComponent(topic.name)
          }?partition=${browse.partition}&offset=${browse.nextOffset}&limit=${browse.limit}&format=${browse.format}`,
        ))
      }">Next ${browse.limit} from offset ${browse.nextOffset} →</a></p>`;
    results = `<h2>Messages of partition ${browse.partition} from offset ${
      num(browse.fromOffset)
    }</h2>${
      browse.messages.length === 0
        ? "<p>No messages there (the high watermark is reached).</p>"
        : `<div class="scroll"><table id="messages"><tr><th>offset</th><th class="text">timestamp</th><th class="text">key</th><th class="text">value</th><th class="text">headers</th></tr>${
          browse.messages.map((m) =>
            `<tr><td>${m.offset}</td><td class="text">${
              esc(new Date(m.timestamp).toISOString())
            }</td><td class="text"><pre>${
              m.key === null ? '<span class="muted">null</span>' : esc(m.key)
            }</pre></td><td class="text"><pre>${
              m.value === null
                ? '<span class="muted">null</span>'
                : esc(m.value)
            }</pre></td><td class="text"><pre>${
              esc(
                Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`).join(
                  "\n",
                ),
              )
            }</pre></td></tr>`
          ).join("")
        }</table></div>`
    }${next}`;
  }
  return `<h2>Partitions</h2><div class="scroll" id="partitions" data-live><table><tr><th>partition</th><th>log start offset</th><th>high watermark</th><th>records</th><th>size</th><th>segments</th></tr>${rows}</table></div>
<h2>Configs</h2>${configs}
<h2>Browse messages</h2>${form}${results}`;
}

function renderGroup(group: GroupView, link: (p: string) => string): string {
  const members = group.members === null
    ? `<p class="muted">Read from the log directory without a broker: committed offsets are on disk, members live only in a running broker.</p>`
    : group.members.length === 0
    ? "<p>No members.</p>"
    : `<table><tr><th class="text">member</th><th class="text">client</th><th class="text">host</th><th class="text">assignment</th></tr>${
      group.members.map((m) =>
        `<tr><td class="text">${esc(m.memberId)}</td><td class="text">${
          esc(m.clientId)
        }</td><td class="text">${esc(m.clientHost)}</td><td class="text">${
          esc(
            Object.entries(m.assignment).map(([t, ps]) =>
              `${t}: ${ps.join(", ")}`
            )
              .join("; "),
          )
        }</td></tr>`
      ).join("")
    }</table>`;
  const offsets = group.offsets.length === 0
    ? "<p>No committed offsets.</p>"
    : `<table><tr><th class="text">topic</th><th>partition</th><th>committed</th><th>high watermark</th><th>lag</th></tr>${
      group.offsets.map((o) =>
        `<tr><td class="text"><a href="${
          esc(
            link(
              `/topics/${
                encodeURIComponent(o.topic)
              }?partition=${o.partition}&offset=${Math.max(0, o.committed)}`,
            ),
          )
        }">${esc(o.topic)}</a></td><td>${o.partition}</td><td>${
          o.committed < 0 ? "none" : num(o.committed)
        }</td><td>${num(o.highWatermark)}</td><td>${num(o.lag)}</td></tr>`
      ).join("")
    }<tr><th class="text" colspan="4">total lag</th><th>${
      num(group.totalLag)
    }</th></tr></table>`;
  return `<div id="group" data-live><p>State <span class="state ${
    esc(group.state)
  }">${esc(group.state)}</span>${
    group.protocol ? ` · assignor ${esc(group.protocol)}` : ""
  }${
    group.generationId === null ? "" : ` · generation ${group.generationId}`
  }</p>
<h2>Members</h2><div class="scroll">${members}</div>
<h2>Committed offsets and lag</h2><div class="scroll">${offsets}</div></div>`;
}
