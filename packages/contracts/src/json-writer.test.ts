import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TruckPosition } from "./gps-fix";
import { jsonWriter } from "./json-writer";
import { exampleTruckWindow } from "./test-records";
import { LateGpsFix, ScopeSpeedWindow, TruckSpeedWindow, writeTruckSpeedWindow } from "./windows";

const window = exampleTruckWindow;

describe("jsonWriter", () => {
  it("writes a whole-valued float field with a decimal point, integers as integers", () => {
    const text = jsonWriter(TruckSpeedWindow)(window);
    expect(text).toContain('"avgSpeedKmh":60.0');
    expect(text).toContain('"distanceM":0.0');
    expect(text).toContain('"maxSpeedKmh":72.5');
    expect(text).toContain('"fixCount":3,');
    expect(text).toContain('"windowStart":1764000000000,');
    expect(text).toMatch(/^\{"v":1,/); // a literal as declared
    expect(JSON.parse(text)).toEqual(window);
  });

  it("follows nested objects, tuples and nullable fields", () => {
    const late: LateGpsFix = {
      v: 1,
      reason: "window-closed",
      detail: "late",
      partition: 2,
      offset: 10,
      windowEnd: 60_000,
      watermark: -5,
      fix: {
        truckId: "T-1",
        seq: 4,
        lat: 52,
        lon: 5,
        speedKmh: 0,
        headingDeg: 90,
        eventTime: 1_000,
      },
    };
    const text = jsonWriter(LateGpsFix)(late);
    expect(text).toContain('"fix":{"truckId":"T-1","seq":4,"lat":52.0,"lon":5.0,"speedKmh":0.0');
    expect(text).toContain('"partition":2,');
    const Shape = z.object({ at: z.tuple([z.number(), z.int()]), limit: z.number().nullable() });
    expect(jsonWriter(Shape)({ at: [4, 7], limit: 80 })).toBe('{"at":[4.0,7],"limit":80.0}');
    expect(jsonWriter(Shape)({ at: [4.5, 7], limit: null })).toBe('{"at":[4.5,7],"limit":null}');
  });

  it("round-trips any fleet window record through JSON.parse", () => {
    const write = jsonWriter(ScopeSpeedWindow);
    const speed = fc.oneof(
      fc.integer({ min: 0, max: 400 }),
      fc.double({ min: 0, max: 400, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.nat(), speed, (count, avg) => {
        const record: ScopeSpeedWindow = {
          v: 1,
          scopeType: "fleet",
          scopeId: "fleet",
          windowStart: 0,
          windowEnd: 60_000,
          sizeMs: 60_000,
          final: true,
          activeTrucks: count,
          speedingTrucks: 0,
          fixCount: count,
          avgSpeedKmh: avg,
        };
        const text = write(record);
        expect(JSON.parse(text)).toEqual(record);
        expect(text).toMatch(/"avgSpeedKmh":-?\d+(\.\d+)?(e[-+]\d+)?[,}]/);
        expect(text).not.toMatch(/"avgSpeedKmh":\d+[,}]/);
      }),
    );
  });

  it("writes what JSON.stringify skips the same way", () => {
    const write = jsonWriter(TruckPosition);
    const position = {
      truckId: "T-1",
      seq: 1,
      lat: 1.5,
      lon: 2,
      speedKmh: 3,
      headingDeg: 4,
      eventTime: 5,
      processedAt: 6,
      accuracyM: undefined,
    };
    expect(write(position)).toBe(
      '{"truckId":"T-1","seq":1,"lat":1.5,"lon":2.0,"speedKmh":3.0,"headingDeg":4.0,"eventTime":5,"processedAt":6}',
    );
  });

  it("writes a flat object without float fields exactly as JSON.stringify does", () => {
    const write = jsonWriter(z.object({ id: z.string(), n: z.int() }).catchall(z.unknown()));
    const primitive = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constantFrom(null, undefined, -0, Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.integer(),
        fc.dictionary(fc.string({ unit: "binary" }), primitive),
        (id, n, rest) => {
          const value = { id, n, ...rest };
          expect(write(value)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("writes a flat record's whole floats with a point wherever its text stands, integers as they are", () => {
    const write = jsonWriter(TruckSpeedWindow);
    const float = fc.oneof(
      fc.integer({ min: 0, max: 10_000 }),
      fc.double({ min: 0, max: 400, noNaN: true }),
    );
    fc.assert(
      fc.property(
        // Truck ids that look like fields and numbers: `"avgSpeedKmh":60` inside a string.
        fc.oneof(fc.string(), fc.constant('x","avgSpeedKmh":60,"'), fc.constant('"distanceM":0')),
        float,
        float,
        float,
        fc.nat(),
        (truckId, avg, max, distance, count) => {
          const value: TruckSpeedWindow = {
            ...window,
            truckId,
            avgSpeedKmh: avg,
            maxSpeedKmh: max,
            distanceM: distance,
            fixCount: count + 1,
          };
          const text = write(value);
          expect(JSON.parse(text)).toEqual(value);
          for (const [name, v] of [
            ["avgSpeedKmh", avg],
            ["maxSpeedKmh", max],
            ["distanceM", distance],
          ] as const)
            expect(text).toContain(`"${name}":${Number.isInteger(v) ? `${v}.0` : String(v)}`);
          expect(text).toContain(`"fixCount":${count + 1},`);
          expect(text).toContain('"speedingCount":0,');
          expect(text).toContain('"windowStart":1764000000000,');
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("writes a truck window record exactly as writeTruckSpeedWindow, the processor's direct writer, does", () => {
    const write = jsonWriter(TruckSpeedWindow);
    const float = fc.oneof(
      fc.integer({ min: 0, max: 400 }),
      fc.double({ min: 0, max: 1e22, noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1 }),
        fc.constantFrom("tumbling" as const, "hopping" as const),
        fc.boolean(),
        fc.nat(),
        float,
        float,
        float,
        (truckId, kind, final, count, avg, max, distance) => {
          const record: TruckSpeedWindow = {
            ...window,
            truckId,
            kind,
            final,
            fixCount: count + 1,
            speedingCount: count,
            avgSpeedKmh: avg,
            maxSpeedKmh: max,
            distanceM: distance,
          };
          expect(writeTruckSpeedWindow(record)).toBe(write(record));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
