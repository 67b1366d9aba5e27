import { encodePositions, type TruckPosition } from "@fleetstream/contracts";
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
      fleetSize: null,
      lastUpdateAt: null,
    });

    store.setConnection("live");
    store.applySnapshot([fix("T-1", 1), fix("T-2", 1)], 1000);
    store.applyPositions([fix("T-3", 1)], 2000);

    expect(store.getSummary()).toEqual({
      connection: "live",
      truckCount: 3,
      fleetSize: 3,
      lastUpdateAt: 2000,
    });
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

  it("keeps the map's area: a view replaces everything, a truck that leaves is dropped", () => {
    const store = new FleetClientStore();
    const changes: FleetChange[] = [];
    store.subscribeChanges((change) => changes.push(change));
    const area = { west: 4, south: 51, east: 6, north: 53, zoom: 9, follow: ["FOLLOWED"] };
    store.setViewport(area);
    store.applyView(
      { positions: encodePositions([fix("T-1", 1), fix("T-2", 1)]), fleetSize: 500 },
      1000,
    );
    expect(store.getSummary()).toMatchObject({ truckCount: 2, fleetSize: 500 });

    const away = { ...fix("T-1", 2), lat: 40 };
    const followedAway = { ...fix("FOLLOWED", 1), lat: 40 };
    store.applyChanges({ positions: encodePositions([away, followedAway]), fleetSize: 501 }, 2000);
    expect(changes.at(-1)).toMatchObject({ removed: ["T-1"] });
    expect(changes.at(-1)?.upserted.map((p) => p.truckId)).toEqual(["FOLLOWED"]);
    expect(
      store
        .positions()
        .map((p) => p.truckId)
        .sort(),
    ).toEqual(["FOLLOWED", "T-2"]);
    expect(store.getSummary()).toMatchObject({ truckCount: 2, fleetSize: 501 });

    const cells = { lat: [52], lon: [5], count: [4_000] };
    store.applyView({ positions: encodePositions([]), cells, fleetSize: 4_001 }, 3000);
    expect(changes.at(-1)).toMatchObject({ kind: "snapshot", cells });
    expect(store.positions()).toEqual([]);
    expect(store.cells()).toEqual(cells);
  });
});
