import type { TruckPosition } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { type FleetChange, FleetClientStore } from "./fleet-client-store";

const fix = (truckId: string, seq: number): TruckPosition => ({
  truckId,
  seq,
  lat: 52 + seq / 1000,
  lon: 4.9,
  speedKmh: 50,
  headingDeg: 180,
  eventTime: 1_764_000_000_000 + seq,
  processedAt: 1_764_000_000_100 + seq,
});

describe("FleetClientStore", () => {
  it("summarises connection, truck count and last update for the status bar", () => {
    const store = new FleetClientStore();
    expect(store.getSummary()).toEqual({
      connection: "connecting",
      truckCount: 0,
      lastUpdateAt: null,
    });

    store.setConnection("live");
    store.applySnapshot([fix("T-1", 1), fix("T-2", 1)], 1000);
    store.applyPositions([fix("T-3", 1)], 2000);

    expect(store.getSummary()).toEqual({ connection: "live", truckCount: 3, lastUpdateAt: 2000 });
  });

  it("tells the map which trucks moved, ignoring stale updates", () => {
    const store = new FleetClientStore();
    const changes: FleetChange[] = [];
    store.subscribeChanges((change) => changes.push(change));

    store.applySnapshot([fix("T-1", 5)], 1000);
    store.applyPositions([fix("T-1", 4), fix("T-2", 1)], 2000);

    expect(changes.map((c) => [c.kind, c.upserted.map((p) => `${p.truckId}#${p.seq}`)])).toEqual([
      ["snapshot", ["T-1#5"]],
      ["positions", ["T-2#1"]],
    ]);
  });

  it("drops trucks a reconnect snapshot no longer has", () => {
    const store = new FleetClientStore();
    const changes: FleetChange[] = [];
    store.applySnapshot([fix("T-1", 1), fix("T-2", 1)], 1000);
    store.subscribeChanges((change) => changes.push(change));

    store.setConnection("reconnecting");
    store.applySnapshot([fix("T-2", 2)], 3000);

    expect(changes[0]?.removed).toEqual(["T-1"]);
    expect(store.positions().map((p) => `${p.truckId}#${p.seq}`)).toEqual(["T-2#2"]);
    expect(store.getSummary().truckCount).toBe(1);
  });

  it("measures fix-to-screen latency of pushed positions, fleet-wide and per truck", () => {
    const store = new FleetClientStore();
    // fix(…, seq) was processed at 1_764_000_000_100 + seq.
    store.applySnapshot([fix("T-1", 1)], 1_764_000_000_500);
    expect(store.latency(1_764_000_000_500)).toBeNull(); // a snapshot is not a push
    expect(store.shownAfter("T-1")).toBeUndefined();

    store.applyPositions([fix("T-1", 2), fix("T-2", 1)], 1_764_000_000_141);
    store.applyPositions([fix("T-1", 2)], 1_764_000_000_900); // a repeat: not shown again
    expect(store.shownAfter("T-1")).toBe(39);
    expect(store.shownAfter("T-2")).toBe(40);
    expect(store.latency(1_764_000_001_000)).toEqual({ p50: 39, p99: 40, count: 2 });

    store.applySnapshot([fix("T-1", 3)], 1_764_000_002_000); // after a reconnect: unknown again
    expect(store.shownAfter("T-1")).toBeUndefined();
    expect(store.shownAfter("T-2")).toBeUndefined();
  });
});
