// Great Expectations' own pandas test cases, run against this module. Every
// case agrees except those listed in KNOWN_DIFFERENCES, each with its reason;
// a listed case that starts agreeing fails the test too, so the list stays true.
import assert from "node:assert/strict";
import {
  type ExpectationValidationResult,
  QualityError,
  validate,
} from "../../quality/mod.ts";
import { disagreement, type GeCase, loadGeCases } from "./_ge_cases.ts";

/** Cases where this module differs from GE on purpose, and why. */
export const KNOWN_DIFFERENCES: Record<string, string> = {
  "expect_column_values_to_be_of_type/2.2/positive_pandas_datetime_with_timezone":
    "JavaScript Dates carry no time zone: a zoned pandas column (Timestamp, DatetimeTZDtype) and a naive one (datetime64) are the same type here.",
  "expect_column_values_to_be_of_type/2.4/negative_pandas_datetime_with_timezone":
    "JavaScript Dates carry no time zone: a zoned pandas column (Timestamp, DatetimeTZDtype) and a naive one (datetime64) are the same type here.",
  "expect_column_values_to_be_of_type/2.5/negative_pandas_datetime_expected_int":
    "JavaScript Dates carry no time zone: a zoned pandas column (Timestamp, DatetimeTZDtype) and a naive one (datetime64) are the same type here.",
  "expect_compound_columns_to_be_unique/2.7/unexpected_values_exact_match_out_with_unexpected_index_list_pandas_v3":
    "result_format's unexpected_index_column_names is not supported: unexpected_index_list holds row numbers, not dicts of key columns.",
  "expect_select_column_values_to_be_unique_within_record/2.5/unexpected_values_exact_match_out_with_index_list_pandas_v3_api":
    "result_format's unexpected_index_column_names is not supported: unexpected_index_list holds row numbers, not dicts of key columns.",
};

// Optional switches for updating KNOWN_DIFFERENCES; the test runs without them.
function env(name: string): string | undefined {
  const state =
    Deno.permissions.querySync({ name: "env", variable: name }).state;
  return state === "granted" ? Deno.env.get(name) : undefined;
}

async function run(c: GeCase): Promise<ExpectationValidationResult> {
  try {
    const result = await validate(c.rows, {
      expectation_suite_name: "json_test_suite",
      data_asset_type: null,
      meta: {},
      expectations: [{
        expectation_type: c.expectationType,
        kwargs: c.kwargs,
        meta: {},
      }],
    }, {
      resultFormat: "COMPLETE",
      evaluationParameters: {},
    });
    return result.results[0]!;
  } catch (error) {
    if (!(error instanceof QualityError)) throw error;
    // An invalid configuration: GE raises it from the validator call.
    return {
      success: false,
      expectation_config: {
        expectation_type: c.expectationType,
        kwargs: c.kwargs,
        meta: {},
      },
      result: {},
      meta: {},
      exception_info: {
        raised_exception: true,
        exception_message: error.message,
        exception_traceback: error.stack ?? null,
      },
    };
  }
}

Deno.test("GE's pandas test definitions agree", async () => {
  const cases = loadGeCases();
  const failures: string[] = [];
  let agree = 0;
  for (const c of cases) {
    const why = disagreement(c, await run(c));
    // GE_CASES_ALL lists every disagreement, known or not (to update the list).
    const known = c.id in KNOWN_DIFFERENCES && !env("GE_CASES_ALL");
    if (why === null) {
      agree++;
      if (known) {
        failures.push(`${c.id}: now agrees, drop it from KNOWN_DIFFERENCES`);
      }
    } else if (!known) failures.push(`${c.id}: ${why}`);
  }
  console.log(`GE pandas cases: ${agree}/${cases.length} agree`);
  if (env("GE_CASES_REPORT")) {
    await Deno.writeTextFile(
      env("GE_CASES_REPORT")!,
      failures.join("\n") + "\n",
    );
  }
  assert.deepEqual(failures, []);
});
