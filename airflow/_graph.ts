/**
 * A DAG compiled to integer arrays for the scheduler: adjacency lists,
 * effective priority weights and each task's rank in the ready queue
 * (weight descending, then task id).
 */

import { AirflowError } from "./errors.ts";
import { IntHeap } from "./_heap.ts";
import type { Task } from "./task.ts";

export interface Graph {
  dagId: string;
  tasks: Task[];
  index: Map<string, number>;
  up: number[][];
  down: number[][];
  weights: Float64Array;
  /** Position of each task in (weight desc, id asc) order; lower runs first. */
  rank: Int32Array;
  /** 1 for setup tasks. */
  isSetup: Uint8Array;
  /** Direct upstream setup tasks of each task. */
  setupUp: Int32Array;
  /** 1 for the tasks whose state decides the run's (Airflow's leaves). */
  decidesRun: Uint8Array;
}

export function compileGraph(
  dagId: string,
  tasks: Task[],
  edges: (t: Task) => Iterable<Task>,
): Graph {
  const n = tasks.length;
  const index = new Map<string, number>();
  tasks.forEach((t, i) => index.set(t.taskId, i));
  const up: number[][] = Array.from({ length: n }, () => []);
  const down: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (const d of edges(tasks[i]!)) {
      const j = index.get(d.taskId)!;
      down[i]!.push(j);
      up[j]!.push(i);
    }
  }
  const topo = _kahn(n, up, down);
  if (topo.length < n) {
    throw new AirflowError(
      `Cycle detected in DAG ${dagId}: ${_findCycle(tasks, down, topo)}`,
    );
  }
  const weights = _weights(tasks, up, down, topo);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    weights[b]! - weights[a]! ||
    (tasks[a]!.taskId < tasks[b]!.taskId ? -1 : 1)
  );
  const rank = new Int32Array(n);
  order.forEach((t, r) => (rank[t] = r));
  const opts = tasks.map((t) => t.options);
  const isSetup = Uint8Array.from(opts, (o) => o.isSetup ? 1 : 0);
  const setupUp = Int32Array.from(
    up,
    (ups) => ups.reduce((k, u) => k + isSetup[u]!, 0),
  );
  return {
    dagId,
    tasks,
    index,
    up,
    down,
    weights,
    rank,
    isSetup,
    setupUp,
    decidesRun: runDeciders(opts, down),
  };
}

/**
 * The tasks whose states decide the run's, as Airflow's
 * `_tis_for_dagrun_state`: leaves, where a teardown (unless
 * `onFailureFailDagrun`) neither counts nor hides the tasks before it.
 */
function runDeciders(
  opts: { isTeardown: boolean; onFailureFailDagrun: boolean }[],
  down: number[][],
): Uint8Array {
  const n = opts.length;
  const ignorable = (i: number) =>
    opts[i]!.isTeardown && !opts[i]!.onFailureFailDagrun;
  const out = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (!ignorable(i) && down[i]!.every(ignorable)) {
      out[i] = 1;
      any = true;
    }
  }
  // A DAG of teardowns only: its plain leaves decide.
  if (!any) { for (let i = 0; i < n; i++) out[i] = down[i]!.length ? 0 : 1; }
  return out;
}

/** Plain Kahn order (FIFO); used for cycle detection and weight sums. */
function _kahn(n: number, up: number[][], down: number[][]): number[] {
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) indeg[i] = up[i]!.length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) out.push(i);
  for (let h = 0; h < out.length; h++) {
    for (const d of down[out[h]!]!) if (--indeg[d]! === 0) out.push(d);
  }
  return out;
}

/** Finds one cycle among the tasks Kahn's algorithm could not order. */
function _findCycle(tasks: Task[], down: number[][], topo: number[]): string {
  const n = tasks.length;
  const color = new Uint8Array(n); // 0 unvisited, 1 on stack, 2 done
  for (const t of topo) color[t] = 2;
  for (let s = 0; s < n; s++) {
    if (color[s] !== 0) continue;
    const stack: number[] = [s];
    const edgePos: number[] = [0];
    color[s] = 1;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const pos = edgePos[edgePos.length - 1]!;
      const children = down[v]!;
      if (pos >= children.length) {
        color[v] = 2;
        stack.pop();
        edgePos.pop();
        continue;
      }
      edgePos[edgePos.length - 1] = pos + 1;
      const c = children[pos]!;
      if (color[c] === 1) {
        const path = stack.slice(stack.indexOf(c)).concat(c);
        return path.map((i) => tasks[i]!.taskId).join(" -> ");
      }
      if (color[c] === 0) {
        color[c] = 1;
        stack.push(c);
        edgePos.push(0);
      }
    }
  }
  return "(unknown)";
}

/**
 * Effective weights as Airflow computes them: own weight plus the sum over
 * the unique set of downstream (or upstream) relatives, via bitsets of
 * relatives built in topological order.
 */
function _weights(
  tasks: Task[],
  up: number[][],
  down: number[][],
  topo: number[],
): Float64Array {
  const n = tasks.length;
  const own = new Float64Array(n);
  let uniform = true;
  let needDown = false;
  let needUp = false;
  for (let i = 0; i < n; i++) {
    const o = tasks[i]!.options;
    own[i] = o.priorityWeight;
    if (own[i] !== own[0]) uniform = false;
    if (o.weightRule === "downstream") needDown = true;
    if (o.weightRule === "upstream") needUp = true;
  }
  const out = Float64Array.from(own);
  const rules = tasks.map((t) => t.options.weightRule);
  // Relatives as bitsets, one block of columns at a time so memory stays
  // at n * BLOCK bits whatever the DAG size.
  const BLOCK = 4096;
  const blockWords = Math.min(BLOCK, n + 31) >>> 5;
  const bits = new Uint32Array(n * blockWords);
  const relatives = (
    order: number[],
    next: number[][],
    rule: string,
  ): void => {
    for (let c0 = 0; c0 < n; c0 += BLOCK) {
      const c1 = Math.min(n, c0 + BLOCK);
      const words = (c1 - c0 + 31) >>> 5;
      bits.fill(0);
      for (let k = order.length - 1; k >= 0; k--) {
        const v = order[k]!;
        const base = v * words;
        for (const c of next[v]!) {
          const cb = c * words;
          for (let w = 0; w < words; w++) bits[base + w]! |= bits[cb + w]!;
          if (c >= c0 && c < c1) {
            bits[base + ((c - c0) >>> 5)]! |= 1 << ((c - c0) & 31);
          }
        }
        if (rules[v] !== rule) continue;
        let sum = 0;
        if (uniform) {
          let count = 0;
          for (let w = 0; w < words; w++) count += _popcount(bits[base + w]!);
          sum = count * own[0]!;
        } else {
          for (let w = 0; w < words; w++) {
            let x = bits[base + w]!;
            while (x !== 0) {
              const low = x & -x;
              sum += own[c0 + (w << 5) + (31 - Math.clz32(low))]!;
              x ^= low;
            }
          }
        }
        out[v] = out[v]! + sum;
      }
    }
  };
  if (needDown) relatives(topo, down, "downstream");
  if (needUp) relatives(topo.slice().reverse(), up, "upstream");
  // Airflow keeps weights in a 32-bit column: db_safe_priority clamps them.
  for (let i = 0; i < n; i++) {
    out[i] = Math.min(INT32_MAX, Math.max(INT32_MIN, out[i]!));
  }
  return out;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

function _popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Kahn's algorithm with the ready set ordered by rank (priority order). */
export function priorityOrder(g: Graph): number[] {
  const n = g.tasks.length;
  const indeg = new Int32Array(n);
  const heap = new IntHeap(g.rank);
  for (let i = 0; i < n; i++) {
    indeg[i] = g.up[i]!.length;
    if (indeg[i] === 0) heap.push(i);
  }
  const out: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop()!;
    out.push(v);
    for (const d of g.down[v]!) if (--indeg[d]! === 0) heap.push(d);
  }
  return out;
}
