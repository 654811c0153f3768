// Produce: each partition's record set is split into v2 batches, every batch
// checked (size, magic, CRC-32C, codec) before any is written, then appended
// as sent. acks 0 gets no response; acks 1 and -1 are answered once the
// batches are durable under the broker's flush policy (one broker: the
// leader is the whole in-sync replica set).

import { KafkaError } from "../errors.ts";
import { checkBatch, CONTROL_FLAG } from "../protocol/record_batch.ts";
import type { Struct } from "../protocol/_schema.ts";
import type { RequestContext } from "./_context.ts";
import { codeOf, errorCodeFor } from "./_error_code.ts";

/** Splits a partition's record set into checked batches. */
export function splitBatches(records: Uint8Array | null): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (records === null || records.length === 0) {
    throw new KafkaError("Record set is empty: 0 bytes", {
      type: "CORRUPT_MESSAGE",
    });
  }
  let pos = 0;
  while (pos < records.length) {
    const check = checkBatch(records, pos);
    if (!check.ok) {
      throw new KafkaError(
        `Record batch is corrupt at byte ${pos}: ${check.reason}`,
        { type: "CORRUPT_MESSAGE" },
      );
    }
    const view = new DataView(records.buffer, records.byteOffset + pos, 61);
    const codec = view.getInt16(21) & 7;
    // The log's readers (embedded consumers, spark's workers) decode
    // uncompressed and gzip batches only.
    if (codec > 1) {
      throw new KafkaError(
        `Compression codec is not supported: ${codec} (use none or gzip)`,
        { type: "UNSUPPORTED_COMPRESSION_TYPE" },
      );
    }
    // Markers are the broker's to write (EndTxn), never a producer's.
    if (view.getInt16(21) & CONTROL_FLAG) {
      throw new KafkaError(
        "Control batches come from the broker only: producer sent one",
        {
          type: "INVALID_RECORD",
        },
      );
    }
    const count = view.getInt32(57);
    if (count < 1 || view.getInt32(23) !== count - 1) {
      throw new KafkaError(
        `Record batch offsets are inconsistent: ${count} records, last offset delta ${
          view.getInt32(23)
        }`,
        { type: "INVALID_RECORD" },
      );
    }
    out.push(records.subarray(pos, pos + check.size));
    pos += check.size;
  }
  return out;
}

interface PartitionData {
  index: number;
  records: Uint8Array | null;
}

/** Answers a Produce request (or returns null for acks 0). */
export async function handleProduce(
  ctx: RequestContext,
  req: Struct,
): Promise<Struct | null> {
  const { broker } = ctx.server;
  const acks = req.acks as number;
  const topics = req.topicData as {
    name: string;
    partitionData: PartitionData[];
  }[];
  const answer = (index: number, error: unknown) => ({
    index,
    errorCode: errorCodeFor(error),
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage: error instanceof Error ? error.message : null,
  });
  const responses = topics.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map(async (p) => {
      if (acks !== 0 && acks !== 1 && acks !== -1) {
        return {
          ...answer(p.index, null),
          errorCode: codeOf("INVALID_REQUIRED_ACKS"),
        };
      }
      try {
        const batches = splitBatches(p.records);
        const { baseOffset } = await broker.appendBatches(
          t.name,
          p.index,
          batches,
        );
        return {
          index: p.index,
          errorCode: 0,
          baseOffset,
          logAppendTimeMs: -1,
          logStartOffset: broker.partition(t.name, p.index).logStartOffset,
          recordErrors: [],
          errorMessage: null,
        };
      } catch (error) {
        return answer(p.index, error);
      }
    }),
  }));
  const settled = await Promise.all(
    responses.map(async (r) => ({
      name: r.name,
      partitionResponses: await Promise.all(r.partitionResponses),
    })),
  );
  if (acks === 0) return null;
  return { responses: settled, throttleTimeMs: 0 };
}
