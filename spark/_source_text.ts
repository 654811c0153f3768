// The text sources in a task: `textFile` lines of one byte-range split
// (Hadoop's rule, in _text_reader.ts) or of a whole gzip file, and
// `wholeTextFiles` pairs of [path, content]. Which files and splits a path
// names is decided on the driver (_input_files.ts).

import type { Source } from "./_plan.ts";
import type { Batches } from "./_stream.ts";
import { readGzipFile, readGzipLines, readSplitLines } from "./_text_reader.ts";

/** Lines of a textFile split. */
export function textBatches(
  src: Extract<Source, { kind: "text" }>,
): Batches {
  return src.gzip
    ? readGzipLines(src.path)
    : readSplitLines(src.path, src.start, src.end);
}

/** `[path, content]` of each file of a wholeTextFiles partition. */
export function wholeTextBatches(
  src: Extract<Source, { kind: "wholeText" }>,
): Batches {
  if (src.paths.length === 0) return [];
  return [src.paths.map((p) => [
    p,
    p.endsWith(".gz") ? readGzipFile(p) : Deno.readTextFileSync(p),
  ])];
}
