import { describe, expect, it } from "vitest";
import { lastHeardAt, MOVING_MIN_KMH, truckStatus } from "./truck-status";

const now = 1_796_000_000_000;
const TEN_MIN = 600_000;

describe("truck status", () => {
  it("is offline after the configured time without a fix", () => {
    const fix = { eventTime: now - TEN_MIN - 1, processedAt: now - TEN_MIN, speedKmh: 80 };
    expect(truckStatus(fix, now, TEN_MIN)).toBe("offline");
    expect(truckStatus(fix, now, 20 * 60_000)).toBe("moving");
  });

  it("does not let an event time ahead of the clocks keep a silent truck online", () => {
    // Simulator at 10x: event time an hour ahead, processed 11 minutes ago, nothing since.
    const fix = { eventTime: now + 3_600_000, processedAt: now - 11 * 60_000, speedKmh: 80 };
    expect(lastHeardAt(fix)).toBe(fix.processedAt);
    expect(truckStatus(fix, now, TEN_MIN)).toBe("offline");
  });

  it("shows a backfilled old fix as offline even though it was processed just now", () => {
    const fix = { eventTime: now - 3_600_000, processedAt: now - 1_000, speedKmh: 50 };
    expect(truckStatus(fix, now, TEN_MIN)).toBe("offline");
  });

  it("tells moving from stopped by speed", () => {
    const fresh = { eventTime: now - 5_000, processedAt: now - 4_000 };
    expect(truckStatus({ ...fresh, speedKmh: MOVING_MIN_KMH }, now, TEN_MIN)).toBe("moving");
    expect(truckStatus({ ...fresh, speedKmh: 1.2 }, now, TEN_MIN)).toBe("stopped");
  });
});
