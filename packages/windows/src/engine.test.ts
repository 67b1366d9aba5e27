import { greatCircleM } from "@fleetstream/geofence/sphere";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPartitionWindows, type PartitionWindows } from "./engine";
import { NaiveWindows } from "./naive";
import { bruteForceWindows, combinePartials, truckWindowKey } from "./oracle";
import { DEFAULT_WINDOW_CONFIG, planWindows, type WindowPlan } from "./plan";
import {
  BAND_ZONES,
  generateStream,
  runPartitions,
  type StreamSpec,
  type TestFix,
} from "./testing/streams";
import { isEmitted, type ScopeWindowResult, type TruckWindowResult } from "./types";

const START = Date.UTC(2035, 0, 1, 0, 0, 0);
const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function sameTruckWindow(a: TruckWindowResult | undefined, b: TruckWindowResult): boolean {
  return (
    a !== undefined &&
    a.final === b.final &&
    a.end === b.end &&
    a.fixCount === b.fixCount &&
    a.maxSpeedKmh === b.maxSpeedKmh &&
    a.speedingCount === b.speedingCount &&
    close(a.avgSpeedKmh, b.avgSpeedKmh) &&
    close(a.distanceM, b.distanceM)
  );
}

function sameScopeWindow(a: ScopeWindowResult | undefined, b: ScopeWindowResult): boolean {
  return (
    a !== undefined &&
    a.final === b.final &&
    a.fixCount === b.fixCount &&
    a.activeTrucks === b.activeTrucks &&
    a.speedingTrucks === b.speedingTrucks &&
    close(a.avgSpeedKmh, b.avgSpeedKmh)
  );
}

/** Runs the engine and the oracle over one stream and returns every disagreement. */
function compare(
  spec: StreamSpec,
  plan: WindowPlan,
  options: { maxBatch: number; crashRate?: number },
) {
  const { records, delays } = generateStream(spec);
  const oracle = bruteForceWindows(records, plan, BAND_ZONES);
  const run = runPartitions(records, plan, BAND_ZONES, { seed: spec.seed ^ 0x5eed, ...options });
  const problems: string[] = [];
  // Every window the engine emits (tumbling early and final, hopping when final) as the oracle says.
  const expected = new Map([...oracle.truckWindows].filter(([, w]) => isEmitted(w)));
  for (const [key, w] of expected)
    if (!sameTruckWindow(run.windows.get(key), w))
      problems.push(
        `truck ${key}: ${JSON.stringify(run.windows.get(key))} != ${JSON.stringify(w)}`,
      );
  for (const key of run.windows.keys())
    if (!expected.has(key)) problems.push(`unexpected window ${key}`);
  for (const [key, count] of run.finals) if (count !== 1) problems.push(`${key} final ${count}x`);
  for (const key of run.afterFinal) problems.push(`${key} changed after final`);
  const minWatermark = Math.min(...run.watermarks.values());
  const combined = combinePartials(run.partials, minWatermark, plan);
  for (const [key, expected] of oracle.scopeWindows)
    if (!sameScopeWindow(combined.get(key), expected))
      problems.push(
        `scope ${key}: ${JSON.stringify(combined.get(key))} != ${JSON.stringify(expected)}`,
      );
  if (combined.size !== oracle.scopeWindows.size) problems.push("scope window count differs");
  const lateKeys = (list: { fix: TestFix }[]) =>
    list.map((l) => `${l.fix.truckId}|${l.fix.seq}`).sort();
  expect(lateKeys(run.late)).toEqual(lateKeys(oracle.late));
  expect(run.late.every((l) => l.reason === "window-closed")).toBe(true);
  expect(run.duplicates).toBe(oracle.duplicates);
  expect(run.watermarks).toEqual(oracle.watermarks);
  return { problems, oracle, run, records, delays };
}

const streamSpec = (over: Partial<StreamSpec> = {}) =>
  fc.record<StreamSpec>({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    trucks: fc.integer({ min: 1, max: 8 }),
    partitions: fc.integer({ min: 1, max: 3 }),
    fixesPerTruck: fc.integer({ min: 1, max: 60 }),
    // 1,000,000 ms: gaps long enough that a new pane lands on an old one's ring slot
    intervalMs: fc.constantFrom(1_000, 5_000, 20_000, 45_000, 1_000_000),
    maxDelayMs: fc.constant(over.maxDelayMs ?? 0),
    lateRate: fc.constant(over.lateRate ?? 0),
    lateDelayMs: fc.constant(over.lateDelayMs ?? 0),
    duplicateRate: fc.constantFrom(0, 0.05, 0.3),
    startTime: fc.constant(START),
  });

const plan = planWindows();
const BOUND = plan.watermarkBoundMs + plan.allowedLatenessMs;

describe("speed windows against the brute-force oracle", () => {
  it("gives the oracle's windows for streams shuffled within bound + lateness (none late)", () => {
    fc.assert(
      fc.property(streamSpec({ maxDelayMs: BOUND }), (spec) => {
        const { problems, run } = compare({ ...spec, maxDelayMs: BOUND }, plan, { maxBatch: 50 });
        expect(problems).toEqual([]);
        expect(run.late).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("reports exactly the fixes beyond the bound as late, and the rest still match", () => {
    fc.assert(
      fc.property(streamSpec(), fc.constantFrom(0.02, 0.1, 0.3), (spec, lateRate) => {
        const full = { ...spec, maxDelayMs: BOUND, lateRate, lateDelayMs: 2 * BOUND };
        const { problems, run, oracle } = compare(full, plan, { maxBatch: 50 });
        expect(problems).toEqual([]);
        expect(run.late.length).toBe(oracle.late.length);
      }),
      { numRuns: 150 },
    );
  });

  it("never reports a fix delayed by at most bound + lateness as late", () => {
    fc.assert(
      fc.property(streamSpec(), (spec) => {
        const full = { ...spec, maxDelayMs: BOUND, lateRate: 0.2, lateDelayMs: 2 * BOUND };
        const { records, delays, oracle } = compare(full, plan, { maxBatch: 20 });
        const late = new Set(oracle.late.map((l) => l.fix));
        records.forEach((r, i) => {
          if (late.has(r.fix)) expect(delays[i]).toBeGreaterThan(BOUND);
        });
      }),
      { numRuns: 80 },
    );
  });

  it("matches with other window sizes (panes smaller than windows, 2-min scope)", () => {
    const other = planWindows({
      ...DEFAULT_WINDOW_CONFIG,
      tumblingMs: 90_000,
      hopSizeMs: 360_000,
      hopAdvanceMs: 120_000,
      scopeMs: 120_000,
      watermarkBoundMs: 5_000,
      allowedLatenessMs: 30_000,
    });
    const bound = other.watermarkBoundMs + other.allowedLatenessMs;
    fc.assert(
      fc.property(streamSpec(), (spec) => {
        const full = { ...spec, maxDelayMs: bound, lateRate: 0.1, lateDelayMs: 3 * bound };
        expect(compare(full, other, { maxBatch: 30 }).problems).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("gives bit-identical results whatever the batches and however often it is restored", () => {
    fc.assert(
      fc.property(streamSpec(), (spec) => {
        const full = { ...spec, maxDelayMs: BOUND, lateRate: 0.05, lateDelayMs: 2 * BOUND };
        const { records } = generateStream(full);
        const once = runPartitions(records, plan, BAND_ZONES, { seed: 1, maxBatch: 1000 });
        const crashy = runPartitions(records, plan, BAND_ZONES, {
          seed: 2,
          maxBatch: 7,
          crashRate: 0.3,
        });
        expect(crashy.windows).toEqual(once.windows);
        expect(crashy.finals).toEqual(once.finals);
        expect(crashy.afterFinal).toEqual([]);
        const byKey = (list: typeof once.partials) =>
          new Map(list.map((p) => [`${p.scopeType}|${p.scopeId}|${p.start}|${p.end}`, p]));
        expect(byKey(crashy.partials)).toEqual(byKey(once.partials));
        expect(crashy.late.map((l) => l.fix)).toEqual(once.late.map((l) => l.fix));
      }),
      { numRuns: 100 },
    );
  });

  it("the naive baseline computes the same finals (so the benchmark compares like with like)", () => {
    fc.assert(
      fc.property(streamSpec(), (spec) => {
        const full = { ...spec, maxDelayMs: BOUND, lateRate: 0.05, lateDelayMs: 2 * BOUND };
        const { records } = generateStream(full);
        const oracle = bruteForceWindows(records, plan, BAND_ZONES);
        const finals = new Map<string, TruckWindowResult>();
        for (let partition = 0; partition < full.partitions; partition++) {
          const naive = new NaiveWindows<TestFix>(plan, BAND_ZONES);
          const fixes = records
            .filter((r) => r.partition === partition)
            .map((r, offset) => ({ fix: r.fix, offset }));
          for (const w of naive.process(fixes).windows.toArray())
            if (w.final) finals.set(truckWindowKey(w), w);
        }
        for (const [key, expected] of oracle.truckWindows)
          if (expected.final) expect(sameTruckWindow(finals.get(key), expected)).toBe(true);
        expect(finals.size).toBe([...oracle.truckWindows.values()].filter((w) => w.final).length);
      }),
      { numRuns: 60 },
    );
  });
});

describe("speed windows, worked examples", () => {
  const fix = (
    seq: number,
    secondsIn: number,
    lat: number,
    speedKmh: number,
    truckId = "A",
  ): TestFix => ({
    truckId,
    seq,
    eventTime: START + secondsIn * 1000,
    lat,
    lon: 5,
    speedKmh,
    headingDeg: 0,
  });
  const feed = (engine: PartitionWindows<TestFix>, fixes: TestFix[]) =>
    engine.process(fixes.map((f, offset) => ({ fix: f, offset })));

  it("counts a duplicate once and measures distance in event-time order, across panes", () => {
    const engine = createPartitionWindows<TestFix>(plan, BAND_ZONES);
    const a = fix(1, 10, 51.9, 80);
    const b = fix(2, 50, 51.91, 100);
    const c = fix(3, 70, 51.92, 60);
    const out = feed(engine, [a, c, b, b]); // b arrives after c, then again
    expect(out.duplicates).toBe(1);
    const tumbling = out.windows.toArray().find((w) => w.kind === "tumbling" && w.start === START);
    expect(tumbling).toMatchObject({
      fixCount: 2,
      maxSpeedKmh: 100,
      speedingCount: 1,
      final: false,
    });
    expect(tumbling?.distanceM).toBeCloseTo(greatCircleM(51.9, 5, 51.91, 5), 6);
    // Hopping windows are emitted once, when final: here the one starting at START ends at
    // START + 5 min, final when the watermark passes 6 min (a fix at 6 min 10 s).
    expect(out.windows.toArray().some((w) => w.kind === "hopping")).toBe(false);
    const later = feed(engine, [fix(4, 370, 51.93, 60)]);
    const hopping = later.windows.toArray().find((w) => w.kind === "hopping" && w.start === START);
    expect(hopping).toMatchObject({ fixCount: 3, final: true });
    expect(hopping?.distanceM).toBeCloseTo(
      greatCircleM(51.9, 5, 51.91, 5) + greatCircleM(51.91, 5, 51.92, 5),
      6,
    );
    const fleet = out.partials.find((p) => p.scopeType === "fleet" && p.start === START);
    expect(fleet).toMatchObject({ fixCount: 2, activeTrucks: 1, speedingTrucks: 1 });
  });

  it("applies a geofence's own speed limit and counts the geofence window", () => {
    const engine = createPartitionWindows<TestFix>(plan, BAND_ZONES);
    // 60 km/h inside the 50 km/h zone is speeding; 100 km/h inside the 120 km/h zone is not
    const out = feed(engine, [fix(1, 1, 52.03, 60), { ...fix(2, 2, 52.07, 100), lon: 5.06 }]);
    const tumbling = out.windows.toArray().find((w) => w.kind === "tumbling");
    expect(tumbling?.speedingCount).toBe(1);
    const slow = out.partials.find((p) => p.scopeId === "slow-zone");
    expect(slow).toMatchObject({
      scopeType: "geofence",
      fixCount: 1,
      activeTrucks: 1,
      speedingTrucks: 1,
    });
    const fast = out.partials.find((p) => p.scopeId === "fast-lane");
    expect(fast).toMatchObject({ fixCount: 1, speedingTrucks: 0 });
  });

  it("emits a final once the watermark passes end + lateness, then reports later fixes as late", () => {
    const engine = createPartitionWindows<TestFix>(plan, BAND_ZONES);
    feed(engine, [fix(1, 30, 51.9, 50)]);
    // watermark = 129 s - 10 s = 119 s < 60 s + 60 s: not final yet
    expect(
      feed(engine, [fix(2, 129, 51.9, 50)])
        .windows.toArray()
        .some((w) => w.final),
    ).toBe(false);
    const out = feed(engine, [fix(3, 130, 51.9, 50)]); // watermark 120 s: final
    // the 1-min window and the 5-min window that ends with it
    expect(out.windows.toArray().filter((w) => w.final)).toEqual([
      expect.objectContaining({ kind: "tumbling", start: START, final: true, fixCount: 1 }),
      expect.objectContaining({ kind: "hopping", start: START - 240_000, final: true }),
    ]);
    const late = feed(engine, [fix(4, 59, 51.9, 50)]);
    expect(late.late).toEqual([
      expect.objectContaining({
        reason: "window-closed",
        windowEnd: START + 60_000,
        watermark: START + 120_000,
      }),
    ]);
    expect(late.windows.length).toBe(0);
    expect(late.lateCount).toBe(1);
  });

  it("handles a truck that comes back exactly 16 panes later (its old pane's ring slot)", () => {
    const fixes = [
      fix(1, 5, 51.9, 50),
      fix(2, 50, 51.901, 60),
      fix(3, 16 * 60 + 5, 51.91, 70), // same ring slot as minute 0, old pane still alive
      fix(4, 16 * 60 + 10, 51.911, 95),
      fix(5, 32 * 60 + 5, 51.92, 80),
      fix(6, 32 * 60 + 1, 51.921, 80), // out of order within its pane
    ];
    const records = fixes.map((f) => ({ partition: 0, fix: f }));
    const oracle = bruteForceWindows(records, plan, BAND_ZONES);
    for (const maxBatch of [1, 3, 10]) {
      const run = runPartitions(records, plan, BAND_ZONES, {
        seed: maxBatch,
        maxBatch,
        crashRate: 0.5,
      });
      const expected = [...oracle.truckWindows].filter(([, w]) => isEmitted(w));
      for (const [key, w] of expected)
        expect(sameTruckWindow(run.windows.get(key), w), key).toBe(true);
      expect(run.windows.size).toBe(expected.length);
    }
  });

  it("keeps fleet windows the processor watermark already closed out of the partials", () => {
    const engine = createPartitionWindows<TestFix>(plan, BAND_ZONES);
    engine.processorWatermark = START + 200_000; // another partition went far ahead, this one idle
    const out = feed(engine, [fix(1, 30, 51.9, 50)]);
    expect(out.late).toEqual([expect.objectContaining({ reason: "scope-window-final" })]);
    expect(out.partials).toEqual([]);
    expect(out.windows.toArray().find((w) => w.kind === "tumbling")?.fixCount).toBe(1);
  });
});
