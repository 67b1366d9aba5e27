import { greatCircleM } from "@fleetstream/geofence/sphere";
import type { TruckWindowColumns } from "./columns";
import {
  F_DIST,
  F_FIRST_LAT,
  F_FIRST_LON,
  F_INDEX,
  F_LAST_LAT,
  F_LAST_LON,
  F_MAX,
  F_N,
  F_SPD,
  F_SUM,
  FIELDS,
  type PaneSet,
} from "./pane";
import type { WindowKind } from "./plan";

/**
 * Assembles a truck's window values from its panes: `gather` loads the aggregates of a range of
 * panes (and the distance bridging each non-empty pane to the previous one) into scratch arrays,
 * `emit` sums a window out of them. No allocation per window.
 */
export class WindowAssembler {
  private lo = 0;
  // per pane k = index - lo
  private readonly n: number[] = [];
  private readonly sum: number[] = [];
  private readonly max: number[] = [];
  private readonly spd: number[] = [];
  private readonly dist: number[] = [];
  /** Distance from the previous non-empty pane's last fix to this pane's first fix (0 if none). */
  private readonly bridge: number[] = [];

  constructor(private readonly paneMs: number) {}

  /** Loads the aggregates of panes lo..hi-1 of a truck. */
  gather(panes: PaneSet, lo: number, hi: number): void {
    const { n, sum, max, spd, dist, bridge } = this;
    this.lo = lo;
    let hasPrev = false;
    let prevLat = 0;
    let prevLon = 0;
    for (let i = lo, k = 0; i < hi; i++, k++) {
      let a = panes.agg;
      let b = panes.slot(i) * FIELDS;
      if (a[b + F_INDEX] !== i) {
        const pane = panes.overflow?.get(i);
        if (!pane) {
          n[k] = 0;
          bridge[k] = 0;
          continue;
        }
        a = pane.a;
        b = pane.off;
      }
      const count = a[b + F_N] as number;
      n[k] = count;
      sum[k] = a[b + F_SUM] as number;
      max[k] = a[b + F_MAX] as number;
      spd[k] = a[b + F_SPD] as number;
      dist[k] = a[b + F_DIST] as number;
      if (count > 0) {
        bridge[k] = hasPrev
          ? greatCircleM(
              prevLat,
              prevLon,
              a[b + F_FIRST_LAT] as number,
              a[b + F_FIRST_LON] as number,
            )
          : 0;
        hasPrev = true;
        prevLat = a[b + F_LAST_LAT] as number;
        prevLon = a[b + F_LAST_LON] as number;
      } else bridge[k] = 0;
    }
  }

  /** Emits window [from, to) (pane indices, within the gathered range) unless it is empty. */
  emit(
    out: TruckWindowColumns,
    truckId: string,
    kind: WindowKind,
    from: number,
    to: number,
    final: boolean,
  ): void {
    const { n, sum, max, spd, dist, bridge, lo } = this;
    let fixCount = 0;
    let speedSum = 0;
    let maxSpeed = 0;
    let speedingCount = 0;
    let distanceM = 0;
    for (let k = from - lo; k < to - lo; k++) {
      const count = n[k] as number;
      if (count === 0) continue;
      if (fixCount > 0) distanceM += bridge[k] as number;
      distanceM += dist[k] as number;
      fixCount += count;
      speedSum += sum[k] as number;
      const m = max[k] as number;
      if (m > maxSpeed) maxSpeed = m;
      speedingCount += spd[k] as number;
    }
    if (fixCount === 0) return;
    out.push(
      truckId,
      kind,
      from * this.paneMs,
      to * this.paneMs,
      final,
      fixCount,
      speedSum / fixCount,
      maxSpeed,
      speedingCount,
      distanceM,
    );
  }
}
