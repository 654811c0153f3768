// The README's Spark example type-checks and runs, on a CSV made the way
// `deno task demo:spark` makes its own (resampled from the recorded week).
import assert from "node:assert/strict";
import { ensureQuakeCsv } from "../../examples/bench/spark_data.ts";

Deno.test("README's Spark example type-checks and runs on the project's CSV", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../README.md", import.meta.url),
  );
  const section = readme.slice(
    readme.indexOf("<!-- spark:start -->"),
    readme.indexOf("<!-- spark:end -->"),
  );
  // `ts ignore`: deno test --doc would run it on a CSV only demo:spark makes;
  // this test runs it on one it makes itself.
  const code = /```ts ignore\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code !== undefined, "the Spark section has a ts block");
  assert.match(code, /out\/bench\/quakes_1000000\.csv/);
  const dir = await Deno.makeTempDir();
  try {
    const csv = await ensureQuakeCsv(`${dir}/quakes.csv`, 5_000);
    const script = `${dir}/example.ts`;
    await Deno.writeTextFile(
      script,
      code.replace(
        '"./spark/mod.ts"',
        JSON.stringify(new URL("../../spark/mod.ts", import.meta.url).href),
      ).replace('"out/bench/quakes_1000000.csv"', JSON.stringify(csv)),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--check", "--quiet", `--allow-read=${dir},.`, script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const printed = new TextDecoder().decode(out.stdout);
    assert.match(printed, /"Taiwan"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
