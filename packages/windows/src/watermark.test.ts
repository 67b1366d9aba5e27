import { describe, expect, it } from "vitest";
import { type PartitionProgress, processorWatermark } from "./watermark";

const part = (partition: number, over: Partial<PartitionProgress> = {}): PartitionProgress => ({
  partition,
  watermark: 1_000_000,
  endOffset: 100,
  appliedOffset: 100,
  quietMs: 0,
  ...over,
});

describe("processor watermark", () => {
  it("is the minimum over partitions that have input", () => {
    const result = processorWatermark(
      [part(0, { watermark: 500 }), part(1, { watermark: 900 }), part(2, { watermark: 700 })],
      30_000,
    );
    expect(result).toEqual({ watermark: 500, idle: [] });
  });

  it("leaves out a partition that is caught up and quiet for the idle timeout", () => {
    const stalled = part(0, { watermark: 100, quietMs: 30_000 });
    expect(processorWatermark([stalled, part(1, { watermark: 900 })], 30_000)).toEqual({
      watermark: 900,
      idle: [0],
    });
    // quiet but with unread records (a lagging or restarted processor): still waited for
    const lagging = part(0, { watermark: 100, quietMs: 600_000, appliedOffset: 40 });
    expect(processorWatermark([lagging, part(1, { watermark: 900 })], 30_000).watermark).toBe(100);
    // caught up but not yet quiet long enough: still waited for
    const recent = part(0, { watermark: 100, quietMs: 29_999 });
    expect(processorWatermark([recent, part(1, { watermark: 900 })], 30_000).watermark).toBe(100);
  });

  it("is held back by a partition with unread records and no watermark yet", () => {
    const fresh = part(0, { watermark: undefined, quietMs: undefined, appliedOffset: 0 });
    expect(processorWatermark([fresh, part(1)], 30_000).watermark).toBe(Number.NEGATIVE_INFINITY);
    // an empty partition (nothing written, nothing applied) is idle at once
    const empty = part(0, {
      watermark: undefined,
      quietMs: undefined,
      endOffset: 0,
      appliedOffset: 0,
    });
    expect(processorWatermark([empty, part(1, { watermark: 42 })], 30_000)).toEqual({
      watermark: 42,
      idle: [0],
    });
  });

  it("takes the maximum when every partition is idle, and never moves backwards", () => {
    const allIdle = [
      part(0, { watermark: 300, quietMs: 40_000 }),
      part(1, { watermark: 800, quietMs: 40_000 }),
    ];
    expect(processorWatermark(allIdle, 30_000).watermark).toBe(800);
    const resumed = [part(0, { watermark: 300, appliedOffset: 90 }), part(1, { watermark: 800 })];
    expect(processorWatermark(resumed, 30_000, 800).watermark).toBe(800);
  });
});
