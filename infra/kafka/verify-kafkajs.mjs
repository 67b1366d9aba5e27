// Checks, against a running broker, every kafkajs feature Fleetstream relies on.
// Prints one "PASS <check>" or "FAIL <check>: <reason>" line per check; exits 1 if any failed.
// Usage: node infra/kafka/verify-kafkajs.mjs [--brokers 127.0.0.1:9092] [--verbose]
// It creates uniquely named topics/groups and deletes its topics at the end.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Kafka, logLevel, Partitioners } from "kafkajs";

const { values } = parseArgs({
  options: {
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
    verbose: { type: "boolean", default: false },
  },
});

const brokers = values.brokers.split(",").map((b) => b.trim());
const run = randomUUID().slice(0, 8);
const kafka = new Kafka({
  clientId: `verify-kafkajs-${run}`,
  brokers,
  logLevel: values.verbose ? logLevel.INFO : logLevel.NOTHING,
  retry: { retries: 5, initialRetryTime: 200 },
});
const open = new Set();
const track = (client) => {
  open.add(client);
  return client;
};
const close = async (client) => {
  open.delete(client);
  await client.disconnect().catch(() => {});
};
const producer = (opts = {}) =>
  track(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...opts }));
const consumer = (groupId, opts = {}) =>
  track(
    kafka.consumer({
      groupId,
      heartbeatInterval: 500,
      sessionTimeout: 10000,
      maxWaitTimeInMs: 500,
      ...opts,
    }),
  );

const t = (name) => `verify.${run}.${name}`;
const topics = {
  compact: t("compact"),
  single: t("single"),
  multi: t("multi"),
  txIn: t("tx-in"),
  txOut: t("tx-out"),
  rc: t("read-committed"),
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
async function until(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let failures = 0;
let passes = 0;
async function check(name, fn, timeoutMs = 45000) {
  let timer;
  const started = Date.now();
  const took = () => `(${((Date.now() - started) / 1000).toFixed(1)}s)`;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs / 1000}s`)),
          timeoutMs,
        );
      }),
    ]);
    passes += 1;
    console.log(`PASS ${name} ${took()}`);
  } catch (error) {
    failures += 1;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.log(`FAIL ${name}: ${reason.replace(/\s+/g, " ")} ${took()}`);
  } finally {
    clearTimeout(timer);
  }
}

const admin = track(kafka.admin());
await admin.connect();

await check(
  "admin.createTopics with numPartitions and configEntries (cleanup.policy=compact)",
  async () => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topics.compact,
          numPartitions: 3,
          configEntries: [{ name: "cleanup.policy", value: "compact" }],
        },
        { topic: topics.single, numPartitions: 1 },
        { topic: topics.multi, numPartitions: 4 },
        { topic: topics.txIn, numPartitions: 1 },
        { topic: topics.txOut, numPartitions: 1 },
        { topic: topics.rc, numPartitions: 1 },
      ],
    });
    assert(created === true, `createTopics returned ${created}`);
    const meta = await admin.fetchTopicMetadata({ topics: [topics.compact, topics.multi] });
    const parts = Object.fromEntries(meta.topics.map((x) => [x.name, x.partitions.length]));
    assert(
      parts[topics.compact] === 3 && parts[topics.multi] === 4,
      `partitions ${JSON.stringify(parts)}`,
    );
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: topics.compact, configNames: ["cleanup.policy"] }],
    });
    const policy = resources[0]?.configEntries.find(
      (e) => e.configName === "cleanup.policy",
    )?.configValue;
    assert(policy === "compact", `cleanup.policy is ${policy}`);
    const again = await admin.createTopics({
      topics: [{ topic: topics.single, numPartitions: 1 }],
    });
    assert(again === false, "re-creating an existing topic should return false");
  },
);

await check("idempotent producer (acks=-1, idempotent, maxInFlightRequests=1) send", async () => {
  const p = producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const res = await p.send({
    topic: topics.single,
    acks: -1,
    messages: Array.from({ length: 5 }, (_, i) => ({ key: "vehicle-1", value: `m${i}` })),
  });
  assert(
    res[0]?.errorCode === 0 && res[0]?.baseOffset === "0",
    `send result ${JSON.stringify(res)}`,
  );
  await close(p);
});

await check("producer.sendBatch to several topics/partitions", async () => {
  const p = producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const res = await p.sendBatch({
    acks: -1,
    topicMessages: [
      {
        topic: topics.multi,
        messages: Array.from({ length: 40 }, (_, i) => ({ key: `vehicle-${i}`, value: `v${i}` })),
      },
      {
        topic: topics.compact,
        messages: [
          { key: "k", value: "1" },
          { key: "k", value: "2" },
        ],
      },
    ],
  });
  assert(
    res.every((r) => r.errorCode === 0),
    `sendBatch result ${JSON.stringify(res)}`,
  );
  await close(p);
});

await check("admin.fetchTopicOffsets", async () => {
  const single = await admin.fetchTopicOffsets(topics.single);
  assert(single[0]?.high === "5" && single[0]?.low === "0", `single ${JSON.stringify(single)}`);
  const multi = await admin.fetchTopicOffsets(topics.multi);
  const total = multi.reduce((n, p) => n + Number(p.high), 0);
  assert(multi.length === 4 && total === 40, `multi ${JSON.stringify(multi)}`);
  const byTs = await admin.fetchTopicOffsetsByTimestamp(topics.single, Date.now() - 60000);
  assert(byTs[0]?.offset === "0", `byTimestamp ${JSON.stringify(byTs)}`);
});

const groupA = `verify.${run}.group-a`;
await check("consumer group join + eachBatch + manual commitOffsets (autoCommit off)", async () => {
  const c = consumer(groupA);
  await c.connect();
  await c.subscribe({ topic: topics.single, fromBeginning: true });
  const seen = [];
  let joined = false;
  c.on(c.events.GROUP_JOIN, () => {
    joined = true;
  });
  await c.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const m of batch.messages) {
        seen.push({ offset: m.offset, value: m.value.toString() });
        resolveOffset(m.offset);
      }
      await heartbeat();
    },
  });
  await until("5 messages", () => seen.length >= 5);
  assert(joined, "GROUP_JOIN event not seen");
  assert(seen.map((m) => m.value).join(",") === "m0,m1,m2,m3,m4", `order ${JSON.stringify(seen)}`);
  // Commit only the first 3 messages: the next reader of the group must start at offset 3.
  await c.commitOffsets([{ topic: topics.single, partition: 0, offset: "3" }]);
  await close(c);
});

await check("admin.fetchOffsets (committed group offsets)", async () => {
  const res = await admin.fetchOffsets({ groupId: groupA, topics: [topics.single] });
  const offset = res[0]?.partitions[0]?.offset;
  assert(offset === "3", `committed offset ${JSON.stringify(res)}`);
});

await check("second consumer in the group resumes from the committed offset", async () => {
  const c = consumer(groupA);
  await c.connect();
  await c.subscribe({ topic: topics.single, fromBeginning: true });
  const seen = [];
  await c.run({
    eachMessage: async ({ message }) => {
      seen.push(message.offset);
    },
  });
  await until("2 messages", () => seen.length >= 2);
  await sleep(300);
  assert(seen.join(",") === "3,4", `resumed at offsets ${seen.join(",")} (expected 3,4)`);
  await close(c);
});

await check("two members in a group split the partitions (rebalance)", async () => {
  const groupId = `verify.${run}.group-split`;
  const assignments = new Map();
  const members = [consumer(groupId), consumer(groupId)];
  const counts = [0, 0];
  for (const [i, c] of members.entries()) {
    c.on(c.events.GROUP_JOIN, (e) => {
      assignments.set(i, e.payload.memberAssignment[topics.multi] ?? []);
    });
    await c.connect();
    await c.subscribe({ topic: topics.multi, fromBeginning: true });
    await c.run({
      eachMessage: async () => {
        counts[i] += 1;
      },
    });
  }
  await until(
    "both members assigned disjoint partitions covering all 4",
    () => {
      const a = assignments.get(0) ?? [];
      const b = assignments.get(1) ?? [];
      const all = [...a, ...b].sort();
      return a.length > 0 && b.length > 0 && all.join(",") === "0,1,2,3";
    },
    30000,
  );
  await until(
    "all 40 messages consumed across both members",
    () => counts[0] + counts[1] >= 40,
    30000,
  );
  for (const c of members) await close(c);
});

await check("transactions: producer.transaction() + send + sendOffsets + commit", async () => {
  const groupId = `verify.${run}.group-tx`;
  const seed = producer();
  await seed.connect();
  await seed.send({ topic: topics.txIn, messages: ["a", "b", "c"].map((value) => ({ value })) });
  await close(seed);

  const tp = producer({
    transactionalId: `verify-${run}-tx`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await tp.connect();
  const c = consumer(groupId);
  await c.connect();
  await c.subscribe({ topic: topics.txIn, fromBeginning: true });
  let processed = 0;
  await c.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      const txn = await tp.transaction();
      try {
        await txn.send({
          topic: topics.txOut,
          messages: batch.messages.map((m) => ({ value: m.value.toString().toUpperCase() })),
        });
        await txn.sendOffsets({
          consumerGroupId: groupId,
          topics: [
            {
              topic: batch.topic,
              partitions: [
                { partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
              ],
            },
          ],
        });
        await txn.commit();
        for (const m of batch.messages) resolveOffset(m.offset);
        processed += batch.messages.length;
      } catch (error) {
        await txn.abort();
        throw error;
      }
    },
  });
  await until("3 messages processed transactionally", () => processed >= 3);
  await close(c);
  await close(tp);
  // The transaction's offset commit becomes visible once the coordinator has written the commit
  // marker, a moment after commit() returns: wait for it (a fresh broker was seen answering -1).
  let committed;
  await until("the transaction's group offset", async () => {
    committed = await admin.fetchOffsets({ groupId, topics: [topics.txIn] });
    return committed[0]?.partitions[0]?.offset === "3";
  }).catch(() => {});
  assert(
    committed?.[0]?.partitions[0]?.offset === "3",
    `group offset ${JSON.stringify(committed)}`,
  );
  const out = await admin.fetchTopicOffsets(topics.txOut);
  // 3 records + 1 commit marker: the batch went out exactly once, in one transaction
  assert(out[0]?.high === "4", `output high watermark ${out[0]?.high} (expected 4)`);
});

await check("consumer with isolation level read_committed skips aborted records", async () => {
  const tp = producer({
    transactionalId: `verify-${run}-rc`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await tp.connect();
  const commit = async (values) => {
    const txn = await tp.transaction();
    await txn.send({ topic: topics.rc, messages: values.map((value) => ({ value })) });
    await txn.commit();
  };
  await commit(["c1", "c2"]);
  const aborted = await tp.transaction();
  await aborted.send({ topic: topics.rc, messages: [{ value: "aborted-1" }] });
  await aborted.abort();
  await commit(["c3"]);
  await close(tp);

  const read = async (readUncommitted, last) => {
    const c = consumer(`verify.${run}.rc-${readUncommitted}`, { readUncommitted });
    await c.connect();
    await c.subscribe({ topic: topics.rc, fromBeginning: true });
    const values = [];
    await c.run({
      eachMessage: async ({ message }) => {
        values.push(message.value.toString());
      },
    });
    await until(`"${last}"`, () => values.includes(last));
    await close(c);
    return values.join(",");
  };
  const committed = await read(false, "c3");
  assert(committed === "c1,c2,c3", `read_committed saw ${committed}`);
  const uncommitted = await read(true, "c3");
  assert(uncommitted === "c1,c2,aborted-1,c3", `read_uncommitted saw ${uncommitted}`);
});

await check("admin.deleteTopics (cleanup)", async () => {
  await admin.deleteTopics({ topics: Object.values(topics), timeout: 10000 });
  const left = (await admin.listTopics()).filter((x) => x.startsWith(`verify.${run}.`));
  assert(left.length === 0, `left over: ${left.join(",")}`);
});

for (const client of [...open]) await close(client);
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
