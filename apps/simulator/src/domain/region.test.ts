import { describe, expect, it } from "vitest";
import { distanceM } from "./geo";
import { builtInRegion, URBAN_END_M } from "./region";
import { NL_PLACES } from "./region-nl";

describe("built-in region (the Netherlands)", () => {
  const region = builtInRegion();

  it("has depots and destination cities inside the Netherlands", () => {
    expect(region.depots.length).toBeGreaterThanOrEqual(5);
    expect(region.destinations.length).toBeGreaterThanOrEqual(30);
    for (const p of NL_PLACES) {
      expect(p.lat).toBeGreaterThan(50.7);
      expect(p.lat).toBeLessThan(53.6);
      expect(p.lon).toBeGreaterThan(3.3);
      expect(p.lon).toBeLessThan(7.3);
    }
  });

  it("connects every depot to every city by road, end to end", () => {
    for (const depot of region.depots) {
      for (const city of region.destinations) {
        const leg = region.leg(depot.id, city.id);
        expect(distanceM(leg.points[0] as [number, number], [depot.lon, depot.lat])).toBeLessThan(
          1,
        );
        const end = leg.points[leg.points.length - 1] as [number, number];
        expect(distanceM(end, [city.lon, city.lat])).toBeLessThan(1);
        // Longer than the straight line, but no absurd detours (water makes some roads longer).
        const crow = distanceM([depot.lon, depot.lat], [city.lon, city.lat]);
        expect(leg.lengthM).toBeGreaterThanOrEqual(crow);
        expect(leg.lengthM).toBeLessThan(crow * 1.8 + 10_000);
      }
    }
  });

  it("draws roads as polylines without jumps, urban at both ends", () => {
    const leg = region.leg("dc-venlo", "groningen");
    for (let i = 0; i < leg.points.length - 1; i++) {
      expect((leg.cumM[i + 1] as number) - (leg.cumM[i] as number)).toBeLessThan(600);
    }
    expect(leg.roadClass[0]).toBe("urban");
    expect(leg.roadClass[leg.roadClass.length - 1]).toBe("urban");
    const firstFast = leg.roadClass.findIndex((c) => c !== "urban");
    expect(leg.cumM[firstFast]).toBeCloseTo(URBAN_END_M, 0);
    expect(leg.roadClass).toContain("motorway");
  });

  it("returns the same leg object for the same trip (cached)", () => {
    expect(region.leg("dc-schiphol", "utrecht")).toBe(region.leg("dc-schiphol", "utrecht"));
  });
});
