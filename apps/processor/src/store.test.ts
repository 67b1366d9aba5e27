import type { GpsFix } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { savePositions } from "./store";

const fix = (truckId: string, seq: number, lat = 52): GpsFix => ({
  truckId,
  seq,
  lat,
  lon: 5,
  speedKmh: 60,
  headingDeg: 180,
  eventTime: 1_764_000_000_000 + seq * 20_000,
});

describe("savePositions (embedded PGlite)", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
  });
  afterAll(() => db.close());

  it("stores every fix once and keeps each truck at its newest fix", async () => {
    await savePositions(db.prisma, [fix("A", 1, 50), fix("A", 2, 51), fix("B", 1)]);
    // a redelivered batch and an older fix arriving late change nothing
    await savePositions(db.prisma, [fix("A", 2, 51), fix("A", 1, 50)]);

    expect(await db.prisma.positionFix.count()).toBe(3);
    const a = await db.prisma.truck.findUniqueOrThrow({ where: { id: "A" } });
    expect({ seq: a.seq, lat: a.lat }).toEqual({ seq: 2, lat: 51 });
    expect(a.eventTime.getTime()).toBe(fix("A", 2).eventTime);
  });
});
