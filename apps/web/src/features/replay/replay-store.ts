import type { AlertView, TrailFix } from "@fleetstream/contracts";
import { createStore } from "zustand/vanilla";

export interface ReplayTrail {
  truckId: string;
  fixes: TrailFix[];
  truncated: boolean;
}

export interface ReplayData {
  key: string;
  from: number;
  to: number;
  trucks: ReplayTrail[];
  alerts: AlertView[];
}

export interface ReplayDataState {
  data: ReplayData | null;
  loading: boolean;
  error: string | null;
  set(patch: Partial<Omit<ReplayDataState, "set">>): void;
}

export type ReplayDataStore = ReturnType<typeof createReplayDataStore>;

/** What /api/replay answered for the replay in the URL (shared by the bar and the map). */
export function createReplayDataStore() {
  return createStore<ReplayDataState>()((set) => ({
    data: null,
    loading: false,
    error: null,
    set: (patch) => set(patch),
  }));
}

export const replayKey = (r: { trucks: string[]; from: number; to: number }) =>
  `${r.trucks.join(",")}|${r.from}|${r.to}`;
