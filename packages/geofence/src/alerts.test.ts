import type { Geofence, GeofenceAlert, GeofenceGeometry } from "@fleetstream/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FixLike, GeofenceAlerter } from "./alerts";
import { GeofenceIndex } from "./fence-index";

const T0 = 1_764_000_000_000;
const CENTER = { lon: 5, lat: 52 };
/** Metres → degrees near CENTER. */
const dLat = (m: number) => m / 111_195;
const dLon = (m: number) => m / (111_195 * Math.cos((CENTER.lat * Math.PI) / 180));

function fence(overrides: Partial<Geofence> = {}): Geofence {
  return {
    id: "depot",
    version: 1,
    name: "Depot",
    tags: [],
    enabled: true,
    geometry: { type: "Circle", center: [CENTER.lon, CENTER.lat], radiusM: 1_000 },
    speedLimitKmh: null,
    dwellSeconds: null,
    debounce: { fixes: 3, seconds: 20 },
    createdAt: T0 - 60_000,
    updatedAt: T0 - 60_000,
    ...overrides,
  };
}

function indexOf(...fences: Geofence[]): GeofenceIndex {
  const index = new GeofenceIndex();
  for (const f of fences) index.upsert(f);
  return index;
}

/** A fix `metres` east of the fence centre (inside the 1 km circle when < 1000). */
const at = (
  truckId: string,
  seq: number,
  seconds: number,
  metres: number,
  speedKmh = 50,
): FixLike => ({
  truckId,
  seq,
  lat: CENTER.lat,
  lon: CENTER.lon + dLon(metres),
  speedKmh,
  eventTime: T0 + seconds * 1000,
});

function run(alerter: GeofenceAlerter, fixes: readonly FixLike[]): GeofenceAlert[] {
  const out: GeofenceAlert[] = [];
  for (const fix of fixes) alerter.process(fix, out);
  return out;
}

const kinds = (alerts: readonly GeofenceAlert[]) =>
  alerts.map((a) => `${a.kind}@${(a.eventTime - T0) / 1000}`);

describe("GeofenceAlerter: examples", () => {
  it("confirms ENTER after 3 fixes over 20 s, DWELL once, EXIT after 3 fixes over 20 s", () => {
    const alerter = new GeofenceAlerter(indexOf(fence({ dwellSeconds: 60 })));
    const path = [
      2_000, 1_500, 900, 800, 700, 600, 500, 400, 300, 200, 100, 0, 1_100, 1_200, 1_300, 1_400,
    ];
    const alerts = run(
      alerter,
      path.map((m, i) => at("T1", i, i * 10, m)),
    );
    // inside from t=20 (3rd fix); confirmed at t=40 (3 fixes and 20 s); dwell 60 s after t=20.
    expect(kinds(alerts)).toEqual(["ENTER@40", "DWELL@80", "EXIT@140"]);
    expect(alerts[0]).toMatchObject({ since: T0 + 20_000, id: `T1/depot/ENTER/${T0 + 40_000}` });
    expect(alerts[2]).toMatchObject({ since: T0 + 120_000, geofenceVersion: 1 });
  });

  it("debounce zero confirms on the first fix on the new side", () => {
    const alerter = new GeofenceAlerter(indexOf(fence({ debounce: { fixes: 0, seconds: 0 } })));
    const alerts = run(alerter, [
      at("T1", 1, 0, 2_000),
      at("T1", 2, 10, 500),
      at("T1", 3, 20, 1_500),
    ]);
    expect(kinds(alerts)).toEqual(["ENTER@10", "EXIT@20"]);
  });

  it("ignores and counts duplicates and fixes older than the truck's latest", () => {
    const alerter = new GeofenceAlerter(indexOf(fence({ debounce: { fixes: 0, seconds: 0 } })));
    const out: GeofenceAlert[] = [];
    expect(alerter.process(at("T1", 2, 10, 2_000), out)).toBe("applied");
    expect(alerter.process(at("T1", 2, 10, 2_000), out)).toBe("duplicate");
    expect(alerter.process(at("T1", 1, 5, 500), out)).toBe("stale"); // older, inside: no ENTER
    expect(out).toEqual([]);
    expect(alerter.stats).toMatchObject({ fixes: 3, applied: 1, duplicates: 1, stale: 1 });
  });

  it("orders fixes of one instant by seq, as the contract's isNewerFix does everywhere", () => {
    const alerter = new GeofenceAlerter(indexOf(fence({ debounce: { fixes: 0, seconds: 0 } })));
    const out: GeofenceAlert[] = [];
    expect(alerter.process(at("T1", 1, 10, 2_000), out)).toBe("applied"); // outside
    // Same event time, higher seq (a device re-sending a corrected fix): applied, and inside.
    expect(alerter.process(at("T1", 2, 10, 500), out)).toBe("applied");
    expect(kinds(out)).toEqual(["ENTER@10"]);
    expect(alerter.process(at("T1", 1, 10, 2_000), out)).toBe("stale"); // lower seq, same time
  });

  it("raises CROSSED when a fast truck's consecutive fixes straddle a small fence", () => {
    const small = fence({
      id: "gate",
      geometry: { type: "Circle", center: [CENTER.lon, CENTER.lat], radiusM: 30 },
    });
    const alerter = new GeofenceAlerter(indexOf(small));
    const alerts = run(alerter, [
      at("T1", 1, 0, -400),
      at("T1", 2, 10, 400),
      at("T1", 3, 20, 1_200),
    ]);
    expect(kinds(alerts)).toEqual(["CROSSED@10"]);
    expect(alerts[0]).toMatchObject({ since: T0, geofenceId: "gate" });
    // Too long a gap between the fixes: the straight path is a guess, no CROSSED.
    const slow = new GeofenceAlerter(indexOf(small), { crossingMaxGapMs: 5_000 });
    expect(run(slow, [at("T2", 1, 0, -400), at("T2", 2, 10, 400)])).toEqual([]);
  });

  it("raises OVERSPEED once per debounced episode inside a fence with a limit", () => {
    const alerter = new GeofenceAlerter(
      indexOf(fence({ speedLimitKmh: 30, debounce: { fixes: 2, seconds: 0 } })),
    );
    const speeds = [50, 50, 50, 20, 50, 50, 20, 20, 50, 50];
    const alerts = run(
      alerter,
      speeds.map((kmh, i) => at("T1", i, i * 10, 100, kmh)),
    );
    // ENTER at the 2nd fix; speeding confirmed at the 2nd fast fix; one dip is not an end;
    // two slow fixes end the episode; the next two fast fixes start a new one.
    expect(kinds(alerts)).toEqual(["ENTER@10", "OVERSPEED@10", "OVERSPEED@90"]);
  });

  it("applies a fence change to fixes at or after its time, and drops state on delete", () => {
    const index = indexOf(fence({ debounce: { fixes: 0, seconds: 0 } }));
    const alerter = new GeofenceAlerter(index);
    const out: GeofenceAlert[] = [];
    alerter.process(at("T1", 1, 0, 500), out); // ENTER v1
    // v2 moves the fence 10 km east from T0 + 30 s.
    const moved: GeofenceGeometry = {
      type: "Circle",
      center: [CENTER.lon + dLon(10_000), CENTER.lat],
      radiusM: 1_000,
    };
    index.upsert(
      fence({
        version: 2,
        geometry: moved,
        updatedAt: T0 + 30_000,
        debounce: { fixes: 0, seconds: 0 },
      }),
    );
    alerter.process(at("T1", 2, 20, 500), out); // still v1: inside
    alerter.process(at("T1", 3, 30, 500), out); // v2: outside → EXIT
    alerter.process(at("T2", 1, 25, 10_000), out); // before v2 at v2's place: nothing
    alerter.process(at("T2", 2, 40, 10_000), out); // v2: ENTER
    index.remove("depot", T0 + 50_000);
    alerter.process(at("T2", 3, 60, 10_000), out); // deleted: no EXIT, state dropped
    expect(
      out.map((a) => `${a.truckId}:${a.kind}@${(a.eventTime - T0) / 1000}v${a.geofenceVersion}`),
    ).toEqual(["T1:ENTER@0v1", "T1:EXIT@30v2", "T2:ENTER@40v2"]);
    expect(alerter.snapshot("T2")?.f).toBeUndefined();
  });

  it("points exactly on a polygon edge are inside (closed sets)", () => {
    const square = fence({
      debounce: { fixes: 0, seconds: 0 },
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [5, 52],
            [5.01, 52],
            [5.01, 52.01],
            [5, 52.01],
            [5, 52],
          ],
        ],
      },
    });
    const alerts = run(new GeofenceAlerter(indexOf(square)), [
      { truckId: "T1", seq: 1, lat: 52.005, lon: 5.01, speedKmh: 10, eventTime: T0 },
    ]);
    expect(kinds(alerts)).toEqual(["ENTER@0"]);
  });
});

// ---------------------------------------------------------------- properties

interface Step {
  inside: boolean;
  dtS: number;
  speedKmh: number;
  bearing: number;
}

/** Fixes of one truck from steps: inside = 0..900 m from the centre, outside = 1.1..3 km. */
function toFixes(truckId: string, steps: readonly Step[], startS = 0): FixLike[] {
  let t = startS;
  return steps.map((s, i) => {
    t += s.dtS;
    const r = s.inside ? 900 * ((i % 7) / 7) : 1_100 + 1_900 * ((i % 5) / 5);
    return {
      truckId,
      seq: i + 1,
      lat: CENTER.lat + dLat(r * Math.sin(s.bearing)),
      lon: CENTER.lon + dLon(r * Math.cos(s.bearing)),
      speedKmh: s.speedKmh,
      eventTime: T0 + t * 1000,
    };
  });
}

const step = (inside?: boolean) =>
  fc.record({
    inside: inside === undefined ? fc.boolean() : fc.constant(inside),
    dtS: fc.integer({ min: 1, max: 30 }),
    speedKmh: fc.integer({ min: 0, max: 130 }),
    bearing: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
  });

const debounce = fc.record({
  fixes: fc.integer({ min: 0, max: 5 }),
  seconds: fc.integer({ min: 0, max: 60 }),
});

const testFence = (d: { fixes: number; seconds: number }) =>
  fence({ debounce: d, dwellSeconds: 45, speedLimitKmh: 80 });

describe("GeofenceAlerter: properties", () => {
  it("flapping within the debounce (runs shorter than the fix count) raises nothing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), step(false), step(true)), {
          maxLength: 40,
        }),
        (fixes, runs) => {
          // Outside for a while, then bursts inside each shorter than `fixes` fixes.
          const steps: Step[] = [];
          for (const [length, out, inn] of runs) {
            steps.push(out);
            for (let i = 0; i < Math.min(length, fixes - 1); i++) steps.push(inn);
          }
          const alerter = new GeofenceAlerter(indexOf(testFence({ fixes, seconds: 0 })));
          expect(run(alerter, toFixes("T1", steps))).toEqual([]);
        },
      ),
    );
  });

  it("flapping within the debounce (runs shorter than the seconds) raises nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(step(true), { minLength: 1, maxLength: 10 }), { maxLength: 20 }),
        (bursts) => {
          // Each inside burst lasts < 60 s from its first fix to its last.
          const steps: Step[] = [];
          for (const burst of bursts) {
            steps.push({ inside: false, dtS: 10, speedKmh: 50, bearing: 0 });
            let span = 0;
            burst.forEach((s, i) => {
              const dtS = i === 0 ? s.dtS : Math.min(s.dtS, 59 - span);
              if (i > 0 && dtS <= 0) return;
              if (i > 0) span += dtS;
              steps.push({ ...s, dtS: Math.max(1, dtS) });
            });
          }
          const alerter = new GeofenceAlerter(indexOf(testFence({ fixes: 1, seconds: 60 })));
          expect(run(alerter, toFixes("T1", steps))).toEqual([]);
        },
      ),
    );
  });

  it("replaying the same input (with duplicates and reordering) gives the same alert ids", () => {
    fc.assert(
      fc.property(
        debounce,
        fc.array(step(), { maxLength: 80 }),
        fc.array(step(), { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (d, a, b, disorder) => {
          const fixes = [...toFixes("A", a), ...toFixes("B", b)].sort(
            (x, y) => x.eventTime - y.eventTime,
          );
          // duplicates and swaps at positions chosen by `disorder`
          for (const n of disorder) {
            if (fixes.length < 2) break;
            const i = n % (fixes.length - 1);
            if (n % 2 === 0) fixes.splice(i, 0, { ...(fixes[i] as FixLike) });
            else [fixes[i], fixes[i + 1]] = [fixes[i + 1] as FixLike, fixes[i] as FixLike];
          }
          const ids = () => run(new GeofenceAlerter(indexOf(testFence(d))), fixes).map((x) => x.id);
          const first = ids();
          expect(ids()).toEqual(first);
          expect(new Set(first).size).toBe(first.length);
        },
      ),
    );
  });

  it("duplicates and older fixes change nothing: same alerts as the in-order, unique stream", () => {
    fc.assert(
      fc.property(
        debounce,
        fc.array(step(), { maxLength: 100 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (d, steps, noise) => {
          const clean = toFixes("T1", steps);
          const noisy = [...clean];
          for (const n of noise) {
            // insert a copy of an earlier fix (duplicate or late) after position n
            const i = n % (noisy.length + 1);
            const earlier = noisy.slice(0, i);
            const copy = earlier[n % Math.max(1, earlier.length)];
            if (copy) noisy.splice(i, 0, { ...copy });
          }
          const expected = run(new GeofenceAlerter(indexOf(testFence(d))), clean);
          const alerter = new GeofenceAlerter(indexOf(testFence(d)));
          expect(run(alerter, noisy)).toEqual(expected);
          expect(alerter.stats.duplicates + alerter.stats.stale).toBe(noisy.length - clean.length);
        },
      ),
    );
  });

  it("a snapshot/restore at any point (a restart) gives the same alerts as no restart", () => {
    fc.assert(
      fc.property(debounce, fc.array(step(), { maxLength: 100 }), fc.nat(), (d, steps, cut) => {
        const fixes = toFixes("T1", steps);
        const split = fixes.length === 0 ? 0 : cut % fixes.length;
        const expected = run(new GeofenceAlerter(indexOf(testFence(d))), fixes);
        const before = new GeofenceAlerter(indexOf(testFence(d)));
        const head = run(before, fixes.slice(0, split));
        const saved = JSON.parse(JSON.stringify(before.snapshot("T1") ?? null));
        const after = new GeofenceAlerter(indexOf(testFence(d)));
        if (saved) after.restore("T1", saved);
        expect([...head, ...run(after, fixes.slice(split))]).toEqual(expected);
      }),
    );
  });

  it("per truck and fence, ENTER and EXIT alternate, DWELL at most once per visit, inside only", () => {
    fc.assert(
      fc.property(debounce, fc.array(step(), { maxLength: 150 }), (d, steps) => {
        const alerts = run(new GeofenceAlerter(indexOf(testFence(d))), toFixes("T1", steps));
        let inside = false;
        let dwelled = false;
        for (const alert of alerts) {
          if (alert.kind === "ENTER") {
            expect(inside).toBe(false);
            inside = true;
            dwelled = false;
          } else if (alert.kind === "EXIT") {
            expect(inside).toBe(true);
            inside = false;
          } else if (alert.kind === "DWELL") {
            expect(inside && !dwelled).toBe(true);
            dwelled = true;
            expect(alert.eventTime - alert.since).toBeGreaterThanOrEqual(45_000);
          } else if (alert.kind === "OVERSPEED") {
            expect(alert.speedKmh).toBeGreaterThan(80);
          }
        }
      }),
    );
  });
});
