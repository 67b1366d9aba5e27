import { greatCircleM } from "@fleetstream/geofence/sphere";
import { TruckWindowColumns } from "./columns";
import { limitAt } from "./engine";
import { insertionIndex, pathLength } from "./pane";
import {
  alignDown,
  earliestEndOf,
  finalThroughAt,
  hoppingStartsOf,
  type WindowKind,
  type WindowPlan,
} from "./plan";
import type { InputFix, ScopePartial, WindowFix, ZoneLookup } from "./types";

/** One window's fixes (sorted) and aggregates, kept separately for every window. */
class WindowAcc {
  fx: number[] = [];
  n = 0;
  sum = 0;
  max = 0;
  spd = 0;
  dist = 0;
  dirty = false;
  constructor(
    readonly truckId: string,
    readonly kind: WindowKind,
    readonly start: number,
    readonly end: number,
  ) {}

  hasSeq(seq: number): boolean {
    for (let i = 1; i < this.fx.length; i += 4) if (this.fx[i] === seq) return true;
    return false;
  }

  add(t: number, seq: number, lat: number, lon: number, speed: number, speeding: boolean): void {
    const fx = this.fx;
    const pos = insertionIndex(fx, t, seq);
    if (pos === fx.length) {
      if (pos > 0)
        this.dist += greatCircleM(fx[pos - 2] as number, fx[pos - 1] as number, lat, lon);
      fx.push(t, seq, lat, lon);
    } else {
      fx.splice(pos, 0, t, seq, lat, lon);
      this.dist = pathLength(fx);
    }
    this.n++;
    this.sum += speed;
    if (speed > this.max) this.max = speed;
    if (speeding) this.spd++;
  }

  emit(out: TruckWindowColumns, final: boolean): void {
    out.push(
      this.truckId,
      this.kind,
      this.start,
      this.end,
      final,
      this.n,
      this.sum / this.n,
      this.max,
      this.spd,
      this.dist,
    );
  }
}

interface NaiveScope {
  partial: ScopePartial;
  trucks: Set<string>;
  speeders: Set<string>;
  dirty: boolean;
}

/**
 * The baseline the benchmark compares with: the same windows, but every fix is copied into every
 * window it falls in (one tumbling and hopSize/hopAdvance hopping windows per fix), as a
 * straightforward window operator does. Same outputs as PartitionWindows (up to float rounding of
 * distances), no panes; no persistence.
 */
export class NaiveWindows<F extends WindowFix = WindowFix> {
  private watermark = Number.NEGATIVE_INFINITY;
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private finalThrough = Number.NEGATIVE_INFINITY;
  private readonly tumbling = new Map<string, Map<number, WindowAcc>>();
  private readonly hopping = new Map<string, Map<number, WindowAcc>>();
  private readonly due = new Map<number, WindowAcc[]>();
  private readonly scopes = new Map<string, NaiveScope>();
  private readonly scopesDue = new Map<number, NaiveScope[]>();
  private readonly out = new TruckWindowColumns();
  private outPartials: ScopePartial[] = [];
  private dirty: WindowAcc[] = [];
  private dirtyScopes: NaiveScope[] = [];
  late = 0;
  duplicates = 0;

  constructor(
    readonly plan: WindowPlan,
    private readonly lookup: ZoneLookup,
  ) {}

  process(fixes: Iterable<InputFix<F>>): {
    windows: TruckWindowColumns;
    partials: ScopePartial[];
  } {
    this.out.reset();
    for (const { fix } of fixes) this.add(fix);
    for (const acc of this.dirty) {
      acc.dirty = false;
      // Early values of open tumbling windows only, as the engine (isEmitted).
      if (acc.end > this.finalThrough && acc.kind === "tumbling") acc.emit(this.out, false);
    }
    for (const scope of this.dirtyScopes) {
      scope.dirty = false;
      if (!scope.partial.final) this.outPartials.push({ ...scope.partial });
    }
    const result = { windows: this.out, partials: this.outPartials };
    this.outPartials = [];
    this.dirty = [];
    this.dirtyScopes = [];
    return result;
  }

  private acc(
    byTruck: Map<string, Map<number, WindowAcc>>,
    kind: WindowKind,
    truckId: string,
    start: number,
    size: number,
  ): WindowAcc {
    let windows = byTruck.get(truckId);
    if (!windows) {
      windows = new Map();
      byTruck.set(truckId, windows);
    }
    let acc = windows.get(start);
    if (!acc) {
      acc = new WindowAcc(truckId, kind, start, start + size);
      windows.set(start, acc);
      const list = this.due.get(acc.end);
      if (list) list.push(acc);
      else this.due.set(acc.end, [acc]);
    }
    return acc;
  }

  private add(fix: F): void {
    const plan = this.plan;
    const t = fix.eventTime;
    if (this.watermark >= earliestEndOf(t, plan) + plan.allowedLatenessMs) {
      this.late++;
      return;
    }
    const tumbling = this.acc(
      this.tumbling,
      "tumbling",
      fix.truckId,
      alignDown(t, plan.tumblingMs),
      plan.tumblingMs,
    );
    if (tumbling.hasSeq(fix.seq)) {
      this.duplicates++;
      return;
    }
    const zones = this.lookup.containing(fix.lat, fix.lon, t);
    const speeding = fix.speedKmh > limitAt(zones, plan.speedingThresholdKmh);
    const windows = [tumbling];
    for (const start of hoppingStartsOf(t, plan))
      windows.push(this.acc(this.hopping, "hopping", fix.truckId, start, plan.hopSizeMs));
    for (const acc of windows) {
      acc.add(t, fix.seq, fix.lat, fix.lon, fix.speedKmh, speeding);
      if (!acc.dirty) {
        acc.dirty = true;
        this.dirty.push(acc);
      }
    }
    const scopeStart = alignDown(t, plan.scopeMs);
    this.addScope("fleet", "fleet", scopeStart, fix, speeding);
    for (const zone of zones) this.addScope("geofence", zone.id, scopeStart, fix, speeding);

    if (t > this.maxEventTime) {
      this.maxEventTime = t;
      this.watermark = Math.max(this.watermark, t - plan.watermarkBoundMs);
      const target = finalThroughAt(this.watermark, plan);
      if (target > this.finalThrough) {
        const ends = [...this.due.keys(), ...this.scopesDue.keys()]
          .filter((end) => end <= target)
          .sort((a, b) => a - b);
        for (const end of ends) this.finalize(end);
        this.finalThrough = target;
      }
    }
  }

  private addScope(
    scopeType: "fleet" | "geofence",
    scopeId: string,
    start: number,
    fix: F,
    speeding: boolean,
  ): void {
    const key = `${scopeType}|${scopeId}|${start}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      const end = start + this.plan.scopeMs;
      scope = {
        partial: {
          scopeType,
          scopeId,
          start,
          end,
          final: false,
          fixCount: 0,
          speedSumKmh: 0,
          activeTrucks: 0,
          speedingTrucks: 0,
        },
        trucks: new Set(),
        speeders: new Set(),
        dirty: false,
      };
      this.scopes.set(key, scope);
      const list = this.scopesDue.get(end);
      if (list) list.push(scope);
      else this.scopesDue.set(end, [scope]);
    }
    const p = scope.partial;
    p.fixCount++;
    p.speedSumKmh += fix.speedKmh;
    scope.trucks.add(fix.truckId);
    if (speeding) scope.speeders.add(fix.truckId);
    p.activeTrucks = scope.trucks.size;
    p.speedingTrucks = scope.speeders.size;
    if (!scope.dirty) {
      scope.dirty = true;
      this.dirtyScopes.push(scope);
    }
  }

  private finalize(end: number): void {
    const accs = this.due.get(end);
    if (accs) {
      this.due.delete(end);
      for (const acc of accs) {
        acc.emit(this.out, true);
        const byTruck = acc.kind === "tumbling" ? this.tumbling : this.hopping;
        const windows = byTruck.get(acc.truckId);
        windows?.delete(acc.start);
        if (windows?.size === 0) byTruck.delete(acc.truckId);
      }
    }
    const scopes = this.scopesDue.get(end);
    if (scopes) {
      this.scopesDue.delete(end);
      for (const scope of scopes) {
        scope.partial.final = true;
        this.outPartials.push({ ...scope.partial });
        this.scopes.delete(
          `${scope.partial.scopeType}|${scope.partial.scopeId}|${scope.partial.start}`,
        );
      }
    }
  }
}
