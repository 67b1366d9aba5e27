"use client";

import dynamic from "next/dynamic";
import { useCallback, useState, useSyncExternalStore } from "react";
import { INITIAL_SUMMARY } from "../../lib/fleet/fleet-client-store";
import { useFleetConnection } from "../../lib/fleet/use-fleet-connection";
import type { TileLayerConfig } from "../../lib/map/tiles";
import { StatusBar } from "./StatusBar";

// Leaflet touches `window` when imported: load the map in the browser only.
const FleetMap = dynamic(() => import("./FleetMap").then((m) => m.FleetMap), {
  ssr: false,
  loading: () => <div className="fleet-map fleet-map--loading">Loading map…</div>,
});

const serverSummary = () => INITIAL_SUMMARY;

export interface FleetDashboardProps {
  tiles: TileLayerConfig | null;
}

export function FleetDashboard({ tiles }: FleetDashboardProps) {
  const store = useFleetConnection();
  const summary = useSyncExternalStore(store.subscribeSummary, store.getSummary, serverSummary);
  const [tilesFailed, setTilesFailed] = useState(false);
  const onTilesUnavailable = useCallback(() => setTilesFailed(true), []);
  const mapNote = !tiles
    ? "Map tiles off: grid only"
    : tilesFailed
      ? "Map tiles unavailable: grid only"
      : null;

  return (
    <div className="dashboard">
      <StatusBar summary={summary} mapNote={mapNote} />
      <main className="dashboard__map">
        <FleetMap store={store} tiles={tiles} onTilesUnavailable={onTilesUnavailable} />
      </main>
    </div>
  );
}
