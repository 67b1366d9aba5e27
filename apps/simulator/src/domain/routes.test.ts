import { describe, expect, it } from "vitest";
import { createFleet } from "./fleet";
import { distanceM } from "./geo";
import { createRandom } from "./random";
import { builtInRegion } from "./region";
import { parseRouteFile, regionPlanner, shuttlePlanner } from "./routes";

const collection = {
  type: "FeatureCollection",
  features: [
    {
      type: "Feature",
      properties: { name: "Ring", highway: "motorway" },
      geometry: {
        type: "LineString",
        coordinates: [
          [4.9, 52.37],
          [4.95, 52.38],
          [5.0, 52.4],
        ],
      },
    },
    {
      type: "Feature",
      properties: { roadClass: "urban" },
      geometry: {
        type: "MultiLineString",
        coordinates: [
          [
            [5.1, 52.09],
            [5.12, 52.1],
          ],
          [
            [5.2, 52.1],
            [5.21, 52.11, 3.5],
          ],
        ],
      },
    },
    { type: "Feature", properties: null, geometry: { type: "Point", coordinates: [5, 52] } },
  ],
};

describe("route files", () => {
  it("turns LineStrings and MultiLineStrings into routes with road classes", () => {
    const legs = parseRouteFile(collection, "test.geojson");
    expect(legs).toHaveLength(3);
    expect(legs[0]?.name).toBe("Ring start -> Ring end");
    expect(legs[0]?.roadClass.every((c) => c === "motorway")).toBe(true);
    expect(legs[1]?.roadClass).toEqual(["urban"]);
    expect(legs[2]?.name).toContain("route 2 #2");
  });

  it("accepts a bare LineString and a single Feature", () => {
    expect(
      parseRouteFile(
        {
          type: "LineString",
          coordinates: [
            [5, 52],
            [5.01, 52],
          ],
        },
        "x",
      ),
    ).toHaveLength(1);
    const feature = collection.features[0];
    expect(parseRouteFile(feature, "x")[0]?.roadClass[0]).toBe("motorway");
  });

  it.each([
    [{ type: "FeatureCollection", features: [] }, /no LineString/],
    [{ type: "LineString", coordinates: [[5, 52]] }, /at least 2 positions/],
    [
      {
        type: "LineString",
        coordinates: [
          [5, 95],
          [5, 52],
        ],
      },
      /coordinates\.0\.1/,
    ],
    [
      {
        type: "LineString",
        coordinates: [
          [5, 52],
          [5, 52],
        ],
      },
      /no two distinct positions/,
    ],
    [[1, 2], /not GeoJSON/],
  ])("rejects %j with one clear line", (json, message) => {
    expect(() => parseRouteFile(json, "bad.geojson")).toThrow(message);
    try {
      parseRouteFile(json, "bad.geojson");
    } catch (error) {
      expect((error as Error).message).toMatch(/^bad\.geojson: /);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("shuttles each truck back and forth along its route", () => {
    const legs = parseRouteFile(collection, "t");
    const planner = shuttlePlanner(legs, "t");
    const r = createRandom(1);
    const first = planner.first(4, r);
    expect(first).toBe(legs[1]);
    const back = planner.next(4, first, r);
    expect(back.points[0]).toEqual(first.points[first.points.length - 1]);
    expect(planner.next(4, back, r)).toBe(first);
  });

  it("drives a fleet on a route file, starting at the first point", () => {
    const legs = parseRouteFile(collection, "t");
    const fleet = createFleet({
      trucks: 3,
      intervalMs: 20_000,
      startTime: 0,
      seed: 1,
      gpsNoiseM: 0,
      planner: shuttlePlanner(legs, "t"),
    });
    const first = fleet.next();
    const leg = legs[first.truck] ?? legs[0];
    expect(
      distanceM([first.fix.lon, first.fix.lat], leg?.points[0] as [number, number]),
    ).toBeLessThan(1);
  });
});

describe("built-in planner", () => {
  it("starts at the truck's depot and goes to a city, then onwards", () => {
    const region = builtInRegion();
    const planner = regionPlanner(region);
    const r = createRandom(3);
    for (let i = 0; i < 30; i++) {
      const leg = planner.first(i, r);
      expect(leg.from).toBe(region.depots[i % region.depots.length]?.id);
      expect(region.destinations.some((c) => c.id === leg.to)).toBe(true);
      const next = planner.next(i, leg, r);
      expect(next.from).toBe(leg.to);
      expect(next.to).not.toBe(leg.to);
    }
  });
});
