import { type GpsFix, TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StreamOperator } from "./pipeline/operator";
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
 * Counts fixes per partition: its state (the count, key "") is checkpointed by the processor,
 * and each checkpoint also writes the count into a table of its own, like the real operators
 * write their outputs: what the table says must always equal the count over the records the
 * checkpoint covers.
 */
function countingOperator(
  failures: { persist: number },
  persistDelayMs = 0,
): StreamOperator & {
  counted: Map<number, number>;
} {
  const counted = new Map<number, number>();
  return {
    name: "counting",
    counted,
    topics: () => [],
    restore(partition, state) {
      counted.set(partition, (state.get("") as number | undefined) ?? 0);
    },
    drop(partition) {
      counted.delete(partition);
    },
    stateOf: (partition, key) => (key === "" ? counted.get(partition) : undefined),
    process(partition, fixes) {
      counted.set(partition, (counted.get(partition) ?? 0) + fixes.length);
      return [];
    },
    checkpoint(partition) {
      const n = counted.get(partition) ?? 0;
      return {
        records: [],
        changed: [""],
        async persist(tx) {
          if (persistDelayMs > 0) await new Promise((r) => setTimeout(r, persistDelayMs));
          if (failures.persist > 0) {
            failures.persist--;
            throw new Error("database refused the write");
          }
          await tx.query(
            `INSERT INTO test_counts (partition, n) VALUES ($1, $2)
             ON CONFLICT (partition) DO UPDATE SET n = excluded.n`,
            [partition, n],
          );
        },
      };
    },
  };
}

/**
 * Counts fixes per truck: a state row per truck. Reading a truck's state takes `readMs` (busy),
 * so a snapshot of many trucks is serialized over several turns of the event loop;
 * `onRead(count)` sees each read. Persisting fails once `persistsBeforeFailing` ran out.
 */
function perTruckOperator(readMs: number, onRead: (count: number) => void) {
  const counts = new Map<string, number>();
  const changed = new Set<string>();
  const control = { persistsBeforeFailing: Number.POSITIVE_INFINITY };
  const operator: StreamOperator = {
    name: "per-truck",
    topics: () => [],
    restore(_partition, state) {
      counts.clear();
      for (const [truck, n] of state) counts.set(truck, n as number);
    },
    drop: () => counts.clear(),
    stateOf(_partition, truck) {
      const n = counts.get(truck);
      for (const until = performance.now() + readMs; performance.now() < until; );
      if (n !== undefined) onRead(n);
      return n;
    },
    process(_partition, fixes) {
      for (const { fix } of fixes) {
        counts.set(fix.truckId, (counts.get(fix.truckId) ?? 0) + 1);
        changed.add(fix.truckId);
      }
      return [];
    },
    checkpoint() {
      const rows = [...changed].map((truck) => [truck, counts.get(truck) ?? 0] as const);
      changed.clear();
      return {
        records: [],
        changed: rows.map(([truck]) => truck),
        async persist(tx) {
          if (control.persistsBeforeFailing-- <= 0) throw new Error("database refused the write");
          for (const [truck, n] of rows)
            await tx.query(
              `INSERT INTO test_truck_counts (truck, n) VALUES ($1, $2)
               ON CONFLICT (truck) DO UPDATE SET n = excluded.n`,
              [truck, n],
            );
        },
      };
    },
  };
  return { operator, counts, control };
}

describe("processor on the in-process log and PGlite", () => {
  let db: Database;
  let eventLog: EventLog;

  beforeEach(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    await db.sql.query("CREATE TABLE test_counts (partition int PRIMARY KEY, n int)");
    await db.sql.query("CREATE TABLE test_truck_counts (truck text PRIMARY KEY, n int)");
    eventLog = createEventLog({ clientId: "processor-test" });
  });
  afterEach(async () => {
    await eventLog.close();
    await db.close();
  });

  function start(operator: StreamOperator, onFatal = vi.fn(), partitions = 1, stateIntervalMs = 0) {
    return createProcessor({
      eventLog,
      db,
      logger: createLogger("processor-test", "silent"),
      config: { groupId: "g", partitions, checkpointIntervalMs: 20, stateIntervalMs },
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
    const rows = await db.sql.query<{ n: number }>("SELECT sum(n)::int AS n FROM test_counts");
    return rows[0]?.n ?? 0;
  }

  const checkpoint = async () =>
    Number(
      (await db.prisma.processorCheckpoint.findFirst({ where: { groupId: "g" } }))?.nextOffset,
    );

  it("writes a checkpoint whose transaction failed again, counting nothing twice", async () => {
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
    expect(await checkpoint()).toBe(3);
    await processor.stop();
  });

  it("waits out a database that refuses writes: not ready meanwhile, nothing lost, checkpoint unmoved", async () => {
    const failures = { persist: 4 };
    const onFatal = vi.fn();
    const processor = start(countingOperator(failures), onFatal);
    await processor.start();
    await produce([fix("A", 1)]);

    await vi.waitFor(() => expect(processor.health().database.ok).toBe(false), { timeout: 10_000 });
    expect(await db.prisma.positionFix.count()).toBe(0);
    expect(await db.prisma.processorCheckpoint.count()).toBe(0);
    await vi.waitFor(async () => expect(await storedCount()).toBe(1), { timeout: 20_000 });
    expect(processor.health().database.ok).toBe(true);
    expect(await db.prisma.positionFix.count()).toBe(1);
    expect(onFatal).not.toHaveBeenCalled();
    await processor.stop();
  });

  it("replays from the stored state when another instance checkpointed the partition meanwhile", async () => {
    const operator = countingOperator({ persist: 0 });
    const processor = start(operator);
    await processor.start();
    await produce([fix("A", 1), fix("A", 2)]);
    await vi.waitFor(async () => expect(await storedCount()).toBe(2), { timeout: 10_000 });

    // Meanwhile another instance (same group) held the partition, applied offsets 2..3 and
    // stored its state (40, a value this instance cannot derive from its memory). This instance
    // then processes offsets 2..4: its checkpoint must fail, and it must build on the stored
    // state and apply offset 4 only.
    await db.sql.query(
      "UPDATE processor_checkpoints SET next_offset = 4, state_offset = 4 WHERE group_id = 'g'",
    );
    await db.sql.query(
      `UPDATE processor_state SET state = '{"counting":40}' WHERE group_id = 'g' AND key = ''`,
    );
    await db.sql.query("UPDATE test_counts SET n = 40");
    await produce([fix("A", 3), fix("A", 4), fix("A", 5)]);

    await vi.waitFor(async () => expect(await storedCount()).toBe(41), { timeout: 10_000 });
    expect(operator.counted.get(0)).toBe(41);
    expect(await checkpoint()).toBe(5);
    await processor.stop();
  });

  it("checkpoints what it processed when it stops, and the next instance continues from there", async () => {
    const first = start(countingOperator({ persist: 0 }));
    await first.start();
    await produce([fix("A", 1), fix("A", 2)]);
    await vi.waitFor(() => expect(first.stats().applied).toBe(2), { timeout: 10_000 });
    await first.stop();
    expect(await storedCount()).toBe(2);

    await produce([fix("A", 3)]);
    const operator = countingOperator({ persist: 0 });
    const second = start(operator);
    await second.start();
    await vi.waitFor(async () => expect(await storedCount()).toBe(3), { timeout: 10_000 });
    expect(second.stats()).toMatchObject({ applied: 1, alreadyApplied: 0 });
    await second.stop();
  });

  it("after a crash between state snapshots, rebuilds the state from the input since the snapshot", async () => {
    // State snapshots once a minute: the first checkpoint carries one (offset 2), the next ones
    // store outputs only. The instance then dies without writing anything more.
    const failures = { persist: 0 };
    const first = start(countingOperator(failures), vi.fn(), 1, 60_000);
    await first.start();
    await produce([fix("A", 1), fix("A", 2)]);
    await vi.waitFor(async () => expect(await storedCount()).toBe(2), { timeout: 10_000 });
    await produce([fix("A", 3), fix("A", 4), fix("A", 5)]);
    await vi.waitFor(async () => expect(await storedCount()).toBe(5), { timeout: 10_000 });
    const row = await db.prisma.processorCheckpoint.findFirst({ where: { groupId: "g" } });
    expect([Number(row?.nextOffset), Number(row?.stateOffset)]).toEqual([5, 2]);
    failures.persist = 1_000; // its last checkpoint on stop never lands: a crash, for the database
    await first.stop();

    const operator = countingOperator({ persist: 0 });
    const second = start(operator, vi.fn(), 1, 60_000);
    await second.start();
    await produce([fix("A", 6)]);
    // 5 from the snapshot's 2 plus the 3 replayed, plus the new one; not 3, not 9.
    await vi.waitFor(async () => expect(await storedCount()).toBe(6), { timeout: 10_000 });
    expect(operator.counted.get(0)).toBe(6);
    expect(second.stats()).toMatchObject({ applied: 1, alreadyApplied: 3 });
    await second.stop();
  });

  it("counts every record once when partitions move away and back while checkpoints are in flight", async () => {
    // Slow checkpoint writes: a second instance joins and leaves while the first one is writing
    // a checkpoint of partition 1. The first instance's dropped task must stop there: no later
    // checkpoint from it over the state of the task that took the partition back.
    const trucks = Array.from({ length: 40 }, (_, i) => `T${i}`);
    const batch = (seq: number) => trucks.map((truck) => fix(truck, seq));
    const first = start(countingOperator({ persist: 0 }, 300), vi.fn(), 2);
    await first.start();
    for (let seq = 1; seq <= 3; seq++) {
      await produce(batch(seq));
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = start(countingOperator({ persist: 0 }), vi.fn(), 2);
    await second.start();
    await produce(batch(4));
    await new Promise((r) => setTimeout(r, 50));
    await second.stop();
    for (let seq = 5; seq <= 8; seq++) await produce(batch(seq));

    const total = trucks.length * 8;
    await vi.waitFor(async () => expect(await storedCount()).toBe(total), { timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    await first.stop();
    expect(await storedCount()).toBe(total);
    expect(await db.prisma.positionFix.count()).toBe(total);
  });

  it("keeps a state snapshot as of its offset while fixes arrive during its serialization", async () => {
    // 50 trucks at 2 ms a state read: a snapshot takes ~100 ms, serialized in slices between
    // which the process goes on. Fixes of the partition arriving then must wait: a snapshot row
    // with a later fix in it would be counted twice after a restore.
    const trucks = Array.from({ length: 50 }, (_, i) => `T${i}`);
    const batch = (seq: number) => trucks.map((truck) => fix(truck, seq));
    let serializingSecond: () => void = () => {};
    const secondSnapshotStarted = new Promise<void>((resolve) => {
      serializingSecond = resolve;
    });
    const first = perTruckOperator(2, (count) => count === 2 && serializingSecond());
    const firstProcessor = start(first.operator);
    await firstProcessor.start();
    await produce(batch(1));
    await vi.waitFor(() => expect(firstProcessor.stats().checkpointed).toBe(50), {
      timeout: 10_000,
    });
    // The checkpoint of fix 2 is the last one that lands: afterwards the database refuses, and
    // the instance stops without storing more (a crash, as far as the database knows).
    first.control.persistsBeforeFailing = 1;
    await produce(batch(2));
    await secondSnapshotStarted;
    await produce(batch(3)); // arrives while the snapshot of fix 2 is being serialized
    await vi.waitFor(() => expect(firstProcessor.stats().applied).toBe(150), { timeout: 10_000 });
    await firstProcessor.stop();
    const stored = await db.sql.query<{ n: number }>("SELECT n FROM test_truck_counts");
    expect(stored.map((r) => r.n)).toEqual(trucks.map(() => 2));

    const second = perTruckOperator(0, () => {});
    const secondProcessor = start(second.operator);
    await secondProcessor.start();
    await vi.waitFor(() => expect(secondProcessor.stats().applied).toBe(50), { timeout: 10_000 });
    // Restored at fix 2, then fix 3 once: every truck at 3, none at 4.
    expect([...second.counts.values()]).toEqual(trucks.map(() => 3));
    await secondProcessor.stop();
  });

  it("runs lanes on one input: the positions lane stores fixes and dead-letters once, another only counts", async () => {
    // Two processors on the same topic, each its own group, as `npm run stack` runs them.
    const lane = (groupId: string, positions: boolean, operators: StreamOperator[]) =>
      createProcessor({
        eventLog,
        db,
        logger: createLogger("processor-test", "silent"),
        config: { groupId, partitions: 1, checkpointIntervalMs: 20, stateIntervalMs: 0 },
        positions,
        operators,
        onFatal: vi.fn(),
      });
    const counting = countingOperator({ persist: 0 });
    const lanes = [lane("g-positions", true, []), lane("g-counting", false, [counting])];
    for (const started of lanes) await started.start();
    await produce([fix("A", 1), fix("B", 1)]);
    const producer = eventLog.producer();
    await producer.send(TOPICS.gpsFixes.name, [{ key: "C", value: "{not json" }]);
    await producer.close();
    await produce([fix("A", 2)]);

    await vi.waitFor(
      async () => {
        const offsets = await db.prisma.processorCheckpoint.findMany({
          orderBy: { groupId: "asc" },
        });
        expect(offsets.map((c) => [c.groupId, Number(c.nextOffset)])).toEqual([
          ["g-counting", 4],
          ["g-positions", 4],
        ]);
      },
      { timeout: 10_000 },
    );
    expect(await storedCount()).toBe(3); // the counting lane's output: valid fixes only
    expect(await db.prisma.positionFix.count()).toBe(3);
    const deadLetters = await eventLog.offsets(TOPICS.gpsDeadLetter.name);
    expect(deadLetters.map((p) => p.high)).toEqual([1]); // one copy, not one per lane
    expect(lanes.map((l) => l.stats().deadLettered)).toEqual([1, 0]);
    for (const started of lanes) await started.stop();
  });
});
