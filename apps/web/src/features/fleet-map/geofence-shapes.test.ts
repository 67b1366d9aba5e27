import { describe, expect, it } from "vitest";
import {
  corridorWeight,
  latLngsToRings,
  metresPerPixel,
  ringsToLatLngs,
  shapeLabel,
} from "./geofence-shapes";

describe("geofence shapes on the map", () => {
  it("turns GeoJSON rings into Leaflet rings and back, closed again", () => {
    const rings: [number, number][][] = [
      [
        [5, 52],
        [5.1, 52],
        [5.1, 52.1],
        [5, 52],
      ],
    ];
    const leaflet = ringsToLatLngs(rings);
    expect(leaflet).toEqual([
      [
        [52, 5],
        [52, 5.1],
        [52.1, 5.1],
      ],
    ]);
    expect(latLngsToRings(leaflet)).toEqual(rings);
  });

  it("draws a corridor's buffer as a line as wide as both sides at the zoom", () => {
    expect(metresPerPixel(0, 0)).toBeCloseTo(156_543, 0);
    const mpp = metresPerPixel(52, 12);
    expect(corridorWeight(500, 52, 12)).toBeCloseTo(1_000 / mpp, 5);
    expect(corridorWeight(500, 52, 1)).toBe(2); // never thinner than a visible line
  });

  it("labels shapes", () => {
    expect(shapeLabel({ type: "Circle", center: [5, 52], radiusM: 499.6 })).toBe("circle, 500 m");
    expect(
      shapeLabel({
        type: "Polygon",
        coordinates: [
          [
            [5, 52],
            [5.1, 52],
            [5, 52.1],
            [5, 52],
          ],
          [
            [5.01, 52.01],
            [5.02, 52.01],
            [5.01, 52.02],
            [5.01, 52.01],
          ],
        ],
      }),
    ).toBe("polygon with 1 hole(s)");
  });
});
