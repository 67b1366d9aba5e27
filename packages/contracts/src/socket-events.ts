import type { TruckPosition } from "./gps-fix";

/**
 * socket.io event maps shared by the web server and the browser.
 * Event names carry a version suffix so a payload change is a new event, not a silent break.
 */
export interface ServerToClientEvents {
  /** Current position of every known truck, sent once on connect. */
  "fleet:snapshot:v1": (positions: TruckPosition[]) => void;
  /** Positions that changed since the last push (coalesced, at most one per truck). */
  "fleet:positions:v1": (positions: TruckPosition[]) => void;
}

// biome-ignore lint/complexity/noBannedTypes: the browser sends nothing yet; the map is push-only.
export type ClientToServerEvents = {};
