import type { GpsFix } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AcceptedFix, encodedRecords } from "../pipeline/operator";
import { createPositionsOperator } from "./operator";

const fix = (truckId: string, seq: number, lat = 52): GpsFix => ({
  truckId,
  seq,
  lat,
  lon: 5,
  speedKmh: 60,
  headingDeg: 180,
  eventTime: 1_764_000_000_000 + seq * 20_000,
});

/** A caught-up partition. */
const LIVE = { now: 0, lag: 0 };

const accepted = (fixes: GpsFix[]): AcceptedFix[] =>
  fixes.map((f, offset) => ({ fix: f, partition: 0, offset }));

describe("positions operator (embedded PGlite)", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
  });
  afterAll(() => db.close());

  async function checkpoint(operator: ReturnType<typeof createPositionsOperator>) {
    const c = operator.checkpoint(0, { now: 0, lag: 0 });
    await c.prepare?.(db.sql);
    await db.sql.transaction((tx) => c.persist(tx));
  }

  it("stores every fix once and keeps each truck at its newest fix", async () => {
    const operator = createPositionsOperator({ now: () => 7 });
    operator.process(0, accepted([fix("A", 1, 50), fix("A", 2, 51), fix("B", 1)]), LIVE);
    await checkpoint(operator);
    // a duplicate and an older fix arriving late change nothing
    operator.process(0, accepted([fix("A", 2, 51), fix("A", 1, 50)]), LIVE);
    await checkpoint(operator);

    expect(await db.prisma.positionFix.count()).toBe(3);
    const a = await db.prisma.truck.findUniqueOrThrow({ where: { id: "A" } });
    expect({ seq: a.seq, lat: a.lat }).toEqual({ seq: 2n, lat: 51 });
    expect(a.eventTime.getTime()).toBe(fix("A", 2).eventTime);
  });

  it("keeps a truck at its newest fix when an older one comes after it before the checkpoint", async () => {
    const operator = createPositionsOperator({ now: () => 7 });
    operator.process(0, accepted([fix("E", 3, 53), fix("E", 1, 51)]), LIVE);
    operator.process(0, accepted([fix("E", 2, 52)]), LIVE);
    await checkpoint(operator);
    const d = await db.prisma.truck.findUniqueOrThrow({ where: { id: "E" } });
    expect({ seq: d.seq, lat: d.lat }).toEqual({ seq: 3n, lat: 53 });
  });

  it("publishes the newest position per truck at once, never an older one after a newer", () => {
    const operator = createPositionsOperator({ now: () => 99 });
    const first = operator.process(0, accepted([fix("C", 1), fix("C", 3), fix("C", 2)]), LIVE);
    expect(first.map((r) => JSON.parse(r.value))).toEqual([{ ...fix("C", 3), processedAt: 99 }]);
    expect(operator.process(0, accepted([fix("C", 2)]), LIVE)).toEqual([]);
    expect(operator.process(0, accepted([fix("C", 4)]), LIVE)).toHaveLength(1);
  });

  it("holds positions back while the partition is behind, publishing each truck's newest at the checkpoint", () => {
    const operator = createPositionsOperator({ now: () => 5 });
    const behind = { now: 0, lag: 50_000 };
    const f1 = { ...fix("F", 1), accuracyM: 4.5 };
    expect(operator.process(0, accepted([fix("E", 1), f1]), behind)).toEqual([]);
    expect(operator.process(0, accepted([fix("E", 2, 53)]), behind)).toEqual([]);
    // An older fix after it does not move the held position back.
    expect(operator.process(0, accepted([fix("E", 1)]), behind)).toEqual([]);
    const held = encodedRecords(operator.checkpoint(0, behind).records).map((r) =>
      JSON.parse(r.value),
    );
    expect(held.map((p) => `${p.truckId}#${p.seq}`).sort()).toEqual(["E#2", "F#1"]);
    // The whole fix, as published live.
    expect(held.find((p) => p.truckId === "E")).toEqual({
      v: 1,
      ...fix("E", 2, 53),
      processedAt: 5,
    });
    expect(held.find((p) => p.truckId === "F")).toEqual({ v: 1, ...f1, processedAt: 5 });
    // Caught up again: at once, and nothing left for the next checkpoint.
    expect(operator.process(0, accepted([fix("E", 3)]), LIVE)).toHaveLength(1);
    expect(operator.checkpoint(0, LIVE).records).toEqual([]);
  });

  it("publishes what it held as soon as the partition catches up, before the checkpoint", () => {
    const operator = createPositionsOperator({ now: () => 5 });
    operator.process(0, accepted([fix("G", 1), fix("H", 1)]), { now: 0, lag: 50_000 });
    const live = operator.process(0, accepted([fix("G", 2)]), LIVE).map((r) => JSON.parse(r.value));
    expect(live.map((p) => `${p.truckId}#${p.seq}`).sort()).toEqual(["G#2", "H#1"]);
    expect(operator.checkpoint(0, LIVE).records).toEqual([]);
  });

  it("creates the day partitions its fixes need", async () => {
    const operator = createPositionsOperator();
    const far = { ...fix("D", 1), eventTime: Date.UTC(2031, 1, 3, 12) };
    operator.process(0, accepted([far]), LIVE);
    await checkpoint(operator);
    const stored = await db.prisma.positionFix.findMany({ where: { truckId: "D" } });
    expect(stored.map((r) => r.eventTime.getTime())).toEqual([far.eventTime]);
    expect(operator.knownDays.has(Date.UTC(2031, 1, 3))).toBe(true);
  });
});
