/**
 * `deno task kafka:serve`: runs a broker in the foreground until SIGINT or
 * SIGTERM, then closes it cleanly (every log flushed and closed).
 *
 * ```
 * deno task kafka:serve --log-dir out/kafka --port 9092 --partitions 3
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { KafkaError } from "../errors.ts";
import { serveKafka } from "./serve.ts";

const USAGE = `Usage: deno task kafka:serve [options]
  --log-dir DIR     keep the log in DIR (default: in memory)
  --hostname HOST   address to listen on (default: 127.0.0.1)
  --port N          port to listen on, 0 for any free one (default: 9092)
  --partitions N    partitions of auto-created topics (default: 1)
  --help            show this help`;

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new KafkaError(
      `--${name} must be an integer >= ${min}: ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/**
 * Runs the CLI; resolves with the exit code once the broker has stopped
 * (after `stop` aborts, or a signal when run as a script).
 *
 * @example Ask for help
 * ```ts
 * import { main } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * assert.equal(await main(["--help"], { out: (l) => lines.push(l), err: () => {} }), 0);
 * assert.match(lines[0]!, /^Usage/);
 * ```
 */
export async function main(
  args: string[],
  io: { out: (line: string) => void; err: (line: string) => void } = {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
  },
  stop?: AbortSignal,
): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args,
      options: {
        "log-dir": { type: "string" },
        hostname: { type: "string" },
        port: { type: "string" },
        partitions: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    options = {
      logDir: values["log-dir"],
      hostname: values.hostname ?? "127.0.0.1",
      port: integer("port", values.port, 9092, 0),
      numPartitions: integer("partitions", values.partitions, 1, 1),
    };
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let server;
  try {
    server = await serveKafka({ ...options, log: io.err });
  } catch (error) {
    io.err((error as Error).message);
    return 1;
  }
  io.out(`Kafka broker listening on ${server.hostname}:${server.port}`);
  const done = Promise.withResolvers<void>();
  stop?.addEventListener("abort", () => done.resolve(), { once: true });
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal = () => done.resolve();
  if (!stop) { for (const s of signals) Deno.addSignalListener(s, onSignal); }
  await done.promise;
  if (!stop) {
    for (const s of signals) {
      Deno.removeSignalListener(s, onSignal);
    }
  }
  await server.close();
  io.out("Kafka broker stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
