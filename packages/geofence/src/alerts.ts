import {
  type GeofenceAlert,
  type GeofenceAlertKind,
  geofenceAlertId,
} from "@fleetstream/contracts";
import type { FenceSource, FenceVersion } from "./fence-index";
import { type Arc, arc, copyGeoPoint, type GeoPoint, geoPoint, setGeoPoint } from "./sphere";

/** The fields of a GPS fix the state machine reads (a GpsFix fits). */
export interface FixLike {
  truckId: string;
  seq: number;
  lat: number;
  lon: number;
  speedKmh: number;
  eventTime: number;
}

export interface AlerterOptions {
  /**
   * CROSSED is looked for only between consecutive fixes at most this far apart in event time
   * (default 120 s): over a longer gap the straight path between them is a guess.
   */
  crossingMaxGapMs?: number;
}

export const DEFAULT_CROSSING_MAX_GAP_MS = 120_000;

/** What happened to one fix. */
export type FixOutcome = "applied" | "duplicate" | "stale";

export interface AlerterStats {
  /** Fixes handed to `process`. */
  fixes: number;
  applied: number;
  /** Same truck, event time and seq as the truck's latest processed fix: no state change. */
  duplicates: number;
  /** Older than (or as old as, with another seq) the truck's latest processed fix: no state change. */
  stale: number;
  alerts: Record<GeofenceAlertKind, number>;
}

/** Per truck and fence: which side is confirmed, what is pending, the visit and speeding episode. */
interface FenceTrack {
  id: string;
  inside: boolean;
  /** Start of the current confirmed visit (first fix inside), -1 when outside. */
  enteredAt: number;
  /** First fix on the other side than `inside`, -1 when nothing is pending. */
  pendingSince: number;
  pendingCount: number;
  dwellDone: boolean;
  /** Confirmed speeding episode inside this fence. */
  speeding: boolean;
  speedPendingSince: number;
  speedPendingCount: number;
  /** Which `process` call last evaluated this track. */
  stamp: number;
}

interface TruckTrack {
  time: number;
  seq: number;
  point: GeoPoint;
  fences: Map<string, FenceTrack> | undefined;
}

const newTruck = (time: number, seq: number, p: GeoPoint): TruckTrack => {
  const point = geoPoint(0, 0);
  copyGeoPoint(point, p);
  return { time, seq, point, fences: undefined };
};

/**
 * JSON form of a truck's state (what the processor persists per truck):
 * `f[fenceId] = [inside, enteredAt, pendingSince, pendingCount, dwellDone, speeding,
 * speedPendingSince, speedPendingCount]` with booleans as 0/1.
 */
export interface TruckStateJson {
  v: 1;
  t: number;
  s: number;
  lon: number;
  lat: number;
  f?: Record<string, [number, number, number, number, number, number, number, number]>;
}

const newTrack = (id: string): FenceTrack => ({
  id,
  inside: false,
  enteredAt: -1,
  pendingSince: -1,
  pendingCount: 0,
  dwellDone: false,
  speeding: false,
  speedPendingSince: -1,
  speedPendingCount: 0,
  stamp: 0,
});

const isIdle = (t: FenceTrack) =>
  !t.inside && t.pendingSince < 0 && !t.speeding && t.speedPendingSince < 0;

/**
 * The per-truck alert state machine, in event time. For each fix of a truck (fixes older than its
 * latest processed one are counted and ignored):
 *  - ENTER / EXIT when the truck has been on the new side for the fence's debounce (consecutive
 *    fixes and event time, both required); `since` is the first fix on the new side;
 *  - DWELL once per visit, at the first fix inside at least `dwellSeconds` after the visit began;
 *  - CROSSED when the fix and the previous one are both outside a fence the truck is not in (nor
 *    entering), yet the path between them touches it;
 *  - OVERSPEED inside a fence with a speed limit, above it, debounced like ENTER; one per episode
 *    (the episode ends after the same debounce below the limit or outside).
 * Deleted or disabled fences drop their state silently (no EXIT). Pure: no clock, no I/O.
 */
export class GeofenceAlerter {
  readonly stats: AlerterStats = {
    fixes: 0,
    applied: 0,
    duplicates: 0,
    stale: 0,
    alerts: { ENTER: 0, EXIT: 0, DWELL: 0, CROSSED: 0, OVERSPEED: 0 },
  };
  private readonly trucks = new Map<string, TruckTrack>();
  private readonly crossingMaxGapMs: number;
  private stamp = 0;
  /** The current fix's point; copied into the truck's own point at the end (no garbage per fix). */
  private readonly current: GeoPoint = geoPoint(0, 0);

  constructor(
    private readonly fences: FenceSource,
    options: AlerterOptions = {},
  ) {
    this.crossingMaxGapMs = options.crossingMaxGapMs ?? DEFAULT_CROSSING_MAX_GAP_MS;
  }

  get truckCount(): number {
    return this.trucks.size;
  }

  /** Applies one fix; alerts it raises are appended to `out` in a deterministic order. */
  process(fix: FixLike, out: GeofenceAlert[]): FixOutcome {
    this.stats.fixes++;
    const t = fix.eventTime;
    let truck = this.trucks.get(fix.truckId);
    if (truck && t <= truck.time) {
      if (t === truck.time && fix.seq === truck.seq) {
        this.stats.duplicates++;
        return "duplicate";
      }
      this.stats.stale++;
      return "stale";
    }
    this.stats.applied++;
    const stamp = ++this.stamp;
    const p = setGeoPoint(this.current, fix.lon, fix.lat);
    const prev = truck?.point;
    const crossing =
      prev !== undefined &&
      truck !== undefined &&
      t - truck.time <= this.crossingMaxGapMs &&
      (prev.lon !== p.lon || prev.lat !== p.lat);

    const candidates =
      crossing && prev
        ? this.fences.candidates(
            Math.min(prev.lon, p.lon),
            Math.min(prev.lat, p.lat),
            Math.max(prev.lon, p.lon),
            Math.max(prev.lat, p.lat),
            t,
          )
        : this.fences.candidates(p.lon, p.lat, p.lon, p.lat, t);

    let path: Arc | undefined;
    for (const v of candidates) {
      const box = v.shape.bbox;
      const inside =
        p.lon >= box[0] &&
        p.lon <= box[2] &&
        p.lat >= box[1] &&
        p.lat <= box[3] &&
        v.shape.contains(p);
      let track = truck?.fences?.get(v.id);
      if (track) track.stamp = stamp;
      if (!inside) {
        if (crossing && prev && (!track || (!track.inside && track.pendingSince < 0))) {
          if (v.shape.kind === "Circle") path ??= arc(prev, p);
          if (v.shape.touchesPath(prev, p, path)) {
            this.emit(out, "CROSSED", fix, v, truck?.time ?? t);
          }
        }
        if (!track) continue;
      }
      if (!track) {
        track = newTrack(v.id);
        track.stamp = stamp;
        truck ??= this.addTruck(fix, p);
        truck.fences ??= new Map();
        truck.fences.set(v.id, track);
      }
      this.step(track, v, inside, fix, out);
    }

    if (truck?.fences) {
      for (const track of truck.fences.values()) {
        if (track.stamp !== stamp) {
          const v = this.fences.versionAt(track.id, t);
          if (!v) {
            truck.fences.delete(track.id);
            continue;
          }
          track.stamp = stamp;
          this.step(track, v, false, fix, out);
        }
        if (isIdle(track)) truck.fences.delete(track.id);
      }
      if (truck.fences.size === 0) truck.fences = undefined;
    }

    if (truck) {
      truck.time = t;
      truck.seq = fix.seq;
      copyGeoPoint(truck.point, p);
    } else {
      this.addTruck(fix, p);
    }
    return "applied";
  }

  /** The truck's state as JSON, or undefined for a truck never seen. */
  snapshot(truckId: string): TruckStateJson | undefined {
    const truck = this.trucks.get(truckId);
    if (!truck) return undefined;
    const json: TruckStateJson = {
      v: 1,
      t: truck.time,
      s: truck.seq,
      lon: truck.point.lon,
      lat: truck.point.lat,
    };
    if (truck.fences) {
      json.f = {};
      for (const [id, k] of truck.fences) {
        json.f[id] = [
          k.inside ? 1 : 0,
          k.enteredAt,
          k.pendingSince,
          k.pendingCount,
          k.dwellDone ? 1 : 0,
          k.speeding ? 1 : 0,
          k.speedPendingSince,
          k.speedPendingCount,
        ];
      }
    }
    return json;
  }

  /** Replaces the truck's state with a snapshot (throws on a malformed one). */
  restore(truckId: string, json: unknown): void {
    const state = parseTruckState(json);
    const truck = newTruck(state.t, state.s, geoPoint(state.lon, state.lat));
    if (state.f) {
      truck.fences = new Map();
      for (const [id, a] of Object.entries(state.f)) {
        truck.fences.set(id, {
          id,
          inside: a[0] === 1,
          enteredAt: a[1],
          pendingSince: a[2],
          pendingCount: a[3],
          dwellDone: a[4] === 1,
          speeding: a[5] === 1,
          speedPendingSince: a[6],
          speedPendingCount: a[7],
          stamp: 0,
        });
      }
    }
    this.trucks.set(truckId, truck);
  }

  forget(truckId: string): void {
    this.trucks.delete(truckId);
  }

  private addTruck(fix: FixLike, p: GeoPoint): TruckTrack {
    const truck = newTruck(fix.eventTime, fix.seq, p);
    this.trucks.set(fix.truckId, truck);
    return truck;
  }

  private step(
    k: FenceTrack,
    v: FenceVersion,
    inside: boolean,
    fix: FixLike,
    out: GeofenceAlert[],
  ): void {
    const t = fix.eventTime;
    if (inside === k.inside) {
      k.pendingSince = -1;
      k.pendingCount = 0;
    } else {
      if (k.pendingSince < 0) {
        k.pendingSince = t;
        k.pendingCount = 0;
      }
      k.pendingCount++;
      if (k.pendingCount >= v.confirmFixes && t - k.pendingSince >= v.confirmMs) {
        const since = k.pendingSince;
        k.inside = inside;
        k.pendingSince = -1;
        k.pendingCount = 0;
        if (inside) {
          k.enteredAt = since;
          k.dwellDone = false;
          this.emit(out, "ENTER", fix, v, since);
        } else {
          k.enteredAt = -1;
          this.emit(out, "EXIT", fix, v, since);
        }
      }
    }

    if (
      v.dwellMs !== null &&
      k.inside &&
      inside &&
      !k.dwellDone &&
      k.enteredAt >= 0 &&
      t - k.enteredAt >= v.dwellMs
    ) {
      k.dwellDone = true;
      this.emit(out, "DWELL", fix, v, k.enteredAt);
    }

    const over = inside && v.speedLimitKmh !== null && fix.speedKmh > v.speedLimitKmh;
    if (over === k.speeding) {
      k.speedPendingSince = -1;
      k.speedPendingCount = 0;
    } else {
      if (k.speedPendingSince < 0) {
        k.speedPendingSince = t;
        k.speedPendingCount = 0;
      }
      k.speedPendingCount++;
      if (k.speedPendingCount >= v.confirmFixes && t - k.speedPendingSince >= v.confirmMs) {
        const since = k.speedPendingSince;
        k.speeding = over;
        k.speedPendingSince = -1;
        k.speedPendingCount = 0;
        if (over) this.emit(out, "OVERSPEED", fix, v, since);
      }
    }
  }

  private emit(
    out: GeofenceAlert[],
    kind: GeofenceAlertKind,
    fix: FixLike,
    v: FenceVersion,
    since: number,
  ): void {
    this.stats.alerts[kind]++;
    out.push({
      v: 1,
      id: geofenceAlertId(fix.truckId, v.id, kind, fix.eventTime),
      kind,
      truckId: fix.truckId,
      geofenceId: v.id,
      geofenceVersion: v.version,
      eventTime: fix.eventTime,
      since,
      seq: fix.seq,
      lat: fix.lat,
      lon: fix.lon,
      speedKmh: fix.speedKmh,
    });
  }
}

const isNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Checks a persisted snapshot's shape; throws naming the problem. */
export function parseTruckState(json: unknown): TruckStateJson {
  const fail = (why: string): never => {
    throw new Error(`invalid geofence truck state: ${why}`);
  };
  if (typeof json !== "object" || json === null) return fail("not an object");
  const s = json as Record<string, unknown>;
  if (s.v !== 1) fail(`unknown version ${String(s.v)}`);
  for (const key of ["t", "s", "lon", "lat"]) if (!isNumber(s[key])) fail(`${key} is not a number`);
  if (s.f !== undefined) {
    if (typeof s.f !== "object" || s.f === null) fail("f is not an object");
    for (const [id, a] of Object.entries(s.f as Record<string, unknown>)) {
      if (!Array.isArray(a) || a.length !== 8 || !a.every(isNumber)) fail(`f.${id} is malformed`);
    }
  }
  return json as TruckStateJson;
}
