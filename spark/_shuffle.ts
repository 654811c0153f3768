// Both halves of a shuffle. The map side (shuffleWrite) cuts a task's
// records into one bucket per reduce partition, by hash, range or the
// user's partition function, after a map-side combine for the ...ByKey
// aggregations; the buckets go back to the driver, which keeps them per
// shuffle (ShuffleStore) until the shuffled RDD is unreachable. The reduce
// side (shuffleRead, cogroupRead) gets its partition's bucket from every
// map task and merges, groups or sorts them.

import { compareKeys, encodeKey, hashPartition, rng } from "./_keys.ts";
import type {
  AggSpec,
  FnSpec,
  PartitionerSpec,
  Plan,
  ReduceSpec,
} from "./_plan.ts";
import { rangePartition } from "./_range_partitioner.ts";
import {
  asPair,
  type Batches,
  type Compile,
  FatalTaskError,
  type Fn,
  isAsync,
  lazyAsync,
  preview,
} from "./_stream.ts";

/** The driver's map outputs: shuffle id to map task to reduce bucket. */
export class ShuffleStore {
  #outputs = new Map<number, unknown[][][]>();

  has(id: number): boolean {
    return this.#outputs.has(id);
  }

  set(id: number, outputs: unknown[][][]): void {
    this.#outputs.set(id, outputs);
  }

  /** Forgets a shuffle (its RDDs are gone). */
  drop(id: number): void {
    this.#outputs.delete(id);
  }

  /** Reduce partition `p`'s bucket from every map task. */
  blocks(id: number, p: number): unknown[][] {
    const out = this.#outputs.get(id);
    if (out === undefined) throw new Error(`Shuffle ${id} not computed`);
    return out.map((buckets) => buckets[p]!);
  }

  clear(): void {
    this.#outputs.clear();
  }
}

export function shuffleRead(
  blocks: unknown[][],
  reduce: ReduceSpec,
  compile: Compile,
): Batches {
  switch (reduce.kind) {
    case "none":
      return blocks.filter((b) => b.length > 0);
    case "sort": {
      const all = sortPairs(
        blocks.flat() as [unknown, unknown][],
        reduce.ascending,
        reduce.key,
        compile,
      );
      return all.length > 0 ? [all] : [];
    }
    case "group": {
      const groups = new Map<string, [unknown, unknown[]]>();
      for (const block of blocks) {
        for (const rec of block as [unknown, unknown][]) {
          const e = encodeKey(rec[0]);
          const g = groups.get(e);
          if (g === undefined) groups.set(e, [rec[0], [rec[1]]]);
          else g[1].push(rec[1]);
        }
      }
      const out = [...groups.values()];
      return out.length > 0 ? [out] : [];
    }
    case "combine": {
      const [, , mergeCombiners] = aggregatorOf(reduce.agg, compile);
      const map = new Map<string, [unknown, unknown]>();
      for (const block of blocks) {
        for (const rec of block as [unknown, unknown][]) {
          const e = encodeKey(rec[0]);
          const cur = map.get(e);
          if (cur === undefined) map.set(e, [rec[0], rec[1]]);
          else cur[1] = mergeCombiners(cur[1], rec[1]);
        }
      }
      const out = [...map.values()];
      return out.length > 0 ? [out] : [];
    }
  }
}

/** Sorts pairs by key, or by `key(k)` when a sort key function is given. */
export function sortPairs(
  all: [unknown, unknown][],
  ascending: boolean,
  key: FnSpec | null,
  compile: Compile,
): [unknown, unknown][] {
  const dir = ascending ? 1 : -1;
  if (key === null) {
    return all.sort((a, b) => dir * compareKeys(a[0], b[0]));
  }
  const [f, env] = compile(key);
  // Decorate once, so the key function runs n times, not n log n.
  const keyed = all.map((rec) => [f(rec[0], env), rec] as const);
  keyed.sort((a, b) => dir * compareKeys(a[0], b[0]));
  return keyed.map((e) => e[1]);
}

/** The reduce partition of a key under a partitioner. */
export function partitionerOf(
  part: PartitionerSpec,
  compile: Compile,
): (k: unknown) => number {
  const n = part.n;
  switch (part.kind) {
    case "hash":
      return (k) => hashPartition(k, n);
    case "range": {
      const { bounds, ascending } = part;
      if (part.key === null) {
        return (k) => rangePartition(k, bounds, ascending);
      }
      const [f, env] = compile(part.key);
      return (k) => rangePartition(f(k, env), bounds, ascending);
    }
    case "func": {
      const [f, env] = compile(part.fn);
      return (k) => {
        const p = f(k, env);
        if (typeof p !== "number" || !Number.isInteger(p)) {
          throw new FatalTaskError(
            `Partition function must return an integer: got ${
              preview(p)
            } for key ${preview(k)}`,
          );
        }
        // Python's modulo: non-negative for a positive divisor.
        return ((p % n) + n) % n;
      };
    }
    case "roundRobin":
      throw new Error("unreachable: round robin has no key partition");
  }
}

export function cogroupRead(
  inputs: ({ blocks: unknown[][] } | { plan: Plan })[],
  streamOf: (plan: Plan) => Batches,
): Batches {
  const n = inputs.length;
  const groups = new Map<string, [unknown, unknown[][]]>();
  const add = (i: number, batch: unknown[]): void => {
    for (const rec of batch) {
      const [k, v] = asPair(rec, "cogroup");
      const e = encodeKey(k);
      let g = groups.get(e);
      if (g === undefined) {
        g = [k, Array.from({ length: n }, () => [])];
        groups.set(e, g);
      }
      g[1][i]!.push(v);
    }
  };
  const pending: Promise<void>[] = [];
  inputs.forEach((input, i) => {
    if ("blocks" in input) {
      for (const b of input.blocks) add(i, b);
    } else {
      const s = streamOf(input.plan);
      if (isAsync(s)) {
        pending.push((async () => {
          for await (const b of s) add(i, b);
        })());
      } else for (const b of s) add(i, b);
    }
  });
  const finish = (): Batches => {
    const out = [...groups.values()];
    return out.length > 0 ? [out] : [];
  };
  return pending.length > 0
    ? lazyAsync(Promise.all(pending).then(finish))
    : finish();
}

/** [createCombiner, mergeValue, mergeCombiners] for an aggregator. */
export function aggregatorOf(
  agg: AggSpec,
  compile: Compile,
): [(v: unknown) => unknown, Fn, Fn] {
  switch (agg.kind) {
    case "first":
      return [(v) => v, (c) => c, (c) => c];
    case "reduce": {
      const [f, env] = compile(agg.fn);
      const g = (a: unknown, b: unknown) => f(a, b, env);
      return [(v) => v, g, g];
    }
    case "fold": {
      const [f, env] = compile(agg.fn);
      const g = (a: unknown, b: unknown) => f(a, b, env);
      const zero = agg.zero;
      return [(v) => f(structuredClone(zero), v, env), g, g];
    }
    case "aggregate": {
      const [s, env] = compile(agg.seq);
      const [c] = compile(agg.comb);
      const zero = agg.zero;
      return [
        (v) => s(structuredClone(zero), v, env),
        (a, b) => s(a, b, env),
        (a, b) => c(a, b, env),
      ];
    }
    case "combine": {
      const [cr, env] = compile(agg.create);
      const [mv] = compile(agg.merge);
      const [mc] = compile(agg.mergeCombiners);
      return [
        (v) => cr(v, env),
        (a, b) => mv(a, b, env),
        (a, b) => mc(a, b, env),
      ];
    }
  }
}

export async function shuffleWrite(
  s: Batches,
  part: PartitionerSpec,
  agg: AggSpec | null,
  partition: number,
  compile: Compile,
): Promise<unknown[][]> {
  const n = part.n;
  const buckets: unknown[][] = Array.from({ length: n }, () => []);
  if (part.kind === "roundRobin") {
    let next = Math.floor(rng(partition + 1)() * n);
    for await (const b of s) {
      for (const x of b) {
        buckets[next]!.push(x);
        next = next + 1 === n ? 0 : next + 1;
      }
    }
    return buckets;
  }
  const where = partitionerOf(part, compile);
  if (agg === null) {
    for await (const b of s) {
      for (const x of b) buckets[where(asPair(x, "shuffle")[0])]!.push(x);
    }
    return buckets;
  }
  // Map-side combine: one combiner per key before anything crosses threads.
  const [create, mergeValue] = aggregatorOf(agg, compile);
  const map = new Map<string, [unknown, unknown]>();
  for await (const b of s) {
    for (const x of b) {
      const [k, v] = asPair(x, "reduceByKey");
      const e = typeof k === "string" ? "s" + k : encodeKey(k);
      const cur = map.get(e);
      if (cur === undefined) map.set(e, [k, create(v)]);
      else cur[1] = mergeValue(cur[1], v);
    }
  }
  for (const entry of map.values()) buckets[where(entry[0])]!.push(entry);
  return buckets;
}
