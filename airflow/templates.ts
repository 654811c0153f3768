/**
 * Jinja-like templates for operator fields, with a small grammar and no
 * code evaluation: `{{ expr }}` is replaced by the value of `expr`, where
 *
 * ```
 * expr  := call | path | string | number
 * path  := name ( "." name | "[" (string | number) "]" )*
 * call  := path "(" [ arg ( "," arg )* ] ")"      only the functions below
 * arg   := [ name "=" ] ( string | number | path )
 * ```
 *
 * Names are Airflow's context variables: `ds`, `ds_nodash`, `ts`,
 * `ts_nodash`, `logical_date`, `data_interval_start`, `data_interval_end`,
 * `run_id`, `dag.dag_id`, `task.task_id`, `ti.try_number`, `params.<name>`,
 * `var.value.<key>`, `var.json.<key>…`, `conn.<conn_id>.<field>`; the
 * functions are `ti.xcom_pull(task_ids=…, key=…)` and
 * `macros.ds_add(ds, days)`. Dates print as Python prints them
 * (`2024-01-01T00:00:00+00:00`), `None` for a missing value; an unknown
 * name is an AirflowError naming it and the template.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";

/** What a template sees: plain values, and functions for the calls. */
export type TemplateContext = Record<string, unknown>;

/** Python's `str()` of a UTC datetime: `2024-01-01T00:00:00+00:00`. */
export function pythonIso(t: number): string {
  return new Date(t).toISOString().replace(/(\.000)?Z$/, "+00:00");
}

type Token =
  | { kind: "name"; value: string }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "punct"; value: string };

function tokenize(expr: string, template: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i))![0];
      out.push({ kind: "name", value: m });
      i += m.length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(expr.slice(i))?.[0];
      if (!m) throw bad(template, `unexpected "${c}"`);
      out.push({ kind: "number", value: Number(m) });
      i += m.length;
    } else if (c === "'" || c === '"') {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw bad(template, "unterminated string");
      out.push({ kind: "string", value: expr.slice(i + 1, end) });
      i = end + 1;
    } else if (".()[],=".includes(c)) {
      out.push({ kind: "punct", value: c });
      i++;
    } else {
      throw bad(template, `unexpected "${c}"`);
    }
  }
  return out;
}

function bad(template: string, why: string): AirflowError {
  return new AirflowError(`Template is not valid (${why}): ${template}`);
}

class Parser {
  #t: Token[];
  #i = 0;
  constructor(tokens: Token[], readonly template: string) {
    this.#t = tokens;
  }
  peek(value?: string): Token | undefined {
    const t = this.#t[this.#i];
    return value === undefined || (t?.kind === "punct" && t.value === value)
      ? t
      : undefined;
  }
  next(): Token {
    const t = this.#t[this.#i++];
    if (!t) throw bad(this.template, "unexpected end");
    return t;
  }
  expect(value: string): void {
    const t = this.next();
    if (t.kind !== "punct" || t.value !== value) {
      throw bad(this.template, `expected "${value}"`);
    }
  }
  /** Steps back one token (an argument that is not `name=`). */
  back(): void {
    this.#i--;
  }
  done(): boolean {
    return this.#i >= this.#t.length;
  }
}

async function evaluate(p: Parser, ctx: TemplateContext): Promise<unknown> {
  const first = p.next();
  if (first.kind === "string" || first.kind === "number") return first.value;
  if (first.kind !== "name") {
    throw bad(p.template, `unexpected "${first.value}"`);
  }
  const path = [first.value];
  let value: unknown = await lookup(ctx, first.value, path, p.template);
  for (;;) {
    if (p.peek(".")) {
      p.next();
      const name = p.next();
      if (name.kind !== "name") throw bad(p.template, "expected a name");
      path.push(name.value);
      value = await lookup(value, name.value, path, p.template);
    } else if (p.peek("[")) {
      p.next();
      const key = p.next();
      if (key.kind !== "string" && key.kind !== "number") {
        throw bad(p.template, "expected a string or number index");
      }
      p.expect("]");
      path.push(String(key.value));
      value = await lookup(value, String(key.value), path, p.template);
    } else if (p.peek("(")) {
      p.next();
      if (typeof value !== "function") {
        throw bad(p.template, `${path.join(".")} is not a function`);
      }
      const positional: unknown[] = [];
      const named: Record<string, unknown> = {};
      while (!p.peek(")")) {
        const t = p.next();
        if (t.kind === "name" && p.peek("=")) {
          p.next();
          named[t.value] = await evaluateArg(p, ctx);
        } else {
          p.back();
          positional.push(await evaluateArg(p, ctx));
        }
        if (p.peek(",")) p.next();
        else if (!p.peek(")")) throw bad(p.template, 'expected "," or ")"');
      }
      p.expect(")");
      value =
        await (value as (a: unknown[], n: Record<string, unknown>) => unknown)(
          positional,
          named,
        );
    } else {
      return value;
    }
  }
}

function evaluateArg(p: Parser, ctx: TemplateContext): Promise<unknown> {
  return evaluate(p, ctx);
}

async function lookup(
  from: unknown,
  name: string,
  path: string[],
  template: string,
): Promise<unknown> {
  // A namespace whose entries are looked up on demand (var, conn).
  if (from instanceof LazyNamespace) {
    return await from.get(name, path, template);
  }
  if (
    from === null || typeof from !== "object" ||
    !Object.hasOwn(from, name)
  ) {
    throw new AirflowError(
      `Template refers to an undefined name ${path.join(".")}: ${template}`,
    );
  }
  return (from as Record<string, unknown>)[name];
}

/**
 * A namespace whose entries are fetched when a template names them (a
 * variable or a connection from the store).
 */
export class LazyNamespace {
  #get: (name: string) => Promise<unknown>;
  /** Makes a namespace answering with `get`; `undefined` is unknown. */
  constructor(get: (name: string) => Promise<unknown>) {
    this.#get = get;
  }
  /** The entry `name`, or an error naming the path. */
  async get(name: string, path: string[], template: string): Promise<unknown> {
    const v = await this.#get(name);
    if (v === undefined) {
      throw new AirflowError(
        `Template refers to an undefined name ${path.join(".")}: ${template}`,
      );
    }
    return v;
  }
}

/** How a value prints in a rendered template. */
function show(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v instanceof Date) return pythonIso(v.getTime());
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

/**
 * Renders `template` against `ctx`: each `{{ expr }}` is replaced by its
 * value; the rest is kept as written.
 *
 * @example Render Airflow's date variables
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderTemplate } from "./mod.ts";
 * const out = await renderTemplate("data/{{ ds_nodash }}/{{ params.table }}.csv", {
 *   ds_nodash: "20240305",
 *   params: { table: "quakes" },
 * });
 * assert.equal(out, "data/20240305/quakes.csv");
 * ```
 */
export async function renderTemplate(
  template: string,
  ctx: TemplateContext,
): Promise<string> {
  let out = "";
  let i = 0;
  for (;;) {
    const open = template.indexOf("{{", i);
    if (open < 0) return out + template.slice(i);
    const close = template.indexOf("}}", open + 2);
    if (close < 0) throw bad(template, 'missing "}}"');
    out += template.slice(i, open);
    const p = new Parser(
      tokenize(template.slice(open + 2, close), template),
      template,
    );
    const value = await evaluate(p, ctx);
    if (!p.done()) throw bad(template, "unexpected text after an expression");
    out += show(value);
    i = close + 2;
  }
}
