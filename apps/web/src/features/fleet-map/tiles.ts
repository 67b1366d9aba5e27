import { z } from "zod";

export const OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
export const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

/** The value of MAP_TILE_URL that turns tiles off (the map shows its grid only). */
export const NO_TILES = "none";

/**
 * MAP_TILE_URL: a Leaflet tile URL template ({z}/{x}/{y}, optional {s}), absolute http(s) or
 * same-origin path, or `none`. Defaults to the OpenStreetMap standard tiles.
 */
export const mapTileUrlVar = z
  .string()
  .trim()
  .refine(
    (url) =>
      url === NO_TILES ||
      (/^(https?:\/\/|\/)/.test(url) && ["{z}", "{x}", "{y}"].every((p) => url.includes(p))),
    `must be "${NO_TILES}" or a tile URL template with {z}, {x} and {y}`,
  )
  .default(OSM_TILE_URL);

/** What the browser needs to add a tile layer; null means no tiles. */
export interface TileLayerConfig {
  url: string;
  attribution: string;
}

export function tileLayerConfig(tileUrl: string): TileLayerConfig | null {
  if (tileUrl === NO_TILES) return null;
  const isOsm = /(^|\.)openstreetmap\.org\//.test(tileUrl.replace(/^https?:\/\//, ""));
  return { url: tileUrl, attribution: isOsm ? OSM_ATTRIBUTION : "" };
}
