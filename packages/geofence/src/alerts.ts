import {
  type GeofenceAlert,
  type GeofenceAlertKind,
  geofenceAlertId,
  isNewerFix,
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

/**
 * A debounced boolean: the confirmed value and the run of fixes that observed the other value
 * (`pendingSince` = its first fix, -1 when nothing is pending).
 */
interface Debounced {
  value: boolean;
  pendingSince: number;
  pendingCount: number;
}

const debounced = (value: boolean, pendingSince = -1, pendingCount = 0): Debounced => ({
  value,
  pendingSince,
  pendingCount,
});

/**
 * Feeds one fix's observation at event time `t`. When the other value has been observed for at
 * least `confirmFixes` consecutive fixes and `confirmMs`, it becomes the confirmed value and the
 * time of the run's first fix is returned; otherwise -1.
 */
function observe(d: Debounced, observed: boolean, t: number, v: FenceVersion): number {
  if (observed === d.value) {
    d.pendingSince = -1;
    d.pendingCount = 0;
    return -1;
  }
  if (d.pendingSince < 0) {
    d.pendingSince = t;
    d.pendingCount = 0;
  }
  d.pendingCount++;
  if (d.pendingCount < v.confirmFixes || t - d.pendingSince < v.confirmMs) return -1;
  const since = d.pendingSince;
  d.value = observed;
  d.pendingSince = -1;
  d.pendingCount = 0;
  return since;
}

/** Per truck and fence: which side is confirmed, what is pending, the visit and speeding episode. */
interface FenceTrack {
  id: string;
  /** Confirmed inside the fence (debounced ENTER/EXIT). */
  side: Debounced;
  /** Start of the current confirmed visit (first fix inside), -1 when outside. */
  enteredAt: number;
  dwellDone: boolean;
  /** Confirmed speeding episode inside this fence (debounced OVERSPEED). */
  speed: Debounced;
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
  side: debounced(false),
  enteredAt: -1,
  dwellDone: false,
  speed: debounced(false),
  stamp: 0,
});

const isIdle = (t: FenceTrack) =>
  !t.side.value && t.side.pendingSince < 0 && !t.speed.value && t.speed.pendingSince < 0;

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
    // The contract's ordering rule (isNewerFix): event time, then seq at the same instant.
    if (
      truck &&
      !isNewerFix({ eventTime: t, seq: fix.seq }, { eventTime: truck.time, seq: truck.seq })
    ) {
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
        if (crossing && prev && (!track || (!track.side.value && track.side.pendingSince < 0))) {
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
          k.side.value ? 1 : 0,
          k.enteredAt,
          k.side.pendingSince,
          k.side.pendingCount,
          k.dwellDone ? 1 : 0,
          k.speed.value ? 1 : 0,
          k.speed.pendingSince,
          k.speed.pendingCount,
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
          side: debounced(a[0] === 1, a[2], a[3]),
          enteredAt: a[1],
          dwellDone: a[4] === 1,
          speed: debounced(a[5] === 1, a[6], a[7]),
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
    const since = observe(k.side, inside, t, v);
    if (since >= 0) {
      if (inside) {
        k.enteredAt = since;
        k.dwellDone = false;
        this.emit(out, "ENTER", fix, v, since);
      } else {
        k.enteredAt = -1;
        this.emit(out, "EXIT", fix, v, since);
      }
    }

    if (
      v.dwellMs !== null &&
      k.side.value &&
      inside &&
      !k.dwellDone &&
      k.enteredAt >= 0 &&
      t - k.enteredAt >= v.dwellMs
    ) {
      k.dwellDone = true;
      this.emit(out, "DWELL", fix, v, k.enteredAt);
    }

    const over = inside && v.speedLimitKmh !== null && fix.speedKmh > v.speedLimitKmh;
    const speedingSince = observe(k.speed, over, t, v);
    if (speedingSince >= 0 && over) this.emit(out, "OVERSPEED", fix, v, speedingSince);
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
