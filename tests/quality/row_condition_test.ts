import assert from "node:assert/strict";
import { compileRowCondition } from "../../quality/_row_condition.ts";
import { pyRegex } from "../../quality/_values.ts";
import { QualityError } from "../../quality/mod.ts";

const ROWS = [
  { a: 1, b: "x", "my col": 5, c: null },
  { a: -2, b: "y", "my col": 1, c: 3 },
  { a: 3, b: "it's", "my col": 9, c: NaN },
];

function matching(condition: string): number[] {
  const predicate = compileRowCondition(condition);
  return ROWS.flatMap((row, i) => (predicate(row) ? [i] : []));
}

Deno.test("compileRowCondition() evaluates GE and pandas syntax", () => {
  assert.deepEqual(matching('col("a") > 0'), [0, 2]);
  assert.deepEqual(matching("a > 0 & b != 'x'"), [2]);
  assert.deepEqual(matching('a < 0 | b == "x"'), [0, 1]);
  assert.deepEqual(matching("a >= -2 and not (a == 1)"), [1, 2]);
  assert.deepEqual(matching("~(a <= 1)"), [2]);
  assert.deepEqual(matching("`my col` >= 5"), [0, 2]);
  assert.deepEqual(matching('b == "it\\\'s"'), [2]);
  assert.deepEqual(matching("c.isnull()"), [0, 2]);
  assert.deepEqual(matching("c.notnull() && a < 0"), [1]);
  assert.deepEqual(matching("c == None"), [0, 2]);
  assert.deepEqual(matching("c != null"), [1]);
  assert.deepEqual(
    matching("b > 1"),
    [],
    "comparing a string with a number is false",
  );
  assert.deepEqual(matching("a > 2.5e0"), [2]);
});

Deno.test("compileRowCondition() rejects bad syntax with QualityError", () => {
  const cases: [string, RegExp][] = [
    ["a >", /^Row condition ends early: a >$/],
    ['b == "open', /^Unterminated string in row condition: /],
    ["a.upper()", /^Unknown method in row condition: upper$/],
    ["a > 1 )", /^Unexpected trailing tokens in row condition: a > 1 \)$/],
    ["a # 1", /^Unexpected character in row condition at 2: "#"$/],
    ["col(a) > 1", /^Function col\(\) takes a quoted column name: /],
    ["   ", /^Row condition is empty: " {3}"$/],
  ];
  for (const [source, pattern] of cases) {
    assert.throws(
      () => compileRowCondition(source),
      (e: unknown) => e instanceof QualityError && pattern.test(e.message),
      source,
    );
  }
});

Deno.test("pyRegex() translates Python-only syntax", () => {
  assert.ok(pyRegex("(?i)^abc$").test("ABC"));
  assert.ok(pyRegex("^(?P<x>a)(?P=x)$").test("aa"));
  assert.ok(!pyRegex("^(?P<x>a)(?P=x)$").test("ab"));
  assert.ok(pyRegex("\\Aab\\Z").test("ab"));
  assert.ok(pyRegex("^\\p{Lu}").test("Éa"));
  assert.throws(() => pyRegex("(["), /^QualityError: Invalid regex: "\(\["$/);
});
