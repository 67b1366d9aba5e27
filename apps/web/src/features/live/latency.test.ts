import { describe, expect, it } from "vitest";
import { formatLatency, LatencyWindow, percentile } from "./latency";

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("LatencyWindow", () => {
  it("gives p50 and p99 of the samples in the window, null without any", () => {
    const window = new LatencyWindow(30_000, 1_000);
    expect(window.stats(0)).toBeNull();
    for (let i = 1; i <= 100; i++) window.add(i, 1_000);
    window.add(5_000, 1_000); // one slow push among 101
    expect(window.stats(2_000)).toEqual({ p50: 51, p99: 100, count: 101 });
  });

  it("forgets samples older than the window", () => {
    const window = new LatencyWindow(30_000, 1_000);
    window.add(900, 0);
    window.add(20, 25_000);
    expect(window.stats(29_000)).toEqual({ p50: 20, p99: 900, count: 2 });
    expect(window.stats(31_000)).toEqual({ p50: 20, p99: 20, count: 1 });
    expect(window.stats(60_000)).toBeNull();
  });

  it("keeps only the newest `capacity` samples", () => {
    const window = new LatencyWindow(30_000, 3);
    for (const value of [500, 500, 500, 10, 20, 30]) window.add(value, 0);
    expect(window.stats(0)).toEqual({ p50: 20, p99: 30, count: 3 });
  });
});

describe("formatLatency", () => {
  it("shows milliseconds under a second, then seconds; a negative value keeps its sign", () => {
    expect(formatLatency(8.4)).toBe("8 ms");
    expect(formatLatency(999.7)).toBe("1.0 s");
    expect(formatLatency(1_420)).toBe("1.4 s");
    expect(formatLatency(12_345)).toBe("12 s");
    expect(formatLatency(-40)).toBe("−40 ms");
  });
});
