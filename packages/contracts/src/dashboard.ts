import { z } from "zod";
import { GeofenceAlert, GeofenceId, userText } from "./geofence";
import { TruckId } from "./gps-fix";
import { ScopeSpeedWindow } from "./windows";

/**
 * Payloads of the dashboard (apps/web): what its socket.io channels push and its REST endpoints
 * answer, beyond the records it relays from the topics unchanged.
 */

const EpochMs = z.int().min(0);

/** Who acknowledged an alert for dispatch work, and when (web clock, epoch ms). */
export const AlertAcknowledgement = z.strictObject({
  alertId: z.string().min(1),
  /** Who acknowledged it: the signed-in user's email, or the API key's name. */
  by: userText(z.string().trim().min(1, "name who acknowledges").max(100)),
  at: EpochMs,
});
export type AlertAcknowledgement = z.infer<typeof AlertAcknowledgement>;

/** What a client sends to acknowledge an alert (POST /api/alerts/:id/acknowledgement). */
/**
 * The body of an acknowledgement: empty. The acknowledgement is recorded as the signed-in user or
 * API key; `by` is accepted from older clients and ignored.
 */
export const AcknowledgeInput = AlertAcknowledgement.pick({ by: true }).partial();
export type AcknowledgeInput = z.infer<typeof AcknowledgeInput>;

/** An alert as the dashboard shows it: the record, when it was raised, and its acknowledgement. */
export const AlertView = z.strictObject({
  ...GeofenceAlert.shape,
  /**
   * When the processor raised it: the Kafka record's timestamp on the live feed, the row's insert
   * time in history. `raisedAt - eventTime` is how late it arrived.
   */
  raisedAt: EpochMs,
  acknowledged: AlertAcknowledgement.omit({ alertId: true }).nullable(),
});
export type AlertView = z.infer<typeof AlertView>;

/**
 * One fleet-wide window with the fleet's highest speed in it: the maximum of the per-truck
 * tumbling windows of the same minute (null when tumbling and fleet windows differ in size).
 */
export const FleetWindowPoint = z.strictObject({
  ...ScopeSpeedWindow.shape,
  maxSpeedKmh: z.number().min(0).nullable(),
});
export type FleetWindowPoint = z.infer<typeof FleetWindowPoint>;

/** Fence id → ids of the trucks inside it now (after ENTER, before EXIT), sorted. */
export const Occupancy = z.record(GeofenceId, z.array(TruckId));
export type Occupancy = z.infer<typeof Occupancy>;

/** A browser asks for one truck's (or fence's) live windows; null stops watching. */
export const WatchTruck = TruckId.nullable();
export const WatchGeofence = GeofenceId.nullable();

/** One stored fix, as the trail and replay endpoints answer it. */
export const TrailFix = z.strictObject({
  seq: z.int().min(0),
  lat: z.number(),
  lon: z.number(),
  speedKmh: z.number(),
  headingDeg: z.number(),
  eventTime: EpochMs,
});
export type TrailFix = z.infer<typeof TrailFix>;
