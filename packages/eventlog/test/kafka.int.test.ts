import { freePort } from "@fleetstream/service/testing";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { describeEventLogContract } from "../src/contract";
import { KafkaEventLog } from "../src/kafka/log";

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

// Short group timings so joins and rebalances take well under a second (6 s is the broker's
// minimum session timeout).
describeEventLogContract(
  `KafkaEventLog (${brokers.join(",")})`,
  async () =>
    new KafkaEventLog({
      brokers,
      clientId: "eventlog-contract",
      consumer: {
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 100,
        rebalanceTimeoutMs: 6_000,
        maxWaitTimeMs: 100,
      },
    }),
);

describe("KafkaEventLog without a broker", () => {
  it("fails within seconds with one line naming the address", async () => {
    const broker = `127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const log = new KafkaEventLog({
      brokers: [broker],
      clientId: "eventlog-unreachable",
      log: (line) => lines.push(line.message),
    });
    const started = Date.now();
    await expect(
      log.ensureTopics([{ name: "anything", partitions: 1, owner: "web" }]),
    ).rejects.toThrow(new RegExp(`^Cannot reach Kafka at ${broker}: .*ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(10_000);
    // The retries are not logged as errors on top of the thrown one.
    expect(lines).toEqual([]);
    await log.close();
  });
});

describe("KafkaEventLog reader", () => {
  it("leaves no consumer group behind on the broker once stopped", async () => {
    const clientId = `reader-cleanup-${Date.now()}`;
    const log = new KafkaEventLog({ brokers, clientId });
    const topic = `${clientId}-topic`;
    await log.ensureTopics([{ name: topic, partitions: 2, owner: "web" }]);
    const producer = log.producer();
    await producer.send(topic, [{ key: "a", value: "1" }]);
    await producer.close();
    const seen: string[] = [];
    const reader = log.reader({
      topics: [topic],
      eachBatch: async (batch) => {
        for (const r of batch.records) seen.push(String(r.value));
      },
    });
    await reader.start();
    await expect.poll(() => seen).toEqual(["1"]);
    const admin = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const ours = async () =>
        (await admin.listGroups()).groups.filter((g) =>
          g.groupId.startsWith(`${clientId}-reader-`),
        );
      expect(await ours()).toHaveLength(1);
      await reader.stop();
      expect(await ours()).toEqual([]);
    } finally {
      await admin.disconnect();
      await log.close();
    }
  });
});

describe("KafkaEventLog producer with a linger", () => {
  it("writes the sends that linger when it closes, in order, and loses none", async () => {
    const clientId = `producer-linger-${Date.now()}`;
    const log = new KafkaEventLog({ brokers, clientId });
    const topic = `${clientId}-topic`;
    await log.ensureTopics([{ name: topic, partitions: 1, owner: "simulator" }]);
    // A linger far longer than the test: only close() can write these sends.
    const producer = log.producer({ lingerMs: 600_000 });
    const sends = [1, 2, 3].map((n) => producer.send(topic, [{ key: "truck", value: String(n) }]));
    await producer.close();
    const sent = (await Promise.all(sends)).flat();
    expect(sent.map((r) => r.offset)).toEqual([0, 1, 2]);
    const seen: string[] = [];
    const reader = log.reader({
      topics: [topic],
      eachBatch: async (batch) => {
        for (const r of batch.records) seen.push(String(r.value));
      },
    });
    try {
      await reader.start();
      await expect.poll(() => seen).toEqual(["1", "2", "3"]);
    } finally {
      await reader.stop();
      await log.close();
    }
  });
  it("does not hold a request's worth of records for the linger", async () => {
    const clientId = `producer-full-${Date.now()}`;
    const log = new KafkaEventLog({ brokers, clientId });
    const topic = `${clientId}-topic`;
    await log.ensureTopics([{ name: topic, partitions: 1, owner: "simulator" }]);
    const producer = log.producer({ lingerMs: 600_000 });
    try {
      const records = Array.from({ length: 1_000 }, (_, i) => ({ key: "truck", value: String(i) }));
      // Acknowledged while the producer is open: the linger (10 min) did not hold it.
      const sent = await producer.send(topic, records);
      expect(sent.at(-1)?.offset).toBe(999);
    } finally {
      await producer.close();
      await log.close();
    }
  });
});
