import { describe, expect, it } from "vitest";
import {
  DEFAULT_WINDOW_CONFIG,
  earliestEndOf,
  finalThroughAt,
  firstLivePaneStart,
  hoppingStartsOf,
  isFinalAt,
  lastEndOfPane,
  paneStartOf,
  planWindows,
  WindowConfigError,
  windowConfigProblems,
  windowsOf,
} from "./plan";

const plan = planWindows();
const MIN = 60_000;
const T0 = Date.UTC(2035, 2, 31, 1, 0, 0); // a European DST change night: irrelevant in UTC

describe("window and pane arithmetic", () => {
  it("uses 1-minute panes for the default 1-min tumbling, 5-min/1-min hopping, 1-min scope", () => {
    expect(plan.paneMs).toBe(MIN);
    expect(planWindows({ ...DEFAULT_WINDOW_CONFIG, tumblingMs: 90_000 }).paneMs).toBe(30_000);
    expect(
      planWindows({ ...DEFAULT_WINDOW_CONFIG, hopSizeMs: 600_000, hopAdvanceMs: 120_000 }).paneMs,
    ).toBe(MIN);
  });

  it("puts an event exactly at a window end into the next window (half-open windows)", () => {
    const end = T0 + MIN;
    expect(paneStartOf(end - 1, plan)).toBe(T0);
    expect(paneStartOf(end, plan)).toBe(end);
    const spans = windowsOf(end, plan);
    expect(spans.find((w) => w.kind === "tumbling")).toEqual({
      kind: "tumbling",
      start: end,
      end: end + MIN,
    });
    expect(spans.filter((w) => w.kind === "hopping").map((w) => w.start)).toEqual([
      end,
      end - MIN,
      end - 2 * MIN,
      end - 3 * MIN,
      end - 4 * MIN,
    ]);
    // one ms earlier: the hopping window starting at `end` does not contain it, the one 5 min
    // before does
    expect(hoppingStartsOf(end - 1, plan)).toEqual([
      T0,
      T0 - MIN,
      T0 - 2 * MIN,
      T0 - 3 * MIN,
      T0 - 4 * MIN,
    ]);
  });

  it("aligns windows to the UTC epoch, whatever the local time zone or DST", () => {
    expect(T0 % MIN).toBe(0);
    expect(windowsOf(T0 + 59_999, plan)[0]).toEqual({ kind: "tumbling", start: T0, end: T0 + MIN });
    expect(windowsOf(T0 + 3 * 3600_000 + 1, plan)[0]?.start).toBe(T0 + 3 * 3600_000);
  });

  it("never makes a window that starts before 0 (no negative offsets)", () => {
    expect(hoppingStartsOf(0, plan)).toEqual([0]);
    expect(hoppingStartsOf(3 * MIN + 5, plan)).toEqual([3 * MIN, 2 * MIN, MIN, 0]);
    expect(windowsOf(0, plan)).toEqual([
      { kind: "tumbling", start: 0, end: MIN },
      { kind: "hopping", start: 0, end: 5 * MIN },
      { kind: "scope", start: 0, end: MIN },
    ]);
    for (let t = 0; t < 10 * MIN; t += 7_777)
      for (const w of windowsOf(t, plan)) {
        expect(w.start).toBeGreaterThanOrEqual(0);
        expect(w.start <= t && t < w.end).toBe(true);
      }
  });

  it("finds the earliest-ending window of a fix, the last window of a pane, and finality", () => {
    expect(earliestEndOf(T0 + 1, plan)).toBe(T0 + MIN);
    expect(earliestEndOf(0, plan)).toBe(MIN);
    // 2-minute tumbling windows: the earliest-ending window is the hopping one ending next minute
    const wide = planWindows({ ...DEFAULT_WINDOW_CONFIG, tumblingMs: 2 * MIN, scopeMs: 2 * MIN });
    expect(earliestEndOf(T0 + 1, wide)).toBe(T0 + MIN);
    expect(lastEndOfPane(T0, plan)).toBe(T0 + 5 * MIN);
    // final exactly when the watermark reaches end + lateness
    const end = T0 + MIN;
    expect(isFinalAt(end, end + 60_000 - 1, plan)).toBe(false);
    expect(isFinalAt(end, end + 60_000, plan)).toBe(true);
    expect(finalThroughAt(end + 60_000, plan)).toBe(end);
    expect(finalThroughAt(end + 60_000 - 1, plan)).toBe(end - MIN);
    // panes are needed until their last (hopping) window is final
    expect(firstLivePaneStart(T0 + 5 * MIN, plan)).toBe(T0 + MIN);
    expect(firstLivePaneStart(T0 + 5 * MIN - MIN, plan)).toBe(T0);
  });

  it("rejects inconsistent sizes with one line naming the setting", () => {
    expect(windowConfigProblems({ ...DEFAULT_WINDOW_CONFIG, hopSizeMs: 250_000 })).toEqual([
      "hopSizeMs must be a multiple of hopAdvanceMs",
    ]);
    expect(() => planWindows({ ...DEFAULT_WINDOW_CONFIG, tumblingMs: 0 })).toThrow(
      WindowConfigError,
    );
    expect(() => planWindows({ ...DEFAULT_WINDOW_CONFIG, tumblingMs: 300_000 })).toThrow(
      /hopSizeMs must be larger than tumblingMs/,
    );
    expect(() => planWindows({ ...DEFAULT_WINDOW_CONFIG, allowedLatenessMs: -1 })).toThrow(
      /allowedLatenessMs/,
    );
  });
});
