import type { ScopeSpeedWindow } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { geofenceWindowsSummary } from "./SpeedChart";

const minute = (start: number, activeTrucks: number): ScopeSpeedWindow => ({
  v: 1,
  scopeType: "geofence",
  scopeId: "depot",
  windowStart: start,
  windowEnd: start + 60_000,
  sizeMs: 60_000,
  final: false,
  activeTrucks,
  speedingTrucks: 0,
  fixCount: activeTrucks,
  avgSpeedKmh: 42,
});

describe("geofenceWindowsSummary", () => {
  it("says trucks are inside when the fence has occupants but no minute yet", () => {
    expect(geofenceWindowsSummary([], 4, "UTC")).toMatch(/^4 truck\(s\) inside now/);
  });

  it("says no trucks only when none is inside", () => {
    expect(geofenceWindowsSummary([], 0, "UTC")).toBe("No trucks reported inside this fence yet.");
  });

  it("sums up the newest minute once there is one", () => {
    const start = Date.UTC(2026, 11, 4, 9, 0);
    const summary = geofenceWindowsSummary([minute(start, 3)], 4, "UTC");
    expect(summary).toContain("1 minute(s) up to 09:01");
    expect(summary).toContain("last minute 3 truck(s)");
  });
});
