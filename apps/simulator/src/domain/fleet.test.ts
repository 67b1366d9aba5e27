import { decodeGpsFix } from "@fleetstream/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serializeFix } from "./codec";
import { createFleet, type SimFix, truckId } from "./fleet";
import { bearingDeg, distanceM, headingDiffDeg } from "./geo";
import { ROAD_CLASSES } from "./leg";
import { KINEMATICS } from "./truck";

const START = Date.UTC(2026, 0, 5, 6, 0, 0);
const MAX_LIMIT_KMH = Math.max(...Object.values(ROAD_CLASSES).map((c) => c.limitKmh));

/** Runs a fleet for `rounds` fixes per truck and returns each truck's fixes in order. */
function drive(
  options: { trucks: number; seed: number; intervalMs: number; gpsNoiseM: number },
  rounds: number,
) {
  const fleet = createFleet({ ...options, startTime: START });
  const byTruck: SimFix[][] = Array.from({ length: options.trucks }, () => []);
  for (let i = 0; i < options.trucks * rounds; i++) {
    const fix = fleet.next();
    byTruck[fix.truck]?.push(fix);
  }
  return byTruck;
}

/** Consecutive fix pairs of every truck. */
function* pairs(byTruck: SimFix[][]): Generator<[SimFix, SimFix]> {
  for (const fixes of byTruck) {
    for (let i = 1; i < fixes.length; i++) yield [fixes[i - 1] as SimFix, fixes[i] as SimFix];
  }
}

const at = (f: SimFix) => [f.fix.lon, f.fix.lat] as const;

describe("fleet schedule", () => {
  it("emits fixes in event-time order, one per truck per interval, seq +1 per fix", () => {
    const fleet = createFleet({
      trucks: 30,
      intervalMs: 20_000,
      startTime: START,
      seed: 1,
      gpsNoiseM: 4,
    });
    let last = 0;
    const lastSeq = new Map<string, number>();
    const lastTime = new Map<string, number>();
    for (let i = 0; i < 30 * 50; i++) {
      expect(fleet.peekTime()).toBeGreaterThanOrEqual(last);
      const { fix } = fleet.next();
      expect(fix.eventTime).toBeGreaterThanOrEqual(last);
      last = fix.eventTime;
      const prevSeq = lastSeq.get(fix.truckId);
      const prevTime = lastTime.get(fix.truckId);
      if (prevSeq === undefined) expect(fix.seq).toBe(Math.floor(START / 1000));
      else expect(fix.seq).toBe(prevSeq + 1);
      if (prevTime !== undefined) expect(fix.eventTime - prevTime).toBe(20_000);
      lastSeq.set(fix.truckId, fix.seq);
      lastTime.set(fix.truckId, fix.eventTime);
    }
    expect(lastSeq.size).toBe(30);
    expect(last).toBeLessThan(START + 50 * 20_000);
  });

  it("produces fixes the contract accepts", () => {
    const fleet = createFleet({
      trucks: 20,
      intervalMs: 5_000,
      startTime: START,
      seed: 2,
      gpsNoiseM: 10,
    });
    for (let i = 0; i < 5_000; i++) {
      const { fix } = fleet.next();
      const decoded = decodeGpsFix(serializeFix(fix));
      expect(decoded).toEqual({ ok: true, value: fix });
    }
  });

  it("names trucks T-0001 upwards, wider for large fleets", () => {
    expect(truckId(0, 50)).toBe("T-0001");
    expect(truckId(41, 50)).toBe("T-0042");
    expect(truckId(0, 20_000)).toBe("T-00001");
  });

  it("starts trucks at their depots", () => {
    const [first] = drive({ trucks: 12, seed: 4, intervalMs: 20_000, gpsNoiseM: 0 }, 1).map(
      (f) => f[0],
    );
    expect(first?.activity).toBe("loading");
    expect(first?.fix.speedKmh).toBe(0);
  });
});

describe("kinematics over many seeded trucks", () => {
  const interval = 20_000;
  const trucks = drive({ trucks: 120, seed: 11, intervalMs: interval, gpsNoiseM: 0 }, 1_200);

  /** Collects the first few violations instead of calling expect() per fix (fast). */
  const violations = () => {
    const found: string[] = [];
    return {
      check(ok: boolean, what: () => string) {
        if (!ok && found.length < 5) found.push(what());
      },
      found,
    };
  };

  it("never exceeds the speed limit of the road the truck is on", () => {
    const v = violations();
    for (const fixes of trucks) {
      for (const f of fixes) {
        v.check(f.fix.speedKmh <= f.limitKmh + 0.05, () => `${f.fix.speedKmh} > ${f.limitKmh}`);
        v.check(f.fix.speedKmh >= 0, () => `negative speed ${f.fix.speedKmh}`);
      }
    }
    expect(v.found).toEqual([]);
  });

  it("covers the distance the reported speeds allow between two fixes (no teleports)", () => {
    const { accelMs2: a, brakeMs2: b } = KINEMATICS;
    const T = interval / 1000;
    const v = violations();
    let checked = 0;
    for (const [p, q] of pairs(trucks)) {
      const v1 = p.fix.speedKmh / 3.6;
      const v2 = q.fix.speedKmh / 3.6;
      // Any speed curve with slopes in [-b, a] from v1 to v2 lies within this area of the
      // straight line between them (the trapezoid).
      const s = Math.max(-b, Math.min(a, (v2 - v1) / T));
      const slack = ((a - s) * (b + s) * T * T) / (2 * (a + b)) + 1;
      const trapezoid = ((v1 + v2) / 2) * T;
      const driven = q.odometerM - p.odometerM;
      const chord = distanceM(at(p), at(q));
      const what = () =>
        `${q.fix.truckId}#${q.fix.seq}: v ${v1}->${v2}, driven ${driven}, chord ${chord}`;
      v.check(driven <= trapezoid + slack && driven >= trapezoid - slack, what);
      // The straight line between the two positions is at most the road distance driven,
      // and no one moves faster than the fastest road allows.
      v.check(chord <= driven + 1, what);
      v.check(chord <= (MAX_LIMIT_KMH / 3.6) * T + 1, what);
      checked++;
    }
    expect(v.found).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });

  it("changes speed no faster than the truck can accelerate or brake", () => {
    const T = interval / 1000;
    const v = violations();
    for (const [p, q] of pairs(trucks)) {
      const dv = (q.fix.speedKmh - p.fix.speedKmh) / 3.6;
      v.check(
        dv <= KINEMATICS.accelMs2 * T + 0.05 && dv >= -KINEMATICS.brakeMs2 * T - 0.05,
        () => `${q.fix.truckId}#${q.fix.seq}: ${p.fix.speedKmh} -> ${q.fix.speedKmh} km/h`,
      );
    }
    expect(v.found).toEqual([]);
  });

  it("stands still during stops, and stops happen: deliveries and rest breaks", () => {
    const seen = new Set<string>();
    const moving: string[] = [];
    for (const [p, q] of pairs(trucks)) {
      seen.add(q.activity);
      if (q.activity !== "driving" && q.fix.speedKmh !== 0)
        moving.push(`${q.fix.truckId}#${q.fix.seq}`);
      if (p.activity === q.activity && q.activity !== "driving" && distanceM(at(p), at(q)) >= 0.5) {
        moving.push(`${q.fix.truckId}#${q.fix.seq} moved while stopped`);
      }
    }
    expect(moving).toEqual([]);
    expect(seen).toEqual(new Set(["loading", "driving", "delivery", "rest"]));
    for (const fixes of trucks) {
      expect(fixes.some((f) => f.activity === "delivery")).toBe(true);
    }
  });

  it("spends most of a working day driving, at realistic speeds", () => {
    const all = trucks.flat();
    const driving = all.filter((f) => f.activity === "driving");
    expect(driving.length / all.length).toBeGreaterThan(0.55);
    const motorway = driving.filter((f) => f.roadClass === "motorway" && f.fix.speedKmh > 0);
    const mean = motorway.reduce((sum, f) => sum + f.fix.speedKmh, 0) / motorway.length;
    expect(mean).toBeGreaterThan(65);
    expect(mean).toBeLessThanOrEqual(ROAD_CLASSES.motorway.limitKmh);
  });
});

describe("heading", () => {
  it("points where the truck moves (1 s fixes, no noise)", () => {
    const byTruck = drive({ trucks: 40, seed: 5, intervalMs: 1_000, gpsNoiseM: 0 }, 8_000);
    let moves = 0;
    let aligned = 0;
    for (const [p, q] of pairs(byTruck)) {
      if (distanceM(at(p), at(q)) < 3) continue;
      moves++;
      // Within one second a truck crosses at most one road vertex (a turn).
      const chord = bearingDeg(at(p), at(q));
      if (
        headingDiffDeg(chord, q.fix.headingDeg) <= 5 ||
        headingDiffDeg(chord, p.fix.headingDeg) <= 5
      )
        aligned++;
    }
    expect(moves).toBeGreaterThan(100_000);
    expect(aligned / moves).toBeGreaterThan(0.995);
  });

  it("keeps the last heading while stopped", () => {
    const byTruck = drive({ trucks: 10, seed: 6, intervalMs: 20_000, gpsNoiseM: 3 }, 500);
    for (const [p, q] of pairs(byTruck)) {
      if (p.activity !== "driving" && q.activity === p.activity) {
        expect(q.fix.headingDeg).toBe(p.fix.headingDeg);
      }
    }
  });
});

describe("GPS noise", () => {
  it("moves reported positions by at most 3 sd per axis, and never changes the trajectory", () => {
    const noisy = drive({ trucks: 15, seed: 8, intervalMs: 20_000, gpsNoiseM: 5 }, 300).flat();
    const exact = drive({ trucks: 15, seed: 8, intervalMs: 20_000, gpsNoiseM: 0 }, 300).flat();
    let offsets = 0;
    noisy.forEach((f, i) => {
      const e = exact[i] as SimFix;
      expect(f.odometerM).toBe(e.odometerM);
      expect(f.fix.accuracyM).toBe(5);
      const d = distanceM(at(f), at(e));
      expect(d).toBeLessThanOrEqual(5 * 3 * Math.SQRT2 + 0.2);
      offsets += d;
    });
    // Mean offset of a 2-D normal with sd 5 per axis is ~6.3 m.
    expect(offsets / noisy.length).toBeGreaterThan(4.5);
    expect(offsets / noisy.length).toBeLessThan(8);
  });

  it("is a pure function of the options (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1_000, max: 60_000 }),
        (seed, trucks, intervalMs) => {
          const a = createFleet({ trucks, intervalMs, startTime: START, seed, gpsNoiseM: 4 });
          const b = createFleet({ trucks, intervalMs, startTime: START, seed, gpsNoiseM: 4 });
          for (let i = 0; i < 200; i++)
            expect(serializeFix(a.next().fix)).toBe(serializeFix(b.next().fix));
        },
      ),
      { numRuns: 25 },
    );
  });
});
