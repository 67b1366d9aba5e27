import type { ViewportSubscription } from "@fleetstream/contracts";
import { latAt, lonAt, worldSize, worldX, worldY } from "./web-mercator";

/** Where the map opens, before it fits the fleet's extent. */
export const OPENING_VIEW = { center: [52.2, 5.3] as [number, number], zoom: 7 };

/** The margin around the map's bounds the fleet channel streams too (Leaflet's `pad`). */
export const VIEWPORT_MARGIN = 0.25;

/**
 * The viewport the map will report once it has opened, estimated from the window's size (the map
 * is never larger) before Leaflet has even loaded: the page asks for it as its socket connects,
 * so the first view is there when the map appears instead of one round trip later. The map's
 * own viewport replaces it as soon as the map exists.
 */
export function openingViewport(width: number, height: number): ViewportSubscription {
  const size = worldSize(OPENING_VIEW.zoom);
  const [lat, lon] = OPENING_VIEW.center;
  const x = worldX(lon, size);
  const y = worldY(lat, size);
  const halfWidth = (width / 2) * (1 + 2 * VIEWPORT_MARGIN);
  const halfHeight = (height / 2) * (1 + 2 * VIEWPORT_MARGIN);
  return {
    west: Math.max(-180, lonAt(x - halfWidth, size)),
    south: Math.max(-90, latAt(y + halfHeight, size)),
    east: Math.min(180, lonAt(x + halfWidth, size)),
    north: Math.min(90, latAt(y - halfHeight, size)),
    zoom: OPENING_VIEW.zoom,
    follow: [],
  };
}
