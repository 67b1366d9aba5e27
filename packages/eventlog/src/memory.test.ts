import { Partitioners } from "kafkajs";
import { describe, expect, it } from "vitest";
import { describeEventLogContract } from "./contract";
import { createEventLog, KafkaEventLog } from "./index";
import { InMemoryEventLog, rangeAssign } from "./memory";
import type { ConsumedRecord } from "./types";

describeEventLogContract("InMemoryEventLog", async () => new InMemoryEventLog(), { waitMs: 5_000 });

describe("rangeAssign", () => {
  it("gives each member a contiguous range, the first members one extra", () => {
    const members = [
      { id: "a", topics: ["gps"] },
      { id: "b", topics: ["gps"] },
    ];
    const assignment = rangeAssign(members, new Map([["gps", 5]]));
    expect(assignment.get("a")?.get("gps")).toEqual([0, 1, 2]);
    expect(assignment.get("b")?.get("gps")).toEqual([3, 4]);
  });

  it("splits each topic only over the members that subscribe to it", () => {
    const members = [
      { id: "a", topics: ["gps", "dlq"] },
      { id: "b", topics: ["gps"] },
    ];
    const assignment = rangeAssign(
      members,
      new Map([
        ["gps", 2],
        ["dlq", 2],
      ]),
    );
    expect(assignment.get("a")).toEqual(
      new Map([
        ["gps", [0]],
        ["dlq", [0, 1]],
      ]),
    );
    expect(assignment.get("b")).toEqual(new Map([["gps", [1]]]));
  });

  it("leaves members with nothing when there are more members than partitions", () => {
    const members = ["a", "b", "c"].map((id) => ({ id, topics: ["gps"] }));
    const assignment = rangeAssign(members, new Map([["gps", 2]]));
    expect([...assignment.values()].map((topics) => topics.get("gps"))).toEqual([[0], [1], []]);
  });
});

describe("InMemoryEventLog rebalancing", () => {
  it("keeps a partition from a joining member until the old owner's batch is committed", async () => {
    const log = new InMemoryEventLog();
    await log.ensureTopics([{ name: "gps", partitions: 2, owner: "simulator" }]);
    // All on partition 1: the member that joins second is assigned it while it is in flight.
    const choose = Partitioners.DefaultPartitioner();
    const meta = [0, 1].map((partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    const keys = Array.from({ length: 100 }, (_, i) => `truck-${i}`).filter(
      (key) =>
        choose({ topic: "gps", partitionMetadata: meta, message: { key, value: null } }) === 1,
    );
    const sent = await log.producer().send(
      "gps",
      Array.from({ length: 20 }, (_, i) => ({ key: keys[i % 3] ?? null, value: `${i}` })),
    );
    expect(new Set(sent.map((record) => record.partition))).toEqual(new Set([1]));

    const seen: ConsumedRecord[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    let done!: () => void;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    const first = log.consumer({
      groupId: "g",
      topics: ["gps"],
      maxBatchSize: 5,
      eachBatch: async (batch) => {
        holding();
        await gate;
        seen.push(...batch.records);
        if (seen.length >= 20) done();
      },
    });
    await first.start();
    await held;

    // Range assignment gives the newcomer partition 1, whose batch the first member still holds.
    const second = log.consumer({
      groupId: "g",
      topics: ["gps"],
      eachBatch: async (batch) => {
        seen.push(...batch.records);
        if (seen.length >= 20) done();
      },
    });
    await second.start();
    release();
    await all;
    await Promise.all([first.stop(), second.stop()]);

    // The held batch (offsets 0-4) was committed before the newcomer read from offset 5 on.
    expect(seen.map((record) => record.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await log.close();
  });
});

describe("createEventLog", () => {
  it("is the embedded log without brokers and Kafka with them", async () => {
    expect(createEventLog({ clientId: "t" })).toBeInstanceOf(InMemoryEventLog);
    expect(createEventLog({ clientId: "t", brokers: [" "] })).toBeInstanceOf(InMemoryEventLog);
    const kafka = createEventLog({ clientId: "t", brokers: ["127.0.0.1:9092"] });
    expect(kafka).toBeInstanceOf(KafkaEventLog);
    await kafka.close();
  });
});
