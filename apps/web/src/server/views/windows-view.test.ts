import type { ScopeSpeedWindow, TruckSpeedWindow } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { WindowsView } from "./windows-view";

const MIN = 60_000;
const truck = (
  truckId: string,
  start: number,
  max: number,
  patch: Partial<TruckSpeedWindow> = {},
): TruckSpeedWindow => ({
  v: 1,
  truckId,
  kind: "tumbling",
  windowStart: start,
  windowEnd: start + MIN,
  sizeMs: MIN,
  final: false,
  fixCount: 3,
  avgSpeedKmh: max - 5,
  maxSpeedKmh: max,
  speedingCount: 0,
  distanceM: 1_000,
  ...patch,
});
const scope = (
  scopeType: "fleet" | "geofence",
  scopeId: string,
  start: number,
  patch: Partial<ScopeSpeedWindow> = {},
): ScopeSpeedWindow => ({
  v: 1,
  scopeType,
  scopeId,
  windowStart: start,
  windowEnd: start + MIN,
  sizeMs: MIN,
  final: false,
  activeTrucks: 2,
  speedingTrucks: 0,
  fixCount: 6,
  avgSpeedKmh: 60,
  ...patch,
});

describe("windows view", () => {
  it("gives fleet windows the highest speed of the trucks' tumbling windows of the same minute", () => {
    const view = new WindowsView();
    view.applyScope(scope("fleet", "fleet", 0));
    view.applyTruck(truck("T-1", 0, 70));
    view.applyTruck(truck("T-2", 0, 95));
    view.applyTruck(truck("T-2", 0, 80, { kind: "hopping", sizeMs: 5 * MIN })); // not per minute
    view.applyTruck(truck("T-1", MIN, 50));
    expect(view.fleet().map((w) => [w.windowStart, w.maxSpeedKmh])).toEqual([[0, 95]]);
    view.applyScope(scope("fleet", "fleet", MIN));
    expect(view.fleet().map((w) => [w.windowStart, w.maxSpeedKmh])).toEqual([
      [0, 95],
      [MIN, 50],
    ]);
  });

  it("keeps each truck's tumbling windows, newer values replacing older ones", () => {
    const view = new WindowsView();
    view.applyTruck(truck("T-1", 0, 60, { fixCount: 2 }));
    view.applyTruck(truck("T-1", 0, 65, { fixCount: 3, final: true }));
    view.applyTruck(truck("T-1", 0, 40, { fixCount: 1 })); // a stale repeat
    expect(view.truck("T-1").map((w) => [w.maxSpeedKmh, w.final])).toEqual([[65, true]]);
    expect(view.truck("T-2")).toEqual([]);
  });

  it("pushes only what changed, per truck and per fence", () => {
    const view = new WindowsView();
    view.applyTruck(truck("T-1", 0, 60));
    view.applyScope(scope("geofence", "f", 0));
    view.applyScope(scope("fleet", "fleet", 0));
    const first = view.takeChanges();
    expect(first.fleet).toHaveLength(1);
    expect([...first.trucks.keys()]).toEqual(["T-1"]);
    expect([...first.geofences.keys()]).toEqual(["f"]);
    view.applyTruck(truck("T-2", 0, 99)); // raises the fleet's maximum of minute 0
    const second = view.takeChanges();
    expect(second.fleet.map((w) => w.maxSpeedKmh)).toEqual([99]);
    expect([...second.trucks.keys()]).toEqual(["T-2"]);
    expect(second.geofences.size).toBe(0);
  });

  it("builds changes only for the trucks and fences someone watches; a later watch gets them whole", () => {
    const view = new WindowsView();
    for (const id of ["T-1", "T-2", "T-3"]) view.applyTruck(truck(id, 0, 60));
    view.applyScope(scope("geofence", "f", 0));
    view.applyScope(scope("geofence", "g", 0));
    const changes = view.takeChanges({
      truck: (id) => id === "T-2",
      geofence: (id) => id === "g",
    });
    expect([...changes.trucks.keys()]).toEqual(["T-2"]);
    expect([...changes.geofences.keys()]).toEqual(["g"]);
    expect(changes.fleet).toEqual([]); // no fleet window yet: the fleet is everyone's
    // What was not sent is not sent later as a change, but is there for a new watcher.
    expect(view.takeChanges().trucks.size).toBe(0);
    expect(view.truck("T-1").map((w) => w.maxSpeedKmh)).toEqual([60]);
  });

  it("keeps the retention, and follows a source whose event time moved back", () => {
    const view = new WindowsView({ truckRetentionMs: 10 * MIN, scopeRetentionMs: 60 * MIN });
    for (let m = 0; m < 20; m++) view.applyTruck(truck("T-1", m * MIN, 50));
    expect(view.truck("T-1").map((w) => w.windowStart / MIN)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
    // The simulator restarted with event times two hours earlier.
    view.applyTruck(truck("T-1", -120 * MIN, 30));
    expect(view.truck("T-1").map((w) => w.windowStart / MIN)).toEqual([-120]);
  });

  it("keeps five minutes of a truck's windows by default (the table has the older ones)", () => {
    const view = new WindowsView();
    for (let m = 0; m < 20; m++) view.applyTruck(truck("T-1", m * MIN, 50));
    expect(view.truck("T-1").map((w) => w.windowStart / MIN)).toEqual([15, 16, 17, 18, 19]);
  });
});
