import { describe, expect, it } from "vitest";
import { decodeGpsFix } from "./gps-fix";

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
