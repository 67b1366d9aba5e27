import type { FleetWindowPoint, ScopeSpeedWindow, TruckSpeedWindow } from "@fleetstream/contracts";
import { createStore } from "zustand/vanilla";
import { appendWindows } from "../../shared/windows";

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

/** How much of each series the charts keep: an hour of window starts. */
const KEEP_MS = 3_600_000;

export type WindowsStore = ReturnType<typeof createWindowsStore>;

export function createWindowsStore() {
  return createStore<WindowsState>()((set, get) => ({
    fleet: [],
    truck: { id: null, windows: [] },
    geofence: { id: null, windows: [] },
    receiveFleet: (windows) => set({ fleet: appendWindows(get().fleet, windows, KEEP_MS) }),
    watchTruck: (id) => {
      if (id !== get().truck.id) set({ truck: { id, windows: [] } });
    },
    receiveTruck: (windows) => {
      const { id, windows: current } = get().truck;
      const mine = windows.filter((w) => w.truckId === id);
      if (id && mine.length > 0)
        set({ truck: { id, windows: appendWindows(current, mine, KEEP_MS) } });
    },
    watchGeofence: (id) => {
      if (id !== get().geofence.id) set({ geofence: { id, windows: [] } });
    },
    receiveGeofence: (windows) => {
      const { id, windows: current } = get().geofence;
      const mine = windows.filter((w) => w.scopeId === id);
      if (id && mine.length > 0) {
        set({ geofence: { id, windows: appendWindows(current, mine, KEEP_MS) } });
      }
    },
  }));
}
