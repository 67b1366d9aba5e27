import type { AlertView, Geofence } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { createAlertStore, matchesAlert, NO_ALERT_FILTER } from "./alert-store";

const alert = (id: string, eventTime: number, patch: Partial<AlertView> = {}): AlertView => ({
  v: 1,
  id,
  kind: "ENTER",
  truckId: "T-0001",
  geofenceId: "fence-a",
  geofenceVersion: 1,
  eventTime,
  since: eventTime - 20_000,
  seq: 1,
  lat: 52,
  lon: 5,
  speedKmh: 50,
  raisedAt: eventTime + 500,
  acknowledged: null,
  ...patch,
});

describe("alert store", () => {
  it("lists alerts newest first by event time, live and history merged without repeats", () => {
    const store = createAlertStore();
    store.getState().receiveNew([alert("b", 2_000), alert("a", 1_000)]);
    store.getState().receiveHistory([alert("a", 1_000), alert("c", 3_000), alert("z", 2_000)]);
    expect(store.getState().list.map((a) => a.id)).toEqual(["c", "z", "b", "a"]);
  });

  it("counts alerts that arrive while the Alerts tab is not shown; showing it reads them", () => {
    const store = createAlertStore();
    store.getState().receiveRecent([alert("old", 1)]); // on connect: not news
    expect(store.getState().unread).toBe(0);
    store.getState().receiveNew([alert("a", 2), alert("b", 3)]);
    store.getState().receiveNew([alert("b", 3)]); // redelivered: counted once
    expect(store.getState().unread).toBe(2);
    store.getState().setViewing(true);
    expect(store.getState().unread).toBe(0);
    store.getState().receiveNew([alert("c", 4)]);
    expect(store.getState().unread).toBe(0);
    store.getState().setViewing(false);
    store.getState().receiveNew([alert("d", 5)]);
    expect(store.getState().unread).toBe(1);
  });

  it("keeps an acknowledgement when the same alert arrives again without it", () => {
    const store = createAlertStore();
    store.getState().receiveNew([alert("a", 1)]);
    store.getState().acknowledged({ alertId: "a", by: "Ann", at: 99 });
    store.getState().receiveRecent([alert("a", 1)]);
    expect(store.getState().byId.get("a")?.acknowledged).toEqual({ by: "Ann", at: 99 });
    // The first acknowledgement stays.
    store.getState().acknowledged({ alertId: "a", by: "Bob", at: 100 });
    expect(store.getState().byId.get("a")?.acknowledged?.by).toBe("Ann");
  });

  it("filters by type, fence, the fence's tag and truck", () => {
    const fences = new Map([["fence-a", { tags: ["depot"] } as unknown as Geofence]]);
    const a = alert("a", 1, { kind: "EXIT", truckId: "T-0042" });
    expect(matchesAlert(a, NO_ALERT_FILTER, fences)).toBe(true);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, types: ["ENTER"] }, fences)).toBe(false);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, types: ["ENTER", "EXIT"] }, fences)).toBe(true);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, fence: "fence-b" }, fences)).toBe(false);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, tag: "depot" }, fences)).toBe(true);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, tag: "hub" }, fences)).toBe(false);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, truck: "t-004" }, fences)).toBe(true);
    expect(matchesAlert(a, { ...NO_ALERT_FILTER, truck: "T-0001" }, fences)).toBe(false);
  });
});
