/**
 * StatCounter: count, mean, variance, min and max of numbers in one pass,
 * mergeable across partitions (Chan et al.'s parallel update of Welford's
 * running mean and sum of squared deviations).
 *
 * @module
 */

/**
 * Running statistics of a set of numbers; `rdd.stats()` returns one. Each
 * partition keeps `n`, `mean` and `m2` (the sum of squared deviations from
 * the mean); two counters merge without revisiting the data.
 *
 * @example Statistics of a few numbers
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatCounter } from "./mod.ts";
 * const s = new StatCounter([1, 2, 3]);
 * assert.equal(s.count(), 3);
 * assert.equal(s.mean(), 2);
 * assert.equal(s.sampleVariance(), 1);
 * assert.deepEqual(s.merge(4).max(), 4);
 * ```
 */
export class StatCounter {
  #n = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;

  /**
   * Builds a counter over `values`.
   *
   * @param values Numbers to count.
   */
  constructor(values: Iterable<number> = []) {
    for (const v of values) this.merge(v);
  }

  /**
   * Builds a counter from its parts (as a task sends them).
   *
   * @param parts Count, mean, sum of squared deviations, min and max.
   * @returns The counter.
   *
   * @example From parts
   * ```ts
   * import assert from "node:assert/strict";
   * import { StatCounter } from "./mod.ts";
   * const s = StatCounter.fromParts({ n: 2, mean: 1.5, m2: 0.5, min: 1, max: 2 });
   * assert.equal(s.sum(), 3);
   * ```
   */
  static fromParts(
    parts: { n: number; mean: number; m2: number; min: number; max: number },
  ): StatCounter {
    const s = new StatCounter();
    s.#n = parts.n;
    s.#mean = parts.mean;
    s.#m2 = parts.m2;
    s.#min = parts.min;
    s.#max = parts.max;
    return s;
  }

  /**
   * Adds one value.
   *
   * @param value A number.
   * @returns This counter.
   */
  merge(value: number): this {
    const delta = value - this.#mean;
    this.#n++;
    this.#mean += delta / this.#n;
    this.#m2 += delta * (value - this.#mean);
    this.#min = Math.min(this.#min, value);
    this.#max = Math.max(this.#max, value);
    return this;
  }

  /**
   * Adds another counter's values.
   *
   * @param other Another counter.
   * @returns This counter.
   */
  mergeStats(other: StatCounter): this {
    if (other.#n === 0) return this;
    if (this.#n === 0) {
      this.#n = other.#n;
      this.#mean = other.#mean;
      this.#m2 = other.#m2;
    } else {
      const delta = other.#mean - this.#mean;
      const n = this.#n + other.#n;
      this.#mean += delta * other.#n / n;
      this.#m2 += other.#m2 + delta * delta * this.#n * other.#n / n;
      this.#n = n;
    }
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
    return this;
  }

  /**
   * The number of values.
   *
   * @returns The number of values.
   */
  count(): number {
    return this.#n;
  }

  /**
   * The mean (NaN when empty).
   *
   * @returns The mean (NaN when empty).
   */
  mean(): number {
    return this.#n === 0 ? NaN : this.#mean;
  }

  /**
   * The sum.
   *
   * @returns The sum.
   */
  sum(): number {
    return this.#n * this.#mean;
  }

  /**
   * The smallest value (Infinity when empty).
   *
   * @returns The smallest value (Infinity when empty).
   */
  min(): number {
    return this.#min;
  }

  /**
   * The largest value (-Infinity when empty).
   *
   * @returns The largest value (-Infinity when empty).
   */
  max(): number {
    return this.#max;
  }

  /**
   * The population variance (divided by n; NaN when empty).
   *
   * @returns The population variance (divided by n; NaN when empty).
   */
  variance(): number {
    return this.#n === 0 ? NaN : this.#m2 / this.#n;
  }

  /**
   * The sample variance (divided by n - 1; NaN below 2 values).
   *
   * @returns The sample variance (divided by n - 1; NaN below 2 values).
   */
  sampleVariance(): number {
    return this.#n <= 1 ? NaN : this.#m2 / (this.#n - 1);
  }

  /**
   * The population standard deviation.
   *
   * @returns The population standard deviation.
   */
  stdev(): number {
    return Math.sqrt(this.variance());
  }

  /**
   * The sample standard deviation.
   *
   * @returns The sample standard deviation.
   */
  sampleStdev(): number {
    return Math.sqrt(this.sampleVariance());
  }

  /**
   * The statistics as a plain object, like PySpark's `asDict(sample)`.
   *
   * @param sample Sample (n - 1) instead of population stdev and variance.
   * @returns count, mean, sum, min, max, stdev, variance.
   *
   * @example As a dict
   * ```ts
   * import assert from "node:assert/strict";
   * import { StatCounter } from "./mod.ts";
   * assert.equal(new StatCounter([2, 4]).asDict().sum, 6);
   * ```
   */
  asDict(sample = false): {
    count: number;
    mean: number;
    sum: number;
    min: number;
    max: number;
    stdev: number;
    variance: number;
  } {
    return {
      count: this.count(),
      mean: this.mean(),
      sum: this.sum(),
      min: this.min(),
      max: this.max(),
      stdev: sample ? this.sampleStdev() : this.stdev(),
      variance: sample ? this.sampleVariance() : this.variance(),
    };
  }

  /**
   * `(count: n, mean: m, stdev: s, max: x, min: y)`, as PySpark.
   *
   * @returns `(count: n, mean: m, stdev: s, max: x, min: y)`, as PySpark.
   */
  toString(): string {
    return `(count: ${this.count()}, mean: ${this.mean()}, stdev: ${this.stdev()}, max: ${this.max()}, min: ${this.min()})`;
  }
}
