import { describe, expect, it } from "vitest";
import { clusterLabel, clusterRadius, headingBucket, truckStyle } from "./truck-sprites";

describe("headingBucket", () => {
  it("rounds to the nearest 5° and wraps at north", () => {
    expect(headingBucket(0)).toBe(0);
    expect(headingBucket(2.4)).toBe(0);
    expect(headingBucket(2.6)).toBe(1);
    expect(headingBucket(90)).toBe(18);
    expect(headingBucket(357.6)).toBe(0);
    expect(headingBucket(359.9)).toBe(0);
  });

  it("takes negative and out-of-range headings", () => {
    expect(headingBucket(-90)).toBe(54);
    expect(headingBucket(720 + 45)).toBe(9);
    expect(headingBucket(Number.NaN)).toBe(0);
  });

  it("has 72 buckets", () => {
    const buckets = new Set(Array.from({ length: 3600 }, (_, i) => headingBucket(i / 10)));
    expect(buckets.size).toBe(72);
    expect(Math.max(...buckets)).toBe(71);
  });
});

describe("truck and cluster looks", () => {
  it("a selected truck keeps its stale look", () => {
    expect(truckStyle(false, false)).toBe("live");
    expect(truckStyle(false, true)).toBe("stale");
    expect(truckStyle(true, false)).toBe("selected");
    expect(truckStyle(true, true)).toBe("selectedStale");
  });

  it("sizes clusters by count within bounds", () => {
    expect(clusterRadius(2)).toBeGreaterThanOrEqual(14);
    expect(clusterRadius(100)).toBeGreaterThan(clusterRadius(10));
    expect(clusterRadius(50_000)).toBeLessThanOrEqual(30);
  });

  it("abbreviates large counts", () => {
    expect(clusterLabel(999)).toBe("999");
    expect(clusterLabel(1234)).toBe("1.2k");
    expect(clusterLabel(25_600)).toBe("26k");
  });
});
