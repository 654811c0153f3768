import assert from "node:assert/strict";
import {
  type CsvSpec,
  makeRowBuilder,
  parseCsvBatch,
  parseCsvText,
  toNumber,
} from "../../spark/_csv.ts";
import { readSplitLines, readSplitText } from "../../spark/_text_reader.ts";
import { SparkContext } from "../../spark/mod.ts";

const COLUMNS = ["a", "b", "c", "d"];
const TYPES: CsvSpec["types"] = ["string", "number", "string", "integer"];

function spec(
  select: number[] | undefined,
  mode: CsvSpec["mode"] = "PERMISSIVE",
  delimiter = ",",
): CsvSpec {
  return {
    columns: COLUMNS,
    types: TYPES,
    delimiter,
    header: true,
    mode,
    select,
  };
}

/** Runs a parser, returning its rows and count, or the FAILFAST message. */
function run(
  fn: (c: { malformedRows: number }) => Record<string, unknown>[],
): unknown {
  const counters = { malformedRows: 0 };
  try {
    return { rows: fn(counters), malformed: counters.malformedRows };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The lines parseCsvBatch sees for a block: split at "\n", "\r" dropped. */
function linesOf(text: string): string[] {
  return text.split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
}

const PIECES = [
  "x",
  "",
  "1.5",
  "-2e3",
  "NaN",
  "abc",
  "7",
  '"q,uoted"',
  '"say ""hi"""',
  '""',
  '"open',
  '"a"tail',
  "é日🙂",
  " 3 ",
];

function randomLine(rand: () => number): string {
  const n = Math.floor(rand() * 6); // 0..5 fields: short and long rows
  const fields: string[] = [];
  for (let i = 0; i < n; i++) {
    fields.push(PIECES[Math.floor(rand() * PIECES.length)]!);
  }
  return fields.join(",");
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

Deno.test("parseCsvText() matches parseCsvBatch() on random blocks in every mode", () => {
  const rand = lcg(7);
  for (let round = 0; round < 300; round++) {
    const lines: string[] = [];
    const count = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < count; i++) {
      lines.push(randomLine(rand) + (rand() < 0.3 ? "\r" : ""));
    }
    const text = lines.join("\n");
    for (const select of [undefined, [1, 2], [2, 0], [3], [0, 1, 2, 3]]) {
      for (const mode of ["PERMISSIVE", "DROPMALFORMED", "FAILFAST"] as const) {
        const s = spec(select, mode);
        const build = makeRowBuilder(s);
        for (const skip of [false, true]) {
          const want = run((c) =>
            parseCsvBatch(linesOf(text), s, build, skip, c)
          );
          const got = run((c) => parseCsvText(text, s, build, skip, c));
          assert.deepEqual(got, want, JSON.stringify({ text, select, mode }));
        }
      }
    }
  }
});

Deno.test("parseCsvText() reads quoted delimiters, escaped quotes, CRLF and short rows", () => {
  const text = [
    "a,b,c,d",
    '"x, y",2.5,"say ""hi""",4\r',
    "",
    "only,1",
    '"unterminated,3,z,1',
    "p,q,r,s",
  ].join("\n");
  const s = spec([2, 1]);
  const counters = { malformedRows: 0 };
  const rows = parseCsvText(text, s, makeRowBuilder(s), true, counters);
  assert.deepEqual(rows, [
    { c: 'say "hi"', b: 2.5 },
    { c: null, b: 1, _corrupt_record: "only,1" },
    { c: null, b: null, _corrupt_record: '"unterminated,3,z,1' },
    { c: "r", b: null, _corrupt_record: "p,q,r,s" },
  ]);
  assert.equal(counters.malformedRows, 3);
});

Deno.test("parseCsvText() steps over a delimiter of several characters", () => {
  const text = 'a::b::c::d\n"1::2"::3.5::z::9';
  for (const select of [undefined, [1, 2], [0, 3]]) {
    const s = spec(select, "PERMISSIVE", "::");
    const rows = parseCsvText(text, s, makeRowBuilder(s), false, {
      malformedRows: 0,
    });
    const full = { a: "1::2", b: 3.5, c: "z", d: 9 };
    const want = select === undefined ? full : Object.fromEntries(
      select.map((i) => [COLUMNS[i]!, Object.values(full)[i]]),
    );
    assert.deepEqual(rows[1], want);
  }
});

Deno.test("readSplitText() yields the lines readSplitLines() yields, for any split", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.csv`;
    const text = "\uFEFFh1,h2\r\n1,é\r\n\r\n日本,2\n3,🙂\nlast,no newline";
    await Deno.writeTextFile(path, text);
    const size = (await Deno.stat(path)).size;
    for (let cut = 0; cut <= size; cut++) {
      for (const chunk of [4, 7, 64]) {
        const want = [
          ...readSplitLines(path, 0, cut, chunk),
          ...readSplitLines(path, cut, size, chunk),
        ].flat();
        const got = [
          ...readSplitText(path, 0, cut, chunk),
          ...readSplitText(path, cut, size, chunk),
        ].flatMap(linesOf);
        assert.deepEqual(got, want, `cut ${cut}, chunk ${chunk}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SparkContext.csv() with columns gives the same rows as full rows, split anywhere", async () => {
  const dir = await Deno.makeTempDir();
  await using sc = new SparkContext({ parallelism: 2 });
  try {
    const path = `${dir}/q.csv`;
    const rand = lcg(11);
    const lines = ["id,mag,place,n"];
    for (let i = 0; i < 400; i++) {
      const place = rand() < 0.5 ? `"${i} km N of Town, Region"` : `Place ${i}`;
      lines.push(`${i},${(rand() * 8).toFixed(2)},${place},${i % 7}`);
    }
    await Deno.writeTextFile(path, lines.join("\r\n") + "\r\n");
    const full = await sc.csv<Record<string, unknown>>(path, {
      header: true,
      inferSchema: true,
    }).collect();
    for (const parts of [1, 3, 17]) {
      const some = await sc.csv(path, {
        header: true,
        inferSchema: true,
        columns: ["place", "mag"],
        minPartitions: parts,
      }).collect();
      assert.deepEqual(
        some,
        full.map((r) => ({ place: r.place, mag: r.mag })),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toNumber() gives exactly the double +t gives", () => {
  const fixed = [
    "0",
    "-0",
    "1.",
    ".5",
    "-.5",
    ".",
    "-",
    "+5",
    "2.99",
    "-1.25",
    "00012",
    "123456789012345",
    "1234567890123456789",
    "0.1",
    "4.000",
    "1e5",
    " 3",
    "3 ",
    "1.2.3",
    "0.0000000000000000000001",
    "0.00000000000000000000001",
    "Infinity",
    "NaN",
    "0x10",
    "9007199254740993",
    "é",
  ];
  for (const s of fixed) assert.ok(Object.is(toNumber(s), +s), s);
  const rand = lcg(3);
  for (let i = 0; i < 100_000; i++) {
    const scale = 10 ** Math.floor(rand() * 12);
    const s = ((rand() - 0.3) * scale).toFixed(Math.floor(rand() * 10));
    assert.ok(Object.is(toNumber(s), +s), s);
  }
});
