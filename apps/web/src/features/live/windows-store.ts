import type { FleetWindowPoint, ScopeSpeedWindow, TruckSpeedWindow } from "@fleetstream/contracts";
import { createStore } from "zustand/vanilla";
import { mergeWindows } from "../../shared/windows";

/** Windows of one watched truck or fence: REST history merged with live updates. */
export interface WatchedSeries<W> {
  id: string | null;
  windows: readonly W[];
}

export interface WindowsState {
  fleet: readonly FleetWindowPoint[];
  truck: WatchedSeries<TruckSpeedWindow>;
  geofence: WatchedSeries<ScopeSpeedWindow>;
  receiveFleet(windows: readonly FleetWindowPoint[]): void;
  /** Starts a new series for `id` (drops the previous truck's). */
  watchTruck(id: string | null): void;
  receiveTruck(windows: readonly TruckSpeedWindow[]): void;
  watchGeofence(id: string | null): void;
  receiveGeofence(windows: readonly ScopeSpeedWindow[]): void;
}

/** How much of the fleet's windows the header keeps. */
const FLEET_KEEP_MS = 3_600_000;

export type WindowsStore = ReturnType<typeof createWindowsStore>;

export function createWindowsStore() {
  return createStore<WindowsState>()((set, get) => ({
    fleet: [],
    truck: { id: null, windows: [] },
    geofence: { id: null, windows: [] },
    receiveFleet: (windows) => {
      const merged = mergeWindows(get().fleet, windows);
      const newest = merged[merged.length - 1]?.windowStart ?? 0;
      set({ fleet: merged.filter((w) => w.windowStart > newest - FLEET_KEEP_MS) });
    },
    watchTruck: (id) => {
      if (id !== get().truck.id) set({ truck: { id, windows: [] } });
    },
    receiveTruck: (windows) => {
      const { id, windows: current } = get().truck;
      const mine = windows.filter((w) => w.truckId === id);
      if (id && mine.length > 0) set({ truck: { id, windows: mergeWindows(current, mine) } });
    },
    watchGeofence: (id) => {
      if (id !== get().geofence.id) set({ geofence: { id, windows: [] } });
    },
    receiveGeofence: (windows) => {
      const { id, windows: current } = get().geofence;
      const mine = windows.filter((w) => w.scopeId === id);
      if (id && mine.length > 0) set({ geofence: { id, windows: mergeWindows(current, mine) } });
    },
  }));
}
