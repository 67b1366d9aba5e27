import { z } from "zod";
import { GpsFix, quickCheck, TruckId } from "./gps-fix";

/**
 * Speed windows (event time), published by the processor. See packages/windows/README.md.
 *
 * - `truck_speed_windows`, key = truck id: TruckSpeedWindow, per truck, 1-min tumbling and 5-min
 *   hopping (1-min advance) windows by default.
 * - `fleet_speed_windows`, key = "fleet" or "geofence:<id>" (scopeWindowKey): ScopeSpeedWindow,
 *   fleet-wide and per-geofence 1-min windows over all partitions.
 * - `gps_location_trucks_late`, key = truck id: LateGpsFix, every fix that came after its window
 *   was final, with the reason.
 *
 * A window is sent each time it changes (final: false) and once more when it is final
 * (final: true); records are at-least-once, so a consumer keeps the latest per window key
 * (scope, windowStart, sizeMs). PostgreSQL holds the same rows (truck_speed_windows,
 * scope_speed_windows).
 */

const EpochMs = z.int().min(0);

export const SpeedWindowKind = z.enum(["tumbling", "hopping"]);
export type SpeedWindowKind = z.infer<typeof SpeedWindowKind>;

export const TruckSpeedWindow = z.strictObject({
  v: z.literal(1),
  truckId: TruckId,
  kind: SpeedWindowKind,
  /** Window [windowStart, windowEnd) in event time, epoch ms, UTC-aligned. */
  windowStart: EpochMs,
  windowEnd: EpochMs,
  sizeMs: z.int().positive(),
  /** True once the partition watermark passed windowEnd + allowed lateness: the value is final. */
  final: z.boolean(),
  fixCount: z.int().min(1),
  avgSpeedKmh: z.number().min(0),
  maxSpeedKmh: z.number().min(0),
  /** Fixes above the speed limit (the lowest limit of the geofences containing the fix, else
   * the configured threshold, default 90 km/h). */
  speedingCount: z.int().min(0),
  /** Great-circle distance between consecutive fixes of the window, in event-time order, metres. */
  distanceM: z.number().min(0),
});
export type TruckSpeedWindow = z.infer<typeof TruckSpeedWindow>;

const TRUCK_WINDOW_KEYS = new Set(Object.keys(TruckSpeedWindow.shape));

/**
 * The TruckSpeedWindow schema as plain checks, for the web app's window feed (a record or more per
 * fix; zod was a tenth of the web app's CPU at 2,000 fixes/s): a record this accepts is one the
 * schema accepts, unchanged (a property test holds the two together).
 */
export function isTruckSpeedWindow(json: unknown): json is TruckSpeedWindow {
  if (!quickCheck.objectWithKeys(json, TRUCK_WINDOW_KEYS)) return false;
  const w = json;
  return (
    w.v === 1 &&
    quickCheck.truckId(w.truckId) &&
    (w.kind === "tumbling" || w.kind === "hopping") &&
    quickCheck.wholeAtLeast0(w.windowStart) &&
    quickCheck.wholeAtLeast0(w.windowEnd) &&
    quickCheck.wholeAtLeast0(w.sizeMs) &&
    w.sizeMs !== 0 &&
    typeof w.final === "boolean" &&
    quickCheck.wholeAtLeast0(w.fixCount) &&
    w.fixCount !== 0 &&
    quickCheck.atLeast0(w.avgSpeedKmh) &&
    quickCheck.atLeast0(w.maxSpeedKmh) &&
    quickCheck.wholeAtLeast0(w.speedingCount) &&
    quickCheck.atLeast0(w.distanceM)
  );
}

/** A float field as jsonWriter writes it: a whole value with ".0". */
const jsonFloat = (x: number): string =>
  Number.isInteger(x) && Math.abs(x) < 1e21 ? `${x}.0` : JSON.stringify(x);

/**
 * A TruckSpeedWindow (its fields in the schema's order, as the schema parses it) as
 * jsonWriter(TruckSpeedWindow) writes it, character for character (a property test holds the two
 * together). The processor writes one per closing window: the generic writer allocated about
 * 1.4 KB per record splicing in ".0", a seventh of the speed-window lane's allocations in the
 * pipeline bench. Here a window whose floats are all fractional (most) is one JSON.stringify, one
 * flat string; the others are written field by field.
 */
export function writeTruckSpeedWindow(w: TruckSpeedWindow): string {
  if (
    !Number.isInteger(w.avgSpeedKmh) &&
    !Number.isInteger(w.maxSpeedKmh) &&
    !Number.isInteger(w.distanceM)
  )
    return JSON.stringify(w);
  return `{"v":${w.v},"truckId":${JSON.stringify(w.truckId)},"kind":${JSON.stringify(w.kind)},"windowStart":${w.windowStart},"windowEnd":${w.windowEnd},"sizeMs":${w.sizeMs},"final":${w.final},"fixCount":${w.fixCount},"avgSpeedKmh":${jsonFloat(w.avgSpeedKmh)},"maxSpeedKmh":${jsonFloat(w.maxSpeedKmh)},"speedingCount":${w.speedingCount},"distanceM":${jsonFloat(w.distanceM)}}`;
}

export const ScopeType = z.enum(["fleet", "geofence"]);
export type ScopeType = z.infer<typeof ScopeType>;

export const ScopeSpeedWindow = z.strictObject({
  v: z.literal(1),
  scopeType: ScopeType,
  /** "fleet" for the fleet-wide windows, else the geofence id. */
  scopeId: z.string().min(1),
  windowStart: EpochMs,
  windowEnd: EpochMs,
  sizeMs: z.int().positive(),
  /** True once the processor watermark (all partitions) passed windowEnd + allowed lateness. */
  final: z.boolean(),
  /** Trucks with at least one fix in the window (and scope). */
  activeTrucks: z.int().min(0),
  /** Trucks with at least one speeding fix in the window (and scope). */
  speedingTrucks: z.int().min(0),
  fixCount: z.int().min(0),
  avgSpeedKmh: z.number().min(0),
});
export type ScopeSpeedWindow = z.infer<typeof ScopeSpeedWindow>;

/** Record key of a fleet/geofence window on fleet_speed_windows. */
export const scopeWindowRecordKey = (scopeType: ScopeType, scopeId: string): string =>
  scopeType === "fleet" ? "fleet" : `geofence:${scopeId}`;

export const LateReason = z.enum([
  /** A window of the fix was already final in its partition: the fix counts in no window. */
  "window-closed",
  /** Its fleet/geofence window was already final over all partitions (this partition was idle):
   * the fix still counts in the truck's own windows. */
  "scope-window-final",
]);
export type LateReason = z.infer<typeof LateReason>;

export const LateGpsFix = z.strictObject({
  v: z.literal(1),
  reason: LateReason,
  /** One line for people, e.g. "partition 3 watermark 12:05:10.000Z >= window end 12:04:00.000Z + 60 s". */
  detail: z.string(),
  partition: z.int().min(0),
  offset: z.int().min(0),
  /** End of the window that was already final, and the watermark that had passed it. */
  windowEnd: EpochMs,
  watermark: z.int(),
  fix: GpsFix,
});
export type LateGpsFix = z.infer<typeof LateGpsFix>;
