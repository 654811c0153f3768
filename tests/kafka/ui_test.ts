import assert from "node:assert/strict";
import { join } from "node:path";
import { Kafka, kafkaUiHandler } from "../../kafka/mod.ts";
import { until } from "./_helpers.ts";

const T0 = Date.UTC(2018, 1, 1);

/** A log directory with topic `quakes` (2 partitions, 30 records each) and a group that committed. */
async function writeLog(logDir: string): Promise<void> {
  const kafka = new Kafka({ clientId: "ui-test", logDir });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{
      topic: "quakes",
      numPartitions: 2,
      configEntries: [{ name: "retention.ms", value: "86400000" }],
    }],
  });
  const producer = kafka.producer();
  await producer.connect();
  for (const partition of [0, 1]) {
    await producer.send({
      topic: "quakes",
      messages: Array.from({ length: 30 }, (_, i) => ({
        partition,
        key: i === 3 ? "<script>alert(1)</script>" : `k${i}`,
        value: JSON.stringify({ i, mag: i / 10, place: `<b>${i}</b>` }),
        headers: { source: i === 3 ? '"><img src=x>' : "usgs" },
        timestamp: String(T0 + i * 60_000),
      })),
    });
  }
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "counts" });
  await consumer.connect();
  await admin.setOffsets({
    groupId: "counts",
    topic: "quakes",
    partitions: [{ partition: 0, offset: "10" }, {
      partition: 1,
      offset: "25",
    }],
  });
  await consumer.disconnect();
  await admin.disconnect();
}

async function withLog(fn: (logDir: string) => Promise<void>): Promise<void> {
  const logDir = await Deno.makeTempDir();
  try {
    await writeLog(logDir);
    await fn(logDir);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

async function get(
  handler: (req: Request) => Promise<Response>,
  path: string,
): Promise<{ status: number; body: string; type: string }> {
  const res = await handler(new Request(`http://127.0.0.1${path}`));
  return {
    status: res.status,
    body: await res.text(),
    type: res.headers.get("content-type") ?? "",
  };
}

Deno.test("kafkaUiHandler() shows a log directory's topics, offsets, sizes, segments and configs", async () => {
  await withLog(async (logDir) => {
    const handler = kafkaUiHandler({ logDir, basePath: "/kafka" });
    const topics = JSON.parse((await get(handler, "/kafka/api/topics")).body);
    assert.equal(topics.length, 1);
    assert.equal(topics[0].name, "quakes");
    assert.deepEqual(
      topics[0].partitions.map((
        p: { logStartOffset: number; highWatermark: number; segments: number },
      ) => [p.logStartOffset, p.highWatermark, p.segments]),
      [[0, 30, 1], [0, 30, 1]],
    );
    for (const p of topics[0].partitions) assert.ok(p.sizeBytes > 30 * 40);
    assert.deepEqual(topics[0].configs, { "retention.ms": "86400000" });

    const index = await get(handler, "/kafka/");
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.match(index.body, /<a href="\/kafka\/topics\/quakes">quakes<\/a>/);
    assert.match(index.body, /<a href="\/kafka\/groups\/counts">counts<\/a>/);
    const topic = await get(handler, "/kafka/topics/quakes");
    assert.match(
      topic.body,
      /<td class="text">retention\.ms<\/td><td class="text">86400000/,
    );
  });
});

Deno.test("kafkaUiHandler() browses messages from an offset or a timestamp, as text, JSON or hex", async () => {
  await withLog(async (logDir) => {
    const handler = kafkaUiHandler({ logDir });
    const api = async (query: string) =>
      JSON.parse(
        (await get(handler, `/api/topics/quakes/messages?${query}`)).body,
      );
    const fromOffset = await api("partition=1&offset=27&limit=5");
    assert.deepEqual(
      fromOffset.messages.map((m: { offset: number }) => m.offset),
      [27, 28, 29],
    );
    assert.equal(fromOffset.nextOffset, null);
    assert.equal(fromOffset.messages[0].key, "k27");
    assert.equal(fromOffset.messages[0].headers.source, "usgs");
    const byTime = await api(
      `partition=0&timestamp=${
        new Date(T0 + 12 * 60_000 - 1).toISOString()
      }&limit=2`,
    );
    assert.equal(byTime.fromOffset, 12);
    assert.deepEqual(byTime.messages.map((m: { offset: number }) => m.offset), [
      12,
      13,
    ]);
    assert.equal(byTime.nextOffset, 14);
    const json = await api("partition=0&offset=1&limit=1&format=json");
    assert.equal(
      json.messages[0].value,
      JSON.stringify({ i: 1, mag: 0.1, place: "<b>1</b>" }, null, 2),
    );
    const hex = await api("partition=0&offset=0&limit=1&format=hex");
    assert.match(hex.messages[0].value, /^00000000 {2}7b 22 69 22 3a 30 /);
    assert.equal(
      hex.messages[0].key,
      "00000000  6b 30" + " ".repeat(44) + "k0",
    );

    const page = await get(
      handler,
      "/topics/quakes?partition=0&offset=2&limit=3&format=json",
    );
    assert.equal(page.status, 200);
    assert.match(page.body, /Messages of partition 0 from offset 2/);
    assert.match(
      page.body,
      /href="\/topics\/quakes\?partition=0&#38;offset=5&#38;limit=3&#38;format=json"/,
    );
  });
});

Deno.test("kafkaUiHandler() escapes keys, values and headers it shows", async () => {
  await withLog(async (logDir) => {
    const handler = kafkaUiHandler({ logDir });
    const page = await get(
      handler,
      "/topics/quakes?partition=0&offset=3&limit=1",
    );
    assert.doesNotMatch(page.body, /<script>alert|<img src|<b>3<\/b>/);
    assert.match(page.body, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(page.body, /source: &#34;&#62;&#60;img src=x&#62;/);
    assert.match(page.body, /&#60;b&#62;3&#60;\/b&#62;/);
  });
});

Deno.test("kafkaUiHandler() shows a group's committed offsets and lag from the log directory", async () => {
  await withLog(async (logDir) => {
    const handler = kafkaUiHandler({ logDir });
    const group = JSON.parse((await get(handler, "/api/groups/counts")).body);
    assert.equal(group.members, null);
    assert.deepEqual(
      group.offsets.map((
        o: { partition: number; committed: number; lag: number },
      ) => [
        o.partition,
        o.committed,
        o.lag,
      ]),
      [[0, 10, 20], [1, 25, 5]],
    );
    assert.equal(group.totalLag, 25);
    const page = await get(handler, "/groups/counts");
    assert.match(page.body, /total lag<\/th><th>25</);
    assert.match(page.body, /members live only in a running broker/);
  });
});

Deno.test("kafkaUiHandler() refuses bad names (400) and names what it did not find (404)", async () => {
  await withLog(async (logDir) => {
    const handler = kafkaUiHandler({ logDir, basePath: "/kafka" });
    const cases: [string, number, RegExp][] = [
      [
        "/kafka/topics/..%2F..%2Fetc",
        400,
        /Topic name must match \[a-zA-Z0-9._-\]\+: &#34;..\/..\/etc&#34;/,
      ],
      ["/kafka/topics/%E0%A4%A", 400, /Bad topic id in the URL/],
      ["/kafka/topics/nope", 404, /Topic not found: &#34;nope&#34;/],
      [
        "/kafka/groups/nobody",
        404,
        /Consumer group not found: &#34;nobody&#34;/,
      ],
      [
        "/kafka/groups/a%20b",
        400,
        /Group id must be 1-255 printable characters/,
      ],
      [
        "/kafka/topics/quakes?partition=7&offset=0",
        404,
        /Partition not found: quakes-7/,
      ],
      [
        "/kafka/topics/quakes?offset=-1",
        400,
        /offset must be a non-negative integer: &#34;-1&#34;/,
      ],
      [
        "/kafka/topics/quakes?offset=0&limit=100000",
        400,
        /limit must be between 1 and 500/,
      ],
      [
        "/kafka/topics/quakes?offset=0&format=xml",
        400,
        /format must be text, json or hex/,
      ],
      [
        "/kafka/topics/quakes?timestamp=soon",
        400,
        /timestamp must be epoch milliseconds or an ISO date/,
      ],
      ["/elsewhere", 404, /No page at \/elsewhere/],
    ];
    for (const [path, status, pattern] of cases) {
      const res = await get(handler, path);
      assert.equal(res.status, status, path);
      assert.match(res.body, pattern, path);
    }
    const api = await get(handler, "/kafka/api/topics/nope");
    assert.equal(api.status, 404);
    assert.deepEqual(JSON.parse(api.body), {
      error: 'Topic not found: "nope"',
    });
    const post = await handler(
      new Request("http://127.0.0.1/kafka/", { method: "POST" }),
    );
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });
});

Deno.test("kafkaUiHandler() shows a damaged partition in an error panel and the rest of the topic", async () => {
  await withLog(async (logDir) => {
    await Deno.remove(join(logDir, "quakes-1"), { recursive: true });
    const handler = kafkaUiHandler({ logDir });
    const page = await get(handler, "/topics/quakes");
    assert.equal(page.status, 200);
    assert.match(
      page.body,
      /<td>1<\/td><td colspan="5" class="text"><div class="panel error" role="alert">Partition does not exist/,
    );
    assert.match(page.body, /<td>0<\/td><td>0<\/td><td>30<\/td>/);
    const index = await get(handler, "/");
    assert.match(index.body, /1 partition\(s\) unreadable/);
    // A torn group file: the groups panel says so, the topics still show.
    const offsetsDir = join(logDir, "__consumer_offsets");
    for await (const e of Deno.readDir(offsetsDir)) {
      await Deno.writeTextFile(join(offsetsDir, e.name), "{ torn");
    }
    const tornGroups = await get(handler, "/");
    assert.equal(tornGroups.status, 200);
    assert.match(
      tornGroups.body,
      /<b>Could not read the consumer groups<\/b><br>Committed offsets file is unreadable: .*__consumer_offsets/,
    );
    assert.match(tornGroups.body, /<a href="\/topics\/quakes">quakes<\/a>/);
    await Deno.writeTextFile(join(logDir, "topics.json"), "{ torn");
    const broken = await get(handler, "/");
    assert.match(
      broken.body,
      /<b>Could not read the topics<\/b><br>Topic metadata is unreadable/,
    );
    const topicPage = await get(handler, "/topics/quakes");
    assert.equal(topicPage.status, 500);
    assert.match(
      topicPage.body,
      /class="panel error" role="alert"><b>Could not read the log<\/b><br>Topic metadata is unreadable/,
    );
  });
});

Deno.test("kafkaUiHandler() shows a running broker's group members, assignment and lag", async () => {
  const kafka = new Kafka({ clientId: "ui-live" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "live", numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "live",
    messages: Array.from(
      { length: 10 },
      (_, i) => ({ partition: i % 2, value: `v${i}` }),
    ),
  });
  const consumer = kafka.consumer({ groupId: "live-readers" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["live"], fromBeginning: true });
  let seen = 0;
  await consumer.run({
    eachMessage: () => {
      seen++;
      return Promise.resolve();
    },
  });
  try {
    await until(() => seen === 10, "10 messages");
    const handler = kafkaUiHandler({ kafka });
    let group: {
      state: string;
      members: { assignment: Record<string, number[]> }[];
      offsets: { committed: number; lag: number }[];
      totalLag: number;
    } = { state: "", members: [], offsets: [], totalLag: -1 };
    const started = Date.now();
    // The consumer commits on its own schedule: wait until both partitions are in.
    while (Date.now() - started < 5000) {
      group = JSON.parse((await get(handler, "/api/groups/live-readers")).body);
      if (group.offsets.length === 2 && group.totalLag === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(group.state, "Stable");
    assert.equal(group.members.length, 1);
    assert.deepEqual(group.members[0]!.assignment, { live: [0, 1] });
    assert.deepEqual(group.offsets.map((o) => o.committed), [5, 5]);
    assert.equal(group.totalLag, 0);
    const topics = JSON.parse((await get(handler, "/api/topics")).body);
    assert.deepEqual(topics[0].partitions[1], {
      partition: 1,
      logStartOffset: 0,
      highWatermark: 5,
      sizeBytes: null,
      segments: null,
    });
    const messages = JSON.parse(
      (await get(handler, "/api/topics/live/messages?partition=1&offset=3"))
        .body,
    );
    assert.deepEqual(messages.messages.map((m: { value: string }) => m.value), [
      "v7",
      "v9",
    ]);
    const page = await get(handler, "/groups/live-readers");
    assert.match(page.body, /<span class="state Stable">Stable<\/span>/);
    assert.match(page.body, /live: 0, 1/);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});
