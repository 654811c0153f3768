import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../../internal/random.ts";
import { Kafka, KafkaError } from "../../kafka/mod.ts";
import { fill, openBroker, segmentFiles } from "./_log_damage.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kafka_topics_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const topicsJson = (logDir: string) =>
  JSON.parse(Deno.readTextFileSync(join(logDir, "topics.json")));

Deno.test("each topic has an id, in topics.json and in every partition.metadata", async () => {
  await withDir(async (logDir) => {
    const { broker } = await openBroker(logDir);
    await broker.createTopic("t", 2);
    const id = broker.topicId("t");
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(topicsJson(logDir).topics.t.id, id);
    for (const p of [0, 1]) {
      assert.equal(
        Deno.readTextFileSync(join(logDir, `t-${p}`, "partition.metadata")),
        `version: 0\ntopic_id: ${id}\n`,
      );
    }
    await broker.close();
    const again = await openBroker(logDir);
    assert.equal(again.broker.topicId("t"), id);
    await again.broker.close();
  });
});

Deno.test("deleteTopics interrupted at any step never brings the old records back under a new topic", async () => {
  await withDir(async (logDir) => {
    let { broker } = await openBroker(logDir);
    await broker.createTopic("t", 2);
    await fill(broker, "t", 5, 10);
    await broker.coordinator.commit("g", undefined, [
      { topic: "t", partition: 0, offset: 30 },
    ]);
    await broker.close();
    // Killed after topics.json was rewritten, before anything else.
    const meta = topicsJson(logDir);
    delete meta.topics.t;
    Deno.writeTextFileSync(join(logDir, "topics.json"), JSON.stringify(meta));
    // And one partition already renamed out of the way.
    Deno.renameSync(join(logDir, "t-1"), join(logDir, "t-1.abc-delete"));

    ({ broker } = await openBroker(logDir));
    assert.deepEqual(broker.topicNames(), []);
    assert.deepEqual(
      [...Deno.readDirSync(logDir)].map((e) => e.name).filter((n) =>
        n.startsWith("t-")
      ),
      [],
      "leftovers removed",
    );
    await broker.createTopic("t", 2);
    assert.equal(broker.partition("t", 0).logEndOffset, 0);
    assert.equal(broker.coordinator.committed("g", "t", 0), undefined);
    await broker.close();
  });
});

Deno.test("a partition directory holding another topic's id is not taken for the new topic", async () => {
  await withDir(async (logDir) => {
    let { broker, warnings } = await openBroker(logDir);
    await broker.createTopic("old", 1);
    await fill(broker, "old", 3, 4);
    await broker.createTopic("t", 1);
    await broker.close();
    // Stale data of another topic sits where t-0 lives.
    Deno.removeSync(join(logDir, "t-0"), { recursive: true });
    Deno.renameSync(join(logDir, "old-0"), join(logDir, "t-0"));
    ({ broker, warnings } = await openBroker(logDir));
    assert.equal(broker.partition("t", 0).logEndOffset, 0);
    assert.ok(warnings.some((w) => w.includes("held topic id")), warnings[0]);
    await broker.close();
  });
});

Deno.test("a log written before topic ids keeps its data and gets ids", async () => {
  await withDir(async (logDir) => {
    let { broker } = await openBroker(logDir);
    await broker.createTopic("t", 1);
    await fill(broker, "t", 4, 5);
    await broker.close();
    const meta = topicsJson(logDir);
    delete meta.topics.t.id;
    Deno.writeTextFileSync(join(logDir, "topics.json"), JSON.stringify(meta));
    Deno.removeSync(join(logDir, "t-0", "partition.metadata"));
    ({ broker } = await openBroker(logDir));
    assert.equal(broker.partition("t", 0).logEndOffset, 20);
    const id = broker.topicId("t");
    assert.equal(topicsJson(logDir).topics.t.id, id);
    assert.ok(
      Deno.readTextFileSync(join(logDir, "t-0", "partition.metadata"))
        .includes(id),
    );
    assert.equal(segmentFiles(join(logDir, "t-0")).length, 1);
    await broker.close();
  });
});

Deno.test("committed offsets survive a restart for any group id up to Kafka's limit", async () => {
  await withDir(async (logDir) => {
    const ids = [
      "g".repeat(300),
      'ü/../\\:*?"<>|~.'.repeat(2000).slice(0, 16000),
      "x".repeat(32767),
      ".",
      "..",
      "a~b",
    ];
    let kafka = new Kafka({ logDir });
    let admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "t" }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "t",
      messages: Array.from({ length: 20 }, (_, i) => ({ value: `${i}` })),
    });
    await producer.disconnect();
    for (const [i, groupId] of ids.entries()) {
      await admin.setOffsets({
        groupId,
        topic: "t",
        partitions: [{ partition: 0, offset: String(i + 1) }],
      });
    }
    await assert.rejects(
      admin.setOffsets({
        groupId: "x".repeat(32768),
        topic: "t",
        partitions: [{ partition: 0, offset: "1" }],
      }),
      (e: unknown) =>
        e instanceof KafkaError && /Group id must be a string/.test(e.message),
    );
    await admin.disconnect();
    kafka = new Kafka({ logDir });
    admin = kafka.admin();
    await admin.connect();
    for (const [i, groupId] of ids.entries()) {
      const [t] = await admin.fetchOffsets({ groupId, topics: ["t"] });
      assert.equal(
        t!.partitions[0]!.offset,
        String(i + 1),
        groupId.slice(0, 9),
      );
    }
    await admin.disconnect();
  });
});

Deno.test("deleteTopics killed with SIGKILL at random points never lets old records reappear", async () => {
  const script = fileURLToPath(
    new URL("./_delete_topics_child.ts", import.meta.url),
  );
  const rand = seededRandom(7);
  for (let trial = 0; trial < 4; trial++) {
    await withDir(async (logDir) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", "--allow-write", script, logDir],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let rounds = 0;
      while (rounds < 3) {
        const { value, done } = await reader.read();
        if (done) break;
        rounds += value.split("\n").length - 1;
      }
      await new Promise((r) => setTimeout(r, rand() * 40));
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel().catch(() => {});
      assert.ok(rounds >= 3, `child ran ${rounds} rounds`);

      const { broker } = await openBroker(logDir);
      if (broker.hasTopic("t")) {
        // Whatever survived is one generation, from offset 0.
        const gens = new Set<string>();
        for (const p of [0, 1]) {
          const log = broker.partition("t", p);
          if (log.logEndOffset === 0) continue;
          const got = broker.fetch("t", p, 0, 1 << 20);
          assert.equal(got[0]!.offset, 0);
          for (const r of got) gens.add(new TextDecoder().decode(r.value!));
        }
        assert.ok(gens.size <= 1, `generations mixed: ${[...gens]}`);
        await broker.deleteTopic("t");
      }
      await broker.createTopic("t", 2);
      assert.equal(broker.partition("t", 0).logEndOffset, 0);
      assert.equal(broker.partition("t", 1).logEndOffset, 0);
      await broker.close();
      const names = [...Deno.readDirSync(logDir)].map((e) => e.name).sort();
      assert.deepEqual(names.filter((n) => n.includes("-delete")), []);
    });
  }
});
