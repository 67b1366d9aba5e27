import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DLQ_HEADERS, type GpsFix, TOPICS, TruckPosition } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import {
  type ConsumedRecord,
  type Consumer,
  createEventLog,
  type EventLog,
} from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createProcessor } from "../src/processor";
import { brokers, seekGroupToEnd } from "./support";

// The walking skeleton on real parts: Kafka (infra/kafka.sh) and PostgreSQL (infra/postgres.sh).
const run = randomBytes(4).toString("hex");
const truck = (name: string) => `it-${run}-${name}`;

const fix = (truckId: string, seq: number): GpsFix => ({
  truckId,
  seq,
  lat: 52.0907 + seq / 1000,
  lon: 5.1214,
  speedKmh: 64.5,
  headingDeg: 12,
  eventTime: Date.now() - 60_000 + seq * 20_000,
});

/** Produces `key|value` lines with kcat, a non-JavaScript Kafka client. */
function kcatProduce(key: string, value: string): void {
  execFileSync("kcat", ["-P", "-b", brokers.join(","), "-t", TOPICS.gpsFixes.name, "-K", "|"], {
    input: `${key}|${value}\n`,
  });
}

describe("processor on real Kafka and PostgreSQL", () => {
  const scratch = scratchDatabases();
  const seen: ConsumedRecord[] = [];
  let db: Database;
  let eventLog: EventLog;
  let watcher: Consumer;
  let stopProcessor: () => Promise<void>;

  beforeAll(async () => {
    db = await openDatabase({ url: await scratch.create() });
    await db.migrate();
    eventLog = createEventLog({ clientId: `it-${run}`, brokers });
    // Start at the topic's end: earlier runs' records on the shared topic are not this test's.
    await eventLog.ensureTopics([TOPICS.gpsFixes]);
    await seekGroupToEnd(eventLog, `it-processor-${run}`, TOPICS.gpsFixes.name);
    const processor = createProcessor({
      eventLog,
      db,
      logger: createLogger("processor-it", "warn"),
      config: { groupId: `it-processor-${run}`, partitions: 5 },
      onFatal: (error) => {
        throw error;
      },
    });
    await processor.start();
    stopProcessor = () => processor.stop();
    // Watch the processor's outputs from now on.
    watcher = eventLog.consumer({
      groupId: `it-watch-${run}`,
      topics: [TOPICS.truckPositions.name, TOPICS.gpsDeadLetter.name],
      startFrom: "latest",
      eachBatch: async (batch) => {
        seen.push(...batch.records);
      },
    });
    await watcher.start();
  });

  afterAll(async () => {
    await watcher?.stop();
    await stopProcessor?.();
    await eventLog?.close();
    await db?.close();
    await scratch.dropAll();
  });

  it("stores a produced fix in PostgreSQL and publishes the truck's position", async () => {
    const producer = eventLog.producer();
    const sent = [fix(truck("js"), 1), fix(truck("js"), 2)];
    await producer.send(
      TOPICS.gpsFixes.name,
      sent.map((f) => ({ key: f.truckId, value: JSON.stringify(f) })),
    );
    await producer.close();

    await vi.waitFor(
      async () =>
        expect(await db.prisma.positionFix.count({ where: { truckId: truck("js") } })).toBe(2),
      { timeout: 30_000, interval: 200 },
    );
    const stored = await db.prisma.truck.findUniqueOrThrow({ where: { id: truck("js") } });
    expect(stored).toMatchObject({ seq: 2n, lat: sent[1]?.lat, speedKmh: 64.5 });

    await vi.waitFor(
      () => {
        const positions = seen
          .filter((r) => r.topic === TOPICS.truckPositions.name && r.key === truck("js"))
          .map((r) => TruckPosition.parse(JSON.parse(String(r.value))));
        expect(positions.at(-1)).toMatchObject({ truckId: truck("js"), seq: 2 });
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it("accepts a fix produced by kcat in the documented format", async () => {
    const documented = fix(truck("kcat"), 7);
    kcatProduce(documented.truckId, JSON.stringify(documented));
    await vi.waitFor(
      async () => {
        const row = await db.prisma.positionFix.findFirst({ where: { truckId: truck("kcat") } });
        expect(row).toMatchObject({ seq: 7n, headingDeg: 12 });
        expect(row?.eventTime.getTime()).toBe(documented.eventTime);
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it("dead-letters an invalid record with the reason and the original bytes", async () => {
    const bad = JSON.stringify({ ...fix(truck("bad"), 1), lat: 123.4 });
    kcatProduce(truck("bad"), bad);
    await vi.waitFor(
      () => {
        const dead = seen.find(
          (r) => r.topic === TOPICS.gpsDeadLetter.name && r.key === truck("bad"),
        );
        expect(dead?.value?.toString()).toBe(bad);
        expect(dead?.headers[DLQ_HEADERS.reason]).toMatch(/^lat: /);
        expect(dead?.headers[DLQ_HEADERS.sourceTopic]).toBe(TOPICS.gpsFixes.name);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await db.prisma.positionFix.count({ where: { truckId: truck("bad") } })).toBe(0);
  });
});
