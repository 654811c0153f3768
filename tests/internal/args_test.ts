import assert from "node:assert/strict";
import {
  describeFailure,
  formatUsage,
  parseFlags,
  UsageError,
} from "../../internal/args.ts";

const spec = {
  command: "deno task demo:x",
  summary: "Does x.",
  flags: {
    rows: { type: "integer", min: 1, default: 10, description: "rows" },
    ratio: { type: "number", min: 0, max: 1, description: "a ratio" },
    out: {
      type: "string",
      default: "out",
      placeholder: "DIR",
      description: "d",
    },
    live: { type: "boolean", description: "live" },
  },
} as const;

Deno.test("parseFlags() gives typed values with defaults", () => {
  assert.deepEqual(parseFlags(spec, []), {
    rows: 10,
    ratio: undefined,
    out: "out",
    live: false,
  });
  assert.deepEqual(
    parseFlags(spec, ["--rows", "1_000", "--ratio=0.5", "--out=x", "--live"]),
    { rows: 1000, ratio: 0.5, out: "x", live: true },
  );
  assert.equal(parseFlags(spec, ["--rows=abc", "--help"]), "help");
});

Deno.test("parseFlags() drops a leading -- (deno task passes it through)", () => {
  const parsed = parseFlags(spec, ["--", "--live"]);
  assert.ok(parsed !== "help");
  assert.equal(parsed.live, true);
});

Deno.test("parseFlags() names the flag and the bad value", () => {
  const bad: [string[], string][] = [
    [["--nope"], "Unknown flag: --nope"],
    [["--rows=abc"], 'Flag --rows takes an integer: "abc"'],
    [["--rows=2.5"], 'Flag --rows takes an integer: "2.5"'],
    [["--rows="], 'Flag --rows takes an integer: ""'],
    [["--rows=-1"], 'Flag --rows must be at least 1: "-1"'],
    [["--ratio=2"], 'Flag --ratio must be at most 1: "2"'],
    [["--ratio=NaN"], 'Flag --ratio takes a number: "NaN"'],
    [["--rows"], "Flag --rows needs a value"],
    [["--live=1"], "Flag --live takes no value"],
    [["extra"], "Unexpected argument: extra"],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parseFlags(spec, args), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, message);
      return true;
    });
  }
  assert.throws(
    () => parseFlags(spec, ["--rows", "-1"]),
    /Flag --rows needs its value after "="/,
  );
});

Deno.test("formatUsage() prints a Usage line, the summary and every flag", () => {
  assert.equal(
    formatUsage(spec),
    [
      "Usage: deno task demo:x [options]",
      "",
      "Does x.",
      "",
      "Options:",
      "  --rows=N   rows (default: 10)",
      "  --ratio=N  a ratio",
      "  --out=DIR  d (default: out)",
      "  --live     live",
      "  --help     print this text and exit",
    ].join("\n"),
  );
});

Deno.test("describeFailure() keeps every cause on one line", () => {
  const dns = new Error("dns error: failed to lookup address information");
  const send = new TypeError("error sending request", { cause: dns });
  const retry = new Error("Request failed after 6 attempts: fetch failed", {
    cause: new TypeError("fetch failed", { cause: send }),
  });
  assert.equal(
    describeFailure(retry),
    "Request failed after 6 attempts: fetch failed ← error sending request ← " +
      "dns error: failed to lookup address information",
  );
  assert.equal(describeFailure("plain"), "plain");
});
