import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, KafkaError, serveKafka } from "../../kafka/mod.ts";
import { Broker } from "../../kafka/broker/_broker.ts";

const holder = fileURLToPath(new URL("./_lock_holder.ts", import.meta.url));

function spawnHolder(logDir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", holder, logDir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  return {
    child,
    async firstLine(): Promise<string> {
      let buf = "";
      while (!buf.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) break;
        buf += value;
      }
      return buf.split("\n")[0]!;
    },
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
      await lines.cancel().catch(() => {});
    },
  };
}

function assertInUse(error: unknown, dir: string): boolean {
  assert.ok(error instanceof KafkaError, String(error));
  assert.match(error.message, /in use/);
  assert.ok(error.message.includes(dir), error.message);
  return true;
}

Deno.test("a second broker on one log directory is refused, also through a symlink", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  const logDir = join(root, "log");
  const link = join(root, "link");
  try {
    const first = await Broker.open({ logDir });
    assert.equal(first.logDir, logDir);
    await assert.rejects(
      Broker.open({ logDir }),
      (e) => assertInUse(e, logDir),
    );
    await Deno.symlink(logDir, link);
    await assert.rejects(
      Broker.open({ logDir: link }),
      (e) => assertInUse(e, logDir),
    );
    await first.close();
    // Closing releases the lock.
    const again = await Broker.open({ logDir: link });
    assert.equal(again.logDir, logDir);
    await again.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Kafka clients of one process share the directory's one broker, whatever the spelling", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  const logDir = join(root, "log");
  try {
    await Deno.mkdir(logDir);
    await Deno.symlink(logDir, join(root, "link"));
    const admin = new Kafka({ logDir }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "t" }] });
    const producer = new Kafka({ logDir: join(root, "link") }).producer();
    await producer.connect();
    await producer.send({ topic: "t", messages: [{ value: "a" }] });
    await producer.send({ topic: "t", messages: [{ value: "b" }] });
    assert.deepEqual(await admin.fetchTopicOffsets("t"), [
      { partition: 0, offset: "2", high: "2", low: "0" },
    ]);
    // The shared broker holds the lock, so a separate one is refused.
    await assert.rejects(
      Broker.open({ logDir }),
      (e) => assertInUse(e, logDir),
    );
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("another process is refused while a broker owns the directory, and SIGKILL frees it", async () => {
  const logDir = await Deno.realPath(await Deno.makeTempDir());
  try {
    // This process owns it: the child is refused and names the directory.
    const broker = await Broker.open({ logDir });
    const refused = spawnHolder(logDir);
    const line = await refused.firstLine();
    assert.match(line, /^refused: Log directory is in use/);
    assert.ok(line.includes(logDir), line);
    assert.ok(line.includes(`process ${Deno.pid}`), line);
    assert.equal((await refused.child.status).code, 2);
    await refused.stop();
    await broker.close();

    // The child owns it: this process is refused until the child is killed.
    const owner = spawnHolder(logDir);
    assert.equal(await owner.firstLine(), "open");
    await assert.rejects(
      Broker.open({ logDir }),
      (e) => assertInUse(e, logDir),
    );
    await owner.stop();
    const after = await Broker.open({ logDir });
    await after.close();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("serveKafka and a Kafka client on one log directory: whichever opens second is refused", async () => {
  const logDir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const admin = new Kafka({ logDir }).admin();
    await admin.connect();
    await assert.rejects(
      serveKafka({ logDir, port: 0 }),
      (e) => assertInUse(e, logDir),
    );
    await admin.disconnect();
    const server = await serveKafka({ logDir, port: 0 });
    const again = new Kafka({ logDir }).admin();
    await assert.rejects(again.connect(), (e) => assertInUse(e, logDir));
    await server.close();
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
