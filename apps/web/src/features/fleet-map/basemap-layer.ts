import type { Feature, FeatureCollection, Geometry, MultiLineString } from "geojson";
import * as L from "leaflet";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/** Zoom from which the detailed (1:10m) outlines replace the 1:50m ones. */
const DETAILED_FROM_ZOOM = 6;

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

type CountriesTopology = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

/**
 * A light basemap that needs no tile server: land and country borders from Natural Earth
 * (world-atlas, served by /api/basemap/countries), plus the simulator's road network when the
 * server has it on (/api/basemap/roads). Drawn in a pane under the tiles, so where tiles load
 * they cover it. Returns a function that removes it.
 */
export function addBasemap(map: L.Map, options: { roads: boolean }): () => void {
  const pane = map.getPane("basemap") ?? map.createPane("basemap");
  pane.style.zIndex = "150"; // under tiles (200) and the graticule (250)
  pane.style.pointerEvents = "none";
  const renderer = L.canvas({ pane: "basemap", padding: 0.5 });
  const group = L.layerGroup().addTo(map);
  const controller = new AbortController();
  let detail: "50m" | "10m" | null = null;
  let outlines: L.Layer | undefined;
  let roads: L.Layer | undefined;

  const load = async (wanted: "50m" | "10m") => {
    if (detail === wanted || (detail === "10m" && wanted === "50m")) return;
    detail = wanted;
    const response = await fetch(`/api/basemap/countries?detail=${wanted}`, {
      signal: controller.signal,
    });
    if (!response.ok) return;
    const topology = (await response.json()) as CountriesTopology;
    const land = feature(topology, topology.objects.land) as FeatureCollection | Feature;
    const borders = mesh(
      topology,
      topology.objects.countries,
      (a, b) => a !== b,
    ) as MultiLineString;
    const layer = L.layerGroup([
      L.geoJSON(land as Feature<Geometry>, { style: LAND, renderer } as L.GeoJSONOptions),
      L.geoJSON(borders, { style: BORDERS, renderer } as L.GeoJSONOptions),
    ]);
    outlines?.remove();
    outlines = layer;
    group.addLayer(layer);
    roads?.remove();
    if (roads) group.addLayer(roads); // keep roads above the land
  };

  const loadRoads = async () => {
    const response = await fetch("/api/basemap/roads", { signal: controller.signal });
    if (!response.ok) return;
    const collection = (await response.json()) as FeatureCollection;
    roads = L.geoJSON(collection, {
      renderer,
      style: (f) => ROAD_STYLE[String(f?.properties?.roadClass)] ?? ROAD_STYLE.urban,
    } as L.GeoJSONOptions);
    group.addLayer(roads);
  };

  const onZoom = () => {
    if (map.getZoom() >= DETAILED_FROM_ZOOM) void load("10m").catch(() => {});
  };
  void load(map.getZoom() >= DETAILED_FROM_ZOOM ? "10m" : "50m").catch(() => {});
  if (options.roads) void loadRoads().catch(() => {});
  map.on("zoomend", onZoom);
  map.getContainer().classList.add("fleet-map--basemap");

  return () => {
    controller.abort();
    map.off("zoomend", onZoom);
    group.remove();
  };
}
