import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "../../internal/atomic_file.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("writeFileAtomic() replaces a file and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "state.json");
    await writeFileAtomic(path, "first");
    await writeFileAtomic(path, new TextEncoder().encode("second, longer"));
    assert.equal(await Deno.readTextFile(path), "second, longer");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => writeFileAtomic(path, `w${i}`)),
    );
    assert.match(await Deno.readTextFile(path), /^w\d+$/);
    assert.deepEqual(await names(dir), ["state.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() creates the directory only when asked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "a", "b", "out.json");
    await assert.rejects(writeFileAtomic(path, "x"), Deno.errors.NotFound);
    await writeFileAtomic(path, "x", { mkdir: true });
    assert.equal(await Deno.readTextFile(path), "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() keeps the old content and removes its temp file when the rename fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A non-empty directory at the target makes the rename fail.
    const path = join(dir, "target");
    await Deno.mkdir(join(path, "inside"), { recursive: true });
    await assert.rejects(writeFileAtomic(path, "data"));
    assert.deepEqual(await names(dir), ["target"]);
    assert.deepEqual(await names(path), ["inside"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
