import { TruckWindowColumns } from "./columns";
import { greatCircleM } from "./geo";
import {
  alignDown,
  earliestEndOf,
  finalThroughAt,
  firstLivePaneStart,
  lastEndOfPane,
  nextDueAfter,
  type WindowKind,
  type WindowPlan,
} from "./plan";
import {
  type BatchResult,
  FLEET_SCOPE_ID,
  type InputFix,
  type LateFix,
  type PaneRecord,
  type PaneState,
  type PartialChange,
  type PartitionSnapshot,
  type ScopePartial,
  type ScopeType,
  type WindowFix,
  type ZoneLookup,
  type ZoneRef,
} from "./types";

const NEG = Number.NEGATIVE_INFINITY;
/** Above this many pane steps, finalization walks the due ends instead of every step. */
const MAX_STEPS = 4096;

/**
 * Pane aggregates live in arrays of doubles, FIELDS per pane: V8 stores a double held in an
 * object field as a separate boxed number, which for a million panes is millions of extra heap
 * objects for the garbage collector; array elements of a double array are stored unboxed.
 */
const F_INDEX = 0;
const F_N = 1;
const F_SUM = 2;
const F_MAX = 3;
const F_SPD = 4;
const F_DIST = 5;
const F_FIRST_LAT = 6;
const F_FIRST_LON = 7;
const F_LAST_LAT = 8;
const F_LAST_LON = 9;
const FIELDS = 10;
/** F_INDEX of a free slot (not an integer: never a pane index; keeps the array all doubles). */
const EMPTY = -1.5;

/**
 * The fixes of one truck in one pane, sorted by (eventTime, seq), with running aggregates kept
 * at a[off .. off + FIELDS) (the truck's PaneSet block, or an array of its own).
 */
class Pane {
  /** Flattened fixes: eventTime, seq, lat, lon, ... */
  readonly fx: number[] = [];
  /** Per geofence id: [fix count, speeding fix count]. */
  geo: Map<string, [number, number]> | undefined;
  dirty = false;

  constructor(
    /** Pane start / paneMs (a small integer, unlike epoch ms). */
    public index: number,
    readonly a: number[],
    readonly off: number,
  ) {
    this.clear(index);
  }

  /** Empties the pane and gives it another index (reuse; `dirty` is kept: it may be listed). */
  clear(index: number): void {
    this.index = index;
    this.fx.length = 0;
    this.geo = undefined;
    const a = this.a;
    const o = this.off;
    a[o + F_INDEX] = index;
    for (let f = F_N; f < FIELDS; f++) a[o + f] = 0;
  }

  get n(): number {
    return this.a[this.off + F_N] as number;
  }
  get spd(): number {
    return this.a[this.off + F_SPD] as number;
  }

  hasSeq(seq: number): boolean {
    const fx = this.fx;
    for (let i = 1; i < fx.length; i += 4) if (fx[i] === seq) return true;
    return false;
  }

  add(t: number, seq: number, lat: number, lon: number, speed: number, speeding: boolean): void {
    const fx = this.fx;
    const a = this.a;
    const o = this.off;
    const pos = insertionIndex(fx, t, seq);
    if (pos === fx.length) {
      // Appending continues the left-to-right sum: same result as recomputing it.
      if (pos > 0)
        a[o + F_DIST] =
          (a[o + F_DIST] as number) +
          greatCircleM(fx[pos - 2] as number, fx[pos - 1] as number, lat, lon);
      fx.push(t, seq, lat, lon);
    } else {
      fx.splice(pos, 0, t, seq, lat, lon);
      a[o + F_DIST] = pathLength(fx);
    }
    a[o + F_N] = (a[o + F_N] as number) + 1;
    a[o + F_SUM] = (a[o + F_SUM] as number) + speed;
    if (speed > (a[o + F_MAX] as number)) a[o + F_MAX] = speed;
    if (speeding) a[o + F_SPD] = (a[o + F_SPD] as number) + 1;
    this.ends();
  }

  private ends(): void {
    const fx = this.fx;
    const a = this.a;
    const o = this.off;
    a[o + F_FIRST_LAT] = fx[2] as number;
    a[o + F_FIRST_LON] = fx[3] as number;
    a[o + F_LAST_LAT] = fx[fx.length - 2] as number;
    a[o + F_LAST_LON] = fx[fx.length - 1] as number;
  }

  addZone(id: string, speeding: boolean): void {
    this.geo ??= new Map();
    const counts = this.geo.get(id);
    if (counts) {
      counts[0]++;
      if (speeding) counts[1]++;
    } else this.geo.set(id, [1, speeding ? 1 : 0]);
  }

  toState(): PaneState {
    const a = this.a;
    const o = this.off;
    const state: PaneState = {
      fx: this.fx.slice(),
      n: a[o + F_N] as number,
      sum: a[o + F_SUM] as number,
      max: a[o + F_MAX] as number,
      spd: a[o + F_SPD] as number,
      dist: a[o + F_DIST] as number,
    };
    if (this.geo) state.geo = [...this.geo].map(([id, [n, s]]) => [id, n, s]);
    return state;
  }

  load(state: PaneState): void {
    const a = this.a;
    const o = this.off;
    this.fx.length = 0;
    for (const x of state.fx) this.fx.push(x);
    a[o + F_N] = state.n;
    a[o + F_SUM] = state.sum;
    a[o + F_MAX] = state.max;
    a[o + F_SPD] = state.spd;
    a[o + F_DIST] = state.dist;
    this.geo = state.geo ? new Map(state.geo.map(([id, n, s]) => [id, [n, s]])) : undefined;
    if (this.fx.length > 0) this.ends();
  }
}

/** Left-to-right sum of distances along flattened fixes (eventTime, seq, lat, lon). */
/**
 * Where a fix (t, seq) goes in a flat [t, seq, lat, lon, …] list kept sorted by (t, seq):
 * searched from the end, since fixes mostly arrive in order.
 */
export function insertionIndex(fx: readonly number[], t: number, seq: number): number {
  let pos = fx.length;
  while (pos > 0) {
    const pt = fx[pos - 4] as number;
    if (pt < t || (pt === t && (fx[pos - 3] as number) < seq)) break;
    pos -= 4;
  }
  return pos;
}

export function pathLength(fx: readonly number[]): number {
  let dist = 0;
  for (let i = 4; i < fx.length; i += 4)
    dist += greatCircleM(
      fx[i - 2] as number,
      fx[i - 1] as number,
      fx[i + 2] as number,
      fx[i + 3] as number,
    );
  return dist;
}

/**
 * A truck's live panes by pane index: a small ring of slots (index mod size), sized for the panes
 * a truck can have alive at once (bound + lateness + longest window); a pane whose slot is taken
 * (a fix far ahead in event time) goes to an overflow map. The ring's panes keep their aggregates
 * in one contiguous block (`agg`), so assembling a truck's windows reads one piece of memory: with
 * 100,000 trucks that state is rarely in the CPU cache, and cache misses are what windowing
 * spends its time on. Expired pane objects stay in their slot and are reused.
 */
class PaneSet {
  private readonly ring: (Pane | undefined)[];
  readonly agg: number[];
  overflow: Map<number, Pane> | undefined;
  size = 0;

  constructor(readonly slots: number) {
    this.ring = new Array<Pane | undefined>(slots).fill(undefined);
    this.agg = new Array<number>(slots * FIELDS).fill(EMPTY);
  }

  slot(index: number): number {
    return index - Math.floor(index / this.slots) * this.slots;
  }

  get(index: number): Pane | undefined {
    const slot = this.slot(index);
    if (this.agg[slot * FIELDS] === index) return this.ring[slot];
    return this.overflow?.get(index);
  }

  /** A new empty pane (reusing the slot's expired pane object when there is one). */
  create(index: number): Pane {
    const slot = this.slot(index);
    const current = this.ring[slot];
    let pane: Pane;
    if (current === undefined) {
      pane = new Pane(index, this.agg, slot * FIELDS);
      this.ring[slot] = pane;
    } else if (this.agg[slot * FIELDS] === EMPTY) {
      pane = current;
      pane.clear(index);
    } else {
      pane = new Pane(index, new Array<number>(FIELDS).fill(EMPTY), 0);
      this.overflow ??= new Map();
      this.overflow.set(index, pane);
    }
    this.size++;
    return pane;
  }

  delete(pane: Pane): void {
    const slot = this.slot(pane.index);
    if (pane.a === this.agg && this.agg[slot * FIELDS] === pane.index) {
      this.agg[slot * FIELDS] = EMPTY; // the object stays, to be reused
    } else if (!this.overflow?.delete(pane.index)) return;
    this.size--;
  }

  /** The live panes (a copy: deleting while iterating is fine). */
  list(): Pane[] {
    const panes: Pane[] = [];
    for (let slot = 0; slot < this.slots; slot++) {
      const pane = this.ring[slot];
      if (pane !== undefined && this.agg[slot * FIELDS] === pane.index) panes.push(pane);
    }
    if (this.overflow) for (const pane of this.overflow.values()) panes.push(pane);
    return panes;
  }
}

class TruckState {
  readonly panes: PaneSet;
  dirty: Pane[] = [];
  /** Pane index of the time its next window ends (or a pane expires): it is in that due list. */
  dueAt = Number.POSITIVE_INFINITY;
  constructor(
    readonly id: string,
    slots: number,
  ) {
    this.panes = new PaneSet(slots);
  }
}

class Partial {
  fixCount = 0;
  speedSumKmh = 0;
  activeTrucks = 0;
  speedingTrucks = 0;
  final = false;
  dirty = false;
  constructor(
    readonly scopeType: ScopeType,
    readonly scopeId: string,
    readonly start: number,
    readonly end: number,
  ) {}

  toResult(): ScopePartial {
    return {
      scopeType: this.scopeType,
      scopeId: this.scopeId,
      start: this.start,
      end: this.end,
      final: this.final,
      fixCount: this.fixCount,
      speedSumKmh: this.speedSumKmh,
      activeTrucks: this.activeTrucks,
      speedingTrucks: this.speedingTrucks,
    };
  }
}

function addDue<T>(due: Map<number, T[]>, key: number, item: T): void {
  const list = due.get(key);
  if (list) list.push(item);
  else due.set(key, [item]);
}

/** The speed limit that applies at a fix: the lowest limit among its geofences that have one. */
export function limitAt(zones: readonly ZoneRef[], thresholdKmh: number): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const zone of zones)
    if (zone.speedLimitKmh !== undefined && zone.speedLimitKmh < limit) limit = zone.speedLimitKmh;
  return limit === Number.POSITIVE_INFINITY ? thresholdKmh : limit;
}

/**
 * The windows of ONE input partition, in event time. Feed it the partition's fixes in offset
 * order; it returns, per batch, the windows that changed or became final, the fixes that came too
 * late, and the state to persist. Its output depends only on the sequence of fixes (not on how
 * they are cut into batches), so a partition restored from a snapshot continues exactly.
 *
 * - partition watermark W = max event time seen - watermarkBoundMs (advanced after each fix);
 * - a window [start, end) is final once W >= end + allowedLatenessMs;
 * - a fix is late (counted, reported, in no window) when its earliest-ending window is final;
 * - a duplicate (truck and seq already in the fix's pane) is counted and ignored.
 */
export class PartitionWindows<F extends WindowFix = WindowFix> {
  /** Processor watermark (over all partitions) as last known; fleet/geofence windows at or
   * before it are final everywhere, so fixes for them only count in the truck's windows. */
  processorWatermark = NEG;

  private watermark = NEG;
  private maxEventTime = NEG;
  private finalThrough = NEG;
  private lateCount = 0;
  private duplicateCount = 0;
  private readonly trucks = new Map<string, TruckState>();
  /** Trucks by the pane index of their dueAt (stale entries are skipped). */
  private readonly due = new Map<number, TruckState[]>();
  /** Fleet partials by scope window index (start / scopeMs). */
  private readonly fleet = new Map<number, Partial>();
  /** Geofence partials by geofence id, then scope window index. */
  private readonly zonePartials = new Map<string, Map<number, Partial>>();
  /** Partials by the pane index of their end. */
  private readonly partialsDue = new Map<number, Partial[]>();

  // Per-batch output.
  private readonly outWindows = new TruckWindowColumns();
  private outPartials: PartialChange[] = [];
  private outLate: LateFix<F>[] = [];
  private outDuplicates = 0;
  private dirtyTrucks: TruckState[] = [];
  private dirtyPartials: Partial[] = [];

  /** Ring size of PaneSet: enough for every pane a truck can have alive at once. */
  private readonly slots: number;

  constructor(
    readonly plan: WindowPlan,
    private readonly lookup: ZoneLookup,
  ) {
    // Live panes start after W - lateness - longest window and at or before max event time
    // = W + bound; one more for a fix that raises the max, one for alignment.
    const span =
      plan.watermarkBoundMs +
      plan.allowedLatenessMs +
      Math.max(plan.hopSizeMs, plan.tumblingMs, plan.scopeMs);
    this.slots = Math.ceil(span / plan.paneMs) + 2;
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /**
   * Applies fixes in offset order. The result's `windows` columns are reused by the next call:
   * copy what you keep. Call `changedPanes()` before the next call for the state to persist.
   */
  process(fixes: Iterable<InputFix<F>>): BatchResult<F> {
    this.outWindows.reset();
    this.changedTrucks.length = 0;
    this.changedPaneList.length = 0;
    for (const { fix, offset } of fixes) this.add(fix, offset);
    this.emitUpdates();
    for (const truck of this.dirtyTrucks) {
      for (const pane of truck.dirty) {
        pane.dirty = false;
        this.changedTrucks.push(truck);
        this.changedPaneList.push(pane);
      }
      truck.dirty.length = 0;
    }
    for (const partial of this.dirtyPartials) {
      partial.dirty = false;
      if (!partial.final) this.outPartials.push({ ...partial.toResult(), changed: true });
    }
    const result: BatchResult<F> = {
      windows: this.outWindows,
      partials: this.outPartials,
      late: this.outLate,
      duplicates: this.outDuplicates,
      livePanesFrom:
        this.finalThrough === NEG ? 0 : firstLivePaneStart(this.finalThrough, this.plan),
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      lateCount: this.lateCount,
      duplicateCount: this.duplicateCount,
    };
    this.outPartials = [];
    this.outLate = [];
    this.outDuplicates = 0;
    this.dirtyTrucks = [];
    this.dirtyPartials = [];
    return result;
  }

  private add(fix: F, offset: number): void {
    const plan = this.plan;
    const t = fix.eventTime;
    const earliestEnd = earliestEndOf(t, plan);
    if (this.watermark >= earliestEnd + plan.allowedLatenessMs) {
      this.lateCount++;
      this.outLate.push({
        fix,
        offset,
        reason: "window-closed",
        windowEnd: earliestEnd,
        watermark: this.watermark,
      });
      return;
    }
    let truck = this.trucks.get(fix.truckId);
    if (!truck) {
      truck = new TruckState(fix.truckId, this.slots);
      this.trucks.set(fix.truckId, truck);
    }
    const paneIndex = Math.floor(t / plan.paneMs);
    let pane = truck.panes.get(paneIndex);
    if (pane?.hasSeq(fix.seq)) {
      this.duplicateCount++;
      this.outDuplicates++;
      return;
    }
    if (!pane) {
      pane = truck.panes.create(paneIndex);
      this.schedule(truck, nextDueAfter(paneIndex * plan.paneMs, this.finalThrough, plan));
    }
    const zones = this.lookup.containing(fix.lat, fix.lon, t);
    const speeding = fix.speedKmh > limitAt(zones, plan.speedingThresholdKmh);

    const scopeIndex = Math.floor(t / plan.scopeMs);
    const scopeStart = scopeIndex * plan.scopeMs;
    const scopeEnd = scopeStart + plan.scopeMs;
    if (this.processorWatermark >= scopeEnd + plan.allowedLatenessMs) {
      this.lateCount++;
      this.outLate.push({
        fix,
        offset,
        reason: "scope-window-final",
        windowEnd: scopeEnd,
        watermark: this.processorWatermark,
      });
    } else {
      // Distinct-truck counts: look at the truck's panes of this scope window before adding.
      this.addToScope(
        this.fleet,
        "fleet",
        FLEET_SCOPE_ID,
        truck,
        scopeIndex,
        undefined,
        fix,
        speeding,
      );
      for (const zone of zones) {
        let byIndex = this.zonePartials.get(zone.id);
        if (!byIndex) {
          byIndex = new Map();
          this.zonePartials.set(zone.id, byIndex);
        }
        this.addToScope(byIndex, "geofence", zone.id, truck, scopeIndex, zone.id, fix, speeding);
      }
    }

    pane.add(t, fix.seq, fix.lat, fix.lon, fix.speedKmh, speeding);
    for (const zone of zones) pane.addZone(zone.id, speeding);
    if (!pane.dirty) {
      pane.dirty = true;
      if (truck.dirty.length === 0) this.dirtyTrucks.push(truck);
      truck.dirty.push(pane);
    }

    if (t > this.maxEventTime) {
      this.maxEventTime = t;
      const w = t - plan.watermarkBoundMs;
      if (w > this.watermark) {
        this.watermark = w;
        this.advance();
      }
    }
  }

  private addToScope(
    byIndex: Map<number, Partial>,
    scopeType: ScopeType,
    scopeId: string,
    truck: TruckState,
    scopeIndex: number,
    zoneId: string | undefined,
    fix: F,
    speeding: boolean,
  ): void {
    const { paneMs, scopeMs } = this.plan;
    let partial = byIndex.get(scopeIndex);
    if (!partial) {
      const start = scopeIndex * scopeMs;
      partial = new Partial(scopeType, scopeId, start, start + scopeMs);
      byIndex.set(scopeIndex, partial);
      addDue(this.partialsDue, partial.end / paneMs, partial);
    }
    let wasActive = false;
    let wasSpeeding = false;
    const first = partial.start / paneMs;
    const last = partial.end / paneMs;
    for (let i = first; i < last; i++) {
      const pane = truck.panes.get(i);
      if (!pane) continue;
      if (zoneId === undefined) {
        if (pane.n > 0) wasActive = true;
        if (pane.spd > 0) wasSpeeding = true;
      } else {
        const counts = pane.geo?.get(zoneId);
        if (counts && counts[0] > 0) wasActive = true;
        if (counts && counts[1] > 0) wasSpeeding = true;
      }
    }
    partial.fixCount++;
    partial.speedSumKmh += fix.speedKmh;
    if (!wasActive) partial.activeTrucks++;
    if (speeding && !wasSpeeding) partial.speedingTrucks++;
    if (!partial.dirty) {
      partial.dirty = true;
      this.dirtyPartials.push(partial);
    }
  }

  /** Puts the truck in the due list of `at` if that is earlier than where it is now. */
  private schedule(truck: TruckState, at: number): void {
    const index = at / this.plan.paneMs;
    if (index >= truck.dueAt) return;
    truck.dueAt = index;
    addDue(this.due, index, truck);
  }

  /** Emits finals for every window the watermark has passed (end + lateness <= W). */
  private advance(): void {
    const target = finalThroughAt(this.watermark, this.plan);
    if (target <= this.finalThrough) return;
    const step = this.plan.paneMs;
    const targetIndex = target / step;
    if (this.finalThrough === NEG || (target - this.finalThrough) / step > MAX_STEPS) {
      // A big jump: visit only the times something is due (finalizing can schedule later ones).
      this.finalThrough = target;
      for (;;) {
        let next = Number.POSITIVE_INFINITY;
        for (const key of this.due.keys()) if (key < next) next = key;
        for (const key of this.partialsDue.keys()) if (key < next) next = key;
        if (next > targetIndex) return;
        this.finalizeIndex(next);
      }
    }
    for (let i = this.finalThrough / step + 1; i <= targetIndex; i++) {
      this.finalThrough = i * step;
      this.finalizeIndex(i);
    }
  }

  /** Everything due at pane boundary `index` (time index x paneMs). */
  private finalizeIndex(index: number): void {
    const plan = this.plan;
    const end = index * plan.paneMs;
    const trucks = this.due.get(index);
    if (trucks) {
      this.due.delete(index);
      for (const truck of trucks) if (truck.dueAt === index) this.finalizeTruck(truck, end);
    }
    const partials = this.partialsDue.get(index);
    if (partials) {
      this.partialsDue.delete(index);
      for (const partial of partials) {
        partial.final = true;
        this.outPartials.push({ ...partial.toResult(), changed: partial.dirty });
        const scopeIndex = partial.start / plan.scopeMs;
        if (partial.scopeType === "fleet") this.fleet.delete(scopeIndex);
        else {
          const byIndex = this.zonePartials.get(partial.scopeId);
          byIndex?.delete(scopeIndex);
          if (byIndex?.size === 0) this.zonePartials.delete(partial.scopeId);
        }
      }
    }
  }

  /** The truck's windows ending at `end` are final: emit them, drop expired panes, reschedule. */
  private finalizeTruck(truck: TruckState, end: number): void {
    const plan = this.plan;
    truck.dueAt = Number.POSITIVE_INFINITY;
    if (alignDown(end, plan.tumblingMs) === end)
      this.assemble(truck, "tumbling", end - plan.tumblingMs, end, true);
    if (alignDown(end, plan.hopAdvanceMs) === end && end >= plan.hopSizeMs)
      this.assemble(truck, "hopping", end - plan.hopSizeMs, end, true);
    let next = Number.POSITIVE_INFINITY;
    for (const pane of truck.panes.list()) {
      const start = pane.index * plan.paneMs;
      if (lastEndOfPane(start, plan) <= end) truck.panes.delete(pane);
      else next = Math.min(next, nextDueAfter(start, end, plan));
    }
    if (truck.panes.size === 0) {
      if (this.trucks.get(truck.id) === truck) this.trucks.delete(truck.id);
    } else this.schedule(truck, next);
  }

  /** Emits an update for every window (not yet final) containing a pane changed in this batch. */
  private emitUpdates(): void {
    const { paneMs, tumblingMs, hopSizeMs, hopAdvanceMs } = this.plan;
    const tumblingPanes = tumblingMs / paneMs;
    const hopPanes = hopSizeMs / paneMs;
    const advancePanes = hopAdvanceMs / paneMs;
    const firstOpen = this.finalThrough === NEG ? NEG : this.finalThrough / paneMs;
    const tumblingStarts = this.scratchStarts;
    const hoppingStarts = this.scratchHopStarts;
    for (const truck of this.dirtyTrucks) {
      tumblingStarts.length = 0;
      hoppingStarts.length = 0;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const pane of truck.dirty) {
        // all in pane indices: window [start, start + size) is open while its end > firstOpen
        const ts = Math.floor(pane.index / tumblingPanes) * tumblingPanes;
        if (ts + tumblingPanes > firstOpen && !tumblingStarts.includes(ts)) {
          tumblingStarts.push(ts);
          if (ts < lo) lo = ts;
          if (ts + tumblingPanes > hi) hi = ts + tumblingPanes;
        }
        for (
          let hs = Math.floor(pane.index / advancePanes) * advancePanes;
          hs >= 0 && hs > pane.index - hopPanes;
          hs -= advancePanes
        ) {
          if (hs + hopPanes > firstOpen && !hoppingStarts.includes(hs)) {
            hoppingStarts.push(hs);
            if (hs < lo) lo = hs;
            if (hs + hopPanes > hi) hi = hs + hopPanes;
          }
        }
      }
      if (lo > hi) continue;
      this.gather(truck, lo, hi);
      for (const ts of tumblingStarts)
        this.fromGathered(truck, "tumbling", ts, ts + tumblingPanes, lo, false);
      for (const hs of hoppingStarts)
        this.fromGathered(truck, "hopping", hs, hs + hopPanes, lo, false);
    }
  }

  // Scratch space for assembling windows (no allocation per window): per pane k = index - lo.
  private readonly scratchStarts: number[] = [];
  private readonly scratchHopStarts: number[] = [];
  private readonly gN: number[] = [];
  private readonly gSum: number[] = [];
  private readonly gMax: number[] = [];
  private readonly gSpd: number[] = [];
  private readonly gDist: number[] = [];
  /** Distance from the previous non-empty pane's last fix to this pane's first fix (0 if none). */
  private readonly gBridge: number[] = [];

  /** Loads the aggregates of the truck's panes lo..hi-1 and the bridges between them. */
  private gather(truck: TruckState, lo: number, hi: number): void {
    const { gN, gSum, gMax, gSpd, gDist, gBridge } = this;
    const set = truck.panes;
    let hasPrev = false;
    let prevLat = 0;
    let prevLon = 0;
    for (let i = lo, k = 0; i < hi; i++, k++) {
      let a = set.agg;
      let b = set.slot(i) * FIELDS;
      if (a[b + F_INDEX] !== i) {
        const pane = set.overflow?.get(i);
        if (!pane) {
          gN[k] = 0;
          gBridge[k] = 0;
          continue;
        }
        a = pane.a;
        b = pane.off;
      }
      const n = a[b + F_N] as number;
      gN[k] = n;
      gSum[k] = a[b + F_SUM] as number;
      gMax[k] = a[b + F_MAX] as number;
      gSpd[k] = a[b + F_SPD] as number;
      gDist[k] = a[b + F_DIST] as number;
      if (n > 0) {
        gBridge[k] = hasPrev
          ? greatCircleM(
              prevLat,
              prevLon,
              a[b + F_FIRST_LAT] as number,
              a[b + F_FIRST_LON] as number,
            )
          : 0;
        hasPrev = true;
        prevLat = a[b + F_LAST_LAT] as number;
        prevLon = a[b + F_LAST_LON] as number;
      } else gBridge[k] = 0;
    }
  }

  /** Emits window [from, to) (pane indices) from gathered panes starting at `lo`, unless empty. */
  private fromGathered(
    truck: TruckState,
    kind: WindowKind,
    from: number,
    to: number,
    lo: number,
    final: boolean,
  ): void {
    const { gN, gSum, gMax, gSpd, gDist, gBridge } = this;
    let fixCount = 0;
    let sum = 0;
    let max = 0;
    let speedingCount = 0;
    let distanceM = 0;
    for (let k = from - lo; k < to - lo; k++) {
      const n = gN[k] as number;
      if (n === 0) continue;
      if (fixCount > 0) distanceM += gBridge[k] as number;
      distanceM += gDist[k] as number;
      fixCount += n;
      sum += gSum[k] as number;
      const m = gMax[k] as number;
      if (m > max) max = m;
      speedingCount += gSpd[k] as number;
    }
    if (fixCount === 0) return;
    const paneMs = this.plan.paneMs;
    this.outWindows.push(
      truck.id,
      kind,
      from * paneMs,
      to * paneMs,
      final,
      fixCount,
      sum / fixCount,
      max,
      speedingCount,
      distanceM,
    );
  }

  /** Emits a window's value from its panes (event-time order, bridging non-empty panes). */
  private assemble(
    truck: TruckState,
    kind: WindowKind,
    start: number,
    end: number,
    final: boolean,
  ): void {
    const paneMs = this.plan.paneMs;
    const from = start / paneMs;
    const to = end / paneMs;
    this.gather(truck, from, to);
    this.fromGathered(truck, kind, from, to, from, final);
  }

  private readonly changedTrucks: TruckState[] = [];
  private readonly changedPaneList: Pane[] = [];

  /**
   * The panes the last process() call changed, as persistable records (the state to upsert;
   * with BatchResult.livePanesFrom for the panes to delete). Call it before the next process().
   */
  changedPanes(): PaneRecord[] {
    const records: PaneRecord[] = [];
    for (let i = 0; i < this.changedPaneList.length; i++) {
      const truck = this.changedTrucks[i] as TruckState;
      const pane = this.changedPaneList[i] as Pane;
      if (truck.panes.get(pane.index) === pane)
        records.push({
          truckId: truck.id,
          start: pane.index * this.plan.paneMs,
          state: pane.toState(),
        });
    }
    return records;
  }

  /** The whole state, for tests; the processor persists it incrementally from BatchResult. */
  snapshot(): PartitionSnapshot {
    const panes: PaneRecord[] = [];
    for (const truck of this.trucks.values())
      for (const pane of truck.panes.list())
        panes.push({
          truckId: truck.id,
          start: pane.index * this.plan.paneMs,
          state: pane.toState(),
        });
    const partials: ScopePartial[] = [...this.fleet.values()].map((p) => p.toResult());
    for (const byIndex of this.zonePartials.values())
      for (const partial of byIndex.values()) partials.push(partial.toResult());
    return {
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      lateCount: this.lateCount,
      duplicateCount: this.duplicateCount,
      panes,
      partials,
    };
  }

  /** Replaces the state with a snapshot (as persisted after the last applied batch). */
  restore(snapshot: PartitionSnapshot): void {
    const plan = this.plan;
    this.trucks.clear();
    this.due.clear();
    this.partialsDue.clear();
    this.fleet.clear();
    this.zonePartials.clear();
    this.watermark = snapshot.watermark;
    this.maxEventTime = snapshot.maxEventTime;
    this.lateCount = snapshot.lateCount;
    this.duplicateCount = snapshot.duplicateCount;
    this.finalThrough = this.watermark === NEG ? NEG : finalThroughAt(this.watermark, plan);
    for (const record of snapshot.panes) {
      if (lastEndOfPane(record.start, plan) <= this.finalThrough) continue;
      let truck = this.trucks.get(record.truckId);
      if (!truck) {
        truck = new TruckState(record.truckId, this.slots);
        this.trucks.set(record.truckId, truck);
      }
      truck.panes.create(record.start / plan.paneMs).load(record.state);
    }
    for (const truck of this.trucks.values()) {
      let next = Number.POSITIVE_INFINITY;
      for (const pane of truck.panes.list())
        next = Math.min(next, nextDueAfter(pane.index * plan.paneMs, this.finalThrough, plan));
      this.schedule(truck, next);
    }
    for (const p of snapshot.partials) {
      if (p.final || p.end <= this.finalThrough) continue;
      let byIndex = p.scopeType === "fleet" ? this.fleet : this.zonePartials.get(p.scopeId);
      if (!byIndex) {
        byIndex = new Map();
        this.zonePartials.set(p.scopeId, byIndex);
      }
      const partial = new Partial(p.scopeType, p.scopeId, p.start, p.end);
      partial.fixCount = p.fixCount;
      partial.speedSumKmh = p.speedSumKmh;
      partial.activeTrucks = p.activeTrucks;
      partial.speedingTrucks = p.speedingTrucks;
      byIndex.set(p.start / plan.scopeMs, partial);
      addDue(this.partialsDue, p.end / plan.paneMs, partial);
    }
  }
}
