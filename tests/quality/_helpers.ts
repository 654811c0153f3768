// Shared helpers for the quality tests.
import {
  ExpectationSuite,
  type ExpectationValidationResult,
  validate,
  type ValidateOptions,
} from "../../quality/mod.ts";

/** Validates rows against a single expectation and returns its result. */
export async function one(
  rows: unknown[],
  build: (s: ExpectationSuite) => ExpectationSuite,
  options: ValidateOptions = {},
): Promise<ExpectationValidationResult> {
  const result = await validate(
    rows,
    build(new ExpectationSuite("t")),
    options,
  );
  return result.results[0]!;
}

/** An async iterable over rows, one await per row. */
export async function* stream<T>(rows: T[]): AsyncGenerator<T> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

/** A validation result without run metadata (which carries timestamps). */
export function comparable(result: { meta?: unknown }): unknown {
  return { ...result, meta: undefined };
}
