import * as L from "leaflet";
import { formatCoordinate, graticuleStep, gridValues } from "./graticule-grid";

const MAX_LAT = 85;

/**
 * Draws a light lat/lon grid with edge labels under the trucks, so the map reads as a map even
 * when no tiles load. Redrawn after every pan/zoom; returns a function that removes it.
 */
export function addGraticule(map: L.Map): () => void {
  const pane = map.getPane("graticule") ?? map.createPane("graticule");
  pane.style.zIndex = "250"; // above tiles (200), below shapes (400) and markers (600)
  pane.style.pointerEvents = "none";
  const group = L.layerGroup().addTo(map);
  const line = {
    pane: "graticule",
    interactive: false,
    color: "#98a4b3",
    weight: 1,
    opacity: 0.35,
  };

  const label = (latLng: L.LatLngExpression, text: string, edge: "left" | "bottom") =>
    L.marker(latLng, {
      pane: "graticule",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: `graticule-label graticule-label--${edge}`,
        html: `<span aria-hidden="true">${text}</span>`,
        // Zero-size anchor at the grid point; CSS places the text beside it.
        iconSize: [0, 0],
      }),
    });

  const draw = () => {
    group.clearLayers();
    // Half a view of margin on each side, so panning does not reveal grid-less edges.
    const bounds = map.getBounds().pad(0.5);
    const south = Math.max(-MAX_LAT, bounds.getSouth());
    const north = Math.min(MAX_LAT, bounds.getNorth());
    const west = bounds.getWest();
    const east = bounds.getEast();
    if (north <= south || east <= west) return;
    const latStep = graticuleStep((north - south) / 2);
    const lonStep = graticuleStep((east - west) / 2);
    // Labels sit on the visible edges: latitudes on the left, longitudes at the bottom.
    const view = map.getBounds();
    const labelWest = view.getWest();
    const labelSouth = Math.max(-MAX_LAT, view.getSouth());
    for (const lat of gridValues(south, north, latStep)) {
      group.addLayer(
        L.polyline(
          [
            [lat, west],
            [lat, east],
          ],
          line,
        ),
      );
      group.addLayer(label([lat, labelWest], formatCoordinate(lat, "lat", latStep), "left"));
    }
    for (const lon of gridValues(west, east, lonStep)) {
      group.addLayer(
        L.polyline(
          [
            [south, lon],
            [north, lon],
          ],
          line,
        ),
      );
      group.addLayer(label([labelSouth, lon], formatCoordinate(lon, "lon", lonStep), "bottom"));
    }
  };

  draw();
  map.on("moveend", draw);
  return () => {
    map.off("moveend", draw);
    group.remove();
  };
}
