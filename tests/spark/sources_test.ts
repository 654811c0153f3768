// textFile / csv / wholeTextFiles inputs as Hadoop reads them: directories,
// globs, comma lists, gzip; saveAsTextFile output reads back; CSV headers.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { SparkContext, SparkError } from "../../spark/mod.ts";

async function withDir(
  fn: (dir: string, sc: SparkContext) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    await fn(dir, sc);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SparkContext.textFile() reads a directory, skipping _SUCCESS and hidden files", () =>
  withDir(async (dir, sc) => {
    await Deno.mkdir(`${dir}/in`);
    await Deno.writeTextFile(`${dir}/in/b.txt`, "3\n4\n");
    await Deno.writeTextFile(`${dir}/in/a.txt`, "1\n2\n");
    await Deno.writeTextFile(`${dir}/in/_SUCCESS`, "");
    await Deno.writeTextFile(`${dir}/in/.a.txt.crc`, "junk\n");
    await Deno.mkdir(`${dir}/in/sub`);
    await Deno.writeTextFile(`${dir}/in/sub/c.txt`, "nested\n");
    const rdd = sc.textFile(`${dir}/in`, 1);
    assert.ok(rdd.numPartitions >= 2, "one split per file at least");
    assert.deepEqual(await rdd.collect(), ["1", "2", "3", "4"]);
  }));

Deno.test("SparkContext.textFile() reads globs and comma-separated lists", () =>
  withDir(async (dir, sc) => {
    for (
      const [name, text] of [["x1.csv", "a"], ["x2.csv", "b"], ["y.csv", "c"], [
        "x3.txt",
        "d",
      ]]
    ) {
      await Deno.writeTextFile(`${dir}/${name}`, text + "\n");
    }
    assert.deepEqual(await sc.textFile(`${dir}/x*.csv`).collect(), ["a", "b"]);
    assert.deepEqual(await sc.textFile(`${dir}/x?.{csv,txt}`).collect(), [
      "a",
      "b",
      "d",
    ]);
    assert.deepEqual(await sc.textFile(`${dir}/[xy]*.csv`).collect(), [
      "a",
      "b",
      "c",
    ]);
    assert.deepEqual(
      await sc.textFile(`${dir}/y.csv,${dir}/x3.txt`).collect(),
      ["c", "d"],
    );
    assert.throws(
      () => sc.textFile(`${dir}/nothing*.csv`),
      (e) => e instanceof SparkError && /nothing\*\.csv/.test(e.message),
    );
    assert.throws(
      () => sc.textFile(`${dir}/missing.txt`),
      (e) => e instanceof SparkError && /missing\.txt/.test(e.message),
    );
  }));

Deno.test("RDD.saveAsTextFile() output reads back through textFile(dir), plain and gzip", () =>
  withDir(async (dir, sc) => {
    // PySpark's saveAsTextFile doctests.
    await sc.parallelize([...Array(10).keys()]).saveAsTextFile(`${dir}/t1`);
    assert.deepEqual(
      (await sc.textFile(`${dir}/t1`).collect()).sort(),
      ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    );
    await sc.parallelize(["", "foo", "", "bar", ""]).saveAsTextFile(
      `${dir}/t2`,
    );
    assert.deepEqual((await sc.textFile(`${dir}/t2`).collect()).sort(), [
      "",
      "",
      "",
      "bar",
      "foo",
    ]);
    await sc.parallelize(["foo", "bar"]).saveAsTextFile(
      `${dir}/t3`,
      "org.apache.hadoop.io.compress.GzipCodec",
    );
    const parts = [...Deno.readDirSync(`${dir}/t3`)].map((e) => e.name).sort();
    assert.ok(parts.filter((p) => p.endsWith(".gz")).length >= 1, `${parts}`);
    assert.ok(!parts.includes("_temporary"));
    assert.deepEqual((await sc.textFile(`${dir}/t3`).collect()).sort(), [
      "bar",
      "foo",
    ]);
    // Pairs are JSON lines; JSON.parse reads them back.
    const pairs = [["a", 1], ["b", [2, 3]]];
    await sc.parallelize(pairs).saveAsTextFile(`${dir}/t4`, "gzip");
    assert.deepEqual(
      await sc.textFile(`${dir}/t4`).map((l) => JSON.parse(l)).collect(),
      pairs,
    );
    await assert.rejects(
      () => sc.parallelize([1]).saveAsTextFile(`${dir}/t5`, "snappy"),
      (e) => e instanceof SparkError && /snappy/.test(e.message),
    );
  }));

Deno.test("SparkContext.textFile() reads a .gz file written by another tool", () =>
  withDir(async (dir, sc) => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    await Deno.writeFile(
      `${dir}/big.txt.gz`,
      gzipSync(new TextEncoder().encode("\uFEFF" + lines.join("\r\n") + "\n")),
    );
    const rdd = sc.textFile(`${dir}/big.txt.gz`, 4);
    assert.equal(rdd.numPartitions, 1);
    assert.deepEqual(await rdd.collect(), lines);
    await Deno.writeFile(
      `${dir}/q.csv.gz`,
      gzipSync(new TextEncoder().encode("mag,place\n4.5,Taiwan\n2,Chile\n")),
    );
    assert.deepEqual(
      await sc.csv(`${dir}/q.csv.gz`, { header: true, inferSchema: true })
        .collect(),
      [{ mag: 4.5, place: "Taiwan" }, { mag: 2, place: "Chile" }],
    );
  }));

Deno.test("SparkContext.wholeTextFiles() returns [path, content] per file", () =>
  withDir(async (dir, sc) => {
    // PySpark's wholeTextFiles doctest.
    await Deno.writeTextFile(`${dir}/1.txt`, "123");
    await Deno.writeTextFile(`${dir}/2.txt`, "xyz");
    await Deno.writeFile(
      `${dir}/3.txt.gz`,
      gzipSync(new TextEncoder().encode("zipped\n")),
    );
    const rdd = sc.wholeTextFiles(dir, 2);
    assert.equal(rdd.numPartitions, 2);
    assert.deepEqual(await rdd.collect(), [
      [`${dir}/1.txt`, "123"],
      [`${dir}/2.txt`, "xyz"],
      [`${dir}/3.txt.gz`, "zipped\n"],
    ]);
  }));

Deno.test("SparkContext.csv() reads every file of a directory, each with its header", () =>
  withDir(async (dir, sc) => {
    await Deno.mkdir(`${dir}/q`);
    await Deno.writeTextFile(`${dir}/q/part-1.csv`, "mag,place\n5,Chile\n");
    await Deno.writeTextFile(`${dir}/q/part-2.csv`, "mag,place\n6,Peru\n");
    await Deno.writeTextFile(`${dir}/q/_SUCCESS`, "");
    const rows = await sc.csv(`${dir}/q`, { header: true, inferSchema: true })
      .collect();
    assert.deepEqual(rows, [
      { mag: 5, place: "Chile" },
      { mag: 6, place: "Peru" },
    ]);
  }));

Deno.test("SparkContext.csv() makes duplicate header names unique as Spark does", () =>
  withDir(async (dir, sc) => {
    await Deno.writeTextFile(
      `${dir}/d.csv`,
      "id,Name,name,,__proto__\n1,a,b,c,d\n",
    );
    const [row] = await sc.csv(`${dir}/d.csv`, { header: true }).collect();
    assert.deepEqual(Object.keys(row!), [
      "id",
      "Name1",
      "name2",
      "_c3",
      "__proto__",
    ]);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(row, "__proto__")?.value, "d");
    assert.equal(row!.name2, "b");
    const [picked] = await sc.csv(`${dir}/d.csv`, {
      header: true,
      columns: ["__proto__", "Name1"],
    }).collect();
    assert.equal(
      Object.getOwnPropertyDescriptor(picked, "__proto__")?.value,
      "d",
    );
    assert.equal(picked!.Name1, "a");
  }));
