// GE's evaluation parameters: a kwarg `{ "$PARAMETER": "<expression>" }` is
// resolved when the suite runs. The expression is GE's small language:
// numbers, strings, parameter names, + - * / and parentheses, `now()`,
// `datetime(y, m, d[, h, mi, s])` and `timedelta(days=…, weeks=…, …)`.
// Datetimes are JavaScript Dates (UTC); a timedelta is carried in milliseconds.

import { describeValue, QualityError } from "./errors.ts";

/** What a resolution needs: the run's parameters and its "now". */
export interface ParameterContext {
  parameters: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  now: number;
}

/** Whether `v` is `{ "$PARAMETER": string }`. */
export function isParameter(v: unknown): v is { $PARAMETER: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as Record<string, unknown>).$PARAMETER === "string";
}

class Delta {
  constructor(readonly ms: number) {}
}

type Value = number | string | Date | Delta | boolean | null | unknown;

const UNITS: Record<string, number> = {
  milliseconds: 1,
  microseconds: 1e-3,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

function fail(expression: string, why: string): never {
  throw new QualityError(
    `Evaluation parameter ${JSON.stringify(expression)}: ${why}`,
  );
}

function tokenize(src: string): string[] {
  const re =
    /\s*(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|[A-Za-z_][\w.:-]*|"[^"]*"|'[^']*'|[-+*/(),=])/y;
  const out: string[] = [];
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) fail(src, `unexpected character at ${at}`);
    out.push(m[1]!);
    at = re.lastIndex;
  }
  return out;
}

function arithmetic(op: string, a: Value, b: Value, src: string): Value {
  if (typeof a === "number" && typeof b === "number") {
    return op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
  }
  if (a instanceof Date && b instanceof Delta && (op === "+" || op === "-")) {
    return new Date(a.getTime() + (op === "+" ? b.ms : -b.ms));
  }
  if (a instanceof Delta && b instanceof Date && op === "+") {
    return new Date(b.getTime() + a.ms);
  }
  if (a instanceof Date && b instanceof Date && op === "-") {
    return new Delta(a.getTime() - b.getTime());
  }
  if (a instanceof Delta && b instanceof Delta && (op === "+" || op === "-")) {
    return new Delta(op === "+" ? a.ms + b.ms : a.ms - b.ms);
  }
  if (
    a instanceof Delta && typeof b === "number" && (op === "*" || op === "/")
  ) {
    return new Delta(op === "*" ? a.ms * b : a.ms / b);
  }
  if (typeof a === "number" && b instanceof Delta && op === "*") {
    return new Delta(a * b.ms);
  }
  if (typeof a === "string" && typeof b === "string" && op === "+") {
    return a + b;
  }
  return fail(
    src,
    `cannot apply ${op} to ${describeValue(a)} and ${describeValue(b)}`,
  );
}

/** Evaluates one `$PARAMETER` expression. */
export function evaluateParameter(src: string, ctx: ParameterContext): unknown {
  if (Object.hasOwn(ctx.parameters, src)) return ctx.parameters[src];
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const expect = (t: string) => {
    if (tokens[pos] !== t) fail(src, `expected "${t}" at token ${pos}`);
    pos++;
  };
  function call(name: string): Value {
    const args: Value[] = [];
    const named: Record<string, Value> = {};
    expect("(");
    while (peek() !== ")") {
      if (/^[A-Za-z_]\w*$/.test(peek() ?? "") && tokens[pos + 1] === "=") {
        const key = tokens[pos]!;
        pos += 2;
        named[key] = sum();
      } else args.push(sum());
      if (peek() === ",") pos++;
      else if (peek() !== ")") fail(src, `expected "," or ")" at token ${pos}`);
    }
    expect(")");
    const nums = args.map((a) => {
      if (typeof a !== "number") {
        fail(src, `${name}() takes numbers: ${describeValue(a)}`);
      }
      return a;
    });
    switch (name) {
      case "now":
        return new Date(ctx.now);
      case "datetime": {
        const [y, mo = 1, d = 1, h = 0, mi = 0, s = 0] = nums;
        if (y === undefined) fail(src, "datetime() needs a year");
        return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
      }
      case "timedelta": {
        let ms = (nums[0] ?? 0) * UNITS.days! + (nums[1] ?? 0) * 1000;
        for (const [unit, v] of Object.entries(named)) {
          if (!(unit in UNITS) || typeof v !== "number") {
            fail(src, `timedelta() does not take ${unit}=${describeValue(v)}`);
          }
          ms += v * UNITS[unit]!;
        }
        return new Delta(ms);
      }
    }
    return fail(src, `unknown function ${name}()`);
  }
  function atom(): Value {
    const t = tokens[pos++];
    if (t === undefined) fail(src, "ends early");
    if (t === "(") {
      const v = sum();
      expect(")");
      return v;
    }
    if (t === "-") {
      const v = atom();
      if (typeof v === "number") return -v;
      if (v instanceof Delta) return new Delta(-v.ms);
      fail(src, `cannot negate ${describeValue(v)}`);
    }
    if (/^\d/.test(t)) return Number(t);
    if (t[0] === '"' || t[0] === "'") return t.slice(1, -1);
    if (peek() === "(") return call(t);
    if (t === "True") return true;
    if (t === "False") return false;
    if (t === "None") return null;
    if (Object.hasOwn(ctx.parameters, t)) return ctx.parameters[t];
    return fail(
      src,
      `unknown parameter ${t} (given: ${
        Object.keys(ctx.parameters).join(", ") || "none"
      })`,
    );
  }
  function product(): Value {
    let v = atom();
    while (peek() === "*" || peek() === "/") {
      const op = tokens[pos++]!;
      v = arithmetic(op, v, atom(), src);
    }
    return v;
  }
  function sum(): Value {
    let v = product();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[pos++]!;
      v = arithmetic(op, v, product(), src);
    }
    return v;
  }
  const value = sum();
  if (pos !== tokens.length) fail(src, `unexpected "${tokens[pos]}"`);
  if (value instanceof Delta) fail(src, "is a timedelta, not a value");
  return value;
}

/** The kwargs with every `$PARAMETER` replaced by its value. */
export function resolveParameters(
  kwargs: Record<string, unknown>,
  ctx: ParameterContext,
): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (isParameter(v)) return evaluateParameter(v.$PARAMETER, ctx);
    if (Array.isArray(v)) return v.map(walk);
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) out[k] = walk(v);
  return out;
}

/** Whether any kwarg holds a `$PARAMETER`. */
export function hasParameters(kwargs: Record<string, unknown>): boolean {
  return Object.values(kwargs).some((v) =>
    isParameter(v) || (Array.isArray(v) && v.some(isParameter))
  );
}
