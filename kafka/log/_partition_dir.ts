// A partition directory's identity and its removal, as Kafka does them: each
// partition directory holds `partition.metadata` with its topic's id, so data
// left by a deleted topic is never taken for a new topic of the same name;
// a directory being deleted is first renamed `<topic>-<n>.<id>-delete`
// (atomic), then removed, and leftovers are removed at the next open.

import { basename, dirname, join } from "node:path";
import { syncDir, writeFileAtomic } from "./_store.ts";

const METADATA = "partition.metadata";

/** A new topic id: 16 random bytes in URL-safe base64, as Kafka prints one. */
export function newTopicId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The topic id in `dir/partition.metadata`, or undefined. */
export function readTopicId(dir: string): string | undefined {
  try {
    const text = Deno.readTextFileSync(join(dir, METADATA));
    return /^topic_id: (\S+)$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** Records `id` in `dir/partition.metadata` durably. */
export async function writeTopicId(dir: string, id: string): Promise<void> {
  await writeFileAtomic(
    join(dir, METADATA),
    `version: 0\ntopic_id: ${id}\n`,
    { mkdir: true },
  );
}

/** Whether `dir` looks like a partition directory (segments or metadata). */
export function isPartitionDir(dir: string): boolean {
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.name === METADATA || /^\d{20}\.log$/.test(e.name)) return true;
    }
  } catch {
    // not a readable directory
  }
  return false;
}

/** Renames `dir` out of the way to `<dir>.<random>-delete`; returns it. */
export function moveAside(dir: string): string {
  const hex = crypto.randomUUID().replaceAll("-", "");
  const aside = join(dirname(dir), `${basename(dir)}.${hex}-delete`);
  Deno.renameSync(dir, aside);
  syncDir(dirname(dir));
  return aside;
}

/** Removes directories renamed for deletion under `logDir`. */
export async function removeDeleted(logDir: string): Promise<void> {
  for (const e of Deno.readDirSync(logDir)) {
    if (e.isDirectory && e.name.endsWith("-delete")) {
      await Deno.remove(join(logDir, e.name), { recursive: true })
        .catch(() => {});
    }
  }
}
