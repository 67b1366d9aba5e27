import { decodeGpsFix } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { MALFORMED_KINDS } from "./codec";
import { type Emission, type FaultOptions, NO_FAULTS } from "./faults";
import { createEventStream, type StreamOptions } from "./stream";

const START = Date.UTC(2026, 0, 1);
const base: StreamOptions = {
  trucks: 40,
  intervalMs: 20_000,
  startTime: START,
  seed: 9,
  gpsNoiseM: 4,
  maxFixes: 40_000,
};

function run(faults: Partial<FaultOptions>) {
  const stream = createEventStream({ ...base, faults: { ...NO_FAULTS, ...faults } });
  const out: Emission[] = [];
  for (let e = stream.next(); e; e = stream.next()) out.push(e);
  const counts = stream.faults?.counts;
  if (!counts) throw new Error("faults expected");
  return { out, counts, generated: stream.generated };
}

const parsed = (records: Emission[]) =>
  records.flatMap((r) => {
    const d = decodeGpsFix(r.value);
    return d.ok ? [d.value] : [];
  });

describe("fault injection", () => {
  const all: Partial<FaultOptions> = {
    duplicateRate: 0.02,
    reorderRate: 0.03,
    lateRate: 0.01,
    malformedRate: 0.02,
    dropRate: 0.02,
    silenceRate: 0.001,
  };

  it("counts exactly what it injected, as a consumer can see it", () => {
    const { out, counts, generated } = run(all);
    expect(generated).toBe(40_000);
    // Every generated fix is sent once, except the dropped and silenced ones, plus duplicates.
    expect(out.length).toBe(generated - counts.dropped - counts.silenced + counts.duplicates);
    const tagged = (tag: string) => out.filter((e) => e.injected === tag).length;
    expect(tagged("duplicate")).toBe(counts.duplicates);
    expect(tagged("reordered")).toBe(counts.reordered);
    expect(tagged("late")).toBe(counts.late);
    // Malformed: exactly the records the contract rejects.
    const rejected = out.filter((e) => !decodeGpsFix(e.value).ok);
    expect(rejected.length).toBe(counts.malformed);
    expect(Object.values(counts.malformedByKind).reduce((a, b) => a + (b ?? 0), 0)).toBe(
      counts.malformed,
    );
    // Duplicates: the same (truck, seq) twice among the valid records.
    const seen = new Set<string>();
    let duplicates = 0;
    for (const f of parsed(out)) {
      const id = `${f.truckId}/${f.seq}`;
      if (seen.has(id)) duplicates++;
      seen.add(id);
    }
    expect(duplicates).toBe(counts.duplicates);
    // Rates land near what was asked for.
    expect(counts.duplicates / generated).toBeGreaterThan(0.01);
    expect(counts.dropped / generated).toBeGreaterThan(0.01);
    expect(counts.silences).toBeGreaterThan(10);
    expect(counts.silenced).toBeGreaterThan(counts.silences);
  });

  it("delivers reordered fixes within the window and late fixes far behind", () => {
    const { out } = run({
      reorderRate: 0.05,
      lateRate: 0.02,
      lateByMs: 600_000,
      reorderWindowMs: 60_000,
    });
    let outOfOrder = 0;
    const lastSeq = new Map<string, number>();
    out.forEach((e) => {
      const d = decodeGpsFix(e.value);
      if (!d.ok) return;
      const lag = e.emitAt - d.value.eventTime;
      if (e.injected === "reordered") {
        expect(lag).toBeGreaterThan(0);
        expect(lag).toBeLessThanOrEqual(60_000);
      } else if (e.injected === "late") {
        expect(lag).toBeGreaterThanOrEqual(600_000);
        expect(lag).toBeLessThanOrEqual(900_000);
      } else expect(lag).toBe(0);
      const prev = lastSeq.get(d.value.truckId) ?? -1;
      if (d.value.seq < prev) outOfOrder++;
      lastSeq.set(d.value.truckId, Math.max(prev, d.value.seq));
    });
    expect(outOfOrder).toBeGreaterThan(100);
    // Send times never go backwards.
    for (let i = 1; i < out.length; i++)
      expect(out[i]?.emitAt).toBeGreaterThanOrEqual(out[i - 1]?.emitAt ?? 0);
  });

  it("makes silent trucks send nothing for the silence period", () => {
    const { out } = run({ silenceRate: 0.002, silenceForMs: 300_000 });
    const times = new Map<string, number[]>();
    for (const f of parsed(out))
      times.set(f.truckId, [...(times.get(f.truckId) ?? []), f.eventTime]);
    let gaps = 0;
    for (const list of times.values()) {
      for (let i = 1; i < list.length; i++)
        if ((list[i] as number) - (list[i - 1] as number) > 20_000) gaps++;
    }
    expect(gaps).toBeGreaterThan(10);
  });

  it("injects every malformed kind, and only the ones asked for", () => {
    const everything = run({ malformedRate: 0.1 }).counts.malformedByKind;
    expect(Object.keys(everything).sort()).toEqual([...MALFORMED_KINDS].sort());
    const two = run({ malformedRate: 0.1, malformedKinds: ["not-json", "null-value"] }).counts
      .malformedByKind;
    expect(Object.keys(two).sort()).toEqual(["not-json", "null-value"]);
  });

  it("turning one fault on does not change where another one hits", () => {
    const dropsOnly = run({ dropRate: 0.05 });
    const dropsAndDuplicates = run({ dropRate: 0.05, duplicateRate: 0.05 });
    const ids = (records: Emission[]) =>
      new Set(parsed(records).map((f) => `${f.truckId}/${f.seq}`));
    expect(ids(dropsAndDuplicates.out)).toEqual(ids(dropsOnly.out));
    expect(dropsAndDuplicates.counts.dropped).toBe(dropsOnly.counts.dropped);
  });

  it("never changes the fixes themselves (faults have their own random stream)", () => {
    const clean = createEventStream({ ...base, maxFixes: 3_000 });
    const faulty = run({ dropRate: 0.3 });
    const cleanValues = new Set<string>();
    for (let e = clean.next(); e; e = clean.next()) cleanValues.add(e.value as string);
    for (const e of faulty.out.slice(0, 1_500))
      expect(cleanValues.has(e.value as string)).toBe(true);
  });
});
