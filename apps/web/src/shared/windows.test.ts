import { describe, expect, it } from "vitest";
import { appendWindows, isNewerWindow, mergeWindows } from "./windows";

const w = (windowStart: number, fixCount: number, final = false) => ({
  windowStart,
  fixCount,
  final,
});

describe("window merging", () => {
  it("keeps the final value and the one with more fixes", () => {
    expect(isNewerWindow(w(0, 3), w(0, 2))).toBe(true);
    expect(isNewerWindow(w(0, 2), w(0, 3))).toBe(false);
    expect(isNewerWindow(w(0, 1), w(0, 3, true))).toBe(false);
    expect(isNewerWindow(w(0, 3, true), w(0, 4))).toBe(true);
  });

  it("merges stored and live series by start, oldest first", () => {
    const stored = [w(0, 3, true), w(60, 2)];
    const live = [w(60, 3), w(120, 1)];
    expect(mergeWindows(stored, live)).toEqual([w(0, 3, true), w(60, 3), w(120, 1)]);
  });

  it("keeps only the newest hour, and starts over when the source's clock moved back", () => {
    const hour = 3_600_000;
    const series = [w(0, 1), w(hour / 2, 1)];
    expect(appendWindows(series, [w(hour + 60_000, 1)], hour).map((x) => x.windowStart)).toEqual([
      hour / 2,
      hour + 60_000,
    ]);
    // A simulator restarted two hours earlier: its windows are not dropped as "too old".
    const restarted = appendWindows([w(5 * hour, 4)], [w(3 * hour, 1)], hour);
    expect(restarted).toEqual([w(3 * hour, 1)]);
  });
});
