// Shared by the log integrity tests: a broker on a temp dir whose records
// say their own offset, so a record read back is checked by its content.
import { join } from "node:path";
import { Broker } from "../../kafka/broker/_broker.ts";
import type { RecordInput } from "../../kafka/protocol/record_batch.ts";
import { BatchScanner, fileSource } from "../../kafka/log/_scan.ts";

const te = new TextEncoder();
const td = new TextDecoder();

/** `n` records whose values name offsets `from` on. */
export function records(from: number, n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: null,
    value: te.encode(`offset ${from + i} `.padEnd(40, "x")),
    timestamp: 1_000_000 + from + i,
  }));
}

/** The offset a record's value names. */
export function valueOffset(value: Uint8Array | null): number {
  return Number(/^offset (\d+) /.exec(td.decode(value!))?.[1] ?? NaN);
}

/** Opens a broker collecting its warnings. */
export async function openBroker(logDir: string) {
  const warnings: string[] = [];
  const broker = await Broker.open({
    logDir,
    onWarning: (m) => warnings.push(m),
  });
  return { broker, warnings };
}

/** Appends `batches` batches of `per` records to partition 0 of `topic`. */
export async function fill(
  broker: Broker,
  topic: string,
  batches: number,
  per: number,
): Promise<void> {
  // One append of many batches: one fsync.
  const from = broker.partition(topic, 0).logEndOffset;
  const groups = Array.from(
    { length: batches },
    (_, i) => records(from + i * per, per),
  );
  await broker.append(topic, 0, groups);
}

/** Start positions and offsets of the batches of a segment file. */
export function batchesOf(
  path: string,
): { position: number; baseOffset: number; lastOffset: number }[] {
  const file = Deno.openSync(path, { read: true });
  try {
    const scanner = new BatchScanner(
      fileSource(file, file.statSync().size),
      0,
    );
    const out = [];
    for (let b = scanner.next(); b; b = scanner.next()) {
      out.push({
        position: b.position,
        baseOffset: b.check.baseOffset,
        lastOffset: b.check.lastOffset,
      });
    }
    return out;
  } finally {
    file.close();
  }
}

/** Segment files of a partition directory, oldest first. */
export function segmentFiles(dir: string, ext = ".log"): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name)
    .filter((n) => n.endsWith(ext)).sort().map((n) => join(dir, n));
}

/** XORs one byte of a file. */
export function flip(path: string, position: number, mask = 0xff): void {
  const bytes = Deno.readFileSync(path);
  bytes[position]! ^= mask;
  Deno.writeFileSync(path, bytes);
}

/**
 * Reads every offset of partition 0 like a consumer that seeks past
 * damage: returns the offsets read (checked against their content), the
 * offsets reported lost, and the errors met.
 */
export function readAll(broker: Broker, topic: string) {
  const log = broker.partition(topic, 0);
  const read: number[] = [];
  const lost: number[] = [];
  const errors: string[] = [];
  let wrong = 0;
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    let got;
    try {
      got = broker.fetch(topic, 0, offset, 4096);
    } catch (error) {
      const m = /seek to (\d+) to skip them/.exec(String(error));
      if (!m) throw error;
      errors.push((error as Error).message);
      const next = Number(m[1]);
      if (next <= offset) throw new Error(`no progress at ${offset}`);
      for (let o = offset; o < next; o++) lost.push(o);
      offset = next;
      continue;
    }
    if (got.length === 0) throw new Error(`empty read at ${offset}`);
    for (const r of got) {
      if (r.offset !== offset || valueOffset(r.value) !== r.offset) wrong++;
      read.push(r.offset);
      offset = r.offset + 1;
    }
  }
  return { read, lost, errors, wrong };
}
