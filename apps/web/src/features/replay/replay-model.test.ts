import type { AlertView, TrailFix } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { advance, alertsUntil, positionAt, timelineFraction, trailUntil } from "./replay-model";

const fix = (eventTime: number, lat: number, lon: number, speedKmh = 60): TrailFix => ({
  seq: eventTime,
  lat,
  lon,
  speedKmh,
  headingDeg: 90,
  eventTime,
});
const trail = [fix(1_000, 52, 5), fix(21_000, 52, 5.01, 80), fix(41_000, 52.01, 5.01)];

describe("replay model", () => {
  it("puts a truck between its fixes in proportion to time, nowhere before its first", () => {
    expect(positionAt(trail, 999)).toBeNull();
    expect(positionAt(trail, 1_000)).toMatchObject({ lat: 52, lon: 5, fixTime: 1_000 });
    expect(positionAt(trail, 11_000)).toMatchObject({
      lat: 52,
      lon: 5.005,
      speedKmh: 70,
      fixTime: 1_000,
    });
    expect(positionAt(trail, 99_000)).toMatchObject({ lat: 52.01, lon: 5.01, fixTime: 41_000 });
  });

  it("draws the path driven so far", () => {
    expect(trailUntil(trail, 11_000)).toEqual([
      [52, 5],
      [52, 5.005],
    ]);
    expect(trailUntil(trail, 21_000)).toEqual([
      [52, 5],
      [52, 5.01],
    ]);
    expect(trailUntil(trail, 500)).toEqual([]);
  });

  it("plays at 1x–60x, stopping at the end of the range, and shows alerts as the clock passes", () => {
    expect(advance(0, 1_000, 60, 600_000)).toBe(60_000);
    expect(advance(590_000, 1_000, 60, 600_000)).toBe(600_000);
    const alerts = [
      { id: "a", eventTime: 5_000 },
      { id: "b", eventTime: 30_000 },
    ] as AlertView[];
    expect(alertsUntil(alerts, 29_999).map((a) => a.id)).toEqual(["a"]);
    expect(timelineFraction(30_000, 0, 60_000)).toBe(0.5);
    expect(timelineFraction(-5, 0, 60_000)).toBe(0);
  });
});
