import type { WindowKind } from "./plan";
import type { TruckWindowResult } from "./types";

/**
 * Truck windows of one batch, column by column: one array per field instead of an object per
 * window. A batch emits about six windows per fix (its tumbling window and five hopping ones), so
 * this saves the allocation of millions of small objects (each with boxed doubles); it is also
 * the shape the database upsert takes (one array per column).
 *
 * An engine reuses its columns for every batch: entries [0, length) are this batch's, anything
 * after is stale. Copy what you keep (`copy()`) before the next batch.
 */
export class TruckWindowColumns {
  length = 0;
  truckId: string[] = [];
  kind: WindowKind[] = [];
  start: number[] = [];
  end: number[] = [];
  final: boolean[] = [];
  fixCount: number[] = [];
  avgSpeedKmh: number[] = [];
  maxSpeedKmh: number[] = [];
  speedingCount: number[] = [];
  distanceM: number[] = [];

  push(
    truckId: string,
    kind: WindowKind,
    start: number,
    end: number,
    final: boolean,
    fixCount: number,
    avgSpeedKmh: number,
    maxSpeedKmh: number,
    speedingCount: number,
    distanceM: number,
  ): void {
    const n = this.length;
    this.truckId[n] = truckId;
    this.kind[n] = kind;
    this.start[n] = start;
    this.end[n] = end;
    this.final[n] = final;
    this.fixCount[n] = fixCount;
    this.avgSpeedKmh[n] = avgSpeedKmh;
    this.maxSpeedKmh[n] = maxSpeedKmh;
    this.speedingCount[n] = speedingCount;
    this.distanceM[n] = distanceM;
    this.length = n + 1;
  }

  /** Appends entry `i` of other columns. */
  append(from: TruckWindowColumns, i: number): void {
    this.push(
      from.truckId[i] as string,
      from.kind[i] as WindowKind,
      from.start[i] as number,
      from.end[i] as number,
      from.final[i] as boolean,
      from.fixCount[i] as number,
      from.avgSpeedKmh[i] as number,
      from.maxSpeedKmh[i] as number,
      from.speedingCount[i] as number,
      from.distanceM[i] as number,
    );
  }

  /** Forgets the entries (keeps the arrays, so the next batch allocates nothing). */
  reset(): void {
    this.length = 0;
  }

  /** A copy of entries [0, length) that later batches do not change. */
  copy(): TruckWindowColumns {
    const n = this.length;
    const copy = new TruckWindowColumns();
    copy.truckId = this.truckId.slice(0, n);
    copy.kind = this.kind.slice(0, n);
    copy.start = this.start.slice(0, n);
    copy.end = this.end.slice(0, n);
    copy.final = this.final.slice(0, n);
    copy.fixCount = this.fixCount.slice(0, n);
    copy.avgSpeedKmh = this.avgSpeedKmh.slice(0, n);
    copy.maxSpeedKmh = this.maxSpeedKmh.slice(0, n);
    copy.speedingCount = this.speedingCount.slice(0, n);
    copy.distanceM = this.distanceM.slice(0, n);
    copy.length = n;
    return copy;
  }

  at(i: number): TruckWindowResult {
    return {
      truckId: this.truckId[i] as string,
      kind: this.kind[i] as WindowKind,
      start: this.start[i] as number,
      end: this.end[i] as number,
      final: this.final[i] as boolean,
      fixCount: this.fixCount[i] as number,
      avgSpeedKmh: this.avgSpeedKmh[i] as number,
      maxSpeedKmh: this.maxSpeedKmh[i] as number,
      speedingCount: this.speedingCount[i] as number,
      distanceM: this.distanceM[i] as number,
    };
  }

  toArray(): TruckWindowResult[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
