import { decodeGpsFix, EVENT_TIME_RANGE, type GpsFix } from "@fleetstream/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MALFORMED_KINDS, malformFix, serializeFix } from "./codec";

const fix: GpsFix = {
  v: 1,
  truckId: "T-0042",
  seq: 1_767_225_600,
  lat: 52.370216,
  lon: 4.895168,
  speedKmh: 71.5,
  headingDeg: 93.2,
  eventTime: 1_767_225_600_706,
  accuracyM: 4,
};

const arbitraryFix = fc.record({
  v: fc.constant(1 as const),
  truckId: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/),
  seq: fc.nat(),
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
  speedKmh: fc.double({ min: 0, max: 400, noNaN: true }),
  headingDeg: fc.double({ min: 0, max: 359.9, noNaN: true }),
  eventTime: fc.integer({ min: EVENT_TIME_RANGE.min, max: EVENT_TIME_RANGE.max - 1 }),
  accuracyM: fc.double({ min: 0, max: 100, noNaN: true }),
});

describe("serializeFix", () => {
  it("writes the documented key order", () => {
    expect(serializeFix(fix)).toBe(
      '{"v":1,"truckId":"T-0042","seq":1767225600,"lat":52.370216,"lon":4.895168,"speedKmh":71.5,"headingDeg":93.2,"eventTime":1767225600706,"accuracyM":4}',
    );
    const { v: _v, accuracyM: _a, ...bare } = fix;
    expect(serializeFix(bare)).toBe(JSON.stringify(bare));
  });

  it("equals JSON.stringify and round-trips through the contract, for any valid fix", () => {
    fc.assert(
      fc.property(arbitraryFix, (f) => {
        const text = serializeFix(f);
        expect(text).toBe(JSON.stringify(f));
        const decoded = decodeGpsFix(text);
        expect(decoded.ok).toBe(true);
      }),
    );
  });
});

describe("malformed records", () => {
  it.each(MALFORMED_KINDS)("the contract rejects every %s variant", (kind) => {
    for (let variant = 0; variant < 40; variant++) {
      const value = malformFix(fix, kind, variant);
      const decoded = decodeGpsFix(value);
      expect(decoded.ok, `${kind} #${variant}: ${value}`).toBe(false);
    }
  });

  it("keeps each breakage to one thing (the rest of the record is intact)", () => {
    const missing = JSON.parse(malformFix(fix, "missing-field", 2) as string);
    expect(missing).not.toHaveProperty("lat");
    expect(missing.truckId).toBe(fix.truckId);
    const range = JSON.parse(malformFix(fix, "out-of-range", 0) as string);
    expect(range.lat).toBe(91.5);
    expect(range.lon).toBe(fix.lon);
    expect(malformFix(fix, "null-value", 0)).toBeNull();
  });
});
