// A regular expression from a suite must not hang validation.
import assert from "node:assert/strict";
import { ExpectationSuite, validate } from "../../quality/mod.ts";
import { mayBacktrackExponentially } from "../../quality/_values.ts";

const evil = "^(a+)+$";
const rows = [{ s: "a".repeat(40) + "!" }, { s: "aaa" }];

Deno.test("an exponential pattern fails its expectation with the pattern named; the others run", async () => {
  const suite = new ExpectationSuite("s")
    .expectColumnValuesToMatchRegex("s", evil)
    .expectColumnValuesToMatchRegexList("s", ["^b", "(x|xy)*z"])
    .expectColumnValuesToNotBeNull("s");
  const started = performance.now();
  const r = await validate(rows, suite);
  assert.ok(performance.now() - started < 5_000);
  assert.equal(r.results[0]!.success, false);
  assert.match(
    r.results[0]!.exception_info.exception_message!,
    /Regex "\^\(a\+\)\+\$" may take exponential time/,
  );
  assert.match(r.results[1]!.exception_info.exception_message!, /\(x\|xy\)\*z/);
  assert.equal(r.results[2]!.success, true);
});

Deno.test("the static check refuses nested repeats and repeated alternations only", () => {
  for (
    const p of [
      evil,
      "(a*)*",
      "(a|aa)+",
      "(\\w+\\s?)+$",
      "((ab)+c)+",
      "(a+){2,}",
    ]
  ) {
    assert.equal(mayBacktrackExponentially(p), true, p);
  }
  for (
    const p of [
      "^\\d{3}-\\d{4}$",
      "^[a-z]+(\\.[a-z]+)?$",
      "(ab){2,5}",
      "[(+*)]+",
      "\\(a+\\)+",
      "^(?:\\d+)$",
      "a+b+c*",
    ]
  ) {
    assert.equal(mayBacktrackExponentially(p), false, p);
  }
});

Deno.test("with V8's linear engine the same pattern is evaluated, in linear time", async () => {
  const script = `
    import { ExpectationSuite, validate } from ${
    JSON.stringify(new URL("../../quality/mod.ts", import.meta.url).href)
  };
    const rows = [{ s: "a".repeat(5000) + "!" }, { s: "aaa" }];
    const r = await validate(rows, new ExpectationSuite("s").expectColumnValuesToMatchRegex("s", ${
    JSON.stringify(evil)
  }), { resultFormat: "COMPLETE" });
    console.log(JSON.stringify([r.results[0].exception_info.raised_exception, r.results[0].result.unexpected_index_list]));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--v8-flags=--enable-experimental-regexp-engine",
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [false, [
    0,
  ]]);
});
