import type { GeofenceStore } from "./store";

/**
 * The geofence store the custom server hands to the Next.js route handlers at run time: both run
 * in one Node process but load modules separately (tsx vs. Next's bundle), so the value lives on
 * globalThis under a registered symbol, like lib/config/runtime-config.ts. Undefined when the web
 * server runs without a database.
 */
const KEY = Symbol.for("fleetstream.web.geofenceStore");

type Holder = typeof globalThis & { [KEY]?: GeofenceStore | undefined };

export function setGeofenceStore(store: GeofenceStore | undefined): void {
  (globalThis as Holder)[KEY] = store;
}

export function getGeofenceStore(): GeofenceStore | undefined {
  return (globalThis as Holder)[KEY];
}
