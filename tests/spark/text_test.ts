import assert from "node:assert/strict";
import { SparkContext } from "../../spark/mod.ts";
import { readSplitLines } from "../../spark/_text_reader.ts";

/** What a line reader must return: BOM dropped, CRLF and LF endings. */
function referenceLines(text: string): string[] {
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  if (text === "") return [];
  const lines = text.split("\n").map((l) =>
    l.endsWith("\r") ? l.slice(0, -1) : l
  );
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

const CASES: Record<string, string> = {
  "no trailing newline": "alpha\nbeta\ngamma",
  "trailing newline": "alpha\nbeta\n",
  "CRLF": "one\r\ntwo\r\n\r\nthree\r\n",
  "BOM": "\uFEFFfirst\nsecond\n",
  "empty lines": "\n\na\n\n\nb\n\n",
  "multibyte": "héllo wörld\n日本語のテキスト\n🙂🙃 emoji line\nκαλημέρα",
  "single line": "only one line, no newline",
  "empty file": "",
  "one newline": "\n",
};

Deno.test("readSplitLines() returns every line exactly once for every split layout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(CASES)) {
      const path = `${dir}/f.txt`;
      await Deno.writeTextFile(path, text);
      const size = (await Deno.stat(path)).size;
      const ref = referenceLines(text);
      // Every pair of cut points, with tiny read chunks so lines and
      // multibyte characters straddle chunk boundaries too.
      for (let a = 0; a <= size; a++) {
        for (let b = a; b <= size; b++) {
          for (const chunk of [3, 64]) {
            const out = [
              ...readSplitLines(path, 0, a, chunk),
              ...readSplitLines(path, a, b, chunk),
              ...readSplitLines(path, b, size, chunk),
            ].flat();
            assert.deepEqual(
              out,
              ref,
              `${name}: cuts ${a},${b} chunk ${chunk}`,
            );
          }
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext.textFile() reads each line once whatever the partition count", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    for (const [name, text] of Object.entries(CASES)) {
      const path = `${dir}/${name.replaceAll(" ", "_")}.txt`;
      await Deno.writeTextFile(path, text);
      const size = new TextEncoder().encode(text).length;
      for (const n of [1, 2, 3, 5, Math.max(1, size)]) {
        const rdd = sc.textFile(path, n);
        assert.deepEqual(
          await rdd.collect(),
          referenceLines(text),
          `${name} with ${n} partitions`,
        );
      }
    }
    // A larger file with random line lengths and many splits.
    let big = "";
    for (let i = 0; i < 5000; i++) {
      big += `${i}:${"x".repeat((i * 7919) % 97)}${i % 3 ? "\n" : "\r\n"}`;
    }
    await Deno.writeTextFile(`${dir}/big.txt`, big);
    const rdd = sc.textFile(`${dir}/big.txt`, 13);
    assert.equal(rdd.numPartitions, 13);
    assert.deepEqual(await rdd.collect(), referenceLines(big));
    assert.equal(await rdd.count(), 5000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext.csv() parses typed rows with quotes across any split", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    const text = "\uFEFFid,place,mag,ok,when\r\n" +
      '1,"12km SSW of Anza, CA",4.5,true,2018-02-07\r\n' +
      '2,"say ""hi"", then go",,FALSE,\r\n' +
      "\r\n" +
      "3,Taiwan,-1e2,false,2018-02-08T10:00:00Z\r\n" +
      '4,"日本, 東京",3,true,2018-02-09';
    const path = `${dir}/q.csv`;
    await Deno.writeTextFile(path, text);
    const expected = [
      {
        id: 1,
        place: "12km SSW of Anza, CA",
        mag: 4.5,
        ok: true,
        when: new Date("2018-02-07"),
      },
      { id: 2, place: 'say "hi", then go', mag: null, ok: false, when: null },
      {
        id: 3,
        place: "Taiwan",
        mag: -100,
        ok: false,
        when: new Date("2018-02-08T10:00:00Z"),
      },
      {
        id: 4,
        place: "日本, 東京",
        mag: 3,
        ok: true,
        when: new Date("2018-02-09"),
      },
    ];
    const size = new TextEncoder().encode(text).length;
    for (const n of [1, 2, 4, size]) {
      const rows = await sc.csv(path, {
        header: true,
        schema: {
          id: "integer",
          place: "string",
          mag: "number",
          ok: "boolean",
          when: "date",
        },
        minPartitions: n,
      }).collect();
      assert.deepEqual(rows, expected, `${n} partitions`);
      assert.equal(sc.lastJob?.counters.malformedRows ?? 0, 0);
    }
    // A Spark DDL schema string and Spark type names.
    assert.deepEqual(
      await sc.csv(path, {
        header: true,
        schema: "id INT, place STRING, mag DOUBLE, ok BOOLEAN, when TIMESTAMP",
      })
        .collect(),
      expected,
    );
    assert.deepEqual(
      (await sc.csv(path, {
        header: true,
        schema: {
          id: "long",
          place: "string",
          mag: "float",
          ok: "boolean",
          when: "date",
        },
      })
        .first()).mag,
      4.5,
    );
    assert.throws(
      () => sc.csv(path, { schema: { a: "uuid" } }),
      /CSV schema type must be .*: "uuid"/,
    );
    assert.throws(
      () => sc.csv(path, { schema: "a" }),
      /CSV schema entry must be "name TYPE": "a"/,
    );
    // inferSchema and header names.
    const inferred = await sc.csv(path, { header: true, inferSchema: true })
      .first();
    assert.deepEqual(inferred, {
      id: 1,
      place: "12km SSW of Anza, CA",
      mag: 4.5,
      ok: true,
      when: "2018-02-07",
    });
    // No header: _c0.. names, strings.
    const raw = await sc.csv(path).take(2);
    assert.deepEqual(raw[1], {
      _c0: "1",
      _c1: "12km SSW of Anza, CA",
      _c2: "4.5",
      _c3: "true",
      _c4: "2018-02-07",
    });
    // Column selection keeps only named columns.
    assert.deepEqual(
      await sc.csv(path, {
        header: true,
        inferSchema: true,
        columns: ["place", "id"],
      }).take(1),
      [{ place: "12km SSW of Anza, CA", id: 1 }],
    );
    // Another delimiter.
    await Deno.writeTextFile(`${dir}/semi.csv`, 'a;b\n1;"x;y"\n');
    assert.deepEqual(
      await sc.csv(`${dir}/semi.csv`, { header: true, delimiter: ";" })
        .collect(),
      [{ a: "1", b: "x;y" }],
    );
    assert.throws(() => sc.csv(path, { delimiter: '"' }), /delimiter/);
    assert.throws(
      () => sc.csv(path, { header: true, columns: ["nope"] }),
      /CSV column not found: "nope"/,
    );
    assert.throws(
      () => sc.csv(path, { mode: "LENIENT" as "PERMISSIVE" }),
      /PERMISSIVE, DROPMALFORMED or FAILFAST: "LENIENT"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext.csv() handles malformed rows by mode and counts them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    const path = `${dir}/bad.csv`;
    await Deno.writeTextFile(path, 'a,b\n1,2\nx,3\n4\n5,6,7\n"open,8\n9,10\n');
    const schema = { a: "integer", b: "integer" } as const;
    const permissive = await sc.csv(path, {
      header: true,
      schema,
      minPartitions: 3,
    }).collect();
    assert.equal(permissive.length, 6);
    assert.equal(sc.lastJob?.counters.malformedRows, 4);
    assert.deepEqual(permissive[0], { a: 1, b: 2 });
    assert.deepEqual(permissive[1], { a: null, b: 3, _corrupt_record: "x,3" });
    assert.deepEqual(permissive[2], { a: 4, b: null, _corrupt_record: "4" });
    assert.deepEqual(permissive[4], {
      a: null,
      b: null,
      _corrupt_record: '"open,8',
    });
    const dropped = await sc.csv(path, {
      header: true,
      schema,
      mode: "DROPMALFORMED",
    }).collect();
    assert.deepEqual(dropped, [{ a: 1, b: 2 }, { a: 9, b: 10 }]);
    assert.equal(sc.lastJob?.counters.malformedRows, 4);
    await assert.rejects(
      () =>
        sc.csv(path, {
          header: true,
          schema,
          mode: "FAILFAST",
          minPartitions: 1,
        }).collect(),
      /failed 1 time\(s\), last error: Malformed CSV record in FAILFAST mode: "x,3"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD.saveAsTextFile() writes parts and _SUCCESS atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using sc = new SparkContext({ parallelism: 2 });
    const out = `${dir}/out`;
    const data = ["a", "b", "c", { x: 1 }, 5, "é"];
    await sc.parallelize(data, 3).saveAsTextFile(out);
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "_SUCCESS",
      "part-00000",
      "part-00001",
      "part-00002",
    ]);
    assert.equal(await Deno.readTextFile(`${out}/part-00001`), 'c\n{"x":1}\n');
    const back = await sc.textFile(`${out}/part-00002`).collect();
    assert.deepEqual(back, ["5", "é"]);
    await assert.rejects(
      () => sc.parallelize([1]).saveAsTextFile(out),
      /Output directory already exists/,
    );
    await assert.rejects(
      () => sc.parallelize([1]).saveAsTextFile(`${dir}/no/such/parent/out`),
      /Cannot create output directory: ".*\/no\/such\/parent\/out"/,
    );
    // A failing task leaves nothing behind: no output dir, no temp dir.
    const failed = `${dir}/failed`;
    await assert.rejects(() =>
      sc.range(100, undefined, 1, 4).map((x) => {
        if (x === 99) throw new Error("disk on fire");
        return x;
      }).saveAsTextFile(failed)
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RDD.saveAsTextFile() leaves no complete-looking output when the process is killed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/job.ts`;
    const mod = new URL("../../spark/mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { SparkContext } from "${mod}";
const sc = new SparkContext({ parallelism: 2 });
// Slow partitions: each writes its rows over about a second.
await sc.range(8_000, undefined, 1, 8).mapPartitions(async function* (rows) {
  let i = 0;
  for (const x of rows) {
    if (++i % 100 === 0) await new Promise((r) => setTimeout(r, 10));
    yield "line " + x;
  }
}).saveAsTextFile(Deno.args[0]);
console.log("done");
sc.close();
`,
    );
    const out = `${dir}/out`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", script, out],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    // Kill it as soon as the first part file appears in the temp dir.
    const deadline = Date.now() + 20_000;
    let killed = false;
    while (Date.now() < deadline) {
      const temp = [...Deno.readDirSync(dir)].find((e) =>
        e.name.startsWith(".out._temporary")
      );
      if (temp && [...Deno.readDirSync(`${dir}/${temp.name}`)].length > 0) {
        child.kill("SIGKILL");
        killed = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const status = await child.status;
    await child.stdout.cancel();
    assert.ok(
      killed,
      "the job was still running when its first part file appeared",
    );
    assert.equal(status.success, false);
    // The half-written result is only in the hidden temp dir: `out` does not
    // exist, so nobody can mistake it for a finished result.
    await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
