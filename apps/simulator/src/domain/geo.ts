import CheapRuler from "cheap-ruler";

/**
 * Geodesy on top of cheap-ruler (Mapbox; no dependencies, no install script): flat-earth
 * approximations scaled for a latitude, accurate to ~0.1% over the distances a truck covers
 * between two fixes or along one road segment. Every ruler is made for the latitude where it
 * is used, so a route file anywhere on the globe stays accurate.
 */
export type LonLat = readonly [lon: number, lat: number];

const rulers = new Map<number, CheapRuler>();

/** A ruler in metres for a latitude; cached per 0.01 degree (error of the cache < 0.01%). */
export function rulerAt(lat: number): CheapRuler {
  const key = Math.round(lat * 100);
  let ruler = rulers.get(key);
  if (!ruler) {
    ruler = new CheapRuler(key / 100, "meters");
    rulers.set(key, ruler);
  }
  return ruler;
}

/** Distance in metres between two points. */
export function distanceM(a: LonLat, b: LonLat): number {
  return rulerAt((a[1] + b[1]) / 2).distance(a, b);
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: LonLat, b: LonLat): number {
  return normalizeDeg(rulerAt((a[1] + b[1]) / 2).bearing(a, b));
}

/** Moves a point by east/north offsets in metres. */
export function offsetM(p: LonLat, eastM: number, northM: number): [number, number] {
  return rulerAt(p[1]).offset(p, eastM, northM);
}

/** Maps any angle in degrees into [0, 360). */
export function normalizeDeg(deg: number): number {
  const d = deg % 360;
  return d < 0 ? d + 360 : d;
}

/** Smallest absolute difference between two headings, in [0, 180]. */
export function headingDiffDeg(a: number, b: number): number {
  const d = Math.abs(normalizeDeg(a) - normalizeDeg(b));
  return d > 180 ? 360 - d : d;
}
