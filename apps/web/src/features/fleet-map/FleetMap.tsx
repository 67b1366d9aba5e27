"use client";

import type { TrailFix, TruckPosition } from "@fleetstream/contracts";
import * as L from "leaflet";
import { useEffect, useRef } from "react";
import { truckStatus } from "../../shared/truck-status";
import type { EditorStore } from "../geofences/editor-store";
import { getJson } from "../live/api";
import { isDomBaseline } from "../live/use-live";
import { positionAt, trailUntil } from "../replay/replay-model";
import type { ReplayDataStore } from "../replay/replay-store";
import { useConsole } from "../shell/console-context";
import { addBasemap } from "./basemap-layer";
import { DomTruckLayer, rotate } from "./dom-truck-layer";
import { attachGeofenceEditor, loadGeoman } from "./geofence-editor";
import { GeofenceLayer } from "./geofence-layer";
import { addGraticule } from "./graticule-layer";
import { OPENING_VIEW, VIEWPORT_MARGIN } from "./opening-view";
import { TruckCanvasLayer } from "./truck-canvas-layer";
import type { TruckLayer } from "./truck-layer";
import { truckIconHtml } from "./truck-marker-html";

/** A transparent 1x1 GIF shown instead of a broken-image icon when a tile fails. */
const BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
/** The basemap waits for the first trucks at most this long (no connection: land all the same). */
const BASEMAP_AT_LATEST_MS = 3_000;
const REPLAY_COLOURS = ["#c2185b", "#6a1b9a", "#00838f", "#ef6c00", "#2e7d32", "#4e342e"];

export interface FleetMapProps {
  editor: EditorStore;
  replay: ReplayDataStore;
  /** Called once if the tile server fails (the map keeps working on its basemap). */
  onTilesUnavailable?: () => void;
}

/**
 * The Leaflet map: offline basemap (and tiles where they load), geofences, live trucks, the
 * selected truck's trail, the replay, and the geofence editor. Browser-only (next/dynamic with
 * `ssr: false`). Leaflet objects are driven from the stores, not rendered by React.
 */
export function FleetMap({ editor, replay, onTilesUnavailable }: FleetMapProps) {
  const { live, view, config } = useConsole();
  const containerRef = useRef<HTMLElement>(null);
  const onTilesUnavailableRef = useRef(onTilesUnavailable);
  useEffect(() => {
    onTilesUnavailableRef.current = onTilesUnavailable;
  }, [onTilesUnavailable]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const map = L.map(container, { ...OPENING_VIEW, worldCopyJump: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Basemap: Natural Earth");
    const cleanups: (() => void)[] = [];

    if (config.tiles) {
      let reported = false;
      L.tileLayer(config.tiles.url, {
        attribution: config.tiles.attribution,
        maxZoom: 19,
        errorTileUrl: BLANK_TILE,
      })
        .on("tileerror", () => {
          if (reported) return;
          reported = true;
          onTilesUnavailableRef.current?.();
        })
        .addTo(map);
    }
    // The offline basemap comes once the first trucks are on screen (at once for an empty view,
    // after 3 s without a connection): drawn at once, its land was drawn at the opening view and again at the fleet's
    // extent, in the same tasks as the first trucks (a third of the first render at 10,000).
    let basemapRemove: (() => void) | undefined;
    let disposed = false;
    const showBasemap = () => {
      if (basemapRemove || disposed) return;
      basemapRemove = addBasemap(map, { roads: config.roadNetwork });
    };
    const basemapTimer = setTimeout(showBasemap, BASEMAP_AT_LATEST_MS);
    cleanups.push(() => {
      disposed = true;
      clearTimeout(basemapTimer);
      basemapRemove?.();
    });
    cleanups.push(addGraticule(map));

    // --- geofences -------------------------------------------------------------------------
    const fences = new GeofenceLayer(map, (id) => view.getState().selectFence(id));
    const syncFences = () => {
      const s = live.geofences.getState();
      fences.setFences(s.fences);
      fences.setOccupancy(s.occupancy);
    };
    syncFences();
    cleanups.push(live.geofences.subscribe(syncFences));
    cleanups.push(() => fences.destroy());

    // --- live trucks -----------------------------------------------------------------------
    // `?trucks=dom`: one DOM marker per truck on the whole-fleet stream, the benchmarks' baseline.
    const baseline = isDomBaseline();
    const TruckLayerKind = baseline ? DomTruckLayer : TruckCanvasLayer;
    const trucks: TruckLayer = new TruckLayerKind(map, {
      onSelect: (id) => view.getState().selectTruck(id),
    });
    let follow = true;
    let fitted = false;
    /** Once, when the fleet's extent is first known: show the whole fleet. */
    const fitOnce = () => {
      const extent = live.fleet.fleetBounds();
      if (fitted || !extent || view.getState().truck || view.getState().replay) return;
      fitted = true;
      const [west, south, east, north] = extent;
      map.fitBounds(L.latLngBounds([south, west], [north, east]).pad(0.15), {
        maxZoom: 13,
        animate: false,
      });
    };
    /** The fleet channel streams only this area (a margin around the map) and the selection. */
    const sendViewport = () => {
      if (baseline) return;
      const bounds = map.getBounds().pad(VIEWPORT_MARGIN);
      const selected = view.getState().truck;
      live.setViewport({
        west: Math.max(-180, bounds.getWest()),
        south: Math.max(-90, bounds.getSouth()),
        east: Math.min(180, bounds.getEast()),
        north: Math.min(90, bounds.getNorth()),
        zoom: map.getZoom(),
        follow: selected ? [selected] : [],
      });
    };
    sendViewport();
    map.on("moveend", sendViewport);
    /**
     * A truck selected from elsewhere in the fleet (the list's search) is not on the map yet: the
     * jump to it waits for its position, which the viewport's `follow` brings.
     */
    let jumpPending = false;
    const followSelected = (jump: boolean) => {
      const id = view.getState().truck;
      const p = id ? trucks.position(id) : undefined;
      if (jump && !p) jumpPending = id !== null;
      if (!p || !follow || view.getState().replay) return;
      if (jumpPending) {
        jumpPending = false;
        jump = true;
      }
      if (jump) map.setView([p.lat, p.lon], Math.max(map.getZoom(), 11), { animate: false });
      else if (!map.getBounds().pad(-0.2).contains([p.lat, p.lon])) map.panTo([p.lat, p.lon]);
    };
    // For the map benchmark: once the frame after the first trucks were placed has painted.
    let renderMarked = false;
    const markFirstRender = () => {
      const counted = live.fleet.cells()?.count.reduce((sum, n) => sum + n, 0) ?? 0;
      const shown = trucks.size + counted;
      if (renderMarked || shown === 0) return;
      renderMarked = true;
      requestAnimationFrame(() =>
        setTimeout(() => {
          performance.mark("fleet:first-render", { detail: { trucks: shown } });
          showBasemap();
          // The geofence editor's library, now that the trucks are on screen.
          window.requestIdleCallback?.(() => void loadGeoman(), { timeout: 5_000 });
        }),
      );
    };
    trucks.upsert(live.fleet.positions(), { animate: false });
    trucks.setCells(live.fleet.cells());
    markFirstRender();
    fitOnce();
    cleanups.push(
      live.fleet.subscribeChanges((change) => {
        trucks.remove(change.removed);
        trucks.upsert(change.upserted, { animate: change.kind === "positions" });
        if (change.cells !== undefined) trucks.setCells(change.cells);
        if (change.kind === "snapshot") {
          markFirstRender();
          if (!renderMarked) showBasemap(); // an empty view: no trucks to wait for
        }
        fitOnce();
        if (!fitted && view.getState().truck) {
          fitted = true;
          followSelected(true);
        } else followSelected(false);
        extendTrail(change.upserted);
      }),
    );
    const refreshStale = () => {
      const connected = live.fleet.getSummary().connection === "live";
      const now = Date.now();
      trucks.refreshStale(
        (p) => !connected || truckStatus(p, now, config.offlineAfterMs) === "offline",
      );
      container.classList.toggle("fleet-map--disconnected", !connected);
    };
    const staleTimer = setInterval(refreshStale, 1000);
    cleanups.push(() => clearInterval(staleTimer));
    cleanups.push(live.fleet.subscribeSummary(refreshStale));
    map.on("dragstart", () => {
      follow = false;
    });
    cleanups.push(() => trucks.destroy());

    // --- selected truck's trail ------------------------------------------------------------
    const trail = L.polyline([], {
      className: "truck-trail",
      color: "#0b3d91",
      weight: 3,
      opacity: 0.7,
      interactive: false,
    }).addTo(map);
    let trailFor: string | null = null;
    let trailAbort: AbortController | undefined;
    let trailLast = 0;
    function extendTrail(positions: readonly TruckPosition[]) {
      for (const p of positions) {
        if (p.truckId === trailFor && p.eventTime > trailLast) {
          trail.addLatLng([p.lat, p.lon]);
          trailLast = p.eventTime;
        }
      }
    }
    const loadTrail = (truckId: string | null) => {
      trailAbort?.abort();
      trail.setLatLngs([]);
      trailFor = truckId;
      trailLast = 0;
      if (!truckId) return;
      const controller = new AbortController();
      trailAbort = controller;
      getJson<{ fixes: TrailFix[] }>(
        `/api/trucks/${encodeURIComponent(truckId)}/trail`,
        controller.signal,
      )
        .then(({ fixes }) => {
          if (trailFor !== truckId) return;
          const live = trucks.position(truckId);
          const points: L.LatLngExpression[] = fixes.map((f) => [f.lat, f.lon]);
          trailLast = fixes[fixes.length - 1]?.eventTime ?? 0;
          if (live && live.eventTime > trailLast) {
            points.push([live.lat, live.lon]);
            trailLast = live.eventTime;
          }
          trail.setLatLngs(points);
        })
        .catch(() => {});
    };
    cleanups.push(() => trailAbort?.abort());

    // --- selection -------------------------------------------------------------------------
    let selectedTruck: string | null | undefined;
    let selectedFence: string | null | undefined;
    /** A fence selected (e.g. from a link) before it was drawn: focus it once it is. */
    let focusPending = false;
    const focusFence = () => {
      const s = view.getState();
      const bounds = s.fence && !s.truck && !s.replay ? fences.bounds(s.fence) : undefined;
      focusPending = !!s.fence && !s.truck && !bounds?.isValid();
      if (bounds?.isValid()) map.fitBounds(bounds.pad(0.3), { maxZoom: 14, animate: false });
    };
    const syncSelection = () => {
      const s = view.getState();
      if (s.truck !== selectedTruck) {
        selectedTruck = s.truck;
        sendViewport();
        trucks.select(s.truck);
        follow = true;
        loadTrail(s.truck);
        followSelected(true);
      }
      if (s.fence !== selectedFence) {
        selectedFence = s.fence;
        fences.select(s.fence);
        focusFence();
      }
    };
    syncSelection();
    cleanups.push(view.subscribe(syncSelection));
    cleanups.push(
      live.geofences.subscribe(() => {
        if (focusPending) focusFence();
      }),
    );

    // --- replay ----------------------------------------------------------------------------
    const replayGroup = L.layerGroup().addTo(map);
    // Replayed trucks above everything else, fence labels included.
    const replayPane = map.createPane("replay");
    replayPane.style.zIndex = "660";
    const replayMarkers = new Map<string, { marker: L.Marker; path: L.Polyline }>();
    let replayShownFor: string | null = null;
    const syncReplay = () => {
      const r = view.getState().replay;
      const data = replay.getState().data;
      const active = r !== null;
      trucks.setVisible(!active);
      if (active) trail.remove();
      else if (!map.hasLayer(trail)) trail.addTo(map);
      if (!r || !data) {
        replayGroup.clearLayers();
        replayMarkers.clear();
        replayShownFor = null;
        return;
      }
      if (replayShownFor !== data.key) {
        replayGroup.clearLayers();
        replayMarkers.clear();
        replayShownFor = data.key;
        const bounds = L.latLngBounds([]);
        data.trucks.forEach((t, i) => {
          const colour = REPLAY_COLOURS[i % REPLAY_COLOURS.length] ?? "#c2185b";
          L.polyline(
            t.fixes.map((f) => [f.lat, f.lon]),
            { color: colour, weight: 2, opacity: 0.25, interactive: false },
          ).addTo(replayGroup);
          const path = L.polyline([], {
            color: colour,
            weight: 4,
            opacity: 0.9,
            interactive: false,
          }).addTo(replayGroup);
          const marker = L.marker([0, 0], {
            pane: "replay",
            icon: L.divIcon({
              className: "truck-marker truck-marker--replay",
              html: truckIconHtml(t.truckId, "replay"),
              iconSize: [28, 28],
              iconAnchor: [14, 14],
            }),
            keyboard: false,
          });
          marker.bindTooltip(`Replay ${t.truckId}`, { direction: "top" });
          replayMarkers.set(t.truckId, { marker, path });
          for (const f of t.fixes) bounds.extend([f.lat, f.lon]);
        });
        // Leave room for the replay bar over the bottom of the map.
        const bar = container.parentElement?.querySelector(".replay")?.clientHeight ?? 0;
        if (bounds.isValid()) {
          map.fitBounds(bounds.pad(0.1), {
            maxZoom: 14,
            animate: false,
            paddingBottomRight: [0, bar],
          });
        }
      }
      const t = r.t ?? r.from;
      for (const truck of data.trucks) {
        const entry = replayMarkers.get(truck.truckId);
        if (!entry) continue;
        const at = positionAt(truck.fixes, t);
        entry.path.setLatLngs(trailUntil(truck.fixes, t));
        if (!at) {
          entry.marker.remove();
          continue;
        }
        entry.marker.setLatLng([at.lat, at.lon]);
        if (!replayGroup.hasLayer(entry.marker)) entry.marker.addTo(replayGroup);
        rotate(entry.marker, at.headingDeg);
      }
    };
    syncReplay();
    cleanups.push(view.subscribe(syncReplay));
    cleanups.push(replay.subscribe(syncReplay));

    // --- editor ----------------------------------------------------------------------------
    const hideEdited = () => fences.hide(editor.getState().draft?.fence?.id ?? null);
    cleanups.push(editor.subscribe(hideEdited));
    cleanups.push(attachGeofenceEditor(map, editor));

    // Leaflet only notices window resizes; the container can also change with the layout.
    const resizeObserver = new ResizeObserver(() => map.invalidateSize({ debounceMoveend: true }));
    resizeObserver.observe(container);

    return () => {
      resizeObserver.disconnect();
      for (const cleanup of cleanups.reverse()) cleanup();
      map.remove();
    };
  }, [live, view, config, editor, replay]);

  return <section ref={containerRef} className="fleet-map" aria-label="Fleet map" />;
}
