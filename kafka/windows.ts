/**
 * Windowed aggregation over event time, after Kafka Streams: tumbling and
 * hopping windows aligned to the epoch, sliding windows (one per record,
 * `[t - size, t]`) and session windows (merged while records are within the
 * inactivity gap). Stream time is the largest timestamp seen; a window
 * closes when stream time passes its end plus the grace period. Records for
 * windows that are already closed are dropped and counted as late.
 *
 * ```
 * tumbling 60s:  [0,60) [60,120) [120,180)       hopping 60s/30s: [0,60) [30,90) [60,120)
 * session 30s:   ●─●──●        ●─●               sliding 60s: each record t → [t-60s, t]
 *                └─ one window ┘ └ next ┘
 * close when stream time ≥ end + grace (end inclusive for sliding/session windows: >)
 * ```
 *
 * @module
 */

import { KafkaJSNonRetriableError } from "./errors.ts";
import type { Kafka } from "./kafka.ts";

/**
 * Which windows a record falls into.
 *
 * @example Pick a window kind
 * ```ts
 * import assert from "node:assert/strict";
 * import { session, tumbling, type WindowSpec } from "./mod.ts";
 * const specs: WindowSpec[] = [tumbling(60_000), session(30_000)];
 * assert.deepEqual(specs.map((s) => s.type), ["tumbling", "session"]);
 * ```
 */
export type WindowSpec =
  | { type: "tumbling"; size: number }
  | { type: "hopping"; size: number; advance: number }
  | { type: "sliding"; size: number }
  | { type: "session"; gap: number };

function positive(name: string, n: number): number {
  if (!Number.isFinite(n) || n <= 0) {
    throw new KafkaJSNonRetriableError(
      `${name} must be a positive number of milliseconds: ${n}`,
    );
  }
  return n;
}

/**
 * Fixed, non-overlapping windows `[k·size, (k+1)·size)` aligned to the epoch.
 *
 * @example Minute windows
 * ```ts
 * import assert from "node:assert/strict";
 * import { tumbling } from "./windows.ts";
 * assert.deepEqual(tumbling(60_000), { type: "tumbling", size: 60000 });
 * ```
 */
export function tumbling(sizeMs: number): WindowSpec {
  return { type: "tumbling", size: positive("Window size", sizeMs) };
}

/**
 * Overlapping windows of `sizeMs` starting every `advanceMs`, aligned to the
 * epoch.
 *
 * @example Five-minute windows every minute
 * ```ts
 * import assert from "node:assert/strict";
 * import { hopping } from "./windows.ts";
 * assert.equal(hopping(300_000, 60_000).type, "hopping");
 * ```
 */
export function hopping(sizeMs: number, advanceMs: number): WindowSpec {
  positive("Window size", sizeMs);
  positive("Window advance", advanceMs);
  if (advanceMs > sizeMs) {
    throw new KafkaJSNonRetriableError(
      `Window advance must not exceed its size: ${advanceMs} > ${sizeMs}`,
    );
  }
  return { type: "hopping", size: sizeMs, advance: advanceMs };
}

/**
 * Sliding windows: each record at `t` opens `[t - sizeMs, t]` (both ends
 * inclusive) over every record of its key in that span, and updates every
 * open window that contains `t`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sliding } from "./windows.ts";
 * assert.equal(sliding(10_000).type, "sliding");
 * ```
 */
export function sliding(sizeMs: number): WindowSpec {
  return { type: "sliding", size: positive("Window size", sizeMs) };
}

/**
 * Session windows: records of a key closer than `gapMs` to each other share
 * a window `[first, last]`; a record bridging two sessions merges them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "./windows.ts";
 * assert.equal(session(30_000).type, "session");
 * ```
 */
export function session(gapMs: number): WindowSpec {
  return { type: "session", gap: positive("Session gap", gapMs) };
}

/**
 * Options for {@linkcode WindowedAggregator}.
 *
 * @example Sum values per hopping window
 * ```ts
 * import assert from "node:assert/strict";
 * import { hopping, WindowedAggregator, type WindowedAggregatorOptions } from "./mod.ts";
 * const options: WindowedAggregatorOptions<number, number> = {
 *   window: hopping(60_000, 30_000),
 *   graceMs: 5_000,
 *   initial: () => 0,
 *   aggregate: (sum, v) => sum + v,
 * };
 * assert.equal(new WindowedAggregator(options).openWindows, 0);
 * ```
 */
export interface WindowedAggregatorOptions<V, A> {
  /** Window kind and size. */
  window: WindowSpec;
  /**
   * How long after a window's end late records are still accepted.
   * @default {0}
   */
  graceMs?: number;
  /**
   * `"close"` emits each window once, final, when it closes; `"update"`
   * emits the window's new value on every record.
   * @default {"close"}
   */
  emit?: "close" | "update";
  /** The empty aggregate. */
  initial: () => A;
  /** Folds one value into an aggregate. */
  aggregate: (acc: A, value: V, timestamp: number) => A;
}

/**
 * One window's aggregate.
 *
 * @example Format a result
 * ```ts
 * import type { WindowResult } from "./mod.ts";
 * const fmt = (r: WindowResult<number>) => `${r.key} [${r.start}, ${r.end}): ${r.value}`;
 * console.log(fmt({ key: "a", start: 0, end: 60_000, value: 3, final: true }));
 * ```
 */
export interface WindowResult<A> {
  /** Record key. */
  key: string;
  /** Window start (inclusive), epoch ms. */
  start: number;
  /** Window end, epoch ms (exclusive for tumbling/hopping, inclusive otherwise). */
  end: number;
  /** The aggregate. */
  value: A;
  /** Whether the window is closed (no more updates). */
  final: boolean;
}

interface Win<V, A> {
  key: string;
  start: number;
  end: number;
  closeAt: number;
  acc: A;
  /** Raw records, kept for windows recomputed on change (sliding, session). */
  items?: { t: number; v: V }[];
}

/**
 * Aggregates keyed records into windows on event time.
 *
 * @example Count per key per minute, with late records dropped
 * ```ts
 * import assert from "node:assert/strict";
 * import { tumbling, WindowedAggregator } from "./windows.ts";
 * const counts = new WindowedAggregator<unknown, number>({
 *   window: tumbling(60_000),
 *   initial: () => 0,
 *   aggregate: (n) => n + 1,
 * });
 * counts.process("a", 1_000, null);
 * counts.process("a", 59_000, null);
 * const closed = counts.process("a", 61_000, null); // stream time passes 60 000
 * assert.deepEqual(closed, [{ key: "a", start: 0, end: 60000, value: 2, final: true }]);
 * counts.process("a", 2_000, null); // its window is closed: late
 * assert.equal(counts.lateRecords, 1);
 * ```
 */
export class WindowedAggregator<V, A> {
  #spec: WindowSpec;
  #grace: number;
  #emit: "close" | "update";
  #initial: () => A;
  #aggregate: (acc: A, value: V, timestamp: number) => A;
  #open = new Map<string, Win<V, A>>();
  /** Open sliding windows per key, so a record only visits its own key's. */
  #slidingByKey = new Map<string, Set<Win<V, A>>>();
  #sessions = new Map<string, Win<V, A>[]>();
  #history = new Map<string, { t: number; v: V }[]>();
  #streamTime = -Infinity;
  #minCloseAt = Infinity;
  #late = 0;

  /** Makes an aggregator; see {@linkcode WindowedAggregatorOptions}. */
  constructor(options: WindowedAggregatorOptions<V, A>) {
    this.#spec = options.window;
    this.#grace = options.graceMs ?? 0;
    if (!(this.#grace >= 0)) {
      throw new KafkaJSNonRetriableError(
        `Grace period must be >= 0 milliseconds: ${this.#grace}`,
      );
    }
    this.#emit = options.emit ?? "close";
    this.#initial = options.initial;
    this.#aggregate = options.aggregate;
  }

  /** Records dropped because every window they belong to had closed. */
  get lateRecords(): number {
    return this.#late;
  }

  /** The largest timestamp seen. */
  get streamTime(): number {
    return this.#streamTime;
  }

  /** Number of windows still open. */
  get openWindows(): number {
    let n = this.#open.size;
    for (const s of this.#sessions.values()) n += s.length;
    return n;
  }

  #fold(items: { t: number; v: V }[]): A {
    let acc = this.#initial();
    for (const it of items) acc = this.#aggregate(acc, it.v, it.t);
    return acc;
  }

  #track(w: Win<V, A>): void {
    if (w.closeAt < this.#minCloseAt) this.#minCloseAt = w.closeAt;
  }

  /**
   * Adds a record; returns the results it causes: closed windows (emit
   * `"close"`) or updated windows (emit `"update"`).
   */
  process(key: string, timestamp: number, value: V): WindowResult<A>[] {
    if (!Number.isFinite(timestamp)) {
      throw new KafkaJSNonRetriableError(
        `Record timestamp must be a finite number: ${timestamp}`,
      );
    }
    if (timestamp > this.#streamTime) this.#streamTime = timestamp;
    const now = this.#streamTime;
    const updated: Win<V, A>[] = [];
    const spec = this.#spec;
    if (spec.type === "tumbling" || spec.type === "hopping") {
      const advance = spec.type === "hopping" ? spec.advance : spec.size;
      const last = Math.floor(timestamp / advance) * advance;
      for (let start = last; start > timestamp - spec.size; start -= advance) {
        const end = start + spec.size;
        if (end + this.#grace <= now) continue;
        const id = `${key}\u0000${start}`;
        let w = this.#open.get(id);
        if (!w) {
          w = {
            key,
            start,
            end,
            closeAt: end + this.#grace,
            acc: this.#initial(),
          };
          this.#open.set(id, w);
          this.#track(w);
        }
        w.acc = this.#aggregate(w.acc, value, timestamp);
        updated.push(w);
      }
    } else if (spec.type === "sliding") {
      const hist = this.#history.get(key) ?? [];
      this.#history.set(key, hist);
      const item = { t: timestamp, v: value };
      for (const w of this.#slidingByKey.get(key) ?? []) {
        if (w.start <= timestamp && timestamp <= w.end && w.closeAt > now) {
          w.items!.push(item);
          w.acc = this.#fold(w.items!);
          updated.push(w);
        }
      }
      const id = `${key}\u0000${timestamp}`;
      if (!this.#open.has(id) && timestamp + this.#grace + 1 > now) {
        const items = hist.filter((h) =>
          h.t >= timestamp - spec.size && h.t <= timestamp
        );
        items.push(item);
        const w: Win<V, A> = {
          key,
          start: timestamp - spec.size,
          end: timestamp,
          closeAt: timestamp + this.#grace + 1,
          acc: this.#fold(items),
          items,
        };
        this.#open.set(id, w);
        let forKey = this.#slidingByKey.get(key);
        if (!forKey) this.#slidingByKey.set(key, forKey = new Set());
        forKey.add(w);
        this.#track(w);
        updated.push(w);
      }
      if (updated.length > 0) {
        hist.push(item);
        // Keep only what an open or future window can still include.
        const horizon = now - this.#grace - 1 - spec.size;
        if (hist.length > 64 && hist[0]!.t < horizon) {
          this.#history.set(key, hist.filter((h) => h.t >= horizon));
        }
      }
    } else {
      const gap = spec.gap;
      const list = this.#sessions.get(key) ?? [];
      const touching = list.filter((s) =>
        s.start - gap <= timestamp && timestamp <= s.end + gap
      );
      const items = [
        { t: timestamp, v: value },
        ...touching.flatMap((s) => s.items!),
      ];
      items.sort((a, b) => a.t - b.t);
      const start = Math.min(timestamp, ...touching.map((s) => s.start));
      const end = Math.max(timestamp, ...touching.map((s) => s.end));
      const closeAt = end + gap + this.#grace + 1;
      if (closeAt > now) {
        const merged: Win<V, A> = {
          key,
          start,
          end,
          closeAt,
          acc: this.#fold(items),
          items,
        };
        const rest = list.filter((s) => !touching.includes(s));
        rest.push(merged);
        rest.sort((a, b) => a.start - b.start);
        this.#sessions.set(key, rest);
        this.#track(merged);
        updated.push(merged);
      }
    }
    if (updated.length === 0) {
      this.#late++;
      return [];
    }
    const out: WindowResult<A>[] = [];
    if (this.#emit === "update") {
      for (const w of updated) {
        out.push({
          key: w.key,
          start: w.start,
          end: w.end,
          value: w.acc,
          final: false,
        });
      }
    }
    const closed = this.#closeUpTo(now);
    if (this.#emit === "close") out.push(...closed);
    return out;
  }

  #closeUpTo(now: number): WindowResult<A>[] {
    if (now < this.#minCloseAt) return [];
    const closed: Win<V, A>[] = [];
    let min = Infinity;
    for (const [id, w] of this.#open) {
      if (w.closeAt <= now) {
        closed.push(w);
        this.#open.delete(id);
        const forKey = this.#slidingByKey.get(w.key);
        if (forKey?.delete(w) && forKey.size === 0) {
          this.#slidingByKey.delete(w.key);
        }
      } else if (w.closeAt < min) min = w.closeAt;
    }
    for (const [key, list] of this.#sessions) {
      const keep = list.filter((w) => {
        if (w.closeAt <= now) {
          closed.push(w);
          return false;
        }
        if (w.closeAt < min) min = w.closeAt;
        return true;
      });
      if (keep.length === 0) this.#sessions.delete(key);
      else this.#sessions.set(key, keep);
    }
    this.#minCloseAt = min;
    closed.sort((a, b) =>
      a.closeAt - b.closeAt || a.start - b.start ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    );
    return closed.map((w) => ({
      key: w.key,
      start: w.start,
      end: w.end,
      value: w.acc,
      final: true,
    }));
  }

  /**
   * Closes every open window (end of input) and returns them, final, in
   * order of closing time.
   */
  flush(): WindowResult<A>[] {
    return this.#closeUpTo(Infinity);
  }
}

/**
 * Options for {@linkcode windowTopic}.
 *
 * @example Options for windowTopic
 * ```ts
 * import assert from "node:assert/strict";
 * import { tumbling, type WindowTopicOptions } from "./mod.ts";
 * const options: WindowTopicOptions<number> = {
 *   topic: "clicks",
 *   window: tumbling(60_000),
 *   initial: () => 0,
 *   aggregate: (n) => n + 1,
 * };
 * assert.equal(options.topic, "clicks");
 * ```
 */
export interface WindowTopicOptions<A>
  extends Omit<WindowedAggregatorOptions<Uint8Array | null, A>, "emit"> {
  /** Topic to read from its start to its current end. */
  topic: string;
}

/**
 * Reads a topic from its log start to the high watermark at call time and
 * aggregates it into windows. Like a Kafka Streams task, each partition has
 * its own stream time (keys live in one partition), so partitions read in
 * any order give the same result. Keys are decoded as UTF-8 (`""` for none);
 * event time is the record timestamp.
 *
 * @example Count records per key per minute
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka } from "./mod.ts";
 * import { tumbling, windowTopic } from "./windows.ts";
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "clicks", numPartitions: 2 }] });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({
 *   topic: "clicks",
 *   messages: [1_000, 30_000, 70_000].map((t) => ({ key: "home", value: "x", timestamp: t })),
 * });
 * const { results, lateRecords } = await windowTopic(kafka, {
 *   topic: "clicks",
 *   window: tumbling(60_000),
 *   initial: () => 0,
 *   aggregate: (n) => n + 1,
 * });
 * assert.deepEqual(results.map((r) => [r.start, r.value]), [[0, 2], [60000, 1]]);
 * assert.equal(lateRecords, 0);
 * await producer.disconnect();
 * await admin.disconnect();
 * ```
 */
export async function windowTopic<A>(
  kafka: Kafka,
  options: WindowTopicOptions<A>,
): Promise<{ results: WindowResult<A>[]; lateRecords: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    const results: WindowResult<A>[] = [];
    let late = 0;
    const decoder = new TextDecoder();
    {
      for (const o of offsets) {
        const agg = new WindowedAggregator<Uint8Array | null, A>({
          ...options,
          emit: "close",
        });
        const high = Number(o.high);
        for (let pos = Number(o.low); pos < high;) {
          const batch = await admin.fetchRecords({
            topic: options.topic,
            partition: o.partition,
            offset: String(pos),
          });
          if (batch.length === 0) break;
          for (const r of batch) {
            if (r.offset >= high) break;
            results.push(
              ...agg.process(
                r.key ? decoder.decode(r.key) : "",
                r.timestamp,
                r.value,
              ),
            );
            pos = r.offset + 1;
          }
        }
        results.push(...agg.flush());
        late += agg.lateRecords;
      }
    }
    results.sort((a, b) =>
      a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
      a.end - b.end
    );
    return { results, lateRecords: late };
  } finally {
    await admin.disconnect();
  }
}
