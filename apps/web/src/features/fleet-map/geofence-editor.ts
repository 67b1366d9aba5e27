import type { GeofenceGeometry } from "@fleetstream/contracts";
import * as L from "leaflet";
import {
  DEFAULT_CORRIDOR_BUFFER_M,
  type DrawKind,
  type EditorStore,
} from "../geofences/editor-store";
import {
  circleGeometry,
  corridorWeight,
  type LatLngTuple,
  latLngsToLine,
  latLngsToRings,
  lineToLatLngs,
  ringsToLatLngs,
} from "./geofence-shapes";

const SHAPE: Record<DrawKind, "Polygon" | "Rectangle" | "Circle" | "Line"> = {
  Polygon: "Polygon",
  Rectangle: "Rectangle",
  Circle: "Circle",
  Corridor: "Line",
};

const STYLE: L.PathOptions = { color: "#0b3d91", weight: 3, fillOpacity: 0.2, dashArray: "" };

const tuple = (p: L.LatLng): LatLngTuple => [p.lat, p.lng];

/** The geometry of a drawn or edited layer. */
export function geometryOfLayer(layer: L.Layer, bufferM: number): GeofenceGeometry | null {
  if (layer instanceof L.Circle) return circleGeometry(tuple(layer.getLatLng()), layer.getRadius());
  if (layer instanceof L.Polygon) {
    const latlngs = layer.getLatLngs() as L.LatLng[][] | L.LatLng[][][];
    const first = latlngs[0];
    if (first && Array.isArray(first[0])) {
      const polygons = (latlngs as L.LatLng[][][]).map((p) =>
        latLngsToRings(p.map((r) => r.map(tuple))),
      );
      return polygons.length === 1
        ? { type: "Polygon", coordinates: polygons[0] ?? [] }
        : { type: "MultiPolygon", coordinates: polygons };
    }
    return {
      type: "Polygon",
      coordinates: latLngsToRings((latlngs as L.LatLng[][]).map((r) => r.map(tuple))),
    };
  }
  if (layer instanceof L.Polyline) {
    const line = (layer.getLatLngs() as L.LatLng[]).map(tuple);
    return { type: "Corridor", coordinates: latLngsToLine(line), bufferM };
  }
  return null;
}

function layerOf(geometry: GeofenceGeometry): L.Path {
  switch (geometry.type) {
    case "Circle":
      return L.circle([geometry.center[1], geometry.center[0]], {
        ...STYLE,
        radius: geometry.radiusM,
      });
    case "Polygon":
      return L.polygon(ringsToLatLngs(geometry.coordinates), STYLE);
    case "MultiPolygon":
      return L.polygon(
        geometry.coordinates.map((p) => ringsToLatLngs(p)),
        STYLE,
      );
    case "Corridor":
      return L.polyline(lineToLatLngs(geometry.coordinates), STYLE);
  }
}

let geoman: Promise<unknown> | undefined;

/**
 * Loads leaflet-geoman, once. It is 270 KB with the lodash it bundles, more than the rest of the
 * map: the map asks for it when idle after its first render, and the editor when a fence is
 * first drawn or edited, so the first render does not wait for it.
 */
export function loadGeoman(): Promise<unknown> {
  geoman ??= import("@geoman-io/leaflet-geoman-free");
  return geoman;
}

/**
 * Drawing and editing geofences on the map with leaflet-geoman: follows the editor store (what
 * to draw, which fence to edit) and writes the shape back to it after every draw, vertex move,
 * resize or drag. A corridor's buffer is previewed as a wide line. Attached once geoman has
 * loaded (at the first fence drawn or edited). Returns a function that removes it.
 */
export function attachGeofenceEditor(map: L.Map, store: EditorStore): () => void {
  let removed = false;
  let detach: (() => void) | undefined;
  const attach = () =>
    loadGeoman().then(() => {
      if (removed || detach) return;
      // geoman extends the global Leaflet (window.L) and gives `map.pm` to the maps created
      // after it loaded (an init hook): this one may have been created before.
      const pmMap = map as L.Map & { pm?: L.PM.PMMap };
      const global = window as unknown as { L: { PM: { Map: new (m: L.Map) => L.PM.PMMap } } };
      pmMap.pm ??= new global.L.PM.Map(map);
      detach = attachLoadedEditor(map, store);
    });
  const unsubscribe = store.subscribe((state) => {
    if (state.draft && !detach) void attach();
  });
  if (store.getState().draft) void attach();
  return () => {
    removed = true;
    unsubscribe();
    detach?.();
  };
}

function attachLoadedEditor(map: L.Map, store: EditorStore): () => void {
  map.pm.setGlobalOptions({
    allowSelfIntersection: false,
    snappable: false,
    templineStyle: STYLE,
    hintlineStyle: STYLE,
    pathOptions: STYLE,
  });
  let editable: L.Path | undefined;
  let buffer: L.Polyline | undefined;
  let shownSession = 0;

  const bufferM = () => {
    const g = store.getState().draft?.geometry;
    return g?.type === "Corridor" ? g.bufferM : DEFAULT_CORRIDOR_BUFFER_M;
  };

  const drawBuffer = () => {
    buffer?.remove();
    buffer = undefined;
    const g = store.getState().draft?.geometry;
    if (g?.type !== "Corridor" || !editable) return;
    const latlngs = lineToLatLngs(g.coordinates);
    const lat = latlngs[0]?.[0] ?? 0;
    buffer = L.polyline(latlngs, {
      color: STYLE.color,
      opacity: 0.2,
      interactive: false,
      lineCap: "round",
      lineJoin: "round",
      weight: corridorWeight(g.bufferM, lat, map.getZoom()),
    }).addTo(map);
  };

  const changed = () => {
    if (!editable) return;
    const geometry = geometryOfLayer(editable, bufferM());
    if (geometry) store.getState().setGeometry(geometry);
  };

  const makeEditable = (layer: L.Path) => {
    editable = layer;
    layer.addTo(map);
    layer.pm.enable({ allowSelfIntersection: false, draggable: true });
    layer.on("pm:edit pm:dragend pm:markerdragend pm:vertexremoved", changed);
  };

  const clear = () => {
    editable?.off();
    editable?.pm.disable();
    editable?.remove();
    editable = undefined;
    buffer?.remove();
    buffer = undefined;
  };

  const onCreate = (event: { layer: L.Layer }) => {
    map.pm.disableDraw();
    // geoman added the layer; take it over as the editable shape.
    const layer = event.layer as L.Path;
    const geometry = geometryOfLayer(layer, bufferM());
    layer.remove();
    if (!geometry) return;
    store.getState().setGeometry(geometry);
  };
  map.on("pm:create", onCreate);

  const sync = () => {
    const draft = store.getState().draft;
    // While a shape is drawn, a click on a truck places a corner there instead of opening the
    // truck (moving markers would otherwise catch corners and fly the map to a truck).
    map.getContainer().classList.toggle("fleet-map--drawing", Boolean(draft?.drawing));
    if (!draft) {
      map.pm.disableDraw();
      clear();
      return;
    }
    if (draft.drawing) {
      clear();
      map.pm.enableDraw(SHAPE[draft.drawing], { allowSelfIntersection: false });
      return;
    }
    if (!draft.geometry) return;
    // Re-create the editable layer for a new session only, not for the shape's own edits.
    if (shownSession !== draft.session || !editable) {
      clear();
      shownSession = draft.session;
      makeEditable(layerOf(draft.geometry));
    }
    drawBuffer();
  };

  const unsubscribe = store.subscribe(sync);
  map.on("zoomend", drawBuffer);
  sync();

  return () => {
    unsubscribe();
    map.getContainer().classList.remove("fleet-map--drawing");
    map.off("pm:create", onCreate);
    map.off("zoomend", drawBuffer);
    map.pm.disableDraw();
    clear();
  };
}
