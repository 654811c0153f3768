// Benchmark: the kafka module's log against Redis Streams, with 100-byte
// records as in Kafka's 2014 benchmark. Produces in batches of 1,000 with an
// fsync per batch (on disk) and consumes everything back; then does the same
// with Redis (XADD pipelined by 100, XRANGE by 1,000), once in memory and
// once with AOF `appendfsync always`. Then the same records go over TCP into
// `serveKafka` (on disk, fsync before each acknowledgement): kcat producing
// from a file (acks all) and consuming to the end, and kafkajs (in its own
// process) producing in sends of 1,000 and consuming, with the share of one
// core the broker's process used meanwhile. Prints records/s, MB/s, p50/p99
// send latency and the ratios. Redis and kcat are skipped with a message
// when not installed.
//
//   deno task bench:kafka            (1,000,000 records)
//   deno task bench:kafka --records=200000

import { join } from "node:path";
import { parseCommandLine } from "../../internal/args.ts";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  Kafka,
  logLevel,
  readPartitionLog,
  serveKafka,
} from "../../kafka/mod.ts";

const values = parseCommandLine({
  command: "deno task bench:kafka",
  summary: "The kafka log against Redis Streams: produce and consume rates.",
  flags: {
    records: {
      type: "integer",
      min: 1000,
      default: 1_000_000,
      description: "100-byte records to produce and consume (sends of 1,000)",
    },
    events: {
      type: "integer",
      min: 1,
      default: 200_000,
      description: "earthquake-like JSON events for the pipeline-shaped run",
    },
  },
});
const N = values.records;
const EVENTS = values.events;
const BATCH = 1000;
const SIZE = 100;

interface Result {
  name: string;
  produced: number;
  produceSec: number;
  p50: number;
  p99: number;
  /** First read of everything (JIT cold). */
  coldSec: number;
  /** Second read of everything (JIT warm); the figure compared. */
  consumeSec: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function payloads(): Uint8Array[] {
  // Distinct, incompressible-looking 100-byte values.
  const out: Uint8Array[] = [];
  let x = 12345;
  for (let i = 0; i < BATCH; i++) {
    const v = new Uint8Array(SIZE);
    for (let j = 0; j < SIZE; j++) {
      x = (x * 1103515245 + 12345) >>> 0;
      v[j] = 97 + (x >>> 16) % 26;
    }
    out.push(v);
  }
  return out;
}

async function benchKafka(
  name: string,
  logDir: string | undefined,
): Promise<Result> {
  const kafka = new Kafka({ logDir, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "bench", numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  const values = payloads();
  const messages = values.map((value) => ({ value }));
  const lat: number[] = [];
  const t0 = performance.now();
  for (let sent = 0; sent < N; sent += BATCH) {
    const s = performance.now();
    await producer.send({ topic: "bench", messages });
    lat.push(performance.now() - s);
  }
  const produceSec = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);

  // Read everything twice with two groups: cold, then with the JIT warm.
  const passes: number[] = [];
  for (const groupId of ["bench-cold", "bench-warm"]) {
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: ["bench"], fromBeginning: true });
    let got = 0;
    let bytes = 0;
    const done = Promise.withResolvers<void>();
    const c0 = performance.now();
    // As kafkajs does, each batch ends with a commit of its offsets (it overlaps
    // the next fetch round); autoCommitInterval adds Kafka's 5 s timer on top.
    await consumer.run({
      autoCommitInterval: 5000,
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) bytes += m.value!.length;
        got += batch.messages.length;
        if (got >= N) done.resolve();
        return Promise.resolve();
      },
    });
    await done.promise;
    passes.push((performance.now() - c0) / 1000);
    if (bytes !== N * SIZE) {
      throw new Error(`Consumed ${bytes} bytes, expected ${N * SIZE}`);
    }
    await consumer.disconnect();
  }
  await producer.disconnect();
  await admin.disconnect();
  return {
    name,
    produced: N,
    produceSec,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    coldSec: passes[0]!,
    consumeSec: passes[1]!,
  };
}

/**
 * The pipeline's shape: JSON events of 300-600 bytes keyed by region, all
 * in one send to a 4-partition topic on disk.
 */
async function benchEvents(
  logDir: string,
): Promise<{ sec: number; mb: number }> {
  const regions = [
    "Alaska",
    "California",
    "Chile",
    "Indonesia",
    "Japan",
    "Nevada",
    "Taiwan",
    "Greenland",
  ];
  const messages = Array.from({ length: EVENTS }, (_, i) => {
    const region = regions[i % regions.length]!;
    const value = JSON.stringify({
      type: "Feature",
      id: `us${1000000 + i}`,
      properties: {
        mag: (i % 70) / 10,
        place: `${i % 90}km NNW of Somewhere, ${region}`,
        time: 1517966773840 + i * 1000,
        url: `https://earthquake.usgs.gov/earthquakes/eventpage/us${
          1000000 + i
        }`,
        status: "reviewed",
        tsunami: 0,
        sig: i % 900,
        net: "us",
        types: ",geoserve,origin,phase-data,",
        magType: "mb",
        type: "earthquake",
      },
      geometry: {
        type: "Point",
        coordinates: [(i % 360) - 180, (i % 180) - 90, i % 700],
      },
    });
    return { key: region, value, timestamp: 1517966773840 + i * 1000 };
  });
  const mb = messages.reduce((n, m) => n + m.value.length, 0) / 1e6;
  const kafka = new Kafka({ logDir, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: "earthquakes", numPartitions: 4 }],
  });
  const producer = kafka.producer();
  await producer.connect();
  const t0 = performance.now();
  await producer.send({ topic: "earthquakes", messages });
  const sec = (performance.now() - t0) / 1000;
  await producer.disconnect();
  await admin.disconnect();
  return { sec, mb };
}

// --- Redis over RESP -------------------------------------------------------

type Resp = string | number | null | Resp[] | Error;

class RespConn {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  #pos = 0;
  #enc = new TextEncoder();
  #dec = new TextDecoder();

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<RespConn> {
    return new RespConn(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Encodes one command (ASCII arguments) as a RESP array. */
  encode(args: string[]): string {
    let s = `*${args.length}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
    return s;
  }

  /** Writes a pipeline of encoded commands and reads one reply each. */
  async send(commands: string[]): Promise<Resp[]> {
    const all = this.#enc.encode(commands.join(""));
    for (let w = 0; w < all.length;) {
      w += await this.#conn.write(all.subarray(w));
    }
    const replies: Resp[] = [];
    while (replies.length < commands.length) {
      const start = this.#pos;
      const r = this.#parse();
      if (r === undefined) {
        this.#pos = start;
        await this.#more();
        continue;
      }
      replies.push(r);
    }
    return replies;
  }

  #chunk = new Uint8Array(1 << 20);
  #len = 0;

  async #more(): Promise<void> {
    // Keep unread bytes at the front of one growing buffer.
    const unread = this.#len - this.#pos;
    if (this.#pos > 0) {
      this.#chunk.copyWithin(0, this.#pos, this.#len);
      this.#pos = 0;
      this.#len = unread;
    }
    if (this.#len === this.#chunk.length) {
      const bigger = new Uint8Array(this.#chunk.length * 2);
      bigger.set(this.#chunk);
      this.#chunk = bigger;
    }
    const n = await this.#conn.read(this.#chunk.subarray(this.#len));
    if (n === null) throw new Error("Redis closed the connection");
    this.#len += n;
    this.#buf = this.#chunk.subarray(0, this.#len);
  }

  /** Reads the type byte and the integer or text up to CRLF. */
  #header(): { t: number; n: number; text: number } | undefined {
    const b = this.#buf;
    const start = this.#pos;
    for (let i = start + 1; i + 1 < b.length; i++) {
      if (b[i] === 13) {
        let n = 0;
        let neg = false;
        for (let j = start + 1; j < i; j++) {
          if (b[j] === 45) neg = true;
          else n = n * 10 + b[j]! - 48;
        }
        this.#pos = i + 2;
        return { t: b[start]!, n: neg ? -n : n, text: start + 1 };
      }
    }
    return undefined;
  }

  #parse(): Resp | undefined {
    const h = this.#header();
    if (h === undefined) return undefined;
    const t = String.fromCharCode(h.t);
    if (t === "+" || t === "-") {
      const text = this.#dec.decode(this.#buf.subarray(h.text, this.#pos - 2));
      return t === "+" ? text : new Error(text);
    }
    if (t === ":") return h.n;
    if (t === "$") {
      const len = h.n;
      if (len < 0) return null;
      if (this.#buf.length - this.#pos < len + 2) return undefined;
      const s = this.#dec.decode(
        this.#buf.subarray(this.#pos, this.#pos + len),
      );
      this.#pos += len + 2;
      return s;
    }
    if (t === "*") {
      const len = h.n;
      if (len < 0) return null;
      const arr: Resp[] = [];
      for (let i = 0; i < len; i++) {
        const v = this.#parse();
        if (v === undefined) return undefined;
        arr.push(v);
      }
      return arr;
    }
    throw new Error(`Unexpected RESP type: ${JSON.stringify(t)}`);
  }

  close(): void {
    this.#conn.close();
  }
}

async function redisInstalled(): Promise<boolean> {
  try {
    const out = await new Deno.Command("redis-server", {
      args: ["--version"],
      stdout: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function benchRedis(name: string, extra: string[]): Promise<Result> {
  const dir = await Deno.makeTempDir({ prefix: "kafka_bench_redis_" });
  const port = 20000 + Math.floor(Math.random() * 30000);
  const server = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--dir",
      dir,
      ...extra,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let conn: RespConn | undefined;
  try {
    for (let i = 0; !conn; i++) {
      try {
        conn = await RespConn.open(port);
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const values = payloads().map((v) => new TextDecoder().decode(v));
    const lat: number[] = [];
    const t0 = performance.now();
    for (let sent = 0; sent < N; sent += BATCH) {
      const s = performance.now();
      for (let i = 0; i < BATCH; i += 100) {
        const cmds = [];
        for (let j = i; j < i + 100; j++) {
          cmds.push(conn.encode(["XADD", "bench", "*", "v", values[j]!]));
        }
        const replies = await conn.send(cmds);
        if (replies.some((r) => r instanceof Error)) {
          throw replies.find((r) => r instanceof Error);
        }
      }
      lat.push(performance.now() - s);
    }
    const produceSec = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    const passes: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      let got = 0;
      let from = "-";
      const c0 = performance.now();
      while (got < N) {
        const [reply] = await conn.send([
          conn.encode(["XRANGE", "bench", from, "+", "COUNT", String(BATCH)]),
        ]);
        const entries = reply as [string, string[]][];
        if (entries.length === 0) break;
        for (const [, fields] of entries) {
          if (fields[1]!.length !== SIZE) throw new Error("bad value");
        }
        got += entries.length;
        from = `(${entries.at(-1)![0]}`;
      }
      passes.push((performance.now() - c0) / 1000);
      if (got !== N) throw new Error(`Redis returned ${got} of ${N}`);
    }
    return {
      name,
      produced: N,
      produceSec,
      p50: pct(lat, 0.5),
      p99: pct(lat, 0.99),
      coldSec: passes[0]!,
      consumeSec: passes[1]!,
    };
  } finally {
    conn?.close();
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(dir, { recursive: true });
  }
}

// --- serveKafka over TCP ----------------------------------------------------

interface ServerRun {
  name: string;
  sec: number;
  /** Seconds of CPU the broker's process used during the run. */
  cpuSec: number;
}

async function installed(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}

/** Runs `work` and measures wall time and this process's CPU time. */
async function measured(
  name: string,
  work: () => Promise<unknown>,
): Promise<ServerRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { name, sec, cpuSec: (cpu.user + cpu.system) / 1e6 };
}

async function run(
  cmd: string,
  args: string[],
  stdout: "null" | "piped" = "null",
): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout, stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return stdout === "piped" ? new TextDecoder().decode(out.stdout) : "";
}

async function benchServer(dir: string): Promise<ServerRun[]> {
  // kcat -P reads one record per line: the benchmark's 100-byte values.
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "records.txt");
  const lines = payloads().map((v) => new TextDecoder().decode(v)).join("\n") +
    "\n";
  await Deno.writeTextFile(file, lines.repeat(N / BATCH));
  await using server = await serveKafka({ logDir: join(dir, "log"), port: 0 });
  const broker = `127.0.0.1:${server.port}`;
  const runs: ServerRun[] = [];
  if (await installed("kcat")) {
    runs.push(
      await measured(
        "kcat -P (acks all, fsync per request)",
        () =>
          run("kcat", [
            "-b",
            broker,
            "-P",
            "-t",
            "bench-kcat",
            "-X",
            "acks=all",
            "-l",
            file,
          ]),
      ),
    );
    runs.push(
      await measured("kcat -C -e", () =>
        run("kcat", [
          "-b",
          broker,
          "-C",
          "-t",
          "bench-kcat",
          "-o",
          "beginning",
          "-e",
          "-q",
        ])),
    );
  } else {
    console.log(
      "kcat is not installed: skipping kcat against serveKafka (apt-get install kcat)\n",
    );
  }
  const script = fileURLToPath(
    new URL("./_kafkajs_client.ts", import.meta.url),
  );
  for (const mode of ["produce", "consume"]) {
    let sec = 0;
    const r = await measured(
      `kafkajs ${
        mode === "produce" ? "send (1,000 a send, acks -1)" : "eachBatch"
      }`,
      async () => {
        const out = await run("deno", [
          "run",
          "--allow-net=127.0.0.1",
          "--allow-env",
          "--allow-read",
          "--allow-sys",
          script,
          String(server.port),
          mode,
          String(N),
        ], "piped");
        sec = JSON.parse(out.trim().split("\n").at(-1)!).sec;
      },
    );
    // The client's own timing excludes process start and the group join;
    // the broker's CPU is counted over the whole child run.
    runs.push({ ...r, sec, cpuSec: r.cpuSec * sec / r.sec });
  }
  return runs;
}

function row(r: Result): string {
  const rps = r.produced / r.produceSec;
  const crps = r.produced / r.consumeSec;
  return `| ${r.name} | ${Math.round(rps).toLocaleString("en")} | ${
    (rps * SIZE / 1e6).toFixed(1)
  } | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${
    Math.round(r.produced / r.coldSec).toLocaleString("en")
  } | ${Math.round(crps).toLocaleString("en")} | ${
    (crps * SIZE / 1e6).toFixed(1)
  } |`;
}

const logDir = await Deno.makeTempDir({ prefix: "kafka_bench_" });
try {
  console.log(
    `${
      N.toLocaleString("en")
    } records of ${SIZE} bytes, batches of ${BATCH} (one send each)\n`,
  );
  const disk = await benchKafka("kafka module, disk (fsync per batch)", logDir);
  let raw = 0;
  const r0 = performance.now();
  for await (const r of readPartitionLog(logDir, "bench", 0)) {
    raw += r.value!.length;
  }
  const rawSec = (performance.now() - r0) / 1000;
  const mem = await benchKafka("kafka module, in memory", undefined);
  const results = [disk, mem];
  let redisMem: Result | undefined;
  let redisAof: Result | undefined;
  if (await redisInstalled()) {
    redisMem = await benchRedis(
      "Redis Streams, in memory (XADD pipelined 100)",
      [],
    );
    redisAof = await benchRedis("Redis Streams, AOF appendfsync always", [
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
    ]);
    results.push(redisMem, redisAof);
  } else {
    console.log(
      "redis-server is not installed: skipping the Redis Streams comparison (apt-get install redis-server)\n",
    );
  }
  console.log(
    "| system | produce rec/s | produce MB/s | send p50 ms (1,000 rec) | send p99 ms | consume rec/s, 1st pass | consume rec/s, 2nd pass | consume MB/s, 2nd |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) console.log(row(r));
  if (EVENTS > 0) {
    const ev = await benchEvents(join(logDir, "events"));
    console.log(
      `\nOne send of ${EVENTS.toLocaleString("en")} JSON events (${
        (ev.mb / EVENTS * 1e6).toFixed(0)
      } B avg, keyed by region, 4 partitions, fsynced): ${
        ev.sec.toFixed(2)
      } s, ${Math.round(EVENTS / ev.sec).toLocaleString("en")} events/s, ${
        (ev.mb / ev.sec).toFixed(1)
      } MB/s`,
    );
  }
  console.log(
    `\nlog_reader straight from segment files: ${
      Math.round(raw / SIZE / rawSec).toLocaleString("en")
    } rec/s`,
  );
  const served = await benchServer(join(logDir, "served"));
  console.log(
    "\nOver TCP into serveKafka (on disk, fsync before each answer):\n",
  );
  console.log("| client | rec/s | MB/s | broker CPU (share of one core) |");
  console.log("|---|---:|---:|---:|");
  for (const r of served) {
    console.log(
      `| ${r.name} | ${Math.round(N / r.sec).toLocaleString("en")} | ${
        (N * SIZE / r.sec / 1e6).toFixed(1)
      } | ${Math.round(100 * r.cpuSec / r.sec)}% |`,
    );
  }
  const kcatP = served.find((r) => r.name.startsWith("kcat -P"));
  const kcatC = served.find((r) => r.name.startsWith("kcat -C"));
  if (redisMem && redisAof && kcatP && kcatC) {
    console.log("\nRatios (kcat through serveKafka / Redis Streams):");
    console.log(
      `  kcat produce vs XADD with AOF always: ${
        (redisAof.produceSec / kcatP.sec).toFixed(1)
      }x  (target >= 1.5x)`,
    );
    console.log(
      `  kcat consume vs XRANGE by 1,000:      ${
        (redisMem.consumeSec / kcatC.sec).toFixed(1)
      }x  (target >= 2x)`,
    );
  }
  if (redisMem && redisAof) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
    console.log("\nRatios (kafka module / Redis Streams):");
    console.log(
      `  append on disk   (fsync per batch vs AOF always): ${
        ratio(redisAof.produceSec, disk.produceSec)
      }  (target >= 2x)`,
    );
    console.log(
      `  append on disk   (vs Redis in memory):            ${
        ratio(redisMem.produceSec, disk.produceSec)
      }`,
    );
    console.log(
      `  append in memory (vs Redis in memory):            ${
        ratio(redisMem.produceSec, mem.produceSec)
      }  (target >= 4x)`,
    );
    console.log(
      `  consume from disk (vs XRANGE by 1,000):           ${
        ratio(redisMem.consumeSec, disk.consumeSec)
      }  (target >= 3x)`,
    );
  }
} finally {
  await Deno.remove(logDir, { recursive: true });
}
