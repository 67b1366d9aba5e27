import { describe, expect, it } from "vitest";
import { formatCoordinate, graticuleStep, gridValues } from "./graticule-grid";
import { mapTileUrlVar, OSM_TILE_URL, tileLayerConfig } from "./tiles";
import { compassPoint, truckIconHtml } from "./truck-marker-html";

describe("tile configuration", () => {
  it("defaults to OpenStreetMap with attribution and accepts `none`", () => {
    expect(mapTileUrlVar.parse(undefined)).toBe(OSM_TILE_URL);
    expect(tileLayerConfig(OSM_TILE_URL)?.attribution).toContain("OpenStreetMap");
    expect(tileLayerConfig("none")).toBeNull();
  });

  it("rejects a URL that is not a tile template", () => {
    expect(mapTileUrlVar.safeParse("https://tiles.example.com/").success).toBe(false);
    expect(mapTileUrlVar.safeParse("/tiles/{z}/{x}/{y}.png").success).toBe(true);
  });
});

describe("graticule", () => {
  it("spaces about six lines across the view", () => {
    expect(graticuleStep(360)).toBe(30);
    expect(graticuleStep(3)).toBe(0.5);
    expect(gridValues(51.93, 53.2, 0.5)).toEqual([52, 52.5, 53]);
  });

  it("labels coordinates with hemispheres, wrapping longitudes", () => {
    expect(formatCoordinate(52.5, "lat", 0.5)).toBe("52.5°N");
    expect(formatCoordinate(-190, "lon", 10)).toBe("170°E");
    expect(formatCoordinate(0, "lon", 10)).toBe("0°");
  });
});

describe("truck marker", () => {
  it("has an accessible name, distinct for replayed trucks", () => {
    expect(truckIconHtml("T-0001")).toContain('role="img" aria-label="Truck T-0001"');
    expect(truckIconHtml("T-0001", "replay")).toContain('aria-label="Replayed truck T-0001"');
    expect(truckIconHtml("<b>")).toContain("Truck &lt;b&gt;");
  });

  it("names compass points", () => {
    expect([0, 44, 181, 359].map(compassPoint)).toEqual(["N", "NE", "S", "N"]);
  });
});
