// Seeded damage trials: a log is written, closed (cleanly, or as if killed),
// one of its files is damaged at random (a flipped byte, a truncation, or
// garbage appended in a .log, .index or .timeindex file), and the reopened
// broker is read back like a consumer that seeks past what it cannot read.
// No record may come back wrong; no record before the damage may be lost;
// every acknowledged record is readable or reported.
import assert from "node:assert/strict";
import { join } from "node:path";
import { seededRandom } from "../../internal/random.ts";
import {
  batchesOf,
  fill,
  openBroker,
  readAll,
  segmentFiles,
} from "./_log_damage.ts";

const TRIALS = 45;
const KINDS = ["flip", "truncate", "garbage"] as const;
const FILES = [".log", ".index", ".timeindex"] as const;

Deno.test(`${TRIALS} seeded damage trials lose nothing before the damage and return nothing wrong`, async () => {
  const root = await Deno.makeTempDir({ prefix: "kafka_trials_" });
  const outcomes: Record<string, number> = {};
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      const rand = seededRandom(1000 + trial);
      const int = (n: number) => Math.floor(rand() * n);
      const logDir = join(root, `trial-${trial}`);
      const clean = trial % 2 === 0;
      const kind = KINDS[int(3)]!;
      const ext = FILES[int(3)]!;

      let { broker, warnings } = await openBroker(logDir);
      await broker.createTopic("t", 1, [
        { name: "segment.bytes", value: "2500" },
        { name: "index.interval.bytes", value: "300" },
      ]);
      await fill(broker, "t", 24 + int(12), 3 + int(5));
      const acked = broker.partition("t", 0).logEndOffset;
      await broker.close();
      if (!clean) Deno.removeSync(join(logDir, ".kafka_cleanshutdown"));

      const dir = join(logDir, "t-0");
      const files = segmentFiles(dir, ext);
      // Half the time the active segment, where a crash tears the tail.
      const target = rand() < 0.5 ? files.at(-1)! : files[int(files.length)]!;
      const logFile = target.replace(/\.(time)?index$/, ".log");
      const before = batchesOf(logFile);
      const bytes = Deno.readFileSync(target);
      // The first offset that may be lost: that of the batch holding the
      // damaged byte (index damage loses nothing).
      let firstAt = Infinity;
      const at = (position: number) => {
        if (ext !== ".log") return;
        const b = before.findLast((x) => x.position <= position);
        firstAt = b ? b.baseOffset : 0;
      };
      let what: string;
      if (kind === "flip" && bytes.length > 0) {
        const p = int(bytes.length);
        bytes[p]! ^= 1 + int(255);
        Deno.writeFileSync(target, bytes);
        at(p);
        what = `flip at ${p}`;
      } else if (kind === "truncate" && bytes.length > 0) {
        const p = int(bytes.length);
        Deno.writeFileSync(target, bytes.subarray(0, p));
        at(p);
        what = `truncate to ${p}`;
      } else {
        const junk = Uint8Array.from({ length: 1 + int(100) }, () => int(256));
        Deno.writeFileSync(target, new Uint8Array([...bytes, ...junk]));
        at(bytes.length);
        what = `garbage after ${bytes.length}`;
      }
      const label = `trial ${trial} (${
        clean ? "clean" : "crash"
      }): ${what} in ${target.slice(dir.length + 1)}`;

      ({ broker, warnings } = await openBroker(logDir));
      const end = broker.partition("t", 0).logEndOffset;
      const all = readAll(broker, "t");
      assert.equal(all.wrong, 0, `${label}: wrong records`);
      const lostEarly = all.lost.filter((o) => o < firstAt);
      assert.deepEqual(lostEarly, [], `${label}: lost before the damage`);
      // Every acknowledged offset is read, reported lost by a read, or
      // reported cut at open.
      const read = new Set(all.read);
      const lost = new Set(all.lost);
      for (let o = 0; o < acked; o++) {
        if (read.has(o) || lost.has(o)) continue;
        assert.ok(
          o >= end && warnings.some((w) => w.includes(`ends at offset ${end}`)),
          `${label}: offset ${o} neither readable nor reported`,
        );
      }
      if (clean) assert.ok(end >= acked, `${label}: end ${end} < ${acked}`);
      if (all.lost.length > 0 || end < acked) {
        assert.ok(warnings.length + all.errors.length > 0, label);
      }
      // The log keeps working: a new record gets a new offset.
      const { baseOffset } = await broker.append("t", 0, [[{
        key: null,
        value: new Uint8Array(1),
        timestamp: 1,
      }]]);
      assert.equal(baseOffset, end, label);
      await broker.close();
      const outcome = all.lost.length > 0
        ? "records reported lost"
        : end < acked
        ? "torn tail cut and reported"
        : "nothing lost";
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  // The trials met every outcome, so each check above was exercised.
  assert.ok(outcomes["records reported lost"]! > 0, JSON.stringify(outcomes));
  assert.ok(outcomes["nothing lost"]! > 0, JSON.stringify(outcomes));
  assert.ok(
    outcomes["torn tail cut and reported"]! > 0,
    JSON.stringify(outcomes),
  );
});
