// The broker process killed with SIGKILL while kafkajs produces with acks
// -1: every acknowledged message is in the log after a restart, and the
// same kafkajs producer reconnects and goes on.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import { readPartitionLog } from "../../../kafka/mod.ts";
import { collectLines, until } from "./_helpers.ts";

const cli = fileURLToPath(
  new URL("../../../kafka/server/cli.ts", import.meta.url),
);

function startBroker(logDir: string, port: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      cli,
      "--log-dir",
      logDir,
      "--port",
      String(port),
      "--partitions",
      "2",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  const reading = collectLines(child.stdout, lines);
  return {
    child,
    reading,
    async port(): Promise<number> {
      await until(
        () => lines.some((l) => /listening on/.test(l)),
        "broker start",
      );
      return Number(
        /:(\d+)$/.exec(lines.find((l) => /listening on/.test(l))!)![1],
      );
    },
  };
}

Deno.test("serveKafka keeps every acks -1 message through SIGKILL; kafkajs reconnects", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "kafka_server_crash_" });
  let broker = startBroker(logDir, 0);
  const port = await broker.port();
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: "crash-test",
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 20, maxRetryTime: 500 },
  });
  const producer = kafka.producer();
  try {
    await producer.connect();
    const acked: string[] = [];
    let stop = false;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const messages = Array.from({ length: 5 }, (_, j) => ({
          key: `k${j}`,
          value: `v${i}-${j}`,
        }));
        try {
          await producer.send({ topic: "crashy", acks: -1, messages });
          acked.push(...messages.map((m) => m.value));
        } catch {
          // not acknowledged: may or may not be in the log
        }
      }
    })();
    await until(() => acked.length >= 200, "acknowledgements before the kill");
    broker.child.kill("SIGKILL");
    await broker.child.status;
    await broker.reading;
    const beforeRestart = acked.length;
    broker = startBroker(logDir, port);
    await broker.port();
    await until(
      () => acked.length >= beforeRestart + 100,
      "acknowledgements after the restart",
      20_000,
    );
    stop = true;
    await loop;
    await producer.disconnect();
    broker.child.kill("SIGTERM");
    assert.equal((await broker.child.status).code, 0);
    await broker.reading;
    // SIGTERM is a clean stop: the broker leaves its clean-shutdown marker.
    assert.ok((await Deno.stat(join(logDir, ".kafka_cleanshutdown"))).isFile);

    const stored = new Set<string>();
    for (const p of [0, 1]) {
      for await (const r of readPartitionLog(logDir, "crashy", p)) {
        stored.add(new TextDecoder().decode(r.value!));
      }
    }
    const missing = acked.filter((v) => !stored.has(v));
    assert.deepEqual(missing, []);
  } finally {
    try {
      broker.child.kill("SIGKILL");
      await broker.child.status;
    } catch {
      // already stopped
    }
    await Deno.remove(logDir, { recursive: true });
  }
});
