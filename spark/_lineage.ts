// Driver-side lineage: what each RDD is made of. Kept off the public RDD
// class (in a WeakMap) so the public surface stays the PySpark API.

import type {
  AggSpec,
  Op,
  PartitionerSpec,
  ReduceSpec,
  Source,
} from "./_plan.ts";

/** A shuffle dependency: the map side of a stage boundary. */
export interface ShuffleDep {
  id: number;
  parent: object;
  part: PartitionerSpec;
  /** Map-side combine (null: records travel as they are). */
  agg: AggSpec | null;
  /** Range partitioners get their bounds from a sampling job. */
  needsBounds: boolean;
  /** The sampling job computing the bounds, once started. */
  bounds?: Promise<void>;
  seed: number;
}

/** What an RDD is computed from. */
export type Node =
  | { type: "source"; source: (p: number) => Source }
  | { type: "op"; parent: object; op: Op }
  /** `aligned`: partition i of every parent makes output partition i. */
  | { type: "union"; parents: object[]; aligned?: boolean }
  | { type: "coalesce"; parent: object; groups: number[][] }
  /** cartesian: partition i * right + j; zip: partition i of both. */
  | { type: "pair"; mode: "cartesian" | "zip"; left: object; right: object }
  | { type: "shuffled"; dep: ShuffleDep; reduce: ReduceSpec }
  | {
    type: "cogroup";
    inputs: ({ shuffle: ShuffleDep } | { narrow: object })[];
  };

/** Everything the scheduler knows about one RDD. */
export interface Lineage {
  id: number;
  sc: object;
  node: Node;
  numPartitions: number;
  /** Class-like name for toDebugString (e.g. "MapPartitionsRDD"). */
  kind: string;
  /** The API call that made it (e.g. "map"). */
  label: string;
  partitioner: PartitionerSpec | null;
  cached: boolean;
  /** Set by `setName`. */
  name: string | null;
  /** `checkpoint()` was called; the next job writes it out. */
  checkpoint: "pending" | "local" | null;
  /** Where the reliable checkpoint was written. */
  checkpointFile: string | null;
}

export const LINEAGE: WeakMap<object, Lineage> = new WeakMap();

export function lineageOf(rdd: object): Lineage {
  const l = LINEAGE.get(rdd);
  if (l === undefined) throw new TypeError("Not an RDD");
  return l;
}

/** Parents of an RDD reachable without crossing a shuffle. */
export function narrowParents(node: Node): object[] {
  switch (node.type) {
    case "source":
    case "shuffled":
      return [];
    case "op":
    case "coalesce":
      return [node.parent];
    case "pair":
      return [node.left, node.right];
    case "union":
      return node.parents;
    case "cogroup":
      return node.inputs.flatMap((i) => "narrow" in i ? [i.narrow] : []);
  }
}

/** Shuffle dependencies directly on an RDD. */
export function shuffleDepsOf(node: Node): ShuffleDep[] {
  if (node.type === "shuffled") return [node.dep];
  if (node.type === "cogroup") {
    return node.inputs.flatMap((i) => "shuffle" in i ? [i.shuffle] : []);
  }
  return [];
}

/** Every RDD `root` depends on, itself included, across shuffles too. */
export function allAncestors(root: object): object[] {
  const seen = new Set<object>();
  const stack = [root];
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    const node = lineageOf(r).node;
    stack.push(...narrowParents(node));
    for (const d of shuffleDepsOf(node)) stack.push(d.parent);
  }
  return [...seen];
}

/** The RDDs of `root`'s stage: itself and what it reaches through narrow dependencies. */
export function stageChain(root: object): object[] {
  const seen = new Set<object>();
  const stack = [root];
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    for (const p of narrowParents(lineageOf(r).node)) stack.push(p);
  }
  return [...seen];
}

/** Shuffle deps reachable from `root` through narrow dependencies only. */
export function stageBoundaries(root: object): ShuffleDep[] {
  return stageChain(root).flatMap((r) => shuffleDepsOf(lineageOf(r).node));
}
