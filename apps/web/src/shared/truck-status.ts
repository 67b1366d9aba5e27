// Pure rules shared by the server (REST answers) and the browser (list, markers, detail).

import type { TruckStatus } from "@fleetstream/contracts";

export type { TruckStatus } from "@fleetstream/contracts";
export { TRUCK_STATUSES } from "@fleetstream/contracts/browser";

/** Below this a truck counts as stopped (GPS noise makes a parked truck report a few km/h). */
export const MOVING_MIN_KMH = 3;

/** Default of TRUCK_OFFLINE_AFTER_S: a truck with no fix for 10 minutes is offline. */
export const DEFAULT_OFFLINE_AFTER_MS = 600_000;

export interface FixTimes {
  eventTime: number;
  processedAt: number;
}

/**
 * When we last heard from a truck for the offline rule: the fix's event time, but never later
 * than when the processor handled it. An event time ahead of the clocks (a device clock that is
 * wrong, or the simulator at 10x) cannot keep a silent truck "online" for ever; a backfilled old
 * fix processed just now still shows the truck offline.
 */
export function lastHeardAt(fix: FixTimes): number {
  return Math.min(fix.eventTime, fix.processedAt);
}

export function truckStatus(
  fix: FixTimes & { speedKmh: number },
  now: number,
  offlineAfterMs: number,
): TruckStatus {
  if (now - lastHeardAt(fix) > offlineAfterMs) return "offline";
  return fix.speedKmh >= MOVING_MIN_KMH ? "moving" : "stopped";
}
