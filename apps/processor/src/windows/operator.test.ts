import { TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import {
  bruteForceWindows,
  type OracleResult,
  planWindows,
  scopeWindowKey,
  truckWindowKey,
} from "@fleetstream/windows";
import { BAND_ZONES, generateStream, type TestFix } from "@fleetstream/windows/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamOperator } from "../pipeline/operator";
import { createSpeedWindowsOperator } from "./operator";

// The operator against the real schema on embedded PGlite: batches persisted in transactions, the
// operator thrown away half-way and restored from the database, then the combiner's tick. The
// stored rows must equal the brute-force oracle over the same input.
const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const START = Date.UTC(2035, 0, 1);
const PARTITIONS = 3;

describe("speed windows operator on PGlite", () => {
  let db: Database;
  const eventLog = new InMemoryEventLog();
  const logger = createLogger("test", "silent");
  const stream = generateStream({
    seed: 42,
    trucks: 12,
    partitions: PARTITIONS,
    fixesPerTruck: 40,
    intervalMs: 20_000,
    maxDelayMs: 60_000,
    lateRate: 0.04,
    lateDelayMs: 200_000,
    duplicateRate: 0.05,
    startTime: START,
  });
  const plan = planWindows();
  let oracle: OracleResult<TestFix>;
  const operator = (idleTimeoutMs: number) =>
    createSpeedWindowsOperator({
      eventLog,
      logger,
      groupId: "g1",
      lookup: BAND_ZONES,
      env: { WINDOW_IDLE_TIMEOUT_MS: idleTimeoutMs },
    });

  async function tick(op: StreamOperator) {
    const output = await op.tick?.(db.prisma);
    if (!output) throw new Error("the operator has no tick");
    await db.prisma.$transaction((tx) => output.persist(tx));
    return output.records;
  }

  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    await eventLog.ensureTopics([{ ...TOPICS.gpsFixes, partitions: PARTITIONS }]);
    oracle = bruteForceWindows(stream.records, plan, BAND_ZONES);

    // Consecutive records of one partition form a batch, at most 25 per batch.
    let op = operator(60_000);
    for (let p = 0; p < PARTITIONS; p++) await op.restore(p, db.prisma);
    const offsets = new Map<number, number>();
    const records = stream.records;
    let crashed = false;
    for (let i = 0; i < records.length; ) {
      const partition = records[i]?.partition as number;
      const batch = [];
      while (i < records.length && records[i]?.partition === partition && batch.length < 25) {
        const offset = offsets.get(partition) ?? 0;
        offsets.set(partition, offset + 1);
        batch.push({ fix: records[i]?.fix as TestFix, partition, offset });
        i++;
      }
      const output = op.process(partition, batch);
      await db.prisma.$transaction((tx) => output.persist(tx));
      if (!crashed && i > records.length / 2) {
        crashed = true; // a new instance: everything from the database
        op = operator(60_000);
        for (let p = 0; p < PARTITIONS; p++) await op.restore(p, db.prisma);
      }
    }
    await tick(op);
  });
  afterAll(() => db?.close());

  it("stores the oracle's truck windows, with the same final flags", async () => {
    const rows = await db.prisma.truckSpeedWindow.findMany();
    expect(rows.length).toBe(oracle.truckWindows.size);
    const mismatches = rows.filter((row) => {
      const kind = row.kind as "tumbling" | "hopping";
      const expected = oracle.truckWindows.get(
        truckWindowKey({ truckId: row.truckId, kind, start: row.windowStart.getTime() }),
      );
      return !(
        expected &&
        expected.final === row.final &&
        expected.fixCount === row.fixCount &&
        expected.speedingCount === row.speedingCount &&
        expected.maxSpeedKmh === row.maxSpeedKmh &&
        expected.end === row.windowEnd.getTime() &&
        close(expected.avgSpeedKmh, row.avgSpeedKmh) &&
        close(expected.distanceM, row.distanceM)
      );
    });
    expect(mismatches).toEqual([]);
    expect(rows.some((r) => r.final) && rows.some((r) => !r.final)).toBe(true);
  });

  it("stores every late fix once with its reason, and no duplicate counts twice", async () => {
    const late = await db.prisma.speedWindowLateFix.findMany();
    const keys = (list: { truckId: string; seq: number }[]) =>
      [...new Set(list.map((l) => `${l.truckId}|${l.seq}`))].sort();
    expect(keys(late)).toEqual(keys(oracle.late.map((l) => l.fix)));
    expect(oracle.late.length).toBeGreaterThan(0);
    expect(late.every((l) => l.reason === "window-closed")).toBe(true);
    const parts = await db.prisma.speedWindowPartition.findMany();
    expect(parts.reduce((n, p) => n + Number(p.lateCount), 0)).toBe(oracle.late.length);
    expect(parts.reduce((n, p) => n + Number(p.duplicateCount), 0)).toBe(oracle.duplicates);
  });

  it("sums partials into fleet and geofence windows, final up to the slowest partition", async () => {
    const rows = await db.prisma.scopeSpeedWindow.findMany();
    expect(rows.length).toBe(oracle.scopeWindows.size);
    const bad = rows.filter((row) => {
      const expected = oracle.scopeWindows.get(
        scopeWindowKey({
          scopeType: row.scopeType as "fleet" | "geofence",
          scopeId: row.scopeId,
          start: row.windowStart.getTime(),
        }),
      );
      return !(
        expected &&
        expected.final === row.final &&
        expected.fixCount === row.fixCount &&
        expected.activeTrucks === row.activeTrucks &&
        expected.speedingTrucks === row.speedingTrucks &&
        close(expected.avgSpeedKmh, row.avgSpeedKmh)
      );
    });
    expect(bad).toEqual([]);
    expect(rows.some((r) => r.scopeType === "geofence")).toBe(true);
    expect(await db.prisma.scopeSpeedWindow.count({ where: { pending: true } })).toBe(0);
  });

  it("finalizes the rest once every partition is idle (idle rule), publishing each change", async () => {
    const idle = operator(0);
    for (let p = 0; p < PARTITIONS; p++) await idle.restore(p, db.prisma);
    const records = await tick(idle);
    const maxOracle = bruteForceWindows(stream.records, plan, BAND_ZONES, "max");
    const finals = await db.prisma.scopeSpeedWindow.findMany({ where: { final: true } });
    const expected = [...maxOracle.scopeWindows.values()].filter((w) => w.final);
    expect(finals.length).toBe(expected.length);
    expect(finals.length).toBeGreaterThan(
      [...oracle.scopeWindows.values()].filter((w) => w.final).length,
    );
    // exactly the windows that became final were published again, as final
    const published = records.map((r) => JSON.parse(r.value) as { final: boolean });
    expect(published.length).toBe(
      expected.length - [...oracle.scopeWindows.values()].filter((w) => w.final).length,
    );
    expect(published.every((r) => r.final)).toBe(true);
    expect(await tick(idle)).toEqual([]);
  });
});
