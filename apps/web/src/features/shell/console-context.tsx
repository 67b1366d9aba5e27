"use client";

import { createContext, useContext, useEffect, useState } from "react";
import { useStore } from "zustand";
import { type Role, roleAllows } from "../../shared/roles";
import type { TileLayerConfig } from "../fleet-map/tiles";
import type { Live } from "../live/use-live";
import type { ViewActions, ViewState, ViewStore } from "./view-state";

/** Settings the server hands the browser at render time. */
export interface ClientConfig {
  tiles: TileLayerConfig | null;
  offlineAfterMs: number;
  roadNetwork: boolean;
  speedingThresholdKmh: number;
  /** Who is signed in: controls their role cannot use are not shown (the server refuses them). */
  me: { label: string; role: Role };
}

export interface ConsoleContextValue {
  live: Live;
  view: ViewStore;
  config: ClientConfig;
  /** The one zone every time in the UI is shown in: the browser's. */
  timeZone: string;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error("useConsole outside <Console>");
  return value;
}

export function useView<T>(selector: (state: ViewState & ViewActions) => T): T {
  return useStore(useConsole().view, selector);
}

/** Whether the signed-in user's role includes `role` (e.g. "dispatcher" may edit geofences). */
export function useCan(role: Role): boolean {
  return roleAllows(useConsole().config.me.role, role);
}

/** The wall clock, re-read every `intervalMs` (ages and staleness tick with it). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
