/**
 * Spherical geometry on unit vectors. Distances are great-circle distances on a sphere of radius
 * EARTH_RADIUS_M (the mean radius turf uses, so both agree). Comparisons are done on chord lengths
 * and sines instead of angles: no trigonometry per test, and no precision lost near zero.
 */

export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** A point as longitude/latitude degrees and as a unit vector (x towards 0°E, z towards the pole). */
export interface GeoPoint {
  lon: number;
  lat: number;
  x: number;
  y: number;
  z: number;
}

export function geoPoint(lon: number, lat: number): GeoPoint {
  return setGeoPoint({ lon: 0, lat: 0, x: 0, y: 0, z: 0 }, lon, lat);
}

/** Overwrites `target` with the point (no allocation: for hot loops). */
export function setGeoPoint(target: GeoPoint, lon: number, lat: number): GeoPoint {
  const phi = lat * RAD;
  const lambda = lon * RAD;
  const c = Math.cos(phi);
  target.lon = lon;
  target.lat = lat;
  target.x = c * Math.cos(lambda);
  target.y = c * Math.sin(lambda);
  target.z = Math.sin(phi);
  return target;
}

export function copyGeoPoint(target: GeoPoint, source: GeoPoint): void {
  target.lon = source.lon;
  target.lat = source.lat;
  target.x = source.x;
  target.y = source.y;
  target.z = source.z;
}

/** Squared chord length between two unit vectors. */
export function chord2(a: GeoPoint, b: GeoPoint): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  const dz = a.z - b.z;
  return dx * dx + dy * dy + dz * dz;
}

/** Squared chord that spans `metres` of great-circle distance. */
export function chord2ForDistance(metres: number): number {
  const c = 2 * Math.sin(metres / EARTH_RADIUS_M / 2);
  return c * c;
}

/**
 * Great-circle distance in metres between two points given in degrees (haversine formula on a
 * sphere of EARTH_RADIUS_M): the one distance helper of the product (speed windows use it for
 * distance driven).
 */
export function greatCircleM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  const a = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * A great-circle arc from a to b (shorter way), prepared for distance tests: n is the unit normal
 * of its plane; a point p projects inside the arc iff p·u1 >= 0 and p·u2 >= 0 (u1 = n×a, u2 = b×n).
 * Degenerate arcs (a = b or antipodal) have `degenerate` set and are treated as the point a.
 */
export interface Arc {
  a: GeoPoint;
  b: GeoPoint;
  nx: number;
  ny: number;
  nz: number;
  u1x: number;
  u1y: number;
  u1z: number;
  u2x: number;
  u2y: number;
  u2z: number;
  degenerate: boolean;
}

export function arc(a: GeoPoint, b: GeoPoint): Arc {
  let nx = a.y * b.z - a.z * b.y;
  let ny = a.z * b.x - a.x * b.z;
  let nz = a.x * b.y - a.y * b.x;
  const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
  const degenerate = len < 1e-15;
  if (!degenerate) {
    nx /= len;
    ny /= len;
    nz /= len;
  }
  return {
    a,
    b,
    nx,
    ny,
    nz,
    // u1 = n × a
    u1x: ny * a.z - nz * a.y,
    u1y: nz * a.x - nx * a.z,
    u1z: nx * a.y - ny * a.x,
    // u2 = b × n
    u2x: b.y * nz - b.z * ny,
    u2y: b.z * nx - b.x * nz,
    u2z: b.x * ny - b.y * nx,
    degenerate,
  };
}

/**
 * Is p within the distance whose squared chord is `c2` (and sine is `s`) of the arc?
 * Inside the arc's span the cross-track distance decides (|p·n| <= sin θ), otherwise the nearer end.
 */
export function withinArc(p: GeoPoint, g: Arc, c2: number, s: number): boolean {
  if (!g.degenerate) {
    const along1 = p.x * g.u1x + p.y * g.u1y + p.z * g.u1z;
    const along2 = p.x * g.u2x + p.y * g.u2y + p.z * g.u2z;
    if (along1 >= 0 && along2 >= 0) {
      const cross = p.x * g.nx + p.y * g.ny + p.z * g.nz;
      return Math.abs(cross) <= s;
    }
  }
  return chord2(p, g.a) <= c2 || chord2(p, g.b) <= c2;
}

/** Great-circle distance from p to the arc, metres (for tests and diagnostics). */
export function distanceToArcM(p: GeoPoint, g: Arc): number {
  if (!g.degenerate) {
    const along1 = p.x * g.u1x + p.y * g.u1y + p.z * g.u1z;
    const along2 = p.x * g.u2x + p.y * g.u2y + p.z * g.u2z;
    if (along1 >= 0 && along2 >= 0) {
      const cross = p.x * g.nx + p.y * g.ny + p.z * g.nz;
      return EARTH_RADIUS_M * Math.asin(Math.min(1, Math.abs(cross)));
    }
  }
  return Math.min(
    greatCircleM(p.lat, p.lon, g.a.lat, g.a.lon),
    greatCircleM(p.lat, p.lon, g.b.lat, g.b.lon),
  );
}

/** Do two (short, < 180°) arcs cross or touch? */
export function arcsIntersect(g: Arc, h: Arc): boolean {
  if (g.degenerate || h.degenerate) return false;
  const sc = g.nx * h.a.x + g.ny * h.a.y + g.nz * h.a.z;
  const sd = g.nx * h.b.x + g.ny * h.b.y + g.nz * h.b.z;
  if ((sc > 0 && sd > 0) || (sc < 0 && sd < 0)) return false;
  const sa = h.nx * g.a.x + h.ny * g.a.y + h.nz * g.a.z;
  const sb = h.nx * g.b.x + h.ny * g.b.y + h.nz * g.b.z;
  if ((sa > 0 && sb > 0) || (sa < 0 && sb < 0)) return false;
  // Both great circles cross between the ends; make sure it is the same crossing, not its antipode.
  const mx = g.a.x + g.b.x;
  const my = g.a.y + g.b.y;
  const mz = g.a.z + g.b.z;
  return mx * (h.a.x + h.b.x) + my * (h.a.y + h.b.y) + mz * (h.a.z + h.b.z) > 0;
}

/** Is the arc g within the distance (squared chord c2, sine s) of the arc h anywhere? */
export function arcsWithin(g: Arc, h: Arc, c2: number, s: number): boolean {
  return (
    arcsIntersect(g, h) ||
    withinArc(g.a, h, c2, s) ||
    withinArc(g.b, h, c2, s) ||
    withinArc(h.a, g, c2, s) ||
    withinArc(h.b, g, c2, s)
  );
}

/**
 * The latitude range an arc reaches: its ends, or the great circle's northern/southern vertex when
 * that lies within the arc (an east-west arc bulges poleward).
 */
export function arcLatRange(g: Arc): [number, number] {
  let min = Math.min(g.a.lat, g.b.lat);
  let max = Math.max(g.a.lat, g.b.lat);
  if (!g.degenerate) {
    // Vertex = the pole projected onto the arc's plane, normalised.
    const vx = -g.nz * g.nx;
    const vy = -g.nz * g.ny;
    const vz = 1 - g.nz * g.nz;
    const len = Math.sqrt(vx * vx + vy * vy + vz * vz);
    if (len > 1e-12) {
      for (const sign of [1, -1]) {
        const px = (sign * vx) / len;
        const py = (sign * vy) / len;
        const pz = (sign * vz) / len;
        const along1 = px * g.u1x + py * g.u1y + pz * g.u1z;
        const along2 = px * g.u2x + py * g.u2y + pz * g.u2z;
        if (along1 >= 0 && along2 >= 0) {
          const lat = Math.asin(Math.max(-1, Math.min(1, pz))) / RAD;
          min = Math.min(min, lat);
          max = Math.max(max, lat);
        }
      }
    }
  }
  return [min, max];
}

/** Angular radius in degrees for a distance in metres. */
export const degreesForMetres = (metres: number): number => metres / EARTH_RADIUS_M / RAD;

/** Degrees of longitude that `metres` span at most within the latitude band up to |lat| = maxAbsLat. */
export function lonDegreesForMetres(metres: number, maxAbsLat: number): number {
  const cos = Math.cos(Math.min(89.999, maxAbsLat) * RAD);
  return Math.min(360, degreesForMetres(metres) / cos);
}
