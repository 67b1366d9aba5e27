import type { TruckPosition } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { statusCounts, truckRows } from "./truck-list";

const now = 1_796_000_000_000;
const OFFLINE = 600_000;
const truck = (id: string, speedKmh: number, ageMs: number): TruckPosition => ({
  truckId: id,
  seq: 1,
  lat: 52,
  lon: 5,
  speedKmh,
  headingDeg: 0,
  eventTime: now - ageMs,
  processedAt: now - ageMs + 200,
});

const fleet = [
  truck("T-0003", 80, 5_000),
  truck("T-0001", 0, 20_000),
  truck("T-0010", 55, 700_000),
  truck("T-0002", 80, 1_000),
];
const filter = { q: "", status: null, sort: "id" as const };

describe("truck list", () => {
  it("searches ids case-insensitively and filters by status", () => {
    expect(truckRows(fleet, { ...filter, q: "t-000" }, now, OFFLINE).map((r) => r.truckId)).toEqual(
      ["T-0001", "T-0002", "T-0003"],
    );
    expect(
      truckRows(fleet, { ...filter, status: "offline" }, now, OFFLINE).map((r) => r.truckId),
    ).toEqual(["T-0010"]);
    expect(
      truckRows(fleet, { ...filter, status: "stopped" }, now, OFFLINE).map((r) => r.truckId),
    ).toEqual(["T-0001"]);
  });

  it("sorts by speed (fastest first) and by last fix age (longest silent first), ties by id", () => {
    expect(
      truckRows(fleet, { ...filter, sort: "speed" }, now, OFFLINE).map((r) => r.truckId),
    ).toEqual(["T-0002", "T-0003", "T-0010", "T-0001"]);
    expect(
      truckRows(fleet, { ...filter, sort: "age" }, now, OFFLINE).map((r) => r.truckId),
    ).toEqual(["T-0010", "T-0001", "T-0003", "T-0002"]);
  });

  it("counts statuses and handles a fleet of 50,000", () => {
    expect(statusCounts(fleet, now, OFFLINE)).toEqual({ moving: 2, stopped: 1, offline: 1 });
    const big = Array.from({ length: 50_000 }, (_, i) =>
      truck(`T-${String(i).padStart(5, "0")}`, i % 100, (i % 500) * 1_000),
    );
    const rows = truckRows(big, { q: "T-4", status: "moving", sort: "speed" }, now, OFFLINE);
    expect(rows).toHaveLength(10_000 - 10_000 * 0.03); // T-4xxxx, minus the speeds 0..2
    expect(rows[0]?.speedKmh).toBe(99);
    expect(rows.every((r, i) => i === 0 || (rows[i - 1]?.speedKmh ?? 0) >= r.speedKmh)).toBe(true);
  });
});
