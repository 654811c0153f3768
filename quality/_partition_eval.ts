// Runs inside spark workers: registered as the module `__dq`, so a shipped
// mapPartitions function can call __dq.evaluatePartition(rows, suite, format).

import {
  Accumulator,
  compilePlan,
  parseFormat,
  type PartialState,
} from "./_engine.ts";
import { ExpectationSuite } from "./expectation_suite.ts";
import type {
  ExpectationSuiteJson,
  ResultFormatConfig,
  ResultFormatName,
} from "./types.ts";

/**
 * Evaluates every expectation of `suite` over one partition's rows in one
 * pass and returns the structured-cloneable partial state. A row that is not
 * an object stops the pass and is recorded in `badRow`.
 */
export function evaluatePartition(
  rows: Iterable<unknown>,
  suite: ExpectationSuiteJson | ExpectationSuite,
  resultFormat?: ResultFormatName | ResultFormatConfig,
): PartialState {
  const s = suite instanceof ExpectationSuite
    ? suite
    : ExpectationSuite.fromJSON(suite);
  const plan = compilePlan(s.name, s.expectations, parseFormat(resultFormat));
  const acc = new Accumulator(plan);
  acc.addAll(rows);
  return acc.snapshot();
}
