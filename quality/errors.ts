/**
 * The quality module's one error class.
 *
 * @module
 */

/**
 * Options for {@linkcode QualityError}.
 *
 * @example Usage
 * ```ts
 * import { QualityError } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const error = new QualityError("Checkpoint failed: 1 of 2", { result: { success: false } });
 * assert.deepEqual(error.result, { success: false });
 * ```
 */
export interface QualityErrorOptions {
  /**
   * The underlying error, if any.
   * @default {undefined}
   */
  cause?: unknown;
  /**
   * The validation result a failing checkpoint carries.
   * @default {undefined}
   */
  result?: unknown;
}

/**
 * Every error the quality module throws: an unknown expectation type, kwargs of
 * the wrong type, a row that is not an object, a malformed suite, a failing
 * checkpoint (with the validation result attached).
 *
 * @example Catch a bad expectation type
 * ```ts
 * import { ExpectationSuite, QualityError } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () =>
 *     ExpectationSuite.fromJSON({
 *       expectation_suite_name: "s",
 *       expectations: [{ expectation_type: "expect_magic", kwargs: {} }],
 *     }),
 *   QualityError,
 * );
 * ```
 */
export class QualityError extends Error {
  /** The validation result, when a checkpoint failed. */
  readonly result: unknown;

  /**
   * Creates the error.
   *
   * @example Create one
   * ```ts
   * import { QualityError } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const error = new QualityError("Row must be an object: 42");
   * assert.deepEqual(error.name, "QualityError");
   * ```
   */
  constructor(message: string, options: QualityErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "QualityError";
    this.result = options.result;
  }
}

/** Short, bounded text for a bad value inside an error message. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") {
    text = `function ${value.name || "(anonymous)"}`;
  } else if (typeof value === "symbol") text = value.toString();
  else if (value instanceof Date) {
    text = Number.isNaN(value.getTime())
      ? "Invalid Date"
      : `Date(${value.toISOString()})`;
  } else if (typeof value === "number" && !Number.isFinite(value)) {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 120 ? text.slice(0, 117) + "..." : text;
}
