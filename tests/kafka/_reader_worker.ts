/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
// Worker for the log_reader test: reads one partition and reports back.
import { readPartitionLog } from "../../kafka/log/log_reader.ts";

self.onmessage = async (
  e: MessageEvent<{ logDir: string; topic: string; partition: number }>,
) => {
  const { logDir, topic, partition } = e.data;
  let count = 0;
  let bytes = 0;
  let first = -1;
  for await (const r of readPartitionLog(logDir, topic, partition)) {
    if (first < 0) first = r.offset;
    count++;
    bytes += r.value?.length ?? 0;
  }
  self.postMessage({ partition, count, bytes, first });
};
