import type { FleetWindowPoint, ScopeSpeedWindow, TruckSpeedWindow } from "@fleetstream/contracts";
import { isNewerWindow, type WindowLike } from "../../shared/windows";

/**
 * Windows of one series by start time, keeping only the latest `retentionMs` of starts. A
 * window older than that starts the series over (see `put`).
 */
class Series<W extends WindowLike> {
  readonly byStart = new Map<number, W>();
  newest = Number.NEGATIVE_INFINITY;

  put(window: W, retentionMs: number): boolean {
    if (window.windowStart <= this.newest - retentionMs) {
      // Far older than anything kept: the source's event time moved back (a simulator or a
      // device restarted with an earlier clock), not a late window (those are final within
      // the allowed lateness). Follow the source: start the series over.
      this.byStart.clear();
      this.newest = Number.NEGATIVE_INFINITY;
    }
    if (!isNewerWindow(window, this.byStart.get(window.windowStart))) return false;
    this.byStart.set(window.windowStart, window);
    if (window.windowStart > this.newest) {
      this.newest = window.windowStart;
      for (const start of this.byStart.keys()) {
        if (start <= this.newest - retentionMs) this.byStart.delete(start);
      }
    }
    return true;
  }

  sorted(): W[] {
    return [...this.byStart.values()].sort((a, b) => a.windowStart - b.windowStart);
  }
}

/** Which trucks' and geofences' window changes someone receives (see takeChanges). */
export interface WatchedSeries {
  truck(truckId: string): boolean;
  geofence(geofenceId: string): boolean;
}

const EVERY_SERIES: WatchedSeries = { truck: () => true, geofence: () => true };

export interface WindowsViewOptions {
  /** How much of the fleet's and each geofence's windows to keep, by window start (1 h). */
  scopeRetentionMs?: number;
  /**
   * How much of each truck's tumbling windows to keep (5 min). Only the open windows' early values
   * live nowhere else; final ones are stored at the processor's next checkpoint, seconds later, and
   * the windows API and the truck panel read the older ones from the table. At 50,000 trucks, 15
   * minutes kept 750,000 windows: the web's heap after a full GC was 306-312 MB, now 198-218 MB.
   */
  truckRetentionMs?: number;
}

/**
 * The web server's in-memory view of the window topics: the fleet's and every geofence's windows
 * of the last hour, every truck's recent tumbling windows, and which of them changed since the
 * last push. The fleet's highest speed per window comes from the trucks' tumbling windows of the
 * same start and size (the fleet record has an average, not a maximum).
 */
export class WindowsView {
  readonly #scopeRetentionMs: number;
  readonly #truckRetentionMs: number;
  readonly #fleet = new Series<ScopeSpeedWindow>();
  readonly #fleetMax = new Map<number, number>();
  readonly #geofences = new Map<string, Series<ScopeSpeedWindow>>();
  readonly #trucks = new Map<string, Series<TruckSpeedWindow>>();
  readonly #changedFleet = new Set<number>();
  readonly #changedGeofences = new Map<string, Set<number>>();
  readonly #changedTrucks = new Map<string, Set<number>>();

  constructor(options: WindowsViewOptions = {}) {
    this.#scopeRetentionMs = options.scopeRetentionMs ?? 3_600_000;
    this.#truckRetentionMs = options.truckRetentionMs ?? 300_000;
  }

  applyTruck(window: TruckSpeedWindow): void {
    if (window.kind !== "tumbling") return; // the chart is per minute; hopping windows overlap
    if (seriesOf(this.#trucks, window.truckId).put(window, this.#truckRetentionMs)) {
      mark(this.#changedTrucks, window.truckId, window.windowStart);
    }
    const max = this.#fleetMax.get(window.windowStart);
    if (max === undefined || window.maxSpeedKmh > max) {
      this.#fleetMax.set(window.windowStart, window.maxSpeedKmh);
      const fleet = this.#fleet.byStart.get(window.windowStart);
      if (fleet && fleet.sizeMs === window.sizeMs) this.#changedFleet.add(window.windowStart);
    }
  }

  applyScope(window: ScopeSpeedWindow): void {
    if (window.scopeType === "fleet") {
      if (this.#fleet.put(window, this.#scopeRetentionMs)) {
        this.#changedFleet.add(window.windowStart);
        this.#pruneFleetMax();
      }
      return;
    }
    if (seriesOf(this.#geofences, window.scopeId).put(window, this.#scopeRetentionMs)) {
      mark(this.#changedGeofences, window.scopeId, window.windowStart);
    }
  }

  fleet(): FleetWindowPoint[] {
    return this.#fleet.sorted().map((w) => this.#point(w));
  }

  truck(truckId: string): TruckSpeedWindow[] {
    return this.#trucks.get(truckId)?.sorted() ?? [];
  }

  geofence(geofenceId: string): ScopeSpeedWindow[] {
    return this.#geofences.get(geofenceId)?.sorted() ?? [];
  }

  /**
   * What changed since the previous call, per channel. `watched` says which trucks' and fences'
   * changes anyone receives now (default: all); the others are dropped unbuilt: a browser that
   * starts watching one gets its windows whole (truck(), geofence()). At 50,000 trucks a minute's
   * close changes every truck's series, and nearly none of them is watched.
   */
  takeChanges(watched: WatchedSeries = EVERY_SERIES): {
    fleet: FleetWindowPoint[];
    trucks: Map<string, TruckSpeedWindow[]>;
    geofences: Map<string, ScopeSpeedWindow[]>;
  } {
    const fleet = [...this.#changedFleet]
      .map((start) => this.#fleet.byStart.get(start))
      .filter((w): w is ScopeSpeedWindow => w !== undefined)
      .sort((a, b) => a.windowStart - b.windowStart)
      .map((w) => this.#point(w));
    this.#changedFleet.clear();
    return {
      fleet,
      trucks: take(this.#changedTrucks, this.#trucks, watched.truck),
      geofences: take(this.#changedGeofences, this.#geofences, watched.geofence),
    };
  }

  #point(window: ScopeSpeedWindow): FleetWindowPoint {
    return { ...window, maxSpeedKmh: this.#fleetMax.get(window.windowStart) ?? null };
  }

  #pruneFleetMax(): void {
    const oldest = this.#fleet.newest - this.#scopeRetentionMs;
    for (const start of this.#fleetMax.keys()) if (start <= oldest) this.#fleetMax.delete(start);
  }
}

function seriesOf<W extends WindowLike>(all: Map<string, Series<W>>, key: string): Series<W> {
  let series = all.get(key);
  if (!series) {
    series = new Series<W>();
    all.set(key, series);
  }
  return series;
}

function mark(changed: Map<string, Set<number>>, key: string, start: number): void {
  let starts = changed.get(key);
  if (!starts) {
    starts = new Set();
    changed.set(key, starts);
  }
  starts.add(start);
}

function take<W extends WindowLike>(
  changed: Map<string, Set<number>>,
  series: Map<string, Series<W>>,
  watched: (key: string) => boolean,
): Map<string, W[]> {
  const result = new Map<string, W[]>();
  for (const [key, starts] of changed) {
    if (!watched(key)) continue;
    const s = series.get(key);
    const windows = [...starts]
      .map((start) => s?.byStart.get(start))
      .filter((w): w is W => w !== undefined)
      .sort((a, b) => a.windowStart - b.windowStart);
    if (windows.length > 0) result.set(key, windows);
  }
  changed.clear();
  return result;
}
