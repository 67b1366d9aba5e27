import { WindowAssembler } from "./assemble";
import { TruckWindowColumns } from "./columns";
import { type Pane, PaneSet } from "./pane";
import { ScopePartials } from "./partials";
import {
  alignDown,
  earliestEndOf,
  finalThroughAt,
  lastEndOfPane,
  nextDueAfter,
  type WindowPlan,
} from "./plan";
import type {
  BatchResult,
  InputFix,
  LateFix,
  PartialChange,
  PartitionSnapshot,
  PartitionWindowState,
  TruckWindowState,
  WindowFix,
  ZoneLookup,
  ZoneRef,
} from "./types";

const NEG = Number.NEGATIVE_INFINITY;
/** Above this many pane steps, finalization walks the due ends instead of every step. */
const MAX_STEPS = 4096;

/** The speed limit that applies at a fix: the lowest limit among its geofences that have one. */
export function limitAt(zones: readonly ZoneRef[], thresholdKmh: number): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const zone of zones)
    if (zone.speedLimitKmh !== undefined && zone.speedLimitKmh < limit) limit = zone.speedLimitKmh;
  return limit === Number.POSITIVE_INFINITY ? thresholdKmh : limit;
}

/**
 * The windows of ONE input partition, in event time. Feed it the partition's fixes in offset
 * order; per batch it returns the truck windows that became final, an early (not final) value of
 * each tumbling window the batch changed, the partition's fleet/geofence partials that changed,
 * and the fixes that came too late. Its state is kept per truck (its live panes) plus one
 * partition part (watermark, counters, open partials): `takeStateChanges` hands over what changed
 * since the last call, `restore` continues from such a state. Its output depends only on the
 * sequence of fixes (not on how they are cut into batches), so a partition restored from a state
 * and fed the fixes after it continues exactly.
 *
 * - partition watermark W = max event time seen - watermarkBoundMs (advanced after each fix);
 * - a window [start, end) is final once W >= end + allowedLatenessMs;
 * - a fix is late (counted, reported, in no window) when its earliest-ending window is final;
 * - a duplicate (truck and seq already in the fix's pane) is counted and ignored.
 */
export interface PartitionWindows<F extends WindowFix = WindowFix> {
  /** Processor watermark (over all partitions) as last known: fleet/geofence windows at or before
   * it are final everywhere, so fixes for them only count in the truck's windows. */
  processorWatermark: number;
  readonly currentWatermark: number;
  /** Applies fixes in offset order. `windows` is reused by the next call: copy what you keep. */
  process(fixes: Iterable<InputFix<F>>): BatchResult<F>;
  /** Keys whose state changed since the last call: trucks, and whether the partition's did. */
  takeChangedKeys(): { trucks: string[]; partition: boolean };
  /** State changed since the last call: per truck its state (undefined: gone), and the partition's. */
  takeStateChanges(): {
    trucks: [truckId: string, state: TruckWindowState | undefined][];
    partition: PartitionWindowState | undefined;
  };
  truckState(truckId: string): TruckWindowState | undefined;
  partitionState(): PartitionWindowState;
  /** Replaces the whole state. */
  restore(partition: PartitionWindowState, trucks: Iterable<[string, TruckWindowState]>): void;
  /** The whole state in one object (tests). */
  snapshot(): PartitionSnapshot;
  /**
   * The current (early) value of every open tumbling window, e.g. to re-emit after a restore; of
   * these trucks' only when given (unknown ones are skipped).
   */
  openTumblingWindows(truckIds?: Iterable<string>): TruckWindowColumns;
}

export function createPartitionWindows<F extends WindowFix = WindowFix>(
  plan: WindowPlan,
  lookup: ZoneLookup,
): PartitionWindows<F> {
  return new Windows<F>(plan, lookup);
}

class TruckState {
  readonly panes: PaneSet;
  /** Panes changed in the current batch. */
  dirty: Pane[] = [];
  /** Changed since the last takeStateChanges. */
  stateDirty = false;
  /** Pane index of the time its next window ends (or a pane expires): it is in that due list. */
  dueAt = Number.POSITIVE_INFINITY;
  constructor(
    readonly id: string,
    slots: number,
  ) {
    this.panes = new PaneSet(slots);
  }
}

function addDue<T>(due: Map<number, T[]>, key: number, item: T): void {
  const list = due.get(key);
  if (list) list.push(item);
  else due.set(key, [item]);
}

class Windows<F extends WindowFix> implements PartitionWindows<F> {
  processorWatermark = NEG;

  private watermark = NEG;
  private maxEventTime = NEG;
  private finalThrough = NEG;
  private lateCount = 0;
  private duplicateCount = 0;
  private readonly trucks = new Map<string, TruckState>();
  /** Trucks by the pane index of their dueAt (stale entries are skipped). */
  private readonly due = new Map<number, TruckState[]>();
  private readonly partials: ScopePartials;
  private readonly assembler: WindowAssembler;
  /** Ring size of PaneSet: enough for every pane a truck can have alive at once. */
  private readonly slots: number;

  // Per-batch output.
  private readonly outWindows = new TruckWindowColumns();
  private outPartials: PartialChange[] = [];
  private outLate: LateFix<F>[] = [];
  private outDuplicates = 0;
  private dirtyTrucks: TruckState[] = [];
  // Since the last takeStateChanges.
  private stateDirty: { id: string; truck: TruckState }[] = [];
  private partitionDirty = false;

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
    this.partials = new ScopePartials(plan);
    this.assembler = new WindowAssembler(plan.paneMs);
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  process(fixes: Iterable<InputFix<F>>): BatchResult<F> {
    this.outWindows.reset();
    for (const { fix, offset } of fixes) this.add(fix, offset);
    this.emitEarly();
    for (const truck of this.dirtyTrucks) truck.dirty.length = 0;
    this.partials.takeChanged(this.outPartials);
    const result: BatchResult<F> = {
      windows: this.outWindows,
      partials: this.outPartials,
      late: this.outLate,
      duplicates: this.outDuplicates,
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      lateCount: this.lateCount,
      duplicateCount: this.duplicateCount,
    };
    if (this.outLate.length > 0 || this.outDuplicates > 0) this.partitionDirty = true;
    this.outPartials = [];
    this.outLate = [];
    this.outDuplicates = 0;
    this.dirtyTrucks = [];
    return result;
  }

  private markState(truck: TruckState): void {
    if (truck.stateDirty) return;
    truck.stateDirty = true;
    this.stateDirty.push({ id: truck.id, truck });
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
    const scopeEnd = scopeIndex * plan.scopeMs + plan.scopeMs;
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
      // Distinct-truck counts look at the truck's panes of this scope window before adding.
      this.partials.add(truck.panes, scopeIndex, zones, fix.speedKmh, speeding);
    }

    pane.add(t, fix.seq, fix.lat, fix.lon, fix.speedKmh, speeding);
    for (const zone of zones) pane.addZone(zone.id, speeding);
    if (!truck.dirty.includes(pane)) {
      if (truck.dirty.length === 0) this.dirtyTrucks.push(truck);
      truck.dirty.push(pane);
    }
    this.markState(truck);

    if (t > this.maxEventTime) {
      this.maxEventTime = t;
      this.partitionDirty = true;
      const w = t - plan.watermarkBoundMs;
      if (w > this.watermark) {
        this.watermark = w;
        this.advance();
      }
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
        let next = this.partials.nextDue();
        for (const key of this.due.keys()) if (key < next) next = key;
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
    const end = index * this.plan.paneMs;
    const trucks = this.due.get(index);
    if (trucks) {
      this.due.delete(index);
      for (const truck of trucks) if (truck.dueAt === index) this.finalizeTruck(truck, end);
    }
    this.partials.finalize(index, this.outPartials);
  }

  /** The truck's windows ending at `end` are final: emit them, drop expired panes, reschedule. */
  private finalizeTruck(truck: TruckState, end: number): void {
    const plan = this.plan;
    truck.dueAt = Number.POSITIVE_INFINITY;
    if (alignDown(end, plan.tumblingMs) === end)
      this.assemble(truck, "tumbling", end - plan.tumblingMs, end);
    if (alignDown(end, plan.hopAdvanceMs) === end && end >= plan.hopSizeMs)
      this.assemble(truck, "hopping", end - plan.hopSizeMs, end);
    let next = Number.POSITIVE_INFINITY;
    for (const pane of truck.panes.list()) {
      const start = pane.index * plan.paneMs;
      if (lastEndOfPane(start, plan) <= end) {
        truck.panes.delete(pane);
        this.markState(truck);
      } else next = Math.min(next, nextDueAfter(start, end, plan));
    }
    if (truck.panes.size === 0) {
      if (this.trucks.get(truck.id) === truck) this.trucks.delete(truck.id);
    } else this.schedule(truck, next);
  }

  /** A final window's value from its panes. */
  private assemble(truck: TruckState, kind: "tumbling" | "hopping", start: number, end: number) {
    const from = start / this.plan.paneMs;
    const to = end / this.plan.paneMs;
    this.assembler.gather(truck.panes, from, to);
    this.assembler.emit(this.outWindows, truck.id, kind, from, to, true);
  }

  private readonly scratchStarts: number[] = [];

  /**
   * An early value of every open tumbling window a pane changed in this batch belongs to. Open
   * hopping windows are not emitted early: at five per fix they would be most of the output, and
   * each one is final a minute after its last tumbling window.
   */
  private emitEarly(): void {
    const { paneMs, tumblingMs } = this.plan;
    const tumblingPanes = tumblingMs / paneMs;
    const firstOpen = this.finalThrough === NEG ? NEG : this.finalThrough / paneMs;
    const starts = this.scratchStarts;
    for (const truck of this.dirtyTrucks) {
      starts.length = 0;
      for (const pane of truck.dirty) {
        const start = Math.floor(pane.index / tumblingPanes) * tumblingPanes;
        if (start + tumblingPanes > firstOpen && !starts.includes(start)) starts.push(start);
      }
      for (const start of starts) {
        this.assembler.gather(truck.panes, start, start + tumblingPanes);
        this.assembler.emit(
          this.outWindows,
          truck.id,
          "tumbling",
          start,
          start + tumblingPanes,
          false,
        );
      }
    }
  }

  openTumblingWindows(truckIds?: Iterable<string>): TruckWindowColumns {
    const out = new TruckWindowColumns();
    const { paneMs, tumblingMs } = this.plan;
    const tumblingPanes = tumblingMs / paneMs;
    const firstOpen = this.finalThrough === NEG ? NEG : this.finalThrough / paneMs;
    const starts = this.scratchStarts;
    for (const truck of truckIds ? this.trucksOf(truckIds) : this.trucks.values()) {
      starts.length = 0;
      for (const pane of truck.panes.list()) {
        const start = Math.floor(pane.index / tumblingPanes) * tumblingPanes;
        if (start + tumblingPanes > firstOpen && !starts.includes(start)) starts.push(start);
      }
      for (const start of starts) {
        this.assembler.gather(truck.panes, start, start + tumblingPanes);
        this.assembler.emit(out, truck.id, "tumbling", start, start + tumblingPanes, false);
      }
    }
    return out;
  }

  private *trucksOf(truckIds: Iterable<string>): Iterable<TruckState> {
    for (const id of truckIds) {
      const truck = this.trucks.get(id);
      if (truck) yield truck;
    }
  }

  takeChangedKeys(): { trucks: string[]; partition: boolean } {
    const trucks: string[] = [];
    for (const { id, truck } of this.stateDirty) {
      truck.stateDirty = false;
      const live = this.trucks.get(id);
      // A truck that expired and came back is a new TruckState (listed too): report it once.
      if (live !== undefined && live !== truck) continue;
      trucks.push(id);
    }
    this.stateDirty = [];
    const partition = this.partitionDirty || this.partials.changedSinceCheckpoint;
    this.partitionDirty = false;
    this.partials.changedSinceCheckpoint = false;
    return { trucks, partition };
  }

  takeStateChanges(): {
    trucks: [string, TruckWindowState | undefined][];
    partition: PartitionWindowState | undefined;
  } {
    const changed = this.takeChangedKeys();
    return {
      trucks: changed.trucks.map((id) => [id, this.truckState(id)]),
      partition: changed.partition ? this.partitionState() : undefined,
    };
  }

  truckState(truckId: string): TruckWindowState | undefined {
    const truck = this.trucks.get(truckId);
    return truck ? this.stateOf(truck) : undefined;
  }

  private stateOf(truck: TruckState): TruckWindowState {
    return {
      panes: truck.panes
        .list()
        .map((pane): [number, TruckWindowState["panes"][number][1]] => [
          pane.index * this.plan.paneMs,
          pane.toState(),
        ]),
    };
  }

  partitionState(): PartitionWindowState {
    return {
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      lateCount: this.lateCount,
      duplicateCount: this.duplicateCount,
      partials: this.partials.open(),
    };
  }

  restore(partition: PartitionWindowState, trucks: Iterable<[string, TruckWindowState]>): void {
    const plan = this.plan;
    this.trucks.clear();
    this.due.clear();
    this.stateDirty = [];
    this.partitionDirty = false;
    this.dirtyTrucks = [];
    this.watermark = partition.watermark;
    this.maxEventTime = partition.maxEventTime;
    this.lateCount = partition.lateCount;
    this.duplicateCount = partition.duplicateCount;
    this.finalThrough = this.watermark === NEG ? NEG : finalThroughAt(this.watermark, plan);
    for (const [truckId, state] of trucks) {
      const truck = new TruckState(truckId, this.slots);
      let next = Number.POSITIVE_INFINITY;
      for (const [start, pane] of state.panes) {
        if (lastEndOfPane(start, plan) <= this.finalThrough) continue;
        truck.panes.create(start / plan.paneMs).load(pane);
        next = Math.min(next, nextDueAfter(start, this.finalThrough, plan));
      }
      if (truck.panes.size === 0) continue;
      this.trucks.set(truckId, truck);
      this.schedule(truck, next);
    }
    this.partials.restore(partition.partials, this.finalThrough);
    this.partials.changedSinceCheckpoint = false;
  }

  snapshot(): PartitionSnapshot {
    const panes = [];
    for (const truck of this.trucks.values())
      for (const [start, state] of this.stateOf(truck).panes)
        panes.push({ truckId: truck.id, start, state });
    return { ...this.partitionState(), panes };
  }
}
