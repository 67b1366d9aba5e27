import { describe, expect, it } from "vitest";
import { OPENING_VIEW, openingViewport } from "./opening-view";
import { latAt, lonAt, worldSize, worldX, worldY } from "./web-mercator";

describe("web mercator", () => {
  it("puts (0, 0) in the middle of the world", () => {
    expect(worldX(0, worldSize(0))).toBe(128);
    expect(worldY(0, worldSize(0))).toBeCloseTo(128, 9);
  });

  it("agrees with the OpenStreetMap tile of a known place", () => {
    // Amsterdam Centraal is in tile 10/525/336.
    const size = worldSize(10);
    expect(Math.floor(worldX(4.9, size) / 256)).toBe(525);
    expect(Math.floor(worldY(52.379, size) / 256)).toBe(336);
  });

  it("is symmetric about the equator and clamps at Mercator's limit", () => {
    const size = worldSize(3);
    expect(worldY(40, size) + worldY(-40, size)).toBeCloseTo(size, 6);
    expect(worldY(90, size)).toBeCloseTo(0, 6);
    expect(worldY(-90, size)).toBeCloseTo(size, 6);
  });

  it("turns world pixels back into the longitude and latitude they came from", () => {
    const size = worldSize(9);
    for (const [lat, lon] of [
      [52.379, 4.9],
      [-33.9, 151.2],
      [0, 0],
      [80, -170],
    ] as const) {
      expect(lonAt(worldX(lon, size), size)).toBeCloseTo(lon, 9);
      expect(latAt(worldY(lat, size), size)).toBeCloseTo(lat, 9);
    }
  });

  it("estimates the map's opening viewport from the window: centred, the margin included", () => {
    const v = openingViewport(1440, 900);
    const [lat, lon] = OPENING_VIEW.center;
    const size = worldSize(OPENING_VIEW.zoom);
    // 1440 px and 900 px of map, plus a quarter on each side.
    expect(worldX(v.east, size) - worldX(v.west, size)).toBeCloseTo(1440 * 1.5, 6);
    expect(worldY(v.south, size) - worldY(v.north, size)).toBeCloseTo(900 * 1.5, 6);
    expect((v.west + v.east) / 2).toBeCloseTo(lon, 9);
    expect(v.south).toBeLessThan(lat);
    expect(v.north).toBeGreaterThan(lat);
    expect(v.zoom).toBe(OPENING_VIEW.zoom);
  });
});
