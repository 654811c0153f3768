/**
 * SparkConf: the context's settings under Spark's key names, read-only.
 *
 * @module
 */

/**
 * The settings of a {@linkcode SparkContext}, under Spark's key names
 * (`spark.master`, `spark.app.id`, `spark.default.parallelism`,
 * `spark.task.maxFailures`, `spark.driver.maxResultSize`, ...), as
 * `sc.getConf()` returns them. A snapshot: changing it changes nothing.
 *
 * @example Read a setting
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext } from "./mod.ts";
 * await using sc = new SparkContext({ parallelism: 2 });
 * const conf = sc.getConf();
 * assert.equal(conf.get("spark.master"), "local[2]");
 * assert.equal(conf.get("spark.no.such.key", "fallback"), "fallback");
 * ```
 */
export class SparkConf {
  #entries: Map<string, string>;

  /**
   * Use `sc.getConf()` instead of calling this.
   *
   * @param entries Key-value pairs.
   */
  constructor(entries: Iterable<[string, string]>) {
    this.#entries = new Map(entries);
  }

  /**
   * A setting.
   *
   * @param key Spark's key name.
   * @param defaultValue Returned when the key is not set.
   * @returns The value, or `defaultValue` (undefined when not given).
   */
  get(key: string, defaultValue?: string): string | undefined {
    return this.#entries.get(key) ?? defaultValue;
  }

  /**
   * Whether a setting exists.
   *
   * @param key Spark's key name.
   * @returns True when set.
   */
  contains(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * Every setting, sorted by key.
   *
   * @returns `[key, value]` pairs.
   */
  getAll(): [string, string][] {
    return [...this.#entries].sort((a, b) => a[0] < b[0] ? -1 : 1);
  }
}
