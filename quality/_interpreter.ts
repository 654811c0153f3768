// The reference evaluator: the same plan, states and results as the compiled
// loop (_loop.ts), one plain step per expectation and row, no code
// generation. It is slow and simple on purpose; the property test in
// tests/quality/engine_property_test.ts checks that the compiled loop
// agrees with it on random rows and suites.

import { addExact } from "./_exact_sum.ts";
import { kindOf } from "./_dtype.ts";
import type { Entry, Plan } from "./_plan.ts";
import { TYPE_EXPECTATIONS } from "./_plan.ts";
import { intern } from "./_row_condition.ts";
import {
  addOrdered,
  errorState,
  type ExpState,
  makeStep,
  newState,
  nonNumeric,
  orderOk,
  type PartialState,
  readOwn,
  type Row,
  type Step,
} from "./_state.ts";
import { describeValue } from "./errors.ts";
import { isMissing, keyOf } from "./_values.ts";

function interpretStep(
  entry: Entry,
  state: ExpState,
  cap: number,
): Step | null {
  const col = intern(entry.column);
  const cond = entry.cond;
  const keep = (
    s: { vals: unknown[]; idx: number[] },
    v: unknown,
    i: number,
  ) => {
    if (s.vals.length < cap) {
      s.vals.push(v);
      s.idx.push(i);
    }
  };
  switch (state.k) {
    case "map": {
      const s = state;
      if (entry.spec.kind === "null_map") {
        const nullIsUnexpected =
          entry.spec.type === "expect_column_values_to_not_be_null";
        return (row, i) => {
          if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
          if (cond !== null && !cond(row)) return;
          s.element++;
          const v = readOwn(row, col);
          const miss = isMissing(v);
          if (miss === nullIsUnexpected) {
            s.unexpected++;
            keep(s, miss ? null : v, i);
          }
        };
      }
      const test = entry.test!;
      const kinds = TYPE_EXPECTATIONS.includes(entry.spec.type);
      return (row, i) => {
        if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        const v = readOwn(row, col);
        if (kinds) s.kinds |= kindOf(v);
        if (isMissing(v)) s.missing++;
        else if (!test(v)) {
          s.unexpected++;
          keep(s, v, i);
        }
      };
    }
    case "order": {
      const s = state;
      return (row, i) => {
        if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        const v = readOwn(row, col);
        if (isMissing(v)) {
          s.missing++;
          return;
        }
        if (s.hasLast) {
          if (!orderOk(s, s.last, v)) {
            s.unexpected++;
            keep(s, v, i);
          }
        } else {
          s.hasLast = true;
          s.first = v;
          s.firstIdx = i;
        }
        s.last = v;
      };
    }
    case "unique": {
      if (entry.spec.kind !== "unique") return makeStep(entry, state, cap);
      const s = state;
      return (row, i) => {
        if (!s.seen[0] && Object.hasOwn(row, col)) s.seen[0] = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        const v = readOwn(row, col);
        if (isMissing(v)) {
          s.missing++;
          return;
        }
        const key = typeof v === "object" ? keyOf(v) : v;
        const prev = s.map.get(key);
        if (prev === undefined) s.map.set(key, i);
        else if (typeof prev === "number") {
          s.map.set(key, { n: 2, idx: [prev, i].slice(0, cap) });
        } else {
          prev.n++;
          if (prev.idx.length < cap) prev.idx.push(i);
        }
      };
    }
    case "agg": {
      const s = state;
      const metric = s.metric;
      const numeric = metric === "mean" || metric === "sum" ||
        metric === "stdev" || metric === "median";
      return (row) => {
        if (!s.seen && Object.hasOwn(row, col)) s.seen = true;
        if (cond !== null && !cond(row)) return;
        s.element++;
        const raw = readOwn(row, col);
        const v = numeric && typeof raw === "boolean" ? +raw : raw;
        if (isMissing(v)) return;
        if (numeric) {
          if (typeof v !== "number") nonNumeric(col, metric, v);
          s.n++;
          if (metric === "median" || metric === "stdev") s.values.push(v);
          else addExact(s.sx, v);
        } else if (metric === "min" || metric === "max") addOrdered(s, col, v);
        else {
          s.n++;
          const key = typeof v === "object" ? keyOf(v) : v;
          if (metric.startsWith("distinct_")) {
            s.counts.set(key, (s.counts.get(key) ?? 0) + 1);
          } else s.set.add(key);
        }
      };
    }
    case "error":
    case "table":
      return null;
    default: // pair, rowmap, values: the compiled loop calls these steps too
      return makeStep(entry, state, cap);
  }
}

/** Evaluates rows with the plan, one step at a time: the reference result. */
export function interpret(plan: Plan, rows: Iterable<unknown>): PartialState {
  const states = plan.entries.map(newState);
  const steps = plan.entries.map((e, j) => interpretStep(e, states[j]!, e.cap));
  const columns: string[] | null = plan.needsColumns ? [] : null;
  const seen = new Set<string>();
  let n = 0;
  let badRow: PartialState["badRow"] = null;
  for (const row of rows) {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      badRow = { index: n, value: describeValue(row) };
      break;
    }
    if (columns !== null) {
      for (const key in row) {
        if (!seen.has(key)) {
          seen.add(key);
          columns.push(key);
        }
      }
    }
    for (let j = 0; j < steps.length; j++) {
      const step = steps[j];
      if (!step) continue;
      try {
        step(row as Row, n);
      } catch (error) {
        states[j] = errorState(error);
        steps[j] = null;
      }
    }
    n++;
  }
  return {
    rows: n,
    columns,
    badRow,
    cap: plan.cap,
    caps: plan.entries.map((e) => e.cap),
    states,
  };
}
