import type { GeofenceAlertKind } from "@fleetstream/contracts";
import { GEOFENCE_ALERT_KINDS } from "@fleetstream/contracts/browser";
import { createStore } from "zustand/vanilla";
import { TRUCK_STATUSES, type TruckStatus } from "../../shared/truck-status";
import { type AlertFilter, NO_ALERT_FILTER } from "../alerts/alert-store";

/**
 * What the console shows: tab, selection, filters and replay. It lives in the URL's query string,
 * so a copied link reproduces the view; `parseViewState` / `viewStateQuery` convert both ways.
 */

export const TABS = ["trucks", "alerts", "geofences"] as const;
export type Tab = (typeof TABS)[number];
export const TRUCK_SORTS = ["id", "speed", "age"] as const;
export type TruckSort = (typeof TRUCK_SORTS)[number];
export const REPLAY_SPEEDS = [1, 2, 5, 10, 30, 60] as const;

export interface TruckFilter {
  q: string;
  status: TruckStatus | null;
  sort: TruckSort;
}

export interface ReplayState {
  trucks: string[];
  from: number;
  to: number;
  /** The replay clock (event time), null = at `from`. */
  t: number | null;
  /** Event-time seconds per wall-clock second. */
  speed: number;
}

export interface ViewState {
  tab: Tab;
  truck: string | null;
  fence: string | null;
  alert: string | null;
  trucks: TruckFilter;
  alerts: AlertFilter;
  replay: ReplayState | null;
}

export const DEFAULT_VIEW: ViewState = {
  tab: "trucks",
  truck: null,
  fence: null,
  alert: null,
  trucks: { q: "", status: null, sort: "id" },
  alerts: NO_ALERT_FILTER,
  replay: null,
};

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const id = (value: string | null): string | null => (value && ID.test(value) ? value : null);
const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  values.includes(value as T) ? (value as T) : null;
const instant = (value: string | null): number | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
};
const iso = (ms: number) => new Date(ms).toISOString();

/** Reads a query string; anything unknown or malformed falls back to the default. */
export function parseViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const list = (name: string) =>
    (p.get(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const from = instant(p.get("from"));
  const to = instant(p.get("to"));
  const replayTrucks = list("replay")
    .map((t) => id(t))
    .filter((t): t is string => t !== null);
  const speed = Number(p.get("speed"));
  return {
    tab: oneOf(TABS, p.get("tab")) ?? DEFAULT_VIEW.tab,
    truck: id(p.get("truck")),
    fence: id(p.get("fence")),
    alert: p.get("alert") || null,
    trucks: {
      q: (p.get("q") ?? "").slice(0, 64),
      status: oneOf(TRUCK_STATUSES, p.get("status")),
      sort: oneOf(TRUCK_SORTS, p.get("sort")) ?? "id",
    },
    alerts: {
      types: list("atype").filter((k): k is GeofenceAlertKind =>
        (GEOFENCE_ALERT_KINDS as readonly string[]).includes(k),
      ),
      fence: id(p.get("afence")),
      tag: p.get("atag") || null,
      truck: p.get("atruck") || null,
    },
    replay:
      replayTrucks.length > 0 && from !== null && to !== null && to > from
        ? {
            trucks: replayTrucks,
            from,
            to,
            t: instant(p.get("t")),
            speed: (REPLAY_SPEEDS as readonly number[]).includes(speed) ? speed : 10,
          }
        : null,
  };
}

/** The query string of a view (without "?"); defaults are left out, so links stay short. */
export function viewStateQuery(view: ViewState): string {
  const p = new URLSearchParams();
  if (view.tab !== DEFAULT_VIEW.tab) p.set("tab", view.tab);
  if (view.truck) p.set("truck", view.truck);
  if (view.fence) p.set("fence", view.fence);
  if (view.alert) p.set("alert", view.alert);
  if (view.trucks.q) p.set("q", view.trucks.q);
  if (view.trucks.status) p.set("status", view.trucks.status);
  if (view.trucks.sort !== "id") p.set("sort", view.trucks.sort);
  if (view.alerts.types.length > 0) p.set("atype", view.alerts.types.join(","));
  if (view.alerts.fence) p.set("afence", view.alerts.fence);
  if (view.alerts.tag) p.set("atag", view.alerts.tag);
  if (view.alerts.truck) p.set("atruck", view.alerts.truck);
  if (view.replay) {
    p.set("replay", view.replay.trucks.join(","));
    p.set("from", iso(view.replay.from));
    p.set("to", iso(view.replay.to));
    if (view.replay.t !== null) p.set("t", iso(view.replay.t));
    if (view.replay.speed !== 10) p.set("speed", String(view.replay.speed));
  }
  return p.toString();
}

export interface ViewActions {
  replaceView(view: ViewState): void;
  setTab(tab: Tab): void;
  selectTruck(truckId: string | null): void;
  selectFence(fenceId: string | null): void;
  /** An alert: its truck is selected (followed) and its fence highlighted. */
  selectAlert(alert: { id: string; truckId: string; geofenceId: string } | null): void;
  closeDetail(): void;
  setTruckFilter(patch: Partial<TruckFilter>): void;
  setAlertFilter(patch: Partial<AlertFilter>): void;
  startReplay(replay: Omit<ReplayState, "t" | "speed"> & Partial<ReplayState>): void;
  setReplay(patch: Partial<ReplayState>): void;
  stopReplay(): void;
}

export type ViewStore = ReturnType<typeof createViewStore>;

export function createViewStore(initial: ViewState = DEFAULT_VIEW) {
  return createStore<ViewState & ViewActions>()((set, get) => ({
    ...initial,
    replaceView: (view) => set(view),
    setTab: (tab) => set({ tab }),
    selectTruck: (truck) => set({ truck, alert: null, ...(truck ? { fence: null } : {}) }),
    selectFence: (fence) => set({ fence, truck: null, alert: null }),
    selectAlert: (alert) =>
      set(
        alert
          ? { alert: alert.id, truck: alert.truckId, fence: alert.geofenceId }
          : { alert: null },
      ),
    closeDetail: () => set({ truck: null, fence: null, alert: null }),
    setTruckFilter: (patch) => set({ trucks: { ...get().trucks, ...patch } }),
    setAlertFilter: (patch) => set({ alerts: { ...get().alerts, ...patch } }),
    startReplay: (replay) => set({ replay: { t: null, speed: 10, ...replay } }),
    setReplay: (patch) => {
      const replay = get().replay;
      if (replay) set({ replay: { ...replay, ...patch } });
    },
    stopReplay: () => set({ replay: null }),
  }));
}

/** The plain view state of a store snapshot (without the actions). */
export function viewOf(state: ViewState): ViewState {
  const { tab, truck, fence, alert, trucks, alerts, replay } = state;
  return { tab, truck, fence, alert, trucks, alerts, replay };
}
