/**
 * The RDD: an immutable, partitioned, lazily computed collection.
 *
 * @module
 */

import { shipFunction } from "./_closure.ts";
import { callSite, definedAt } from "./_remote_error.ts";
import { compareKeys, encodeKey } from "./_keys.ts";
import {
  LINEAGE,
  type Lineage,
  lineageOf,
  type Node,
  type ShuffleDep,
} from "./_lineage.ts";
import type {
  Action,
  AggSpec,
  FnSpec,
  Op,
  PartitionerSpec,
  ReduceSpec,
} from "./_plan.ts";
import { schedulerOf } from "./_registry.ts";
import { packEnv } from "./broadcast.ts";
import type { SparkContext } from "./context.ts";
import { SparkError } from "./errors.ts";
import { basename, dirname, join } from "node:path";
import { seededRandom } from "../internal/random.ts";
import { hllEstimate, hllMerge, precisionFor } from "./_hyperloglog.ts";
import { StatCounter } from "./stat_counter.ts";

let nextRddId = 0;

// Spark's ContextCleaner in one line: when a shuffled RDD (and so every RDD
// downstream of it) is unreachable, its map outputs are dropped.
const SHUFFLE_CLEANER = new FinalizationRegistry<[SparkContext, number]>(
  ([sc, id]) => {
    try {
      schedulerOf(sc).dropShuffle(id);
    } catch {
      // context already gone
    }
  },
);
let nextShuffleId = 0;

/** Builds a new RDD; used by {@linkcode SparkContext} and transformations. */
export function makeRDD<T>(
  sc: SparkContext,
  node: Node,
  numPartitions: number,
  kind: string,
  label: string,
  partitioner: PartitionerSpec | null = null,
): RDD<T> {
  const lineage: Lineage = {
    id: nextRddId++,
    sc,
    node,
    numPartitions,
    kind,
    label,
    partitioner,
    cached: false,
    name: null,
    checkpoint: null,
    checkpointFile: null,
  };
  return new RDD<T>(sc, lineage);
}

function fnSpec(fn: unknown, what: string, env: unknown): FnSpec {
  return {
    src: shipFunction(fn, what),
    env: packEnv(env, new Map()),
    at: definedAt(fn, callSite()),
  };
}

function checkCount(n: unknown, what: string): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new SparkError(`${what} must be an integer >= 1: ${String(n)}`);
  }
  return n;
}

/**
 * Options for `map`, `flatMap`, `mapPartitions` and
 * `mapPartitionsWithIndex`, given as their last argument instead of a plain
 * `env`.
 *
 * @typeParam E The env's type.
 *
 * @example Keep the partitioner through a key-preserving map
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MapOptions, SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * const options: MapOptions<{ k: number }> = { env: { k: 2 }, preservesPartitioning: true };
 * const r = sc.parallelize([["a", 1]] as [string, number][]).partitionBy(2)
 *   .map(([key, v], env) => [key, v * env.k] as [string, number], options);
 * assert.deepEqual(await r.collect(), [["a", 2]]);
 * ```
 */
export interface MapOptions<E> {
  /**
   * Values for the function (structured-cloneable; may hold broadcasts).
   * @default {undefined}
   */
  env?: E;
  /**
   * The function keeps keys where they are, so the result keeps this RDD's
   * partitioner (a later `reduceByKey` with it does not shuffle).
   * @default {false}
   */
  preservesPartitioning?: boolean;
}

/**
 * A partition function: maps a key (and the call's `env`) to an integer;
 * the record goes to that integer modulo the partition count.
 */
export type PartitionFunc<K, E = undefined> = (key: K, env: E) => number;

/**
 * The last argument of a map-like call: `true`/`false` (PySpark's
 * positional `preservesPartitioning`), a {@linkcode MapOptions} object (only
 * `env` and `preservesPartitioning` keys), or a plain env.
 */
function splitOptions<E>(arg: unknown): { env: E | undefined; keep: boolean } {
  if (typeof arg === "boolean") return { env: undefined, keep: arg };
  if (arg !== null && typeof arg === "object") {
    const proto = Object.getPrototypeOf(arg);
    const keys = Object.keys(arg);
    const o = arg as MapOptions<E>;
    if (
      (proto === Object.prototype || proto === null) && keys.length > 0 &&
      keys.every((k) => k === "env" || k === "preservesPartitioning") &&
      (o.preservesPartitioning === undefined ||
        typeof o.preservesPartitioning === "boolean")
    ) return { env: o.env, keep: o.preservesPartitioning ?? false };
  }
  return { env: arg as E, keep: false };
}

/** Whether two partitioners put every key in the same partition. */
function samePartitioner(
  a: PartitionerSpec | null,
  b: PartitionerSpec | null,
): boolean {
  if (a === null || b === null || a.kind !== b.kind || a.n !== b.n) {
    return false;
  }
  if (a === b) return true;
  switch (a.kind) {
    case "hash":
      return true;
    case "func": {
      const f = b as typeof a;
      return a.fn.src === f.fn.src &&
        JSON.stringify(a.fn.env) === JSON.stringify(f.fn.env);
    }
    default:
      return false;
  }
}

/** Lets `reduceByKey(fn, n, env)` keep working: an object is the env. */
function funcShift<F, E>(
  fn: F | null | undefined,
  env: E | undefined,
): [F | undefined, E | undefined] {
  if (fn !== null && fn !== undefined && typeof fn !== "function") {
    if (env === undefined) return [undefined, fn as unknown as E];
    throw new SparkError(
      `Partition function must be a function: got ${typeof fn}`,
    );
  }
  return [fn ?? undefined, env];
}

/**
 * A resilient distributed dataset: a lazily evaluated, partitioned
 * collection. Transformations (`map`, `filter`, `reduceByKey`, ...) only
 * record lineage; actions (`collect`, `count`, ...) plan stages and run tasks
 * on the context's worker pool.
 *
 * Functions passed to transformations and actions are shipped to workers as
 * source text: they cannot use variables from the surrounding scope. Pass
 * values through the optional last `env` argument (the function receives it
 * as its last parameter) and helpers through modules registered with
 * `sc.addModule(name, specifier)`.
 *
 * Pair methods (`reduceByKey`, `join`, ...) are available on `RDD<[K, V]>`.
 *
 * @typeParam T The element type.
 *
 * @example Word count
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 2 });
 * const counts = await sc.parallelize(["a b", "b c", "b"])
 *   .flatMap((line) => line.split(" "))
 *   .map((w) => [w, 1] as [string, number])
 *   .reduceByKey((a, b) => a + b)
 *   .sortByKey()
 *   .collect();
 * assert.deepEqual(counts, [["a", 1], ["b", 3], ["c", 1]]);
 * ```
 */
export class RDD<T> {
  #sc: SparkContext;
  #l: Lineage;

  /**
   * Not called directly: RDDs come from a {@linkcode SparkContext} and from
   * transformations.
   *
   * @param sc The owning context.
   * @param lineage Internal lineage record.
   */
  constructor(sc: SparkContext, lineage: unknown) {
    this.#sc = sc;
    this.#l = lineage as Lineage;
    LINEAGE.set(this, this.#l);
  }

  /** The context-wide id of this RDD. */
  get id(): number {
    return this.#l.id;
  }

  /** The {@linkcode SparkContext} this RDD belongs to. */
  get context(): SparkContext {
    return this.#sc;
  }

  /** The number of partitions. */
  get numPartitions(): number {
    return this.#l.numPartitions;
  }

  #derive<U>(
    node: Node,
    n: number,
    kind: string,
    label: string,
    partitioner: PartitionerSpec | null = null,
  ): RDD<U> {
    return makeRDD<U>(this.#sc, node, n, kind, label, partitioner);
  }

  #op<U>(op: Op, label: string, keepPartitioner = false): RDD<U> {
    return this.#derive<U>(
      { type: "op", parent: this, op },
      this.numPartitions,
      "MapPartitionsRDD",
      label,
      keepPartitioner ? this.#l.partitioner : null,
    );
  }

  // ---------------------------------------------------------------- narrow

  /**
   * Applies `fn` to every element.
   *
   * @param fn Runs in a worker; receives the element and `env`.
   * @param options Values for `fn` (a structured-cloneable env that may hold
   *   broadcasts), or `{ env, preservesPartitioning }`, or PySpark's
   *   positional `preservesPartitioning` boolean.
   * @returns The mapped RDD.
   *
   * @example Scale with a value from env
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const out = await sc.parallelize([1, 2, 3])
   *   .map((x, env) => x * env.k, { k: 10 }).collect();
   * assert.deepEqual(out, [10, 20, 30]);
   * ```
   */
  map<U, E = undefined>(
    fn: (x: T, env: E) => U,
    options?: E | MapOptions<E> | boolean,
  ): RDD<U> {
    const { env, keep } = splitOptions<E>(options);
    return this.#op({ kind: "map", fn: fnSpec(fn, "map", env) }, "map", keep);
  }

  /**
   * Keeps the elements for which `fn` returns a truthy value.
   *
   * @param fn Runs in a worker; receives the element and `env`.
   * @param env Values for `fn`.
   * @returns The filtered RDD (keeps the partitioner).
   *
   * @example Filter with a threshold
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const out = await sc.parallelize([{ mag: 3 }, { mag: 5 }])
   *   .filter((r, env) => r.mag > env.min, { min: 4 }).collect();
   * assert.deepEqual(out, [{ mag: 5 }]);
   * ```
   */
  filter<E = undefined>(fn: (x: T, env: E) => unknown, env?: E): RDD<T> {
    return this.#op(
      { kind: "filter", fn: fnSpec(fn, "filter", env) },
      "filter",
      true,
    );
  }

  /**
   * Maps each element to an iterable and flattens the results.
   *
   * @param fn Runs in a worker; returns an iterable.
   * @param options Values for `fn` (a structured-cloneable env that may hold
   *   broadcasts), or `{ env, preservesPartitioning }`, or PySpark's
   *   positional `preservesPartitioning` boolean.
   * @returns The flattened RDD.
   *
   * @example Split lines into words
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const words = await sc.parallelize(["a b", "c"])
   *   .flatMap((l) => l.split(" ")).collect();
   * assert.deepEqual(words, ["a", "b", "c"]);
   * ```
   */
  flatMap<U, E = undefined>(
    fn: (x: T, env: E) => Iterable<U>,
    options?: E | MapOptions<E> | boolean,
  ): RDD<U> {
    const { env, keep } = splitOptions<E>(options);
    return this.#op(
      { kind: "flatMap", fn: fnSpec(fn, "flatMap", env) },
      "flatMap",
      keep,
    );
  }

  /**
   * Transforms a whole partition at once. `fn` receives a lazy iterable of
   * the partition's rows and may return any iterable, an async iterable or a
   * promise of an iterable.
   *
   * @param fn Runs in a worker; receives the rows and `env`.
   * @param options Values for `fn` (a structured-cloneable env that may hold
   *   broadcasts), or `{ env, preservesPartitioning }`, or PySpark's
   *   positional `preservesPartitioning` boolean.
   * @returns The transformed RDD.
   *
   * @example Sum each partition
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const sums = await sc.parallelize([1, 2, 3, 4], 2)
   *   .mapPartitions((rows) => {
   *     let s = 0;
   *     for (const r of rows) s += r;
   *     return [s];
   *   }).collect();
   * assert.deepEqual(sums, [3, 7]);
   * ```
   */
  mapPartitions<U, E = undefined>(
    fn: (
      rows: Iterable<T>,
      env: E,
    ) => Iterable<U> | AsyncIterable<U> | Promise<Iterable<U>>,
    options?: E | MapOptions<E> | boolean,
  ): RDD<U> {
    const { env, keep } = splitOptions<E>(options);
    return this.#op(
      { kind: "mapPartitions", fn: fnSpec(fn, "mapPartitions", env) },
      "mapPartitions",
      keep,
    );
  }

  /**
   * Like {@linkcode RDD.mapPartitions}, with the partition index first.
   *
   * @param fn Runs in a worker; receives the index, the rows and `env`.
   * @param options Values for `fn` (a structured-cloneable env that may hold
   *   broadcasts), or `{ env, preservesPartitioning }`, or PySpark's
   *   positional `preservesPartitioning` boolean.
   * @returns The transformed RDD.
   *
   * @example Tag rows with their partition
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const out = await sc.parallelize(["a", "b"], 2)
   *   .mapPartitionsWithIndex((i, rows) => [...rows].map((r) => `${i}:${r}`))
   *   .collect();
   * assert.deepEqual(out, ["0:a", "1:b"]);
   * ```
   */
  mapPartitionsWithIndex<U, E = undefined>(
    fn: (
      index: number,
      rows: Iterable<T>,
      env: E,
    ) => Iterable<U> | AsyncIterable<U> | Promise<Iterable<U>>,
    options?: E | MapOptions<E> | boolean,
  ): RDD<U> {
    const { env, keep } = splitOptions<E>(options);
    return this.#op(
      {
        kind: "mapPartitionsWithIndex",
        fn: fnSpec(fn, "mapPartitionsWithIndex", env),
      },
      "mapPartitionsWithIndex",
      keep,
    );
  }

  /**
   * Pairs each element with a key computed by `fn`.
   *
   * @param fn Runs in a worker; returns the key.
   * @param env Values for `fn`.
   * @returns An RDD of `[key, element]`.
   *
   * @example Key by length
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize(["aa", "b"]).keyBy((s) => s.length).collect(), [[2, "aa"], [1, "b"]]);
   * ```
   */
  keyBy<K, E = undefined>(fn: (x: T, env: E) => K, env?: E): RDD<[K, T]> {
    return this.#op({ kind: "keyBy", fn: fnSpec(fn, "keyBy", env) }, "keyBy");
  }

  /**
   * Turns each partition into one array.
   *
   * @returns An RDD with one array per partition.
   *
   * @example See the partitions
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([1, 2, 3, 4], 2).glom().collect(), [[1, 2], [3, 4]]);
   * ```
   */
  glom(): RDD<T[]> {
    return this.#op({ kind: "glom" }, "glom");
  }

  /**
   * A random sample of the elements.
   *
   * @param withReplacement Whether an element may be picked more than once.
   * @param fraction Expected fraction (without replacement: 0..1) or expected
   *   count per element (with replacement).
   * @param seed Random seed (random when absent).
   * @returns The sampled RDD.
   *
   * @example Sample about a tenth
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const n = await sc.range(1000).sample(false, 0.1, 42).count();
   * assert.deepEqual(n > 50 && n < 150, true);
   * ```
   */
  sample(withReplacement: boolean, fraction: number, seed?: number): RDD<T> {
    if (
      typeof fraction !== "number" || !(fraction >= 0) ||
      (!withReplacement && fraction > 1)
    ) {
      throw new SparkError(
        `Sample fraction must be in [0, 1] without replacement or >= 0 with it: ${fraction}`,
      );
    }
    return this.#op(
      {
        kind: "sample",
        withReplacement,
        fraction,
        seed: seed ?? Math.floor(Math.random() * 2 ** 31),
      },
      "sample",
    );
  }

  /**
   * The elements of both RDDs (duplicates kept), without a shuffle.
   *
   * @param other Another RDD of the same context.
   * @returns The union.
   *
   * @example Union
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const u = sc.parallelize([1, 2]).union(sc.parallelize([2, 3]));
   * assert.deepEqual(await u.collect(), [1, 2, 2, 3]);
   * assert.equal(u.numPartitions, 2);
   * ```
   */
  union(other: RDD<T>): RDD<T> {
    if (!(other instanceof RDD) || other.context !== this.#sc) {
      throw new SparkError(
        `Union needs an RDD of the same SparkContext: ${String(other)}`,
      );
    }
    // Spark's partitioner-aware union: co-partitioned inputs keep their
    // partitioner, and output partition i concatenates each input's i.
    const part = this.#l.partitioner;
    const aligned = samePartitioner(part, lineageOf(other).partitioner);
    const parents: object[] = [];
    for (const r of [this, other]) {
      const l = lineageOf(r);
      if (
        l.node.type === "union" && !l.cached &&
        (l.node.aligned ?? false) === aligned
      ) parents.push(...l.node.parents);
      else parents.push(r);
    }
    if (aligned) {
      return this.#derive(
        { type: "union", parents, aligned },
        this.numPartitions,
        "PartitionerAwareUnionRDD",
        "union",
        part,
      );
    }
    const n = parents.reduce<number>(
      (a, p) => a + lineageOf(p).numPartitions,
      0,
    );
    return this.#derive({ type: "union", parents }, n, "UnionRDD", "union");
  }

  /**
   * The distinct elements (by value: arrays and objects compare by content).
   *
   * @param numPartitions Output partitions (default: this RDD's count).
   * @returns The deduplicated RDD.
   *
   * @example Distinct
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual((await sc.parallelize([3, 1, 3, 1]).distinct().collect()).sort(), [1, 3]);
   * ```
   */
  distinct(numPartitions?: number): RDD<T> {
    const n = this.#n(numPartitions);
    const pairs = this.#op<[T, null]>({ kind: "pairNull" }, "distinct");
    return (pairs as RDD<[T, null]>).#shuffle<[T, null]>(
      { kind: "hash", n },
      { kind: "first" },
      { kind: "combine", agg: { kind: "first" } },
      "distinct",
    ).#op<T>({ kind: "keys" }, "distinct");
  }

  /**
   * Reshuffles into exactly `numPartitions` partitions of about equal size.
   *
   * @param numPartitions Output partitions.
   * @returns The repartitioned RDD.
   *
   * @example Repartition
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(sc.range(100, undefined, undefined, 1).repartition(4).numPartitions, 4);
   * ```
   */
  repartition(numPartitions: number): RDD<T> {
    const n = checkCount(numPartitions, "numPartitions");
    return this.#shuffle<T>(
      { kind: "roundRobin", n },
      null,
      { kind: "none" },
      "repartition",
    );
  }

  /**
   * Merges partitions without a shuffle (or with one when `shuffle`).
   *
   * @param numPartitions Target partition count.
   * @param shuffle Redistribute with a shuffle instead.
   * @returns The coalesced RDD.
   *
   * @example Coalesce
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.parallelize([1, 2, 3, 4], 4).coalesce(2);
   * assert.deepEqual(await r.glom().collect(), [[1, 2], [3, 4]]);
   * ```
   */
  coalesce(numPartitions: number, shuffle = false): RDD<T> {
    const n = checkCount(numPartitions, "numPartitions");
    if (shuffle) return this.repartition(n);
    const total = this.numPartitions;
    const m = Math.min(n, total);
    const groups: number[][] = [];
    for (let i = 0; i < m; i++) {
      const g: number[] = [];
      const from = Math.floor(i * total / m),
        to = Math.floor((i + 1) * total / m);
      for (let j = from; j < to; j++) g.push(j);
      groups.push(g);
    }
    return this.#derive(
      { type: "coalesce", parent: this, groups },
      m,
      "CoalescedRDD",
      "coalesce",
    );
  }

  /**
   * Sorts globally by a key computed by `fn` (range-partitioned shuffle).
   *
   * @param fn Runs in a worker; returns the sort key.
   * @param ascending Sort order.
   * @param numPartitions Output partitions (default: this RDD's count).
   * @param env Values for `fn`.
   * @returns The sorted RDD.
   *
   * @example Sort by length
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize(["ccc", "a", "bb"]).sortBy((s) => s.length).collect(), ["a", "bb", "ccc"]);
   * ```
   */
  sortBy<K, E = undefined>(
    fn: (x: T, env: E) => K,
    ascending = true,
    numPartitions?: number,
    env?: E,
  ): RDD<T> {
    return this.keyBy(fn, env).sortByKey(ascending, numPartitions).values();
  }

  /**
   * Keeps computed partitions in the worker that computed them, for later
   * jobs. Returns this RDD.
   *
   * @returns This RDD.
   *
   * @example Cache
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.range(10).map((x) => x * x).cache();
   * assert.equal(await r.count(), 10);
   * assert.equal(await r.reduce((a, b) => a + b), 285);
   * ```
   */
  cache(): this {
    this.#l.cached = true;
    return this;
  }

  /**
   * Same as {@linkcode RDD.cache}. Cached partitions live in the memory of
   * the worker that computed them, so `"MEMORY_ONLY"` is the one storage
   * level; any other is refused with a SparkError rather than ignored.
   *
   * @param storageLevel A Spark storage level name; only `"MEMORY_ONLY"`
   *   is accepted.
   * @returns This RDD.
   *
   * @example Persist
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext, SparkError } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.range(3).persist().collect(), [0, 1, 2]);
   * assert.throws(() => sc.range(3).persist("DISK_ONLY"), SparkError);
   * ```
   */
  persist(storageLevel: string = "MEMORY_ONLY"): this {
    if (storageLevel !== "MEMORY_ONLY") {
      throw new SparkError(
        `Storage level not supported: "${
          String(storageLevel)
        }": cached partitions live in worker memory; use "MEMORY_ONLY"`,
      );
    }
    return this.cache();
  }

  /** Whether {@linkcode RDD.cache} or {@linkcode RDD.persist} was called. */
  get isCached(): boolean {
    return this.#l.cached;
  }

  /**
   * Drops cached partitions from the workers.
   *
   * @returns This RDD.
   *
   * @example Unpersist
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.range(3).cache();
   * await r.count();
   * assert.deepEqual(await r.unpersist().count(), 3);
   * ```
   */
  unpersist(): this {
    this.#l.cached = false;
    schedulerOf(this.#sc).unpersist(this.id);
    return this;
  }

  // ------------------------------------------------------------ pair RDDs

  /**
   * Applies `fn` to each value of a pair RDD, keeping keys and partitioner.
   *
   * @param fn Runs in a worker; receives the value and `env`.
   * @param env Values for `fn`.
   * @returns The mapped pair RDD.
   *
   * @example Map values
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([["a", 1]] as [string, number][]).mapValues((v) => v + 1).collect(), [["a", 2]]);
   * ```
   */
  mapValues<K, V, U, E = undefined>(
    this: RDD<[K, V]>,
    fn: (v: V, env: E) => U,
    env?: E,
  ): RDD<[K, U]> {
    return this.#op(
      { kind: "mapValues", fn: fnSpec(fn, "mapValues", env) },
      "mapValues",
      true,
    );
  }

  /**
   * Maps each value to an iterable and emits one pair per item.
   *
   * @param fn Runs in a worker; returns an iterable.
   * @param env Values for `fn`.
   * @returns The flattened pair RDD.
   *
   * @example Flat-map values
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const out = await sc.parallelize([["a", "x y"]] as [string, string][])
   *   .flatMapValues((v) => v.split(" ")).collect();
   * assert.deepEqual(out, [["a", "x"], ["a", "y"]]);
   * ```
   */
  flatMapValues<K, V, U, E = undefined>(
    this: RDD<[K, V]>,
    fn: (v: V, env: E) => Iterable<U>,
    env?: E,
  ): RDD<[K, U]> {
    return this.#op(
      { kind: "flatMapValues", fn: fnSpec(fn, "flatMapValues", env) },
      "flatMapValues",
      true,
    );
  }

  /**
   * The keys of a pair RDD.
   *
   * @returns An RDD of keys.
   *
   * @example Keys
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([["a", 1]] as [string, number][]).keys().collect(), ["a"]);
   * ```
   */
  keys<K, V>(this: RDD<[K, V]>): RDD<K> {
    return this.#op({ kind: "keys" }, "keys");
  }

  /**
   * The values of a pair RDD.
   *
   * @returns An RDD of values.
   *
   * @example Values
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([["a", 1]] as [string, number][]).values().collect(), [1]);
   * ```
   */
  values<K, V>(this: RDD<[K, V]>): RDD<V> {
    return this.#op({ kind: "values" }, "values");
  }

  #n(numPartitions: unknown): number {
    if (numPartitions === undefined || numPartitions === null) {
      return this.numPartitions;
    }
    return checkCount(numPartitions, "numPartitions");
  }

  #shuffle<U>(
    part: PartitionerSpec,
    agg: AggSpec | null,
    reduce: ReduceSpec,
    label: string,
  ): RDD<U> {
    const dep: ShuffleDep = {
      id: nextShuffleId++,
      parent: this,
      part,
      agg,
      needsBounds: part.kind === "range" && part.n > 1,
      seed: 0x5eed + this.id,
    };
    const out = this.#derive<U>(
      { type: "shuffled", dep, reduce },
      part.n,
      "ShuffledRDD",
      label,
      part.kind === "roundRobin" ? null : part,
    );
    SHUFFLE_CLEANER.register(out, [this.#sc, dep.id]);
    // Spark's RangePartitioner samples when it is made, not at the action.
    if (dep.needsBounds) schedulerOf(this.#sc).computeBoundsNow(dep);
    return out;
  }

  /** Hash partitioning, or the user's partition function when given. */
  #partitioner<K, E>(
    n: number,
    partitionFunc: PartitionFunc<K, E> | undefined,
    env: E | undefined,
    what: string,
  ): PartitionerSpec {
    if (partitionFunc === undefined) return { kind: "hash", n };
    return { kind: "func", n, fn: fnSpec(partitionFunc, what, env) };
  }

  #combine<K, C>(
    agg: AggSpec,
    numPartitions: unknown,
    label: string,
    part: (n: number) => PartitionerSpec,
  ): RDD<[K, C]> {
    const p = part(this.#n(numPartitions));
    if (samePartitioner(this.#l.partitioner, p)) {
      // Already partitioned the same way: combine in place, no shuffle.
      return this.#op({ kind: "combineLocal", agg }, label, true);
    }
    return this.#shuffle<[K, C]>(p, agg, { kind: "combine", agg }, label);
  }

  /**
   * Merges the values of each key with `fn` (associative and commutative),
   * combining on the map side before the shuffle.
   *
   * @param fn Runs in a worker; merges two values.
   * @param numPartitions Output partitions (default: this RDD's count).
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for `fn` and `partitionFunc`.
   * @returns One pair per key.
   *
   * @example Sum by key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = sc.parallelize([["a", 1], ["b", 2], ["a", 3]] as [string, number][])
   *   .reduceByKey((x, y) => x + y);
   * assert.deepEqual(await r.collectAsMap(), new Map([["a", 4], ["b", 2]]));
   * ```
   */
  reduceByKey<K, V, E = undefined>(
    this: RDD<[K, V]>,
    fn: (a: V, b: V, env: E) => V,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, V]> {
    [numPartitions, env] = envShift(numPartitions, env);
    [partitionFunc, env] = funcShift(partitionFunc, env);
    return this.#combine(
      { kind: "reduce", fn: fnSpec(fn, "reduceByKey", env) },
      numPartitions,
      "reduceByKey",
      (n) =>
        this.#partitioner(n, partitionFunc ?? undefined, env, "reduceByKey"),
    );
  }

  /**
   * Like {@linkcode RDD.reduceByKey} starting from a zero value per key.
   *
   * @param zero Neutral value (cloned per key).
   * @param fn Runs in a worker; merges two values.
   * @param numPartitions Output partitions.
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for `fn` and `partitionFunc`.
   * @returns One pair per key.
   *
   * @example Fold by key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.parallelize([["a", 2], ["a", 3]] as [string, number][]).foldByKey(1, (x, y) => x * y);
   * assert.deepEqual(await r.collect(), [["a", 6]]);
   * ```
   */
  foldByKey<K, V, E = undefined>(
    this: RDD<[K, V]>,
    zero: V,
    fn: (a: V, b: V, env: E) => V,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, V]> {
    [numPartitions, env] = envShift(numPartitions, env);
    [partitionFunc, env] = funcShift(partitionFunc, env);
    return this.#combine(
      { kind: "fold", zero, fn: fnSpec(fn, "foldByKey", env) },
      numPartitions,
      "foldByKey",
      (n) => this.#partitioner(n, partitionFunc ?? undefined, env, "foldByKey"),
    );
  }

  /**
   * Aggregates the values of each key into a different type.
   *
   * @param zero Starting accumulator (cloned per key).
   * @param seqOp Adds a value to an accumulator (in a worker).
   * @param combOp Merges two accumulators (in a worker).
   * @param numPartitions Output partitions.
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for the functions.
   * @returns One pair per key.
   *
   * @example Count and sum per key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.parallelize([["a", 2], ["a", 4]] as [string, number][])
   *   .aggregateByKey(
   *     { n: 0, sum: 0 },
   *     (acc, v) => ({ n: acc.n + 1, sum: acc.sum + v }),
   *     (x, y) => ({ n: x.n + y.n, sum: x.sum + y.sum }),
   *   );
   * assert.deepEqual(await r.collect(), [["a", { n: 2, sum: 6 }]]);
   * ```
   */
  aggregateByKey<K, V, U, E = undefined>(
    this: RDD<[K, V]>,
    zero: U,
    seqOp: (acc: U, v: V, env: E) => U,
    combOp: (a: U, b: U, env: E) => U,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, U]> {
    [numPartitions, env] = envShift(numPartitions, env);
    [partitionFunc, env] = funcShift(partitionFunc, env);
    return this.#combine(
      {
        kind: "aggregate",
        zero,
        seq: fnSpec(seqOp, "aggregateByKey", env),
        comb: fnSpec(combOp, "aggregateByKey", env),
      },
      numPartitions,
      "aggregateByKey",
      (n) =>
        this.#partitioner(n, partitionFunc ?? undefined, env, "aggregateByKey"),
    );
  }

  /**
   * The general per-key aggregation behind the other `...ByKey` methods.
   *
   * @param createCombiner Turns a first value into a combiner.
   * @param mergeValue Adds a value to a combiner.
   * @param mergeCombiners Merges two combiners.
   * @param numPartitions Output partitions.
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for the functions.
   * @returns One pair per key.
   *
   * @example Collect values into arrays
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.parallelize([["a", 1], ["a", 2]] as [string, number][])
   *   .combineByKey((v) => [v], (c, v) => [...c, v], (a, b) => [...a, ...b]);
   * assert.deepEqual(await r.collect(), [["a", [1, 2]]]);
   * ```
   */
  combineByKey<K, V, C, E = undefined>(
    this: RDD<[K, V]>,
    createCombiner: (v: V, env: E) => C,
    mergeValue: (c: C, v: V, env: E) => C,
    mergeCombiners: (a: C, b: C, env: E) => C,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, C]> {
    [numPartitions, env] = envShift(numPartitions, env);
    [partitionFunc, env] = funcShift(partitionFunc, env);
    return this.#combine(
      {
        kind: "combine",
        create: fnSpec(createCombiner, "combineByKey", env),
        merge: fnSpec(mergeValue, "combineByKey", env),
        mergeCombiners: fnSpec(mergeCombiners, "combineByKey", env),
      },
      numPartitions,
      "combineByKey",
      (n) =>
        this.#partitioner(n, partitionFunc ?? undefined, env, "combineByKey"),
    );
  }

  /**
   * Groups the values of each key into an array (no map-side combine).
   *
   * @param numPartitions Output partitions.
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for `partitionFunc`.
   * @returns One `[key, values]` pair per key.
   *
   * @example Group
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([["a", 1], ["a", 2]] as [string, number][]).groupByKey().collect(), [["a", [1, 2]]]);
   * ```
   */
  groupByKey<K, V, E = undefined>(
    this: RDD<[K, V]>,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, V[]]> {
    const p = this.#partitioner(
      this.#n(numPartitions),
      partitionFunc ?? undefined,
      env,
      "groupByKey",
    );
    if (samePartitioner(this.#l.partitioner, p)) {
      return this.#op({ kind: "groupLocal" }, "groupByKey", true);
    }
    return this.#shuffle(p, null, { kind: "group" }, "groupByKey");
  }

  /**
   * Partitions a pair RDD by key, by hash or by `partitionFunc` (no shuffle
   * if it already is partitioned that way).
   *
   * @param numPartitions Output partitions (default: this RDD's count).
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for `partitionFunc`.
   * @returns The partitioned RDD.
   *
   * @example Co-locate keys
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.parallelize([[1, "a"], [1, "b"]] as [number, string][]).partitionBy(3);
   * assert.deepEqual((await r.glom().collect()).filter((p) => p.length > 0).length, 1);
   * ```
   */
  partitionBy<K, V, E = undefined>(
    this: RDD<[K, V]>,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, V]> {
    const p = this.#partitioner(
      this.#n(numPartitions),
      partitionFunc ?? undefined,
      env,
      "partitionBy",
    );
    if (samePartitioner(this.#l.partitioner, p)) return this;
    return this.#shuffle(p, null, { kind: "none" }, "partitionBy");
  }

  /**
   * Sorts a pair RDD by key: a range partitioner built from a sample keeps
   * the output globally ordered across partitions.
   *
   * The range bounds come from a sampling job started when `sortByKey` is
   * called, as in Spark.
   *
   * @param ascending Sort order.
   * @param numPartitions Output partitions.
   * @param keyfunc Sort by `keyfunc(key)` instead of the key (in workers).
   * @param env Values for `keyfunc`.
   * @returns The sorted RDD.
   *
   * @example Sort by key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = sc.parallelize([[3, "c"], [1, "a"], [2, "b"]] as [number, string][]).sortByKey(false);
   * assert.deepEqual(await r.keys().collect(), [3, 2, 1]);
   * ```
   */
  sortByKey<K, V, S = K, E = undefined>(
    this: RDD<[K, V]>,
    ascending: boolean | null = true,
    numPartitions?: number | null,
    keyfunc?: ((key: K, env: E) => S) | null,
    env?: E,
  ): RDD<[K, V]> {
    const n = this.#n(numPartitions);
    const asc = ascending ?? true;
    const key = keyfunc === undefined || keyfunc === null
      ? null
      : fnSpec(keyfunc, "sortByKey", env);
    return this.#shuffle(
      { kind: "range", n, ascending: asc, bounds: [], key },
      null,
      { kind: "sort", ascending: asc, key },
      "sortByKey",
    );
  }

  /**
   * Groups both RDDs by key: `[key, [valuesHere, valuesThere]]`.
   *
   * @param other Another pair RDD.
   * @param numPartitions Output partitions (default: the larger count).
   * @returns The co-grouped RDD.
   *
   * @example Cogroup
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const a = sc.parallelize([["k", 1]] as [string, number][]);
   * const b = sc.parallelize([["k", "x"], ["k", "y"]] as [string, string][]);
   * assert.deepEqual(await a.cogroup(b).collect(), [["k", [[1], ["x", "y"]]]]);
   * ```
   */
  cogroup<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, [V[], W[]]]> {
    return this.#cogroupAll([this, other], numPartitions);
  }

  /**
   * Groups this RDD and several others by key (PySpark's `groupWith`):
   * `[key, [values of each RDD, in order]]`.
   *
   * @param others More pair RDDs.
   * @returns The co-grouped RDD.
   *
   * @example Group four RDDs
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const [a, b, c] = [[["a", 5]], [["a", 1], ["b", 4]], [["b", 42]]].map((d) =>
   *   sc.parallelize(d as [string, number][])
   * );
   * const out = await a!.groupWith(b!, c!).sortByKey().collect();
   * assert.deepEqual(out, [["a", [[5], [1], []]], ["b", [[], [4], [42]]]]);
   * ```
   */
  groupWith<K, V>(
    this: RDD<[K, V]>,
    ...others: RDD<[K, unknown]>[]
  ): RDD<[K, unknown[][]]> {
    if (others.length === 0) {
      throw new SparkError("groupWith() needs at least one other RDD");
    }
    return this.#cogroupAll([this, ...others], undefined);
  }

  #cogroupAll<R>(rdds: unknown[], numPartitions: number | undefined): RDD<R> {
    for (const other of rdds) {
      if (!(other instanceof RDD) || other.context !== this.#sc) {
        throw new SparkError(
          `Expected an RDD of the same SparkContext: ${String(other)}`,
        );
      }
    }
    const all = rdds as RDD<unknown>[];
    const n = numPartitions === undefined
      ? Math.max(...all.map((r) => r.numPartitions))
      : checkCount(numPartitions, "numPartitions");
    const inputs = all.map((r) => {
      const l = lineageOf(r);
      if (samePartitioner(l.partitioner, { kind: "hash", n })) {
        return { narrow: r as object };
      }
      return {
        shuffle: {
          id: nextShuffleId++,
          parent: r,
          part: { kind: "hash", n },
          agg: null,
          needsBounds: false,
          seed: 0,
        } as ShuffleDep,
      };
    });
    const out = this.#derive<R>(
      { type: "cogroup", inputs },
      n,
      "CoGroupedRDD",
      "cogroup",
      { kind: "hash", n },
    );
    for (const i of inputs) {
      if (i.shuffle !== undefined) {
        SHUFFLE_CLEANER.register(out, [this.#sc, i.shuffle.id]);
      }
    }
    return out;
  }

  #join<K, V, W, R>(
    other: RDD<[K, W]>,
    how: "inner" | "left" | "right" | "full",
    numPartitions: number | undefined,
    label: string,
  ): RDD<[K, R]> {
    const cg = (this as unknown as RDD<[K, V]>).cogroup(other, numPartitions);
    return cg.#op({ kind: "joinFlatten", how }, label, true);
  }

  /**
   * Inner join: `[key, [v, w]]` for every matching pair.
   *
   * @param other Another pair RDD.
   * @param numPartitions Output partitions.
   * @returns The joined RDD.
   *
   * @example Join
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const a = sc.parallelize([[1, "a"], [2, "b"]] as [number, string][]);
   * const b = sc.parallelize([[1, "x"]] as [number, string][]);
   * assert.deepEqual(await a.join(b).collect(), [[1, ["a", "x"]]]);
   * ```
   */
  join<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, [V, W]]> {
    return this.#join(other, "inner", numPartitions, "join");
  }

  /**
   * Left outer join: unmatched left keys get `null` on the right.
   *
   * @param other Another pair RDD.
   * @param numPartitions Output partitions.
   * @returns The joined RDD.
   *
   * @example Left outer join
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const a = sc.parallelize([[1, "a"], [2, "b"]] as [number, string][]);
   * const b = sc.parallelize([[1, "x"]] as [number, string][]);
   * assert.deepEqual(await a.leftOuterJoin(b).sortByKey().collect(), [[1, ["a", "x"]], [2, ["b", null]]]);
   * ```
   */
  leftOuterJoin<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, [V, W | null]]> {
    return this.#join(other, "left", numPartitions, "leftOuterJoin");
  }

  /**
   * Right outer join: unmatched right keys get `null` on the left.
   *
   * @param other Another pair RDD.
   * @param numPartitions Output partitions.
   * @returns The joined RDD.
   *
   * @example Right outer join
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const a = sc.parallelize([[1, "a"]] as [number, string][]);
   * const b = sc.parallelize([[2, "y"]] as [number, string][]);
   * assert.deepEqual(await a.rightOuterJoin(b).collect(), [[2, [null, "y"]]]);
   * ```
   */
  rightOuterJoin<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, [V | null, W]]> {
    return this.#join(other, "right", numPartitions, "rightOuterJoin");
  }

  /**
   * Full outer join: unmatched keys on either side get `null`.
   *
   * @param other Another pair RDD.
   * @param numPartitions Output partitions.
   * @returns The joined RDD.
   *
   * @example Full outer join
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const a = sc.parallelize([[1, "a"]] as [number, string][]);
   * const b = sc.parallelize([[2, "y"]] as [number, string][]);
   * assert.deepEqual(await a.fullOuterJoin(b).sortByKey().collect(), [[1, ["a", null]], [2, [null, "y"]]]);
   * ```
   */
  fullOuterJoin<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, [V | null, W | null]]> {
    return this.#join(other, "full", numPartitions, "fullOuterJoin");
  }

  // --------------------------------------------------------------- actions

  #run(
    partitions: number[],
    action: (p: number) => Action,
    label: string,
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    return schedulerOf(this.#sc).runJob(
      this,
      partitions,
      action,
      label,
      signal,
    );
  }

  #driverFn(
    spec: FnSpec,
    what: string,
  ): Promise<(...args: unknown[]) => unknown> {
    return schedulerOf(this.#sc).driverFn(spec, what);
  }

  #all(): number[] {
    return [...Array(this.numPartitions).keys()];
  }

  /**
   * Computes every partition and returns all elements, in partition order.
   * Fails with a clear error when the results exceed `maxResultBytes`.
   *
   * @param options `signal`: aborting it cancels the job (its running
   *   tasks are stopped).
   * @returns All elements.
   *
   * @example Collect
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(5).collect(), [0, 1, 2, 3, 4]);
   * ```
   */
  async collect(options: ActionOptions = {}): Promise<T[]> {
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: "collect" }),
      "collect",
      options.signal,
    );
    return (parts as T[][]).flat(1) as T[];
  }

  /**
   * The number of elements.
   *
   * @param options `signal`: aborting it cancels the job.
   * @returns The count.
   *
   * @example Count
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(1000).filter((x) => x % 3 === 0).count(), 334);
   * ```
   */
  async count(options: ActionOptions = {}): Promise<number> {
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: "count" }),
      "count",
      options.signal,
    );
    return (parts as number[]).reduce((a, b) => a + b, 0);
  }

  /**
   * Reduces all elements with an associative, commutative `fn`.
   *
   * @param fn Runs in workers (per partition) and on the driver (merging).
   * @param env Values for `fn`.
   * @returns The reduced value; fails on an empty RDD.
   *
   * @example Sum
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(1, 11).reduce((a, b) => a + b), 55);
   * ```
   */
  async reduce<E = undefined>(
    fn: (a: T, b: T, env: E) => T,
    env?: E,
  ): Promise<T> {
    const spec = fnSpec(fn, "reduce", env);
    const merge = await this.#driverFn(spec, "reduce");
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: "reduce", fn: spec }),
      "reduce",
    ) as {
      has: boolean;
      acc: T;
    }[];
    let has = false;
    let acc: T | undefined;
    for (const p of parts) {
      if (!p.has) continue;
      acc = has ? merge(acc, p.acc) as T : p.acc;
      has = true;
    }
    if (!has) {
      throw new SparkError(`Cannot reduce an empty RDD: ${this.#describe()}`);
    }
    return acc as T;
  }

  /**
   * Folds each partition from `zero`, then folds the partition results.
   *
   * @param zero Neutral value (cloned per partition).
   * @param fn Runs in workers and on the driver.
   * @param env Values for `fn`.
   * @returns The folded value.
   *
   * @example Fold
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(1, 5).fold(0, (a, b) => a + b), 10);
   * ```
   */
  async fold<E = undefined>(
    zero: T,
    fn: (a: T, b: T, env: E) => T,
    env?: E,
  ): Promise<T> {
    const spec = fnSpec(fn, "fold", env);
    const merge = await this.#driverFn(spec, "fold");
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: "fold", zero, fn: spec }),
      "fold",
    );
    let acc = structuredClone(zero);
    for (const p of parts as T[]) acc = merge(acc, p) as T;
    return acc;
  }

  /**
   * Aggregates into a different type: `seqOp` per partition in workers,
   * `combOp` across partitions on the driver.
   *
   * @param zero Starting accumulator (cloned per partition).
   * @param seqOp Adds an element to an accumulator.
   * @param combOp Merges two accumulators.
   * @param env Values for both functions.
   * @returns The aggregate.
   *
   * @example Sum and count
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = await sc.range(4).aggregate(
   *   { n: 0, sum: 0 },
   *   (a, x) => ({ n: a.n + 1, sum: a.sum + x }),
   *   (a, b) => ({ n: a.n + b.n, sum: a.sum + b.sum }),
   * );
   * assert.deepEqual(r, { n: 4, sum: 6 });
   * ```
   */
  async aggregate<U, E = undefined>(
    zero: U,
    seqOp: (acc: U, x: T, env: E) => U,
    combOp: (a: U, b: U, env: E) => U,
    env?: E,
  ): Promise<U> {
    const seq = fnSpec(seqOp, "aggregate", env);
    const comb = await this.#driverFn(
      fnSpec(combOp, "aggregate", env),
      "aggregate",
    );
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: "aggregate", zero, seq }),
      "aggregate",
    );
    let acc = structuredClone(zero);
    for (const p of parts as U[]) acc = comb(acc, p) as U;
    return acc;
  }

  /**
   * The first `n` elements, scanning as few partitions as possible.
   *
   * @param n How many.
   * @param options `signal`: aborting it cancels the job.
   * @returns Up to `n` elements.
   *
   * @example Take
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(100).take(3), [0, 1, 2]);
   * ```
   */
  async take(n: number, options: ActionOptions = {}): Promise<T[]> {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new SparkError(`take() needs an integer >= 0: ${String(n)}`);
    }
    const out: T[] = [];
    const total = this.numPartitions;
    let scanned = 0;
    let batch = 1;
    while (out.length < n && scanned < total) {
      const parts: number[] = [];
      for (let p = scanned; p < Math.min(total, scanned + batch); p++) {
        parts.push(p);
      }
      const left = n - out.length;
      const res = await this.#run(
        parts,
        () => ({ kind: "take", n: left }),
        "take",
        options.signal,
      );
      for (const r of res as T[][]) {
        for (const x of r) if (out.length < n) out.push(x);
      }
      scanned += parts.length;
      batch *= 4;
    }
    return out;
  }

  /**
   * The first element; fails on an empty RDD.
   *
   * @returns The first element.
   *
   * @example First
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize(["x", "y"]).first(), "x");
   * ```
   */
  async first(): Promise<T> {
    const r = await this.take(1);
    if (r.length === 0) {
      throw new SparkError(`RDD is empty: ${this.#describe()}`);
    }
    return r[0]!;
  }

  /**
   * Whether the RDD has no elements.
   *
   * @returns True when empty.
   *
   * @example Is empty
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([]).isEmpty(), true);
   * ```
   */
  async isEmpty(): Promise<boolean> {
    return (await this.take(1)).length === 0;
  }

  async #ordered<K, E>(
    n: number,
    key: ((x: T, env: E) => K) | undefined | null,
    env: E | undefined,
    descending: boolean,
    label: string,
  ): Promise<T[]> {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new SparkError(`${label}() needs an integer >= 0: ${String(n)}`);
    }
    const spec = key === undefined || key === null
      ? null
      : fnSpec(key, label, env);
    const k = spec === null
      ? (x: T) => x
      : await this.#driverFn(spec, label) as (x: T) => unknown;
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: "ordered", n, key: spec, descending }),
      label,
    ) as T[][];
    const dir = descending ? -1 : 1;
    return parts.flat(1).map((x) => [k(x as T), x] as [unknown, T])
      .sort((a, b) => dir * compareKeys(a[0], b[0]))
      .slice(0, n)
      .map((e) => e[1]);
  }

  /**
   * The `n` largest elements (by `key` when given), largest first.
   *
   * @param n How many.
   * @param key Optional sort key (runs in workers and on the driver).
   * @param env Values for `key`.
   * @returns Up to `n` elements.
   *
   * @example Top
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize([5, 1, 9, 3]).top(2), [9, 5]);
   * ```
   */
  top<K = T, E = undefined>(
    n: number,
    key?: ((x: T, env: E) => K) | null,
    env?: E,
  ): Promise<T[]> {
    return this.#ordered(n, key, env, true, "top");
  }

  /**
   * The `n` smallest elements (by `key` when given), smallest first.
   *
   * @param n How many.
   * @param key Optional sort key.
   * @param env Values for `key`.
   * @returns Up to `n` elements.
   *
   * @example Take ordered
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize([5, 1, 9, 3]).takeOrdered(2, (x) => -x), [9, 5]);
   * ```
   */
  takeOrdered<K = T, E = undefined>(
    n: number,
    key?: ((x: T, env: E) => K) | null,
    env?: E,
  ): Promise<T[]> {
    return this.#ordered(n, key, env, false, "takeOrdered");
  }

  async #counts<K>(
    label: "countByValue" | "countByKey",
  ): Promise<Map<K, number>> {
    const parts = await this.#run(
      this.#all(),
      () => ({ kind: label }),
      label,
    ) as [
      K,
      number,
    ][][];
    const merged = new Map<string, [K, number]>();
    for (const part of parts) {
      for (const [k, c] of part) {
        const e = encodeKey(k);
        const cur = merged.get(e);
        if (cur === undefined) merged.set(e, [k, c]);
        else cur[1] += c;
      }
    }
    return new Map([...merged.values()]);
  }

  /**
   * How many times each distinct element occurs.
   *
   * @returns A map from element to count.
   *
   * @example Count by value
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize(["a", "b", "a"]).countByValue(), new Map([["a", 2], ["b", 1]]));
   * ```
   */
  countByValue(): Promise<Map<T, number>> {
    return this.#counts<T>("countByValue");
  }

  /**
   * How many pairs each key has.
   *
   * @returns A map from key to count.
   *
   * @example Count by key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize([["a", 1], ["a", 2]] as [string, number][]).countByKey(), new Map([["a", 2]]));
   * ```
   */
  countByKey<K, V>(this: RDD<[K, V]>): Promise<Map<K, number>> {
    return this.#counts<K>("countByKey");
  }

  /**
   * Collects a pair RDD into a Map (later pairs win on duplicate keys).
   *
   * @returns The map.
   *
   * @example Collect as map
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(await sc.parallelize([["a", 1]] as [string, number][]).collectAsMap(), new Map([["a", 1]]));
   * ```
   */
  async collectAsMap<K, V>(this: RDD<[K, V]>): Promise<Map<K, V>> {
    return new Map(await this.collect());
  }

  /**
   * Runs `fn` on every element in the workers, for its side effects.
   *
   * @param fn Runs in a worker (may be async).
   * @param env Values for `fn`.
   * @param options `signal`: aborting it cancels the job.
   * @returns When every partition is done.
   *
   * @example Write from workers
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const dir = await Deno.makeTempDir();
   * await using sc = new SparkContext({ parallelism: 2 });
   * await sc.parallelize([1, 2]).foreach((x, env) => {
   *   Deno.writeTextFileSync(`${env.dir}/${x}.txt`, String(x));
   * }, { dir });
   * assert.deepEqual([...Deno.readDirSync(dir)].length, 2);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async foreach<E = undefined>(
    fn: (x: T, env: E) => unknown,
    env?: E,
    options: ActionOptions = {},
  ): Promise<void> {
    const spec = fnSpec(fn, "foreach", env);
    await this.#run(
      this.#all(),
      () => ({ kind: "foreach", fn: spec }),
      "foreach",
      options.signal,
    );
  }

  /**
   * Writes one `part-NNNNN` file per partition and `_SUCCESS` into `dir`.
   * Strings are written as they are, other values as JSON (`["a",1]` for a
   * pair, not PySpark's `('a', 1)`), one per line, so
   * `sc.textFile(dir).map((l) => JSON.parse(l))` reads non-string records
   * back. With `compressionCodecClass` (`"gzip"` or Hadoop's
   * `"org.apache.hadoop.io.compress.GzipCodec"`) the parts are
   * `part-NNNNN.gz`; `textFile` reads them back.
   *
   * Spark's output committer: every task attempt writes its own file under
   * `_temporary/`, and only the attempt that succeeded is renamed to its
   * part name, so a retried task never meets its failed attempt's file
   * (the job's error is the task's own). Everything happens in a hidden
   * sibling directory renamed to `dir` once complete, so a crash never
   * leaves a half-written result under `dir`; siblings left by killed jobs
   * are removed on the next write to `dir`.
   *
   * @param dir Output directory; must not exist yet.
   * @param compressionCodecClass `"gzip"` (or Hadoop's GzipCodec class
   *   name) to compress the parts.
   * @param options `signal`: aborting it cancels the job.
   * @returns When the directory is in place.
   *
   * @example Save and read back
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const tmp = await Deno.makeTempDir();
   * await using sc = new SparkContext({ parallelism: 2 });
   * await sc.parallelize(["a", "b", "c"], 2).saveAsTextFile(`${tmp}/out`);
   * assert.deepEqual(await sc.textFile(`${tmp}/out/part-00001`).collect(), ["b", "c"]);
   * await sc.parallelize([["a", 1]]).saveAsTextFile(`${tmp}/gz`, "gzip");
   * assert.deepEqual(await sc.textFile(`${tmp}/gz`).map((l) => JSON.parse(l)).collect(), [["a", 1]]);
   * await Deno.remove(tmp, { recursive: true });
   * ```
   */
  async saveAsTextFile(
    dir: string,
    compressionCodecClass?: string | null,
    options: ActionOptions = {},
  ): Promise<void> {
    if (typeof dir !== "string" || dir === "") {
      throw new SparkError(
        `Output path must be a non-empty string: ${String(dir)}`,
      );
    }
    const gzip = compressionCodecClass !== undefined &&
      compressionCodecClass !== null;
    if (gzip && !GZIP_CODECS.has(compressionCodecClass)) {
      throw new SparkError(
        `Compression codec not supported: "${compressionCodecClass}": use "gzip" or "org.apache.hadoop.io.compress.GzipCodec"`,
      );
    }
    let exists = true;
    try {
      await Deno.lstat(dir);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new SparkError(`Cannot check output directory: "${dir}"`, {
          cause: e,
        });
      }
      exists = false;
    }
    if (exists) {
      throw new SparkError(`Output directory already exists: "${dir}"`);
    }
    const prefix = `.${basename(dir)}._temporary-`;
    await removeStaleAttempts(dirname(dir), prefix);
    const tmp = join(dirname(dir), prefix + crypto.randomUUID().slice(0, 8));
    const attempts = join(tmp, "_temporary");
    try {
      await Deno.mkdir(tmp);
      await Deno.mkdir(attempts);
    } catch (e) {
      throw new SparkError(`Cannot create output directory: "${dir}"`, {
        cause: e,
      });
    }
    try {
      const names = this.#all().map((p) =>
        `part-${String(p).padStart(5, "0")}${gzip ? ".gz" : ""}`
      );
      const written = await this.#run(
        this.#all(),
        (p) => ({
          kind: "save",
          dir: attempts,
          name: `part-${String(p).padStart(5, "0")}`,
          gzip,
        }),
        "saveAsTextFile",
        options.signal,
      ) as string[];
      // Commit: the successful attempt of each task becomes its part file.
      for (let p = 0; p < written.length; p++) {
        await Deno.rename(written[p]!, join(tmp, names[p]!));
      }
      await Deno.remove(attempts, { recursive: true });
      const marker = await Deno.open(join(tmp, "_SUCCESS"), {
        write: true,
        createNew: true,
      });
      await marker.sync();
      marker.close();
      await Deno.rename(tmp, dir);
    } catch (e) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      if (e instanceof SparkError) throw e;
      throw new SparkError(`Cannot save to "${dir}": ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /**
   * Streams the elements to the driver one partition at a time (one job
   * per partition), so only one partition is held in memory; with
   * `prefetchPartitions` the next partition is computed while this one is
   * consumed (two in memory).
   *
   * @param prefetchPartitions Compute the next partition ahead.
   * @returns An async iterator over all elements.
   *
   * @example Iterate
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * let s = 0;
   * for await (const x of sc.range(10, undefined, undefined, 3).toLocalIterator()) s += x;
   * assert.deepEqual(s, 45);
   * ```
   */
  async *toLocalIterator(
    prefetchPartitions = false,
  ): AsyncGenerator<T, void, undefined> {
    const fetch = (p: number): Promise<unknown[]> =>
      this.#run([p], () => ({ kind: "collect" }), "toLocalIterator");
    let next = this.numPartitions > 0 ? fetch(0) : null;
    for (let p = 0; next !== null; p++) {
      const current = next;
      next = p + 1 < this.numPartitions && prefetchPartitions
        ? fetch(p + 1)
        : null;
      // A prefetch the consumer never reaches must not reject unobserved.
      next?.catch(() => {});
      const [part] = await current;
      yield* part as T[];
      if (next === null && p + 1 < this.numPartitions) next = fetch(p + 1);
    }
  }

  /**
   * The number of partitions (PySpark's name for {@linkcode RDD.numPartitions}).
   *
   * @returns The partition count.
   *
   * @example Partitions
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(sc.range(10, undefined, 1, 4).getNumPartitions(), 4);
   * ```
   */
  getNumPartitions(): number {
    return this.numPartitions;
  }

  /**
   * The sum of a numeric RDD (0 when empty).
   *
   * @returns The sum.
   *
   * @example Sum
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(5).sum(), 10);
   * ```
   */
  sum(this: RDD<number>): Promise<number> {
    return this.fold(0, (a, b) => a + b);
  }

  /**
   * The largest element (by key order, or by `key(x)`); fails on an empty
   * RDD.
   *
   * @param key Optional comparison key (runs in workers and on the driver).
   * @param env Values for `key`.
   * @returns The maximum.
   *
   * @example Max
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize([3, 9, 1]).max(), 9);
   * ```
   */
  async max<K = T, E = undefined>(
    key?: ((x: T, env: E) => K) | null,
    env?: E,
  ): Promise<T> {
    const r = await this.#ordered(1, key, env, true, "max");
    if (r.length === 0) {
      throw new SparkError(`RDD is empty: ${this.#describe()}`);
    }
    return r[0]!;
  }

  /**
   * The smallest element (by key order, or by `key(x)`); fails on an empty
   * RDD.
   *
   * @param key Optional comparison key (runs in workers and on the driver).
   * @param env Values for `key`.
   * @returns The minimum.
   *
   * @example Min
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize([3, 9, 1]).min(), 1);
   * ```
   */
  async min<K = T, E = undefined>(
    key?: ((x: T, env: E) => K) | null,
    env?: E,
  ): Promise<T> {
    const r = await this.#ordered(1, key, env, false, "min");
    if (r.length === 0) {
      throw new SparkError(`RDD is empty: ${this.#describe()}`);
    }
    return r[0]!;
  }

  /**
   * The mean of a numeric RDD (NaN when empty).
   *
   * @returns The mean.
   *
   * @example Mean
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.range(1, 5).mean(), 2.5);
   * ```
   */
  async mean(this: RDD<number>): Promise<number> {
    const r = await this.aggregate(
      { n: 0, s: 0 },
      (a, x) => ({ n: a.n + 1, s: a.s + x }),
      (a, b) => ({ n: a.n + b.n, s: a.s + b.s }),
    );
    return r.n === 0 ? NaN : r.s / r.n;
  }

  /**
   * Runs `fn` once per partition in the workers, with an iterable of its
   * rows (for batched side effects such as one write per partition).
   *
   * @param fn Runs in a worker (may be async).
   * @param env Values for `fn`.
   * @returns When every partition is done.
   *
   * @example One file per partition
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const dir = await Deno.makeTempDir();
   * await using sc = new SparkContext({ parallelism: 2 });
   * await sc.range(6, undefined, 1, 2).foreachPartition((rows, env) => {
   *   Deno.writeTextFileSync(`${env.dir}/${crypto.randomUUID()}`, [...rows].join(","));
   * }, { dir });
   * assert.deepEqual([...Deno.readDirSync(dir)].length, 2);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async foreachPartition<E = undefined>(
    fn: (rows: Iterable<T>, env: E) => unknown,
    env?: E,
  ): Promise<void> {
    const spec = fnSpec(fn, "foreachPartition", env);
    await this.#run(
      this.#all(),
      () => ({ kind: "foreachPartition", fn: spec }),
      "foreachPartition",
    );
  }

  /**
   * Pairs each element with its global index (runs a job to count the
   * partitions first, as Spark does).
   *
   * @returns An RDD of `[element, index]`.
   *
   * @example Zip with index
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = await sc.parallelize(["a", "b", "c"], 2).zipWithIndex();
   * assert.deepEqual(await r.collect(), [["a", 0], ["b", 1], ["c", 2]]);
   * ```
   */
  async zipWithIndex(): Promise<RDD<[T, number]>> {
    const counts = await this.#run(
      this.#all(),
      () => ({ kind: "count" }),
      "zipWithIndex",
    ) as number[];
    const starts: number[] = [];
    let acc = 0;
    for (const c of counts) {
      starts.push(acc);
      acc += c;
    }
    return this.mapPartitionsWithIndex(function* (i, rows, env) {
      let k = env.starts[i]!;
      for (const x of rows) yield [x, k++] as [T, number];
    }, { starts });
  }

  /**
   * The distinct elements present in both RDDs.
   *
   * @param other Another RDD.
   * @param numPartitions Output partitions.
   * @returns The intersection (no duplicates).
   *
   * @example Intersection
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const a = sc.parallelize([1, 2, 2, 3]);
   * assert.deepEqual((await a.intersection(sc.parallelize([2, 3, 4])).collect()).sort(), [2, 3]);
   * ```
   */
  intersection(other: RDD<T>, numPartitions?: number): RDD<T> {
    const a = this.#op<[T, null]>({ kind: "pairNull" }, "intersection");
    const b = other.#op<[T, null]>({ kind: "pairNull" }, "intersection");
    return a.cogroup(b, numPartitions)
      .#op<T>({ kind: "setOp", keep: "both" }, "intersection");
  }

  /**
   * The elements of this RDD that do not occur in `other` (duplicates
   * kept).
   *
   * @param other Another RDD.
   * @param numPartitions Output partitions.
   * @returns The difference.
   *
   * @example Subtract
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const a = sc.parallelize([1, 1, 2, 3]);
   * assert.deepEqual((await a.subtract(sc.parallelize([2])).collect()).sort(), [1, 1, 3]);
   * ```
   */
  subtract(other: RDD<T>, numPartitions?: number): RDD<T> {
    const a = this.#op<[T, null]>({ kind: "pairNull" }, "subtract");
    const b = other.#op<[T, null]>({ kind: "pairNull" }, "subtract");
    return a.cogroup(b, numPartitions)
      .#op<T>({ kind: "setOp", keep: "leftOnlyAll" }, "subtract");
  }

  /**
   * The pairs whose key does not occur in `other`.
   *
   * @param other Another pair RDD.
   * @param numPartitions Output partitions.
   * @returns The remaining pairs.
   *
   * @example Subtract by key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const a = sc.parallelize([["a", 1], ["b", 2]] as [string, number][]);
   * assert.deepEqual(await a.subtractByKey(sc.parallelize([["a", 0]] as [string, number][])).collect(), [["b", 2]]);
   * ```
   */
  subtractByKey<K, V, W>(
    this: RDD<[K, V]>,
    other: RDD<[K, W]>,
    numPartitions?: number,
  ): RDD<[K, V]> {
    return this.cogroup(other, numPartitions)
      .#op<[K, V]>({ kind: "setOp", keep: "leftPairs" }, "subtractByKey", true);
  }

  /**
   * All values for one key (compared by value, like shuffle keys). On an RDD
   * with a known partitioner only the key's partition is searched (one
   * task).
   *
   * @param key The key.
   * @returns The values.
   *
   * @example Lookup
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = sc.parallelize([[[1, 2], "x"], [[1, 3], "y"]] as [number[], string][]);
   * assert.deepEqual(await r.lookup([1, 2]), ["x"]);
   * ```
   */
  async lookup<K, V>(this: RDD<[K, V]>, key: K): Promise<V[]> {
    const values = this.#op<V>(
      { kind: "lookup", key: encodeKey(key) },
      "lookup",
    );
    const part = this.#l.partitioner;
    if (part === null || part.kind === "roundRobin") return values.collect();
    const p = await schedulerOf(this.#sc).partitionOfKey(this, part, key);
    const [found] = await values.#run(
      [p],
      () => ({ kind: "collect" }),
      "lookup",
    );
    return found as V[];
  }

  // ---------------------------------------------------- more of rdd.py

  /**
   * All pairs `[a, b]` of an element of this RDD and one of `other`
   * (partition i * other's count + j pairs partition i with partition j).
   *
   * @param other Another RDD of the same context.
   * @returns The Cartesian product.
   *
   * @example Cartesian
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const rdd = sc.parallelize([1, 2]);
   * assert.deepEqual((await rdd.cartesian(rdd).collect()).sort(), [[1, 1], [1, 2], [2, 1], [2, 2]]);
   * ```
   */
  cartesian<U>(other: RDD<U>): RDD<[T, U]> {
    this.#sameContext(other, "cartesian");
    return this.#derive(
      { type: "pair", mode: "cartesian", left: this, right: other },
      this.numPartitions * other.numPartitions,
      "CartesianRDD",
      "cartesian",
    );
  }

  /**
   * Pairs the i-th element of this RDD with the i-th of `other`; both must
   * have the same partitions with the same number of elements in each.
   *
   * @param other Another RDD with as many partitions.
   * @returns The zipped RDD.
   *
   * @example Zip
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const a = sc.range(0, 3), b = sc.range(1000, 1003);
   * assert.deepEqual(await a.zip(b).collect(), [[0, 1000], [1, 1001], [2, 1002]]);
   * ```
   */
  zip<U>(other: RDD<U>): RDD<[T, U]> {
    this.#sameContext(other, "zip");
    if (other.numPartitions !== this.numPartitions) {
      throw new SparkError(
        `Can only zip RDDs with the same number of partitions: ${this.numPartitions} and ${other.numPartitions}`,
      );
    }
    return this.#derive(
      { type: "pair", mode: "zip", left: this, right: other },
      this.numPartitions,
      "ZippedPartitionsRDD2",
      "zip",
    );
  }

  #sameContext(other: unknown, what: string): void {
    if (!(other instanceof RDD) || other.context !== this.#sc) {
      throw new SparkError(
        `${what}() needs an RDD of the same SparkContext: ${String(other)}`,
      );
    }
  }

  /**
   * Pairs each element with a unique id without running a job: the k-th
   * element of partition i gets `k * numPartitions + i`.
   *
   * @returns An RDD of `[element, id]`.
   *
   * @example Unique ids
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const out = await sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId().collect();
   * assert.deepEqual(out, [["a", 0], ["b", 1], ["c", 4], ["d", 2], ["e", 5]]);
   * ```
   */
  zipWithUniqueId(): RDD<[T, number]> {
    return this.mapPartitionsWithIndex(function* (i, rows, env) {
      let k = 0;
      for (const x of rows) yield [x, k++ * env.n + i] as [T, number];
    }, { n: this.numPartitions });
  }

  /**
   * Groups the elements by `fn(x)`: `[key, elements]`.
   *
   * @param fn Runs in a worker; returns the group key.
   * @param numPartitions Output partitions.
   * @param partitionFunc Key to partition index (default: hash).
   * @param env Values for `fn` and `partitionFunc`.
   * @returns The grouped RDD.
   *
   * @example Odd and even
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const out = await sc.parallelize([1, 1, 2, 3, 5, 8]).groupBy((x) => x % 2).sortByKey().collect();
   * assert.deepEqual(out, [[0, [2, 8]], [1, [1, 1, 3, 5]]]);
   * ```
   */
  groupBy<K, E = undefined>(
    fn: (x: T, env: E) => K,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    env?: E,
  ): RDD<[K, T[]]> {
    return this.keyBy(fn, env).groupByKey(numPartitions, partitionFunc, env);
  }

  /**
   * A sample of exactly `num` elements (fewer when the RDD is smaller and
   * `withReplacement` is false), in random order; PySpark's algorithm:
   * count, sample with a fraction that yields enough 99.99% of the time,
   * retry if short, shuffle, cut.
   *
   * @param withReplacement Whether an element may be picked more than once.
   * @param num Sample size.
   * @param seed Random seed.
   * @returns The sample.
   *
   * @example Take a sample
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const rdd = sc.range(0, 10);
   * assert.equal((await rdd.takeSample(true, 20, 1)).length, 20);
   * assert.equal((await rdd.takeSample(false, 5, 2)).length, 5);
   * assert.equal((await rdd.takeSample(false, 15, 3)).length, 10);
   * ```
   */
  async takeSample(
    withReplacement: boolean,
    num: number,
    seed?: number,
  ): Promise<T[]> {
    if (typeof num !== "number" || !Number.isInteger(num) || num < 0) {
      throw new SparkError(
        `Sample size must be an integer >= 0: ${String(num)}`,
      );
    }
    if (num > Number.MAX_SAFE_INTEGER - 10 * Math.sqrt(2 ** 53)) {
      throw new SparkError(`Sample size cannot be greater than 2^53: ${num}`);
    }
    if (num === 0 || this.numPartitions === 0) return [];
    const total = await this.count();
    if (total === 0) return [];
    const rand = seededRandom(seed ?? Math.floor(Math.random() * 2 ** 31));
    const shuffle = (xs: T[]): T[] => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    };
    if (!withReplacement && num >= total) return shuffle(await this.collect());
    const fraction = sampleFraction(num, total, withReplacement);
    let sample: T[] = [];
    for (let s = seed; sample.length < num;) {
      sample = await this.sample(withReplacement, fraction, s).collect();
      s = Math.floor(rand() * 2 ** 31);
    }
    return shuffle(sample).slice(0, num);
  }

  /**
   * Splits the RDD randomly by `weights` (normalised): every element lands
   * in exactly one split, the same one in every job (seeded).
   *
   * @param weights Relative sizes (>= 0, positive sum).
   * @param seed Random seed.
   * @returns One RDD per weight.
   *
   * @example Split 2:3
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const [a, b] = sc.range(0, 500, 1, 1).randomSplit([2, 3], 17);
   * const [na, nb] = [await a!.count(), await b!.count()];
   * assert.equal(na + nb, 500);
   * assert.ok(150 < na && na < 250 && 250 < nb && nb < 350);
   * ```
   */
  randomSplit(weights: number[], seed?: number): RDD<T>[] {
    if (
      !Array.isArray(weights) || weights.some((w) => !(w >= 0))
    ) {
      throw new SparkError(
        `Weights must be non-negative numbers: ${JSON.stringify(weights)}`,
      );
    }
    const sum = weights.reduce((a, b) => a + b, 0);
    if (!(sum > 0)) {
      throw new SparkError(`Sum of weights must be positive: ${sum}`);
    }
    const s = seed ?? Math.floor(Math.random() * 2 ** 31);
    const out: RDD<T>[] = [];
    let lb = 0;
    for (const w of weights) {
      const ub = lb + w / sum;
      out.push(
        this.#op({ kind: "sampleRange", lb, ub, seed: s }, "randomSplit", true),
      );
      lb = ub;
    }
    return out;
  }

  /**
   * Stratified sample: each pair is kept with the fraction given for its
   * key (every key must have one).
   *
   * @param withReplacement Whether a pair may be picked more than once.
   * @param fractions Key to fraction, as a Map or (string keys) an object.
   * @param seed Random seed.
   * @returns The sampled pair RDD.
   *
   * @example Sample by key
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const rdd = sc.parallelize(["a", "b"]).cartesian(sc.range(0, 1000));
   * const sample = await rdd.sampleByKey(false, { a: 0.2, b: 0.1 }, 2).countByKey();
   * assert.ok(100 < sample.get("a")! && sample.get("a")! < 300);
   * assert.ok(50 < sample.get("b")! && sample.get("b")! < 150);
   * ```
   */
  sampleByKey<K, V>(
    this: RDD<[K, V]>,
    withReplacement: boolean,
    fractions: Map<K, number> | Record<string, number>,
    seed?: number,
  ): RDD<[K, V]> {
    const entries = fractions instanceof Map
      ? [...fractions]
      : Object.entries(fractions ?? {});
    for (const [k, f] of entries) {
      if (typeof f !== "number" || !(f >= 0)) {
        throw new SparkError(
          `Negative or missing fraction for key ${String(k)}: ${String(f)}`,
        );
      }
    }
    return this.#op(
      {
        kind: "sampleByKey",
        withReplacement,
        fractions: entries.map(([k, f]) => [encodeKey(k), f]),
        seed: seed ?? Math.floor(Math.random() * 2 ** 31),
      },
      "sampleByKey",
      true,
    );
  }

  /**
   * Count, mean, variance, min and max of a numeric RDD in one job.
   *
   * @returns A {@linkcode StatCounter}.
   *
   * @example Stats
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const s = await sc.parallelize([1, 2, 3]).stats();
   * assert.deepEqual([s.count(), s.mean(), s.max()], [3, 2, 3]);
   * ```
   */
  async stats(this: RDD<number>): Promise<StatCounter> {
    const parts = await this.#op<StatParts>({
      kind: "aggregatePartition",
      zero: { n: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity },
      seq: fnSpec(
        (s: StatParts, x: number): StatParts => {
          // Welford's update, inside the worker.
          const n = s.n + 1;
          const delta = x - s.mean;
          const mean = s.mean + delta / n;
          return {
            n,
            mean,
            m2: s.m2 + delta * (x - mean),
            min: x < s.min ? x : s.min,
            max: x > s.max ? x : s.max,
          };
        },
        "stats",
        undefined,
      ),
    }, "stats").collect();
    const out = new StatCounter();
    for (const p of parts) out.mergeStats(StatCounter.fromParts(p));
    return out;
  }

  /**
   * The population variance (NaN when empty).
   *
   * @returns The variance.
   *
   * @example Variance
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.ok(Math.abs(await sc.parallelize([1, 2, 3]).variance() - 2 / 3) < 1e-12);
   * ```
   */
  async variance(this: RDD<number>): Promise<number> {
    return (await this.stats()).variance();
  }

  /**
   * The population standard deviation.
   *
   * @returns The standard deviation.
   *
   * @example Stdev
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.ok(Math.abs(await sc.parallelize([1, 2, 3]).stdev() - 0.816496580927726) < 1e-12);
   * ```
   */
  async stdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).stdev();
  }

  /**
   * The sample variance (divided by n - 1).
   *
   * @returns The sample variance.
   *
   * @example Sample variance
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.equal(await sc.parallelize([1, 2, 3]).sampleVariance(), 1);
   * ```
   */
  async sampleVariance(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleVariance();
  }

  /**
   * The sample standard deviation (divided by n - 1).
   *
   * @returns The sample standard deviation.
   *
   * @example Sample stdev
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.equal(await sc.parallelize([1, 2, 3]).sampleStdev(), 1);
   * ```
   */
  async sampleStdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleStdev();
  }

  /**
   * A histogram over sorted bucket bounds (each bucket open on the right
   * except the last), or over `buckets` even buckets between the minimum
   * and the maximum. Null and NaN are skipped; so are values outside the
   * bounds.
   *
   * @param buckets A bucket count, or sorted distinct bounds (numbers or
   *   strings), at least two.
   * @returns `[bounds, counts]`.
   *
   * @example Histograms
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const rdd = sc.range(0, 51);
   * assert.deepEqual(await rdd.histogram(2), [[0, 25, 50], [25, 26]]);
   * assert.deepEqual(await rdd.histogram([0, 5, 25, 50]), [[0, 5, 25, 50], [5, 20, 26]]);
   * ```
   */
  async histogram<S extends number | string>(
    this: RDD<S>,
    buckets: number | S[],
  ): Promise<[S[], number[]]> {
    let bounds: S[];
    let even = false;
    let inc = 0;
    if (typeof buckets === "number") {
      if (!Number.isInteger(buckets) || buckets < 1) {
        throw new SparkError(
          `Number of buckets must be an integer >= 1: ${buckets}`,
        );
      }
      const range = await this.#op<{ n: number; min: S; max: S }>({
        kind: "aggregatePartition",
        zero: { n: 0, min: null, max: null },
        seq: fnSpec(
          (a: { n: number; min: S | null; max: S | null }, x: S) =>
            x === null || x !== x ? a : {
              n: a.n + 1,
              min: a.min === null || x < a.min ? x : a.min,
              max: a.max === null || x > a.max ? x : a.max,
            },
          "histogram",
          undefined,
        ),
      }, "histogram").collect();
      const seen = range.filter((r) => r.n > 0);
      if (seen.length === 0) {
        throw new SparkError(
          `Cannot generate buckets from an empty RDD: ${this.#describe()}`,
        );
      }
      const min = seen.reduce((a, r) => r.min < a ? r.min : a, seen[0]!.min);
      const max = seen.reduce((a, r) => r.max > a ? r.max : a, seen[0]!.max);
      if (min === max || buckets === 1) {
        return [[min, max], [seen.reduce((a, r) => a + r.n, 0)]];
      }
      if (typeof min !== "number" || typeof max !== "number") {
        throw new SparkError(
          `Cannot generate buckets with non-numbers in the RDD: ${String(min)}`,
        );
      }
      inc = (max - min) / buckets;
      if (!Number.isFinite(inc)) {
        throw new SparkError(
          `Cannot generate buckets with an infinite value: ${min}, ${max}`,
        );
      }
      if (Math.trunc(inc) * buckets === max - min) inc = Math.trunc(inc);
      bounds = Array.from({ length: buckets }, (_, i) => i * inc + min) as S[];
      bounds.push(max as S); // no accumulated error at the top
      even = true;
    } else if (Array.isArray(buckets)) {
      if (buckets.length < 2) {
        throw new SparkError(
          `Buckets must have at least two bounds: ${JSON.stringify(buckets)}`,
        );
      }
      if (buckets.some((b) => b === null || b !== b)) {
        throw new SparkError(`Buckets cannot hold null or NaN`);
      }
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i - 1]! < buckets[i]!)) {
          throw new SparkError(
            `Buckets must be sorted and distinct: ${JSON.stringify(buckets)}`,
          );
        }
      }
      bounds = [...buckets];
      if (bounds.every((b) => typeof b === "number")) {
        const nums = bounds as number[];
        const steps = nums.slice(1).map((b, i) => b - nums[i]!);
        if (Math.max(...steps) - Math.min(...steps) < 1e-10) {
          even = true;
          inc = (nums.at(-1)! - nums[0]!) / (nums.length - 1);
        }
      }
    } else {
      throw new SparkError(
        `Buckets must be a number or an array: ${String(buckets)}`,
      );
    }
    const counts = await this.#op<number[]>({
      kind: "aggregatePartition",
      zero: new Array(bounds.length).fill(0),
      seq: fnSpec(
        (
          c: number[],
          x: S,
          env: { bounds: S[]; even: boolean; inc: number },
        ) => {
          const b = env.bounds;
          const lo = b[0]!, hi = b[b.length - 1]!;
          if (x === null || x !== x || x > hi || x < lo) return c;
          let t: number;
          if (env.even) {
            t = Math.floor(((x as number) - (lo as number)) / env.inc);
          } else {
            // bisect_right(bounds, x) - 1
            let l = 0, h = b.length;
            while (l < h) {
              const m = (l + h) >>> 1;
              if (x < b[m]!) h = m;
              else l = m + 1;
            }
            t = l - 1;
          }
          c[Math.min(t, b.length - 1)]!++;
          return c;
        },
        "histogram",
        { bounds, even, inc },
      ),
    }, "histogram").collect();
    const total = new Array(bounds.length).fill(0);
    for (const c of counts) for (let i = 0; i < c.length; i++) total[i] += c[i];
    // The last bucket is closed: values equal to the top bound join it.
    const last = total.pop()!;
    total[total.length - 1] += last;
    return [bounds, total];
  }

  /**
   * Reduces in a multi-level tree: partitions are reduced, then merged
   * `scale` at a time through shuffles until few enough remain for the
   * driver (PySpark's `treeReduce`).
   *
   * @param fn Associative, commutative merge (runs in workers and on the
   *   driver).
   * @param depth Suggested depth of the tree (>= 1).
   * @param env Values for `fn`.
   * @returns The reduced value; fails on an empty RDD.
   *
   * @example Tree reduce
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
   * assert.equal(await rdd.treeReduce((x, y) => x + y, 5), -5);
   * ```
   */
  async treeReduce<E = undefined>(
    fn: (a: T, b: T, env: E) => T,
    depth = 2,
    env?: E,
  ): Promise<T> {
    this.#checkDepth(depth);
    const spec = fnSpec(fn, "treeReduce", env);
    const partial = this.#op<T>(
      { kind: "reducePartition", fn: spec },
      "treeReduce",
    );
    return await this.#treeLevels(partial, fn, depth, env).reduce(fn, env);
  }

  /**
   * Aggregates in a multi-level tree (PySpark's `treeAggregate`).
   *
   * @param zero Starting accumulator (cloned per partition).
   * @param seqOp Adds an element to an accumulator.
   * @param combOp Merges two accumulators.
   * @param depth Suggested depth of the tree (>= 1).
   * @param env Values for both functions.
   * @returns The aggregate (`zero` for an RDD without partitions).
   *
   * @example Tree aggregate
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const add = (x: number, y: number) => x + y;
   * const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
   * assert.equal(await rdd.treeAggregate(0, add, add, 2), -5);
   * ```
   */
  async treeAggregate<U, E = undefined>(
    zero: U,
    seqOp: (acc: U, x: T, env: E) => U,
    combOp: (a: U, b: U, env: E) => U,
    depth = 2,
    env?: E,
  ): Promise<U> {
    this.#checkDepth(depth);
    if (this.numPartitions === 0) return structuredClone(zero);
    const partial = this.#op<U>({
      kind: "aggregatePartition",
      zero,
      seq: fnSpec(seqOp, "treeAggregate", env),
    }, "treeAggregate");
    return await this.#treeLevels(partial, combOp, depth, env).reduce(
      combOp,
      env,
    );
  }

  #checkDepth(depth: unknown): void {
    if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 1) {
      throw new SparkError(`Depth must be an integer >= 1: ${String(depth)}`);
    }
  }

  /** The shuffled levels of a tree aggregation over one value per partition. */
  #treeLevels<U, E>(
    start: RDD<U>,
    combOp: (a: U, b: U, env: E) => U,
    depth: number,
    env: E | undefined,
  ): RDD<U> {
    let level = start;
    let n = start.numPartitions;
    const scale = Math.max(Math.ceil(n ** (1 / depth)), 2);
    // Stop when another level would not cut the driver's merging time.
    while (n > scale + n / scale) {
      n /= scale;
      const cur = Math.floor(n);
      level = level.#op<[number, U]>(
        { kind: "keyByPartition", n: cur },
        "treeAggregate",
      )
        .reduceByKey(combOp, cur, null, env).values();
    }
    return level;
  }

  /**
   * Partitions by `partitionFunc` (default: hash) and sorts each partition
   * by key, in one shuffle (PySpark's
   * `repartitionAndSortWithinPartitions`).
   *
   * @param numPartitions Output partitions.
   * @param partitionFunc Key to partition index.
   * @param ascending Sort order.
   * @param keyfunc Sort by `keyfunc(key)`.
   * @param env Values for the functions.
   * @returns The partitioned, locally sorted RDD.
   *
   * @example Even keys left, odd keys right
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const rdd = sc.parallelize([[0, 5], [3, 8], [2, 6], [0, 8], [3, 8], [1, 3]] as [number, number][]);
   * const out = await rdd.repartitionAndSortWithinPartitions(2, (x) => x % 2, true).glom().collect();
   * assert.deepEqual(out, [[[0, 5], [0, 8], [2, 6]], [[1, 3], [3, 8], [3, 8]]]);
   * ```
   */
  repartitionAndSortWithinPartitions<K, V, S = K, E = undefined>(
    this: RDD<[K, V]>,
    numPartitions?: number | null,
    partitionFunc?: PartitionFunc<K, E> | null,
    ascending: boolean | null = true,
    keyfunc?: ((key: K, env: E) => S) | null,
    env?: E,
  ): RDD<[K, V]> {
    const key = keyfunc === undefined || keyfunc === null
      ? null
      : fnSpec(keyfunc, "repartitionAndSortWithinPartitions", env);
    return this.partitionBy(numPartitions, partitionFunc, env).#op(
      {
        kind: "sortLocal",
        ascending: ascending ?? true,
        key,
      },
      "repartitionAndSortWithinPartitions",
      true,
    );
  }

  /**
   * Merges the values of each key with `fn` and returns a Map to the
   * driver (combined in each task first, merged on the driver).
   *
   * @param fn Associative, commutative merge (workers and driver).
   * @param env Values for `fn`.
   * @returns Key to merged value.
   *
   * @example Reduce by key locally
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const m = await sc.parallelize([["a", 1], ["b", 1], ["a", 1]] as [string, number][])
   *   .reduceByKeyLocally((x, y) => x + y);
   * assert.deepEqual([...m].sort(), [["a", 2], ["b", 1]]);
   * ```
   */
  async reduceByKeyLocally<K, V, E = undefined>(
    this: RDD<[K, V]>,
    fn: (a: V, b: V, env: E) => V,
    env?: E,
  ): Promise<Map<K, V>> {
    const spec = fnSpec(fn, "reduceByKeyLocally", env);
    const merge = await this.#driverFn(spec, "reduceByKeyLocally");
    const pairs = await this.#op<[K, V]>(
      { kind: "combineLocal", agg: { kind: "reduce", fn: spec } },
      "reduceByKeyLocally",
    ).#run(this.#all(), () => ({ kind: "collect" }), "reduceByKeyLocally");
    const merged = new Map<string, [K, V]>();
    for (const part of pairs as [K, V][][]) {
      for (const [k, v] of part) {
        const e = encodeKey(k);
        const cur = merged.get(e);
        if (cur === undefined) merged.set(e, [k, v]);
        else cur[1] = merge(cur[1], v) as V;
      }
    }
    return new Map(merged.values());
  }

  /**
   * The approximate number of distinct elements, by HyperLogLog: each task
   * fills registers from its partition's hashes, the driver merges them
   * (register-wise maximum) and estimates (see `_hyperloglog.ts`).
   *
   * @param relativeSD Relative accuracy (> 0.000017; smaller is more
   *   memory).
   * @returns The estimate.
   *
   * @example Count distinct approximately
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const n = await sc.range(0, 1000).map((x) => String(x)).countApproxDistinct();
   * assert.ok(900 < n && n < 1100);
   * ```
   */
  async countApproxDistinct(relativeSD = 0.05): Promise<number> {
    if (typeof relativeSD !== "number" || !(relativeSD >= 0.000017)) {
      throw new SparkError(
        `relativeSD must be at least 0.000017: ${String(relativeSD)}`,
      );
    }
    const p = precisionFor(relativeSD);
    const regs = await this.#run(
      this.#all(),
      () => ({ kind: "hll", p }),
      "countApproxDistinct",
    ) as Uint8Array[];
    return hllEstimate(regs.reduce(hllMerge, new Uint8Array(1 << p)));
  }

  /**
   * The count, or an estimate when not every task finished within
   * `timeout` milliseconds (from the tasks that did).
   *
   * @param timeout Milliseconds to wait.
   * @param confidence Confidence of the bounds (0..1).
   * @returns The (estimated) count.
   *
   * @example Count approximately
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.equal(await sc.range(0, 1000, 1, 10).countApprox(10_000, 1.0), 1000);
   * ```
   */
  async countApprox(timeout: number, confidence = 0.95): Promise<number> {
    const r = await this.#approx(timeout, confidence, "count", "countApprox");
    return Math.round(r.mean);
  }

  /**
   * The sum within `timeout` milliseconds: exact when every task finished,
   * else estimated from the finished partitions with bounds at
   * `confidence`.
   *
   * @param timeout Milliseconds to wait.
   * @param confidence Confidence of the bounds (0..1).
   * @returns The (estimated) sum with bounds.
   *
   * @example Sum approximately
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = await sc.range(0, 1000, 1, 10).sumApprox(10_000);
   * assert.deepEqual(r, { mean: 499500, confidence: 0.95, low: 499500, high: 499500 });
   * ```
   */
  sumApprox(
    this: RDD<number>,
    timeout: number,
    confidence = 0.95,
  ): Promise<BoundedDouble> {
    return this.#approx(timeout, confidence, "sum", "sumApprox");
  }

  /**
   * The mean within `timeout` milliseconds (see {@linkcode RDD.sumApprox}).
   *
   * @param timeout Milliseconds to wait.
   * @param confidence Confidence of the bounds (0..1).
   * @returns The (estimated) mean with bounds.
   *
   * @example Mean approximately
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * const r = await sc.range(0, 1000, 1, 10).meanApprox(10_000);
   * assert.equal(r.mean, 499.5);
   * ```
   */
  meanApprox(
    this: RDD<number>,
    timeout: number,
    confidence = 0.95,
  ): Promise<BoundedDouble> {
    return this.#approx(timeout, confidence, "mean", "meanApprox");
  }

  async #approx(
    timeout: number,
    confidence: number,
    what: "count" | "sum" | "mean",
    label: string,
  ): Promise<BoundedDouble> {
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      throw new SparkError(`Timeout must be a number >= 0: ${String(timeout)}`);
    }
    if (
      typeof confidence !== "number" || !(confidence >= 0 && confidence <= 1)
    ) {
      throw new SparkError(
        `Confidence must be in [0, 1]: ${String(confidence)}`,
      );
    }
    // Each partition's [count, sum], as a job of its own, so finished ones
    // can be read when the time is up.
    const perPartition = this.#op<{ n: number; s: number }>({
      kind: "aggregatePartition",
      zero: { n: 0, s: 0 },
      seq: fnSpec(
        (a: { n: number; s: number }, x: number, env: { sum: boolean }) => ({
          n: a.n + 1,
          s: env.sum ? a.s + x : 0,
        }),
        label,
        { sum: what !== "count" },
      ),
    }, label);
    const done: ({ n: number; s: number } | undefined)[] = [];
    const stop = new AbortController();
    const jobs = this.#all().map((p) =>
      perPartition.#run([p], () => ({ kind: "collect" }), label, stop.signal)
        .then((r) => {
          done[p] = (r[0] as { n: number; s: number }[])[0];
        })
    );
    const all = Promise.all(jobs);
    all.catch(() => {});
    const timer = new AbortController();
    const timedOut = await Promise.race([
      all.then(() => false),
      schedulerOf(this.#sc).clock.sleep(timeout, timer.signal).then(() => true),
    ]);
    timer.abort();
    // Partitions still running when the time is up are stopped.
    if (timedOut) stop.abort();
    else await all;
    return estimateBounded(
      done.filter((d) => d !== undefined),
      this.numPartitions,
      what,
      confidence,
    );
  }

  /**
   * Pipes each partition through an external command (one process per
   * partition, run with `Deno.Command`): every element is written to its
   * stdin as a line, every line of its stdout is an element.
   *
   * @param command A command line (split like a shell, with quotes) or an
   *   argv array.
   * @param env Environment variables of the process.
   * @param checkCode Fail the task when the command exits non-zero.
   * @returns An RDD of output lines.
   *
   * @example Pipe through cat
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 2 });
   * assert.deepEqual(await sc.parallelize(["1", "2", "", "3"]).pipe("cat").collect(), ["1", "2", "", "3"]);
   * ```
   */
  pipe(
    command: string | string[],
    env: Record<string, string> = {},
    checkCode = false,
  ): RDD<string> {
    const argv = typeof command === "string" ? splitCommand(command) : command;
    if (
      !Array.isArray(argv) || argv.length === 0 ||
      argv.some((a) => typeof a !== "string")
    ) {
      throw new SparkError(
        `pipe() needs a command: ${JSON.stringify(command)}`,
      );
    }
    return this.#op({ kind: "pipe", command: argv, env, checkCode }, "pipe");
  }

  /**
   * Names this RDD (shown by `toString` and `toDebugString`).
   *
   * @param name The name.
   * @returns This RDD.
   *
   * @example Name an RDD
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const rdd = sc.parallelize([1, 2]);
   * assert.equal(rdd.name(), null);
   * assert.equal(rdd.setName("I am an RDD").name(), "I am an RDD");
   * ```
   */
  setName(name: string): this {
    if (typeof name !== "string") {
      throw new SparkError(`RDD name must be a string: ${String(name)}`);
    }
    this.#l.name = name;
    return this;
  }

  /**
   * The name given by {@linkcode RDD.setName}, or null.
   *
   * @returns The name.
   */
  name(): string | null {
    return this.#l.name;
  }

  /**
   * Marks this RDD for a reliable checkpoint: after the next job that
   * computes it, its partitions are written under the context's checkpoint
   * directory and its lineage is cut (later jobs read the files).
   *
   * @returns Nothing.
   *
   * @example Checkpoint
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * const dir = await Deno.makeTempDir();
   * await using sc = new SparkContext({ parallelism: 1 });
   * sc.setCheckpointDir(dir);
   * const rdd = sc.range(5).map((x) => x * 2);
   * rdd.checkpoint();
   * assert.equal(rdd.getCheckpointFile(), null);
   * assert.equal(await rdd.count(), 5);
   * assert.equal(rdd.isCheckpointed(), true);
   * assert.deepEqual(await rdd.collect(), [0, 2, 4, 6, 8]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  checkpoint(): void {
    if (schedulerOf(this.#sc).checkpointDir === null) {
      throw new SparkError(
        `Checkpoint directory has not been set: call sc.setCheckpointDir(dir) before checkpointing ${this.#describe()}`,
      );
    }
    if (this.#l.checkpointFile === null) this.#l.checkpoint = "pending";
  }

  /**
   * Whether a reliable checkpoint has been written.
   *
   * @returns True once written.
   */
  isCheckpointed(): boolean {
    return this.#l.checkpointFile !== null;
  }

  /**
   * The directory the checkpoint was written to, or null.
   *
   * @returns The directory.
   */
  getCheckpointFile(): string | null {
    return this.#l.checkpointFile;
  }

  /**
   * Spark's local checkpoint: keep the computed partitions in the workers'
   * cache instead of a reliable store. Unlike Spark the lineage is kept, so
   * partitions lost with a crashed worker are recomputed rather than
   * failing the job.
   *
   * @returns Nothing.
   *
   * @example Local checkpoint
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const rdd = sc.range(5);
   * rdd.localCheckpoint();
   * assert.equal(rdd.isLocallyCheckpointed(), true);
   * ```
   */
  localCheckpoint(): void {
    this.cache();
    this.#l.checkpoint = "local";
  }

  /**
   * Whether {@linkcode RDD.localCheckpoint} was called.
   *
   * @returns True when marked.
   */
  isLocallyCheckpointed(): boolean {
    return this.#l.checkpoint === "local";
  }

  #describe(): string {
    return describeLineage(this.#l);
  }

  /**
   * A description of the lineage in Spark's layout: one line per RDD, the
   * partition count on the first line and on each line that starts a new
   * stage (` +-`, a shuffle), `|` marking RDDs of the same stage, parents in
   * dependency order, and each RDD's storage level in brackets.
   *
   * @returns The description.
   *
   * @example Lineage
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * const r = sc.parallelize([["a", 1]] as [string, number][], 2).reduceByKey((a, b) => a + b);
   * const [first, second] = r.toDebugString().split("\n");
   * assert.match(first!, /^\(2\) ShuffledRDD\[\d+\] at reduceByKey \[\]$/);
   * assert.match(second!, /^ \+-\(2\) ParallelCollectionRDD\[\d+\] at parallelize \[\]$/);
   * ```
   */
  toDebugString(): string {
    // Spark's RDD.toDebugString, iteratively (lineages can be thousands
    // deep): a shuffle child starts at its parent's prefix with "+-(n) ";
    // narrow children continue the prefix.
    const lines: string[] = [];
    const stack: {
      rdd: object;
      prefix: string;
      how: "root" | "narrow" | "shuffle";
      last: boolean;
    }[] = [{ rdd: this, prefix: "", how: "root", last: true }];
    while (stack.length > 0) {
      const { rdd, prefix, how, last } = stack.pop()!;
      const l = lineageOf(rdd);
      const self = `${describeLineage(l)} ${
        l.cached ? "[Memory Deserialized 1x Replicated]" : "[]"
      }`;
      const count = `(${l.numPartitions})`;
      const offset = Math.floor((count.length - 1) / 2);
      const bar = " ".repeat(offset) + "|" + " ".repeat(count.length - offset);
      let childPrefix: string;
      if (how === "root") {
        lines.push(`${count} ${self}`);
        childPrefix = bar;
      } else if (how === "shuffle") {
        const base = prefix.replace(/\|\s+$/, "");
        lines.push(`${base}+-${count} ${self}`);
        childPrefix = base + (last ? "  " : "| ") + bar;
      } else {
        lines.push(prefix + self);
        childPrefix = prefix;
      }
      const deps = dependenciesOf(l.node);
      for (let i = deps.length - 1; i >= 0; i--) {
        stack.push({
          rdd: deps[i]!.rdd,
          prefix: childPrefix,
          how: deps[i]!.shuffle ? "shuffle" : "narrow",
          last: i === deps.length - 1,
        });
      }
    }
    return lines.join("\n");
  }

  /**
   * A short name for logs.
   *
   * @returns E.g. `MapPartitionsRDD[3] at map`.
   *
   * @example Name
   * ```ts
   * import assert from "node:assert/strict";
   * import { SparkContext } from "./mod.ts";
   * await using sc = new SparkContext({ parallelism: 1 });
   * assert.deepEqual(String(sc.range(3).map((x) => x)).startsWith("MapPartitionsRDD"), true);
   * ```
   */
  toString(): string {
    return this.#describe();
  }
}

const GZIP_CODECS: ReadonlySet<string> = new Set([
  "gzip",
  "org.apache.hadoop.io.compress.GzipCodec",
]);

/** Removes output directories that killed jobs left next to `dir`. */
async function removeStaleAttempts(
  parent: string,
  prefix: string,
): Promise<void> {
  try {
    for await (const e of Deno.readDir(parent)) {
      if (e.isDirectory && e.name.startsWith(prefix)) {
        await Deno.remove(join(parent, e.name), { recursive: true }).catch(
          () => {},
        );
      }
    }
  } catch {
    // the parent does not exist yet: mkdir below reports it
  }
}

/**
 * Options of actions that can be cancelled.
 *
 * @example Give up after a second
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ActionOptions, SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * const options: ActionOptions = { signal: AbortSignal.timeout(1000) };
 * assert.equal(await sc.range(3).count(options), 3);
 * ```
 */
export interface ActionOptions {
  /**
   * Aborting it cancels the job: running tasks are stopped (their
   * executors replaced) and the action rejects with a SparkError.
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** Per-partition statistics, as a task sends them. */
interface StatParts {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/**
 * An approximate result with bounds, like PySpark's `BoundedFloat`: the
 * estimate (`mean`) and the interval `[low, high]` it lies in with
 * probability `confidence`. Exact results have `low === high === mean`.
 */
export interface BoundedDouble {
  /** The estimate. */
  mean: number;
  /** The probability that the true value lies in `[low, high]`. */
  confidence: number;
  /** Lower bound. */
  low: number;
  /** Upper bound. */
  high: number;
}

/**
 * Spark's computeFractionForSampleSize: a sampling rate that yields at
 * least `num` of `total` elements 99.99% of the time.
 */
function sampleFraction(
  num: number,
  total: number,
  withReplacement: boolean,
): number {
  const fraction = num / total;
  if (withReplacement) {
    const sd = num < 12 ? 9 : 5;
    return fraction + sd * Math.sqrt(fraction / total);
  }
  const gamma = -Math.log(0.00005) / total;
  return Math.min(
    1,
    fraction + gamma + Math.sqrt(gamma * gamma + 2 * gamma * fraction),
  );
}

/** The inverse of the standard normal CDF (Acklam's rational fit). */
function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [
    0.007784695709041462,
    0.3224671290700398,
    2.445134137142996,
    3.754408661907416,
  ];
  const lo = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return poly(a, r) * q / (poly(b, r) * r + 1);
}

/**
 * An estimate from the finished partitions: their per-partition totals
 * are a sample of all partitions' (the normal approximation with the
 * finite-population correction); exact when all finished.
 */
function estimateBounded(
  done: { n: number; s: number }[],
  partitions: number,
  what: "count" | "sum" | "mean",
  confidence: number,
): BoundedDouble {
  const n = done.reduce((a, d) => a + d.n, 0);
  const sum = done.reduce((a, d) => a + d.s, 0);
  if (done.length === partitions) {
    const v = what === "count"
      ? n
      : what === "sum"
      ? sum
      : n === 0
      ? NaN
      : sum / n;
    return { mean: v, confidence, low: v, high: v };
  }
  if (done.length === 0) {
    return { mean: 0, confidence, low: -Infinity, high: Infinity };
  }
  const values = done.map((d) =>
    what === "count" ? d.n : what === "sum" ? d.s : d.n === 0 ? 0 : d.s / d.n
  );
  const k = values.length;
  const avg = values.reduce((a, b) => a + b, 0) / k;
  const sd = k > 1
    ? Math.sqrt(values.reduce((a, v) => a + (v - avg) ** 2, 0) / (k - 1))
    : Math.abs(avg);
  const z = normalQuantile((1 + confidence) / 2);
  const fpc = Math.sqrt((partitions - k) / partitions);
  if (what === "mean") {
    const mean = n === 0 ? avg : sum / n;
    const half = z * sd / Math.sqrt(k) * fpc;
    return { mean, confidence, low: mean - half, high: mean + half };
  }
  const mean = avg * partitions;
  const half = z * partitions * sd / Math.sqrt(k) * fpc;
  return { mean, confidence, low: mean - half, high: mean + half };
}

/** Splits a command line like a POSIX shell (quotes, backslashes). */
function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) {
        cur += line[++i];
      } else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur !== "") out.push(cur);
      cur = "";
      has = false;
    } else cur += c;
  }
  if (quote !== null) {
    throw new SparkError(`pipe() command has an unclosed quote: ${line}`);
  }
  if (has || cur !== "") out.push(cur);
  return out;
}

/** Spark's RDD.toString: `[name ]Kind[id] at label`. */
function describeLineage(l: Lineage): string {
  return `${
    l.name === null ? "" : l.name + " "
  }${l.kind}[${l.id}] at ${l.label}`;
}

/** An RDD's parents in dependency order, marking shuffle dependencies. */
function dependenciesOf(node: Node): { rdd: object; shuffle: boolean }[] {
  switch (node.type) {
    case "source":
      return [];
    case "op":
    case "coalesce":
      return [{ rdd: node.parent, shuffle: false }];
    case "pair":
      return [
        { rdd: node.left, shuffle: false },
        { rdd: node.right, shuffle: false },
      ];
    case "union":
      return node.parents.map((rdd) => ({ rdd, shuffle: false }));
    case "shuffled":
      return [{ rdd: node.dep.parent, shuffle: true }];
    case "cogroup":
      return node.inputs.map((i) =>
        "shuffle" in i
          ? { rdd: i.shuffle.parent, shuffle: true }
          : { rdd: i.narrow, shuffle: false }
      );
  }
}

/** Lets `reduceByKey(fn, env)` work: an object where a count goes is env. */
function envShift<E>(
  n: number | null | undefined,
  env: E | undefined,
): [number | null | undefined, E | undefined] {
  if (n !== null && typeof n === "object" && env === undefined) {
    return [undefined, n as unknown as E];
  }
  return [n, env];
}
