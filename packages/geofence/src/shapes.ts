import type { GeofenceGeometry, Position } from "@fleetstream/contracts";
import {
  type Arc,
  arc,
  arcLatRange,
  arcsWithin,
  chord2,
  chord2ForDistance,
  degreesForMetres,
  EARTH_RADIUS_M,
  type GeoPoint,
  geoPoint,
  lonDegreesForMetres,
  withinArc,
} from "./sphere";

/** [minLon, minLat, maxLon, maxLat] in degrees. */
export type BBox = [number, number, number, number];

/**
 * A compiled geofence shape. Every shape is a CLOSED set: a point on an edge or vertex (of an outer
 * ring or of a hole), exactly at the radius of a circle or exactly at the buffer of a corridor is
 * inside. See README "Edges".
 */
export interface Shape {
  readonly kind: GeofenceGeometry["type"];
  readonly bbox: BBox;
  /**
   * Boxes covering the shape more tightly than `bbox` (one per polygon of a multipolygon, one per
   * segment of a corridor): what the spatial index stores, so a long diagonal corridor is not a
   * candidate for every point of its big bounding box.
   */
  readonly parts: readonly BBox[];
  contains(p: GeoPoint): boolean;
  /**
   * Does the path from a to b touch the shape, given that a and b are both OUTSIDE it (the caller
   * has just tested them)? The path is a straight line in longitude/latitude for polygons (their
   * edges are straight in lon/lat too) and a great-circle arc for circles and corridors (their
   * distances are great-circle distances). `path` is `arc(a, b)` if the caller has it already.
   */
  touchesPath(a: GeoPoint, b: GeoPoint, path?: Arc): boolean;
}

/** Small pad on metric bounding boxes (degrees, ~1 cm) so rounding never drops a candidate. */
const BBOX_PAD = 1e-7;

// ---------------------------------------------------------------- polygons (planar in lon/lat)

/** Result of a ring test. */
export const OUTSIDE = -1;
export const BOUNDARY = 0;
export const INSIDE = 1;

/** A closed ring as a flat [lon0, lat0, lon1, lat1, ...] array (last = first) with its bbox. */
interface Ring {
  xy: Float64Array;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function compileRing(ring: readonly Position[]): Ring {
  const xy = new Float64Array(ring.length * 2);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  ring.forEach(([x, y], i) => {
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  });
  return { xy, minX, minY, maxX, maxY };
}

/**
 * Where (px, py) is relative to a closed ring: INSIDE, BOUNDARY or OUTSIDE. Crossing number with a
 * ray towards +x; an edge is on the boundary when the point is within the edge's box and the cross
 * product is exactly 0, so vertices and points on axis-parallel edges are always BOUNDARY.
 */
export function ringPosition(xy: Float64Array, px: number, py: number): number {
  let inside = false;
  const n = xy.length - 2;
  for (let i = 0; i < n; i += 2) {
    const ax = xy[i] as number;
    const ay = xy[i + 1] as number;
    const bx = xy[i + 2] as number;
    const by = xy[i + 3] as number;
    if (ay > py !== by > py) {
      const minX = Math.min(ax, bx);
      if (px < minX) {
        inside = !inside;
      } else if (px <= Math.max(ax, bx)) {
        const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        if (cross === 0) return BOUNDARY;
        if (cross > 0 === by > ay) inside = !inside;
      }
    } else if (ay === py || by === py) {
      // Horizontal edge on the ray's line, or a vertex at a local top/bottom.
      if (px >= Math.min(ax, bx) && px <= Math.max(ax, bx)) {
        const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        if (cross === 0) return BOUNDARY;
      }
    }
  }
  return inside ? INSIDE : OUTSIDE;
}

/** Orientation of c relative to a→b: >0 left, <0 right, 0 collinear. */
const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
  (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

const onSegment = (
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): boolean =>
  cx >= Math.min(ax, bx) &&
  cx <= Math.max(ax, bx) &&
  cy >= Math.min(ay, by) &&
  cy <= Math.max(ay, by);

/** Do segments ab and cd share at least one point (touching counts)? */
export function segmentsIntersect(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) {
    return true;
  }
  if (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  if (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  return false;
}

function ringTouchesSegment(ring: Ring, ax: number, ay: number, bx: number, by: number): boolean {
  if (
    Math.max(ax, bx) < ring.minX ||
    Math.min(ax, bx) > ring.maxX ||
    Math.max(ay, by) < ring.minY ||
    Math.min(ay, by) > ring.maxY
  ) {
    return false;
  }
  const xy = ring.xy;
  const n = xy.length - 2;
  for (let i = 0; i < n; i += 2) {
    if (
      segmentsIntersect(
        ax,
        ay,
        bx,
        by,
        xy[i] as number,
        xy[i + 1] as number,
        xy[i + 2] as number,
        xy[i + 3] as number,
      )
    ) {
      return true;
    }
  }
  return false;
}

/** One polygon: outer ring and holes. */
interface PolygonRings {
  outer: Ring;
  holes: Ring[];
}

function polygonContains(polygon: PolygonRings, x: number, y: number): boolean {
  const { outer } = polygon;
  if (x < outer.minX || x > outer.maxX || y < outer.minY || y > outer.maxY) return false;
  if (ringPosition(outer.xy, x, y) === OUTSIDE) return false;
  for (const hole of polygon.holes) {
    if (x < hole.minX || x > hole.maxX || y < hole.minY || y > hole.maxY) continue;
    // On a hole's edge is on the polygon's boundary: inside.
    if (ringPosition(hole.xy, x, y) === INSIDE) return false;
  }
  return true;
}

/** Polygon or MultiPolygon: the union of its polygons. */
class PolygonShape implements Shape {
  readonly bbox: BBox;
  private readonly polygons: PolygonRings[];

  constructor(
    readonly kind: "Polygon" | "MultiPolygon",
    polygons: readonly (readonly (readonly Position[])[])[],
  ) {
    this.polygons = polygons.map(([outer = [], ...holes]) => ({
      outer: compileRing(outer),
      holes: holes.map(compileRing),
    }));
    const bbox: BBox = [
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const { outer } of this.polygons) {
      bbox[0] = Math.min(bbox[0], outer.minX);
      bbox[1] = Math.min(bbox[1], outer.minY);
      bbox[2] = Math.max(bbox[2], outer.maxX);
      bbox[3] = Math.max(bbox[3], outer.maxY);
    }
    this.bbox = bbox;
    this.parts = this.polygons.map(
      ({ outer }): BBox => [outer.minX, outer.minY, outer.maxX, outer.maxY],
    );
  }

  readonly parts: readonly BBox[];

  contains(p: GeoPoint): boolean {
    for (const polygon of this.polygons) if (polygonContains(polygon, p.lon, p.lat)) return true;
    return false;
  }

  touchesPath(a: GeoPoint, b: GeoPoint): boolean {
    for (const polygon of this.polygons) {
      // Both ends outside: the path touches the polygon iff it meets one of its rings.
      if (ringTouchesSegment(polygon.outer, a.lon, a.lat, b.lon, b.lat)) return true;
      for (const hole of polygon.holes) {
        if (ringTouchesSegment(hole, a.lon, a.lat, b.lon, b.lat)) return true;
      }
    }
    return false;
  }
}

// ---------------------------------------------------------------- circles and corridors (metric)

class CircleShape implements Shape {
  readonly kind = "Circle";
  readonly bbox: BBox;
  private readonly center: GeoPoint;
  private readonly c2: number;
  private readonly chord: number;
  private readonly sin: number;

  constructor(center: Position, radiusM: number) {
    this.center = geoPoint(center[0], center[1]);
    this.c2 = chord2ForDistance(radiusM);
    this.chord = Math.sqrt(this.c2);
    this.sin = Math.sin(radiusM / EARTH_RADIUS_M);
    const dLat = degreesForMetres(radiusM) + BBOX_PAD;
    const dLon = lonDegreesForMetres(radiusM, Math.abs(center[1]) + dLat) * 1.000001 + BBOX_PAD;
    this.bbox = [center[0] - dLon, center[1] - dLat, center[0] + dLon, center[1] + dLat];
    this.parts = [this.bbox];
  }

  readonly parts: readonly BBox[];

  contains(p: GeoPoint): boolean {
    return chord2(p, this.center) <= this.c2;
  }

  touchesPath(a: GeoPoint, b: GeoPoint, path?: Arc): boolean {
    // Quick reject: every point of the path is within chord(a, b) of a.
    if (Math.sqrt(chord2(this.center, a)) - Math.sqrt(chord2(a, b)) > this.chord) return false;
    return withinArc(this.center, path ?? arc(a, b), this.c2, this.sin);
  }
}

class CorridorShape implements Shape {
  readonly kind = "Corridor";
  readonly bbox: BBox;
  private readonly arcs: Arc[];
  /** Per arc [minLon, minLat, maxLon, maxLat] widened by the buffer: a quick reject. */
  private readonly boxes: Float64Array;
  private readonly c2: number;
  private readonly sin: number;

  constructor(line: readonly Position[], bufferM: number) {
    const points = line.map(([lon, lat]) => geoPoint(lon, lat));
    this.arcs = [];
    for (let i = 0; i + 1 < points.length; i++) {
      this.arcs.push(arc(points[i] as GeoPoint, points[i + 1] as GeoPoint));
    }
    if (this.arcs.length === 0 && points[0]) this.arcs.push(arc(points[0], points[0]));
    this.c2 = chord2ForDistance(bufferM);
    this.sin = Math.sin(bufferM / EARTH_RADIUS_M);
    const dLat = degreesForMetres(bufferM) + BBOX_PAD;
    this.boxes = new Float64Array(this.arcs.length * 4);
    const parts: BBox[] = [];
    const bbox: BBox = [
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    this.arcs.forEach((g, i) => {
      const [lat0, lat1] = arcLatRange(g);
      const dLon =
        lonDegreesForMetres(bufferM, Math.max(Math.abs(lat0), Math.abs(lat1)) + dLat) * 1.000001 +
        BBOX_PAD;
      const box = [
        Math.min(g.a.lon, g.b.lon) - dLon,
        lat0 - dLat,
        Math.max(g.a.lon, g.b.lon) + dLon,
        lat1 + dLat,
      ] as const;
      this.boxes.set(box, i * 4);
      parts.push([...box]);
      bbox[0] = Math.min(bbox[0], box[0]);
      bbox[1] = Math.min(bbox[1], box[1]);
      bbox[2] = Math.max(bbox[2], box[2]);
      bbox[3] = Math.max(bbox[3], box[3]);
    });
    this.bbox = bbox;
    this.parts = parts;
  }

  readonly parts: readonly BBox[];

  contains(p: GeoPoint): boolean {
    const boxes = this.boxes;
    for (let i = 0; i < this.arcs.length; i++) {
      const j = i * 4;
      if (
        p.lon < (boxes[j] as number) ||
        p.lat < (boxes[j + 1] as number) ||
        p.lon > (boxes[j + 2] as number) ||
        p.lat > (boxes[j + 3] as number)
      ) {
        continue;
      }
      if (withinArc(p, this.arcs[i] as Arc, this.c2, this.sin)) return true;
    }
    return false;
  }

  touchesPath(a: GeoPoint, b: GeoPoint, path?: Arc): boolean {
    const minLon = Math.min(a.lon, b.lon);
    const maxLon = Math.max(a.lon, b.lon);
    const minLat = Math.min(a.lat, b.lat);
    const maxLat = Math.max(a.lat, b.lat);
    const boxes = this.boxes;
    let fixPath = path;
    for (let i = 0; i < this.arcs.length; i++) {
      const j = i * 4;
      if (
        maxLon < (boxes[j] as number) ||
        maxLat < (boxes[j + 1] as number) ||
        minLon > (boxes[j + 2] as number) ||
        minLat > (boxes[j + 3] as number)
      ) {
        continue;
      }
      fixPath ??= arc(a, b);
      if (arcsWithin(fixPath, this.arcs[i] as Arc, this.c2, this.sin)) return true;
    }
    return false;
  }
}

/** Compiles a validated geometry (see `geometryProblems`) for fast tests. */
export function compileShape(geometry: GeofenceGeometry): Shape {
  switch (geometry.type) {
    case "Polygon":
      return new PolygonShape("Polygon", [geometry.coordinates]);
    case "MultiPolygon":
      return new PolygonShape("MultiPolygon", geometry.coordinates);
    case "Circle":
      return new CircleShape(geometry.center, geometry.radiusM);
    case "Corridor":
      return new CorridorShape(geometry.coordinates, geometry.bufferM);
  }
}
