import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Kafka } from "../../kafka/mod.ts";
import { readPartitionLog } from "../../kafka/log/log_reader.ts";

Deno.test("Producer.send() acknowledgements survive SIGKILL of the producing process", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_crash_" });
  try {
    const script = fileURLToPath(
      new URL("./_crash_producer.ts", import.meta.url),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", script, logDir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const acked = new Map<number, number>();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let buf = "";
    let rounds = 0;
    while (rounds < 40) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        rounds++;
        for (const pair of line.split(" ").slice(1)) {
          const [p, o] = pair.split(":").map(Number);
          acked.set(p!, Math.max(acked.get(p!) ?? 0, o!));
        }
      }
    }
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel().catch(() => {});
    assert.ok(rounds >= 40, `child acknowledged ${rounds} rounds`);

    // Every acknowledged record is readable, in order, straight from disk.
    for (const [p, high] of acked) {
      let expect = 0;
      for await (const r of readPartitionLog(logDir, "crash", p)) {
        assert.equal(r.offset, expect++);
        assert.match(new TextDecoder().decode(r.value!), /^r\d+-m\d+-x+$/);
      }
      assert.ok(
        expect >= high,
        `partition ${p}: ${expect} records, ${high} acknowledged`,
      );
    }
    // The broker reopens the log (recovering any torn tail) and appends after it.
    const kafka = new Kafka({ logDir });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets("crash");
    for (const o of offsets) {
      assert.ok(Number(o.high) >= acked.get(o.partition)!);
    }
    const producer = kafka.producer();
    await producer.connect();
    const [meta] = await producer.send({
      topic: "crash",
      messages: [{ value: "after", partition: 0 }],
    });
    assert.equal(meta!.baseOffset, offsets[0]!.high);
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("Consumer committed offsets stay consistent when the consuming process is killed", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_crash_consumer_" });
  try {
    const kafka = new Kafka({ logDir });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "work" }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "work",
      messages: Array.from({ length: 5000 }, (_, i) => ({ value: `job-${i}` })),
    });
    await producer.disconnect();
    await admin.disconnect(); // the child opens the log on its own

    const script = fileURLToPath(
      new URL("./_crash_consumer.ts", import.meta.url),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", script, logDir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let buf = "";
    let processed = -1;
    while (processed < 300) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) processed = Math.max(processed, Number(l));
    }
    child.kill("SIGKILL");
    // Drain what the child printed before it died.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    for (const l of buf.split("\n")) {
      if (l) processed = Math.max(processed, Number(l));
    }
    await child.status;
    assert.ok(processed >= 300, `child processed up to ${processed}`);

    // The offsets file is whole, and the committed offset is at most one past
    // the last record the child finished (and had printed before it was killed).
    const again = new Kafka({ logDir }).admin();
    await again.connect();
    const [t] = await again.fetchOffsets({
      groupId: "crashers",
      topics: ["work"],
    });
    const committed = Number(t!.partitions[0]!.offset);
    assert.ok(committed > 0, `committed ${committed}`);
    assert.ok(
      committed <= processed + 2,
      `committed ${committed}, processed ${processed}`,
    );
    await again.disconnect();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
