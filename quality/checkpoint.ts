/**
 * {@linkcode Checkpoint}: runs a suite over data, writes the JSON result (and
 * optionally the Data Docs page) atomically, then fails or warns. Its `run`
 * fits an airflow task, so a DAG can gate on data quality.
 *
 * @module
 */

import { writeFileAtomic } from "../internal/atomic_file.ts";
import { type Clock, systemClock } from "../internal/clock.ts";
import { describeValue, QualityError } from "./errors.ts";
import { ExpectationSuite } from "./expectation_suite.ts";
import { renderDataDocs } from "./data_docs.ts";
import type {
  ExpectationSuiteJson,
  ExpectationSuiteV1Json,
  ResultFormatConfig,
  ResultFormatName,
  ValidationResult,
} from "./types.ts";
import { type DataSource, validate } from "./validate.ts";

/**
 * What a checkpoint does when validation fails.
 *
 * @example Usage
 * ```ts
 * import type { CheckpointAction } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const action: CheckpointAction = "warn";
 * assert.equal(action, "warn");
 * ```
 */
export type CheckpointAction = "fail" | "warn";

/**
 * Options for {@linkcode Checkpoint}.
 *
 * @example Usage
 * ```ts
 * import { Checkpoint, ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const warnings: string[] = [];
 * const checkpoint = new Checkpoint({
 *   suite: new ExpectationSuite("s").expectTableRowCountToBeBetween({ minValue: 1 }),
 *   action: "warn",
 *   onWarning: (message) => warnings.push(message),
 * });
 * await checkpoint.run([]);
 * assert.deepEqual(warnings.length, 1);
 * ```
 */
export interface CheckpointOptions {
  /**
   * The checkpoint's name (used in messages and as the run name).
   * @default {the suite's name}
   */
  name?: string;
  /** The suite to run (an ExpectationSuite or its GE JSON). */
  suite: ExpectationSuite | ExpectationSuiteJson | ExpectationSuiteV1Json;
  /**
   * Where to write the JSON validation result; parent folders are created.
   * @default {undefined}
   */
  resultPath?: string;
  /**
   * Where to write the Data Docs HTML page.
   * @default {undefined}
   */
  dataDocsPath?: string;
  /**
   * `fail` rejects with a QualityError carrying the result; `warn` logs and resolves.
   * @default {"fail"}
   */
  action?: CheckpointAction;
  /**
   * Result format of the validation.
   * @default {"SUMMARY"}
   */
  resultFormat?: ResultFormatName | ResultFormatConfig;
  /**
   * Receives the warning text when `action` is `warn`.
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
  /**
   * Clock for timestamps.
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * What {@linkcode Checkpoint.run} resolves to (JSON-serialisable, so it can
 * travel as an airflow XCom).
 *
 * @example Read it
 * ```ts
 * import type { CheckpointResult } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const summary = (r: CheckpointResult) => `${r.checkpoint_name}: ${r.success}`;
 * assert.equal(
 *   summary({ checkpoint_name: "nightly", success: true } as CheckpointResult),
 *   "nightly: true",
 * );
 * ```
 */
export interface CheckpointResult {
  /** The checkpoint's name. */
  checkpoint_name: string;
  /** Whether every expectation held. */
  success: boolean;
  /** The full validation result. */
  validation_result: ValidationResult;
  /** Where the JSON result was written, if anywhere. */
  result_path: string | null;
  /** Where the Data Docs page was written, if anywhere. */
  data_docs_path: string | null;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text, { mkdir: true });
  } catch (error) {
    throw new QualityError(`Cannot write checkpoint output: ${path}`, {
      cause: error,
    });
  }
}

/**
 * Runs a suite, writes its result and acts on it.
 *
 * @example Gate on quality, keep the result
 * ```ts
 * import { Checkpoint, ExpectationSuite } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const checkpoint = new Checkpoint({
 *   suite: new ExpectationSuite("rows").expectColumnValuesToNotBeNull("id"),
 *   resultPath: `${dir}/result.json`,
 *   action: "fail",
 * });
 * const outcome = await checkpoint.run([{ id: 1 }, { id: 2 }]);
 * assert.deepEqual(outcome.success, true);
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/result.json`)).success, true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Checkpoint {
  /** The checkpoint's name. */
  readonly name: string;
  #suite: ExpectationSuite;
  #options: CheckpointOptions;

  /**
   * Creates a checkpoint; the suite is checked now.
   *
   * @example Warn instead of failing
   * ```ts
   * import { Checkpoint, ExpectationSuite } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const checkpoint = new Checkpoint({ suite: new ExpectationSuite("s"), action: "warn" });
   * assert.deepEqual(checkpoint.name, "s");
   * ```
   */
  constructor(options: CheckpointOptions) {
    if (typeof options !== "object" || options === null) {
      throw new QualityError(
        `Checkpoint options must be an object: ${describeValue(options)}`,
      );
    }
    const action = options.action ?? "fail";
    if (action !== "fail" && action !== "warn") {
      throw new QualityError(
        `Checkpoint action must be "fail" or "warn": ${describeValue(action)}`,
      );
    }
    this.#suite = options.suite instanceof ExpectationSuite
      ? options.suite
      : ExpectationSuite.fromJSON(options.suite);
    this.name = options.name ?? this.#suite.name;
    this.#options = { ...options, action };
  }

  /**
   * Validates `data`, writes the outputs, then rejects with a
   * {@linkcode QualityError} (action `fail`, `error.result` holds the
   * validation result) or warns (action `warn`) when validation failed.
   * Usable as an airflow task: `dag.task("validate", () => checkpoint.run(rows))`.
   *
   * @example A failing checkpoint rejects
   * ```ts
   * import { Checkpoint, ExpectationSuite, QualityError } from "./mod.ts";
   * import assert from "node:assert/strict";
   * const checkpoint = new Checkpoint({ suite: new ExpectationSuite("s").expectTableRowCountToBeBetween({ minValue: 1 }) });
   * await assert.rejects(checkpoint.run([]), QualityError);
   * ```
   */
  async run(data: DataSource): Promise<CheckpointResult> {
    const o = this.#options;
    const result = await validate(data, this.#suite, {
      resultFormat: o.resultFormat,
      runName: this.name,
      clock: o.clock ?? systemClock,
    });
    if (o.resultPath) {
      await writeAtomic(o.resultPath, JSON.stringify(result, null, 2) + "\n");
    }
    if (o.dataDocsPath) {
      await writeAtomic(o.dataDocsPath, renderDataDocs(result));
    }
    const outcome: CheckpointResult = {
      checkpoint_name: this.name,
      success: result.success,
      validation_result: result,
      result_path: o.resultPath ?? null,
      data_docs_path: o.dataDocsPath ?? null,
    };
    if (!result.success) {
      const s = result.statistics;
      const failed = result.results.filter((r) => !r.success).map((r) =>
        r.expectation_config.expectation_type
      );
      const message =
        `Checkpoint "${this.name}" failed: ${s.unsuccessful_expectations} of ${s.evaluated_expectations} expectations unsuccessful (${
          failed.slice(0, 5).join(", ")
        }${failed.length > 5 ? ", ..." : ""})`;
      if (o.action === "fail") throw new QualityError(message, { result });
      (o.onWarning ?? console.warn)(message);
    }
    return outcome;
  }
}
