import assert from "node:assert/strict";
import { join } from "node:path";
import { Kafka, KafkaError } from "../../kafka/mod.ts";
import { Broker } from "../../kafka/broker/_broker.ts";
import { readPartitionLog } from "../../kafka/log/log_reader.ts";
import {
  DEFAULT_TOPIC_CONFIG,
  PartitionLog,
} from "../../kafka/log/_partition_log.ts";
import { ManualClock } from "../../internal/clock.ts";
import {
  batchesOf,
  fill,
  flip,
  openBroker,
  readAll,
  records,
  segmentFiles,
  valueOffset,
} from "./_log_damage.ts";

const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kafka_integrity_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("after a clean shutdown a flipped byte in the active segment is reported, never cut, and its offsets are not handed out again", async () => {
  await withDir(async (logDir) => {
    let { broker, warnings } = await openBroker(logDir);
    await broker.createTopic("t", 1);
    await fill(broker, "t", 20, 5);
    await broker.close();
    const marker = join(logDir, ".kafka_cleanshutdown");
    assert.ok(Deno.statSync(marker).isFile);
    const [file] = segmentFiles(join(logDir, "t-0"));
    const batches = batchesOf(file!);
    const size = Deno.statSync(file!).size;
    flip(file!, batches[10]!.position + 70); // a record of offsets 50..54

    ({ broker, warnings } = await openBroker(logDir));
    assert.throws(() => Deno.statSync(marker), Deno.errors.NotFound);
    assert.equal(Deno.statSync(file!).size, size, "nothing cut");
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.includes(file!), warnings[0]);
    assert.match(warnings[0]!, /offsets 50 to 54 cannot be read/);
    assert.equal(broker.partition("t", 0).logEndOffset, 100);
    // A fetch returns the good batches before the damage...
    assert.deepEqual(
      broker.fetch("t", 0, 42, 1 << 20).map((r) => r.offset),
      range(42, 50),
    );
    // ...and one that starts at it names the file, position and offsets.
    assert.throws(
      () => broker.fetch("t", 0, 50, 1 << 20),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "CORRUPT_MESSAGE" &&
        e.message.startsWith(
          `Segment is corrupt: ${file} at byte ${
            batches[10]!.position
          }: CRC-32C mismatch`,
        ) && e.message.includes("offsets 50 to 54 cannot be read") &&
        e.message.includes("seek to 55"),
    );
    const all = readAll(broker, "t");
    assert.equal(all.wrong, 0);
    assert.deepEqual(all.lost, range(50, 55));
    assert.deepEqual(all.read, [...range(0, 50), ...range(55, 100)]);
    const { baseOffset } = await broker.append("t", 0, [records(100, 1)]);
    assert.equal(baseOffset, 100);
    await broker.close();
  });
});

Deno.test("after a crash only the torn tail is cut, and the cut is reported", async () => {
  await withDir(async (logDir) => {
    let { broker, warnings } = await openBroker(logDir);
    await broker.createTopic("t", 1);
    await fill(broker, "t", 10, 3);
    await broker.close();
    Deno.removeSync(join(logDir, ".kafka_cleanshutdown")); // as if killed
    const [file] = segmentFiles(join(logDir, "t-0"));
    const whole = Deno.readFileSync(file!);
    const batches = batchesOf(file!);
    // A damaged batch in the middle and a torn batch at the end.
    flip(file!, batches[4]!.position + 65);
    const f = Deno.openSync(file!, { append: true });
    f.writeSync(whole.subarray(0, 30));
    f.close();

    ({ broker, warnings } = await openBroker(logDir));
    assert.equal(Deno.statSync(file!).size, whole.length, "tail cut only");
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(warnings[0]!, /offsets 12 to 14 cannot be read/);
    assert.match(warnings[1]!, /cut a torn tail of 30 bytes/);
    assert.ok(warnings[1]!.includes(file!));
    assert.equal(broker.partition("t", 0).logEndOffset, 30);
    const all = readAll(broker, "t");
    assert.equal(all.wrong, 0);
    assert.deepEqual(all.lost, range(12, 15));
    await broker.close();
  });
});

Deno.test("damage in closed segments leaves every other record readable and the broker opens", async () => {
  await withDir(async (logDir) => {
    let { broker, warnings } = await openBroker(logDir);
    const small = [{ name: "segment.bytes", value: "1200" }];
    await broker.createTopic("t", 1, small);
    await broker.createTopic("u", 1, small);
    await fill(broker, "t", 40, 4);
    await fill(broker, "u", 40, 4);
    await broker.close();
    const files = segmentFiles(join(logDir, "t-0"));
    assert.ok(files.length >= 4, `${files.length} segments`);
    // CRC damage in the first segment, a cut-short second segment.
    const first = batchesOf(files[0]!);
    flip(files[0]!, first[2]!.position + 80);
    const second = Deno.readFileSync(files[1]!);
    Deno.writeFileSync(files[1]!, second.subarray(0, second.length - 20));

    ({ broker, warnings } = await openBroker(logDir));
    const t = readAll(broker, "t");
    assert.equal(t.wrong, 0);
    const lost1 = range(first[2]!.baseOffset, first[2]!.lastOffset + 1);
    const lastOfSecond = batchesOf(files[1]!).at(-1)!.lastOffset;
    const nextBase = Number(/(\d{20})\.log$/.exec(files[2]!)![1]);
    assert.deepEqual(t.lost, [...lost1, ...range(lastOfSecond + 1, nextBase)]);
    assert.equal(t.read.length + t.lost.length, 160);
    assert.equal(t.errors.length, 2);
    assert.ok(t.errors[0]!.includes(files[0]!), t.errors[0]);
    assert.ok(t.errors[1]!.includes(files[1]!), t.errors[1]);
    assert.ok(warnings.length >= 2, warnings.join("\n"));
    const u = readAll(broker, "u");
    assert.equal(u.read.length, 160);
    await broker.close();
  });
});

Deno.test("a consumer meets the damage as a KafkaError naming file, position and offset, and seeks past it", async () => {
  await withDir(async (logDir) => {
    let { broker } = await openBroker(logDir);
    await broker.createTopic("t", 1);
    await fill(broker, "t", 10, 5);
    await broker.close();
    const [file] = segmentFiles(join(logDir, "t-0"));
    const batches = batchesOf(file!);
    flip(file!, batches[3]!.position + 70); // offsets 15..19
    ({ broker } = await openBroker(logDir)); // the warning goes to the test
    await broker.close();

    const kafka = new Kafka({ logDir });
    const consumer = kafka.consumer({ groupId: "g", retry: { retries: 0 } });
    await consumer.connect();
    await consumer.subscribe({ topics: ["t"], fromBeginning: true });
    const seen: number[] = [];
    const crashed = Promise.withResolvers<Error>();
    consumer.on(
      consumer.events.CRASH,
      (e) => crashed.resolve((e.payload as { error: Error }).error),
    );
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(Number(message.offset));
        await Promise.resolve();
      },
    });
    // As kafkajs: the retries used up, the crash carries the damage as
    // its cause and says the consumer will restart.
    const crash = await crashed.promise;
    assert.equal(crash.name, "KafkaJSNumberOfRetriesExceeded");
    const error = crash.cause;
    assert.ok(error instanceof KafkaError);
    assert.equal(error.type, "CORRUPT_MESSAGE");
    assert.ok(error.message.includes(file!), error.message);
    assert.ok(error.message.includes(`at byte ${batches[3]!.position}`));
    assert.match(error.message, /offsets 15 to 19 cannot be read/);
    assert.deepEqual(seen, range(0, 15));
    await consumer.stop();
    const done = Promise.withResolvers<void>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(Number(message.offset));
        if (seen.length === 45) done.resolve();
        await Promise.resolve();
      },
    });
    consumer.seek({ topic: "t", partition: 0, offset: "20" });
    await done.promise;
    assert.deepEqual(seen, [...range(0, 15), ...range(20, 50)]);
    await consumer.disconnect();
  });
});

Deno.test("indexes are hints: a wrong .index or .timeindex entry is checked and not followed", async () => {
  await withDir(async (logDir) => {
    let { broker } = await openBroker(logDir);
    await broker.createTopic("t", 1, [
      { name: "segment.bytes", value: "20000" },
      { name: "index.interval.bytes", value: "200" },
    ]);
    await fill(broker, "t", 100, 3);
    await broker.close();
    const [index] = segmentFiles(join(logDir, "t-0"), ".index");
    const [timeindex] = segmentFiles(join(logDir, "t-0"), ".timeindex");
    const idx = Deno.readFileSync(index!);
    const iv = new DataView(idx.buffer);
    const k = 5;
    assert.ok(idx.length / 8 > k + 2, `${idx.length / 8} index entries`);
    // Entry k claims an earlier last offset for its batch (still ordered).
    const claimed = iv.getInt32((k - 1) * 8) + 1;
    const trueLast = iv.getInt32(k * 8);
    iv.setInt32(k * 8, claimed);
    Deno.writeFileSync(index!, idx);
    const tidx = Deno.readFileSync(timeindex!);
    const tv = new DataView(tidx.buffer);
    // Time entry k claims a smaller timestamp (still increasing).
    const tsBefore = tv.getUint32((k - 1) * 12 + 4);
    const tsTrue = tv.getUint32(k * 12 + 4);
    tv.setUint32(k * 12 + 4, tsBefore + 1);
    Deno.writeFileSync(timeindex!, tidx);

    ({ broker } = await openBroker(logDir));
    const log = broker.partition("t", 0);
    for (let o = claimed; o <= trueLast; o++) {
      const got = broker.fetch("t", 0, o, 64);
      assert.equal(got[0]!.offset, o);
      assert.equal(valueOffset(got[0]!.value), o);
    }
    // The wrong entry is the last below tsTrue: a lookup of it must not
    // skip the records between the two entries.
    const ts = tsTrue;
    assert.ok(ts > tsBefore + 1);
    assert.equal(log.offsetForTimestamp(ts), ts - 1_000_000);
    for (const o of [0, 1, 150, 299]) {
      assert.equal(log.offsetForTimestamp(1_000_000 + o), o);
    }
    assert.equal(log.offsetForTimestamp(2_000_000), 300);
    await broker.close();
  });
});

Deno.test("a batch whose base offset jumped is damage, never records with wrong offsets", async () => {
  await withDir(async (logDir) => {
    let { broker, warnings } = await openBroker(logDir);
    await broker.createTopic("t", 1, [{
      name: "segment.bytes",
      value: "3000",
    }]);
    await fill(broker, "t", 40, 5);
    await broker.close();
    const files = segmentFiles(join(logDir, "t-0"));
    const closed = batchesOf(files[0]!);
    const active = batchesOf(files.at(-1)!);
    // Byte 6 of the base offset: +65536 with the content intact.
    flip(files[0]!, closed[1]!.position + 6, 0x01);
    flip(files.at(-1)!, active[1]!.position + 6, 0x01);

    ({ broker, warnings } = await openBroker(logDir));
    assert.equal(broker.partition("t", 0).logEndOffset, 200);
    assert.ok(warnings.some((w) => /do not follow/.test(w)), warnings.join());
    const all = readAll(broker, "t");
    assert.equal(all.wrong, 0);
    assert.deepEqual(all.lost, [
      ...range(closed[1]!.baseOffset, closed[1]!.lastOffset + 1),
      ...range(active[1]!.baseOffset, active[1]!.lastOffset + 1),
    ]);
    await broker.close();
  });
});

Deno.test("a closed segment with 300,000 index entries reopens", async () => {
  await withDir(async (root) => {
    const dir = join(root, "t-0");
    const config = { ...DEFAULT_TOPIC_CONFIG, indexIntervalBytes: 0 };
    const clock = new ManualClock();
    let log = await PartitionLog.open({ dir, config, clock });
    const n = 300_001;
    const groups = Array.from({ length: n }, (_, i) => records(i, 1));
    await log.append(groups).durable;
    await log.close();
    // A later segment makes this one closed: its indexes are loaded.
    Deno.writeFileSync(
      join(dir, `${String(n).padStart(20, "0")}.log`),
      new Uint8Array(),
    );
    const [index] = segmentFiles(dir, ".index");
    const [timeindex] = segmentFiles(dir, ".timeindex");
    assert.ok(Deno.statSync(index!).size / 8 >= 300_000);
    assert.ok(Deno.statSync(timeindex!).size / 12 >= 300_000);
    log = await PartitionLog.open({ dir, config, clock });
    assert.equal(log.logEndOffset, n);
    for (const o of [0, 1, 123_456, 299_999, 300_000]) {
      assert.equal(log.read(o, 64)[0]!.offset, o);
    }
    assert.equal(log.offsetForTimestamp(1_000_000 + 250_000), 250_000);
    await log.close();
  });
});

Deno.test("offsets from callers are whole numbers: fetchRecords and setOffsets refuse the rest", async () => {
  const kafka = new Kafka({});
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t" }] });
  for (const bad of ["abc", "-5", "1.5", "", " 1"]) {
    await assert.rejects(
      admin.fetchRecords({ topic: "t", partition: 0, offset: bad }),
      (e: unknown) =>
        e instanceof KafkaError &&
        e.message.includes(`Fetch offset must be a whole number`) &&
        e.message.includes(JSON.stringify(bad)),
    );
    await assert.rejects(
      admin.setOffsets({
        groupId: "g",
        topic: "t",
        partitions: [{ partition: 0, offset: bad }],
      }),
      (e: unknown) =>
        e instanceof KafkaError && e.message.includes(JSON.stringify(bad)) &&
        e.message.includes("t-0"),
    );
  }
  const [before] = await admin.fetchOffsets({ groupId: "g", topics: ["t"] });
  assert.equal(before!.partitions[0]!.offset, "-1", "nothing was committed");
  await admin.disconnect();
});

Deno.test("Broker.open() refuses a damaged topics.json with a KafkaError and releases the directory", async () => {
  await withDir(async (logDir) => {
    Deno.writeTextFileSync(join(logDir, "topics.json"), "{not json");
    await assert.rejects(
      Broker.open({ logDir }),
      (e: unknown) =>
        e instanceof KafkaError && e.message.includes("topics.json"),
    );
    Deno.removeSync(join(logDir, "topics.json"));
    const b = await Broker.open({ logDir });
    await b.close();
  });
});

Deno.test("readPartitionLog() yields the records before damage in the last segment, then names it; a torn tail ends quietly", async () => {
  await withDir(async (logDir) => {
    const { broker } = await openBroker(logDir);
    await broker.createTopic("t", 1);
    await fill(broker, "t", 10, 4);
    await broker.close();
    const [file] = segmentFiles(join(logDir, "t-0"));
    const batches = batchesOf(file!);
    const whole = Deno.readFileSync(file!);
    const seen: number[] = [];
    // A base offset that jumped (content intact) in the middle.
    flip(file!, batches[5]!.position + 6, 0x01);
    await assert.rejects(
      async () => {
        for await (const r of readPartitionLog(logDir, "t", 0)) {
          seen.push(r.offset);
        }
      },
      (e: unknown) =>
        e instanceof KafkaError && e.type === "CORRUPT_MESSAGE" &&
        e.message.includes(`${file} at byte ${batches[5]!.position}`) &&
        e.message.includes("offsets 20 to 23 cannot be read"),
    );
    assert.deepEqual(seen, range(0, 20));
    // A torn tail only: every whole batch, then a quiet end.
    const torn = new Uint8Array([...whole, ...whole.subarray(0, 30)]);
    Deno.writeFileSync(file!, torn);
    let n = 0;
    for await (const r of readPartitionLog(logDir, "t", 0)) {
      assert.equal(valueOffset(r.value), n++);
    }
    assert.equal(n, 40);
  });
});

Deno.test("PartitionLog.readBatches() (the wire Fetch) returns the stored batches before damage and names the damage", async () => {
  await withDir(async (logDir) => {
    let { broker } = await openBroker(logDir);
    await broker.createTopic("t", 1, [{
      name: "segment.bytes",
      value: "1500",
    }]);
    await fill(broker, "t", 30, 4);
    await broker.close();
    const files = segmentFiles(join(logDir, "t-0"));
    const first = batchesOf(files[0]!);
    // The length field of batch 3: the scan cannot step over it.
    flip(files[0]!, first[3]!.position + 9, 0x40);
    ({ broker } = await openBroker(logDir));
    const log = broker.partition("t", 0);
    const got = log.readBatches(0, 1 << 20);
    assert.equal(got.length, 3, "the three batches before the damage");
    assert.throws(
      () => log.readBatches(first[3]!.baseOffset, 1 << 20),
      (e: unknown) =>
        e instanceof KafkaError && e.type === "CORRUPT_MESSAGE" &&
        e.message.includes(files[0]!),
    );
    const after = log.readBatches(first[4]!.baseOffset, 1 << 20);
    assert.ok(after.length > 0);
    assert.equal(
      new DataView(after[0]!.buffer, after[0]!.byteOffset).getInt32(4),
      first[4]!.baseOffset,
    );
    await broker.close();
  });
});

Deno.test("damage in one partition does not hold back a consumer's other partitions", async () => {
  await withDir(async (logDir) => {
    let { broker } = await openBroker(logDir);
    await broker.createTopic("t", 2);
    for (const p of [0, 1]) {
      await broker.append("t", p, [records(0, 5), records(5, 5)]);
    }
    await broker.close();
    const [file] = segmentFiles(join(logDir, "t-1"));
    flip(file!, 70); // partition 1 is unreadable from offset 0
    ({ broker } = await openBroker(logDir));
    await broker.close();

    const consumer = new Kafka({ logDir, logLevel: 0 }).consumer({
      groupId: "g",
    });
    await consumer.connect();
    await consumer.subscribe({ topics: ["t"], fromBeginning: true });
    const seen: number[] = [];
    const done = Promise.withResolvers<void>();
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        if (partition === 0) seen.push(Number(message.offset));
        if (seen.length === 10) done.resolve();
        return Promise.resolve();
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      done.promise,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`partition 0 held back: ${seen.length} of 10`)),
          10_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual(seen, range(0, 10));
    await consumer.disconnect();
  });
});
