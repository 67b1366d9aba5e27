/**
 * Leaflet's default projection (EPSG:3857 spherical Mercator) as plain arithmetic, so the canvas
 * layer projects thousands of trucks a frame without allocating a LatLng and a Point for each.
 * World pixels at `zoom`: 0…256·2^zoom on both axes, origin top-left, as `map.project` gives.
 */

/** Leaflet's SphericalMercator.MAX_LATITUDE. */
const MAX_LATITUDE = 85.0511287798;

export function worldSize(zoom: number): number {
  return 256 * 2 ** zoom;
}

export function worldX(lon: number, size: number): number {
  return size * (lon / 360 + 0.5);
}

/** The longitude at world pixel x (the inverse of worldX). */
export function lonAt(x: number, size: number): number {
  return (x / size - 0.5) * 360;
}

/** The latitude at world pixel y (the inverse of worldY). */
export function latAt(y: number, size: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / size))) * 180) / Math.PI;
}

export function worldY(lat: number, size: number): number {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return size * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
}
