import {
  type GeofenceGeometry,
  MAX_GEOFENCE_POSITIONS,
  type Position,
} from "@fleetstream/contracts";
import { OUTSIDE, ringPosition, segmentsIntersect } from "./shapes";
import { degreesForMetres, lonDegreesForMetres } from "./sphere";
import { firstConflict, type Segment } from "./sweep";

/**
 * Most positions one geofence may have (all rings together): 20,000, see the contract's
 * MAX_GEOFENCE_POSITIONS. The crossing check is a sweep in O(n log n) (src/sweep.ts).
 */
export const MAX_POSITIONS = MAX_GEOFENCE_POSITIONS;
/** Circles and corridors must stay this far from the poles (the supported region). */
export const MAX_ABS_LATITUDE = 89;

/**
 * Topology checks the schema cannot express, for a geometry that already passed the zod schema
 * (ranges, closed rings, radius > 0). Each problem names where it is, e.g.
 * `geometry.coordinates[0]: ring self-intersects: edge 1 crosses edge 3 near [4.9, 52.3]`.
 * Empty when the geometry is usable.
 */
export function geometryProblems(geometry: GeofenceGeometry): string[] {
  switch (geometry.type) {
    case "Polygon":
      return polygonProblems(geometry.coordinates, "geometry.coordinates");
    case "MultiPolygon": {
      const total = geometry.coordinates.flat(2).length;
      if (total > MAX_POSITIONS) return [tooManyPositions(total)];
      return geometry.coordinates.flatMap((polygon, i) =>
        polygonProblems(polygon, `geometry.coordinates[${i}]`),
      );
    }
    case "Circle":
      return metricExtentProblems([geometry.center], geometry.radiusM, "geometry");
    case "Corridor": {
      const problems: string[] = [];
      if (geometry.coordinates.length > MAX_POSITIONS)
        problems.push(tooManyPositions(geometry.coordinates.length));
      const distinct = new Set(geometry.coordinates.map(([x, y]) => `${x},${y}`));
      if (distinct.size < 2) {
        problems.push("geometry.coordinates: a corridor line needs 2 distinct positions");
      }
      geometry.coordinates.forEach((position, i) => {
        const next = geometry.coordinates[i + 1];
        if (next && Math.abs(next[0] - position[0]) > 180) {
          problems.push(
            `geometry.coordinates[${i}]: segment to the next position crosses the antimeridian (unsupported)`,
          );
        }
      });
      return [
        ...problems,
        ...metricExtentProblems(geometry.coordinates, geometry.bufferM, "geometry"),
      ];
    }
  }
}

/** The problem for a geometry with more than MAX_POSITIONS positions (also the web's pre-check). */
export const tooManyPositions = (count: number) =>
  `geometry.coordinates: ${count} positions, at most ${MAX_POSITIONS} are supported`;

const fmt = (p: Position | undefined) => (p ? `[${p[0]}, ${p[1]}]` : "[]");

/** A circle or corridor must not reach a pole or cross the antimeridian. */
function metricExtentProblems(points: readonly Position[], metres: number, path: string): string[] {
  const dLat = degreesForMetres(metres);
  let maxLat = Number.NEGATIVE_INFINITY;
  let minLat = Number.POSITIVE_INFINITY;
  for (const [, lat] of points) {
    maxLat = Math.max(maxLat, lat + dLat);
    minLat = Math.min(minLat, lat - dLat);
  }
  if (maxLat > MAX_ABS_LATITUDE || minLat < -MAX_ABS_LATITUDE) {
    return [
      `${path}: reaches latitude ${(maxLat > MAX_ABS_LATITUDE ? maxLat : minLat).toFixed(4)}, ` +
        `outside the supported region (|latitude| <= ${MAX_ABS_LATITUDE})`,
    ];
  }
  for (const [lon, lat] of points) {
    const dLon = lonDegreesForMetres(metres, Math.abs(lat) + dLat);
    if (lon - dLon < -180 || lon + dLon > 180) {
      return [`${path}: crosses the antimeridian (longitude ±180), which is not supported`];
    }
  }
  return [];
}

interface Edge extends Segment {
  ring: number;
  /** Position index of the edge's start in its ring (for messages). */
  index: number;
  /** Ordinal among the ring's (non-empty) edges, and how many the ring has. */
  ord: number;
  count: number;
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

/** Rings of one polygon: each simple, with non-zero area, holes inside the outer ring, no crossings. */
function polygonProblems(rings: readonly (readonly Position[])[], path: string): string[] {
  const total = rings.reduce((sum, ring) => sum + ring.length, 0);
  if (total > MAX_POSITIONS) return [tooManyPositions(total)];
  const problems: string[] = [];
  const edges: Edge[] = [];
  rings.forEach((ring, r) => {
    const lons = ring.map(([lon]) => lon);
    if (Math.max(...lons) - Math.min(...lons) > 180) {
      problems.push(
        `${path}[${r}]: ring spans more than 180° of longitude (crossing the antimeridian is not supported)`,
      );
    }
    if (collinear(ring)) {
      problems.push(`${path}[${r}]: ring has zero area (its positions are collinear or repeated)`);
    }
    const first = edges.length;
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i] as Position;
      const b = ring[i + 1] as Position;
      if (a[0] === b[0] && a[1] === b[1]) continue; // repeated position: no edge
      const ord = edges.length - first;
      const aFirst = a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
      const [l, rr] = aFirst ? [a, b] : [b, a];
      edges.push({
        ring: r,
        index: i,
        ord,
        count: 0,
        ax: a[0],
        ay: a[1],
        bx: b[0],
        by: b[1],
        lx: l[0],
        ly: l[1],
        rx: rr[0],
        ry: rr[1],
      });
    }
    for (let i = first; i < edges.length; i++) (edges[i] as Edge).count = edges.length - first;
  });
  if (problems.length > 0) return problems;

  const outer = rings[0];
  if (outer) {
    const outerXy = Float64Array.from(outer.flat());
    rings.slice(1).forEach((hole, h) => {
      // A hole's positions may touch the outer ring but not lie outside it.
      const outside = hole.find(([x, y]) => ringPosition(outerXy, x, y) === OUTSIDE);
      if (outside) {
        problems.push(`${path}[${h + 1}]: hole is not inside the outer ring (at ${fmt(outside)})`);
      }
    });
  }

  // Each ring on its own first (one self-intersection named per ring), then, when every ring
  // is simple, all rings together for a ring crossing or touching another.
  const describe = (e: Edge, f: Edge, problem: string) =>
    e.ring === f.ring
      ? `${path}[${e.ring}]: ring self-intersects: edge ${e.index} ${problem} edge ${f.index} ` +
        `near ${fmt([e.ax, e.ay])}`
      : `${path}[${f.ring}]: ring ${f.ring} ${problem} ring ${e.ring} ` +
        `(edges ${f.index} and ${e.index}) near ${fmt([f.ax, f.ay])}`;
  const report = (pair: [Edge, Edge] | undefined) => {
    if (!pair) return;
    // Name the pair in ring order, then edge order ("edge 0 crosses edge 2").
    const [e, f] =
      pair[0].ring < pair[1].ring || (pair[0].ring === pair[1].ring && pair[0].ord < pair[1].ord)
        ? pair
        : [pair[1], pair[0]];
    problems.push(describe(e, f, edgeConflict(e, f) as string));
  };
  const isConflict = (e: Edge, f: Edge) => edgeConflict(e, f) !== undefined;
  const before = problems.length;
  for (let r = 0; r < rings.length; r++) {
    report(
      firstConflict(
        edges.filter((e) => e.ring === r),
        isConflict,
      ),
    );
  }
  if (rings.length > 1 && problems.length === before) report(firstConflict(edges, isConflict));
  return problems;
}

/** How two distinct edges conflict ("crosses", "overlaps", "touches"), or undefined if they don't. */
function edgeConflict(e: Edge, f: Edge): string | undefined {
  if (!segmentsIntersect(e.ax, e.ay, e.bx, e.by, f.ax, f.ay, f.bx, f.by)) return undefined;
  if (e.ring === f.ring) {
    const sharesEnd = (e.bx === f.ax && e.by === f.ay) || (f.bx === e.ax && f.by === e.ay);
    const gap = Math.abs(e.ord - f.ord);
    const adjacent = sharesEnd && (gap === 1 || gap === e.count - 1);
    if (adjacent) {
      // Neighbours share a vertex; they conflict only if they fold back over each other.
      const collinear =
        cross(e.ax, e.ay, e.bx, e.by, f.ax, f.ay) === 0 &&
        cross(e.ax, e.ay, e.bx, e.by, f.bx, f.by) === 0;
      if (!collinear) return undefined;
      const dot = (e.bx - e.ax) * (f.bx - f.ax) + (e.by - e.ay) * (f.by - f.ay);
      return dot < 0 ? "folds back over" : undefined;
    }
  }
  const collinear =
    cross(e.ax, e.ay, e.bx, e.by, f.ax, f.ay) === 0 &&
    cross(e.ax, e.ay, e.bx, e.by, f.bx, f.by) === 0;
  return collinear ? "overlaps" : "crosses";
}

const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

/** All positions on one line (or all equal): the ring encloses nothing. */
function collinear(ring: readonly Position[]): boolean {
  const a = ring[0];
  const b = ring.find((p) => a && (p[0] !== a[0] || p[1] !== a[1]));
  if (!a || !b) return true;
  return ring.every((p) => cross(a[0], a[1], b[0], b[1], p[0], p[1]) === 0);
}
