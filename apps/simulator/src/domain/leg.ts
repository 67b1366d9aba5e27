import { bearingDeg, distanceM, headingDiffDeg, type LonLat } from "./geo";

/** Road classes and the truck speed limit on each (EU trucks: limiter at 90, motorway limit 80-90). */
export const ROAD_CLASSES = {
  motorway: { limitKmh: 85 },
  primary: { limitKmh: 70 },
  urban: { limitKmh: 50 },
} as const satisfies Record<string, { limitKmh: number }>;

export type RoadClass = keyof typeof ROAD_CLASSES;

export const isRoadClass = (value: unknown): value is RoadClass =>
  typeof value === "string" && Object.hasOwn(ROAD_CLASSES, value);

/**
 * Highest speed through a turn of `deg` degrees (a bend, a junction ramp, a roundabout), km/h;
 * Infinity for gentle bends, which the road class limit covers.
 */
export function turnSpeedKmh(deg: number): number {
  if (deg <= 15) return Number.POSITIVE_INFINITY;
  if (deg <= 45) return 60;
  if (deg <= 90) return 35;
  if (deg <= 135) return 25;
  return 15;
}

/** A polyline piece with one road class, as route data describes it. */
export interface ClassedPath {
  roadClass: RoadClass;
  points: readonly LonLat[];
}

/**
 * One drive from a start to a stop: a polyline with per-segment length, bearing and speed limit,
 * precomputed once so that stepping a truck is arithmetic only.
 * Segment i runs from points[i] to points[i + 1].
 */
export interface Leg {
  /** Human-readable, e.g. "DC Venlo -> Utrecht". */
  name: string;
  /** Ids of the start and end places (route planners use them to pick the next leg). */
  from: string;
  to: string;
  points: LonLat[];
  /** Distance from the start to points[i], metres; cumM[0] = 0, last = lengthM. */
  cumM: Float64Array;
  bearingDeg: Float64Array;
  limitMs: Float64Array;
  /**
   * Speed limit at each vertex from the turn there (junctions, roundabouts), m/s; index j is the
   * start of segment j; Infinity where the road is nearly straight.
   */
  turnLimitMs: Float64Array;
  roadClass: RoadClass[];
  lengthM: number;
}

/**
 * Builds a leg from consecutive classed paths (each path's first point repeats the previous
 * path's last point, or is appended if it does not). Zero-length segments are dropped.
 */
export function buildLeg(
  name: string,
  from: string,
  to: string,
  paths: readonly ClassedPath[],
): Leg {
  const points: LonLat[] = [];
  const classes: RoadClass[] = [];
  for (const path of paths) {
    for (const p of path.points) {
      const last = points[points.length - 1];
      if (last && distanceM(last, p) < 0.5) continue;
      if (last) classes.push(path.roadClass);
      points.push(p);
    }
  }
  if (points.length < 2) throw new Error(`route ${name} needs two distinct points`);
  const n = points.length - 1;
  const cumM = new Float64Array(n + 1);
  const bearing = new Float64Array(n);
  const limitMs = new Float64Array(n);
  const turnLimitMs = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const a = points[i] as LonLat;
    const b = points[i + 1] as LonLat;
    cumM[i + 1] = (cumM[i] as number) + distanceM(a, b);
    bearing[i] = bearingDeg(a, b);
    limitMs[i] = ROAD_CLASSES[classes[i] as RoadClass].limitKmh / 3.6;
    if (i > 0) {
      turnLimitMs[i] =
        turnSpeedKmh(headingDiffDeg(bearing[i - 1] as number, bearing[i] as number)) / 3.6;
    }
  }
  return {
    name,
    from,
    to,
    points,
    cumM,
    bearingDeg: bearing,
    limitMs,
    turnLimitMs,
    roadClass: classes,
    lengthM: cumM[n] as number,
  };
}

/** The same road driven the other way. */
export function reverseLeg(leg: Leg): Leg {
  const paths: ClassedPath[] = [];
  for (let i = leg.points.length - 2; i >= 0; i--) {
    paths.push({
      roadClass: leg.roadClass[i] as RoadClass,
      points: [leg.points[i + 1] as LonLat, leg.points[i] as LonLat],
    });
  }
  const [start, end] = leg.name.split(" -> ");
  const name = end !== undefined ? `${end} -> ${start}` : `${leg.name} (back)`;
  return buildLeg(name, leg.to, leg.from, paths);
}

/** Index of the segment containing distance s, searching forward from a hint. */
export function segmentAt(leg: Leg, s: number, hint = 0): number {
  const last = leg.cumM.length - 2;
  let i = Math.min(Math.max(hint, 0), last);
  while (i > 0 && (leg.cumM[i] as number) > s) i--;
  while (i < last && (leg.cumM[i + 1] as number) <= s) i++;
  return i;
}

/** Point at distance s along the leg (linear in lon/lat inside a segment). */
export function pointAt(leg: Leg, s: number, segment: number): [number, number] {
  const a = leg.points[segment] as LonLat;
  const b = leg.points[segment + 1] as LonLat;
  const start = leg.cumM[segment] as number;
  const len = (leg.cumM[segment + 1] as number) - start;
  const f = len > 0 ? Math.min(1, Math.max(0, (s - start) / len)) : 0;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
}

/**
 * Re-classes the first and last `urbanM` metres of a leg as urban roads (leaving a depot or
 * city, reaching a delivery address), splitting segments at the boundary.
 */
export function withUrbanEnds(leg: Leg, urbanM: number): Leg {
  const edge = Math.min(urbanM, leg.lengthM / 3);
  const cuts = [edge, leg.lengthM - edge];
  const paths: ClassedPath[] = [];
  for (let i = 0; i < leg.points.length - 1; i++) {
    const s0 = leg.cumM[i] as number;
    const s1 = leg.cumM[i + 1] as number;
    const a = leg.points[i] as LonLat;
    const b = leg.points[i + 1] as LonLat;
    const inner = cuts.filter((c) => c > s0 + 0.5 && c < s1 - 0.5);
    const stops: LonLat[] = [a, ...inner.map((c) => pointAt(leg, c, i) as LonLat), b];
    for (let k = 0; k < stops.length - 1; k++) {
      const p = stops[k] as LonLat;
      const q = stops[k + 1] as LonLat;
      const mid = k === 0 ? s0 + 0.5 : (inner[k - 1] as number) + 0.5;
      const cls =
        mid < edge || mid > leg.lengthM - edge ? "urban" : (leg.roadClass[i] as RoadClass);
      paths.push({ roadClass: cls, points: [p, q] });
    }
  }
  return buildLeg(leg.name, leg.from, leg.to, paths);
}
