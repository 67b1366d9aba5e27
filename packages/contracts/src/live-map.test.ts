import { describe, expect, it } from "vitest";
import { decodePositions, encodePositions } from "./fleet-columns";
import type { TruckPosition } from "./gps-fix";
import { ViewportSubscription } from "./live-map";

describe("position columns", () => {
  it("round-trips positions, to 1e-6 degrees and 0.1 km/h and degree", () => {
    const positions: TruckPosition[] = [
      {
        truckId: "T-1",
        seq: 1_764_000_000,
        lat: 52.123456789,
        lon: -4.987654321,
        speedKmh: 88.06,
        headingDeg: 359.94,
        eventTime: 1_764_000_000_000,
        processedAt: 1_764_000_000_450,
      },
      {
        truckId: "T-2",
        seq: 7,
        lat: -33.9,
        lon: 151.2,
        speedKmh: 0,
        headingDeg: 0,
        eventTime: 1_763_999_990_000,
        processedAt: 1_764_000_000_400,
      },
    ];
    const decoded = decodePositions(encodePositions(positions));
    expect(decoded.map((p) => [p.truckId, p.seq, p.eventTime, p.processedAt])).toEqual(
      positions.map((p) => [p.truckId, p.seq, p.eventTime, p.processedAt]),
    );
    decoded.forEach((p, i) => {
      const original = positions[i] as TruckPosition;
      expect(Math.abs(p.lat - original.lat)).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(p.lon - original.lon)).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(p.speedKmh - original.speedKmh)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(p.headingDeg - original.headingDeg)).toBeLessThanOrEqual(0.05);
    });
    expect(decodePositions(encodePositions([]))).toEqual([]);
  });

  it("is smaller than one JSON object per truck", () => {
    const positions = Array.from({ length: 1_000 }, (_, i) => ({
      truckId: `truck-${i}`,
      seq: 1_764_000_000 + i,
      lat: 52 + i / 3_000,
      lon: 5 + i / 7_000,
      speedKmh: 80.123,
      headingDeg: 123.456,
      eventTime: 1_764_000_000_000 + i * 20,
      processedAt: 1_764_000_000_500 + i * 20,
    }));
    const columns = JSON.stringify(encodePositions(positions)).length;
    expect(columns).toBeLessThan(JSON.stringify(positions).length * 0.6);
  });
});

describe("viewport subscription", () => {
  it("names the field it refuses", () => {
    const refused = ViewportSubscription.safeParse({
      west: 6,
      south: 51,
      east: 4,
      north: 53,
      zoom: 9,
    });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(["west"]);
    expect(
      ViewportSubscription.safeParse({ west: 4, south: 51, east: 6, north: 53, zoom: 99 }).error
        ?.issues[0]?.path,
    ).toEqual(["zoom"]);
    expect(
      ViewportSubscription.parse({ west: 4, south: 51, east: 6, north: 53, zoom: 9 }).follow,
    ).toEqual([]);
  });
});
