import { GeofenceGeometry, type Position } from "@fleetstream/contracts";
import { polygon } from "@turf/helpers";
import { kinks } from "@turf/kinks";
import { describe, expect, it } from "vitest";
import { seededRandom } from "./testing/random-shapes";
import { geometryProblems, MAX_POSITIONS } from "./validate";

const square: Position[] = [
  [4, 52],
  [5, 52],
  [5, 53],
  [4, 53],
  [4, 52],
];

describe("geometryProblems", () => {
  it("accepts valid polygons, multipolygons, circles and corridors", () => {
    const hole: Position[] = [
      [4.4, 52.4],
      [4.6, 52.4],
      [4.5, 52.6],
      [4.4, 52.4],
    ];
    expect(geometryProblems({ type: "Polygon", coordinates: [square, hole] })).toEqual([]);
    expect(geometryProblems({ type: "MultiPolygon", coordinates: [[square], [hole]] })).toEqual([]);
    expect(geometryProblems({ type: "Circle", center: [4.9, 52.37], radiusM: 500 })).toEqual([]);
    expect(
      geometryProblems({
        type: "Corridor",
        coordinates: [
          [4.9, 52.37],
          [5.1, 52.09],
        ],
        bufferM: 50,
      }),
    ).toEqual([]);
  });

  it("names a self-intersection (bow tie) with the ring and edges", () => {
    const bowTie: Position[] = [
      [4, 52],
      [5, 53],
      [5, 52],
      [4, 53],
      [4, 52],
    ];
    const [problem] = geometryProblems({ type: "Polygon", coordinates: [bowTie] });
    expect(problem).toMatch(
      /^geometry\.coordinates\[0\]: ring self-intersects: edge 0 crosses edge 2/,
    );
  });

  it("names a hole outside its outer ring, a hole crossing it, and a zero-area ring", () => {
    const outside: Position[] = [
      [6, 52],
      [6.5, 52],
      [6.5, 52.5],
      [6, 52],
    ];
    expect(geometryProblems({ type: "Polygon", coordinates: [square, outside] })).toContainEqual(
      expect.stringMatching(/^geometry\.coordinates\[1\]: hole is not inside the outer ring/),
    );
    const crossing: Position[] = [
      [4.5, 52.5],
      [5.5, 52.5],
      [5.5, 52.6],
      [4.5, 52.5],
    ];
    expect(
      geometryProblems({ type: "MultiPolygon", coordinates: [[square, crossing]] }).join("\n"),
    ).toMatch(/geometry\.coordinates\[0\]\[1\]: ring 1 crosses ring 0/);
    const flat: Position[] = [
      [4, 52],
      [5, 52],
      [6, 52],
      [4, 52],
    ];
    expect(geometryProblems({ type: "Polygon", coordinates: [flat] })).toEqual([
      "geometry.coordinates[0]: ring has zero area (its positions are collinear or repeated)",
    ]);
  });

  it("rejects circles and corridors outside the supported region", () => {
    expect(geometryProblems({ type: "Circle", center: [179.99, 10], radiusM: 5_000 })).toEqual([
      "geometry: crosses the antimeridian (longitude ±180), which is not supported",
    ]);
    expect(geometryProblems({ type: "Circle", center: [0, 88.99], radiusM: 5_000 })[0]).toMatch(
      /outside the supported region/,
    );
  });

  it("finds self-intersections exactly when turf kinks does, on 1,000 random rings", () => {
    const rng = seededRandom(5);
    let intersecting = 0;
    for (let n = 0; n < 1_000; n++) {
      // Random vertex order: often self-intersecting, sometimes not.
      const count = 4 + Math.floor(rng() * 6);
      const ring: Position[] = Array.from({ length: count }, () => [4 + rng(), 52 + rng()]);
      ring.push([...(ring[0] as Position)] as Position);
      const theirs = kinks(polygon([ring])).features.length > 0;
      const mine = geometryProblems({ type: "Polygon", coordinates: [ring] }).some((p) =>
        p.includes("self-intersects"),
      );
      expect(mine, JSON.stringify(ring)).toBe(theirs);
      if (mine) intersecting++;
    }
    expect(intersecting).toBeGreaterThan(200);
    expect(intersecting).toBeLessThan(1_000);
  });
});

describe("geometryProblems on star-shaped rings (every edge's box covers the centre)", () => {
  /** A closed ring of `positions` positions: spikes to radius 0.5° around a tiny inner circle. */
  const star = (positions: number): Position[] => {
    const ring: Position[] = [];
    for (let i = 0; i < positions - 1; i++) {
      const angle = (2 * Math.PI * i) / (positions - 1);
      const radius = i % 2 === 0 ? 0.5 : 0.0001;
      ring.push([5 + radius * Math.cos(angle), 52 + radius * Math.sin(angle)]);
    }
    ring.push([...(ring[0] as Position)] as Position);
    return ring;
  };
  // Loose bounds only: these answered in minutes with the old R-tree check; speed is measured
  // by hand, not in tests.
  const timed = <T>(run: () => T): [T, number] => {
    const began = performance.now();
    const value = run();
    return [value, performance.now() - began];
  };

  it(`accepts a simple star at the limit (${MAX_POSITIONS} positions) and names a crossing in one`, () => {
    expect(MAX_POSITIONS).toBe(20_000);
    const [valid, validMs] = timed(() =>
      geometryProblems({ type: "Polygon", coordinates: [star(MAX_POSITIONS)] }),
    );
    expect(valid).toEqual([]);
    expect(validMs).toBeLessThan(1_000);

    const kinked = star(MAX_POSITIONS);
    // Swap the tips of two spikes (positions 10,000 and 10,002): the edges around them cross.
    const tip = kinked[10_000] as Position;
    kinked[10_000] = kinked[10_002] as Position;
    kinked[10_002] = tip;
    const [problems, kinkedMs] = timed(() =>
      geometryProblems({ type: "Polygon", coordinates: [kinked] }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^geometry\.coordinates\[0\]: ring self-intersects: edge (9999|1000[0-2]) crosses edge 1000[0-3] near /,
    );
    expect(kinkedMs).toBeLessThan(1_000);
  });

  it("refuses a 50,000-position star by its count, naming the limit", () => {
    for (const kink of [false, true]) {
      const ring = star(50_000);
      if (kink) [ring[10], ring[12]] = [ring[12] as Position, ring[10] as Position];
      const [problems, ms] = timed(() =>
        geometryProblems({ type: "Polygon", coordinates: [ring] }),
      );
      expect(problems).toEqual([
        "geometry.coordinates: 50000 positions, at most 20000 are supported",
      ]);
      expect(ms).toBeLessThan(1_000);
    }
  });

  it("finds a hole crossing the outer ring of a star at the limit", () => {
    const outer = star(MAX_POSITIONS - 5);
    // A hole from the centre out past a spike's side: inside at its start, crossing edges.
    const hole: Position[] = [
      [5, 52],
      [5.45, 52.001],
      [5.45, 52.01],
      [5, 52],
    ];
    const problems = geometryProblems({ type: "Polygon", coordinates: [outer, hole] });
    expect(problems.join("\n")).toMatch(/geometry\.coordinates\[1\]: ring 1 crosses ring 0/);
  });
});

describe("the geometry schema (contracts) names structural problems", () => {
  const problem = (geometry: unknown) => {
    const parsed = GeofenceGeometry.safeParse(geometry);
    return parsed.success
      ? ""
      : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  };

  it("unclosed ring, out-of-range coordinate, radius <= 0", () => {
    expect(problem({ type: "Polygon", coordinates: [square.slice(0, 4)] })).toMatch(
      /^coordinates\.0: unclosed ring/,
    );
    expect(problem({ type: "Circle", center: [4, 95], radiusM: 10 })).toMatch(
      /^center\.1: latitude above 90/,
    );
    expect(problem({ type: "Circle", center: [4, 52], radiusM: 0 })).toMatch(
      /^radiusM: radius must be > 0 metres/,
    );
    expect(problem({ type: "Corridor", coordinates: [[4, 52]], bufferM: 5 })).toMatch(
      /^coordinates: a corridor line needs at least 2 positions/,
    );
  });
});
