"use client";

import * as L from "leaflet";
import { useEffect, useRef } from "react";
import type { FleetClientStore } from "../../lib/fleet/fleet-client-store";
import { addGraticule } from "../../lib/map/graticule-layer";
import type { TileLayerConfig } from "../../lib/map/tiles";
import { TruckLayer } from "../../lib/map/truck-layer";

/** A transparent 1x1 GIF shown instead of a broken-image icon when a tile fails. */
const BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

export interface FleetMapProps {
  store: FleetClientStore;
  tiles: TileLayerConfig | null;
  /** Called once if the tile server fails (the map keeps working on its grid). */
  onTilesUnavailable?: () => void;
}

/** The full-size Leaflet map. Browser-only: loaded with next/dynamic and `ssr: false`. */
export function FleetMap({ store, tiles, onTilesUnavailable }: FleetMapProps) {
  const containerRef = useRef<HTMLElement>(null);
  const onTilesUnavailableRef = useRef(onTilesUnavailable);
  useEffect(() => {
    onTilesUnavailableRef.current = onTilesUnavailable;
  }, [onTilesUnavailable]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const map = L.map(container, { center: [30, 0], zoom: 2, worldCopyJump: true });
    map.attributionControl.setPrefix(false);

    if (tiles) {
      let reported = false;
      L.tileLayer(tiles.url, {
        attribution: tiles.attribution,
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
    const removeGraticule = addGraticule(map);
    const trucks = new TruckLayer(map);

    // Fit to the fleet once, on the first data that has trucks; afterwards the user owns the view.
    let fitted = false;
    const fitOnce = () => {
      if (!fitted) fitted = trucks.fitToFleet();
    };
    trucks.upsert(store.positions(), { animate: false });
    fitOnce();
    const unsubscribe = store.subscribeChanges((change) => {
      trucks.remove(change.removed);
      trucks.upsert(change.upserted, { animate: change.kind === "positions" });
      fitOnce();
    });

    // Leaflet only notices window resizes; the container can also change with the header.
    const resizeObserver = new ResizeObserver(() => map.invalidateSize({ debounceMoveend: true }));
    resizeObserver.observe(container);

    return () => {
      resizeObserver.disconnect();
      unsubscribe();
      trucks.destroy();
      removeGraticule();
      map.remove();
    };
  }, [store, tiles]);

  return <section ref={containerRef} className="fleet-map" aria-label="Fleet map" />;
}
