// The quality CLI as a user runs it: a real subprocess, real files.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseCsvRows } from "../../quality/_read_rows.ts";

const CLI = fileURLToPath(new URL("../../quality/cli.ts", import.meta.url));

async function quality(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${cwd}`,
      "--v8-flags=--enable-experimental-regexp-engine",
      CLI,
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

const CSV = `id,kind,mag,place
1,earthquake,2.5,"12 km N of Town, CA"
2,earthquake,4.1,"a ""quoted"" place"
3,explosion,,"multi
line"
`;

Deno.test("quality profile writes a suite the data passes; validate exits 0, 1 and 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/quakes.csv`, CSV);
    const profiled = await quality(
      dir,
      "profile",
      "quakes.csv",
      "--exclude-column",
      "place",
    );
    assert.equal(profiled.code, 0, profiled.stderr);
    const suite = JSON.parse(profiled.stdout);
    assert.equal(suite.expectation_suite_name, "quakes");
    assert.ok(
      !suite.expectations.some((e: { kwargs: { column?: string } }) =>
        e.kwargs.column === "place"
      ),
    );
    await Deno.writeTextFile(`${dir}/suite.json`, profiled.stdout);

    const ok = await quality(
      dir,
      "validate",
      "--suite",
      "suite.json",
      "quakes.csv",
      "--result",
      "out/r.json",
      "--docs",
      "out/docs",
    );
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(
      ok.stdout,
      /^PASSED quakes on quakes.csv: \d+\/\d+ expectations \(100%\)/,
    );
    assert.equal(
      JSON.parse(await Deno.readTextFile(`${dir}/out/r.json`)).success,
      true,
    );
    assert.match(
      await Deno.readTextFile(`${dir}/out/docs/index.html`),
      /✔ passed/,
    );

    await Deno.writeTextFile(
      `${dir}/more.ndjson`,
      '{"id":1,"kind":"quake","mag":9.9}\n{"id":1,"kind":"earthquake","mag":1}\n',
    );
    const bad = await quality(
      dir,
      "validate",
      "--suite",
      "suite.json",
      "more.ndjson",
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^FAILED/);
    assert.match(
      bad.stdout,
      /✘ expect_column_values_to_be_in_set \(kind\): 1 unexpected of 2, e.g. \["quake"\]/,
    );

    for (
      const args of [
        ["validate", "quakes.csv"],
        ["validate", "--suite", "suite.json"],
        ["validate", "--suite", "nope.json", "quakes.csv"],
        ["validate", "--suite", "suite.json", "quakes.txt"],
        ["validate", "--suite", "quakes.csv", "quakes.csv"],
        [
          "validate",
          "--suite",
          "suite.json",
          "quakes.csv",
          "--result-format",
          "ALL",
        ],
        ["validate", "--bogus"],
        ["frobnicate"],
        [],
      ]
    ) {
      const r = await quality(dir, ...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stderr.trim().split("\n").length <= 1, true, r.stderr);
      assert.ok(!/\n\s+at /.test(r.stderr), r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("quality suite new, list and show", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal((await quality(dir, "suite", "new", "orders")).code, 0);
    assert.equal((await quality(dir, "suite", "new", "orders")).code, 2);
    await Deno.writeTextFile(`${dir}/notes.json`, "[1]");
    const list = await quality(dir, "suite", "list", dir);
    assert.equal(list.stdout, "orders.json\torders\t0 expectations\n");
    const show = await quality(dir, "suite", "show", "orders.json");
    assert.equal(show.stdout, "orders: 0 expectations\n");
    assert.equal((await quality(dir, "suite", "drop")).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CSV rows: quotes, embedded newlines, empty fields as null, numbers", () => {
  assert.deepEqual(parseCsvRows(CSV), [
    { id: 1, kind: "earthquake", mag: 2.5, place: "12 km N of Town, CA" },
    { id: 2, kind: "earthquake", mag: 4.1, place: 'a "quoted" place' },
    { id: 3, kind: "explosion", mag: null, place: "multi\nline" },
  ]);
  assert.deepEqual(parseCsvRows('a,b\r\n"1",2\r\n'), [{ a: "1", b: 2 }]);
  assert.throws(
    () => parseCsvRows("a,b\n1\n"),
    /record 1 has 1 fields, the header 2/,
  );
  assert.throws(() => parseCsvRows('a\n"x'), /unterminated quoted field/);
});
