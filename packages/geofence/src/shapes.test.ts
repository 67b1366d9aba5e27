import type { GeofenceGeometry, Position } from "@fleetstream/contracts";
import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import { distance as turfDistance } from "@turf/distance";
import { lineString, multiPolygon, point, polygon } from "@turf/helpers";
import { lineIntersect } from "@turf/line-intersect";
import { pointToLineDistance } from "@turf/point-to-line-distance";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import { describe, expect, it } from "vitest";
import { compileShape } from "./shapes";
import { geoPoint, greatCircleM } from "./sphere";
import { type Rng, randomCorridor, randomPolygon, seededRandom } from "./testing/random-shapes";

// Geometry against an independent implementation (turf 7): thousands of random shapes, points
// spread over each shape's box plus points on and a hair off the edges. The supported region is
// |lat| <= 89 without crossing the antimeridian; shapes here span lat ±75, lon ±175.

const M = { units: "meters" } as const;

/** Points a tiny step either side of random spots on the ring edges, plus the vertices. */
function edgeProbes(rng: Rng, rings: readonly (readonly Position[])[], count: number): Position[] {
  const probes: Position[] = [];
  for (let k = 0; k < count; k++) {
    const ring = rings[Math.floor(rng() * rings.length)] as readonly Position[];
    const i = Math.floor(rng() * (ring.length - 1));
    const [ax, ay] = ring[i] as Position;
    const [bx, by] = ring[i + 1] as Position;
    const t = rng();
    const len = Math.hypot(bx - ax, by - ay);
    // 1e-9..1e-6 degrees (0.1 mm .. 10 cm) off the edge, on either side.
    const off = 10 ** (-9 + 3 * rng()) * (rng() < 0.5 ? -1 : 1);
    probes.push([
      ax + t * (bx - ax) - (off * (by - ay)) / len,
      ay + t * (by - ay) + (off * (bx - ax)) / len,
    ]);
    probes.push([ax, ay]); // a vertex: on the boundary, inside for both
  }
  return probes;
}

function boxProbes(rng: Rng, box: readonly number[], count: number): Position[] {
  const [minX = 0, minY = 0, maxX = 0, maxY = 0] = box;
  const w = (maxX - minX) * 0.1;
  const h = (maxY - minY) * 0.1;
  return Array.from({ length: count }, () => [
    minX - w + rng() * (maxX - minX + 2 * w),
    minY - h + rng() * (maxY - minY + 2 * h),
  ]);
}

describe("polygons with holes against turf booleanPointInPolygon", () => {
  it("agree on 2,000 random polygons (with and without holes) and multipolygons", () => {
    const rng = seededRandom(20261122);
    let checked = 0;
    let inside = 0;
    for (let n = 0; n < 2_000; n++) {
      const parts = n % 4 === 3 ? 2 + Math.floor(rng() * 2) : 1;
      const polys = Array.from({ length: parts }, (_, i) =>
        randomPolygon(rng, { holes: n % 2, offsetDeg: i * 3 }),
      );
      const geometry: GeofenceGeometry =
        parts === 1
          ? { type: "Polygon", coordinates: polys[0] as Position[][] }
          : { type: "MultiPolygon", coordinates: polys };
      const oracle: Feature<Polygon | MultiPolygon> =
        parts === 1 ? polygon(polys[0] as Position[][]) : multiPolygon(polys);
      const shape = compileShape(geometry);
      const probes = [...boxProbes(rng, shape.bbox, 20), ...edgeProbes(rng, polys.flat(), 10)];
      for (const [lon, lat] of probes as [number, number][]) {
        const mine = shape.contains(geoPoint(lon, lat));
        const theirs = booleanPointInPolygon(point([lon, lat]), oracle);
        if (mine !== theirs) {
          throw new Error(
            `disagree at [${lon}, ${lat}] (mine ${mine}) in ${JSON.stringify(geometry)}`,
          );
        }
        checked++;
        if (mine) inside++;
      }
    }
    expect(checked).toBe(2_000 * 40);
    expect(inside).toBeGreaterThan(checked / 4); // the probes really test both sides
  });

  it("counts points exactly on edges and vertices, of outer rings and holes, as inside", () => {
    // Axis-parallel edges make "exactly on the edge" exact in floating point.
    const square: Position[][] = [
      [
        [4, 52],
        [5, 52],
        [5, 53],
        [4, 53],
        [4, 52],
      ],
      [
        [4.4, 52.4],
        [4.6, 52.4],
        [4.6, 52.6],
        [4.4, 52.6],
        [4.4, 52.4],
      ],
    ];
    const shape = compileShape({ type: "Polygon", coordinates: square });
    const onEdges: Position[] = [
      [4.5, 52],
      [5, 52.5],
      [4, 53],
      [4.4, 52.5],
      [4.5, 52.6],
      [4.6, 52.4],
    ];
    for (const [lon, lat] of onEdges) {
      expect(shape.contains(geoPoint(lon, lat))).toBe(true);
      expect(booleanPointInPolygon(point([lon, lat]), polygon(square))).toBe(true);
    }
    expect(shape.contains(geoPoint(4.5, 52.5))).toBe(false); // inside the hole
    expect(shape.contains(geoPoint(5.000001, 52.5))).toBe(false);
  });
});

describe("circles against turf distance (haversine)", () => {
  it("agree on 3,000 random circles, 10 m .. 50 km, outside a 1 cm band at the rim", () => {
    const rng = seededRandom(7);
    let checked = 0;
    let banded = 0;
    let maxError = 0;
    for (let n = 0; n < 3_000; n++) {
      const center: Position = [-175 + rng() * 350, -75 + rng() * 150];
      const radiusM = 10 ** (1 + rng() * 3.7);
      const shape = compileShape({ type: "Circle", center, radiusM });
      const c = geoPoint(center[0], center[1]);
      for (const [lon, lat] of boxProbes(rng, shape.bbox, 20) as [number, number][]) {
        const d = turfDistance(point(center), point([lon, lat]), M);
        const p = geoPoint(lon, lat);
        maxError = Math.max(maxError, Math.abs(greatCircleM(c.lat, c.lon, p.lat, p.lon) - d));
        if (Math.abs(d - radiusM) < 0.01) {
          banded++;
          continue;
        }
        expect(shape.contains(p), `[${lon}, ${lat}] r=${radiusM} d=${d}`).toBe(d <= radiusM);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(59_000);
    expect(banded).toBeLessThan(100);
    expect(maxError).toBeLessThan(0.001); // metres: the same great-circle distance
  });
});

describe("corridors against turf pointToLineDistance (geodesic)", () => {
  it("agree on 3,000 random corridors outside a 1 cm band at the buffer", () => {
    const rng = seededRandom(99);
    let checked = 0;
    let inside = 0;
    for (let n = 0; n < 3_000; n++) {
      const { coordinates, bufferM } = randomCorridor(rng);
      const shape = compileShape({ type: "Corridor", coordinates, bufferM });
      const line = lineString(coordinates);
      const probes = [
        ...boxProbes(rng, shape.bbox, 15),
        // near the line: a vertex or segment point shifted by about the buffer
        ...Array.from({ length: 10 }, (): Position => {
          const i = Math.floor(rng() * (coordinates.length - 1));
          const [ax, ay] = coordinates[i] as Position;
          const [bx, by] = coordinates[i + 1] as Position;
          const t = rng() * 1.2 - 0.1;
          const shift = (bufferM / 111_000) * (0.5 + rng());
          const angle = rng() * 2 * Math.PI;
          return [
            ax + t * (bx - ax) + (shift * Math.cos(angle)) / Math.cos((ay * Math.PI) / 180),
            ay + t * (by - ay) + shift * Math.sin(angle),
          ];
        }),
      ];
      for (const [lon, lat] of probes as [number, number][]) {
        const d = pointToLineDistance(point([lon, lat]), line, M);
        if (Math.abs(d - bufferM) < 0.01) continue;
        const mine = shape.contains(geoPoint(lon, lat));
        expect(mine, `[${lon}, ${lat}] buffer=${bufferM} d=${d}`).toBe(d <= bufferM);
        checked++;
        if (mine) inside++;
      }
    }
    expect(checked).toBeGreaterThan(74_000);
    expect(inside).toBeGreaterThan(checked / 5);
  });
});

describe("paths between two fixes (CROSSED) against turf", () => {
  it("polygons: a path between two outside points touches the polygon iff it meets a ring", () => {
    const rng = seededRandom(3);
    let touching = 0;
    let checked = 0;
    for (let n = 0; n < 1_500; n++) {
      const rings = randomPolygon(rng, { holes: n % 2 });
      const shape = compileShape({ type: "Polygon", coordinates: rings });
      const oracle = polygon(rings);
      for (let k = 0; k < 10; k++) {
        const [a, b] = boxProbes(rng, shape.bbox, 2) as [Position, Position];
        if (booleanPointInPolygon(point(a), oracle) || booleanPointInPolygon(point(b), oracle)) {
          continue; // the state machine asks only about fixes outside the fence
        }
        const theirs = lineIntersect(lineString([a, b]), oracle).features.length > 0;
        expect(shape.touchesPath(geoPoint(...a), geoPoint(...b))).toBe(theirs);
        checked++;
        if (theirs) touching++;
      }
    }
    expect(checked).toBeGreaterThan(5_000);
    expect(touching).toBeGreaterThan(1_000);
  });

  it("circles: a path touches the circle iff the centre is within the radius of the path", () => {
    const rng = seededRandom(4);
    let touching = 0;
    for (let n = 0; n < 2_000; n++) {
      const center: Position = [-170 + rng() * 340, -70 + rng() * 140];
      const radiusM = 10 ** (1 + rng() * 3);
      const shape = compileShape({ type: "Circle", center, radiusM });
      for (let k = 0; k < 5; k++) {
        const [a, b] = boxProbes(rng, shape.bbox, 2).map(([x = 0, y = 0]) => [
          center[0] + (x - center[0]) * 3,
          center[1] + (y - center[1]) * 3,
        ]) as [Position, Position];
        const outside = (q: Position) => turfDistance(point(center), point(q), M) > radiusM;
        if (!outside(a) || !outside(b)) continue;
        const d = pointToLineDistance(point(center), lineString([a, b]), M);
        if (Math.abs(d - radiusM) < 0.01) continue;
        expect(shape.touchesPath(geoPoint(...a), geoPoint(...b))).toBe(d <= radiusM);
        if (d <= radiusM) touching++;
      }
    }
    expect(touching).toBeGreaterThan(1_000);
  });
});
