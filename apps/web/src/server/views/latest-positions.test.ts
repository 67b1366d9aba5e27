import type { TruckPosition } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { LatestPositions } from "./latest-positions";

const fix = (truckId: string, seq: number, lat = 52): TruckPosition => ({
  truckId,
  seq,
  lat,
  lon: 4.9,
  speedKmh: 60,
  headingDeg: 90,
  eventTime: 1_764_000_000_000 + seq * 1000,
  processedAt: 1_764_000_000_500 + seq * 1000,
});

describe("LatestPositions", () => {
  it("pushes at most one position per truck per flush: the newest", () => {
    const store = new LatestPositions();
    for (let seq = 1; seq <= 5; seq++) store.apply(fix("T-0002", seq, 52 + seq / 100));
    store.apply(fix("T-0001", 1));

    const pushed = store.takeChanged();
    expect(pushed.map((p) => [p.truckId, p.seq])).toEqual([
      ["T-0001", 1],
      ["T-0002", 5],
    ]);
    expect(store.takeChanged()).toEqual([]);
  });

  it("never moves a truck back to an older or repeated fix", () => {
    const store = new LatestPositions();
    expect(store.apply(fix("T-0001", 7, 52.7))).toBe(true);
    store.takeChanged();
    expect(store.apply(fix("T-0001", 6, 52.6))).toBe(false);
    expect(store.apply(fix("T-0001", 7, 99 / 2))).toBe(false);

    expect(store.takeChanged()).toEqual([]);
    expect(store.get("T-0001")?.lat).toBe(52.7);
  });

  it("keeps the whole fleet for the snapshot after changes were pushed", () => {
    const store = new LatestPositions();
    store.apply(fix("T-0003", 1));
    store.apply(fix("T-0001", 1));
    store.takeChanged();
    store.apply(fix("T-0001", 2));

    expect(store.snapshot().map((p) => `${p.truckId}#${p.seq}`)).toEqual(["T-0001#2", "T-0003#1"]);
    expect(store.takeChanged().map((p) => p.truckId)).toEqual(["T-0001"]);
    expect(store.size).toBe(2);
  });
});
