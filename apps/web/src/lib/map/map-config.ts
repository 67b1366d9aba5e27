import "server-only";
import { connection } from "next/server";
import { getRuntimeConfig } from "../config/runtime-config";
import { OSM_TILE_URL, type TileLayerConfig, tileLayerConfig } from "./tiles";

/**
 * The tile layer for this request, from the running server's configuration (MAP_TILE_URL).
 * Read per request, so changing MAP_TILE_URL needs a restart, not a rebuild.
 */
export async function getTileLayerConfig(): Promise<TileLayerConfig | null> {
  await connection();
  // Unset only when Next runs without src/server/web-server.ts (e.g. plain `next dev`).
  return tileLayerConfig(getRuntimeConfig()?.tileUrl ?? OSM_TILE_URL);
}
