import type { Geofence, Occupancy } from "@fleetstream/contracts";
import { createStore } from "zustand/vanilla";

export interface GeofencesState {
  fences: readonly Geofence[];
  byId: ReadonlyMap<string, Geofence>;
  /** Fence id → trucks inside now. */
  occupancy: Occupancy;
  /** Truck id → fences it is inside now (the inverse of occupancy). */
  insideOf: ReadonlyMap<string, readonly string[]>;
  receiveFences(fences: readonly Geofence[]): void;
  receiveOccupancy(occupancy: Occupancy): void;
}

export function invertOccupancy(occupancy: Occupancy): Map<string, string[]> {
  const inside = new Map<string, string[]>();
  for (const [fenceId, trucks] of Object.entries(occupancy)) {
    for (const truckId of trucks) {
      const list = inside.get(truckId) ?? [];
      list.push(fenceId);
      inside.set(truckId, list);
    }
  }
  return inside;
}

export type GeofenceStore = ReturnType<typeof createGeofenceStore>;

export function createGeofenceStore() {
  return createStore<GeofencesState>()((set) => ({
    fences: [],
    byId: new Map(),
    occupancy: {},
    insideOf: new Map(),
    receiveFences: (fences) => set({ fences, byId: new Map(fences.map((f) => [f.id, f])) }),
    receiveOccupancy: (occupancy) => set({ occupancy, insideOf: invertOccupancy(occupancy) }),
  }));
}

const TAG_COLOURS = [
  "#d1495b",
  "#00798c",
  "#edae49",
  "#66a182",
  "#8e6c8a",
  "#2e4057",
  "#e07a5f",
  "#3d5a80",
] as const;

/** A stable colour per tag (same tag, same colour on every page); untagged fences are grey. */
export function tagColour(tag: string | undefined): string {
  if (!tag) return "#6b7785";
  let h = 0;
  for (let i = 0; i < tag.length; i++) h = (Math.imul(h, 31) + tag.charCodeAt(i)) >>> 0;
  return TAG_COLOURS[h % TAG_COLOURS.length] ?? "#6b7785";
}

/** A fence is drawn in the colour of its first tag. */
export const fenceColour = (fence: Pick<Geofence, "tags">): string => tagColour(fence.tags[0]);
