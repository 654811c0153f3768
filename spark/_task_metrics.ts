// Task metrics gathered inside an executor when the event log is on (Spark's
// TaskMetrics: input, shuffle read, shuffle write, run time). Counting is
// per batch, never per record, and byte sizes use the sampled estimate the
// result guard already uses, so a task pays a few additions per batch.

import type { Source } from "./_plan.ts";
import { type Batches, mapBatches } from "./_stream.ts";

/** What one task attempt read, shuffled and took (sent with its result). */
export interface TaskMetrics {
  /** 1 for the first attempt, as the driver counts. */
  attempt: number;
  /** Wall time inside the executor, in milliseconds. */
  runMs: number;
  recordsRead: number;
  bytesRead: number;
  shuffleReadRecords: number;
  shuffleReadBytes: number;
  shuffleWriteRecords: number;
  shuffleWriteBytes: number;
}

/** Fresh metrics for one attempt. */
export function newTaskMetrics(attempt: number): TaskMetrics {
  return {
    attempt,
    runMs: 0,
    recordsRead: 0,
    bytesRead: 0,
    shuffleReadRecords: 0,
    shuffleReadBytes: 0,
    shuffleWriteRecords: 0,
    shuffleWriteBytes: 0,
  };
}

/**
 * Wraps a source's batches so their records are counted: an input source
 * counts as records (and bytes, for a file range) read, a shuffle source as
 * shuffle read. Sources made of other plans (concat, cache, pair) are
 * counted by their own leaves.
 */
export function meteredSource(
  src: Source,
  batches: Batches,
  m: TaskMetrics,
  size: (v: unknown) => number,
): Batches {
  switch (src.kind) {
    case "shuffle":
    case "cogroup": {
      for (const b of shuffleBlocks(src)) {
        m.shuffleReadRecords += b.length;
        if (b.length > 0) m.shuffleReadBytes += size(b);
      }
      return batches;
    }
    case "text":
    case "csv":
      m.bytesRead += src.end - src.start;
      break;
    case "concat":
    case "cache":
    case "pair":
      return batches;
  }
  return mapBatches(batches, (b) => {
    m.recordsRead += b.length;
    return b;
  });
}

function shuffleBlocks(src: Source): unknown[][] {
  if (src.kind === "shuffle") return src.blocks;
  if (src.kind !== "cogroup") return [];
  return src.inputs.flatMap((i) => "blocks" in i ? i.blocks : []);
}

/** Counts a map task's output blocks (one per reduce partition). */
export function meterShuffleWrite(
  blocks: unknown,
  m: TaskMetrics,
  size: (v: unknown) => number,
): void {
  if (!Array.isArray(blocks)) return;
  for (const b of blocks) {
    if (!Array.isArray(b) || b.length === 0) continue;
    m.shuffleWriteRecords += b.length;
    m.shuffleWriteBytes += size(b);
  }
}
