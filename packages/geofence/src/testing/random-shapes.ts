import type { GeofenceGeometry, Position } from "@fleetstream/contracts";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

/**
 * Seeded random shapes for tests and benchmarks (import "@fleetstream/geofence/testing").
 * Polygons are star-shaped around their centre, so always simple; holes sit well inside.
 */
export type Rng = () => number;

/** Seeded uniform [0, 1) draws from pure-rand's xoroshiro128+ (fast-check's PRNG, as the simulator). */
export function seededRandom(seed: number): Rng {
  const generator = xoroshiro128plus(seed >>> 0);
  return () => uniformFloat64(generator);
}

const DEG = Math.PI / 180;

function star(
  rng: Rng,
  center: Position,
  radiusDeg: number,
  vertices: number,
  minRadius: number,
  even: boolean,
): Position[] {
  const angles = even
    ? Array.from({ length: vertices }, (_, i) => ((i + rng() * 0.5) / vertices) * 2 * Math.PI)
    : Array.from({ length: vertices }, () => rng() * 2 * Math.PI).sort((a, b) => a - b);
  const lonScale = 1 / Math.cos(center[1] * DEG);
  const ring = angles.map((angle): Position => {
    const r = radiusDeg * (minRadius + (1 - minRadius) * rng());
    return [center[0] + r * Math.cos(angle) * lonScale, center[1] + r * Math.sin(angle)];
  });
  ring.push([...(ring[0] as Position)] as Position);
  return ring;
}

export interface RandomPolygonOptions {
  holes?: number;
  /** Shift of the centre in degrees (to spread multipolygon parts). */
  offsetDeg?: number;
  center?: Position;
  /** Outer radius in degrees (default 0.001 .. 1, log-uniform). */
  radiusDeg?: number;
  vertices?: number;
}

/** Polygon rings: an outer star and `holes` smaller stars around the same centre. */
export function randomPolygon(rng: Rng, options: RandomPolygonOptions = {}): Position[][] {
  const holes = options.holes ?? 0;
  const center: Position = options.center ?? [
    -170 + rng() * 340 + (options.offsetDeg ?? 0),
    -70 + rng() * 140,
  ];
  const radiusDeg = options.radiusDeg ?? 10 ** (-3 + 3 * rng());
  const vertices = options.vertices ?? (holes > 0 ? 6 : 3) + Math.floor(rng() * 35);
  const outer = star(rng, center, radiusDeg, vertices, 0.5, holes > 0);
  const rings = [outer];
  for (let h = 0; h < holes; h++) {
    // Hole radius <= 0.3 R: inside every edge of an outer ring with radii >= 0.5 R and gaps <= 90°.
    const holeCenter: Position = [center[0], center[1]];
    rings.push(star(rng, holeCenter, radiusDeg * 0.3, 3 + Math.floor(rng() * 10), 0.3, false));
  }
  return rings;
}

/** A corridor: 2..8 positions, segments 100 m .. 20 km, buffer 5 m .. 2 km. */
export function randomCorridor(
  rng: Rng,
  start?: Position,
): { coordinates: Position[]; bufferM: number } {
  let [lon, lat] = start ?? [-170 + rng() * 340, -70 + rng() * 140];
  const coordinates: Position[] = [[lon, lat]];
  const count = 2 + Math.floor(rng() * 7);
  let bearing = rng() * 2 * Math.PI;
  for (let i = 1; i < count; i++) {
    const lengthM = 10 ** (2 + rng() * 2.3);
    bearing += (rng() - 0.5) * Math.PI;
    lat += (lengthM * Math.cos(bearing)) / 111_195;
    lon += (lengthM * Math.sin(bearing)) / (111_195 * Math.cos(lat * DEG));
    coordinates.push([lon, lat]);
  }
  return { coordinates, bufferM: 10 ** (0.7 + rng() * 2.6) };
}

/** A region box [minLon, minLat, maxLon, maxLat]. */
export type Region = readonly [number, number, number, number];

/** The Netherlands, roughly: where the simulator drives. */
export const NL_REGION: Region = [3.4, 50.8, 7.1, 53.5];

/**
 * A realistic mix for benchmarks: depots and customer sites (circles 50 m .. 2 km), zones
 * (polygons 0.5 .. 10 km across, 3 .. 40 vertices, some with holes, some multipolygons) and route
 * corridors (road-like polylines 1 .. 30 km long, buffer 20 .. 200 m), spread over a region.
 */
export function randomGeometry(rng: Rng, region: Region = NL_REGION): GeofenceGeometry {
  const [minLon, minLat, maxLon, maxLat] = region;
  const center: Position = [minLon + rng() * (maxLon - minLon), minLat + rng() * (maxLat - minLat)];
  const pick = rng();
  if (pick < 0.4) {
    return { type: "Circle", center, radiusM: 50 + rng() * rng() * 1_950 };
  }
  if (pick < 0.75) {
    const radiusDeg = (250 + rng() * rng() * 4_750) / 111_195;
    const holes = rng() < 0.2 ? 1 : 0;
    if (rng() < 0.1) {
      return {
        type: "MultiPolygon",
        coordinates: [
          randomPolygon(rng, { center, radiusDeg, holes }),
          randomPolygon(rng, {
            center: [center[0] + radiusDeg * 3, center[1]],
            radiusDeg: radiusDeg / 2,
          }),
        ],
      };
    }
    return { type: "Polygon", coordinates: randomPolygon(rng, { center, radiusDeg, holes }) };
  }
  return { type: "Corridor", coordinates: randomRoute(rng, center), bufferM: 20 + rng() * 180 };
}

/** A road-like polyline: 1 .. 30 km long, a vertex every 100 m .. 1 km, gently turning. */
export function randomRoute(rng: Rng, start: Position): Position[] {
  let [lon, lat] = start;
  const lengthM = 1_000 + rng() * 29_000;
  const coordinates: Position[] = [[lon, lat]];
  let bearing = rng() * 2 * Math.PI;
  for (let done = 0; done < lengthM; ) {
    const stepM = 100 + rng() * 900;
    bearing += (rng() - 0.5) * 0.6;
    lat += (stepM * Math.cos(bearing)) / 111_195;
    lon += (stepM * Math.sin(bearing)) / (111_195 * Math.cos(lat * DEG));
    coordinates.push([lon, lat]);
    done += stepM;
  }
  return coordinates;
}
