import type { TruckWindowColumns } from "./columns";
import type { WindowKind } from "./plan";

/** The fields of a GPS fix the windows use (a contract GpsFix fits). */
export interface WindowFix {
  truckId: string;
  /** Per-truck sequence number: a second fix with the same truck and seq is a duplicate. */
  seq: number;
  /** Event time, epoch ms (>= 0). */
  eventTime: number;
  lat: number;
  lon: number;
  speedKmh: number;
}

/** One fix as read from an input partition; offsets order a partition. */
export interface InputFix<F extends WindowFix = WindowFix> {
  fix: F;
  offset: number;
}

/** A geofence containing a point, with its speed limit if it has one. */
export interface ZoneRef {
  id: string;
  speedLimitKmh?: number | undefined;
}

/** Which geofences contain a point at an event time (structurally the processor's GeofenceLookup). */
export interface ZoneLookup {
  containing(lat: number, lon: number, eventTime: number): readonly ZoneRef[];
}

export const NO_ZONES: ZoneLookup = { containing: () => [] };

/** Per-truck window value (tumbling or hopping). */
export interface TruckWindowResult {
  truckId: string;
  kind: WindowKind;
  start: number;
  end: number;
  final: boolean;
  fixCount: number;
  avgSpeedKmh: number;
  maxSpeedKmh: number;
  speedingCount: number;
  /** Sum of great-circle distances between consecutive fixes (event-time order) in the window. */
  distanceM: number;
}

export type ScopeType = "fleet" | "geofence";

/** The scope id of the fleet-wide windows. */
export const FLEET_SCOPE_ID = "fleet";

/**
 * A fleet or geofence window as seen by ONE input partition. A truck's fixes are all in one
 * partition, so the windows over all partitions are plain sums of these (distinct truck counts
 * included).
 */
export interface ScopePartial {
  scopeType: ScopeType;
  scopeId: string;
  start: number;
  end: number;
  /** Final for this partition: its watermark passed end + allowed lateness. */
  final: boolean;
  fixCount: number;
  speedSumKmh: number;
  activeTrucks: number;
  speedingTrucks: number;
}

/** A partial in a batch's output; `changed` = fixes were added to it in this batch. */
export interface PartialChange extends ScopePartial {
  changed: boolean;
}

/** A fleet or geofence window over all partitions. */
export interface ScopeWindowResult {
  scopeType: ScopeType;
  scopeId: string;
  start: number;
  end: number;
  final: boolean;
  fixCount: number;
  speedSumKmh: number;
  avgSpeedKmh: number;
  activeTrucks: number;
  speedingTrucks: number;
}

/**
 * Why a fix was reported late:
 * - window-closed: a window it belongs to was already final in its partition (partition watermark
 *   >= that window's end + allowed lateness); it counts in no window.
 * - scope-window-final: its fleet/geofence window was already final over all partitions (the
 *   processor watermark passed it while this partition was idle); it still counts in the truck's
 *   own windows.
 */
export type LateReason = "window-closed" | "scope-window-final";

export interface LateFix<F extends WindowFix = WindowFix> {
  fix: F;
  offset: number;
  reason: LateReason;
  /** End of the window that was already final. */
  windowEnd: number;
  /** The watermark that had passed it (partition or processor watermark). */
  watermark: number;
}

/** Persistable state of one pane of one truck (JSON). */
export interface PaneState {
  /** Fixes sorted by (eventTime, seq), flattened: eventTime, seq, lat, lon, eventTime, ... */
  fx: number[];
  n: number;
  sum: number;
  max: number;
  spd: number;
  dist: number;
  /** Per geofence: [fix count, speeding fix count]. */
  geo?: [string, number, number][];
}

export interface PaneRecord {
  truckId: string;
  start: number;
  state: PaneState;
}

/** One truck's persistable window state: its live panes by start (epoch ms). */
export interface TruckWindowState {
  panes: [start: number, state: PaneState][];
}

/** A partition's own persistable window state (everything but the trucks). */
export interface PartitionWindowState {
  watermark: number;
  maxEventTime: number;
  lateCount: number;
  duplicateCount: number;
  /** Partials that are not final yet. */
  partials: ScopePartial[];
}

/** Everything a partition needs to continue exactly where it stopped, in one object (tests). */
export interface PartitionSnapshot extends PartitionWindowState {
  panes: PaneRecord[];
}

export interface BatchResult<F extends WindowFix = WindowFix> {
  /**
   * Truck windows that became final in this batch, and an early (not final) value of each
   * tumbling window the batch changed; one entry per window. Reused by the engine's next batch:
   * copy what you keep.
   */
  windows: TruckWindowColumns;
  /** Partials that changed or became final in this batch, one per window. */
  partials: PartialChange[];
  late: LateFix<F>[];
  duplicates: number;
  watermark: number;
  maxEventTime: number;
  lateCount: number;
  duplicateCount: number;
}

/**
 * Which truck windows the engine emits: tumbling windows early (while open) and when final,
 * hopping windows when final only.
 */
export const isEmitted = (w: { kind: "tumbling" | "hopping"; final: boolean }): boolean =>
  w.final || w.kind === "tumbling";
