import { describe, expect, it } from "vitest";
import {
  buildLeg,
  pointAt,
  ROAD_CLASSES,
  reverseLeg,
  segmentAt,
  turnSpeedKmh,
  withUrbanEnds,
} from "./leg";

const line = [
  [5.0, 52.0],
  [5.0, 52.05],
  [5.05, 52.05],
] as const;

describe("legs", () => {
  const leg = buildLeg("A -> B", "a", "b", [{ roadClass: "motorway", points: [...line] }]);

  it("precomputes lengths, bearings and limits per segment", () => {
    expect(leg.cumM[0]).toBe(0);
    expect(leg.lengthM).toBeCloseTo((leg.cumM[1] as number) + distanceOfSecond(), 3);
    expect(leg.bearingDeg[0]).toBeCloseTo(0, 1);
    expect(leg.bearingDeg[1]).toBeCloseTo(90, 0);
    expect(leg.limitMs[0]).toBeCloseTo(ROAD_CLASSES.motorway.limitKmh / 3.6);
    expect(leg.turnLimitMs[1]).toBeCloseTo(turnSpeedKmh(90) / 3.6);
  });

  function distanceOfSecond() {
    return (leg.cumM[2] as number) - (leg.cumM[1] as number);
  }

  it("finds the segment and point at a distance", () => {
    const s = (leg.cumM[1] as number) + 10;
    const seg = segmentAt(leg, s);
    expect(seg).toBe(1);
    const [lon, lat] = pointAt(leg, s, seg);
    expect(lat).toBeCloseTo(52.05, 6);
    expect(lon).toBeGreaterThan(5.0);
  });

  it("reverses a leg", () => {
    const back = reverseLeg(leg);
    expect(back.name).toBe("B -> A");
    expect(back.from).toBe("b");
    expect(back.lengthM).toBeCloseTo(leg.lengthM, 6);
    expect(back.points[0]).toEqual(leg.points[leg.points.length - 1]);
    expect(back.bearingDeg[0]).toBeCloseTo(270, 0);
  });

  it("classes the first and last stretch as urban", () => {
    const urban = withUrbanEnds(leg, 1_000);
    expect(urban.lengthM).toBeCloseTo(leg.lengthM, 1);
    expect(urban.roadClass[0]).toBe("urban");
    expect(urban.roadClass[urban.roadClass.length - 1]).toBe("urban");
    expect(urban.roadClass).toContain("motorway");
    const firstMotorway = urban.roadClass.indexOf("motorway");
    expect(urban.cumM[firstMotorway]).toBeCloseTo(1_000, 1);
  });

  it("needs two distinct points", () => {
    expect(() =>
      buildLeg("x", "a", "a", [
        {
          roadClass: "urban",
          points: [
            [5, 52],
            [5, 52],
          ],
        },
      ]),
    ).toThrow();
  });

  it("slows down more for sharper turns", () => {
    expect(turnSpeedKmh(5)).toBe(Number.POSITIVE_INFINITY);
    expect(turnSpeedKmh(30)).toBeGreaterThan(turnSpeedKmh(80));
    expect(turnSpeedKmh(170)).toBeLessThanOrEqual(turnSpeedKmh(100));
  });
});
