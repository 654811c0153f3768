/**
 * DAG params with defaults and validation, as Airflow's `Param`: a DAG
 * declares each param's default and the rule its value follows (a subset
 * of JSON Schema: `type`, `enum`, `minimum`, `maximum`, `minLength`,
 * `maxLength`, `pattern`); a run's conf overrides the defaults and every
 * value is checked when the run is created.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";

/** JSON Schema's type names. */
export type ParamType =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "array"
  | "object"
  | "null";

/** The rule a param's value follows. */
export interface ParamSchema {
  /**
   * Allowed type, or types.
   * @default {any}
   */
  type?: ParamType | ParamType[];
  /**
   * Allowed values.
   * @default {any}
   */
  enum?: unknown[];
  /**
   * Smallest number allowed.
   * @default {undefined}
   */
  minimum?: number;
  /**
   * Largest number allowed.
   * @default {undefined}
   */
  maximum?: number;
  /**
   * Shortest string allowed.
   * @default {undefined}
   */
  minLength?: number;
  /**
   * Longest string allowed.
   * @default {undefined}
   */
  maxLength?: number;
  /**
   * A regular expression a string must match.
   * @default {undefined}
   */
  pattern?: string;
  /**
   * What the param is for.
   * @default {""}
   */
  description?: string;
}

/** Marks a param without a default: every run must give it. */
const REQUIRED = Symbol("required");

/**
 * A DAG param with a default and a schema, as Airflow's `Param`.
 *
 * @example A validated param
 * ```ts
 * import assert from "node:assert/strict";
 * import { AirflowError, DAG, Param } from "./mod.ts";
 * const dag = new DAG("quakes", {
 *   params: { minMag: new Param(4, { type: "number", minimum: 0, maximum: 10 }) },
 * });
 * dag.task("show", (ctx) => ctx.params.minMag);
 * assert.equal((await dag.test()).tasks.show?.xcom, 4);
 * assert.equal((await dag.test({ params: { minMag: 6 } })).tasks.show?.xcom, 6);
 * await assert.rejects(dag.test({ params: { minMag: 12 } }), AirflowError);
 * ```
 */
export class Param {
  /** The default value (absent for a required param). */
  readonly value: unknown;
  /** The schema values are checked against. */
  readonly schema: ParamSchema;
  readonly #required: boolean;

  /** Makes a param; leave `value` out for one every run must give. */
  constructor(value?: unknown, schema: ParamSchema = {}) {
    this.#required = arguments.length === 0;
    // An explicit undefined is Python's None.
    this.value = this.#required ? REQUIRED : value ?? null;
    this.schema = { ...schema };
  }

  /** Whether a run must give the param. */
  get required(): boolean {
    return this.#required;
  }

  /** Throws an AirflowError naming `name` and `v` when `v` breaks the schema. */
  check(name: string, v: unknown): void {
    const s = this.schema;
    const fail = (why: string) =>
      new AirflowError(`Param ${name} ${why}: ${JSON.stringify(v)}`);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => isType(t, v))) {
        throw fail(`must be of type ${types.join(" or ")}`);
      }
    }
    if (
      s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))
    ) {
      throw fail(`must be one of ${JSON.stringify(s.enum)}`);
    }
    if (typeof v === "number") {
      if (s.minimum !== undefined && v < s.minimum) {
        throw fail(`must be at least ${s.minimum}`);
      }
      if (s.maximum !== undefined && v > s.maximum) {
        throw fail(`must be at most ${s.maximum}`);
      }
    }
    if (typeof v === "string") {
      if (s.minLength !== undefined && v.length < s.minLength) {
        throw fail(`must have at least ${s.minLength} characters`);
      }
      if (s.maxLength !== undefined && v.length > s.maxLength) {
        throw fail(`must have at most ${s.maxLength} characters`);
      }
      if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) {
        throw fail(`must match ${s.pattern}`);
      }
    }
  }
}

function isType(t: ParamType, v: unknown): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "null":
      return v === null;
  }
}

/**
 * A run's params: the DAG's defaults (plain values or {@linkcode Param}s)
 * overridden by the run's conf, every `Param` checked; throws an
 * AirflowError naming the param on a bad or missing value.
 */
export function resolveParams(
  declared: Record<string, unknown>,
  conf: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(declared)) {
    if (d instanceof Param) {
      if (Object.hasOwn(conf, name)) out[name] = conf[name];
      else if (d.required) {
        throw new AirflowError(`Param ${name} is required and has no default`);
      } else out[name] = d.value;
      d.check(name, out[name]);
    } else out[name] = d;
  }
  for (const [name, v] of Object.entries(conf)) {
    if (!(name in out) || !(declared[name] instanceof Param)) out[name] = v;
  }
  return out;
}
