import { describe, expect, it } from "vitest";
import { formatCoordinate, graticuleStep, gridValues } from "./graticule-grid";
import { mapTileUrlVar, OSM_TILE_URL, tileLayerConfig } from "./tiles";
import { compassPoint, formatAge, truckIconHtml, truckPopupHtml } from "./truck-marker-html";

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
  it("has an accessible name and a popup with speed, heading and fix time", () => {
    expect(truckIconHtml("T-0001")).toContain('role="img" aria-label="Truck T-0001"');
    const html = truckPopupHtml(
      {
        truckId: "T-0001",
        seq: 1,
        lat: 52.37,
        lon: 4.89,
        speedKmh: 71.46,
        headingDeg: 93,
        eventTime: Date.UTC(2026, 0, 1, 12, 30, 5),
        processedAt: 0,
      },
      Date.UTC(2026, 0, 1, 12, 30, 9),
    );
    expect(html).toContain("71.5 km/h");
    expect(html).toContain("93° E");
    expect(html).toContain("12:30:05 UTC (4 s ago)");
  });

  it("names compass points and ages", () => {
    expect([0, 44, 181, 359].map(compassPoint)).toEqual(["N", "NE", "S", "N"]);
    expect(formatAge(-500)).toBe("0 s ago");
    expect(formatAge(150_000)).toBe("3 min ago");
  });
});
