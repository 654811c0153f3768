// The house rules that hold across every module, checked on the sources:
// each module's `mod.ts` doc names every file of its folder, examples assert
// instead of printing, and exported names never start with `_`.
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MODULES = ["spark", "airflow", "kafka", "http", "quality", "internal"];

async function sourcesOf(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await sourcesOf(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/** The `mod.ts` that documents `file`: the nearest one above it. */
async function modDocOf(file: string): Promise<string | undefined> {
  for (let dir = dirname(file); dir.startsWith(ROOT); dir = dirname(dir)) {
    const mod = join(dir, "mod.ts");
    try {
      return await Deno.readTextFile(mod);
    } catch {
      if (dirname(dir) === dir) return undefined;
    }
  }
  return undefined;
}

Deno.test("mod.ts docs name every file of their module", async () => {
  const missing: string[] = [];
  for (const module of MODULES.filter((m) => m !== "internal")) {
    for (const file of await sourcesOf(join(ROOT, module))) {
      if (file.endsWith("/mod.ts")) continue;
      const name = file.slice(file.lastIndexOf("/") + 1);
      const doc = await modDocOf(file);
      if (!doc?.includes(name)) missing.push(relative(ROOT, file));
    }
  }
  assert.deepEqual(missing, [], "files missing from their mod.ts list");
});

Deno.test("doc examples assert instead of printing an expected value", async () => {
  // `console.log(x); // 42` cannot fail on a wrong value; `assert` can.
  const printing = /^\s*\*\s.*console\.log\(.*\/\/ /;
  const offenders: string[] = [];
  const files = [join(ROOT, "mod.ts")];
  for (const module of MODULES) {
    files.push(...await sourcesOf(join(ROOT, module)));
  }
  for (const file of files) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, i) => {
      if (printing.test(line)) {
        offenders.push(`${relative(ROOT, file)}:${i + 1}`);
      }
    });
  }
  assert.deepEqual(offenders, []);
});

Deno.test("exported names never start with _", async () => {
  const exported =
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+(_\w*)/;
  const offenders: string[] = [];
  for (const module of MODULES) {
    for (const file of await sourcesOf(join(ROOT, module))) {
      // Private files may export helpers to their module; public ones may not.
      if (file.slice(file.lastIndexOf("/") + 1).startsWith("_")) continue;
      const lines = (await Deno.readTextFile(file)).split("\n");
      lines.forEach((line, i) => {
        const match = exported.exec(line);
        if (match) {
          offenders.push(`${relative(ROOT, file)}:${i + 1} ${match[1]}`);
        }
      });
    }
  }
  assert.deepEqual(offenders, []);
});
