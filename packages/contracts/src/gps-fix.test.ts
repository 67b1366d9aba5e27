import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { isNewerFix } from "./fix-order";
import { decodeGpsFix, GpsFix, isGpsFix, isTruckPosition, TruckPosition } from "./gps-fix";
import { exampleTruckWindow } from "./test-records";
import { isTruckSpeedWindow, TruckSpeedWindow } from "./windows";

const valid = {
  truckId: "T-0001",
  seq: 3,
  lat: 52.37,
  lon: 4.89,
  speedKmh: 71.5,
  headingDeg: 93,
  eventTime: 1_764_000_000_000,
};

describe("decodeGpsFix", () => {
  it("accepts the documented format", () => {
    expect(decodeGpsFix(JSON.stringify(valid))).toEqual({ ok: true, value: valid });
  });

  it.each([
    [{ ...valid, lat: 91 }, "lat"],
    [{ ...valid, headingDeg: 360 }, "headingDeg"],
    [{ ...valid, speedKmh: -1 }, "speedKmh"],
    [{ ...valid, seq: 1.5 }, "seq"],
    [{ ...valid, truckId: "" }, "truckId"],
    [{ ...valid, eventTime: "2026-01-01" }, "eventTime"],
    [{ ...valid, eventTime: 8_700_000_000_000_000 }, "eventTime: 2100-01-01 or later"],
    [{ ...valid, eventTime: Date.UTC(3000, 0, 1) }, "eventTime: 2100-01-01 or later"],
    [{ ...valid, eventTime: 1_764_000_000 }, "eventTime: before 2000-01-01"],
    [{ ...valid, extra: 1 }, "extra"],
  ])("rejects %j naming the field %s", (record, field) => {
    const decoded = decodeGpsFix(JSON.stringify(record));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(field);
  });

  it("rejects bytes that are not JSON and null values", () => {
    expect(decodeGpsFix("{not json")).toMatchObject({ ok: false, reason: /not JSON/ });
    expect(decodeGpsFix(null)).toMatchObject({ ok: false, reason: /null/ });
  });
});

describe("isNewerFix, the ordering rule for a truck's latest fix", () => {
  const at = (eventTime: number, seq: number) => ({ eventTime, seq });
  it("orders by event time, then by seq", () => {
    expect(isNewerFix(at(2_000, 1), undefined)).toBe(true);
    expect(isNewerFix(at(2_000, 5), at(1_000, 9))).toBe(true);
    expect(isNewerFix(at(1_000, 10), at(1_000, 9))).toBe(true);
    expect(isNewerFix(at(1_000, 9), at(1_000, 9))).toBe(false);
    expect(isNewerFix(at(999, 1_000_000), at(1_000, 9))).toBe(false);
  });
  it("lets a device that restarted its sequence, or sent one absurd seq, move on", () => {
    expect(isNewerFix(at(60_000, 0), at(40_000, 2_147_483_647))).toBe(true);
  });
});

describe("the quick checks of hot paths (isGpsFix, isTruckPosition, isTruckSpeedWindow)", () => {
  const field = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.string({ maxLength: 70 }),
    fc.constantFrom("T-1", "a.b:c_d-9", "bad id", "", "x".repeat(64), "x".repeat(65)),
    fc.constantFrom("tumbling", "hopping", "sliding"),
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.constantFrom(-0, 0, 1, 90, 90.000001, -180, 180, 359.999, 360, 400, 400.1, 2 ** 53, -1),
    fc.constantFrom(946_684_799_999, 946_684_800_000, 4_102_444_799_999, 4_102_444_800_000),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const window = exampleTruckWindow;

  /** Whatever `check` accepts, `schema` accepts and parses to the same value. */
  function holdsToSchema<T>(
    check: (json: unknown) => json is T,
    schema: z.ZodType<T>,
    valid: Record<string, unknown>,
    keys: string[],
  ) {
    const record = fc.record(Object.fromEntries([...keys, "extra"].map((key) => [key, field])), {
      requiredKeys: [],
    });
    const nearlyValid = fc
      .tuple(fc.constantFrom(...keys, "extra"), field)
      .map(([key, value]) => ({ ...valid, [key]: value }));
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(record, nearlyValid, fc.anything()), (value) => {
        const json: unknown = JSON.parse(JSON.stringify(value) ?? "null");
        const parsed = schema.safeParse(json);
        if (check(json)) {
          accepted++;
          expect(parsed.success).toBe(true);
          expect(json).toEqual(parsed.data);
        }
      }),
      { numRuns: 5_000 },
    );
    // The generators reach the accepting side too (a nearly valid record changes one field).
    expect(accepted).toBeGreaterThan(50);
    expect(check(valid)).toBe(true);
  }

  it("isGpsFix accepts only what the schema accepts, and as the schema parses it", () => {
    holdsToSchema(isGpsFix, GpsFix, valid, [...Object.keys(GpsFix.shape)]);
  });

  it("isTruckPosition accepts only what the schema accepts, and as the schema parses it", () => {
    holdsToSchema(isTruckPosition, TruckPosition, { ...valid, processedAt: 1_764_000_000_050 }, [
      ...Object.keys(TruckPosition.shape),
    ]);
  });

  it("isTruckSpeedWindow accepts only what the schema accepts, and as the schema parses it", () => {
    holdsToSchema(isTruckSpeedWindow, TruckSpeedWindow, window, [
      ...Object.keys(TruckSpeedWindow.shape),
    ]);
    expect(isTruckSpeedWindow({ ...window, kind: "sliding" })).toBe(false);
    expect(isTruckSpeedWindow({ ...window, fixCount: 0 })).toBe(false);
  });

  it("accepts the valid records the simulator sends", () => {
    expect(isGpsFix(valid)).toBe(true);
    expect(isGpsFix({ ...valid, v: 1, accuracyM: 4.5 })).toBe(true);
    expect(isGpsFix({ ...valid, headingDeg: 360 })).toBe(false);
  });
});
