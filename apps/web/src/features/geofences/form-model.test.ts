import type { GeofenceGeometry } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import {
  fenceInput,
  fieldOfProblem,
  formValues,
  localProblems,
  problemsByField,
} from "./form-model";

const corridor: GeofenceGeometry = {
  type: "Corridor",
  coordinates: [
    [5, 52],
    [5.1, 52],
  ],
  bufferM: 250,
};

describe("geofence form", () => {
  it("sends the fence as typed, the corridor buffer from its field", () => {
    const values = {
      ...formValues(null, corridor),
      name: "A4",
      tags: "motorway, , west ",
      speedLimitKmh: "80",
      bufferM: "500",
    };
    expect(fenceInput(values, corridor)).toEqual({
      name: "A4",
      tags: ["motorway", "west"],
      enabled: true,
      geometry: { ...corridor, bufferM: 500 },
      speedLimitKmh: 80,
      dwellSeconds: null,
      debounce: { fixes: 3, seconds: 20 },
    });
  });

  it("puts each API problem next to the field it names", () => {
    expect(fieldOfProblem("name: name must not be empty")).toBe("name");
    expect(fieldOfProblem("debounce.fixes: Too big: expected int to be <=100")).toBe(
      "debounceFixes",
    );
    expect(fieldOfProblem("geometry.bufferM: buffer must be > 0 metres")).toBe("bufferM");
    expect(fieldOfProblem("geometry.coordinates[0]: ring self-intersects")).toBe("geometry");
    expect(fieldOfProblem('(record): Unrecognized key: "colour"')).toBe("form");
    expect(
      problemsByField([
        "speedLimitKmh: Too small: expected number to be >0",
        "name: name must not be empty",
      ]),
    ).toEqual({
      speedLimitKmh: ["Too small: expected number to be >0"],
      name: ["name must not be empty"],
    });
  });

  it("catches text in number fields that JSON would send as null", () => {
    const values = {
      ...formValues(null, corridor),
      speedLimitKmh: "fast",
      dwellSeconds: "",
      bufferM: "1e3",
    };
    expect(localProblems(values)).toEqual(["speedLimitKmh: must be a number"]);
  });
});
