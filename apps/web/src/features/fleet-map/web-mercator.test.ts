import { describe, expect, it } from "vitest";
import { worldSize, worldX, worldY } from "./web-mercator";

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
});
