/**
 * fleet-sim against a real Kafka broker (KAFKA_BROKERS, default 127.0.0.1:9092; started by
 * infra/kafka.sh). Runs the real CLI as a child process and reads the topic back with a consumer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeGpsFix } from "@fleetstream/contracts";
import { type ConsumedRecord, createEventLog, type EventLog } from "@fleetstream/eventlog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulator, type RunSummary } from "../src/index";

const BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const BIN = fileURLToPath(new URL("../bin/fleet-sim.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

let eventLog: EventLog;
let topicCounter = 0;
const freshTopic = () => `sim_it_${process.pid}_${Date.now()}_${++topicCounter}`;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], options: { cwd?: string; command?: string[] } = {}) {
  const [command, ...prefix] = options.command ?? [process.execPath, BIN];
  const child = spawn(command as string, [...prefix, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, KAFKA_BROKERS: BROKERS },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Result>((resolve) => {
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

const fleetSim = (args: string[]) => start(args).done;

const summaryOf = (stderr: string): RunSummary => {
  const lines = stderr.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as RunSummary;
};

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function recordsIn(topic: string): Promise<number> {
  const offsets = await eventLog.offsets(topic);
  return offsets.reduce((sum, p) => sum + p.high - p.low, 0);
}

/** Reads `count` records of a topic with a consumer group. */
async function consume(topic: string, count: number): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = eventLog.consumer({
    groupId: `${topic}-reader`,
    topics: [topic],
    eachBatch: async (batch) => {
      records.push(...batch.records);
    },
  });
  await consumer.start();
  try {
    await waitFor(`${count} records on ${topic}`, () =>
      records.length >= count ? true : undefined,
    );
  } finally {
    await consumer.stop();
  }
  return records;
}

beforeAll(() => {
  eventLog = createEventLog({ clientId: "simulator-it", brokers: BROKERS.split(",") });
});

afterAll(async () => {
  await eventLog.close();
});

describe("fleet-sim run against Kafka", () => {
  it("produces what --to stdout prints for the same seed, faults included, and the summary counts them", async () => {
    const topic = freshTopic();
    const common = [
      "run",
      "--seed",
      "5",
      "--start-time",
      "2026-01-01T08:00:00Z",
      "--count",
      "3000",
      "--rate",
      "max",
      "--trucks",
      "30",
      "--duplicate-rate",
      "0.02",
      "--reorder-rate",
      "0.02",
      "--malformed-rate",
      "0.02",
      "--drop-rate",
      "0.01",
      "--json",
    ];
    const [kafka, stdout] = await Promise.all([
      fleetSim([...common, "--topic", topic, "--producers", "2"]),
      fleetSim([...common, "--to", "stdout"]),
    ]);
    expect(kafka.code, kafka.stderr).toBe(0);
    expect(stdout.code, stdout.stderr).toBe(0);
    const summary = summaryOf(kafka.stderr);
    expect(summaryOf(stdout.stderr).injected).toEqual(summary.injected);
    expect(summary.generated).toBe(3000);
    const injected = summary.injected;
    if (!injected) throw new Error("summary without injected counts");
    expect(summary.sent).toBe(3000 - injected.dropped - injected.silenced + injected.duplicates);

    const records = await consume(topic, summary.sent);
    expect(records).toHaveLength(summary.sent);
    expect(await recordsIn(topic)).toBe(summary.sent);

    // Same records as the stdout run, and each truck's records in the same order.
    const lines = stdout.stdout.trimEnd().split("\n");
    const textOf = (r: ConsumedRecord) => (r.value === null ? "null" : r.value.toString("utf8"));
    expect(records.map(textOf).sort()).toEqual([...lines].sort());
    const byTruck = (values: string[]) => {
      const map = new Map<string, string[]>();
      for (const value of values) {
        const d = decodeGpsFix(value);
        if (d.ok) map.set(d.value.truckId, [...(map.get(d.value.truckId) ?? []), value]);
      }
      return map;
    };
    // One truck's records share a key, hence a partition: offset order is send order.
    const inOffsetOrder = [...records].sort(
      (a, b) => a.partition - b.partition || a.offset - b.offset,
    );
    expect(byTruck(inOffsetOrder.map(textOf))).toEqual(byTruck(lines));

    // What a consumer sees matches the injected counts.
    const rejected = records.filter((r) => !decodeGpsFix(r.value).ok);
    expect(rejected).toHaveLength(injected.malformed);
    const seen = new Set<string>();
    let duplicates = 0;
    for (const r of records) {
      const d = decodeGpsFix(r.value);
      if (!d.ok) continue;
      expect(r.key).toBe(d.value.truckId);
      const id = `${d.value.truckId}/${d.value.seq}`;
      if (seen.has(id)) duplicates++;
      seen.add(id);
    }
    expect(duplicates).toBe(injected.duplicates);
  });

  it("a fault-free load run (--rate max, 2 producer threads) keeps each partition in event-time order, the same on every run", async () => {
    const args = (topic: string) => [
      "run",
      "--seed",
      "9",
      "--start-time",
      "2026-01-01T08:00:00Z",
      "--count",
      "20000",
      "--rate",
      "max",
      "--trucks",
      "400",
      "--producers",
      "2",
      "--topic",
      topic,
      "--json",
    ];
    const topics = [freshTopic(), freshTopic()];
    const partitionsOf = async (topic: string) => {
      const result = await fleetSim(args(topic));
      expect(result.code, result.stderr).toBe(0);
      const records = await consume(topic, 20_000);
      const byPartition = new Map<number, ConsumedRecord[]>();
      for (const r of records)
        byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
      return new Map(
        [...byPartition]
          .sort(([a], [b]) => a - b)
          .map(([partition, rs]) => [
            partition,
            rs.sort((a, b) => a.offset - b.offset).map((r) => String(r.value)),
          ]),
      );
    };
    const first = await partitionsOf(topics[0] as string);
    const second = await partitionsOf(topics[1] as string);
    expect(second).toEqual(first);
    // No fix lands behind its partition's newest event time: the processor's watermark bound
    // (10 s) is never needed, so none is late.
    let behindMs = 0;
    for (const values of first.values()) {
      let newest = 0;
      for (const value of values) {
        const fix = decodeGpsFix(value);
        if (!fix.ok) throw new Error(fix.reason);
        behindMs = Math.max(behindMs, newest - fix.value.eventTime);
        newest = Math.max(newest, fix.value.eventTime);
      }
    }
    expect(behindMs).toBe(0);
  });

  it("stops cleanly on SIGINT: everything sent is acknowledged and in the topic", async () => {
    const topic = freshTopic();
    const { child, done } = start([
      "run",
      "--topic",
      topic,
      "--speedup",
      "200",
      "--json",
      "--late-rate",
      "0.05",
    ]);
    await waitFor("first records", async () =>
      (await recordsIn(topic).catch(() => 0)) > 50 ? true : undefined,
    );
    (child as ChildProcess).kill("SIGINT");
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result.stderr);
    expect(summary.stoppedBy).toBe("stopped");
    expect(summary.failed).toBe(0);
    expect(summary.sent).toBeGreaterThan(50);
    expect(await recordsIn(topic)).toBe(summary.sent);
    // Late fixes held back at the signal were sent too: nothing generated is missing.
    expect(summary.sent).toBe(summary.generated);
  });

  it("fails in seconds with one clear line when the broker is unreachable", async () => {
    const started = Date.now();
    const result = await fleetSim(["run", "--brokers", "127.0.0.1:1", "--count", "10"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^fleet-sim: Cannot reach Kafka at 127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("rejects a bad option with one line and exit code 2", async () => {
    const result = await fleetSim(["run", "--trucks", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('fleet-sim: --trucks must be a positive integer (got "0")\n');
  });

  it("replays a captured NDJSON stream into Kafka", async () => {
    const capture = await fleetSim([
      "run",
      "--to",
      "stdout",
      "--rate",
      "max",
      "--count",
      "200",
      "--seed",
      "9",
      "--start-time",
      "2026-01-01T00:00:00Z",
    ]);
    const file = join(tmpdir(), `${freshTopic()}.ndjson`);
    writeFileSync(file, capture.stdout);
    try {
      const topic = freshTopic();
      const result = await fleetSim(["replay", file, "--fast", "--topic", topic, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      expect(summaryOf(result.stderr)).toMatchObject({
        command: "replay",
        sent: 200,
        generated: 200,
      });
      const records = await consume(topic, 200);
      expect(records.map((r) => r.value?.toString()).sort()).toEqual(
        capture.stdout.trimEnd().split("\n").sort(),
      );
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("is on the PATH of the repository as `npx fleet-sim`", async () => {
    const result = await start(["--help"], { command: ["npx", "--no-install", "fleet-sim"] }).done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Usage: fleet-sim");
    expect(result.stdout).toContain("fleet-sim run --rate 50000");
  });
});

describe("createSimulator (embedded launcher)", () => {
  it("runs the realtime fleet through a producer until stopped", async () => {
    const topic = freshTopic();
    await eventLog.ensureTopics([{ name: topic, partitions: 3, owner: "simulator" }]);
    const producer = eventLog.producer();
    const simulator = createSimulator({
      producer,
      topic,
      options: { trucks: 10, speedup: 100, seed: 3 },
    });
    await simulator.start();
    await waitFor("the fleet's first fixes", async () =>
      (await recordsIn(topic)) >= 20 ? true : undefined,
    );
    await simulator.stop();
    const summary = simulator.summary();
    expect(summary.stoppedBy).toBe("stopped");
    expect(summary.trucks).toBe(10);
    expect(await recordsIn(topic)).toBe(summary.sent);
    const records = await consume(topic, summary.sent);
    for (const r of records) expect(decodeGpsFix(r.value).ok).toBe(true);
    await producer.close();
  });
});
