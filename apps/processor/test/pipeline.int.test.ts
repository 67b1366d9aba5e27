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

  it("refuses poison records with a reason and goes on: the truck's next fix is applied", async () => {
    const id = truck("poison");
    const normal = fix(id, 1);
    const json = (overrides: Record<string, unknown>) =>
      JSON.stringify({ ...normal, ...overrides });
    const unknownKeys: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) unknownKeys[`k${i}`] = i;
    const huge = Buffer.alloc(990_000, 0x7b); // "{{{…": not JSON, and no room left for headers
    const poison: { value: string | Buffer | null; reason: RegExp }[] = [
      {
        value: json({ eventTime: 8_700_000_000_000_000 }),
        reason: /^eventTime: 2100-01-01 or later/,
      },
      {
        value: json({ eventTime: Date.UTC(3000, 0, 1) }),
        reason: /^eventTime: 2100-01-01 or later/,
      },
      {
        value: json({ eventTime: Date.now() + 2 * 3_600_000 }),
        reason: /^eventTime: .* beyond the latest accepted/,
      },
      { value: json({ eventTime: 0 }), reason: /^eventTime: before 2000-01-01/ },
      { value: randomBytes(64), reason: /^not JSON/ },
      { value: null, reason: /null value/ },
      { value: json(unknownKeys), reason: /more characters\)$/ },
      { value: huge, reason: /^not JSON/ },
    ];
    const producer = eventLog.producer();
    await producer.send(
      TOPICS.gpsFixes.name,
      poison.map(({ value }) => ({ key: id, value })),
    );
    await producer.send(TOPICS.gpsFixes.name, [{ key: id, value: JSON.stringify(normal) }]);
    await producer.close();

    await vi.waitFor(
      async () => {
        const stored = await db.prisma.truck.findUnique({ where: { id } });
        expect(stored).toMatchObject({ seq: 1n, lat: normal.lat });
      },
      { timeout: 30_000, interval: 200 },
    );
    await vi.waitFor(
      () => {
        const dead = seen.filter((r) => r.topic === TOPICS.gpsDeadLetter.name && r.key === id);
        expect(dead).toHaveLength(poison.length);
        dead.forEach((record, i) => {
          expect(record.headers[DLQ_HEADERS.reason]).toMatch(poison[i]?.reason as RegExp);
          expect(record.headers[DLQ_HEADERS.reason]?.length).toBeLessThan(1_100);
        });
      },
      { timeout: 30_000, interval: 200 },
    );
    const dead = seen.filter((r) => r.topic === TOPICS.gpsDeadLetter.name && r.key === id);
    expect(dead[4]?.value).toEqual(poison[4]?.value); // binary bytes kept exactly
    // The 990 kB record did not fit with its dead-letter headers: a reference on the topic, the
    // original kept whole in PostgreSQL.
    const reference = dead.at(-1) as ConsumedRecord;
    expect(reference.value).toBeNull();
    expect(reference.headers[DLQ_HEADERS.storedIn]).toBe("dead_letters");
    const kept = await db.prisma.deadLetter.findUniqueOrThrow({
      where: {
        sourceTopic_sourcePartition_sourceOffset: {
          sourceTopic: TOPICS.gpsFixes.name,
          sourcePartition: reference.partition,
          sourceOffset: BigInt(reference.headers[DLQ_HEADERS.sourceOffset] as string),
        },
      },
    });
    expect(Buffer.from(kept.value as Uint8Array).equals(huge)).toBe(true);
    expect(kept.reason).toMatch(/^not JSON/);
    expect(await db.prisma.positionFix.count({ where: { truckId: id } })).toBe(1);

    // A key and a header value that are not UTF-8 are kept byte for byte in the table too.
    const binaryKey = Buffer.from([0xff, 0xfe, 0x42, 0x41, 0x44]);
    const binaryHeader = Buffer.from([0xff, 0x00, 0x80]);
    const sender = eventLog.producer();
    await sender.send(TOPICS.gpsFixes.name, [
      { key: binaryKey, value: huge, headers: { trace: binaryHeader } },
    ]);
    await sender.close();
    await vi.waitFor(
      async () => {
        const rows = await db.prisma.deadLetter.findMany({ where: { keyBytes: binaryKey } });
        expect(rows).toHaveLength(1);
        const [row] = rows;
        expect(Buffer.from(row?.keyBytes as Uint8Array).equals(binaryKey)).toBe(true);
        const headerBytes = row?.headerBytes as Record<string, string>;
        expect(Buffer.from(headerBytes.trace as string, "base64").equals(binaryHeader)).toBe(true);
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it("keeps moving a truck after one absurd seq: the later event time wins (isNewerFix)", async () => {
    const id = truck("seq");
    const absurd = { ...fix(id, 1), seq: 2_147_483_647, lat: 10, lon: 10 };
    const real = [2, 3, 4].map((seq) => fix(id, seq)); // later event times, lower seqs
    const producer = eventLog.producer();
    for (const f of [absurd, ...real])
      await producer.send(TOPICS.gpsFixes.name, [{ key: id, value: JSON.stringify(f) }]);
    await producer.close();

    const last = real.at(-1) as GpsFix;
    await vi.waitFor(
      async () => {
        const stored = await db.prisma.truck.findUnique({ where: { id } });
        expect(stored).toMatchObject({ seq: 4n, lat: last.lat, lon: last.lon });
      },
      { timeout: 30_000, interval: 200 },
    );
    await vi.waitFor(
      () => {
        const positions = seen
          .filter((r) => r.topic === TOPICS.truckPositions.name && r.key === id)
          .map((r) => TruckPosition.parse(JSON.parse(String(r.value))));
        expect(positions.at(-1)).toMatchObject({ seq: 4, lat: last.lat });
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await db.prisma.positionFix.count({ where: { truckId: id } })).toBe(4);
  });
});
