// The per-expectation states of a validation: plain, structured-cloneable
// objects (one kind per way of evaluating), the reference step that feeds
// one row into each kind, and the merge of two partitions' states in row
// order. The compiled loop (_loop.ts) inlines the same steps.

import { decodeKey } from "../internal/keys.ts";
import { describeValue, QualityError } from "./errors.ts";
import { type ExactSum, mergeExact, newSum } from "./_exact_sum.ts";
import { intern } from "./_row_condition.ts";
import { compareSameKind, isMissing } from "./_values.ts";
import { asDate, type Entry } from "./_plan.ts";
import { isRecord } from "./_results.ts";

export type Row = Record<string, unknown>;
export type Step = (row: Row, index: number) => void;

export interface ErrorState {
  k: "error";
  message: string;
  traceback: string | null;
}
export interface MapState {
  k: "map";
  element: number;
  missing: number;
  unexpected: number;
  vals: unknown[];
  idx: number[];
  seen: boolean;
  /** Kind bits of every value (type expectations only: the column's dtype). */
  kinds: number;
}
export interface OrderState extends Omit<MapState, "k" | "kinds"> {
  k: "order";
  dir: 1 | -1;
  strictly: boolean;
  hasLast: boolean;
  first: unknown;
  firstIdx: number;
  last: unknown;
}
export interface DupEntry {
  n: number;
  idx: number[];
}
export interface UniqueState {
  k: "unique";
  element: number;
  missing: number;
  seen: boolean[];
  /** First index of each value's key; an entry once the value repeats. */
  map: Map<unknown, number | DupEntry>;
}
export interface AggState {
  k: "agg";
  metric: string;
  seen: boolean;
  /** Rows considered (after the row condition). */
  element: number;
  /** Non-null values. */
  n: number;
  sx: ExactSum;
  values: number[];
  best: unknown;
  set: Set<unknown>;
  /** Value counts, for the distinct-set expectations. */
  counts: Map<unknown, number>;
}
export interface PairState extends Omit<MapState, "k" | "seen" | "kinds"> {
  k: "pair";
  seen: boolean[];
}
/** A test over several columns of each row. */
export interface RowMapState {
  k: "rowmap";
  element: number;
  missing: number;
  unexpected: number;
  vals: unknown[];
  idx: number[];
  seen: boolean[];
}
/**
 * Every non-null value with its row index, for statistics that need them
 * all (modes, quantiles, z-scores): memory grows with the column.
 */
export interface ValuesState {
  k: "values";
  element: number;
  missing: number;
  seen: boolean;
  vals: unknown[];
  idx: number[];
}
export interface TableState {
  k: "table";
}
export type ExpState =
  | ErrorState
  | MapState
  | OrderState
  | UniqueState
  | AggState
  | PairState
  | RowMapState
  | ValuesState
  | TableState;

/**
 * What one partition (or one whole input) leaves behind: row count, columns
 * seen, and one state per expectation. Structured-cloneable, so a worker can
 * post it back; merge with `mergePartialStates`.
 *
 * @example Count rows of a partition
 * ```ts
 * import { evaluatePartition, ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const state = evaluatePartition([{ a: 1 }, { a: 2 }], new ExpectationSuite("s"));
 * assert.deepEqual(state.rows, 2);
 * ```
 */
export interface PartialState {
  /** Rows read. */
  rows: number;
  /** Columns seen in first-seen order, when a table expectation needs them. */
  columns: string[] | null;
  /** The first row that was not an object. */
  badRow: { index: number; value: string } | null;
  /** How many unexpected values each state keeps (Infinity for COMPLETE). */
  cap: number;
  /** Per expectation, when one's `result_format` kwarg differs from the run's. */
  caps?: number[];
  /** One state per expectation, in suite order. */
  states: unknown[];
}

// Frames below the engine's entry points depend on the caller (array, stream
// or worker), so they are cut: the same failure reads the same everywhere.
const CALLER_FRAME =
  /\b(compilePlan|Accumulator|#run|#flush|finalize|Array\.map)\b/;

function cleanTrace(stack: string | undefined): string | null {
  if (!stack) return null;
  const out: string[] = [];
  for (const line of stack.split("\n")) {
    if (/^\s+at /.test(line) && CALLER_FRAME.test(line)) break;
    out.push(line);
  }
  return out.join("\n");
}

export function errorState(error: unknown): ErrorState {
  if (error instanceof Error) {
    return {
      k: "error",
      message: error.message,
      traceback: cleanTrace(error.stack),
    };
  }
  return { k: "error", message: String(error), traceback: null };
}

export function newState(entry: Entry): ExpState {
  if (entry.error) return entry.error;
  const kw = entry.config.kwargs;
  switch (entry.spec.kind) {
    case "map":
    case "null_map":
      return {
        k: "map",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: false,
        kinds: 0,
      };
    case "order":
      return {
        k: "order",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: false,
        dir: entry.spec.type.endsWith("increasing") ? 1 : -1,
        strictly: kw.strictly === true,
        hasLast: false,
        first: null,
        firstIdx: 0,
        last: null,
      };
    case "unique":
    case "compound_unique":
      return {
        k: "unique",
        element: 0,
        missing: 0,
        seen: entry.spec.kind === "unique"
          ? [false]
          : entry.columns.map(() => false),
        map: new Map(),
      };
    case "aggregate":
      return {
        k: "agg",
        metric: entry.spec.metric!,
        seen: false,
        element: 0,
        n: 0,
        sx: newSum(),
        values: [],
        best: null,
        set: new Set(),
        counts: new Map(),
      };
    case "pair":
      return {
        k: "pair",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: [false, false],
      };
    case "rowmap":
      return {
        k: "rowmap",
        element: 0,
        missing: 0,
        unexpected: 0,
        vals: [],
        idx: [],
        seen: entry.columns.map(() => false),
      };
    case "values":
      return {
        k: "values",
        element: 0,
        missing: 0,
        seen: false,
        vals: [],
        idx: [],
      };
    case "table":
      return { k: "table" };
  }
}

export function orderOk(s: OrderState, prev: unknown, v: unknown): boolean {
  // Numbers compare directly (as the compiled loop does): Infinity follows Infinity.
  const c =
    (typeof prev === "number" && typeof v === "number"
      ? (prev < v ? -1 : prev > v ? 1 : 0)
      : compareSameKind(prev, v)) * s.dir;
  return s.strictly ? c < 0 : c <= 0;
}

// Steps the compiled loop calls for what it does not inline: compound
// uniqueness, column pairs, and the first value of a min/max.
export function makeStep(
  entry: Entry,
  state: ExpState,
  cap: number,
): Step | null {
  const col = intern(entry.column);
  const cond = entry.cond;
  switch (state.k) {
    case "unique": {
      const s = state;
      const map = s.map;
      const cols = entry.columns.map(intern);
      const rule = entry.config.kwargs.ignore_row_if ??
        "all_values_are_missing";
      return (row, i) => {
        for (let c = 0; c < cols.length; c++) {
          if (!s.seen[c] && Object.hasOwn(row, cols[c]!)) s.seen[c] = true;
        }
        if (cond !== null && !cond(row)) return;
        s.element++;
        let nMissing = 0;
        const values: unknown[] = new Array(cols.length);
        for (let c = 0; c < cols.length; c++) {
          const v = readOwn(row, cols[c]!);
          if (isMissing(v)) nMissing++;
          values[c] = v;
        }
        if (
          (rule === "all_values_are_missing" && nMissing === cols.length) ||
          (rule === "any_value_is_missing" && nMissing > 0)
        ) {
          s.missing++;
          return;
        }
        const key = compoundKey(values);
        const prev = map.get(key);
        if (prev === undefined) map.set(key, i);
        else if (typeof prev === "number") {
          map.set(key, { n: 2, idx: [prev, i].slice(0, cap) });
        } else {
          prev.n++;
          if (prev.idx.length < cap) prev.idx.push(i);
        }
      };
    }
    case "pair": {
      const s = state;
      const [ca, cb] = entry.columns.map(intern) as [string, string];
      const kw = entry.config.kwargs;
      const rule = kw.ignore_row_if ?? "both_values_are_missing";
      const equal = entry.spec.type === "expect_column_pair_values_to_be_equal";
      const orEqual = kw.or_equal === true;
      const parseDates = kw.parse_strings_as_datetimes === true;
      return (row, i) => {
        if (!s.seen[0] && Object.hasOwn(row, ca)) s.seen[0] = true;
        if (!s.seen[1] && Object.hasOwn(row, cb)) s.seen[1] = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        let a = readOwn(row, ca), b = readOwn(row, cb);
        if (parseDates) {
          a = asDate(a);
          b = asDate(b);
        }
        const ma = isMissing(a), mb = isMissing(b);
        if (
          (rule === "both_values_are_missing" && ma && mb) ||
          (rule === "either_value_is_missing" && (ma || mb))
        ) {
          s.missing++;
          return;
        }
        let ok: boolean;
        if (equal) ok = !ma && !mb && (a === b || compareSameKind(a, b) === 0);
        else {
          const c = compareSameKind(a, b);
          ok = orEqual ? c >= 0 : c > 0;
        }
        if (!ok) {
          s.unexpected++;
          if (s.vals.length < cap) {
            s.vals.push([a ?? null, b ?? null]);
            s.idx.push(i);
          }
        }
      };
    }
    case "agg": {
      // The compiled loop counts the row and reads the value; this takes a
      // min/max value it did not handle inline (a string, a Date, a first value).
      const s = state;
      return (row) => {
        const v = readOwn(row, col);
        if (!isMissing(v)) addOrdered(s, col, v);
      };
    }
    case "rowmap": {
      const s = state;
      const cols = entry.columns.map(intern);
      const pairs = typeof entry.config.kwargs.column_A === "string";
      const rule = entry.config.kwargs.ignore_row_if ??
        (pairs ? "both_values_are_missing" : "all_values_are_missing");
      const test = entry.rowTest!;
      const buffer: unknown[] = new Array(cols.length).fill(null);
      return (row, i) => {
        for (let c = 0; c < cols.length; c++) {
          if (!s.seen[c] && Object.hasOwn(row, cols[c]!)) s.seen[c] = true;
        }
        if (cond !== null && !cond(row)) return;
        s.element++;
        let nMissing = 0;
        // One buffer for every row (copied only into a sample): a test over
        // several columns must not allocate per row.
        const values = buffer;
        for (let c = 0; c < cols.length; c++) {
          const v = readOwn(row, cols[c]!);
          if (isMissing(v)) nMissing++;
          values[c] = v ?? null;
        }
        if (
          ((rule === "both_values_are_missing" ||
            rule === "all_values_are_missing") && nMissing === cols.length) ||
          ((rule === "either_value_is_missing" ||
            rule === "any_value_is_missing") && nMissing > 0)
        ) {
          s.missing++;
          return;
        }
        if (!test(values)) {
          s.unexpected++;
          if (s.vals.length < cap) {
            s.vals.push(
              pairs
                ? [...values]
                : Object.fromEntries(cols.map((c, k) => [c, values[k]])),
            );
            s.idx.push(i);
          }
        }
      };
    }
    case "values": {
      const s = state;
      if (entry.columns.length === 2) { // a column pair: every row's two values
        const [a, b] = entry.columns.map(intern) as [string, string];
        return (row, i) => {
          if (!s.seen && Object.hasOwn(row, a) && Object.hasOwn(row, b)) {
            s.seen = true;
          }
          if (cond !== null && !cond(row)) return;
          s.element++;
          const va = readOwn(row, a), vb = readOwn(row, b);
          if (isMissing(va) || isMissing(vb)) s.missing++;
          s.vals.push([isMissing(va) ? null : va, isMissing(vb) ? null : vb]);
          s.idx.push(i);
        };
      }
      return (row, i) => {
        if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        const v = readOwn(row, col);
        if (isMissing(v)) s.missing++;
        else {
          s.vals.push(v);
          s.idx.push(i);
        }
      };
    }
    default:
      return null;
  }
}

/** Feeds a non-missing value to a min or max. */
export function addOrdered(s: AggState, col: string, v: unknown): void {
  const metric = s.metric;
  if (typeof v !== "number" && typeof v !== "string" && !(v instanceof Date)) {
    throw new QualityError(
      `Column "${col}" has a value without an order for ${metric}: ${
        describeValue(v)
      }`,
    );
  }
  s.n++;
  if (s.best === null) s.best = v;
  else {
    // Numbers compare directly: Infinity - Infinity would read as a type mix.
    const c = typeof v === "number" && typeof s.best === "number"
      ? (v < s.best ? -1 : v > s.best ? 1 : 0)
      : compareSameKind(v, s.best);
    if (Number.isNaN(c)) {
      throw new QualityError(
        `Column "${col}" mixes types for ${metric}: ${
          describeValue(s.best)
        } and ${describeValue(v)}`,
      );
    }
    if (metric === "min" ? c < 0 : c > 0) s.best = v;
  }
}

/** A row's own value of a column (never an Object.prototype member). */
export function readOwn(row: Row, name: string): unknown {
  const v = row[name];
  return v === undefined || Object.hasOwn(row, name) ? v : undefined;
}

export function compoundKey(values: unknown[]): string {
  return JSON.stringify(
    values.map((v) => (v instanceof Date ? { $date: v.getTime() } : v ?? null)),
  );
}

function revive(v: unknown): unknown {
  if (
    isRecord(v) && typeof v.$date === "number" && Object.keys(v).length === 1
  ) return new Date(v.$date);
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

export function compoundValue(
  key: unknown,
  columns: string[],
): Record<string, unknown> {
  const values = JSON.parse(key as string) as unknown[];
  const dict: Record<string, unknown> = {};
  for (let c = 0; c < columns.length; c++) {
    dict[columns[c]!] = revive(values[c]);
  }
  return dict;
}

/** Recovers a value from its keyOf() key. */
export function valueFromKey(key: unknown): unknown {
  if (typeof key !== "string") return key;
  if (key.startsWith("\u0000")) return decodeKey(key.slice(1));
  if (key.startsWith("\u0001")) return key.slice(1);
  return key;
}

export function nonNumeric(column: string, metric: string, v: unknown): never {
  throw new QualityError(
    `Column "${column}" has a non-numeric value for ${metric}: ${
      describeValue(v)
    }`,
  );
}

function takeSamples(
  a: { vals: unknown[]; idx: number[] },
  vals: unknown[],
  idx: number[],
  offset: number,
  cap: number,
): void {
  for (let t = 0; t < vals.length && a.vals.length < cap; t++) {
    a.vals.push(vals[t]);
    a.idx.push(idx[t]! + offset);
  }
}

function mergeState(
  x: ExpState,
  y: ExpState,
  offset: number,
  cap: number,
): ExpState {
  if (x.k === "error") return x;
  if (y.k === "error") return y;
  if (x.k === "map" && y.k === "map") {
    x.element += y.element;
    x.missing += y.missing;
    x.unexpected += y.unexpected;
    x.seen ||= y.seen;
    x.kinds |= y.kinds;
    takeSamples(x, y.vals, y.idx, offset, cap);
    return x;
  }
  if (x.k === "order" && y.k === "order") {
    x.element += y.element;
    x.missing += y.missing;
    x.seen ||= y.seen;
    if (x.hasLast && y.hasLast && !orderOk(x, x.last, y.first)) {
      // The boundary pair: y's first value was never compared inside y.
      x.unexpected++;
      takeSamples(x, [y.first], [y.firstIdx], offset, cap);
    }
    x.unexpected += y.unexpected;
    takeSamples(x, y.vals, y.idx, offset, cap);
    if (!x.hasLast && y.hasLast) {
      x.hasLast = true;
      x.first = y.first;
      x.firstIdx = y.firstIdx + offset;
    }
    if (y.hasLast) x.last = y.last;
    return x;
  }
  if (x.k === "unique" && y.k === "unique") {
    x.element += y.element;
    x.missing += y.missing;
    for (let c = 0; c < x.seen.length; c++) x.seen[c] ||= y.seen[c] ?? false;
    for (const [key, value] of y.map) {
      const prev = x.map.get(key);
      const shifted: number | DupEntry = typeof value === "number"
        ? value + offset
        : { n: value.n, idx: value.idx.map((i) => i + offset) };
      if (prev === undefined) {
        x.map.set(key, shifted);
        continue;
      }
      const entry: DupEntry = typeof prev === "number"
        ? { n: 1, idx: [prev].slice(0, cap) }
        : prev;
      if (typeof shifted === "number") {
        entry.n++;
        if (entry.idx.length < cap) entry.idx.push(shifted);
      } else {
        entry.n += shifted.n;
        for (const i of shifted.idx) {
          if (entry.idx.length < cap) entry.idx.push(i);
        }
      }
      x.map.set(key, entry);
    }
    return x;
  }
  if (x.k === "pair" && y.k === "pair") {
    x.element += y.element;
    x.missing += y.missing;
    x.unexpected += y.unexpected;
    x.seen = [x.seen[0]! || y.seen[0]!, x.seen[1]! || y.seen[1]!];
    takeSamples(x, y.vals, y.idx, offset, cap);
    return x;
  }
  if (x.k === "rowmap" && y.k === "rowmap") {
    x.element += y.element;
    x.missing += y.missing;
    x.unexpected += y.unexpected;
    x.seen = x.seen.map((v, c) => v || (y.seen[c] ?? false));
    takeSamples(x, y.vals, y.idx, offset, cap);
    return x;
  }
  if (x.k === "values" && y.k === "values") {
    x.element += y.element;
    x.missing += y.missing;
    x.seen ||= y.seen;
    for (let t = 0; t < y.vals.length; t++) {
      x.vals.push(y.vals[t]);
      x.idx.push(y.idx[t]! + offset);
    }
    return x;
  }
  if (x.k === "agg" && y.k === "agg") {
    x.seen ||= y.seen;
    x.element += y.element;
    x.n += y.n;
    mergeExact(x.sx, y.sx);
    for (const v of y.values) x.values.push(v);
    for (const v of y.set) x.set.add(v);
    for (const [k, n] of y.counts) x.counts.set(k, (x.counts.get(k) ?? 0) + n);
    if (y.best !== null) {
      if (x.best === null) x.best = y.best;
      else {
        const c = compareSameKind(y.best, x.best);
        if (Number.isNaN(c)) {
          return errorState(
            new QualityError(
              `Column mixes types for ${x.metric}: ${
                describeValue(x.best)
              } and ${describeValue(y.best)}`,
            ),
          );
        }
        if (x.metric === "min" ? c < 0 : c > 0) x.best = y.best;
      }
    }
    return x;
  }
  return x;
}

/** Merges partition `b` (which follows `a` in row order) into `a`; returns `a`. */
export function mergeStates(a: PartialState, b: PartialState): PartialState {
  const offset = a.rows;
  if (a.badRow === null && b.badRow !== null) {
    a.badRow = { index: b.badRow.index + offset, value: b.badRow.value };
  }
  a.rows += b.rows;
  if (a.columns !== null && b.columns !== null) {
    const set = new Set(a.columns);
    for (const c of b.columns) if (!set.has(c)) a.columns.push(c);
  }
  for (let j = 0; j < a.states.length; j++) {
    a.states[j] = mergeState(
      a.states[j] as ExpState,
      b.states[j] as ExpState,
      offset,
      a.caps?.[j] ?? a.cap,
    );
  }
  return a;
}
