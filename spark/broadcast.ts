/**
 * Broadcast variables: a read-only value sent to each worker once.
 *
 * @module
 */

import { SparkError } from "./errors.ts";

/**
 * A read-only value shipped to each worker at most once and cached there.
 * Create one with `sc.broadcast(value)` and pass it to shipped functions
 * inside `env`; read it with `.value` on either side.
 *
 * @typeParam T The value's type (structured-cloneable).
 *
 * @example Look up a table inside a worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 1 });
 * const names = sc.broadcast({ 1: "one", 2: "two" } as Record<number, string>);
 * const out = await sc.parallelize([1, 2])
 *   .map((n, env) => env.names.value[n], { names })
 *   .collect();
 * assert.deepEqual(out, ["one", "two"]);
 * ```
 */
export class Broadcast<T> {
  /** The id the driver and workers know this value by. */
  readonly id: number;
  #value: T;
  #destroyed = false;

  /**
   * Wraps a value; use `sc.broadcast(value)` instead of calling this.
   *
   * @param id The context-wide id.
   * @param value The value.
   */
  constructor(id: number, value: T) {
    this.id = id;
    this.#value = value;
  }

  /** The broadcast value. */
  get value(): T {
    if (this.#destroyed) {
      throw new SparkError(`Broadcast was destroyed: ${this.id}`);
    }
    return this.#value;
  }

  /**
   * Drops the value on the driver and in the workers; later jobs may not
   * use it.
   *
   * @returns Nothing.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#value = undefined as T;
    ON_DESTROY.get(this)?.();
    ON_DESTROY.delete(this);
  }

  /** Whether {@linkcode Broadcast.destroy} was called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }
}

/**
 * A shared counter that tasks add to and the driver reads, like PySpark's
 * `sc.accumulator(0)`: pass it to shipped functions inside `env` and call
 * `add()` there. Each task's additions reach the driver with its result,
 * and only a task attempt that succeeded counts, so a retried task is
 * counted once.
 *
 * @example Count bad records while parsing
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 2 });
 * const bad = sc.accumulator(0);
 * const nums = await sc.parallelize(["1", "x", "3", "y"])
 *   .filter((s, env) => {
 *     if (Number.isNaN(Number(s))) env.bad.add(1);
 *     return !Number.isNaN(Number(s));
 *   }, { bad })
 *   .collect();
 * assert.deepEqual([nums, bad.value], [["1", "3"], 2]);
 * ```
 */
export class Accumulator<T = number> {
  /** The id the driver and workers know this accumulator by. */
  readonly id: number;
  #value: T;
  #sink: AccumulatorSink | null;
  #param: AccumulatorParam<T> | null;
  #custom: boolean;

  /**
   * Use `sc.accumulator(value, param?)` instead of calling this.
   *
   * @param id The context-wide id.
   * @param value The starting value.
   * @param sink Inside a task: where additions are recorded.
   * @param param How to add values that are not numbers (driver side).
   * @param custom Inside a task: whether terms are other than numbers.
   */
  constructor(
    id: number,
    value: T,
    sink: AccumulatorSink | null = null,
    param: AccumulatorParam<T> | null = null,
    custom = param !== null,
  ) {
    this.id = id;
    this.#value = value;
    this.#sink = sink;
    this.#param = param;
    this.#custom = custom;
  }

  /** Whether terms are added by an {@linkcode AccumulatorParam}. */
  get custom(): boolean {
    return this.#custom;
  }

  /** The value on the driver (tasks cannot read it, as in Spark). */
  get value(): T {
    if (this.#sink !== null) {
      throw new SparkError(
        `Accumulator value cannot be read inside a task: ${this.id}`,
      );
    }
    return this.#value;
  }

  /** Sets the value on the driver. */
  set value(v: T) {
    if (this.#sink !== null) {
      throw new SparkError(
        `Accumulator value cannot be set inside a task: ${this.id}`,
      );
    }
    this.#value = v;
  }

  /**
   * Adds `term` (in a task: recorded for the driver, which adds it once the
   * task has succeeded).
   *
   * @param term A number, or a value of the param's type.
   * @returns Nothing.
   */
  add(term: T): void {
    if (!this.#custom && typeof term !== "number") {
      throw new SparkError(
        `Accumulator.add() needs a number: ${typeof term} ${String(term)}`,
      );
    }
    if (this.#sink !== null) this.#sink(this.id, term, this.#custom);
    else if (this.#param !== null) {
      this.#value = this.#param.addInPlace(this.#value, term);
    } else this.#value = ((this.#value as number) + (term as number)) as T;
  }
}

/** Where a task records an accumulator's terms. */
export type AccumulatorSink = (
  id: number,
  term: unknown,
  custom: boolean,
) => void;

/**
 * How an accumulator of a type other than number adds values, as PySpark's
 * `AccumulatorParam`: `addInPlace(a, b)` must be associative and
 * commutative, since terms from tasks arrive in any order. It runs on the
 * driver: tasks send their terms, and the driver adds those of each
 * successful task once.
 */
export interface AccumulatorParam<T> {
  /** The "zero value" for the type, given the initial value. */
  zero(value: T): T;
  /** Adds two values (may change and return `a`). */
  addInPlace(a: T, b: T): T;
}

const ON_DESTROY = new WeakMap<Broadcast<unknown>, () => void>();

/** Registers what `destroy()` must also do (drop worker copies). */
export function onDestroy(b: Broadcast<unknown>, fn: () => void): void {
  ON_DESTROY.set(b, fn);
}

/** The structured-cloneable stand-in for a broadcast inside an env. */
export interface BroadcastMarker {
  /** The broadcast id. */
  __sparkBroadcast: number;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Replaces broadcasts in an env with markers, collecting their values by id.
 */
export function packEnv(
  env: unknown,
  found: Map<number, unknown>,
  depth = 0,
): unknown {
  if (env instanceof Accumulator) {
    return env.custom
      ? { __sparkAccumulator: env.id, custom: true }
      : { __sparkAccumulator: env.id };
  }
  if (env instanceof Broadcast) {
    if (env.destroyed) {
      throw new SparkError(`Broadcast was destroyed: ${env.id}`);
    }
    found.set(env.id, env.value);
    return { __sparkBroadcast: env.id } satisfies BroadcastMarker;
  }
  if (depth > 8) return env;
  if (Array.isArray(env)) return env.map((v) => packEnv(v, found, depth + 1));
  if (isPlain(env)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(env)) {
      out[k] = packEnv(env[k], found, depth + 1);
    }
    return out;
  }
  return env;
}

/** Replaces markers with worker-side broadcasts. */
export function unpackEnv(
  env: unknown,
  values: Map<number, unknown>,
  sink: AccumulatorSink | null = null,
  depth = 0,
): unknown {
  if (depth > 8) return env;
  if (Array.isArray(env)) {
    return env.map((v) => unpackEnv(v, values, sink, depth + 1));
  }
  if (isPlain(env)) {
    if (typeof env.__sparkAccumulator === "number") {
      // Additions go to the sink: the task's record, or on the driver (the
      // driver-side merges of reduce and fold) the accumulator itself.
      return sink === null ? env : new Accumulator(
        env.__sparkAccumulator,
        0,
        sink,
        null,
        env.custom === true,
      );
    }
    if (typeof env.__sparkBroadcast === "number") {
      const id = env.__sparkBroadcast;
      if (!values.has(id)) {
        throw new SparkError(`Broadcast value missing in worker: ${id}`);
      }
      return new Broadcast(id, values.get(id));
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(env)) {
      out[k] = unpackEnv(env[k], values, sink, depth + 1);
    }
    return out;
  }
  return env;
}
