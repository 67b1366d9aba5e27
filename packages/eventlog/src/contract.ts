import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DLQ_HEADERS, type TopicSpec } from "@fleetstream/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_RECORD_BYTES, RecordTooLargeError } from "./chunks";
import { deadLetter, deadLetterAll } from "./dead-letter";
import { partitionForKey } from "./partitioner";
import type {
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  EventLog,
  OutgoingRecord,
  Reader,
  RecordBatch,
  SentRecord,
  TopicPartition,
} from "./types";

export interface ContractOptions {
  /** Longest wait for records to arrive before a test fails (default 30 s). */
  waitMs?: number;
}

/** Collects what a consumer receives and lets a test wait until a condition holds. */
class Inbox {
  readonly records: ConsumedRecord[] = [];
  readonly batches: RecordBatch[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly waitMs: number) {}

  add(batch: RecordBatch): void {
    this.batches.push(batch);
    this.records.push(...batch.records);
    for (const check of [...this.waiters]) check();
  }

  /** Resolves once `predicate` holds; fails after the deadline saying what was expected. */
  until(predicate: (records: ConsumedRecord[]) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.records)) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`Timed out waiting for ${what}; got ${this.records.length} records`));
      }, this.waitMs);
      this.waiters.add(check);
      check();
    });
  }

  count(n: number): Promise<void> {
    return this.until((records) => records.length >= n, `${n} records`);
  }
}

const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

const spec = (name: string, partitions: number): TopicSpec => ({
  name,
  partitions,
  owner: "processor",
});

const id = (record: { partition: number; offset: number }): string =>
  `${record.partition}:${record.offset}`;

const text = (record: ConsumedRecord): string => record.value?.toString("utf8") ?? "";

/**
 * The behaviour every EventLog implementation must show; run against InMemoryEventLog (unit) and
 * KafkaEventLog (integration, real broker). Topic and group names are fresh per test, so the suite
 * can run against a long-lived broker.
 */
export function describeEventLogContract(
  name: string,
  makeLog: () => Promise<EventLog>,
  options: ContractOptions = {},
): void {
  const waitMs = options.waitMs ?? 30_000;

  describe(`EventLog contract: ${name}`, () => {
    let log: EventLog;
    const running: (Consumer | Reader)[] = [];

    beforeAll(async () => {
      log = await makeLog();
    });

    afterEach(async () => {
      await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
    });

    afterAll(async () => {
      await log?.close();
    });

    async function topic(prefix: string, partitions: number): Promise<string> {
      const topicName = unique(prefix);
      await log.ensureTopics([spec(topicName, partitions)]);
      return topicName;
    }

    /**
     * Starts a consumer that records what it receives (after running `handle`, when given) in
     * `mine` and in `inbox`, which several members of a group may share.
     */
    async function consume(
      settings: Omit<ConsumerOptions, "eachBatch">,
      handle?: (batch: RecordBatch) => Promise<void>,
      inbox = new Inbox(waitMs),
    ): Promise<{ consumer: Consumer; inbox: Inbox; mine: ConsumedRecord[] }> {
      const mine: ConsumedRecord[] = [];
      const consumer = log.consumer({
        ...settings,
        eachBatch: async (batch) => {
          if (handle) await handle(batch);
          mine.push(...batch.records);
          inbox.add(batch);
        },
      });
      running.push(consumer);
      await consumer.start();
      return { consumer, inbox, mine };
    }

    async function sendAll(topicName: string, records: OutgoingRecord[]): Promise<SentRecord[]> {
      const producer = log.producer();
      try {
        return await producer.send(topicName, records);
      } finally {
        await producer.close();
      }
    }

    function keyed(count: number, prefix = "truck"): OutgoingRecord[] {
      return Array.from({ length: count }, (_, i) => ({
        key: `${prefix}-${i % 17}`,
        value: JSON.stringify({ i }),
      }));
    }

    it("ensureTopics creates the configured partitions and is idempotent", async () => {
      const first = unique("topics");
      const second = unique("topics");
      await log.ensureTopics([{ ...spec(first, 3), config: { "cleanup.policy": "compact" } }]);
      // Again, with a different count: an existing topic is left as it is.
      await log.ensureTopics([spec(first, 5), spec(second, 2)]);
      expect(await log.offsets(first)).toEqual([
        { partition: 0, low: 0, high: 0 },
        { partition: 1, low: 0, high: 0 },
        { partition: 2, low: 0, high: 0 },
      ]);
      expect(await log.offsets(second)).toHaveLength(2);
    });

    it("refuses to send to a topic that was never created, naming it", async () => {
      const missing = unique("missing");
      const producer = log.producer();
      try {
        await expect(producer.send(missing, [{ key: "k", value: "v" }])).rejects.toThrow(
          new RegExp(`Unknown topic "${missing}"`),
        );
      } finally {
        await producer.close();
      }
    });

    it("puts each key on the partition kafkajs's DefaultPartitioner picks", async () => {
      const topicName = await topic("partitioner", 5);
      const keys = Array.from({ length: 200 }, (_, i) => `T-${String(i).padStart(4, "0")}`);
      const sent = await sendAll(
        topicName,
        keys.map((key) => ({ key, value: key })),
      );
      expect(sent.map((record) => record.partition)).toEqual(
        keys.map((key) => partitionForKey(key, 5)),
      );
      // Every partition got some keys: the choice is a hash, not a constant.
      expect(new Set(sent.map((record) => record.partition)).size).toBe(5);
    });

    it("spreads records without a key round-robin over the partitions", async () => {
      const topicName = await topic("nokey", 3);
      const sent = await sendAll(
        topicName,
        Array.from({ length: 6 }, (_, i) => ({ key: null, value: `v${i}` })),
      );
      const perPartition = [0, 1, 2].map(
        (p) => sent.filter((record) => record.partition === p).length,
      );
      expect(perPartition).toEqual([2, 2, 2]);
    });

    it("keeps each key's order and numbers each partition's records from 0", async () => {
      const partitions = 4;
      const topicName = await topic("order", partitions);
      const keys = Array.from({ length: 40 }, (_, i) => `truck-${i}`);
      const producer = log.producer();
      const sent: SentRecord[] = [];
      // Ten sends, each carrying the next seq of every key, interleaving keys and partitions.
      for (let seq = 0; seq < 10; seq += 1) {
        sent.push(
          ...(await producer.send(
            topicName,
            keys.map((key) => ({ key, value: JSON.stringify({ key, seq }) })),
          )),
        );
      }
      await producer.close();

      const { inbox } = await consume({
        groupId: unique("order"),
        topics: [topicName],
        maxBatchSize: 7,
      });
      await inbox.count(400);

      for (const batch of inbox.batches) {
        expect(batch.records.length).toBeGreaterThan(0);
        expect(batch.records.length).toBeLessThanOrEqual(7);
        expect(batch.records.every((record) => record.partition === batch.partition)).toBe(true);
      }
      for (const key of keys) {
        const mine = inbox.records.filter((record) => record.key === key);
        expect(mine.map((record) => JSON.parse(text(record)).seq)).toEqual([
          0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        ]);
        expect(new Set(mine.map((record) => record.partition))).toEqual(
          new Set([partitionForKey(key, partitions)]),
        );
      }
      const offsets = await log.offsets(topicName);
      for (const { partition, low, high } of offsets) {
        const expected = Array.from({ length: high }, (_, i) => i);
        expect(low).toBe(0);
        expect(
          sent.filter((record) => record.partition === partition).map((record) => record.offset),
        ).toEqual(expected);
        expect(
          inbox.records
            .filter((record) => record.partition === partition)
            .map((record) => record.offset),
        ).toEqual(expected);
      }
      expect(offsets.reduce((sum, { high }) => sum + high, 0)).toBe(400);
    });

    it("delivers values as bytes, with headers, timestamps, null keys and null values", async () => {
      const topicName = await topic("roundtrip", 1);
      const before = Date.now();
      await sendAll(topicName, [
        {
          key: "bytes",
          value: Buffer.from([0x00, 0xff, 0x7b]),
          headers: { trace: "abc", "content-type": "application/octet-stream" },
          timestamp: 1_700_000_000_123,
        },
        { key: null, value: "no key" },
        { key: "tombstone", value: null },
      ]);
      const after = Date.now();
      const { inbox } = await consume({ groupId: unique("roundtrip"), topics: [topicName] });
      await inbox.count(3);
      const [bytes, noKey, tombstone] = inbox.records;
      expect(bytes).toMatchObject({
        topic: topicName,
        partition: 0,
        offset: 0,
        key: "bytes",
        headers: { trace: "abc", "content-type": "application/octet-stream" },
        timestamp: 1_700_000_000_123,
      });
      expect(bytes?.value).toEqual(Buffer.from([0x00, 0xff, 0x7b]));
      expect(noKey?.key).toBeNull();
      expect(noKey && text(noKey)).toBe("no key");
      expect(noKey?.headers).toEqual({});
      expect(noKey?.timestamp).toBeGreaterThanOrEqual(before);
      expect(noKey?.timestamp).toBeLessThanOrEqual(after);
      expect(tombstone).toMatchObject({ key: "tombstone", value: null });
    });

    it("sends from one producer that overlap all land, in call order", async () => {
      const topicName = await topic("concurrent", 1);
      const producer = log.producer();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          producer.send(topicName, [{ key: "k", value: `${i}` }]),
        ),
      );
      await producer.close();
      expect(results.map(([record]) => record?.offset)).toEqual(
        Array.from({ length: 50 }, (_, i) => i),
      );
      expect(await log.offsets(topicName)).toEqual([{ partition: 0, low: 0, high: 50 }]);
    });

    it("resumes a group after its last commit when a new consumer starts", async () => {
      const topicName = await topic("resume", 3);
      const groupId = unique("resume");
      const firstSent = await sendAll(topicName, keyed(30, "a"));
      const first = await consume({ groupId, topics: [topicName] });
      await first.inbox.count(30);
      await first.consumer.stop();

      const secondSent = await sendAll(topicName, keyed(15, "b"));
      const second = await consume({ groupId, topics: [topicName] });
      await second.inbox.count(15);
      expect(new Set(second.inbox.records.map(id))).toEqual(new Set(secondSent.map(id)));
      expect(second.inbox.records).toHaveLength(15);
      expect(new Set(first.inbox.records.map(id))).toEqual(new Set(firstSent.map(id)));
    });

    it("redelivers a batch whose handler threw to the group's next consumer", async () => {
      const topicName = await topic("redeliver", 1);
      const groupId = unique("redeliver");
      await sendAll(topicName, keyed(5));
      const seen: number[][] = [];
      const failing = log.consumer({
        groupId,
        topics: [topicName],
        eachBatch: async (batch) => {
          seen.push(batch.records.map((record) => record.offset));
          throw new Error("database is down");
        },
      });
      running.push(failing);
      await failing.start();
      await expect(failing.failed).rejects.toThrow("database is down");
      // It stopped at the first failure: one batch, beginning at the first record.
      expect(seen).toHaveLength(1);
      expect(seen[0]?.[0]).toBe(0);

      const next = await consume({ groupId, topics: [topicName] });
      await next.inbox.count(5);
      expect(next.inbox.records.map((record) => record.offset)).toEqual([0, 1, 2, 3, 4]);
    });

    it("gives every group every record", async () => {
      const topicName = await topic("groups", 3);
      const sent = await sendAll(topicName, keyed(30));
      const [one, two] = await Promise.all([
        consume({ groupId: unique("g1"), topics: [topicName] }),
        consume({ groupId: unique("g2"), topics: [topicName] }),
      ]);
      await Promise.all([one.inbox.count(30), two.inbox.count(30)]);
      expect(new Set(one.inbox.records.map(id))).toEqual(new Set(sent.map(id)));
      expect(new Set(two.inbox.records.map(id))).toEqual(new Set(sent.map(id)));
    });

    it("splits the partitions between a group's members, each record going to one", async () => {
      const topicName = await topic("split", 4);
      const groupId = unique("split");
      const shared = new Inbox(waitMs);
      const a = await consume({ groupId, topics: [topicName] }, undefined, shared);
      const b = await consume({ groupId, topics: [topicName] }, undefined, shared);
      const sent = await sendAll(topicName, keyed(80));
      await shared.count(80);
      expect(shared.records.map(id).sort()).toEqual(sent.map(id).sort());
      const aParts = new Set(a.mine.map((record) => record.partition));
      const bParts = new Set(b.mine.map((record) => record.partition));
      expect(aParts.size).toBeGreaterThan(0);
      expect(bParts.size).toBeGreaterThan(0);
      expect([...aParts].filter((partition) => bParts.has(partition))).toEqual([]);
    });

    it("commits a stopping member's batch in flight before its partitions move", async () => {
      const topicName = await topic("handover", 2);
      const groupId = unique("handover");
      // One key per partition, so both partitions have records.
      const keys = [0, 1].map((partition) => {
        for (let i = 0; ; i += 1) {
          if (partitionForKey(`k${i}`, 2) === partition) return `k${i}`;
        }
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding!: () => void;
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const shared = new Inbox(waitMs);
      const a = await consume({ groupId, topics: [topicName] }, undefined, shared);
      const b = await consume(
        { groupId, topics: [topicName] },
        async () => {
          holding();
          await gate;
        },
        shared,
      );
      const firstSent = await sendAll(
        topicName,
        Array.from({ length: 20 }, (_, i) => ({ key: keys[i % 2] ?? null, value: `first-${i}` })),
      );
      await held;
      const stopping = b.consumer.stop();
      release();
      await stopping;

      const secondSent = await sendAll(
        topicName,
        Array.from({ length: 20 }, (_, i) => ({ key: keys[i % 2] ?? null, value: `second-${i}` })),
      );
      await shared.count(40);
      // Exactly once: b's last batch was committed before a took its partition over.
      expect(shared.records.map(id).sort()).toEqual([...firstSent, ...secondSent].map(id).sort());
      expect(b.mine.length).toBeGreaterThan(0);
      expect(new Set(a.mine.map((record) => record.partition))).toEqual(new Set([0, 1]));
    });

    it("starts a new group at the end of the log with startFrom latest", async () => {
      const topicName = await topic("latest", 1);
      await sendAll(topicName, keyed(5, "old"));
      const { inbox } = await consume({
        groupId: unique("latest"),
        topics: [topicName],
        startFrom: "latest",
      });
      await sendAll(
        topicName,
        ["new-0", "new-1", "new-2"].map((value) => ({ key: "k", value })),
      );
      await inbox.count(3);
      // One partition: had the old records been delivered, they would have come first.
      expect(inbox.records.map(text)).toEqual(["new-0", "new-1", "new-2"]);
      expect(inbox.records.map((record) => record.offset)).toEqual([5, 6, 7]);
    });

    it("dead-letters a record with its original bytes, key and headers, and the reason", async () => {
      const source = await topic("source", 2);
      const dlq = await topic("dlq", 2);
      const original = Buffer.from([0x7b, 0x22, 0xff, 0x00]);
      const [sent] = await sendAll(source, [
        { key: "T-0042", value: original, headers: { trace: "t-1" } },
      ]);
      const out = log.producer();
      const before = Date.now();
      await consume({ groupId: unique("processor"), topics: [source] }, async (batch) => {
        for (const record of batch.records) await deadLetter(out, dlq, record, "not JSON");
      });
      const dead = await consume({ groupId: unique("dlq-reader"), topics: [dlq] });
      await dead.inbox.count(1);
      await out.close();
      const [record] = dead.inbox.records;
      expect(record?.value).toEqual(original);
      expect(record?.key).toBe("T-0042");
      expect(record?.partition).toBe(partitionForKey("T-0042", 2));
      expect(record?.headers).toMatchObject({
        trace: "t-1",
        [DLQ_HEADERS.reason]: "not JSON",
        [DLQ_HEADERS.sourceTopic]: source,
        [DLQ_HEADERS.sourcePartition]: String(sent?.partition),
        [DLQ_HEADERS.sourceOffset]: "0",
      });
      const failedAt = Date.parse(record?.headers[DLQ_HEADERS.failedAt] ?? "");
      expect(failedAt).toBeGreaterThanOrEqual(before - 1);
      expect(failedAt).toBeLessThanOrEqual(Date.now());
    });

    it("dead-letters a record whose key and headers are not UTF-8 with their bytes exactly", async () => {
      const source = await topic("source-bytes", 2);
      const dlq = await topic("dlq-bytes", 2);
      const key = Buffer.from([0xff, 0xfe, 0x42, 0x41, 0x44]);
      const trace = Buffer.from([0x00, 0xc3, 0x28]);
      await sendAll(source, [{ key, value: "{not json", headers: { trace } }]);
      const out = log.producer();
      const { inbox } = await consume({ groupId: unique("processor"), topics: [source] });
      await inbox.count(1);
      const [original] = inbox.records;
      // The text key reads the bytes as UTF-8 (U+FFFD for what is not); keyBytes keeps them.
      expect(original?.key).toBe("\ufffd\ufffdBAD");
      expect(original?.keyBytes).toEqual(key);
      expect(original?.headers.trace).toBe("\u0000\ufffd(");
      expect(original?.headerBytes.trace).toEqual(trace);
      if (original) await deadLetter(out, dlq, original, "not JSON");
      await out.close();
      const dead = await consume({ groupId: unique("dlq-reader"), topics: [dlq] });
      await dead.inbox.count(1);
      expect(dead.inbox.records[0]?.keyBytes).toEqual(key);
      expect(dead.inbox.records[0]?.headerBytes.trace).toEqual(trace);
      expect(dead.inbox.records[0]?.partition).toBe(partitionForKey(key, 2));
    });

    it("keeps every value of a repeated header name, in order, through a dead-letter copy", async () => {
      const source = await topic("source-repeated", 1);
      const dlq = await topic("dlq-repeated", 1);
      const hops = [Buffer.from("gateway-a"), Buffer.from([0xff, 0x00]), Buffer.from("gateway-c")];
      await sendAll(source, [{ key: "T-1", value: "{not json", headers: { hop: hops } }]);
      const out = log.producer();
      const { inbox } = await consume({ groupId: unique("processor"), topics: [source] });
      await inbox.count(1);
      const [original] = inbox.records;
      expect(original?.headerBytes.hop).toEqual(hops);
      expect(original?.headers.hop).toBe("gateway-c"); // the text view reads the last one
      if (original) await deadLetter(out, dlq, original, "not JSON");
      await out.close();
      const dead = await consume({ groupId: unique("dlq-reader"), topics: [dlq] });
      await dead.inbox.count(1);
      expect(dead.inbox.records[0]?.headerBytes.hop).toEqual(hops);
    });

    it("sends any number of records, cut into requests under the broker's limits", async () => {
      const topicName = await topic("bulk", 2);
      // ~3 MB to each partition in one send: one request would exceed the 1 MiB batch limit.
      const value = "x".repeat(1_000);
      const records = Array.from({ length: 6_000 }, (_, i) => ({
        key: `k${i % 2 === 0 ? "even" : "odd"}`,
        value: `${i}:${value}`,
      }));
      const sent = await sendAll(topicName, records);
      expect(sent).toHaveLength(6_000);
      const offsets = await log.offsets(topicName);
      expect(offsets.reduce((sum, { high }) => sum + high, 0)).toBe(6_000);
      // Each key's records keep their order: offsets count up in send order per partition.
      for (const partition of new Set(sent.map((s) => s.partition))) {
        const mine = sent.filter((s) => s.partition === partition).map((s) => s.offset);
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
    });

    it("refuses a record larger than a Kafka record may be, naming the topic", async () => {
      const topicName = await topic("huge", 1);
      const producer = log.producer();
      try {
        const huge = Buffer.alloc(MAX_RECORD_BYTES + 1, 1);
        await expect(producer.send(topicName, [{ key: "k", value: huge }])).rejects.toThrow(
          RecordTooLargeError,
        );
        // The producer is still usable.
        await expect(producer.send(topicName, [{ key: "k", value: "ok" }])).resolves.toHaveLength(
          1,
        );
      } finally {
        await producer.close();
      }
    });

    it("with manual commits, commits only what the handler commits", async () => {
      const topicName = await topic("manual", 1);
      const groupId = unique("manual");
      await sendAll(topicName, keyed(10));
      let consumer!: Consumer;
      const first = new Inbox(waitMs);
      consumer = log.consumer({
        groupId,
        topics: [topicName],
        commits: "manual",
        maxBatchSize: 4,
        eachBatch: async (batch) => {
          first.add(batch);
          // Commit up to offset 6 only, whatever was delivered.
          if (batch.records.some((r) => r.offset >= 6)) await consumer.commit(topicName, 0, 6);
        },
      });
      running.push(consumer);
      await consumer.start();
      await first.count(10);
      await consumer.stop();
      expect(await log.committed(groupId, topicName)).toEqual(new Map([[0, 6]]));

      const again = await consume({ groupId, topics: [topicName] });
      await again.inbox.count(4);
      expect(again.inbox.records.map((r) => r.offset)).toEqual([6, 7, 8, 9]);
    });

    it("delivers a partition again from where the handler seeks", async () => {
      const topicName = await topic("seek", 1);
      await sendAll(topicName, keyed(6));
      let consumer!: Consumer;
      const inbox = new Inbox(waitMs);
      let sought = false;
      consumer = log.consumer({
        groupId: unique("seek"),
        topics: [topicName],
        maxBatchSize: 3,
        eachBatch: async (batch) => {
          inbox.add(batch);
          if (!sought && batch.records.some((r) => r.offset === 5)) {
            sought = true;
            consumer.seek(topicName, 0, 2);
          }
        },
      });
      running.push(consumer);
      await consumer.start();
      await inbox.count(10);
      expect(inbox.records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 2, 3, 4, 5]);
    });

    it("tells a member which partitions it gains and loses, revoking before it leaves", async () => {
      const topicName = await topic("assign", 4);
      const groupId = unique("assign");
      const events: string[] = [];
      const recorder = (member: string) => ({
        onAssigned: (tps: TopicPartition[]) => {
          events.push(
            `${member}+${tps
              .map((tp) => tp.partition)
              .sort()
              .join(",")}`,
          );
        },
        onRevoked: (tps: TopicPartition[]) => {
          events.push(
            `${member}-${tps
              .map((tp) => tp.partition)
              .sort()
              .join(",")}`,
          );
        },
      });
      const shared = new Inbox(waitMs);
      const a = await consume(
        { groupId, topics: [topicName], ...recorder("a") },
        undefined,
        shared,
      );
      const until = (check: () => void) => vi.waitFor(check, { timeout: waitMs, interval: 20 });
      await until(() => expect(events).toContain("a+0,1,2,3"));
      const b = await consume(
        { groupId, topics: [topicName], ...recorder("b") },
        undefined,
        shared,
      );
      // The partitions split between a and b.
      await until(() => {
        expect(events.some((e) => e.startsWith("b+"))).toBe(true);
        expect(events.some((e) => e.startsWith("a-"))).toBe(true);
      });
      const sent = await sendAll(topicName, keyed(40));
      await shared.count(40);
      expect(shared.records.map(id).sort()).toEqual(sent.map(id).sort());
      await b.consumer.stop();
      // b revoked what it held when it stopped; a got it back.
      const bGot = events.filter((e) => e.startsWith("b+")).map((e) => e.slice(2));
      expect(events).toContain(`b-${bGot.at(-1)}`);
      // a is assigned b's partitions again.
      await until(() => expect(events.filter((e) => e.startsWith("a+")).length).toBe(2));
      expect(a.mine.length + b.mine.length).toBe(40);
    });

    it("lets a stopping member commit in its revoke callback", async () => {
      const topicName = await topic("final-commit", 1);
      const groupId = unique("final-commit");
      await sendAll(topicName, keyed(5));
      let consumer!: Consumer;
      const inbox = new Inbox(waitMs);
      consumer = log.consumer({
        groupId,
        topics: [topicName],
        commits: "manual",
        eachBatch: async (batch) => inbox.add(batch),
        onRevoked: async (tps) => {
          for (const tp of tps) await consumer.commit(tp.topic, tp.partition, 5);
        },
      });
      running.push(consumer);
      await consumer.start();
      await inbox.count(5);
      await consumer.stop();
      expect(await log.committed(groupId, topicName)).toEqual(new Map([[0, 5]]));
    });

    it("reads whole topics without a group: every reader gets every record", async () => {
      const topicName = await topic("reader", 3);
      const sent = await sendAll(topicName, keyed(30));
      const readers = [new Inbox(waitMs), new Inbox(waitMs)];
      for (const inbox of readers) {
        const reader = log.reader({ topics: [topicName], eachBatch: async (b) => inbox.add(b) });
        running.push(reader);
        await reader.start();
      }
      const latest = new Inbox(waitMs);
      const tail = log.reader({
        topics: [topicName],
        startFrom: "latest",
        eachBatch: async (b) => latest.add(b),
      });
      running.push(tail);
      await tail.start();
      const more = await sendAll(topicName, keyed(6, "later"));
      for (const inbox of readers) {
        await inbox.count(36);
        expect(inbox.records.map(id).sort()).toEqual([...sent, ...more].map(id).sort());
      }
      await latest.count(6);
      expect(latest.records.map(id).sort()).toEqual(more.map(id).sort());
    });

    it("reads only the partitions it is given", async () => {
      const topicName = await topic("reader-partitions", 3);
      const sent = await sendAll(topicName, keyed(30));
      const inbox = new Inbox(waitMs);
      const reader = log.reader({
        topics: [topicName],
        partitions: [0, 2],
        eachBatch: async (b) => inbox.add(b),
      });
      running.push(reader);
      await reader.start();
      const wanted = sent.filter((r) => r.partition !== 1);
      await inbox.count(wanted.length);
      await sleep(500); // a record of partition 1 would have come with the others
      expect(inbox.records.map(id).sort()).toEqual(wanted.map(id).sort());
      expect(wanted.length).toBeLessThan(sent.length); // the keys reach partition 1 too
    });

    it("dead-letters a batch's failures in one send, each with its reason", async () => {
      const source = await topic("source-many", 1);
      const dlq = await topic("dlq-many", 1);
      await sendAll(source, keyed(3));
      const out = log.producer();
      await consume({ groupId: unique("processor"), topics: [source] }, async (batch) => {
        await deadLetterAll(
          out,
          dlq,
          batch.records.map((record) => ({ record, reason: `bad ${record.offset}` })),
        );
      });
      const dead = await consume({ groupId: unique("dlq-reader"), topics: [dlq] });
      await dead.inbox.count(3);
      await out.close();
      expect(dead.inbox.records.map((r) => r.headers[DLQ_HEADERS.reason])).toEqual([
        "bad 0",
        "bad 1",
        "bad 2",
      ]);
    });
  });
}
