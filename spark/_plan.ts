// The structured-cloneable task description the driver sends to a worker.

import type { CsvSpec } from "./_csv.ts";

/** A shipped function: its source text and its env. */
export interface FnSpec {
  src: string;
  env: unknown;
  /** Where the user shipped it (`file:line:col`), for error stacks. */
  at: string;
}

/** How values for one key are combined. */
export type AggSpec =
  | { kind: "reduce"; fn: FnSpec }
  | { kind: "fold"; zero: unknown; fn: FnSpec }
  | { kind: "aggregate"; zero: unknown; seq: FnSpec; comb: FnSpec }
  | { kind: "combine"; create: FnSpec; merge: FnSpec; mergeCombiners: FnSpec }
  | { kind: "first" };

/** A narrow, one-partition-to-one-partition operation. */
export type Op =
  | {
    t:
      | "map"
      | "filter"
      | "flatMap"
      | "mapPartitions"
      | "mapPartitionsWithIndex"
      | "keyBy"
      | "mapValues"
      | "flatMapValues";
    fn: FnSpec;
  }
  | { t: "keys" | "values" | "glom" | "pairNull" | "groupLocal" }
  | { t: "sample"; withReplacement: boolean; fraction: number; seed: number }
  | { t: "combineLocal"; agg: AggSpec }
  | { t: "joinFlatten"; how: "inner" | "left" | "right" | "full" }
  | { t: "setOp"; keep: "both" | "leftOnlyAll" | "leftPairs" }
  | { t: "lookup"; key: string }
  | { t: "sortLocal"; ascending: boolean; key: FnSpec | null }
  /** randomSplit: keeps records whose draw falls in [lb, ub). */
  | { t: "sampleRange"; lb: number; ub: number; seed: number }
  | {
    t: "sampleByKey";
    withReplacement: boolean;
    /** Encoded key to fraction. */
    fractions: [string, number][];
    seed: number;
  }
  /** A partition reduced to at most one value (treeReduce's first level). */
  | { t: "reducePartition"; fn: FnSpec }
  /** A partition folded from `zero` into one value (treeAggregate). */
  | { t: "aggregatePartition"; zero: unknown; seq: FnSpec }
  /** `[partition mod n, x]` (the tree levels of treeAggregate). */
  | { t: "keyByPartition"; n: number }
  | {
    t: "pipe";
    command: string[];
    env: Record<string, string>;
    checkCode: boolean;
  };

/** How a shuffle's map side assigns records to reduce partitions. */
export type PartitionerSpec =
  | { kind: "hash"; n: number }
  | {
    kind: "range";
    n: number;
    ascending: boolean;
    bounds: unknown[];
    /** Sort key computed from each record's key (sortByKey's keyfunc). */
    key: FnSpec | null;
  }
  | { kind: "roundRobin"; n: number }
  /** A user's partition function: `fn(key, env) mod n`. */
  | { kind: "func"; n: number; fn: FnSpec };

/** What the reduce side of a shuffle does with the blocks it reads. */
export type ReduceSpec =
  | { mode: "combine"; agg: AggSpec }
  | { mode: "group" }
  | { mode: "none" }
  | { mode: "sort"; ascending: boolean; key: FnSpec | null };

/** Where a partition's records come from. */
export type Source =
  | { k: "data"; data: unknown[] }
  | { k: "range"; start: number; end: number; step: number }
  | { k: "text"; path: string; start: number; end: number; gzip: boolean }
  | {
    k: "csv";
    path: string;
    start: number;
    end: number;
    gzip: boolean;
    csv: CsvSpec;
  }
  | { k: "wholeText"; paths: string[] }
  | {
    k: "topic";
    logDir: string;
    topic: string;
    partition: number;
    decode: "json" | "string" | "bytes";
    /** Offset range of this split, when a topic partition is cut in several. */
    fromOffset?: number;
    toOffset?: number;
  }
  | { k: "concat"; plans: Plan[] }
  | { k: "shuffle"; blocks: unknown[][]; reduce: ReduceSpec }
  /** Two parents' partitions combined: all pairs, or zipped in order. */
  | { k: "pair"; mode: "cartesian" | "zip"; left: Plan; right: Plan }
  | { k: "checkpoint"; path: string }
  | { k: "cogroup"; inputs: ({ blocks: unknown[][] } | { plan: Plan })[] }
  | { k: "cache"; rddId: number; plan: Plan };

/** One partition's computation: a source and fused narrow ops. */
export interface Plan {
  src: Source;
  ops: Op[];
  part: number;
}

/** What the task does with the partition's records. */
export type Action =
  | { a: "collect" | "count" | "countByValue" | "countByKey" | "none" }
  | { a: "take"; n: number }
  | { a: "reduce"; fn: FnSpec }
  | { a: "fold"; zero: unknown; fn: FnSpec }
  | { a: "aggregate"; zero: unknown; seq: FnSpec }
  | { a: "foreach"; fn: FnSpec }
  | { a: "foreachPartition"; fn: FnSpec }
  /** Writes `<dir>/<name>.attempt-<n>[.gz]`; the driver commits it. */
  | { a: "save"; dir: string; name: string; gzip: boolean }
  | { a: "sampleKeys"; size: number; seed: number; key: FnSpec | null }
  | { a: "ordered"; n: number; key: FnSpec | null; descending: boolean }
  | { a: "shuffleWrite"; part: PartitionerSpec; agg: AggSpec | null }
  /** HyperLogLog registers (2^p of them) of the partition's values. */
  | { a: "hll"; p: number }
  /** Writes the partition (v8 serialization) for a reliable checkpoint. */
  | { a: "checkpoint"; path: string };

/** The message a worker receives. */
export interface Task {
  plan: Plan;
  action: Action;
  modules: Record<string, string>;
  broadcasts: [number, unknown][];
  maxResultBytes: number;
  stageId: number;
  partition: number;
  /** 1 for the first attempt of this task, 2 for its first retry, ... */
  attempt: number;
}

/** What a worker sends back for a finished task. */
export interface TaskOutput {
  value: unknown;
  cached: [number, number][];
  counters: Record<string, number>;
  /** Accumulator additions: [id, sum of terms]. */
  accumulators: [number, number][];
  bytes: number;
}

/** Message from worker to driver. */
export type WorkerReply =
  | { id: number; ok: true; out: TaskOutput }
  | {
    id: number;
    ok: false;
    error: { name: string; message: string; stack: string };
    fatal: boolean;
  };
