import type { AlertView, TrailFix } from "@fleetstream/contracts";

// The replay clock and where each truck is at it: pure, so the slider, the map and the tests
// agree on one definition.

export interface ReplayPoint {
  lat: number;
  lon: number;
  headingDeg: number;
  speedKmh: number;
  /** Event time of the fix at or before t (the position is interpolated toward the next). */
  fixTime: number;
}

/** Index of the last fix at or before t (-1 if none); fixes are in event-time order. */
export function lastFixIndex(fixes: readonly TrailFix[], t: number): number {
  let lo = 0;
  let hi = fixes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((fixes[mid] as TrailFix).eventTime <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Where the truck is at t: null before its first fix in the range; between two fixes on the
 * straight line between them (proportionally in time); after the last fix at the last fix.
 */
export function positionAt(fixes: readonly TrailFix[], t: number): ReplayPoint | null {
  const i = lastFixIndex(fixes, t);
  if (i < 0) return null;
  const a = fixes[i] as TrailFix;
  const b = fixes[i + 1];
  if (!b || b.eventTime === a.eventTime) {
    return {
      lat: a.lat,
      lon: a.lon,
      headingDeg: a.headingDeg,
      speedKmh: a.speedKmh,
      fixTime: a.eventTime,
    };
  }
  const f = (t - a.eventTime) / (b.eventTime - a.eventTime);
  return {
    lat: a.lat + (b.lat - a.lat) * f,
    lon: a.lon + (b.lon - a.lon) * f,
    headingDeg: a.headingDeg,
    speedKmh: a.speedKmh + (b.speedKmh - a.speedKmh) * f,
    fixTime: a.eventTime,
  };
}

/** The path driven up to t: every fix at or before t, then the interpolated position. */
export function trailUntil(fixes: readonly TrailFix[], t: number): [number, number][] {
  const i = lastFixIndex(fixes, t);
  const path: [number, number][] = fixes.slice(0, i + 1).map((f) => [f.lat, f.lon]);
  const here = positionAt(fixes, t);
  if (here && here.fixTime !== t) path.push([here.lat, here.lon]);
  return path;
}

/** Alerts raised (event time) at or before t, oldest first. */
export function alertsUntil(alerts: readonly AlertView[], t: number): AlertView[] {
  return alerts.filter((a) => a.eventTime <= t);
}

/** The clock after `wallMs` of playback at `speed`x, stopping at `to`. */
export function advance(t: number, wallMs: number, speed: number, to: number): number {
  return Math.min(to, t + wallMs * speed);
}

/** Where an instant sits on the timeline, 0…1. */
export function timelineFraction(t: number, from: number, to: number): number {
  return to <= from ? 0 : Math.min(1, Math.max(0, (t - from) / (to - from)));
}
