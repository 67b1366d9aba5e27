import type { GeofenceAlert, GeofenceAlertKind } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { AlertsView } from "./alerts-view";

const alert = (
  kind: GeofenceAlertKind,
  truckId: string,
  geofenceId: string,
  eventTime: number,
): GeofenceAlert => ({
  v: 1,
  id: `${truckId}/${geofenceId}/${kind}/${eventTime}`,
  kind,
  truckId,
  geofenceId,
  geofenceVersion: 1,
  eventTime,
  since: eventTime,
  seq: 1,
  lat: 52,
  lon: 5,
  speedKmh: 40,
});

describe("alerts view", () => {
  it("knows who is inside which fence from ENTER, DWELL and EXIT", () => {
    const view = new AlertsView();
    view.add(alert("ENTER", "T-1", "f", 1_000), 1_100);
    view.add(alert("DWELL", "T-2", "f", 1_500), 1_600); // a dwell implies inside
    view.add(alert("ENTER", "T-1", "g", 1_700), 1_800);
    view.add(alert("CROSSED", "T-3", "f", 1_800), 1_900); // passing through: not inside
    expect(view.occupancy()).toEqual({ f: ["T-1", "T-2"], g: ["T-1"] });
    expect(view.fencesOf("T-1")).toEqual(["f", "g"]);
    view.add(alert("EXIT", "T-1", "f", 2_000), 2_100);
    expect(view.occupancy()).toEqual({ f: ["T-2"], g: ["T-1"] });
  });

  it("ignores a redelivered or older alert for the same truck and fence", () => {
    const view = new AlertsView();
    view.add(alert("ENTER", "T-1", "f", 1_000), 1_100);
    view.add(alert("EXIT", "T-1", "f", 2_000), 2_100);
    // At-least-once: the ENTER again (same id) changes nothing.
    expect(view.add(alert("ENTER", "T-1", "f", 1_000), 3_000)).toBe(false);
    expect(view.occupancy()).toEqual({});
    expect(view.size).toBe(2);
  });

  it("drops the trucks of a deleted or disabled fence and says the occupancy changed", () => {
    const view = new AlertsView();
    view.add(alert("ENTER", "T-1", "f", 1_000), 1_100);
    expect(view.takeOccupancyChange()).toEqual({ f: ["T-1"] });
    expect(view.takeOccupancyChange()).toBeUndefined();
    view.dropFence("f");
    expect(view.takeOccupancyChange()).toEqual({});
  });

  it("pushes each new alert once, newest first, with how late it was raised", () => {
    const view = new AlertsView(2);
    view.add(alert("ENTER", "T-1", "f", 1_000), 1_250);
    view.add(alert("ENTER", "T-2", "f", 3_000), 3_100);
    view.add(alert("EXIT", "T-1", "f", 2_000), 2_100);
    const fresh = view.takeNew();
    expect(fresh.map((a) => [a.truckId, a.eventTime, a.raisedAt])).toEqual([
      ["T-2", 3_000, 3_100],
      ["T-1", 2_000, 2_100],
      ["T-1", 1_000, 1_250],
    ]);
    expect(view.takeNew()).toEqual([]);
    // Capacity 2: the oldest arrival is no longer among the recent ones.
    expect(view.recent().map((a) => a.eventTime)).toEqual([3_000, 2_000]);
  });

  it("overlays acknowledgements on the alerts it holds", () => {
    const view = new AlertsView();
    const a = alert("ENTER", "T-1", "f", 1_000);
    view.add(a, 1_100);
    view.acknowledge({ alertId: a.id, by: "Ann", at: 5 });
    expect(view.get(a.id)?.acknowledged).toEqual({ by: "Ann", at: 5 });
  });
});
