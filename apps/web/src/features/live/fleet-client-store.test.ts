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

  it("moves the summary at most once a second with pushes, exactly when the connection changes", () => {
    const store = new FleetClientStore();
    let notified = 0;
    store.subscribeSummary(() => notified++);
    store.setConnection("live");
    store.applyPositions([fix("T-1", 1)], 1_000);
    const first = store.getSummary();
    store.applyPositions([fix("T-1", 2)], 1_200);
    store.applyPositions([fix("T-1", 3)], 1_900);
    expect(store.getSummary()).toBe(first); // same count, within the second: no re-render
    expect(notified).toBe(2);

    store.applyPositions([fix("T-2", 1)], 1_950); // a new truck: at once
    expect(store.getSummary().truckCount).toBe(2);
    store.applyPositions([fix("T-1", 4)], 2_300);
    expect(store.getSummary().lastUpdateAt).toBe(1_950);
    store.setConnection("reconnecting"); // the banner's "as of": the last push exactly
    expect(store.getSummary()).toEqual({
      connection: "reconnecting",
      truckCount: 2,
      fleetSize: 2,
      lastUpdateAt: 2_300,
    });
    store.applyPositions([fix("T-1", 5)], 3_299);
    expect(store.getSummary().lastUpdateAt).toBe(2_300);
    store.applyPositions([fix("T-1", 6)], 3_300);
    expect(store.getSummary().lastUpdateAt).toBe(3_300);
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
