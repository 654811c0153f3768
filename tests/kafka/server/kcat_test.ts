// kcat (librdkafka, from Debian) against serveKafka: metadata, producing
// from a file, reading everything back, and consuming in a group.

import assert from "node:assert/strict";
import { serveKafka } from "../../../kafka/mod.ts";
import { kcat } from "./_helpers.ts";

Deno.test("serveKafka serves kcat -L, -P from a file, -C -e and -G", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_kcat_" });
  const logs: string[] = [];
  const server = await serveKafka({
    logDir,
    port: 0,
    numPartitions: 3,
    log: (l) => logs.push(l),
  });
  const broker = `127.0.0.1:${server.port}`;
  try {
    const listed = await kcat(["-b", broker, "-L"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /1 brokers:\s+broker 0 at 127\.0\.0\.1:\d+/);

    const lines = Array.from({ length: 200 }, (_, i) => `key${i}:value-${i}`);
    const file = await Deno.makeTempFile({ suffix: ".txt" });
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    try {
      const produced = await kcat([
        "-b",
        broker,
        "-P",
        "-t",
        "quakes",
        "-K:",
        "-l",
        file,
        "-X",
        "acks=all",
      ]);
      assert.equal(produced.code, 0, produced.stderr);
    } finally {
      await Deno.remove(file);
    }

    const meta = await kcat(["-b", broker, "-L", "-t", "quakes"]);
    assert.match(meta.stdout, /topic "quakes" with 3 partitions/);

    const read = await kcat([
      "-b",
      broker,
      "-C",
      "-t",
      "quakes",
      "-e",
      "-o",
      "beginning",
      "-f",
      "%k:%s\\n",
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout.trim().split("\n").sort(), [...lines].sort());

    const group = await kcat([
      "-b",
      broker,
      "-G",
      "kcat-readers",
      "quakes",
      "-e",
      "-f",
      "%s\\n",
      "-X",
      "auto.offset.reset=earliest",
    ]);
    assert.equal(group.code, 0, group.stderr);
    assert.equal(group.stdout.trim().split("\n").length, 200);
    // The group committed its offsets: a second run has nothing left.
    const again = await kcat([
      "-b",
      broker,
      "-G",
      "kcat-readers",
      "quakes",
      "-e",
      "-f",
      "%s\\n",
      "-X",
      "auto.offset.reset=earliest",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), "");
  } finally {
    await server.close();
    await Deno.remove(logDir, { recursive: true });
  }
});
