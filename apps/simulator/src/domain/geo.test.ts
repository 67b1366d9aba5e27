import { describe, expect, it } from "vitest";
import { bearingDeg, distanceM, headingDiffDeg, normalizeDeg, offsetM } from "./geo";

const amsterdam = [4.9041, 52.3676] as const;
const rotterdam = [4.4777, 51.9244] as const;

describe("geodesy", () => {
  it("measures Amsterdam - Rotterdam as the crow flies (~57.5 km)", () => {
    expect(distanceM(amsterdam, rotterdam)).toBeGreaterThan(57_000);
    expect(distanceM(amsterdam, rotterdam)).toBeLessThan(58_000);
  });

  it("gives bearings clockwise from north in [0, 360)", () => {
    expect(bearingDeg([5, 52], [5, 52.1])).toBeCloseTo(0, 1);
    expect(bearingDeg([5, 52], [5.1, 52])).toBeCloseTo(90, 0);
    expect(bearingDeg([5, 52], [5, 51.9])).toBeCloseTo(180, 1);
    expect(bearingDeg([5, 52], [4.9, 52])).toBeCloseTo(270, 0);
    expect(bearingDeg(amsterdam, rotterdam)).toBeGreaterThan(180);
    expect(bearingDeg(amsterdam, rotterdam)).toBeLessThan(270);
  });

  it("moves a point by metres east and north", () => {
    const moved = offsetM(amsterdam, 300, 400);
    expect(distanceM(amsterdam, moved)).toBeCloseTo(500, 0);
  });

  it("normalizes and compares headings across north", () => {
    expect(normalizeDeg(-10)).toBe(350);
    expect(normalizeDeg(725)).toBe(5);
    expect(headingDiffDeg(355, 5)).toBe(10);
    expect(headingDiffDeg(90, 270)).toBe(180);
  });
});
