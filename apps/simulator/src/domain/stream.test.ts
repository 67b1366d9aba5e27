import { decodeGpsFix } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { type Emission, NO_FAULTS } from "./faults";
import { arraySource, createEventStream, type StreamOptions } from "./stream";

const START = Date.UTC(2026, 0, 1);
const base: StreamOptions = {
  trucks: 50,
  intervalMs: 20_000,
  startTime: START,
  seed: 42,
  gpsNoiseM: 4,
};

function all(options: StreamOptions): Emission[] {
  const stream = createEventStream(options);
  const out: Emission[] = [];
  for (let e = stream.next(); e; e = stream.next()) out.push(e);
  return out;
}

const bytes = (records: Emission[]) => records.map((r) => `${r.value}\n`).join("");

describe("event stream", () => {
  it("is byte-identical for the same seed and options", () => {
    const a = bytes(all({ ...base, maxFixes: 20_000 }));
    const b = bytes(all({ ...base, maxFixes: 20_000 }));
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(20_000 * 100);
  });

  it("differs for another seed", () => {
    expect(bytes(all({ ...base, maxFixes: 200 }))).not.toBe(
      bytes(all({ ...base, seed: 43, maxFixes: 200 })),
    );
  });

  it("stops after maxFixes, or before endTime", () => {
    expect(all({ ...base, maxFixes: 123 })).toHaveLength(123);
    const untilOneMinute = all({ ...base, endTime: START + 60_000 });
    expect(untilOneMinute).toHaveLength(150);
    expect(untilOneMinute.every((e) => e.emitAt < START + 60_000)).toBe(true);
  });

  it("keys every record by its truck id and sends valid fixes when no faults are set", () => {
    for (const e of all({ ...base, faults: NO_FAULTS, maxFixes: 2_000 })) {
      const decoded = decodeGpsFix(e.value);
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect(e.key).toBe(decoded.value.truckId);
      expect(e.injected).toBeUndefined();
    }
  });

  it("finish() ends generation and releases held-back records at once", () => {
    const stream = createEventStream({ ...base, faults: { ...NO_FAULTS, lateRate: 0.5 } });
    for (let i = 0; i < 500; i++) stream.next();
    stream.finish();
    expect(stream.ended).toBe(true);
    const rest: Emission[] = [];
    for (let e = stream.next(); e; e = stream.next()) rest.push(e);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((e) => e.injected === "late" || e.injected === "duplicate")).toBe(true);
    expect(stream.peekTime()).toBeUndefined();
  });

  it("wraps a list of records as a source", () => {
    const source = arraySource([
      { key: "a", value: "1", emitAt: 5 },
      { key: "b", value: "2", emitAt: 9 },
    ]);
    expect(source.peekTime()).toBe(5);
    expect(source.next()?.key).toBe("a");
    source.finish();
    expect(source.next()).toBeUndefined();
    expect(source.ended).toBe(true);
  });
});
