import type { PaneSet } from "./pane";
import type { WindowPlan } from "./plan";
import type { PartialChange, ScopePartial, ScopeType } from "./types";
import { FLEET_SCOPE_ID } from "./types";

/** One partition's part of one fleet or geofence window. */
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

/**
 * The open fleet and per-geofence partials of one partition, by scope window, with the pane
 * boundary at which each becomes final. Distinct-truck counts come from the truck's panes: a
 * truck counts once per window, at its first fix (speeding: its first speeding fix) in it.
 */
export class ScopePartials {
  /** Fleet partials by scope window index (start / scopeMs). */
  private readonly fleet = new Map<number, Partial>();
  /** Geofence partials by geofence id, then scope window index. */
  private readonly zones = new Map<string, Map<number, Partial>>();
  /** Partials by the pane index of their end. */
  private readonly due = new Map<number, Partial[]>();
  private dirty: Partial[] = [];
  /** Changed since the last `takeChanged` (the partition's persisted state). */
  changedSinceCheckpoint = false;

  constructor(private readonly plan: WindowPlan) {}

  /** Counts a fix (not yet added to its pane) in the fleet window and each geofence's window. */
  add(
    panes: PaneSet,
    scopeIndex: number,
    zones: readonly { id: string }[],
    speedKmh: number,
    speeding: boolean,
  ): void {
    this.addTo(
      this.fleet,
      "fleet",
      FLEET_SCOPE_ID,
      panes,
      scopeIndex,
      undefined,
      speedKmh,
      speeding,
    );
    for (const zone of zones) {
      let byIndex = this.zones.get(zone.id);
      if (!byIndex) {
        byIndex = new Map();
        this.zones.set(zone.id, byIndex);
      }
      this.addTo(byIndex, "geofence", zone.id, panes, scopeIndex, zone.id, speedKmh, speeding);
    }
  }

  private addTo(
    byIndex: Map<number, Partial>,
    scopeType: ScopeType,
    scopeId: string,
    panes: PaneSet,
    scopeIndex: number,
    zoneId: string | undefined,
    speedKmh: number,
    speeding: boolean,
  ): void {
    const { paneMs, scopeMs } = this.plan;
    let partial = byIndex.get(scopeIndex);
    if (!partial) {
      const start = scopeIndex * scopeMs;
      partial = new Partial(scopeType, scopeId, start, start + scopeMs);
      byIndex.set(scopeIndex, partial);
      addDue(this.due, partial.end / paneMs, partial);
    }
    let wasActive = false;
    let wasSpeeding = false;
    const last = partial.end / paneMs;
    for (let i = partial.start / paneMs; i < last; i++) {
      const pane = panes.get(i);
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
    partial.speedSumKmh += speedKmh;
    if (!wasActive) partial.activeTrucks++;
    if (speeding && !wasSpeeding) partial.speedingTrucks++;
    if (!partial.dirty) {
      partial.dirty = true;
      this.dirty.push(partial);
    }
    this.changedSinceCheckpoint = true;
  }

  /** Earliest pane index at which a partial is due, or Infinity. */
  nextDue(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const key of this.due.keys()) if (key < next) next = key;
    return next;
  }

  /** Marks the partials ending at pane boundary `index` final and appends them to `out`. */
  finalize(index: number, out: PartialChange[]): void {
    const partials = this.due.get(index);
    if (!partials) return;
    this.due.delete(index);
    for (const partial of partials) {
      partial.final = true;
      out.push({ ...partial.toResult(), changed: partial.dirty });
      const scopeIndex = partial.start / this.plan.scopeMs;
      if (partial.scopeType === "fleet") this.fleet.delete(scopeIndex);
      else {
        const byIndex = this.zones.get(partial.scopeId);
        byIndex?.delete(scopeIndex);
        if (byIndex?.size === 0) this.zones.delete(partial.scopeId);
      }
    }
    this.changedSinceCheckpoint = true;
  }

  /** Appends the open partials that changed since the last call. */
  takeChanged(out: PartialChange[]): void {
    for (const partial of this.dirty) {
      partial.dirty = false;
      if (!partial.final) out.push({ ...partial.toResult(), changed: true });
    }
    this.dirty = [];
  }

  /** The open partials (for the partition's persisted state). */
  open(): ScopePartial[] {
    const partials: ScopePartial[] = [...this.fleet.values()].map((p) => p.toResult());
    for (const byIndex of this.zones.values())
      for (const partial of byIndex.values()) partials.push(partial.toResult());
    return partials;
  }

  /** Replaces the partials with stored open ones (those ending after `finalThrough`). */
  restore(partials: readonly ScopePartial[], finalThrough: number): void {
    this.fleet.clear();
    this.zones.clear();
    this.due.clear();
    this.dirty = [];
    const plan = this.plan;
    for (const p of partials) {
      if (p.final || p.end <= finalThrough) continue;
      let byIndex = p.scopeType === "fleet" ? this.fleet : this.zones.get(p.scopeId);
      if (!byIndex) {
        byIndex = new Map();
        this.zones.set(p.scopeId, byIndex);
      }
      const partial = new Partial(p.scopeType, p.scopeId, p.start, p.end);
      partial.fixCount = p.fixCount;
      partial.speedSumKmh = p.speedSumKmh;
      partial.activeTrucks = p.activeTrucks;
      partial.speedingTrucks = p.speedingTrucks;
      byIndex.set(p.start / plan.scopeMs, partial);
      addDue(this.due, p.end / plan.paneMs, partial);
    }
  }
}
