"use client";

import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useStore } from "zustand";
import { browserTimeZone } from "../../shared/time";
import { AlertsPanel } from "../alerts/AlertsPanel";
import { createEditorStore } from "../geofences/editor-store";
import { GeofencesPanel } from "../geofences/GeofencesPanel";
import { useLive } from "../live/use-live";
import { ReplayBar } from "../replay/ReplayBar";
import { createReplayDataStore } from "../replay/replay-store";
import { TrucksPanel } from "../trucks/TrucksPanel";
import { type ClientConfig, ConsoleContext, type ConsoleContextValue } from "./console-context";
import { Drawer } from "./Drawer";
import { Header } from "./Header";
import { ReconnectBanner } from "./ReconnectBanner";
import { SidePanel } from "./SidePanel";
import { useUrlSync } from "./use-url-sync";
import { createViewStore, type ViewState } from "./view-state";

// Leaflet touches `window` when imported: load the map in the browser only. The download starts
// when this module loads, while the page hydrates, not once the console has rendered.
const loadFleetMap = () => import("../fleet-map/FleetMap").then((m) => m.FleetMap);
if (typeof window !== "undefined") void loadFleetMap();
const FleetMap = dynamic(loadFleetMap, {
  ssr: false,
  loading: () => <div className="fleet-map fleet-map--loading">Loading map…</div>,
});

export interface ConsoleProps {
  initialView: ViewState;
  config: ClientConfig;
}

/**
 * The operations console: header with fleet KPIs, the map in the centre, a side panel with the
 * Trucks / Alerts / Geofences tabs, a details drawer, and the replay bar. The view (tab,
 * selection, filters, replay) lives in the URL.
 */
export function Console({ initialView, config }: ConsoleProps) {
  const live = useLive();
  const [view] = useState(() => createViewStore(initialView));
  const [editor] = useState(createEditorStore);
  const [replayData] = useState(createReplayDataStore);
  const [timeZone, setTimeZone] = useState("UTC");
  const [tilesFailed, setTilesFailed] = useState(false);
  useEffect(() => setTimeZone(browserTimeZone()), []);
  useUrlSync(view);

  const truck = useStore(view, (s) => s.truck);
  const fence = useStore(view, (s) => s.fence);
  const replay = useStore(view, (s) => s.replay !== null);
  useEffect(() => live.watchTruck(truck), [live, truck]);
  useEffect(() => live.watchGeofence(fence && !truck ? fence : null), [live, fence, truck]);

  // Escape closes the editor, else the details (not while typing in a field).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, select, textarea")) return;
      if (editor.getState().draft) editor.getState().close();
      else view.getState().closeDetail();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, view]);

  const context = useMemo<ConsoleContextValue>(
    () => ({ live, view, config, timeZone }),
    [live, view, config, timeZone],
  );
  const onTilesUnavailable = useCallback(() => setTilesFailed(true), []);
  const mapNote = !config.tiles
    ? "Map tiles off: offline basemap"
    : tilesFailed
      ? "Map tiles unavailable: offline basemap"
      : null;

  return (
    <ConsoleContext.Provider value={context}>
      <div className="console">
        <Header />
        <ReconnectBanner />
        <div className="console__body">
          <SidePanel
            tabs={{
              trucks: <TrucksPanel />,
              alerts: <AlertsPanel />,
              geofences: <GeofencesPanel editor={editor} />,
            }}
          />
          <main className="console__map">
            <FleetMap editor={editor} replay={replayData} onTilesUnavailable={onTilesUnavailable} />
            {mapNote ? <p className="map-note">{mapNote}</p> : null}
            {replay ? <ReplayBar data={replayData} /> : null}
          </main>
          {/* The replay needs the map's width; details come back when it closes. */}
          {replay ? null : <Drawer editor={editor} />}
        </div>
      </div>
    </ConsoleContext.Provider>
  );
}
