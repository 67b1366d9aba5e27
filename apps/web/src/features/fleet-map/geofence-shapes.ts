import type { Geofence, GeofenceGeometry, Position } from "@fleetstream/contracts";

// Pure conversions between geofence geometry (GeoJSON order: [lon, lat]) and what Leaflet draws
// ([lat, lon]); the corridor's buffer becomes a line width in pixels at the current zoom.

export type LatLngTuple = [number, number];

const toLatLng = ([lon, lat]: Position): LatLngTuple => [lat, lon];
const toPosition = ([lat, lon]: LatLngTuple): Position => [round(lon), round(lat)];
/** ~1 cm: enough for a fence, short in JSON. */
const round = (degrees: number) => Math.round(degrees * 1e7) / 1e7;

/** Polygon rings (outer, then holes) as Leaflet lat/lon arrays, without the closing position. */
export function ringsToLatLngs(rings: readonly (readonly Position[])[]): LatLngTuple[][] {
  return rings.map((ring) => ring.slice(0, -1).map(toLatLng));
}

/** Leaflet rings (open) back to closed GeoJSON rings. */
export function latLngsToRings(rings: readonly (readonly LatLngTuple[])[]): Position[][] {
  return rings
    .filter((ring) => ring.length >= 3)
    .map((ring) => {
      const positions = ring.map(toPosition);
      const first = positions[0] as Position;
      return [...positions, [first[0], first[1]]];
    });
}

export function lineToLatLngs(line: readonly Position[]): LatLngTuple[] {
  return line.map(toLatLng);
}

export function latLngsToLine(line: readonly LatLngTuple[]): Position[] {
  return line.map(toPosition);
}

export const circleGeometry = (center: LatLngTuple, radiusM: number): GeofenceGeometry => ({
  type: "Circle",
  center: toPosition(center),
  radiusM: Math.round(radiusM * 10) / 10,
});

/** Metres per screen pixel at a latitude and Web Mercator zoom level. */
export function metresPerPixel(latitude: number, zoom: number): number {
  return (40_075_016.686 * Math.cos((latitude * Math.PI) / 180)) / 2 ** (zoom + 8);
}

/** The stroke width that draws a corridor's buffer on both sides of its line, in pixels. */
export function corridorWeight(bufferM: number, latitude: number, zoom: number): number {
  return Math.min(4000, Math.max(2, (2 * bufferM) / metresPerPixel(latitude, zoom)));
}

/** The kind of shape a user draws or edits. */
export type ShapeKind = "Polygon" | "MultiPolygon" | "Circle" | "Corridor";

export function shapeLabel(geometry: GeofenceGeometry): string {
  switch (geometry.type) {
    case "Polygon":
      return geometry.coordinates.length > 1
        ? `polygon with ${geometry.coordinates.length - 1} hole(s)`
        : "polygon";
    case "MultiPolygon":
      return `multipolygon of ${geometry.coordinates.length}`;
    case "Circle":
      return `circle, ${Math.round(geometry.radiusM)} m`;
    case "Corridor":
      return `corridor, ${Math.round(geometry.bufferM)} m each side`;
  }
}

/** A point to label a fence at (first position of its shape). */
export function anchorOf(fence: Pick<Geofence, "geometry">): LatLngTuple {
  const g = fence.geometry;
  switch (g.type) {
    case "Circle":
      return toLatLng(g.center);
    case "Corridor":
      return toLatLng(g.coordinates[0] as Position);
    case "Polygon":
      return centroid(g.coordinates[0] ?? []);
    case "MultiPolygon":
      return centroid(g.coordinates[0]?.[0] ?? []);
  }
}

function centroid(ring: readonly Position[]): LatLngTuple {
  const open = ring.slice(0, -1);
  if (open.length === 0) return [0, 0];
  const lat = open.reduce((s, p) => s + p[1], 0) / open.length;
  const lon = open.reduce((s, p) => s + p[0], 0) / open.length;
  return [lat, lon];
}
