// GE's row_condition strings, compiled to predicates over row objects.
// Accepts GE's experimental syntax (`col("mag") > 4 & col("type") == "x"`)
// and the pandas-query subset (`mag > 4 and type == "earthquake"`):
// comparisons, & | ~ and or not, parentheses, .notnull() / .isnull().

import { QualityError } from "./errors.ts";

export type RowPredicate = (row: Record<string, unknown>) => boolean;

type Token =
  | { t: "op"; v: string }
  | { t: "name"; v: string }
  | { t: "lit"; v: unknown };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["==", "!=", "<=", ">=", "&&", "||"].includes(two)) {
      out.push({ t: "op", v: two === "&&" ? "&" : two === "||" ? "|" : two });
      i += 2;
      continue;
    }
    if ("<>()&|~!.,".includes(c)) {
      out.push({ t: "op", v: c === "!" ? "~" : c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        s += src[j];
        j++;
      }
      if (j >= src.length) {
        throw new QualityError(`Unterminated string in row condition: ${src}`);
      }
      out.push({ t: "lit", v: s });
      i = j + 1;
      continue;
    }
    if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) {
        throw new QualityError(
          `Unterminated backtick name in row condition: ${src}`,
        );
      }
      out.push({ t: "name", v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const num = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (
      num && (c !== "-" || out.length === 0 || out[out.length - 1]!.t === "op")
    ) {
      out.push({ t: "lit", v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      if (w === "and") out.push({ t: "op", v: "&" });
      else if (w === "or") out.push({ t: "op", v: "|" });
      else if (w === "not") out.push({ t: "op", v: "~" });
      else if (w === "True" || w === "true") out.push({ t: "lit", v: true });
      else if (w === "False" || w === "false") out.push({ t: "lit", v: false });
      else if (w === "None" || w === "null") out.push({ t: "lit", v: null });
      else out.push({ t: "name", v: w });
      i += w.length;
      continue;
    }
    throw new QualityError(
      `Unexpected character in row condition at ${i}: ${JSON.stringify(c)}`,
    );
  }
  return out;
}

type Value = (row: Record<string, unknown>) => unknown;

/**
 * The internalized copy of a property name. Names from parsed or cloned JSON
 * may be fresh string objects; optimized code compares keys by identity and
 * deoptimizes on every new copy.
 */
export function intern(name: string): string {
  return Object.keys({ [name]: 0 })[0]!;
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined ||
    (typeof v === "number" && Number.isNaN(v));
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (op === "==") return a === b || (isNullish(a) && b === null);
  if (op === "!=") return !(a === b || (isNullish(a) && b === null));
  if (isNullish(a) || isNullish(b)) return false;
  if (typeof a !== typeof b) return false;
  const x = a as number, y = b as number;
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

/** Compiles a row condition; throws a plain Error with the reason on bad syntax. */
export function compileRowCondition(source: string): RowPredicate {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (v: string): boolean => {
    const t = peek();
    return t !== undefined && t.t === "op" && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) {
      throw new QualityError(
        `Expected "${v}" in row condition at token ${pos}: ${source}`,
      );
    }
    pos++;
  };

  function operand(): Value {
    const t = peek();
    if (!t) throw new QualityError(`Row condition ends early: ${source}`);
    if (t.t === "lit") {
      pos++;
      const v = t.v;
      return () => v;
    }
    if (t.t === "name") {
      pos++;
      let name = t.v;
      if (name === "col" && isOp("(")) {
        pos++;
        const arg = peek();
        if (!arg || arg.t !== "lit" || typeof arg.v !== "string") {
          throw new QualityError(
            `Function col() takes a quoted column name: ${source}`,
          );
        }
        name = arg.v;
        pos++;
        expect(")");
      }
      const column = intern(name);
      return (row) => row[column];
    }
    throw new QualityError(
      `Unexpected token in row condition: ${JSON.stringify(t.v)}`,
    );
  }

  function comparison(): RowPredicate {
    if (isOp("(")) {
      pos++;
      const inner = disjunction();
      expect(")");
      return inner;
    }
    if (isOp("~")) {
      pos++;
      const inner = comparison();
      return (row) => !inner(row);
    }
    const left = operand();
    if (isOp(".")) {
      pos++;
      const m = peek();
      if (!m || m.t !== "name") {
        throw new QualityError(
          `Expected a method after "." in row condition: ${source}`,
        );
      }
      pos++;
      expect("(");
      expect(")");
      const method = m.v.toLowerCase();
      if (method === "notnull" || method === "notna") {
        return (row) => !isNullish(left(row));
      }
      if (method === "isnull" || method === "isna") {
        return (row) => isNullish(left(row));
      }
      throw new QualityError(`Unknown method in row condition: ${m.v}`);
    }
    const t = peek();
    if (t && t.t === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.v)) {
      pos++;
      const right = operand();
      const op = t.v;
      return (row) => compare(op, left(row), right(row));
    }
    return (row) => {
      const v = left(row);
      return !isNullish(v) && v !== false && v !== 0 && v !== "";
    };
  }

  function conjunction(): RowPredicate {
    let left = comparison();
    while (isOp("&")) {
      pos++;
      const a = left, b = comparison();
      left = (row) => a(row) && b(row);
    }
    return left;
  }

  function disjunction(): RowPredicate {
    let left = conjunction();
    while (isOp("|")) {
      pos++;
      const a = left, b = conjunction();
      left = (row) => a(row) || b(row);
    }
    return left;
  }

  if (tokens.length === 0) {
    throw new QualityError(`Row condition is empty: ${JSON.stringify(source)}`);
  }
  const predicate = disjunction();
  if (pos !== tokens.length) {
    throw new QualityError(
      `Unexpected trailing tokens in row condition: ${source}`,
    );
  }
  return predicate;
}
