import type { TruckSpeedWindow } from "./windows";

/** A valid truck window record, for this package's tests. */
export const exampleTruckWindow: TruckSpeedWindow = {
  v: 1,
  truckId: "T-0001",
  kind: "tumbling",
  windowStart: 1_764_000_000_000,
  windowEnd: 1_764_000_060_000,
  sizeMs: 60_000,
  final: false,
  fixCount: 3,
  avgSpeedKmh: 60,
  maxSpeedKmh: 72.5,
  speedingCount: 0,
  distanceM: 0,
};
