import type { AlertAcknowledgement, AlertView, FleetWindowPoint, Occupancy } from "./dashboard";
import type { FleetStreamBatch } from "./fleet-columns";
import type { Geofence } from "./geofence";
import type { TruckPosition } from "./gps-fix";
import type { ViewportSubscription } from "./live-map";
import type { ScopeSpeedWindow, TruckSpeedWindow } from "./windows";

/**
 * socket.io event maps shared by the web server and the browser.
 * Event names carry a version suffix so a payload change is a new event, not a silent break.
 * Channels (one feed module each in apps/web/src/server/feeds): fleet (positions), alerts,
 * geofences, windows.
 */
export interface ServerToClientEvents {
  /** Current position of every known truck, sent once on connect. */
  "fleet:snapshot:v1": (positions: TruckPosition[]) => void;
  /** Positions that changed since the last push (coalesced, at most one per truck). */
  "fleet:positions:v1": (positions: TruckPosition[]) => void;
  /**
   * Viewport-scoped stream (a client that connected with `auth: { fleet: "viewport" }` gets these
   * instead of the two above): the answer to each `fleet:viewport:v1`, then coalesced changes.
   */
  "fleet:view:v2": (batch: FleetStreamBatch) => void;
  "fleet:changes:v2": (batch: FleetStreamBatch) => void;
  /** On connect: the most recent alerts this server has seen, newest first. */
  "alerts:recent:v1": (alerts: AlertView[]) => void;
  /** Alerts raised since the last push, newest first. */
  "alerts:new:v1": (alerts: AlertView[]) => void;
  /** Someone acknowledged an alert (persisted). */
  "alerts:acknowledged:v1": (acknowledgement: AlertAcknowledgement) => void;
  /** Trucks inside each fence now; the whole map on connect and whenever it changes. */
  "geofences:occupancy:v1": (occupancy: Occupancy) => void;
  /** Every geofence, on connect and after any change (from the compacted `geofences` topic). */
  "geofences:snapshot:v1": (geofences: Geofence[]) => void;
  /** Fleet windows: the last hour on connect, then the ones that changed. */
  "windows:fleet:v1": (windows: FleetWindowPoint[]) => void;
  /** Tumbling windows of the watched truck: recent ones on watch, then changes. */
  "windows:truck:v1": (windows: TruckSpeedWindow[]) => void;
  /** Windows of the watched geofence: the last hour on watch, then changes. */
  "windows:geofence:v1": (windows: ScopeSpeedWindow[]) => void;
}

/** What the browser sends. Payloads are validated on the server (see dashboard.ts). */
export interface ClientToServerEvents {
  /** The area the map shows and the trucks it follows (`ViewportSubscription`). */
  "fleet:viewport:v1": (
    viewport: ViewportSubscription,
    /** `{ ok: false, error }` names the field when the viewport is refused. */
    answer?: (result: { ok: true } | { ok: false; error: string }) => void,
  ) => void;
  /** Follow one truck's speed windows (`WatchTruck`); null stops. */
  "truck:watch:v1": (truckId: string | null) => void;
  /** Follow one geofence's speed windows (`WatchGeofence`); null stops. */
  "geofence:watch:v1": (geofenceId: string | null) => void;
}
