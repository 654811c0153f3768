// Each module is importable on its own from a script outside the repository:
// no bare specifier that only the repository's import map resolves.
import assert from "node:assert/strict";
import { type DenoOutput, runDeno } from "./_deno.ts";

const root = new URL("../", import.meta.url);

/** Each entry point and a few of the names it must export. */
const ENTRY_POINTS: Record<string, string[]> = {
  "mod.ts": ["spark", "airflow", "kafka", "http", "quality", "systemClock"],
  "spark/mod.ts": ["SparkContext"],
  "airflow/mod.ts": ["DAG", "Scheduler", "LocalExecutor"],
  "kafka/mod.ts": ["Kafka", "murmur2", "readPartitionLog"],
  "http/mod.ts": ["HttpClient", "UsgsClient", "TokenBucket"],
  "quality/mod.ts": ["ExpectationSuite", "validate", "Checkpoint"],
};

async function importFromOutside(
  dir: string,
  entry: string,
  names: string[],
): Promise<DenoOutput> {
  const script = `${dir}/${entry.replaceAll("/", "_")}`;
  await Deno.writeTextFile(
    script,
    `import * as m from ${JSON.stringify(new URL(entry, root).href)};\n` +
      `console.log(JSON.stringify(${
        JSON.stringify(names)
      }.map((n) => [n, typeof (m as Record<string, unknown>)[n]])));\n`,
  );
  // No config and no lockfile: what a user's own script outside the repo gets.
  return await runDeno(
    ["run", "--no-config", "--no-lock", "--allow-read", script],
    { cwd: dir },
  );
}

Deno.test("every mod.ts imports from a script in a directory outside the repository", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const entries = Object.entries(ENTRY_POINTS);
    const failures: string[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      const pair = entries.slice(i, i + 2);
      const results = await Promise.all(
        pair.map(([entry, names]) => importFromOutside(dir, entry, names)),
      );
      results.forEach((r, k) => {
        const [entry, names] = pair[k]!;
        if (r.code !== 0) {
          failures.push(`${entry}: ${r.stderr.split("\n")[0]}`);
          return;
        }
        const types = new Map(JSON.parse(r.stdout) as [string, string][]);
        for (const name of names) {
          if (types.get(name) === "undefined") {
            failures.push(`${entry}: no export ${name}`);
          }
        }
      });
    }
    assert.deepEqual(failures, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
