import { describe, expect, it } from "vitest";
import {
  createViewStore,
  DEFAULT_VIEW,
  parseViewState,
  viewOf,
  viewStateQuery,
} from "./view-state";

describe("view state in the URL", () => {
  it("round-trips every part of the view", () => {
    const view = {
      ...DEFAULT_VIEW,
      tab: "alerts" as const,
      truck: "T-0003",
      fence: "6c1f0e9a-0000-4000-8000-000000000000",
      trucks: { q: "T-00", status: "moving" as const, sort: "speed" as const },
      alerts: {
        types: ["ENTER" as const, "EXIT" as const],
        fence: null,
        tag: "depot",
        truck: "T-1",
      },
      replay: {
        trucks: ["T-0003", "T-0004"],
        from: Date.UTC(2026, 11, 1, 10),
        to: Date.UTC(2026, 11, 1, 10, 10),
        t: Date.UTC(2026, 11, 1, 10, 5),
        speed: 60,
      },
    };
    const query = viewStateQuery(view);
    expect(query).toContain("replay=T-0003%2CT-0004");
    expect(query).toContain("from=2026-12-01T10%3A00%3A00.000Z");
    expect(parseViewState(`?${query}`)).toEqual(view);
  });

  it("leaves defaults out of the link", () => {
    expect(viewStateQuery(DEFAULT_VIEW)).toBe("");
    expect(viewStateQuery({ ...DEFAULT_VIEW, truck: "T-1" })).toBe("truck=T-1");
  });

  it("falls back to defaults for anything malformed", () => {
    const view = parseViewState(
      "?tab=nope&truck=not%20an%20id&status=parked&sort=x&atype=ENTER,BOGUS&replay=T-1&from=yesterday&to=2026-12-01T10:00:00Z&speed=7",
    );
    expect(view.tab).toBe("trucks");
    expect(view.truck).toBeNull();
    expect(view.trucks).toEqual({ q: "", status: null, sort: "id" });
    expect(view.alerts.types).toEqual(["ENTER"]);
    expect(view.replay).toBeNull();
  });

  it("selecting an alert follows its truck and highlights its fence; closing clears all", () => {
    const store = createViewStore();
    store.getState().selectAlert({ id: "a-1", truckId: "T-9", geofenceId: "f-1" });
    expect(viewOf(store.getState())).toMatchObject({ alert: "a-1", truck: "T-9", fence: "f-1" });
    store.getState().selectFence("f-2");
    expect(viewOf(store.getState())).toMatchObject({ alert: null, truck: null, fence: "f-2" });
    store.getState().closeDetail();
    expect(viewOf(store.getState())).toMatchObject({ alert: null, truck: null, fence: null });
  });
});
