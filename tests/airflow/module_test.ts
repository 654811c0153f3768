import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const airflowDir = fileURLToPath(new URL("../../airflow/", import.meta.url));

Deno.test("airflow/mod.ts imports from a script outside the repository", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const mod = new URL("../../airflow/mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { DAG } from "${mod}";\n` +
        `const dag = new DAG("outside", { schedule: "@daily" });\n` +
        `dag.task("t", () => 41 + 1);\n` +
        `console.log((await dag.test()).tasks.t.xcom);\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", `${dir}/main.ts`],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assert.equal(out.code, 0, text.decode(out.stderr));
    assert.equal(text.decode(out.stdout).trim(), "42");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("airflow/mod.ts names every file of the module", async () => {
  const doc = await Deno.readTextFile(`${airflowDir}/mod.ts`);
  const files: string[] = [];
  for await (const e of Deno.readDir(airflowDir)) {
    if (e.isFile && e.name.endsWith(".ts") && e.name !== "mod.ts") {
      files.push(e.name);
    }
  }
  const missing = files.filter((f) => !doc.includes(`\`${f}\``));
  assert.deepEqual(missing, []);
});

Deno.test("airflow exports no name starting with _", async () => {
  const mod = await import("../../airflow/mod.ts");
  assert.deepEqual(Object.keys(mod).filter((k) => k.startsWith("_")), []);
  for await (const e of Deno.readDir(airflowDir)) {
    if (!e.isFile || !e.name.endsWith(".ts") || e.name.startsWith("_")) {
      continue;
    }
    const text = await Deno.readTextFile(`${airflowDir}/${e.name}`);
    const bad = [...text.matchAll(/^export (?:async )?\w+ (_\w+)/gm)].map((
      m,
    ) => `${e.name}: ${m[1]}`);
    assert.deepEqual(bad, []);
  }
});
