// The structured-cloneable task description the driver sends to a worker.

import type { CsvSpec } from "./_csv.ts";
import type { TaskMetrics } from "./_task_metrics.ts";

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
    kind:
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
  | { kind: "keys" | "values" | "glom" | "pairNull" | "groupLocal" }
  | { kind: "sample"; withReplacement: boolean; fraction: number; seed: number }
  | { kind: "combineLocal"; agg: AggSpec }
  | { kind: "joinFlatten"; how: "inner" | "left" | "right" | "full" }
  | { kind: "setOp"; keep: "both" | "leftOnlyAll" | "leftPairs" }
  | { kind: "lookup"; key: string }
  | { kind: "sortLocal"; ascending: boolean; key: FnSpec | null }
  /** randomSplit: keeps records whose draw falls in [lb, ub). */
  | { kind: "sampleRange"; lb: number; ub: number; seed: number }
  | {
    kind: "sampleByKey";
    withReplacement: boolean;
    /** Encoded key to fraction. */
    fractions: [string, number][];
    seed: number;
  }
  /** A partition reduced to at most one value (treeReduce's first level). */
  | { kind: "reducePartition"; fn: FnSpec }
  /** A partition folded from `zero` into one value (treeAggregate). */
  | { kind: "aggregatePartition"; zero: unknown; seq: FnSpec }
  /** `[partition mod n, x]` (the tree levels of treeAggregate). */
  | { kind: "keyByPartition"; n: number }
  | {
    kind: "pipe";
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
  | { kind: "combine"; agg: AggSpec }
  | { kind: "group" }
  | { kind: "none" }
  | { kind: "sort"; ascending: boolean; key: FnSpec | null };

/** Where a partition's records come from. */
export type Source =
  | { kind: "data"; data: unknown[] }
  | { kind: "range"; start: number; end: number; step: number }
  | { kind: "text"; path: string; start: number; end: number; gzip: boolean }
  | {
    kind: "csv";
    path: string;
    start: number;
    end: number;
    gzip: boolean;
    csv: CsvSpec;
  }
  | { kind: "wholeText"; paths: string[] }
  | {
    kind: "topic";
    logDir: string;
    topic: string;
    partition: number;
    decode: "json" | "string" | "bytes";
    /** Offset range of this split, when a topic partition is cut in several. */
    fromOffset?: number;
    toOffset?: number;
  }
  | { kind: "concat"; plans: Plan[] }
  | { kind: "shuffle"; blocks: unknown[][]; reduce: ReduceSpec }
  /** Two parents' partitions combined: all pairs, or zipped in order. */
  | { kind: "pair"; mode: "cartesian" | "zip"; left: Plan; right: Plan }
  | { kind: "checkpoint"; path: string }
  | { kind: "cogroup"; inputs: ({ blocks: unknown[][] } | { plan: Plan })[] }
  | { kind: "cache"; rddId: number; plan: Plan };

/** One partition's computation: a source and fused narrow ops. */
export interface Plan {
  src: Source;
  ops: Op[];
  part: number;
}

/** What the task does with the partition's records. */
export type Action =
  | { kind: "collect" | "count" | "countByValue" | "countByKey" | "none" }
  | { kind: "take"; n: number }
  | { kind: "reduce"; fn: FnSpec }
  | { kind: "fold"; zero: unknown; fn: FnSpec }
  | { kind: "aggregate"; zero: unknown; seq: FnSpec }
  | { kind: "foreach"; fn: FnSpec }
  | { kind: "foreachPartition"; fn: FnSpec }
  /** Writes `<dir>/<name>.attempt-<n>[.gz]`; the driver commits it. */
  | { kind: "save"; dir: string; name: string; gzip: boolean }
  | { kind: "sampleKeys"; size: number; seed: number; key: FnSpec | null }
  | { kind: "ordered"; n: number; key: FnSpec | null; descending: boolean }
  | { kind: "shuffleWrite"; part: PartitionerSpec; agg: AggSpec | null }
  /** HyperLogLog registers (2^p of them) of the partition's values. */
  | { kind: "hll"; p: number }
  /** Writes the partition (v8 serialization) for a reliable checkpoint. */
  | { kind: "checkpoint"; path: string };

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
  /** Gather task metrics (the event log is on). */
  metrics?: boolean;
}

/** What a worker sends back for a finished task. */
export interface TaskOutput {
  value: unknown;
  cached: [number, number][];
  counters: Record<string, number>;
  /** Accumulator additions: [id, sum of terms]. */
  accumulators: [number, number][];
  /** Terms of accumulators with an AccumulatorParam: [id, terms in order]. */
  accumulatorTerms: [number, unknown[]][];
  bytes: number;
  /** Present when the task was asked for metrics. */
  metrics?: TaskMetrics;
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
