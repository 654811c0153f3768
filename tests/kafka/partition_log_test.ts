import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../internal/clock.ts";
import { KafkaError } from "../../kafka/errors.ts";
import {
  listPartitions,
  readPartitionLog,
} from "../../kafka/log/log_reader.ts";
import {
  DEFAULT_TOPIC_CONFIG,
  PartitionLog,
  type TopicConfig,
} from "../../kafka/log/_partition_log.ts";
import type { RecordInput } from "../../kafka/protocol/record_batch.ts";

const te = new TextEncoder();
const td = new TextDecoder();

function recs(from: number, n: number, size = 20, ts = 1000): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: te.encode(`k${(from + i) % 5}`),
    value: te.encode(`v${from + i}`.padEnd(size, ".")),
    timestamp: ts + from + i,
  }));
}

function config(over: Partial<TopicConfig> = {}): TopicConfig {
  return { ...DEFAULT_TOPIC_CONFIG, indexIntervalBytes: 256, ...over };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kafka_log_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(
  it: AsyncIterable<{ offset: number; value: Uint8Array | null }>,
) {
  const out: { offset: number; value: string }[] = [];
  for await (const r of it) {
    out.push({ offset: r.offset, value: td.decode(r.value!) });
  }
  return out;
}

Deno.test("PartitionLog.append() rolls segments named by 20-digit base offsets", async () => {
  await withDir(async (root) => {
    const dir = join(root, "t-0");
    const clock = new ManualClock({ start: 0 });
    const log = await PartitionLog.open({
      dir,
      config: config({ segmentBytes: 2000 }),
      clock,
    });
    for (let i = 0; i < 20; i++) await log.append([recs(i * 10, 10)]).durable;
    assert.equal(log.logEndOffset, 200);
    assert.ok(log.segmentCount > 3, `segments: ${log.segmentCount}`);
    await log.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.ok(names.includes("00000000000000000000.log"));
    assert.ok(names.includes("00000000000000000000.index"));
    assert.ok(names.includes("00000000000000000000.timeindex"));
    for (const n of names) assert.match(n, /^\d{20}\.(log|index|timeindex)$/);
    const read = await collect(readPartitionLog(root, "t", 0));
    assert.equal(read.length, 200);
    read.forEach((r, i) => {
      assert.equal(r.offset, i);
      assert.equal(r.value, `v${i}`.padEnd(20, "."));
    });
  });
});

Deno.test("PartitionLog.read() finds offsets through the sparse index across segments", async () => {
  await withDir(async (root) => {
    const clock = new ManualClock();
    const log = await PartitionLog.open({
      dir: join(root, "t-0"),
      config: config({ segmentBytes: 3000 }),
      clock,
    });
    for (let i = 0; i < 50; i++) await log.append([recs(i * 4, 4)]).durable;
    for (const o of [0, 1, 57, 58, 99, 150, 199]) {
      const got = log.read(o, 100);
      assert.equal(got[0]!.offset, o);
      assert.equal(td.decode(got[0]!.value!), `v${o}`.padEnd(20, "."));
    }
    assert.deepEqual(log.read(200, 100), []);
    assert.throws(
      () => log.read(201, 100),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "OFFSET_OUT_OF_RANGE" &&
        /201/.test(e.message),
    );
    await log.close();
  });
});

Deno.test("readPartitionLog() honours fromOffset and toOffset", async () => {
  await withDir(async (root) => {
    const log = await PartitionLog.open({
      dir: join(root, "t-0"),
      config: config({ segmentBytes: 1500 }),
      clock: new ManualClock(),
    });
    for (let i = 0; i < 30; i++) await log.append([recs(i * 5, 5)]).durable;
    await log.close();
    const mid = await collect(
      readPartitionLog(root, "t", 0, { fromOffset: 37, toOffset: 121 }),
    );
    assert.equal(mid[0]!.offset, 37);
    assert.equal(mid.at(-1)!.offset, 120);
    assert.equal(mid.length, 84);
    assert.deepEqual(
      await collect(readPartitionLog(root, "t", 0, { fromOffset: 150 })),
      [],
    );
    assert.deepEqual(await listPartitions(root, "t"), [0]);
  });
});

Deno.test("PartitionLog.open() truncates a torn tail and keeps every whole batch", async () => {
  await withDir(async (root) => {
    const dir = join(root, "t-0");
    const clock = new ManualClock();
    let log = await PartitionLog.open({ dir, config: config(), clock });
    for (let i = 0; i < 10; i++) await log.append([recs(i * 3, 3)]).durable;
    await log.close();
    const file = join(dir, "00000000000000000000.log");
    const whole = Deno.statSync(file).size;
    // A batch cut short by a crash: its first 40 bytes only.
    const bytes = Deno.readFileSync(file);
    const f = Deno.openSync(file, { append: true });
    f.writeSync(bytes.subarray(0, 40));
    f.close();
    // The reader stops quietly at the torn tail.
    assert.equal((await collect(readPartitionLog(root, "t", 0))).length, 30);
    log = await PartitionLog.open({ dir, config: config(), clock });
    assert.equal(log.truncatedBytes, 40);
    assert.equal(Deno.statSync(file).size, whole);
    assert.equal(log.logEndOffset, 30);
    await log.append([recs(30, 2)]).durable;
    assert.equal(log.read(30, 100)[0]!.offset, 30);
    await log.close();
  });
});

Deno.test("PartitionLog.open() truncates at a batch whose CRC fails", async () => {
  await withDir(async (root) => {
    const dir = join(root, "t-0");
    const clock = new ManualClock();
    let log = await PartitionLog.open({ dir, config: config(), clock });
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      await log.append([recs(i * 3, 3)]).durable;
      sizes.push(log.size);
    }
    await log.close();
    const file = join(dir, "00000000000000000000.log");
    const bytes = Deno.readFileSync(file);
    bytes[sizes[2]! + 70]! ^= 0xff; // inside the 4th batch
    Deno.writeFileSync(file, bytes);
    log = await PartitionLog.open({ dir, config: config(), clock });
    assert.equal(log.logEndOffset, 9);
    assert.equal(Deno.statSync(file).size, sizes[2]);
    await log.close();
  });
});

Deno.test("PartitionLog.open() rebuilds missing and damaged indexes", async () => {
  await withDir(async (root) => {
    const dir = join(root, "t-0");
    const clock = new ManualClock();
    let log = await PartitionLog.open({
      dir,
      config: config({ segmentBytes: 2500 }),
      clock,
    });
    for (let i = 0; i < 40; i++) await log.append([recs(i * 4, 4)]).durable;
    await log.close();
    const idx = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.endsWith(".index")
    ).sort();
    Deno.removeSync(join(dir, idx[0]!));
    Deno.writeFileSync(
      join(dir, idx[1]!),
      Uint8Array.of(0, 0, 0, 9, 0, 0, 0xff, 0xff),
    ); // points nowhere
    log = await PartitionLog.open({
      dir,
      config: config({ segmentBytes: 2500 }),
      clock,
    });
    for (const o of [0, 13, 77, 101, 159]) {
      assert.equal(log.read(o, 64)[0]!.offset, o);
    }
    await log.close();
    assert.ok(Deno.statSync(join(dir, idx[0]!)).size > 0, "index rewritten");
    const read = await collect(
      readPartitionLog(root, "t", 0, { fromOffset: 101 }),
    );
    assert.equal(read[0]!.offset, 101);
    assert.equal(read.length, 59);
  });
});

Deno.test("readPartitionLog() throws on a corrupt segment before the last", async () => {
  await withDir(async (root) => {
    const dir = join(root, "t-0");
    const log = await PartitionLog.open({
      dir,
      config: config({ segmentBytes: 1000 }),
      clock: new ManualClock(),
    });
    for (let i = 0; i < 20; i++) await log.append([recs(i * 4, 4)]).durable;
    await log.close();
    const first = join(dir, "00000000000000000000.log");
    const bytes = Deno.readFileSync(first);
    bytes[100]! ^= 0x55;
    Deno.writeFileSync(first, bytes);
    await assert.rejects(
      () => collect(readPartitionLog(root, "t", 0)),
      (e: unknown) =>
        e instanceof KafkaError &&
        /Segment is corrupt: .*00000000000000000000\.log at byte 0/.test(
          e.message,
        ),
    );
  });
});

Deno.test("readPartitionLog() reports an unknown partition and a bad topic name", async () => {
  await withDir(async (root) => {
    await assert.rejects(
      () => collect(readPartitionLog(root, "nope", 0)),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "UNKNOWN_TOPIC_OR_PARTITION" &&
        /nope-0/.test(e.message),
    );
    await assert.rejects(
      () => collect(readPartitionLog(root, "../etc", 0)),
      /Topic name must match \[a-zA-Z0-9._-\]\+: "\.\.\/etc"/,
    );
    await assert.rejects(
      () => listPartitions(root, "nope"),
      /Topic has no partitions in log directory: nope/,
    );
  });
});

Deno.test("PartitionLog.append() rejects a record over max.message.bytes without writing", async () => {
  const log = await PartitionLog.open({
    config: config({ maxMessageBytes: 500 }),
    clock: new ManualClock(),
  });
  assert.throws(
    () =>
      log.append([[...recs(0, 3), {
        key: null,
        value: new Uint8Array(600),
        timestamp: 0,
      }]]),
    (e: unknown) =>
      e instanceof KafkaError && e.type === "MESSAGE_TOO_LARGE" &&
      /> 500/.test(e.message),
  );
  assert.equal(log.logEndOffset, 0);
  // Many small records over the limit in total are split into batches.
  const { lastOffset } = log.append([recs(0, 40, 30)]);
  assert.equal(lastOffset, 39);
  assert.equal(log.read(0, 1 << 20).length, 40);
});

Deno.test("PartitionLog.cleanup() deletes old segments by retention.ms and retention.bytes", async () => {
  await withDir(async (root) => {
    const clock = new ManualClock({ start: 1_000_000 });
    const cfg = config({ segmentBytes: 1000, retentionMs: 60_000 });
    const log = await PartitionLog.open({
      dir: join(root, "t-0"),
      config: cfg,
      clock,
    });
    for (let i = 0; i < 10; i++) await log.append([recs(i * 4, 4)]).durable;
    const segs = log.segmentCount;
    assert.equal((await log.cleanup()).deletedSegments, 0);
    await clock.advance(60_001);
    await log.append([recs(40, 4)]).durable;
    await log.cleanup(); // also runs by itself after the roll
    assert.ok(segs > 1);
    assert.equal(
      log.segmentCount,
      1,
      "every segment last written before the window is gone",
    );
    assert.equal(log.logStartOffset, 40);
    assert.ok(log.logStartOffset > 0);
    assert.equal(
      log.read(log.logStartOffset, 100)[0]!.offset,
      log.logStartOffset,
    );
    assert.throws(() => log.read(0, 100), /Offset is out of range: 0/);
    await log.close();

    const bytesLog = await PartitionLog.open({
      dir: join(root, "b-0"),
      config: config({ segmentBytes: 1000, retentionBytes: 2500 }),
      clock,
    });
    for (let i = 0; i < 20; i++) {
      await bytesLog.append([recs(i * 4, 4)]).durable;
    }
    await bytesLog.cleanup();
    assert.ok(bytesLog.size <= 2500 + 1000, `size ${bytesLog.size}`);
    assert.ok(bytesLog.logStartOffset > 0);
    assert.equal(bytesLog.logEndOffset, 80);
    await bytesLog.close();
  });
});

Deno.test("PartitionLog.cleanup() compacts to the latest value per key and drops old tombstones", async () => {
  await withDir(async (root) => {
    const clock = new ManualClock({ start: 10_000_000 });
    const cfg = config({
      segmentBytes: 400,
      cleanupPolicy: "compact",
      deleteRetentionMs: 1000,
    });
    const dir = join(root, "c-0");
    let log = await PartitionLog.open({ dir, config: cfg, clock });
    const put = (k: string, v: string | null) =>
      log.append([[{
        key: te.encode(k),
        value: v === null ? null : te.encode(v),
        timestamp: clock.now(),
      }]]).durable;
    for (let round = 0; round < 5; round++) {
      for (const k of ["a", "b", "c"]) await put(k, `${k}${round}`);
    }
    await put("b", null); // tombstone
    await clock.advance(5000);
    for (let i = 0; i < 6; i++) await put("d", `d${i}`); // roll so the tombstone's segment is old
    const before = log.logEndOffset;
    await log.cleanup(); // also runs by itself after each roll
    // The tombstone's segment was last written when the d's started; let
    // delete.retention.ms pass after that.
    await clock.advance(5000);
    await log.cleanup();
    assert.equal((await log.cleanup()).compactedRecords, 0, "idempotent");
    assert.equal(log.logEndOffset, before);
    await log.close();
    log = await PartitionLog.open({ dir, config: cfg, clock });
    const latest = new Map<string, string | null>();
    let prev = -1;
    let count = 0;
    for await (const rec of readPartitionLog(root, "c", 0)) {
      assert.ok(rec.offset > prev, "offsets keep increasing across gaps");
      prev = rec.offset;
      count++;
      latest.set(
        td.decode(rec.key!),
        rec.value === null ? null : td.decode(rec.value),
      );
    }
    assert.equal(latest.get("a"), "a4");
    assert.equal(latest.get("c"), "c4");
    assert.equal(
      latest.has("b"),
      false,
      "tombstone older than delete.retention.ms removed",
    );
    assert.equal(latest.get("d"), "d5");
    assert.ok(count < 22, `${count} of 22 records left`);
    await log.close();
  });
});

Deno.test("PartitionLog.read() returns whole batches up to the one crossing maxBytes", async () => {
  await withDir(async (root) => {
    const log = await PartitionLog.open({
      dir: join(root, "t-0"),
      config: config(),
      clock: new ManualClock(),
    });
    // 30 batches of 10 records of about 100 bytes (about 1.1 KB a batch).
    for (let i = 0; i < 30; i++) {
      await log.append([recs(i * 10, 10, 100)]).durable;
    }
    for (
      const [from, maxBytes, want] of [
        [0, 1, 10], // at least one batch
        [0, 5000, 50], // the batch crossing 5,000 bytes is the last
        [13, 5000, 47], // from inside a batch
        [250, 1 << 20, 50], // to the end
      ] as const
    ) {
      const got = log.read(from, maxBytes);
      assert.equal(got.length, want, `read(${from}, ${maxBytes})`);
      got.forEach((r, i) => {
        assert.equal(r.offset, from + i);
        assert.equal(td.decode(r.value!), `v${from + i}`.padEnd(100, "."));
      });
    }
    await log.close();
  });
});
