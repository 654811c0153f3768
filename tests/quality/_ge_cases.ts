// Great Expectations' data-driven test definitions (tests/test_definitions/
// in the great_expectations repository, Apache-2.0), read as GE's own runner
// reads them for the pandas backend, and checked as GE's
// `check_json_test_result` checks them.
import { fileURLToPath } from "node:url";
import type {
  ExpectationValidationResult,
  ValidationResult,
} from "../../quality/mod.ts";

export const CASES_DIR = fileURLToPath(new URL("./ge_cases/", import.meta.url));

/** One test of one dataset, as GE's pandas runner would run it. */
export interface GeCase {
  /** `<file>/<dataset>.<test>/<title>`, 1-based. */
  id: string;
  category: string;
  expectationType: string;
  rows: Record<string, unknown>[];
  kwargs: Record<string, unknown>;
  out: Record<string, unknown>;
  exact: boolean;
  tolerance: number | null;
  /** GE adds a `pk_index` column to map datasets and reports indices by it. */
  pk: boolean;
}

// Python's json module writes NaN and ±Infinity as bare words.
export function parsePythonJson(text: string): unknown {
  const safe = text.replace(
    /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g,
    (m) => m[0] === '"' ? m : `{"$py":"${m}"}`,
  );
  return JSON.parse(
    safe,
    (_k, v) =>
      typeof v === "object" && v !== null && !Array.isArray(v) &&
        typeof v.$py === "string" && Object.keys(v).length === 1
        ? Number(v.$py)
        : v,
  );
}

const PANDAS = ["pandas", "pandas_v3_api", "pandas>=024"];

// GE's runner skips these on pandas (great_expectations/self_check/util.py,
// candidate_test_is_on_temporary_notimplemented_list_v3_api): GE 1.x raises
// NotImplementedError for the distribution tests and Cramér's phi, and runs
// the LIKE patterns, the other-table row count and the multicolumn alias on
// SQL only. Their cases are not GE's pandas behaviour, so they are not counted.
export const GE_SKIPS_ON_PANDAS = [
  "expect_table_row_count_to_equal_other_table",
  "expect_column_values_to_match_like_pattern",
  "expect_column_values_to_not_match_like_pattern",
  "expect_column_values_to_match_like_pattern_list",
  "expect_column_values_to_not_match_like_pattern_list",
  "expect_multicolumn_values_to_be_unique",
  "expect_column_pair_cramers_phi_value_to_be_less_than",
  "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than",
  "expect_column_chisquare_test_p_value_to_be_greater_than",
  "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than",
];

function list(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? v as string[] : [v as string];
}

// pandas.to_datetime of a naive string is wall time with no zone: read it as UTC.
function toDate(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return new Date(v / 1e6);
  if (typeof v !== "string") return v;
  let s = v.trim().replace(" ", "T");
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += "T00:00:00";
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s)) s += "Z";
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? new Date(v) : d;
}

function applySchema(
  columns: Record<string, unknown[]>,
  schema: Record<string, string> | undefined,
): void {
  if (!schema) return;
  for (const [name, type] of Object.entries(schema)) {
    const values = columns[name];
    if (!values) continue;
    const t = type.toLowerCase();
    if (
      [
        "timestamp",
        "datetime64[ns, tz]",
        "datetime",
        "datetime64",
        "datetime64[ns]",
        "date",
      ].includes(t)
    ) {
      columns[name] = values.map(toDate);
    } else if (t === "str") {
      columns[name] = values.map((v) => v === null ? "None" : String(v));
    } else if (t === "bool") {
      columns[name] = values.map((v) => Boolean(v));
    } else if (t === "float" || t === "float64") {
      columns[name] = values.map((v) => v === null ? NaN : Number(v));
    }
  }
}

function toRows(
  data: Record<string, unknown[]>,
  pk: boolean,
): Record<string, unknown>[] {
  const names = Object.keys(data);
  const n = names.length === 0 ? 0 : data[names[0]!]!.length;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = data[name]![i] ?? null;
    if (pk) row.pk_index = i;
    rows.push(row);
  }
  return rows;
}

const MAP_CATEGORIES = [
  "column_map_expectations",
  "column_pair_map_expectations",
  "multicolumn_map_expectations",
];

/** Every pandas case of every definition file, in file order. */
export function loadGeCases(): GeCase[] {
  const cases: GeCase[] = [];
  const categories = [...Deno.readDirSync(CASES_DIR)]
    .filter((e) => e.isDirectory).map((e) => e.name).sort();
  for (const category of categories) {
    const files = [...Deno.readDirSync(`${CASES_DIR}${category}`)]
      .map((e) => e.name).filter((n) => n.endsWith(".json")).sort();
    for (const file of files) {
      const def = parsePythonJson(
        Deno.readTextFileSync(`${CASES_DIR}${category}/${file}`),
      ) as {
        expectation_type: string;
        datasets: Record<string, unknown>[];
      };
      if (GE_SKIPS_ON_PANDAS.includes(def.expectation_type)) continue;
      def.datasets.forEach((ds, d) => {
        const suppressed = list(ds.suppress_test_for);
        const only = list(ds.only_for);
        if (
          suppressed?.includes("pandas") || (only && !only.includes("pandas"))
        ) {
          return;
        }
        if (Array.isArray(ds.data)) return; // multi-table: SQL backends only
        const pk = MAP_CATEGORIES.includes(category);
        const data = structuredClone(ds.data) as Record<string, unknown[]>;
        applySchema(
          data,
          (ds.schemas as Record<string, Record<string, string>> | undefined)
            ?.pandas,
        );
        const rows = toRows(data, pk);
        (ds.tests as Record<string, unknown>[]).forEach((test, t) => {
          const testOnly = list(test.only_for);
          if (testOnly && !testOnly.some((b) => PANDAS.includes(b))) return;
          const testSuppressed = list(test.suppress_test_for) ?? [];
          if (
            testSuppressed.some((b) => b === "pandas" || b === "pandas_v3_api")
          ) {
            return;
          }
          cases.push({
            id: `${file.slice(0, -5)}/${d + 1}.${t + 1}/${test.title}`,
            category,
            expectationType: def.expectation_type,
            rows: structuredClone(rows),
            kwargs: structuredClone(
              (test.input ?? test.in) as Record<string, unknown>,
            ),
            out: (test.output ?? test.out) as Record<string, unknown>,
            exact: test.exact_match_out === true,
            tolerance: typeof test.tolerance === "number"
              ? test.tolerance
              : null,
            pk,
          });
        });
      });
    }
  }
  return cases;
}

const RTOL = 1e-7;
const ATOL = 5e-2;
const FLOAT_REPR = /\d\.\d+/;

// numpy.allclose for scalars and arrays.
function allclose(a: unknown, b: unknown, rtol: number, atol: number): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length &&
      a.every((x, i) => allclose(x, b[i], rtol, atol));
  }
  if (typeof a !== "number" || typeof b !== "number") return false;
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

// Python's isoformat, as GE's to_json_dict writes datetimes.
function isoformat(d: Date): string {
  const s = d.toISOString().replace("Z", "");
  return s.endsWith(".000") ? s.slice(0, -4) : `${s}000`;
}

/** A value as GE's JSON would hold it (datetimes as ISO strings). */
export function jsonish(v: unknown): unknown {
  if (v instanceof Date) return isoformat(v);
  if (Array.isArray(v)) return v.map(jsonish);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, jsonish(x)]),
    );
  }
  return v;
}

// Python's ==: 1 == 1.0 == True, lists and tuples alike, dicts by keys.
export function pyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    (typeof a === "number" || typeof a === "boolean") &&
    (typeof b === "number" || typeof b === "boolean")
  ) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  }
  if (
    typeof a === "object" && a !== null && typeof b === "object" && b !== null
  ) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length &&
      ka.every((k) =>
        k in b &&
        pyEqual(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
        )
      );
  }
  return false;
}

function sortLike(expected: unknown[], got: unknown[]): [unknown[], unknown[]] {
  if (expected.length === 0) return [expected, got];
  const first = expected[0];
  if (typeof first === "object" && first !== null && !Array.isArray(first)) {
    const keys = Object.keys(first);
    const key = (x: unknown) =>
      JSON.stringify(keys.map((k) => (x as Record<string, unknown>)?.[k]));
    const by = (x: unknown, y: unknown) =>
      key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;
    return [[...expected].sort(by), [...got].sort(by)];
  }
  if (first === null || Array.isArray(first)) return [expected, got];
  const str = (x: unknown) => typeof x === "string" ? x : JSON.stringify(x);
  const by = (x: unknown, y: unknown) =>
    str(x) < str(y) ? -1 : str(x) > str(y) ? 1 : 0;
  return [[...expected].sort(by), [...got].sort(by)];
}

function show(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) => typeof x === "number" && !Number.isFinite(x) ? String(x) : x,
  );
}

/**
 * Why the result disagrees with the case's expected output, or null when it
 * agrees. GE's `traceback_substring` quotes Python's exception text; here the
 * case agrees when the expectation raised (our messages are our own).
 */
export function disagreement(
  c: GeCase,
  evr: ExpectationValidationResult,
): string | null {
  const result = jsonish(evr.result) as Record<string, unknown>;
  const out = c.out;
  if (c.exact) {
    if (evr.success !== out.success) {
      return `success ${evr.success} != ${out.success}`;
    }
    const want = (out.result ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(want)) {
      if (!(k in result)) continue;
      if (k === "observed_value" && typeof result[k] === "number") {
        if (!allclose(result[k], want[k], RTOL, ATOL)) {
          return `observed_value ${show(result[k])} not close to ${
            show(want[k])
          }`;
        }
      } else if (!pyEqual(result[k], want[k])) {
        return `result.${k} ${show(result[k])} != ${show(want[k])}`;
      }
    }
    const info = out.exception_info as Record<string, unknown> | undefined;
    if (info && info.raised_exception !== evr.exception_info.raised_exception) {
      return `raised_exception ${evr.exception_info.raised_exception}`;
    }
    return null;
  }
  for (const [key, value] of Object.entries(out)) {
    switch (key) {
      case "success":
        if (evr.success !== value) {
          return `success ${evr.success} != ${value}` +
            (evr.exception_info.raised_exception
              ? ` (raised: ${evr.exception_info.exception_message})`
              : "");
        }
        break;
      case "observed_value": {
        const got = result.observed_value;
        if (c.tolerance !== null) {
          if (
            typeof value === "object" && value !== null && !Array.isArray(value)
          ) {
            const g = got as Record<string, unknown>;
            const w = value as Record<string, unknown>;
            if (
              typeof g !== "object" || g === null ||
              !pyEqual(Object.keys(g).sort(), Object.keys(w).sort()) ||
              !Object.keys(w).every((k) =>
                allclose(g[k], w[k], c.tolerance!, 1e-8)
              )
            ) {
              return `observed_value ${
                show(got)
              } not within ${c.tolerance} of ${show(value)}`;
            }
          } else if (!allclose(got, value, c.tolerance, 1e-8)) {
            return `observed_value ${show(got)} not within ${c.tolerance} of ${
              show(value)
            }`;
          }
        } else if (
          typeof value === "object" && value !== null && "values" in value
        ) {
          const g = (got as Record<string, unknown> | null)?.values;
          const w = (value as Record<string, unknown>).values;
          if (!allclose(g, w, RTOL, ATOL) && !pyEqual(got, value)) {
            return `observed_value ${show(got)} != ${show(value)}`;
          }
        } else if (FLOAT_REPR.test(show(value))) {
          if (!allclose(got, value, RTOL, ATOL)) {
            return `observed_value ${show(got)} not close to ${show(value)}`;
          }
        } else if (!pyEqual(got, value)) {
          return `observed_value ${show(got)} != ${show(value)}`;
        }
        break;
      }
      case "observed_value_list":
        if (
          !(value as unknown[]).some((v) => pyEqual(result.observed_value, v))
        ) {
          return `observed_value ${show(result.observed_value)} not in ${
            show(value)
          }`;
        }
        break;
      case "unexpected_index_list": {
        const got = result.unexpected_index_list as unknown[] | undefined;
        if (c.pk && got && got.length > 0) {
          const want = (value as Record<string, unknown>[]).map((d) =>
            d.pk_index
          );
          const have = [...got as number[]].sort((a, b) => a - b);
          if (!pyEqual(have, want)) {
            return `unexpected_index_list ${show(have)} != ${show(want)}`;
          }
        }
        break;
      }
      case "unexpected_list": {
        const [want, got] = sortLike(
          value as unknown[],
          (result.unexpected_list ?? []) as unknown[],
        );
        if (!pyEqual(got, want)) {
          return `unexpected_list ${show(got)} != ${show(want)}`;
        }
        break;
      }
      case "partial_unexpected_list":
        if (!pyEqual(result.partial_unexpected_list, value)) {
          return `partial_unexpected_list ${
            show(result.partial_unexpected_list)
          } != ${show(value)}`;
        }
        break;
      case "details":
        if (!pyEqual(result.details, value)) {
          return `details ${show(result.details)} != ${show(value)}`;
        }
        break;
      case "value_counts": {
        const have = ((result.details as Record<string, unknown> | undefined)
          ?.value_counts ?? []) as unknown[];
        for (const vc of value as unknown[]) {
          if (!have.some((h) => pyEqual(h, vc))) {
            return `value_counts lack ${show(vc)}: ${show(have)}`;
          }
        }
        break;
      }
      case "observed_cdf_x_-1_gt":
      case "observed_cdf_x_-1_eq":
      case "observed_cdf_x_0_lt":
      case "observed_cdf_x_0_eq": {
        const xs = ((result.details as
          | Record<string, Record<string, unknown>>
          | undefined)
          ?.observed_cdf?.x ?? []) as number[];
        const x = key.includes("x_-1") ? xs[xs.length - 1] : xs[0];
        const ok = typeof x === "number" &&
          (key.endsWith("gt")
            ? x > (value as number)
            : key.endsWith("lt")
            ? x < (value as number)
            : x === value);
        if (!ok) return `${key}: ${show(x)} vs ${show(value)}`;
        break;
      }
      case "traceback_substring":
        if (!evr.exception_info.raised_exception) {
          return `expected an exception (${value})`;
        }
        break;
    }
  }
  return null;
}

/** The one result of a single-expectation validation. */
export function only(result: ValidationResult): ExpectationValidationResult {
  return result.results[0]!;
}
