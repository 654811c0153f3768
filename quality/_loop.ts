// The compiled loop: the plan generated into one JavaScript function with
// one emitter per state kind, every column a literal property read, so a
// single pass over the rows feeds every expectation. The Accumulator runs it
// over arrays and streamed batches; interpret() in _interpreter.ts is the
// reference it must agree with.

import { describeValue } from "./errors.ts";
import { addExact } from "./_exact_sum.ts";
import { kindOf } from "./_dtype.ts";
import { keyOf, pyStr } from "./_values.ts";
import { type Entry, type Plan, TYPE_EXPECTATIONS } from "./_plan.ts";
import {
  errorState,
  type ExpState,
  makeStep,
  newState,
  nonNumeric,
  orderOk,
  type PartialState,
} from "./_state.ts";

/** How many rows a streamed input buffers before running the compiled loop. */
const BATCH = 1024;

type Loop = (rows: ArrayLike<unknown>, n: number, base: number) => number;
type SharedLoop = (
  ctx: unknown,
  rows: ArrayLike<unknown>,
  n: number,
  base: number,
) => number;
const LOOP_CACHE = new Map<string, SharedLoop>();

// Compiles the plan into one loop function: every column name becomes a
// literal property access and every map check is inlined, so V8 sees
// monomorphic code per expectation instead of one megamorphic step call.
function compileLoop(
  plan: Plan,
  states: ExpState[],
  active: boolean[],
  fail: (j: number, error: unknown) => void,
  columns: string[] | null,
  columnSet: Set<string> | null,
): Loop {
  const tests: unknown[] = [];
  const inlines: unknown[] = [];
  const conds: unknown[] = [];
  const steps: unknown[] = [];
  const head: string[] = [];
  const body: string[] = [];
  const flush: string[] = [];
  const emit = (entry: Entry, j: number): void => {
    const st = states[j]!;
    tests.push(entry.test);
    inlines.push(entry.inlineValue);
    conds.push(entry.cond);
    if (st.k === "error" || st.k === "table") {
      steps.push(null);
      return;
    }
    head.push(`let a${j} = A[${j}];`);
    flush.push(`A[${j}] = a${j};`);
    if (entry.cond) head.push(`const q${j} = C[${j}];`);
    const open = entry.cond ? `if (q${j}(row)) {` : "{";
    const col = JSON.stringify(entry.column);
    // A column named like an Object.prototype member is read as an own property only.
    const read =
      entry.column in Object.prototype || entry.column === "__proto__"
        ? `(Object.hasOwn(row, ${col}) ? row[${col}] : undefined)`
        : `row[${col}]`;
    // A condition that selects no rows must not make the column look absent.
    const seenFirst = entry.cond
      ? `if (a${j} && !n${j} && Object.hasOwn(row, ${col})) n${j} = true;`
      : "";
    if (st.k === "map") {
      steps.push(null);
      head.push(
        `const s${j} = S[${j}], t${j} = T[${j}], v${j} = s${j}.vals, x${j} = s${j}.idx;`,
        `let e${j} = 0, m${j} = 0, u${j} = 0, n${j} = s${j}.seen;`,
      );
      flush.push(
        `s${j}.element += e${j}; s${j}.missing += m${j}; s${j}.unexpected += u${j}; s${j}.seen = n${j};`,
      );
      const keep =
        `if (v${j}.length < cap) { v${j}.push(${"$V"}); x${j}.push(base + k); }`;
      if (entry.spec.kind === "null_map") {
        const nullIsUnexpected =
          entry.spec.type === "expect_column_values_to_not_be_null";
        body.push(
          seenFirst,
          `if (a${j}) ${open}`,
          `  e${j}++; const v = ${read};`,
          `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
          `  const miss = v === null || v === undefined || v !== v;`,
          `  if (miss === ${nullIsUnexpected}) { u${j}++; ${
            keep.replace("$V", "miss ? null : v")
          } }`,
          `}`,
        );
      } else {
        const check = entry.inline
          ? entry.inline.replaceAll("$T", `i${j}`)
          : `t${j}(v)`;
        if (entry.inline) head.push(`const i${j} = I[${j}];`);
        const kinds = TYPE_EXPECTATIONS.includes(entry.spec.type);
        if (kinds) {
          head.push(`let k${j} = s${j}.kinds;`);
          flush.push(`s${j}.kinds = k${j};`);
        }
        body.push(
          seenFirst,
          `if (a${j}) ${open} try {`,
          `  e${j}++; const v = ${read};${kinds ? ` k${j} |= kindOf(v);` : ""}`,
          `  if (v === undefined) { if (!n${j} && Object.hasOwn(row, ${col})) n${j} = true; m${j}++; }`,
          `  else { n${j} = true; if (v === null || v !== v) m${j}++; else if (!(${check})) { u${j}++; ${
            keep.replace("$V", "v")
          } } }`,
          `} catch (err) { a${j} = false; fail(${j}, err); } }`,
        );
      }
      return;
    }
    if (st.k === "order") {
      steps.push(null);
      const cmp = st.dir === 1
        ? (st.strictly ? "l < v" : "l <= v")
        : (st.strictly ? "l > v" : "l >= v");
      head.push(
        `const s${j} = S[${j}], v${j} = s${j}.vals, x${j} = s${j}.idx;`,
        `let e${j} = 0, m${j} = 0, u${j} = 0, n${j} = s${j}.seen, h${j} = s${j}.hasLast, l${j} = s${j}.last;`,
      );
      flush.push(
        `s${j}.element += e${j}; s${j}.missing += m${j}; s${j}.unexpected += u${j}; s${j}.seen = n${j}; s${j}.hasLast = h${j}; s${j}.last = l${j};`,
      );
      body.push(
        seenFirst,
        `if (a${j}) ${open}`,
        `  e${j}++; const v = ${read};`,
        `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
        `  if (v === null || v === undefined || v !== v) m${j}++;`,
        `  else {`,
        `    if (h${j}) {`,
        `      const l = l${j};`,
        `      const ok = typeof v === "number" && typeof l === "number" ? ${cmp} : orderOk(s${j}, l, v);`,
        `      if (!ok) { u${j}++; if (v${j}.length < cap) { v${j}.push(v); x${j}.push(base + k); } }`,
        `    } else { h${j} = true; s${j}.first = v; s${j}.firstIdx = base + k; }`,
        `    l${j} = v;`,
        `  }`,
        `}`,
      );
      return;
    }
    if (
      st.k === "agg" &&
      [
        "mean",
        "sum",
        "stdev",
        "min",
        "max",
        "median",
        "unique_value_count",
        "unique_proportion",
        "distinct_in",
        "distinct_contain",
        "distinct_equal",
      ].includes(st.metric)
    ) {
      steps.push(null);
      const metric = st.metric;
      head.push(
        `const s${j} = S[${j}];`,
        `let n${j} = s${j}.seen, c${j} = s${j}.n, b${j} = s${j}.best, r${j} = s${j}.element;`,
      );
      flush.push(
        `s${j}.seen = n${j}; s${j}.n = c${j}; s${j}.best = b${j}; s${j}.element = r${j};`,
      );
      let add: string;
      // pandas sums booleans as 0 and 1.
      const numeric = metric === "mean" || metric === "sum" ||
        metric === "stdev" || metric === "median";
      if (metric === "median" || metric === "stdev") {
        head.push(`const w${j} = s${j}.values;`);
        add = `if (typeof v !== "number") nonNumeric(${col}, ${
          JSON.stringify(metric)
        }, v);
          c${j}++; w${j}.push(v);`;
      } else if (metric.startsWith("distinct_")) {
        head.push(`const w${j} = s${j}.counts;`);
        add =
          `c${j}++; const key = typeof v === "object" ? keyOf(v) : v; w${j}.set(key, (w${j}.get(key) ?? 0) + 1);`;
      } else if (
        metric === "unique_value_count" || metric === "unique_proportion"
      ) {
        head.push(`const w${j} = s${j}.set;`);
        add = `c${j}++; w${j}.add(typeof v === "object" ? keyOf(v) : v);`;
      } else if (metric === "min" || metric === "max") {
        const better = metric === "min" ? "<" : ">";
        add =
          `if (typeof v === "number" && typeof b${j} === "number") { c${j}++; if (v ${better} b${j}) b${j} = v; }
          else { s${j}.n = c${j}; s${j}.best = b${j}; P${j}(row); c${j} = s${j}.n; b${j} = s${j}.best; }`;
      } else {
        // Two error-free TwoSum levels in locals; only the second level's
        // (rare) rounding error goes to the exact expansion, so the sum stays
        // exact at a fraction of the cost.
        head.push(`let hs${j} = 0, ls${j} = 0;`);
        flush.push(`addExact(s${j}.sx, hs${j}); addExact(s${j}.sx, ls${j});`);
        add = `if (typeof v !== "number") nonNumeric(${col}, ${
          JSON.stringify(metric)
        }, v);
          c${j}++;
          if (v - v === 0) {
            const t = hs${j} + v, bp = t - hs${j}, e = (hs${j} - (t - bp)) + (v - bp);
            hs${j} = t;
            const t2 = ls${j} + e, bq = t2 - ls${j}, e2 = (ls${j} - (t2 - bq)) + (e - bq);
            ls${j} = t2;
            if (e2 !== 0) addExact(s${j}.sx, e2);
          } else addExact(s${j}.sx, v);`;
      }
      steps[j] = makeStep(entry, st, entry.cap);
      head.push(`const P${j} = P[${j}];`);
      body.push(
        seenFirst,
        `if (a${j}) ${open} try {`,
        `  r${j}++;`,
        numeric
          ? `  const v0 = ${read}, v = typeof v0 === "boolean" ? +v0 : v0;`
          : `  const v = ${read};`,
        `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
        `  if (!(v === null || v === undefined || v !== v)) { ${add} }`,
        `} catch (err) { a${j} = false; fail(${j}, err); } }`,
      );
      return;
    }
    if (st.k === "unique" && entry.spec.kind === "unique") {
      steps.push(null);
      head.push(
        `const s${j} = S[${j}], mp${j} = s${j}.map;`,
        `let e${j} = 0, m${j} = 0, n${j} = s${j}.seen[0];`,
      );
      flush.push(
        `s${j}.element += e${j}; s${j}.missing += m${j}; s${j}.seen[0] = n${j};`,
      );
      body.push(
        seenFirst,
        `if (a${j}) ${open} try {`,
        `  e${j}++; const v = ${read};`,
        `  if (!n${j} && (v !== undefined || Object.hasOwn(row, ${col}))) n${j} = true;`,
        `  if (v === null || v === undefined || v !== v) m${j}++;`,
        `  else {`,
        `    const key = typeof v === "object" ? keyOf(v) : v, i = base + k, prev = mp${j}.get(key);`,
        `    if (prev === undefined) mp${j}.set(key, i);`,
        `    else if (typeof prev === "number") mp${j}.set(key, { n: 2, idx: [prev, i].slice(0, cap) });`,
        `    else { prev.n++; if (prev.idx.length < cap) prev.idx.push(i); }`,
        `  }`,
        `} catch (err) { a${j} = false; fail(${j}, err); } }`,
      );
      return;
    }
    steps.push(makeStep(entry, st, entry.cap));
    head.push(`const p${j} = P[${j}];`);
    body.push(
      `if (a${j}) { try { p${j}(row, base + k); } catch (err) { a${j} = false; fail(${j}, err); } }`,
    );
  };
  plan.entries.forEach((entry, j) => {
    const h = head.length, b = body.length;
    emit(entry, j);
    // Each expectation keeps its own number of samples (its result format).
    const own = (line: string) => line.replace(/\bcap\b/g, `cp${j}`);
    for (let t = h; t < head.length; t++) head[t] = own(head[t]!);
    for (let t = b; t < body.length; t++) body[t] = own(body[t]!);
    if (head.length > h) head.push(`const cp${j} = X.caps[${j}];`);
  });
  const track = columns === null
    ? ""
    : `for (const key in row) if (!CS.has(key)) { CS.add(key); CL.push(key); }`;
  // Only entries still active write back: a failed one's state is an error.
  const guardedFlush = flush.map((line) => {
    const m = /^A\[(\d+)\] = a\d+;$/.exec(line);
    if (m) return line;
    const j = /s(\d+)\./.exec(line)?.[1];
    return j === undefined ? line : `if (a${j}) { ${line} }`;
  });
  const source = `
return function loop(X, rows, n, base) {
  const S = X.S, T = X.T, I = X.I, C = X.C, P = X.P, A = X.A, fail = X.fail, cap = X.cap, CS = X.CS, CL = X.CL;
  ${head.join("\n  ")}
  let bad = -1;
  for (let k = 0; k < n; k++) {
    const row = rows[k];
    if (typeof row !== "object" || row === null || Array.isArray(row)) { bad = k; break; }
    ${track}
    ${body.join("\n    ")}
  }
  ${guardedFlush.join("\n  ")}
  return bad;
};`;
  // Same suite, same source: one shared function, so V8's optimized code is
  // reused across validations and partitions; per-run data comes in `X`.
  let shared = LOOP_CACHE.get(source);
  if (shared === undefined) {
    if (LOOP_CACHE.size >= 64) LOOP_CACHE.clear();
    const factory = new Function(
      "orderOk",
      "addExact",
      "nonNumeric",
      "keyOf",
      "pyStr",
      "kindOf",
      source,
    );
    shared = factory(
      orderOk,
      addExact,
      nonNumeric,
      keyOf,
      pyStr,
      kindOf,
    ) as SharedLoop;
    LOOP_CACHE.set(source, shared);
  }
  const ctx = {
    S: states,
    T: tests,
    I: inlines,
    C: conds,
    P: steps,
    A: active,
    fail,
    cap: plan.cap,
    caps: plan.entries.map((e) => e.cap),
    CS: columnSet,
    CL: columns,
  };
  const loop = shared;
  return (rows, n, base) => loop(ctx, rows, n, base);
}

/** Accumulates rows of one partition (or one whole input) in a single pass. */
export class Accumulator {
  #plan: Plan;
  #states: ExpState[];
  #rows = 0;
  #columns: string[] | null;
  #badRow: { index: number; value: string } | null = null;
  #loop: Loop;
  #buffer: unknown[] = [];

  constructor(plan: Plan) {
    this.#plan = plan;
    this.#states = plan.entries.map(newState);
    const active = plan.entries.map(() => true);
    this.#columns = plan.needsColumns ? [] : null;
    const fail = (j: number, error: unknown): void => {
      this.#states[j] = errorState(error);
    };
    this.#loop = compileLoop(
      plan,
      this.#states,
      active,
      fail,
      this.#columns,
      plan.needsColumns ? new Set() : null,
    );
  }

  #run(rows: ArrayLike<unknown>, n: number): boolean {
    if (this.#badRow !== null) return false;
    const bad = this.#loop(rows, n, this.#rows);
    if (bad >= 0) {
      this.#rows += bad;
      this.#badRow = { index: this.#rows, value: describeValue(rows[bad]) };
      return false;
    }
    this.#rows += n;
    return true;
  }

  #flush(): boolean {
    if (this.#buffer.length === 0) return this.#badRow === null;
    const ok = this.#run(this.#buffer, this.#buffer.length);
    this.#buffer.length = 0;
    return ok;
  }

  /**
   * Adds one row (buffered; checks run every 1024 rows and at the end).
   * Returns false once a row that is not an object was met.
   */
  add(row: unknown): boolean {
    if (this.#badRow !== null) return false;
    this.#buffer.push(row);
    if (this.#buffer.length >= BATCH) return this.#flush();
    return true;
  }

  /** Adds rows; returns false once a row that is not an object was met. */
  addAll(rows: Iterable<unknown>): boolean {
    if (Array.isArray(rows)) {
      if (!this.#flush()) return false;
      return this.#run(rows, rows.length);
    }
    for (const row of rows) if (!this.add(row)) return false;
    return this.#flush();
  }

  /** The accumulated state. */
  snapshot(): PartialState {
    this.#flush();
    return {
      rows: this.#rows,
      columns: this.#columns,
      badRow: this.#badRow,
      cap: this.#plan.cap,
      caps: this.#plan.entries.map((e) => e.cap),
      states: this.#states,
    };
  }
}
