import { type GpsFix, TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AcceptedFix, StreamOperator } from "./pipeline/operator";
import { createProcessor } from "./processor";

const fix = (truckId: string, seq: number): GpsFix => ({
  truckId,
  seq,
  lat: 52,
  lon: 5,
  speedKmh: 50,
  headingDeg: 90,
  eventTime: 1_764_000_000_000 + seq * 20_000,
});

/**
 * Counts fixes per partition, persisted in a table of its own, like the real operators keep
 * state: what it has in memory must always equal what the database says after a batch.
 */
function countingOperator(failures: { persist: number }): StreamOperator & {
  counted: Map<number, number>;
} {
  const counted = new Map<number, number>();
  return {
    name: "counting",
    counted,
    topics: () => [],
    async restore(partition, db) {
      const rows = await db.$queryRaw<{ n: number }[]>`
        SELECT n FROM test_counts WHERE partition = ${partition}`;
      counted.set(partition, rows[0]?.n ?? 0);
    },
    process(partition, fixes: readonly AcceptedFix[]) {
      const n = (counted.get(partition) ?? 0) + fixes.length;
      counted.set(partition, n);
      return {
        records: [],
        async persist(tx) {
          if (failures.persist > 0) {
            failures.persist--;
            throw new Error("database refused the write");
          }
          await tx.$executeRaw`
            INSERT INTO test_counts (partition, n) VALUES (${partition}, ${n})
            ON CONFLICT (partition) DO UPDATE SET n = excluded.n`;
        },
      };
    },
  };
}

describe("processor on the in-process log and PGlite", () => {
  let db: Database;
  let eventLog: EventLog;

  beforeEach(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    await db.prisma.$executeRaw`CREATE TABLE test_counts (partition int PRIMARY KEY, n int)`;
    eventLog = createEventLog({ clientId: "processor-test" });
  });
  afterEach(async () => {
    await eventLog.close();
    await db.close();
  });

  function start(operator: StreamOperator, onFatal = vi.fn()) {
    return createProcessor({
      eventLog,
      prisma: db.prisma,
      logger: createLogger("processor-test", "silent"),
      config: { groupId: "g", partitions: 1 },
      operators: [operator],
      onFatal,
    });
  }

  async function produce(fixes: GpsFix[]) {
    const producer = eventLog.producer();
    await producer.send(
      TOPICS.gpsFixes.name,
      fixes.map((f) => ({ key: f.truckId, value: JSON.stringify(f) })),
    );
    await producer.close();
  }

  async function storedCount(): Promise<number> {
    const rows = await db.prisma.$queryRaw<{ n: number }[]>`SELECT n FROM test_counts`;
    return rows[0]?.n ?? 0;
  }

  it("restores and re-applies a batch whose transaction failed, counting nothing twice", async () => {
    const failures = { persist: 1 };
    const onFatal = vi.fn();
    const operator = countingOperator(failures);
    const processor = start(operator, onFatal);
    await processor.start();
    await produce([fix("A", 1), fix("A", 2), fix("A", 3)]);

    await vi.waitFor(async () => expect(await storedCount()).toBe(3), { timeout: 10_000 });
    expect(failures.persist).toBe(0);
    expect(operator.counted.get(0)).toBe(3);
    expect(onFatal).not.toHaveBeenCalled();
    expect(await db.prisma.positionFix.count()).toBe(3);
    await processor.stop();
  });

  it("gives up (fatal) on a batch that keeps failing, without moving the checkpoint", async () => {
    const onFatal = vi.fn();
    const processor = start(countingOperator({ persist: 100 }), onFatal);
    await processor.start();
    await produce([fix("A", 1)]);

    await vi.waitFor(() => expect(onFatal).toHaveBeenCalled(), { timeout: 10_000 });
    const checkpoint = await db.prisma.processorCheckpoint.findFirst({ where: { groupId: "g" } });
    expect(Number(checkpoint?.nextOffset ?? 0)).toBe(0);
    expect(await db.prisma.positionFix.count()).toBe(0);
    await processor.stop();
  });

  it("skips what another instance applied meanwhile instead of applying it twice", async () => {
    const operator = countingOperator({ persist: 0 });
    const processor = start(operator);
    await processor.start();
    await produce([fix("A", 1), fix("A", 2)]);
    await vi.waitFor(async () => expect(await storedCount()).toBe(2), { timeout: 10_000 });

    // Meanwhile another instance (same group) held the partition, applied offsets 2..3 and
    // stored its state (40, a value this instance cannot derive from its memory). This instance
    // then gets offsets 2..4: it must build on the stored state and apply only offset 4.
    await db.prisma.processorCheckpoint.updateMany({
      where: { groupId: "g" },
      data: { nextOffset: 4n },
    });
    await db.prisma.$executeRaw`UPDATE test_counts SET n = 40`;
    await produce([fix("A", 3), fix("A", 4), fix("A", 5)]);

    await vi.waitFor(async () => expect(await storedCount()).toBe(41), { timeout: 10_000 });
    expect(operator.counted.get(0)).toBe(41);
    await processor.stop();
  });
});
