import type { FeatureCollection, MultiLineString, MultiPolygon } from "geojson";
import * as L from "leaflet";

type Detail = "110m" | "50m" | "10m";
type BBox = [number, number, number, number];

/** Natural Earth scale for a zoom level: coarse outlines for the world, 1:10m for a country. */
export function detailForZoom(zoom: number): Detail {
  return zoom <= 3 ? "110m" : zoom <= 6 ? "50m" : "10m";
}

/** The view padded by its own size on every side, clamped to the world: what one request covers. */
export function paddedBox(view: BBox): BBox {
  const [w, s, e, n] = view;
  const dx = e - w;
  const dy = n - s;
  return [
    Math.max(-180, w - dx),
    Math.max(-85, s - dy),
    Math.min(180, e + dx),
    Math.min(85, n + dy),
  ];
}

export const contains = (outer: BBox, inner: BBox): boolean =>
  outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];

const RETRY_MS = 5_000;

const LAND: L.PathOptions = {
  stroke: false,
  fillColor: "#f3efe6",
  fillOpacity: 1,
  interactive: false,
};
const BORDERS: L.PathOptions = { color: "#b5aa99", weight: 1, opacity: 0.9, interactive: false };
const ROAD_STYLE: Record<string, L.PathOptions> = {
  motorway: { color: "#a7adb5", weight: 2.5, opacity: 0.9, interactive: false },
  primary: { color: "#bfc4ca", weight: 2, opacity: 0.9, interactive: false },
  urban: { color: "#cfd3d8", weight: 1.5, opacity: 0.9, interactive: false },
};

/**
 * A light basemap that needs no tile server: land and country borders from Natural Earth,
 * fetched for the area around the view at a scale that suits the zoom
 * (/api/basemap/outlines), plus the simulator's road network when the server has it on
 * (/api/basemap/roads). Drawn in a pane under the tiles, so where tiles load they cover it.
 * Returns a function that removes it.
 */
export function addBasemap(map: L.Map, options: { roads: boolean }): () => void {
  const pane = map.getPane("basemap") ?? map.createPane("basemap");
  pane.style.zIndex = "150"; // under tiles (200) and the graticule (250)
  pane.style.pointerEvents = "none";
  const renderer = L.canvas({ pane: "basemap", padding: 0.5 });
  const outlinesGroup = L.layerGroup().addTo(map);
  const roadsGroup = L.layerGroup().addTo(map);
  const controller = new AbortController();
  let loaded: { detail: Detail; bbox: BBox } | null = null;
  let requested = 0;

  const refresh = async () => {
    const b = map.getBounds();
    const view: BBox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const detail = detailForZoom(map.getZoom());
    if (loaded && loaded.detail === detail && contains(loaded.bbox, view)) return;
    const bbox = paddedBox(view);
    const request = ++requested;
    const response = await fetch(
      `/api/basemap/outlines?detail=${detail}&bbox=${bbox.map((v) => v.toFixed(3)).join(",")}`,
      {
        signal: controller.signal,
      },
    );
    if (!response.ok || request !== requested) return;
    const answer = (await response.json()) as { land: MultiPolygon; borders: MultiLineString };
    if (request !== requested) return;
    loaded = { detail, bbox };
    outlinesGroup.clearLayers();
    outlinesGroup.addLayer(L.geoJSON(answer.land, { style: LAND, renderer } as L.GeoJSONOptions));
    outlinesGroup.addLayer(
      L.geoJSON(answer.borders, { style: BORDERS, renderer } as L.GeoJSONOptions),
    );
    roadsGroup.eachLayer((layer) => (layer as L.GeoJSON).bringToFront());
    // For people and tests alike: the land is drawn.
    map.getContainer().dataset.basemap = "ready";
  };

  const loadRoads = async () => {
    const response = await fetch("/api/basemap/roads", { signal: controller.signal });
    if (!response.ok) return;
    const collection = (await response.json()) as FeatureCollection;
    roadsGroup.addLayer(
      L.geoJSON(collection, {
        renderer,
        style: (f) => ROAD_STYLE[String(f?.properties?.roadClass)] ?? ROAD_STYLE.urban,
      } as L.GeoJSONOptions),
    );
  };

  // A failed request (server restarting, network down) is tried again a little later.
  const retries = new Set<ReturnType<typeof setTimeout>>();
  const later = (attempt: () => void) => {
    if (controller.signal.aborted) return;
    const timer = setTimeout(() => {
      retries.delete(timer);
      attempt();
    }, RETRY_MS);
    retries.add(timer);
  };
  const onMove = () => void refresh().catch(() => later(onMove));
  const roads = () => void loadRoads().catch(() => later(roads));
  onMove();
  if (options.roads) roads();
  map.on("moveend", onMove);
  map.getContainer().classList.add("fleet-map--basemap");

  return () => {
    controller.abort();
    for (const timer of retries) clearTimeout(timer);
    map.off("moveend", onMove);
    outlinesGroup.remove();
    roadsGroup.remove();
  };
}
